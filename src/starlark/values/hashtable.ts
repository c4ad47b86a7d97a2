// Insertion-ordered hash table behind dict and set.
//
// Key idea: one JS Map does the work. Every key is reduced to a canonical Map
// key: strings, ints (number or bigint), bools and None are their own canonical
// form, so `d["name"]` is a single Map lookup with no allocation. A float key
// canonicalises to the equal number/bigint (1.0 and 1 are the same key) and its
// original value is remembered in `floatKeys`. Any other hashable key (tuple,
// bytes, function, ...) is interned through `buckets` (hash → CompositeKey[]),
// and the CompositeKey object itself is the Map key. JS Map iteration order is
// insertion order and delete is O(1), which gives Starlark's ordering for free.
// Trade-off: composite keys pay one hash + bucket scan per operation.
//
// Mutation rules follow starlark-go: "cannot insert into frozen hash table",
// and "... during iteration" while an iterator is active (itercount > 0).

import { StarFloat } from './float.js';
import { equal } from './compare.js';
import { StarlarkError, type Value } from './value.js';

/** Interned handle for a key that has no primitive canonical form. */
class CompositeKey {
  constructor(
    readonly k: Value,
    readonly h: number,
  ) {}
}

const MISSING = Symbol('missing');

export class HashTable {
  readonly map = new Map<unknown, Value>();
  private floatKeys: Map<unknown, StarFloat> | null = null;
  private buckets: Map<number, CompositeKey[]> | null = null;
  frozen = false;
  itercount = 0;

  get size(): number {
    return this.map.size;
  }

  /** Canonical Map key for lookups, or MISSING if a composite key was never inserted. Throws if unhashable. */
  private canon(k: Value): unknown {
    if (typeof k !== 'object' || k === null) return k;
    if (k instanceof StarFloat) return floatCanon(k.value);
    const h = k.hash();
    const b = this.buckets?.get(h);
    if (b !== undefined) for (const ck of b) if (equal(ck.k, k)) return ck;
    return MISSING;
  }

  private canonInsert(k: Value): unknown {
    if (typeof k !== 'object' || k === null) return k;
    if (k instanceof StarFloat) {
      const c = floatCanon(k.value);
      if (!this.map.has(c)) (this.floatKeys ??= new Map()).set(c, k);
      return c;
    }
    const h = k.hash();
    const buckets = (this.buckets ??= new Map());
    let b = buckets.get(h);
    if (b === undefined) buckets.set(h, (b = []));
    for (const ck of b) if (equal(ck.k, k)) return ck;
    const ck = new CompositeKey(k, h);
    b.push(ck);
    return ck;
  }

  /** The Starlark key stored for a canonical Map key. */
  keyOf(c: unknown): Value {
    if (typeof c === 'object' && c !== null) return (c as CompositeKey).k;
    if (this.floatKeys !== null) {
      const f = this.floatKeys.get(c);
      if (f !== undefined) return f;
    }
    return c as Value;
  }

  get(k: Value): Value | undefined {
    if (typeof k === 'string') return this.map.get(k);
    const c = this.canon(k);
    return c === MISSING ? undefined : this.map.get(c);
  }

  has(k: Value): boolean {
    if (typeof k === 'string') return this.map.has(k);
    const c = this.canon(k);
    return c !== MISSING && this.map.has(c);
  }

  checkInsert(): void {
    if (this.frozen) throw new StarlarkError('cannot insert into frozen hash table');
    if (this.itercount > 0) throw new StarlarkError('cannot insert into hash table during iteration');
  }

  checkDelete(): void {
    if (this.frozen) throw new StarlarkError('cannot delete from frozen hash table');
    if (this.itercount > 0) throw new StarlarkError('cannot delete from hash table during iteration');
  }

  set(k: Value, v: Value): void {
    if (this.frozen || this.itercount > 0) this.checkInsert();
    if (typeof k === 'string') this.map.set(k, v);
    else this.map.set(this.canonInsert(k), v);
  }

  /** Removes k; returns its value or undefined if absent. */
  delete(k: Value): Value | undefined {
    if (this.frozen || this.itercount > 0) this.checkDelete();
    const c = typeof k === 'string' ? k : this.canon(k);
    if (c === MISSING) return undefined;
    const v = this.map.get(c);
    if (v === undefined) return undefined;
    this.removeCanon(c);
    return v;
  }

  /** Removes by canonical key (already checked mutable). */
  removeCanon(c: unknown): void {
    this.map.delete(c);
    if (typeof c === 'object' && c !== null) {
      const ck = c as CompositeKey;
      const b = this.buckets!.get(ck.h)!;
      const i = b.indexOf(ck);
      b.splice(i, 1);
      if (b.length === 0) this.buckets!.delete(ck.h);
    } else if (this.floatKeys !== null) {
      this.floatKeys.delete(c);
    }
  }

  clear(): void {
    if (this.frozen) throw new StarlarkError('cannot clear frozen hash table');
    if (this.itercount > 0) throw new StarlarkError('cannot clear hash table during iteration');
    this.map.clear();
    this.floatKeys = null;
    this.buckets = null;
  }

  /** Keys in insertion order, as a fresh array (safe against later mutation). */
  keys(): Value[] {
    const out: Value[] = [];
    if (this.floatKeys === null && this.buckets === null) {
      for (const c of this.map.keys()) out.push(c as Value);
    } else {
      for (const c of this.map.keys()) out.push(this.keyOf(c));
    }
    return out;
  }

  values(): Value[] {
    return Array.from(this.map.values());
  }

  /** Iterates keys while holding the iteration lock (released on exhaustion or return()). */
  iterateKeys(): Iterator<Value> {
    return new KeyIterator(this);
  }

  freezeAll(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const [c, v] of this.map) {
      const k = this.keyOf(c);
      if (k !== null && typeof k === 'object') k.freeze();
      if (v !== null && typeof v === 'object') v.freeze();
    }
  }

  /** Adds every entry of other (used by dict | dict, set.union, ...). */
  addAll(other: HashTable): void {
    for (const [c, v] of other.map) this.set(other.keyOf(c), v);
  }
}

function floatCanon(f: number): unknown {
  if (Number.isInteger(f) && !Number.isSafeInteger(f)) return BigInt(f);
  return f + 0; // -0.0 and 0.0 are the same key
}

class KeyIterator implements Iterator<Value> {
  private inner: Iterator<unknown>;
  private ht: HashTable | null;
  constructor(ht: HashTable) {
    this.inner = ht.map.keys();
    this.ht = ht.frozen ? null : ht;
    if (this.ht) this.ht.itercount++;
    this.owner = ht;
  }
  private owner: HashTable;
  next(): IteratorResult<Value> {
    const r = this.inner.next();
    if (r.done) {
      this.release();
      return { value: undefined, done: true };
    }
    return { value: this.owner.keyOf(r.value), done: false };
  }
  return(): IteratorResult<Value> {
    this.release();
    return { value: undefined, done: true };
  }
  private release(): void {
    if (this.ht) {
      this.ht.itercount--;
      this.ht = null;
    }
  }
  [Symbol.iterator](): Iterator<Value> {
    return this;
  }
}

