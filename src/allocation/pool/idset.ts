// A set of integers in [0, size) that answers "lowest free value ≥ x" in
// time independent of how many values are taken: a sparse 32-ary radix tree of
// bitmaps (a hierarchical bitmap).
//
// Each node covers 32 children. One 32-bit mask per node says which children
// are *completely full*; a child that is not full is either absent (completely
// empty — the common case for a fresh 4-billion-value AS space, so memory
// grows with what is allocated, not with the size of the space) or a node of
// its own (partly used; a second mask marks those, so "lowest used value"
// skips empty children as "lowest free" skips full ones). At the leaves a
// child is one value. Finding the lowest free value skips full children with
// one bit operation and descends
// into at most two partial children per level, so the cost is
// O(levels × 32) — 7 levels for a 32-bit space, 10 for 48 bits — whether 10
// or 10 million values are taken. Ranges are set and cleared subtree-wise:
// a child wholly inside the range becomes "full" (or "absent") in one step.
//
// Trade-off: values must be safe JavaScript integers, so the size is capped at
// 2^48 (enough for every kuid ID type except 64-bit generic IDs, and for the
// first 2^48 addresses of an IPv6 prefix).

const FANOUT = 32;
const ALL = 0xffffffff;
export const MAX_IDSET_SIZE = 2 ** 48;

interface Node {
  /** Bit i set: child i is completely full. */
  full: number;
  /** Bit i set: child i is partly used (kids[i] exists) — with `full`, the children that hold anything. */
  part: number;
  /** Child i when partly used; undefined when empty (or full, see the bit). */
  kids: Array<Node | undefined> | undefined;
}

const newNode = (full = 0): Node => ({ full: full >>> 0, part: 0, kids: undefined });

/** Sets or clears kids[i] and its `part` bit together. */
function setKid(n: Node, i: number, kid: Node | undefined): void {
  if (kid) {
    n.kids ??= new Array<Node | undefined>(FANOUT);
    n.kids[i] = kid;
    n.part = (n.part | (1 << i)) >>> 0;
  } else if (n.kids) {
    n.kids[i] = undefined;
    n.part = (n.part & ~(1 << i)) >>> 0;
  }
}
const bit = (n: Node, i: number): boolean => ((n.full >>> i) & 1) === 1;

export class IdSet {
  readonly size: number;
  private readonly height: number; // levels below the root; a leaf has height 0
  private root: Node = newNode();
  private used = 0;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_IDSET_SIZE) throw new RangeError(`IdSet size ${size} outside 1..2^48`);
    this.size = size;
    let h = 0;
    while (FANOUT ** (h + 1) < size) h++;
    this.height = h;
  }

  /** How many values are taken. */
  count(): number {
    return this.used;
  }

  has(v: number): boolean {
    if (v < 0 || v >= this.size) return false;
    let n: Node | undefined = this.root;
    for (let h = this.height; ; h--) {
      const w = FANOUT ** h;
      const i = Math.floor(v / w);
      if (bit(n, i)) return true;
      if (h === 0) return false;
      n = n.kids?.[i];
      if (!n) return false;
      v -= i * w;
    }
  }

  /** Takes v; returns false if it was already taken. */
  add(v: number): boolean {
    if (v < 0 || v >= this.size || this.has(v)) return false;
    this.setRange(v, v);
    return true;
  }

  /** Frees v; returns false if it was free. */
  delete(v: number): boolean {
    if (!this.has(v)) return false;
    this.clearRange(v, v);
    return true;
  }

  /** True when no value in [lo, hi] is taken. */
  isRangeFree(lo: number, hi: number): boolean {
    const f = this.firstUsed(lo);
    return f === undefined || f > hi;
  }

  /** Takes every value in [lo, hi] (callers check isRangeFree first when they must not overlap). */
  setRange(lo: number, hi: number): void {
    lo = Math.max(0, lo);
    hi = Math.min(this.size - 1, hi);
    if (lo > hi) return;
    this.used += hi - lo + 1 - this.countRange(lo, hi);
    this.setIn(this.root, this.height, 0, lo, hi);
  }

  /** Frees every value in [lo, hi]. */
  clearRange(lo: number, hi: number): void {
    lo = Math.max(0, lo);
    hi = Math.min(this.size - 1, hi);
    if (lo > hi) return;
    this.used -= this.countRange(lo, hi);
    this.clearIn(this.root, this.height, 0, lo, hi);
  }

  /** Lowest free value in [from, to] (to defaults to the end), or undefined. */
  firstFree(from = 0, to = this.size - 1): number | undefined {
    from = Math.max(0, from);
    to = Math.min(this.size - 1, to);
    if (from > to) return undefined;
    const r = this.freeIn(this.root, this.height, 0, from);
    return r === undefined || r > to ? undefined : r;
  }

  /** Lowest taken value ≥ from, or undefined. */
  firstUsed(from = 0): number | undefined {
    if (from >= this.size) return undefined;
    return this.usedIn(this.root, this.height, 0, Math.max(0, from));
  }

  /** Number of taken values in [lo, hi]. */
  countRange(lo: number, hi: number): number {
    let c = 0;
    for (let v = this.firstUsed(lo); v !== undefined && v <= hi; v = this.firstUsed(v + 1)) {
      const free = this.firstFree(v, hi);
      const end = free === undefined ? hi : free - 1;
      c += end - v + 1;
      if (free === undefined) break;
      v = free;
    }
    return c;
  }

  // --- tree walks -----------------------------------------------------------

  private freeIn(n: Node, h: number, base: number, from: number): number | undefined {
    const w = FANOUT ** h;
    for (let i = from > base ? Math.floor((from - base) / w) : 0; i < FANOUT; i++) {
      // Skip a run of full children with one mask operation.
      const notFull = ~n.full & (ALL << i);
      if (notFull === 0) return undefined;
      i = 31 - Math.clz32(notFull & -notFull);
      const childBase = base + i * w;
      if (h === 0) return childBase;
      const kid = n.kids?.[i];
      const lo = Math.max(from, childBase);
      if (!kid) return lo;
      const r = this.freeIn(kid, h - 1, childBase, lo);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  private usedIn(n: Node, h: number, base: number, from: number): number | undefined {
    const w = FANOUT ** h;
    for (let i = from > base ? Math.floor((from - base) / w) : 0; i < FANOUT; i++) {
      // Skip a run of empty children with one mask operation.
      const holds = (n.full | n.part) & (ALL << i);
      if (holds === 0) return undefined;
      i = 31 - Math.clz32(holds & -holds);
      const childBase = base + i * w;
      if (bit(n, i)) return Math.max(from, childBase);
      if (h === 0) continue;
      const kid = n.kids?.[i];
      if (!kid) continue;
      const r = this.usedIn(kid, h - 1, childBase, Math.max(from, childBase));
      if (r !== undefined) return r;
    }
    return undefined;
  }

  private setIn(n: Node, h: number, base: number, lo: number, hi: number): void {
    const w = FANOUT ** h;
    const first = Math.max(0, Math.floor((lo - base) / w));
    const last = Math.min(FANOUT - 1, Math.floor((hi - base) / w));
    for (let i = first; i <= last; i++) {
      if (bit(n, i)) continue;
      const cb = base + i * w;
      if (lo <= cb && cb + w - 1 <= hi) {
        n.full = (n.full | (1 << i)) >>> 0;
        setKid(n, i, undefined);
        continue;
      }
      let kid = n.kids?.[i];
      if (!kid) setKid(n, i, (kid = newNode()));
      this.setIn(kid, h - 1, cb, lo, hi);
      if (kid.full === ALL) {
        n.full = (n.full | (1 << i)) >>> 0;
        setKid(n, i, undefined);
      }
    }
  }

  private clearIn(n: Node, h: number, base: number, lo: number, hi: number): void {
    const w = FANOUT ** h;
    const first = Math.max(0, Math.floor((lo - base) / w));
    const last = Math.min(FANOUT - 1, Math.floor((hi - base) / w));
    for (let i = first; i <= last; i++) {
      const cb = base + i * w;
      const whole = lo <= cb && cb + w - 1 <= hi;
      if (whole || h === 0) {
        n.full = (n.full & ~(1 << i)) >>> 0;
        setKid(n, i, undefined);
        continue;
      }
      let kid = n.kids?.[i];
      if (bit(n, i)) {
        kid = newNode(ALL); // expand a full child before clearing part of it
        n.full = (n.full & ~(1 << i)) >>> 0;
        setKid(n, i, kid);
      }
      if (!kid) continue;
      this.clearIn(kid, h - 1, cb, lo, hi);
      if (kid.full === 0 && kid.part === 0) setKid(n, i, undefined);
    }
  }
}
