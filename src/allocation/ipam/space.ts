// The address space of one IP block, over IdSets whose values must stay below
// 2^48. A block of at most 2^48 addresses is one IdSet over its addresses. A
// larger block (IPv6: anything shorter than /80) is counted in units of
// 2^(hostBits-48) addresses — an IPv6 /32 in units of 2^48, so a /64 is 2^16
// units — and single addresses (loopbacks, small prefixes) live in a fine set
// over the first unit. Unit 0 is then "used" as soon as anything is taken in
// the fine set, so coarse allocations (a /64 out of a /32) and fine ones
// (1000::1/128) never overlap. What the trade-off gives up: addresses and
// sub-unit prefixes only come from the first unit of such a block.

import { IdSet, MAX_IDSET_SIZE } from '../pool/idset.js';
import { bestFreeBlock } from '../blocks.js';

const LIMIT = BigInt(MAX_IDSET_SIZE);

function log2Ceil(n: bigint): bigint {
  let b = 0n;
  while (1n << b < n) b++;
  return b;
}

export class Space {
  readonly size: bigint;
  private readonly shift: bigint;
  private readonly units: IdSet;
  /** Addresses of unit 0 when shift > 0. */
  private readonly fine?: IdSet;

  constructor(size: bigint) {
    this.size = size;
    this.shift = size > LIMIT ? log2Ceil(size) - 48n : 0n;
    const unitCount = (size + (1n << this.shift) - 1n) >> this.shift;
    this.units = new IdSet(Number(unitCount > LIMIT ? LIMIT : unitCount));
    if (this.shift > 0n) this.fine = new IdSet(Number((1n << this.shift) > LIMIT ? LIMIT : 1n << this.shift));
  }

  /** Addresses a single-address allocation can use: [0, addressable). */
  get addressable(): bigint {
    return this.fine ? BigInt(this.fine.size) : BigInt(this.units.size);
  }

  private get unit(): bigint {
    return 1n << this.shift;
  }

  /** Unit 0 holds a coarse block (not fine addresses). */
  private unitZeroBlocked(): boolean {
    return !!this.fine && this.units.has(0) && this.fine.count() === 0;
  }

  has(off: bigint): boolean {
    if (!this.fine) return off < BigInt(this.units.size) && this.units.has(Number(off));
    if (off < BigInt(this.fine.size)) return this.unitZeroBlocked() || this.fine.has(Number(off));
    return this.units.has(Number(off >> this.shift));
  }

  /** True when [off, off+size) is free and representable. */
  isFree(off: bigint, size: bigint): boolean {
    const last = off + size - 1n;
    if (!this.fine) return last < BigInt(this.units.size) && this.units.isRangeFree(Number(off), Number(last));
    if (size >= this.unit && off % this.unit === 0n) return (last >> this.shift) < BigInt(this.units.size) && this.units.isRangeFree(Number(off >> this.shift), Number(last >> this.shift));
    return last < BigInt(this.fine.size) && !this.unitZeroBlocked() && this.fine.isRangeFree(Number(off), Number(last));
  }

  /** Takes [off, off+size); callers check isFree first. */
  take(off: bigint, size: bigint): void {
    const last = off + size - 1n;
    if (!this.fine) return this.units.setRange(Number(off), Number(last));
    if (size >= this.unit && off % this.unit === 0n) return this.units.setRange(Number(off >> this.shift), Number(last >> this.shift));
    this.fine.setRange(Number(off), Number(last));
    this.units.add(0);
  }

  free(off: bigint, size: bigint): void {
    const last = off + size - 1n;
    if (!this.fine) return this.units.clearRange(Number(off), Number(last));
    if (size >= this.unit && off % this.unit === 0n) return this.units.clearRange(Number(off >> this.shift), Number(last >> this.shift));
    this.fine.clearRange(Number(off), Number(last));
    if (this.fine.count() === 0) this.units.delete(0);
  }

  /** Lowest free single address in [lo, hi]. */
  firstFreeAddress(lo: bigint, hi: bigint): bigint | undefined {
    const set = this.fine ?? this.units;
    if (this.unitZeroBlocked()) return undefined;
    const top = hi < BigInt(set.size) ? hi : BigInt(set.size - 1);
    const f = set.firstFree(Number(lo), Number(top));
    return f === undefined ? undefined : BigInt(f);
  }

  /**
   * kuid's choice of a free block of `size` addresses (nipam's GetAvailablePrefixByBitLen, i.e.
   * netipx IPSet.RemoveFreePrefix): the free space as maximal aligned blocks, the smallest one that
   * holds `size` (the first such in address order), its start. So a pool hands out .0, .1, .2, ...,
   * and a network with its ends reserved .1, .254, .2, .3, .252, ...
   */
  bestFit(size: bigint): bigint | undefined {
    if (this.fine && size >= this.unit) {
      const r = bestFreeBlock(this.units, size >> this.shift);
      return r === undefined ? undefined : r << this.shift;
    }
    if (this.unitZeroBlocked()) return undefined;
    return bestFreeBlock(this.fine ?? this.units, size);
  }

  /** First free block of `size` addresses aligned to size (or the idx-th such block). */
  freeAligned(size: bigint, idx?: number): bigint | undefined {
    if (this.fine && size >= this.unit) {
      const r = alignedIn(this.units, Number(size >> this.shift), idx);
      return r === undefined ? undefined : BigInt(r) << this.shift;
    }
    if (this.unitZeroBlocked()) return undefined;
    const set = this.fine ?? this.units;
    if (size > BigInt(set.size)) return undefined;
    const r = alignedIn(set, Number(size), idx);
    return r === undefined ? undefined : BigInt(r);
  }
}

function alignedIn(set: IdSet, size: number, idx?: number): number | undefined {
  if (idx !== undefined) {
    const off = idx * size;
    return off + size <= set.size && set.isRangeFree(off, off + size - 1) ? off : undefined;
  }
  let c = 0;
  for (;;) {
    const f = set.firstFree(c);
    if (f === undefined) return undefined;
    c = Math.ceil(f / size) * size;
    if (c + size > set.size) return undefined;
    const used = set.firstUsed(c);
    if (used === undefined || used > c + size - 1) return c;
    c = Math.ceil((used + 1) / size) * size;
  }
}
