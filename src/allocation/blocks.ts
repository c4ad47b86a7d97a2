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

/**
 * kuid's choice of a free block of `size` values in `set` (offsets from `base`, alignment absolute):
 * its offset, or undefined when no free block holds it. A single free value next to used ones
 * wins over the start of a large free block: a network with its ends reserved gives .1, .254, .2.
 */
export function bestFreeBlock(set: IdSet, size: bigint, base = 0n): bigint | undefined {
  let want = 0;
  while (1n << BigInt(want) < size) want++;
  const bits = 64;
  let best: { start: bigint; len: number } | undefined;
  for (let c = set.firstFree(0); c !== undefined; ) {
    const used = set.firstUsed(c);
    const end = used === undefined ? set.size - 1 : used - 1;
    for (const b of alignedBlocks(base + BigInt(c), base + BigInt(end), bits)) {
      // Too small, or no smaller than the best so far (the first of equals wins).
      if (bits - b.len < want || (best && b.len <= best.len)) continue;
      best = b;
      if (bits - b.len === want) return b.start - base;
    }
    if (used === undefined) break;
    c = set.firstFree(used);
  }
  return best && best.start - base;
}
