// Insertion-ordered hash table behind dict and set.
//
// Key idea: every key is reduced to a canonical JS value compared with `===`:
// strings, ints (number or bigint), bools and None are their own canonical
// form, so `d["name"]` needs no hashing of ours and no allocation. A float key
// canonicalises to the equal number/bigint (1.0 and 1 are the same key; NaN to
// a NAN_KEY symbol) and its original value is remembered in `floatKeys`. Any
// other hashable key (tuple, bytes, function, ...) is interned through
// `buckets` (hash → CompositeKey[]) and the CompositeKey object is the
// canonical key.
//
// Storage has two modes. Small tables (the typical Kubernetes object has a
// handful of fields) keep canonical keys and values interleaved in one array
// `kv` and search it linearly: creating one costs a single array, which made
// building nested objects several times cheaper than a Map. Past SMALL_MAX
// entries the table moves to a JS Map (O(1) lookups; iteration order is
// insertion order and delete is O(1)). Both keep Starlark's ordering.
// The Map, float keys and composite-key buckets live in one side object
// (TableExt), created on first need: most tables are small ones of string
// keys that never use them, and each field costs every dict 8 bytes.
//
// Mutation rules follow starlark-go: "cannot insert into frozen hash table",
// and "... during iteration" while an iterator is active (itercount > 0).

import { StarFloat } from './float.js';
import { equal } from './compare.js';
import { StarlarkError, type Value } from './value.js';
import { alloc, work, ENTRY, TABLE } from './meter.js';
import { isAscii } from './utf8.js';

/** Sets a key of converted data as an own property: `out["__proto__"] = v` would replace out's prototype. */
export function setDataKey(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/** Interned handle for a key that has no primitive canonical form. */
class CompositeKey {
  constructor(
    readonly k: Value,
    readonly h: number,
  ) {}
}

/**
 * The fields few tables need, kept out of HashTable so that every dict and
 * set is 16 bytes smaller (most are small tables of string keys that live on:
 * the collector copies each byte of them).
 */
class TableExt {
  map: Map<unknown, Value> | null = null;
  floatKeys: Map<unknown, StarFloat> | null = null;
  buckets: Map<number, CompositeKey[]> | null = null;
}

const MISSING = Symbol('missing');
/** Canonical key of a NaN float (NaN !== NaN, but all NaN keys are one key, as in starlark-go). */
const NAN_KEY = Symbol('nan');
/**
 * The storage of every empty small table: shared, never written (an insert
 * makes a new array, see withEntry; removals and overwrites touch only
 * entries found), so `{}` costs no array of its own.
 */
const EMPTY_KV: unknown[] = [];
/** Largest entry count kept in the linear-search array. */
export const SMALL_MAX = 8;

export class HashTable {
  /** Small mode: [canonKey0, value0, canonKey1, value1, ...]; null in Map mode. */
  private kv: unknown[] | null;
  /** The rarely used parts (Map mode, float and composite keys), null until one is needed. */
  private ext: TableExt | null = null;
  frozen = false;
  itercount = 0;

  /**
   * `kv`: the entries of a small table as its own storage, [k0, v0, k1, v1, ...],
   * at most SMALL_MAX distinct string keys (a dict display with constant keys).
   */
  /** `charged`: false when the caller already charged the table (a display charged before its entries). */
  constructor(kv?: unknown[], charged = true) {
    this.kv = kv ?? EMPTY_KV;
    if (charged) alloc(TABLE); // every dict and set: small ones are bounded by the step budget only in number, not in size
  }

  /** Map mode: canonical key → value; null in small mode. */
  private get map(): Map<unknown, Value> | null {
    return this.ext === null ? null : this.ext.map;
  }
  private get floatKeys(): Map<unknown, StarFloat> | null {
    return this.ext === null ? null : this.ext.floatKeys;
  }
  private get buckets(): Map<number, CompositeKey[]> | null {
    return this.ext === null ? null : this.ext.buckets;
  }
  private extend(): TableExt {
    return (this.ext ??= new TableExt());
  }

  get size(): number {
    return this.kv !== null ? this.kv.length >> 1 : this.map!.size;
  }

  // --- canonical keys --------------------------------------------------------

  /** Canonical key for lookups, or MISSING if a composite key was never inserted. Throws if unhashable. */
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
      if (this.indexOf(c) < 0) (this.extend().floatKeys ??= new Map()).set(c, k);
      return c;
    }
    const h = k.hash();
    const buckets = (this.extend().buckets ??= new Map());
    let b = buckets.get(h);
    if (b === undefined) buckets.set(h, (b = []));
    for (const ck of b) if (equal(ck.k, k)) return ck;
    const ck = new CompositeKey(k, h);
    b.push(ck);
    return ck;
  }

  /** The Starlark key stored for a canonical key. */
  keyOf(c: unknown): Value {
    if (typeof c === 'object' && c !== null) return (c as CompositeKey).k;
    if (this.floatKeys !== null) {
      const f = this.floatKeys.get(c);
      if (f !== undefined) return f;
    }
    return c as Value;
  }

  // --- raw storage -----------------------------------------------------------

  /** Small mode: position of canonical key c in kv (even index), or -1. Map mode: 0 if present, else -1. */
  private indexOf(c: unknown): number {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === c) return i;
      return -1;
    }
    return this.map!.has(c) ? 0 : -1;
  }

  private getCanon(c: unknown): Value | undefined {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === c) return kv[i + 1] as Value;
      return undefined;
    }
    return this.map!.get(c);
  }

  private setCanon(c: unknown, v: Value): void {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) {
        if (kv[i] === c) {
          kv[i + 1] = v;
          return;
        }
      }
      if (kv.length < SMALL_MAX * 2) {
        this.kv = withEntry(kv, c, v);
        return;
      }
      this.toMap();
    }
    // Large tables are charged per entry (small ones are bounded by the step budget).
    const m = this.map!;
    const n = m.size;
    m.set(c, v);
    if (m.size > n) charge();
  }

  private toMap(): void {
    const kv = this.kv!;
    const m = new Map<unknown, Value>();
    for (let i = 0; i < kv.length; i += 2) m.set(kv[i], kv[i + 1] as Value);
    this.extend().map = m;
    this.kv = null;
    alloc(ENTRY * m.size);
  }

  /** Canonical keys in order (a snapshot). */
  private canonKeys(): unknown[] {
    const kv = this.kv;
    if (kv !== null) {
      const out = new Array<unknown>(kv.length >> 1);
      for (let i = 0; i < kv.length; i += 2) out[i >> 1] = kv[i];
      return out;
    }
    return Array.from(this.map!.keys());
  }

  // --- public operations -----------------------------------------------------

  get(k: Value): Value | undefined {
    if (typeof k === 'string') return this.getCanon(k);
    const c = this.canon(k);
    return c === MISSING ? undefined : this.getCanon(c);
  }

  /**
   * Fast path for keys that are their own canonical form: strings and ints
   * held as JS numbers (a float key is a StarFloat, and an equal float key
   * already stored is found under the same number).
   */
  getStr(k: string | number): Value | undefined {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === k) return kv[i + 1] as Value;
      return undefined;
    }
    return this.map!.get(k);
  }

  has(k: Value): boolean {
    if (typeof k === 'string') return this.indexOf(k) >= 0;
    const c = this.canon(k);
    return c !== MISSING && this.indexOf(c) >= 0;
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
    this.setCanon(typeof k === 'string' ? k : this.canonInsert(k), v);
  }

  /** set() for a string or JS-number int key (see getStr). */
  setStr(k: string | number, v: Value): void {
    if (this.frozen || this.itercount > 0) this.checkInsert();
    this.setCanon(k, v);
  }

  /**
   * Inserts k → v unless k is present; returns false (and changes nothing)
   * if it was. One lookup instead of get + set, for dict literals, which
   * must reject duplicate keys.
   */
  setNew(k: Value, v: Value): boolean {
    if (this.frozen || this.itercount > 0) this.checkInsert();
    const c = typeof k === 'string' ? k : this.canonInsert(k);
    const before = this.size;
    if (this.kv !== null) {
      const kv = this.kv;
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === c) return false;
      if (kv.length < SMALL_MAX * 2) {
        this.kv = withEntry(kv, c, v);
        return true;
      }
      this.toMap();
    }
    const m = this.map!;
    if (m.has(c)) return false;
    m.set(c, v);
    charge();
    return this.size > before;
  }

  /**
   * Appends an entry whose string key is known to be absent (e.g. the keys of
   * a parsed JSON object), skipping the lookup. Only for freshly built tables.
   */
  appendNewStr(k: string, v: Value): void {
    const kv = this.kv;
    if (kv !== null && kv.length < SMALL_MAX * 2) this.kv = withEntry(kv, k, v);
    else {
      if (kv !== null) this.toMap();
      this.map!.set(k, v);
      charge();
    }
  }

  /** Removes k; returns its value or undefined if absent. */
  delete(k: Value): Value | undefined {
    if (this.frozen || this.itercount > 0) this.checkDelete();
    const c = typeof k === 'string' ? k : this.canon(k);
    if (c === MISSING) return undefined;
    const v = this.getCanon(c);
    if (v === undefined) return undefined;
    this.removeCanon(c);
    return v;
  }

  /** Removes and returns the first (oldest) entry, or undefined if empty. */
  popFirst(): [Value, Value] | undefined {
    if (this.size === 0) return undefined;
    this.checkDelete();
    let c: unknown;
    let v: Value;
    if (this.kv !== null) {
      c = this.kv[0];
      v = this.kv[1] as Value;
    } else {
      c = this.map!.keys().next().value;
      v = this.map!.get(c)!;
    }
    const k = this.keyOf(c);
    this.removeCanon(c);
    return [k, v];
  }

  private removeCanon(c: unknown): void {
    const kv = this.kv;
    if (kv !== null) {
      const i = this.indexOf(c);
      if (i >= 0) kv.splice(i, 2);
    } else this.map!.delete(c);
    if (typeof c === 'object' && c !== null) {
      const ck = c as CompositeKey;
      const b = this.buckets!.get(ck.h)!;
      b.splice(b.indexOf(ck), 1);
      if (b.length === 0) this.buckets!.delete(ck.h);
    } else if (this.floatKeys !== null) {
      this.floatKeys.delete(c);
    }
  }

  clear(): void {
    if (this.frozen) throw new StarlarkError('cannot clear frozen hash table');
    if (this.itercount > 0) throw new StarlarkError('cannot clear hash table during iteration');
    this.kv = EMPTY_KV;
    this.ext = null;
  }

  /** Keys in insertion order, as a fresh array (safe against later mutation). */
  keys(): Value[] {
    const cs = this.canonKeys();
    if (this.floatKeys !== null || this.buckets !== null) for (let i = 0; i < cs.length; i++) cs[i] = this.keyOf(cs[i]);
    return cs as Value[];
  }

  /** Small mode with only keys that are their own Starlark value: the live [k0, v0, ...] storage; else null. */
  plainSmallKV(): readonly Value[] | null {
    return this.kv !== null && this.floatKeys === null && this.buckets === null ? (this.kv as Value[]) : null;
  }

  /** [k0, v0, k1, v1, ...] in order, as a fresh array. */
  flatEntries(): Value[] {
    const kv = this.kv;
    if (kv !== null && this.floatKeys === null && this.buckets === null) return kv.slice() as Value[];
    const out = new Array<Value>(this.size * 2);
    let i = 0;
    this.forEach((k, v) => {
      out[i++] = k;
      out[i++] = v;
    });
    return out;
  }

  values(): Value[] {
    const kv = this.kv;
    if (kv !== null) {
      const out = new Array<Value>(kv.length >> 1);
      for (let i = 1; i < kv.length; i += 2) out[i >> 1] = kv[i] as Value;
      return out;
    }
    return Array.from(this.map!.values());
  }

  /**
   * Calls fn(key, value) for each entry in order. fn must not mutate the
   * table; `canonKey` is the canonical key (a string for string keys).
   */
  forEach(fn: (key: Value, value: Value, canonKey: unknown) => void): void {
    const kv = this.kv;
    const plain = this.floatKeys === null && this.buckets === null;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) {
        const c = kv[i];
        fn(plain ? (c as Value) : this.keyOf(c), kv[i + 1] as Value, c);
      }
    } else {
      for (const [c, v] of this.map!) fn(plain ? (c as Value) : this.keyOf(c), v, c);
    }
  }

  /**
   * The entries as a plain object, values mapped by `convert`; undefined when
   * a key is not a string. No closure or iterator per table: the conversion of
   * every dict a reconcile returns goes through here.
   */
  toObject(convert: (v: Value) => unknown): Record<string, unknown> | undefined {
    if (this.floatKeys !== null || this.buckets !== null) return undefined;
    const out: Record<string, unknown> = {};
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) {
        const k = kv[i];
        if (typeof k !== 'string' || !isAscii(k)) return undefined; // a non-ASCII key is decoded by the caller's slow path
        if (k === '__proto__') setDataKey(out, k, convert(kv[i + 1] as Value));
        else out[k] = convert(kv[i + 1] as Value);
      }
      return out;
    }
    for (const [k, v] of this.map!) {
      if (typeof k !== 'string' || !isAscii(k)) return undefined;
      setDataKey(out, k, convert(v));
    }
    return out;
  }

  /** Iterates keys while holding the iteration lock (released on exhaustion or return()). */
  iterateKeys(): Iterator<Value> {
    return new KeyIterator(this, this.canonKeysLive());
  }

  /** The live sequence of canonical keys for an iterator (no mutation can happen while it is locked). */
  private canonKeysLive(): { kv: unknown[] | null; it: Iterator<unknown> | null } {
    return this.kv !== null ? { kv: this.kv, it: null } : { kv: null, it: this.map!.keys() };
  }

  freezeAll(): void {
    if (this.frozen) return;
    this.frozen = true;
    this.forEach((k, v) => {
      if (k !== null && typeof k === 'object') k.freeze();
      if (v !== null && typeof v === 'object') v.freeze();
    });
  }

  /** Adds every entry of other (used by dict | dict, set.union, ...). */
  addAll(other: HashTable): void {
    // Copying a small table of plain keys into an empty one (dict(d), {}.update(d)):
    // its storage, sized exactly (a table grown by inserts has a large slack).
    const src = other.plainSmallKV();
    if (src !== null && this.kv !== null && this.kv.length === 0 && !this.frozen && this.itercount === 0 && this.floatKeys === null && this.buckets === null) {
      this.kv = src.slice();
      return;
    }
    other.forEach((k, v) => this.set(k, v));
  }
}

/**
 * kv with one more entry, in a new array of exactly that size. push() would
 * leave up to 16 empty slots in a small table's array, and most small tables
 * live on (the objects a reconcile builds): copying at most 14 slots per
 * insert is cheaper than the collector copying the slack.
 */
function withEntry(kv: unknown[], c: unknown, v: Value): unknown[] {
  const n = kv.length;
  const out = new Array<unknown>(n + 2);
  for (let i = 0; i < n; i++) out[i] = kv[i];
  out[n] = c;
  out[n + 1] = v;
  return out;
}

/** An entry added to a large table: its memory, and the work of a Map insert with its share of rehashing (measured ~0.5 µs: 8 steps). */
function charge(): void {
  alloc(ENTRY);
  work(32);
}

function floatCanon(f: number): unknown {
  if (Number.isNaN(f)) return NAN_KEY;
  if (Number.isInteger(f) && !Number.isSafeInteger(f)) return BigInt(f);
  return f + 0; // -0.0 and 0.0 are the same key
}

class KeyIterator implements Iterator<Value> {
  private i = 0;
  private ht: HashTable | null;
  private readonly kv: unknown[] | null;
  private readonly it: Iterator<unknown> | null;
  constructor(
    private readonly owner: HashTable,
    src: { kv: unknown[] | null; it: Iterator<unknown> | null },
  ) {
    this.kv = src.kv;
    this.it = src.it;
    this.ht = owner.frozen ? null : owner;
    if (this.ht) this.ht.itercount++;
  }
  next(): IteratorResult<Value> {
    let c: unknown;
    if (this.kv !== null) {
      if (this.i >= this.kv.length) return this.done();
      c = this.kv[this.i];
      this.i += 2;
    } else {
      const r = this.it!.next();
      if (r.done) return this.done();
      c = r.value;
    }
    return { value: this.owner.keyOf(c), done: false };
  }
  return(): IteratorResult<Value> {
    return this.done();
  }
  private done(): IteratorResult<Value> {
    if (this.ht) {
      this.ht.itercount--;
      this.ht = null;
    }
    return { value: undefined, done: true };
  }
  [Symbol.iterator](): Iterator<Value> {
    return this;
  }
}
