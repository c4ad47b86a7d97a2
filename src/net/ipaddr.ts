// IPv4 / IPv6 addresses and prefixes as bigints: parse, mask, format
// (RFC 5952 compressed IPv6). One representation for both families keeps the
// allocation prefix tree free of per-family code; bigint because IPv6 needs
// 128 bits. Parsing and printing follow Go's net/netip, which the original
// choreo and kuid use: IPv4 octets with leading zeros are rejected, and
// IPv4-mapped IPv6 addresses print with a dotted tail (::ffff:10.0.0.1).

export type Family = 'ipv4' | 'ipv6';

export const familyBits = (f: Family): number => (f === 'ipv4' ? 32 : 128);

export interface Address {
  family: Family;
  addr: bigint;
}

export interface Prefix extends Address {
  len: number;
}

export function parseAddress(s: string): Address | undefined {
  s = s.trim();
  if (s.includes(':')) {
    const addr = parseV6(s);
    return addr === undefined ? undefined : { family: 'ipv6', addr };
  }
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let a = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p[0] === '0')) return undefined;
    a = (a << 8n) | BigInt(Number(p));
  }
  return { family: 'ipv4', addr: a };
}

function parseV6(s: string): bigint | undefined {
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const groups = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groups(dbl < 0 ? s : s.slice(0, dbl));
  const tail = dbl < 0 ? [] : groups(s.slice(dbl + 2));
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const push = (gs: string[]): boolean => {
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i]!;
      if (g.includes('.') && i === gs.length - 1) {
        const v4 = parseAddress(g);
        if (!v4 || v4.family !== 'ipv4') return false;
        words.push(Number(v4.addr >> 16n), Number(v4.addr & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) words.push(parseInt(g, 16));
      else return false;
    }
    return true;
  };
  if (!push(head)) return undefined;
  const headLen = words.length;
  if (!push(tail)) return undefined;
  const tailWords = words.splice(headLen);
  const missing = 8 - words.length - tailWords.length;
  if (dbl < 0 ? missing !== 0 : missing < 1) return undefined;
  const all = [...words, ...new Array<number>(missing).fill(0), ...tailWords];
  return all.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** "10.0.0.0/24", "2001:db8::/32"; the address part is kept as written (see networkOf). */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const a = parseAddress(s.slice(0, slash));
  const lenText = s.slice(slash + 1).trim();
  if (!a || !/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > familyBits(a.family)) return undefined;
  return { ...a, len };
}

export function blockSize(family: Family, len: number): bigint {
  return 1n << BigInt(familyBits(family) - len);
}

export function networkOf(p: Prefix): bigint {
  const size = blockSize(p.family, p.len);
  return p.addr - (p.addr % size);
}

export function formatAddress(family: Family, addr: bigint): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 0xffn)).join('.');
  if (addr >> 32n === 0xffffn) return `::ffff:${formatAddress('ipv4', addr & 0xffffffffn)}`;
  const words = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn));
  // Longest run (≥ 2) of zero words becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** iputil's GetSubnetName: the first address and the length, every `:` made `-` (10.0.0.0-24, 1000---64), so it fits in an object name. */
export function subnetName(family: Family, start: bigint, len: number): string {
  return `${formatAddress(family, start)}-${len}`.replaceAll(':', '-');
}

export function formatPrefix(family: Family, addr: bigint, len: number): string {
  return `${formatAddress(family, addr)}/${len}`;
}
