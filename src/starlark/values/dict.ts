// Starlark dict and set, both thin wrappers over HashTable (see hashtable.ts
// for the keying scheme). The evaluator may use `dict.ht.get/set` directly;
// `getStr`/`setStr` are the single-Map-operation fast paths for string keys.

import { equalDepth } from './compare.js';
import { HashTable } from './hashtable.js';
import { writeRepr } from './repr.js';
import { StarlarkError, type Equatable, type Iterable, type StarObject, type Value } from './value.js';

export class StarDict implements Iterable, Equatable {
  readonly ht = new HashTable();

  get typeName(): string {
    return 'dict';
  }
  get size(): number {
    return this.ht.map.size;
  }
  get frozen(): boolean {
    return this.ht.frozen;
  }
  freeze(): void {
    this.ht.freezeAll();
  }
  truth(): boolean {
    return this.ht.map.size > 0;
  }
  hash(): number {
    throw new StarlarkError('unhashable type: dict');
  }
  get(k: Value): Value | undefined {
    return this.ht.get(k);
  }
  set(k: Value, v: Value): void {
    this.ht.set(k, v);
  }
  /** Fast path: string key lookup, one Map operation. */
  getStr(k: string): Value | undefined {
    return this.ht.map.get(k);
  }
  setStr(k: string, v: Value): void {
    const ht = this.ht;
    if (ht.frozen || ht.itercount > 0) ht.checkInsert();
    ht.map.set(k, v);
  }
  delete(k: Value): Value | undefined {
    return this.ht.delete(k);
  }
  keys(): Value[] {
    return this.ht.keys();
  }
  values(): Value[] {
    return this.ht.values();
  }
  /** [key, value] pairs in insertion order (a snapshot). */
  entries(): Array<[Value, Value]> {
    const out: Array<[Value, Value]> = [];
    for (const [c, v] of this.ht.map) out.push([this.ht.keyOf(c), v]);
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
    for (const [c, v] of this.ht.map) {
      if (!first) out.push(', ');
      first = false;
      writeRepr(out, this.ht.keyOf(c), seen);
      out.push(': ');
      writeRepr(out, v, seen);
    }
    out.push('}');
    seen.delete(this);
  }
  equals(y: StarObject, depth: number): boolean {
    const o = y as StarDict;
    if (this.size !== o.size) return false;
    for (const [c, v] of this.ht.map) {
      const w = o.ht.get(this.ht.keyOf(c));
      if (w === undefined || !equalDepth(v, w, depth - 1)) return false;
    }
    return true;
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
    return this.ht.map.size;
  }
  get frozen(): boolean {
    return this.ht.frozen;
  }
  freeze(): void {
    this.ht.freezeAll();
  }
  truth(): boolean {
    return this.ht.map.size > 0;
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
    for (const c of this.ht.map.keys()) {
      if (!first) out.push(', ');
      first = false;
      writeRepr(out, this.ht.keyOf(c), seen);
    }
    out.push('])');
    seen.delete(this);
  }
  equals(y: StarObject): boolean {
    const o = y as StarSet;
    if (this.size !== o.size) return false;
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
