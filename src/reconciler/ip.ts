// IP prefix helpers behind the host API's get_prefixlength, get_address,
// get_subnetname, is_ipv4 and is_ipv6. Semantics follow Go's net/netip as the
// original choreo uses it: "10.0.0.1/24" has address 10.0.0.1, subnet name
// "10.0.0.0-24" (first address of the masked prefix, dash, length); IPv6 is
// printed in RFC 5952 canonical form (lower case, longest zero run as ::).

export interface Prefix {
  v6: boolean;
  bytes: Uint8Array; // 4 or 16
  length: number;
}

function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  if (s.includes('%')) return undefined;
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const head = groups(s.slice(0, dbl));
    const tail = groups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = groups(s);
    if (!all || all.length !== 8) return undefined;
    words = all;
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Parses "addr/len"; throws an error naming the input when it is not a valid prefix. */
export function parsePrefix(s: string): Prefix {
  const slash = s.indexOf('/');
  if (slash < 0) throw new Error(`netip.ParsePrefix("${s}"): no '/'`);
  const addr = s.slice(0, slash);
  const lenStr = s.slice(slash + 1);
  const v6 = addr.includes(':');
  const bytes = v6 ? parseV6(addr) : parseV4(addr);
  if (!bytes) throw new Error(`netip.ParsePrefix("${s}"): ParseAddr("${addr}"): invalid IP address`);
  const max = v6 ? 128 : 32;
  if (!/^\d+$/.test(lenStr) || Number(lenStr) > max) throw new Error(`netip.ParsePrefix("${s}"): bad bits after slash: "${lenStr}"`);
  return { v6, bytes, length: Number(lenStr) };
}

export function formatAddr(v6: boolean, b: Uint8Array): string {
  if (!v6) return Array.from(b).join('.');
  // IPv4-mapped addresses keep the dotted tail, as Go's netip prints them.
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${Array.from(b.slice(12)).join('.')}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of two or more zero words becomes "::" (first one on ties).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export function maskedBytes(p: Prefix): Uint8Array {
  const out = new Uint8Array(p.bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, p.length - i * 8));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

export const getPrefixLength = (s: string): number => parsePrefix(s).length;
export const getAddress = (s: string): string => {
  const p = parsePrefix(s);
  return formatAddr(p.v6, p.bytes);
};
export const getSubnetName = (s: string): string => {
  const p = parsePrefix(s);
  return `${formatAddr(p.v6, maskedBytes(p))}-${p.length}`;
};
export const isIPv4 = (s: string): boolean => !parsePrefix(s).v6;
export const isIPv6 = (s: string): boolean => parsePrefix(s).v6;
