// Aligned blocks: how kuid records a span of values — an IP range as its CIDR
// prefixes (netipx IPRange.Prefixes), an ID range as idxtable ids
// "<start>/<len>" — the largest aligned block that fits first. bigint, so the
// same function serves IPv6 and 64-bit ID spaces.

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
