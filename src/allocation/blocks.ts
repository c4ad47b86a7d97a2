// Aligned blocks: how kuid records a span of values — an IP range as its CIDR
// prefixes (netipx IPRange.Prefixes), an ID range as idxtable ids
// "<start>/<len>" — the largest aligned block that fits first; and how it
// picks the next free value or prefix (netipx IPSet.RemoveFreePrefix, used by
// nipam for IP prefixes and by idxtable's trees for ids): the free space as
// aligned blocks, the smallest that holds the request, the first on ties.
// bigint, so the same functions serve IPv6 and 64-bit ID spaces.

import type { IdSet } from './pool/idset.js';

/** The aligned blocks covering [from, to] in a space of `bits` bits: start and prefix length. */
export function alignedBlocks(from: bigint, to: bigint, bits: number): Array<{ start: bigint; len: number }> {
  const out: Array<{ start: bigint; len: number }> = [];
  for (let v = from; v <= to; ) {
    let size = 1n;
    let len = bits;
    while (len > 0 && v % (size * 2n) === 0n && v + size * 2n - 1n <= to) {
      size *= 2n;
      len--;
    }
    out.push({ start: v, len });
    v += size;
  }
  return out;
}

const TWO32 = 2 ** 32;

/** The largest power of two dividing v (v a safe integer; Infinity for 0), in O(1). */
function lowbit(v: number): number {
  if (v === 0) return Infinity;
  const lo = v % TWO32;
  if (lo !== 0) return (lo & -lo) >>> 0;
  const hi = Math.floor(v / TWO32);
  return ((hi & -hi) >>> 0) * TWO32;
}

/** The largest power of two not above n (n >= 1). */
function floorPow2(n: number): number {
  let p = 2 ** Math.floor(Math.log2(n));
  if (p > n) p /= 2;
  else if (p * 2 <= n) p *= 2;
  return p;
}

/**
 * kuid's choice of a free block of `size` values in `set` (offsets from `base`, alignment absolute):
 * its offset, or undefined when no free block holds it. A single free value next to used ones
 * wins over the start of a large free block: a network with its ends reserved gives .1, .254, .2.
 * Numbers, not bigint (sets hold at most 2^48 values, bases stay below 2^49): this runs per decision.
 */
export function bestFreeBlock(set: IdSet, size: bigint, base = 0n): bigint | undefined {
  const b0 = Number(base);
  const want = size <= 1n ? 1 : 2 ** Math.ceil(Math.log2(Number(size)));
  let best = -1;
  let bestSize = Infinity;
  for (let c = set.firstFree(0); c !== undefined; ) {
    const used = set.firstUsed(c);
    const end = b0 + (used === undefined ? set.size - 1 : used - 1);
    // The run's aligned blocks, in address order: the smallest that holds `want` wins, the first of equals.
    for (let v = b0 + c; v <= end; ) {
      const blk = Math.min(lowbit(v), floorPow2(end - v + 1));
      if (blk >= want && blk < bestSize) {
        best = v;
        bestSize = blk;
        if (blk === want) return BigInt(best) - base;
      }
      v += blk;
    }
    if (used === undefined) break;
    c = set.firstFree(used);
  }
  return best < 0 ? undefined : BigInt(best) - base;
}
