// Starlark dict and set over HashTable (see hashtable.ts for the keying scheme
// and the small-table/Map representations). A StarDict *is* a HashTable, so
// get/set/getStr/setStr/setNew/delete/keys/values/forEach are called on it
// directly; getStr/setStr are the fast paths for string keys (no
// canonicalisation, no allocation).

import { equalDepth } from './compare.js';
import { HashTable } from './hashtable.js';
import { work } from './meter.js';
import { writeRepr } from './repr.js';
import { StarlarkError, type Equatable, type Iterable, type StarObject, type Value } from './value.js';

/**
 * A dict is its own hash table (one object per dict instead of two: dicts are
 * the most allocated value in reconciler code). `ht` is kept as an alias so
 * dict and set code can share HashTable-level helpers.
 */
export class StarDict extends HashTable implements Iterable, Equatable {
  get ht(): HashTable {
    return this;
  }
  get typeName(): string {
    return 'dict';
  }
  freeze(): void {
    this.freezeAll();
  }
  truth(): boolean {
    return this.size > 0;
  }
  hash(): number {
    throw new StarlarkError('unhashable type: dict');
  }
  /** [key, value] pairs in insertion order (a snapshot). */
  entries(): Array<[Value, Value]> {
    const out: Array<[Value, Value]> = [];
    this.forEach((k, v) => out.push([k, v]));
    return out;
  }
  iterate(): Iterator<Value> {
    return this.ht.iterateKeys();
  }
  repr(out: string[], seen: Set<StarObject>): void {
    if (seen.has(this)) {
      out.push('{...}');
      return;
    }
    seen.add(this);
    out.push('{');
    let first = true;
    this.ht.forEach((k, v) => {
      if (!first) out.push(', ');
      first = false;
      writeRepr(out, k, seen);
      out.push(': ');
      writeRepr(out, v, seen);
    });
    out.push('}');
    seen.delete(this);
  }
  equals(y: StarObject, depth: number): boolean {
    const o = y as StarDict;
    if (this.size !== o.size) return false;
    work(this.size);
    let eq = true;
    this.ht.forEach((k, v) => {
      if (!eq) return;
      const w = o.ht.get(k);
      if (w === undefined || !equalDepth(v, w, depth - 1)) eq = false;
    });
    return eq;
  }
  /** Builds a dict from [key, value] pairs. */
  static from(pairs: Array<[Value, Value]>): StarDict {
    const d = new StarDict();
    for (const [k, v] of pairs) d.set(k, v);
    return d;
  }
}

export class StarSet implements Iterable, Equatable {
  readonly ht = new HashTable();

  get typeName(): string {
    return 'set';
  }
  get size(): number {
    return this.ht.size;
  }
  get frozen(): boolean {
    return this.ht.frozen;
  }
  freeze(): void {
    this.ht.freezeAll();
  }
  truth(): boolean {
    return this.ht.size > 0;
  }
  hash(): number {
    throw new StarlarkError('unhashable type: set');
  }
  has(k: Value): boolean {
    return this.ht.has(k);
  }
  add(k: Value): void {
    this.ht.set(k, true);
  }
  delete(k: Value): boolean {
    return this.ht.delete(k) !== undefined;
  }
  elems(): Value[] {
    return this.ht.keys();
  }
  iterate(): Iterator<Value> {
    return this.ht.iterateKeys();
  }
  repr(out: string[], seen: Set<StarObject>): void {
    if (seen.has(this)) {
      out.push('set([...])');
      return;
    }
    seen.add(this);
    out.push('set([');
    let first = true;
    this.ht.forEach((k) => {
      if (!first) out.push(', ');
      first = false;
      writeRepr(out, k, seen);
    });
    out.push('])');
    seen.delete(this);
  }
  equals(y: StarObject): boolean {
    const o = y as StarSet;
    if (this.size !== o.size) return false;
    work(this.size);
    for (const k of this.ht.keys()) if (!o.ht.has(k)) return false;
    return true;
  }
  /** Subset test used by <= and issubset. */
  isSubsetOf(o: StarSet): boolean {
    if (this.size > o.size) return false;
    for (const k of this.ht.keys()) if (!o.ht.has(k)) return false;
    return true;
  }
  static of(elems: Value[]): StarSet {
    const s = new StarSet();
    for (const e of elems) s.add(e);
    return s;
  }
}

// Set algebra (the |, &, ^, - operators and the set methods of the same names).
export function setUnion(x: StarSet, y: StarSet): StarSet {
  const s = new StarSet();
  s.ht.addAll(x.ht);
  s.ht.addAll(y.ht);
  return s;
}
export function setIntersection(x: StarSet, y: StarSet): StarSet {
  const s = new StarSet();
  for (const k of x.elems()) if (y.has(k)) s.add(k);
  return s;
}
export function setDifference(x: StarSet, y: StarSet): StarSet {
  const s = new StarSet();
  for (const k of x.elems()) if (!y.has(k)) s.add(k);
  return s;
}
export function setSymmetricDifference(x: StarSet, y: StarSet): StarSet {
  const s = new StarSet();
  for (const k of x.elems()) if (!y.has(k)) s.add(k);
  for (const k of y.elems()) if (!x.has(k)) s.add(k);
  return s;
}
