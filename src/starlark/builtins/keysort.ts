// The stable order of sort keys of one simple kind, without a comparator:
// sorted() with or without key= when every key is an int, every key a
// string, or every key a tuple of one length whose columns are each all ints
// or all strings (and sortInts for sorted() of ints). Anything else returns
// null and sorted() uses its generic comparator (which also reports the
// errors of mixed types, as starlark-go words them).
//
// Key idea: turn the keys into integer ranks and order positions by them
// without a call into JS per comparison, equal keys keeping their input order
// (stability):
// - ints: rank = key - min; a counting sort when the range is not much above
//   n, else one native sort of 64-bit words rank:position (BigUint64Array),
//   else of doubles key * n + position when exact;
// - strings: the 5 bytes after the group's common prefix and the position
//   packed into one 64-bit word (a BigUint64Array sort); keys whose 5 bytes tie
//   are refined the same way from the next bytes, small groups by insertion
//   sort, groups of keys that end inside the 5 bytes by a comparator. Starlark
//   strings are byte strings (codes 0..255) and order by byte, as the words do;
// - tuples: each column becomes dense ranks (ints by range or by their order,
//   strings through a Map when few are distinct, else by their order), then a
//   stable radix sort by columns from the last, adjacent columns combined into
//   one rank while the product of their rank counts allows a counting sort.
// Reverse is a stable sort by the reversed comparison (equal keys keep their
// input order, as starlark-go's sort.Stable with a reversed less): the rank
// is complemented, never the position.
// Trade-off: a few typed arrays of n entries per sort, against a comparator
// call per comparison (and a tuple walk in each) for n log n comparisons.
// The step budget is unchanged: sorted() charges n log n up front either way.

import { StarTuple } from '../values/list.js';
import type { Value } from '../values/value.js';

/** Sorts of this many keys or more use the generic comparator (the string order packs 24 bits of position). */
const MAX_PACKED = 1 << 24;
/** Groups of tied keys at most this long are ordered by insertion sort. */
const SMALL_RUN = 24;
/** A string column of tuple keys with at most this many distinct values is ranked through a Map. */
const FEW_STRINGS = 4096;
/** Tuple keys longer than this use the generic comparator (which charges the budget per long comparison). */
const MAX_COLUMNS = 16;

/** The stable order (positions of keys) of simple keys, or null if the keys are not of one simple kind. */
export function keyOrder(keys: readonly Value[], reverse: boolean): Int32Array | null {
  const n = keys.length;
  if (n < 2 || n >= MAX_PACKED) return null;
  const first = keys[0];
  if (typeof first === 'number') return allOf(keys, 'number') ? intOrder(keys as number[], reverse) : null;
  if (typeof first === 'string') return allOf(keys, 'string') ? stringOrder(keys as string[], reverse) : null;
  if (first instanceof StarTuple) return tupleOrder(keys, reverse);
  return null;
}

function allOf(keys: readonly Value[], kind: 'number' | 'string'): boolean {
  for (let i = 0; i < keys.length; i++) if (typeof keys[i] !== kind) return false;
  return true;
}

/** The least and greatest of ints. */
function bounds(xs: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/**
 * Sorts ints in place (equal ints are indistinguishable: no stability to
 * keep): by counting when their range is small, else a native Float64Array sort.
 */
export function sortInts(items: number[], reverse: boolean): void {
  const n = items.length;
  const [min, max] = bounds(items);
  if (n > 1 && max - min < countingLimit(n)) {
    const count = new Int32Array(max - min + 1);
    for (let i = 0; i < n; i++) count[items[i]! - min]++;
    let k = reverse ? n - 1 : 0;
    const step = reverse ? -1 : 1;
    for (let r = 0; r < count.length; r++) for (let c = count[r]!; c > 0; c--, k += step) items[k] = r + min;
    return;
  }
  const fa = new Float64Array(n);
  for (let i = 0; i < n; i++) fa[i] = items[i]!;
  fa.sort();
  for (let i = 0; i < n; i++) items[i] = fa[reverse ? n - 1 - i : i]!;
}

/** Int keys whose range fits in 2^32 (by rankOrder) or that key * n + index is exact in a double; else null. */
function intOrder(keys: ArrayLike<number>, reverse: boolean): Int32Array | null {
  const n = keys.length;
  const [min, max] = bounds(keys);
  if (max - min < 2 ** 32) {
    const ranks = new Float64Array(n);
    for (let i = 0; i < n; i++) ranks[i] = reverse ? max - keys[i]! : keys[i]! - min;
    return rankOrder(ranks, max - min + 1);
  }
  const limit = Number.MAX_SAFE_INTEGER / (n + 1) - 1;
  if (max > limit || min < -limit) return null;
  const comp = new Float64Array(n);
  for (let i = 0; i < n; i++) comp[i] = (reverse ? -keys[i]! : keys[i]!) * n + i;
  return unpackComposite(comp, n);
}

/** Ranks below this many values are ordered by counting sort. */
function countingLimit(n: number): number {
  return 2 * n + 256;
}

/**
 * Positions stably ordered by ranks (ints in [0, size)): a counting sort when
 * size is not much above n, else one native sort of 64-bit words rank:position
 * (size ≤ 2^32) or of doubles rank * n + position (the caller keeps that exact).
 */
function rankOrder(ranks: Float64Array, size: number): Int32Array {
  const n = ranks.length;
  const order = new Int32Array(n);
  if (size <= countingLimit(n)) {
    const start = new Int32Array(size + 1);
    for (let i = 0; i < n; i++) start[ranks[i]! + 1]++;
    for (let r = 1; r <= size; r++) start[r] += start[r - 1]!;
    for (let i = 0; i < n; i++) order[start[ranks[i]!]!++] = i;
    return order;
  }
  if (size <= 2 ** 32) {
    const words = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      words[2 * i] = i; // little-endian: the low word first
      words[2 * i + 1] = ranks[i]!;
    }
    new BigUint64Array(words.buffer).sort();
    for (let i = 0; i < n; i++) order[i] = words[2 * i]!;
    return order;
  }
  const comp = new Float64Array(n);
  for (let i = 0; i < n; i++) comp[i] = ranks[i]! * n + i;
  return unpackComposite(comp, n);
}

/** Sorts composites v * n + i and returns the i in their order. */
function unpackComposite(comp: Float64Array, n: number): Int32Array {
  comp.sort();
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = comp[i]! % n;
    order[i] = r < 0 ? r + n : r;
  }
  return order;
}

/** String keys by byte order; null if there are too many or a char is not a byte. */
function stringOrder(keys: readonly string[], reverse: boolean): Int32Array | null {
  const n = keys.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return refine(keys, order, 0, n, 0, reverse) ? order : null;
}

/**
 * Orders order[lo, hi) (ascending original positions, all keys at least
 * `depth` bytes long and equal in those) by the bytes from `depth` on. False if a char
 * above 0xff was met (not a byte string: the caller falls back).
 */
function refine(keys: readonly string[], order: Int32Array, lo: number, hi: number, depth: number, reverse: boolean): boolean {
  const m = hi - lo;
  if (m <= SMALL_RUN) {
    insertionSort(keys, order, lo, hi, reverse);
    return true;
  }
  // Skip the bytes the whole group shares (all of the longest key: all keys are equal).
  const k0 = keys[order[lo]!]!;
  let common = k0.length;
  let longest = k0.length;
  for (let i = lo + 1; i < hi; i++) {
    const s = keys[order[i]!]!;
    if (s.length > longest) longest = s.length;
    const lim = Math.min(common, s.length);
    let j = depth;
    while (j < lim && s.charCodeAt(j) === k0.charCodeAt(j)) j++;
    common = j;
  }
  if (common >= longest) return true; // all equal
  // Word i: high 32 bits = bytes common..common+3, low = byte common+4 (8 bits) and position (24 bits).
  const words = new Uint32Array(2 * m);
  let wide = 0;
  for (let i = 0; i < m; i++) {
    const p = order[lo + i]!;
    const s = keys[p]!;
    const len = s.length;
    const b0 = common < len ? s.charCodeAt(common) : 0;
    const b1 = common + 1 < len ? s.charCodeAt(common + 1) : 0;
    const b2 = common + 2 < len ? s.charCodeAt(common + 2) : 0;
    const b3 = common + 3 < len ? s.charCodeAt(common + 3) : 0;
    const b4 = common + 4 < len ? s.charCodeAt(common + 4) : 0;
    wide |= b0 | b1 | b2 | b3 | b4;
    let high = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    let low = b4;
    if (reverse) {
      high = ~high >>> 0;
      low = 0xff - low;
    }
    words[2 * i] = ((low << 24) | p) >>> 0; // little-endian: the low word first
    words[2 * i + 1] = high;
  }
  if (wide > 0xff) return false;
  new BigUint64Array(words.buffer).sort();
  for (let i = 0; i < m; i++) order[lo + i] = words[2 * i]! & 0xffffff;
  // Groups that tie on the 5 bytes.
  for (let s = 0; s < m; ) {
    const high = words[2 * s + 1]!;
    const low = words[2 * s]! >>> 24;
    let e = s + 1;
    while (e < m && words[2 * e + 1] === high && words[2 * e]! >>> 24 === low) e++;
    if (e - s > 1 && !sameKeys(keys, order, lo + s, lo + e)) {
      // A key that ended inside the 5 bytes read as zeros: compare the whole keys.
      if (shortest(keys, order, lo + s, lo + e) < common + 5) comparatorSort(keys, order, lo + s, lo + e, reverse);
      else if (!refine(keys, order, lo + s, lo + e, common + 5, reverse)) return false;
    }
    s = e;
  }
  return true;
}

function sameKeys(keys: readonly string[], order: Int32Array, lo: number, hi: number): boolean {
  const k = keys[order[lo]!]!;
  for (let i = lo + 1; i < hi; i++) if (keys[order[i]!] !== k) return false;
  return true;
}

function shortest(keys: readonly string[], order: Int32Array, lo: number, hi: number): number {
  let len = Infinity;
  for (let i = lo; i < hi; i++) len = Math.min(len, keys[order[i]!]!.length);
  return len;
}

/** Stable sort of order[lo, hi) (ascending positions) by the whole keys, with a comparator. */
function comparatorSort(keys: readonly string[], order: Int32Array, lo: number, hi: number, reverse: boolean): void {
  const part = Array.from(order.subarray(lo, hi));
  part.sort(reverse ? (a, b) => (keys[a]! > keys[b]! ? -1 : keys[a]! < keys[b]! ? 1 : 0) : (a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  order.set(part, lo);
}

/** Stable insertion sort of order[lo, hi) by the whole keys. */
function insertionSort(keys: readonly string[], order: Int32Array, lo: number, hi: number, reverse: boolean): void {
  for (let i = lo + 1; i < hi; i++) {
    const x = order[i]!;
    const kx = keys[x]!;
    let j = i - 1;
    while (j >= lo && (reverse ? kx > keys[order[j]!]! : kx < keys[order[j]!]!)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
}

/** Tuple keys of one length whose columns are all ints or all strings; else null. */
function tupleOrder(keys: readonly Value[], reverse: boolean): Int32Array | null {
  const n = keys.length;
  const width = (keys[0] as StarTuple).elems.length;
  if (width === 0 || width > MAX_COLUMNS) return null;
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    if (!(k instanceof StarTuple) || k.elems.length !== width) return null;
  }
  const ranks: Float64Array[] = [];
  const sizes: number[] = [];
  for (let c = 0; c < width; c++) {
    const r = columnRanks(keys as StarTuple[], c);
    if (r === null) return null;
    ranks.push(r.ranks);
    sizes.push(r.size);
  }
  // A stable radix sort by columns from the last: adjacent columns combine
  // into one rank while the product of their rank counts stays small enough
  // for a counting sort (every single column's ranks are: at most n).
  const limit = countingLimit(n);
  let perm: Int32Array | null = null;
  let acc = ranks[width - 1]!;
  let size = sizes[width - 1]!;
  if (reverse) flip(acc, size);
  for (let c = width - 2; c >= -1; c--) {
    const next = c >= 0 ? ranks[c]! : null;
    if (next !== null) {
      if (reverse) flip(next, sizes[c]!);
      if (size * sizes[c]! <= limit) {
        for (let i = 0; i < n; i++) acc[i] = next[i]! * size + acc[i]!;
        size *= sizes[c]!;
        continue;
      }
    }
    perm = stablePass(acc, size, perm, n);
    if (next !== null) {
      acc = next;
      size = sizes[c]!;
    }
  }
  return perm;
}

function flip(ranks: Float64Array, size: number): void {
  for (let i = 0; i < ranks.length; i++) ranks[i] = size - 1 - ranks[i]!;
}

/** perm (identity if null) stably sorted by key[perm[j]] (ints in [0, size)). */
function stablePass(key: Float64Array, size: number, perm: Int32Array | null, n: number): Int32Array {
  if (perm === null) return rankOrder(key, size);
  const keyed = new Float64Array(n);
  for (let j = 0; j < n; j++) keyed[j] = key[perm[j]!]!;
  const pos = rankOrder(keyed, size);
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = perm[pos[j]!]!;
  return out;
}

/**
 * Ranks of column c (equal values equal ranks, in ascending order) and their
 * count; null unless the column is all ints or all strings. A column of ints
 * in a range no wider than n uses value - min, without sorting; a column of
 * few distinct strings numbers them through a Map and sorts only those.
 */
function columnRanks(keys: readonly StarTuple[], c: number): { ranks: Float64Array; size: number } | null {
  const first = keys[0]!.elems[c];
  if (typeof first === 'number') return intColumnRanks(keys, c);
  if (typeof first === 'string') return stringColumnRanks(keys, c);
  return null;
}

function intColumnRanks(keys: readonly StarTuple[], c: number): { ranks: Float64Array; size: number } | null {
  const n = keys.length;
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = keys[i]!.elems[c];
    if (typeof v !== 'number') return null;
    ranks[i] = v;
  }
  const [min, max] = bounds(ranks);
  if (max - min < n) {
    for (let i = 0; i < n; i++) ranks[i] = ranks[i]! - min;
    return { ranks, size: max - min + 1 };
  }
  const values = ranks.slice(); // denseRanks overwrites ranks
  const order = intOrder(values, false);
  return order === null ? null : denseRanks(values, order, ranks);
}

function stringColumnRanks(keys: readonly StarTuple[], c: number): { ranks: Float64Array; size: number } | null {
  const n = keys.length;
  const ranks = new Float64Array(n);
  const col = new Array<string>(n);
  let ids: Map<string, number> | null = new Map();
  for (let i = 0; i < n; i++) {
    const v = keys[i]!.elems[c];
    if (typeof v !== 'string') return null;
    col[i] = v;
    if (ids !== null) {
      let id = ids.get(v);
      if (id === undefined) {
        if (ids.size === FEW_STRINGS) ids = null; // many: sorted as a whole below
        else ids.set(v, (id = ids.size));
      }
      ranks[i] = id ?? 0;
    }
  }
  if (ids === null) {
    const order = stringOrder(col, false);
    return order === null ? null : denseRanks(col, order, ranks);
  }
  // Few distinct strings: sort them (distinct, so stability is moot) and renumber.
  const distinct = Array.from(ids.keys()).sort(); // code-unit order: byte order for byte strings
  const rankOfId = new Float64Array(distinct.length);
  for (let r = 0; r < distinct.length; r++) rankOfId[ids.get(distinct[r]!)!] = r;
  for (let i = 0; i < n; i++) ranks[i] = rankOfId[ranks[i]!]!;
  return { ranks, size: distinct.length };
}

function denseRanks(col: ArrayLike<Value>, order: Int32Array, ranks: Float64Array): { ranks: Float64Array; size: number } {
  let r = 0;
  ranks[order[0]!] = 0;
  for (let k = 1; k < order.length; k++) {
    if (col[order[k]!] !== col[order[k - 1]!]) r++;
    ranks[order[k]!] = r;
  }
  return { ranks, size: r + 1 };
}
