// IP helpers behind the host API's get_prefixlength, get_address,
// get_subnetname, is_ipv4 and is_ipv6, with the semantics of henderiw/iputil
// (iputil.New) as the original choreo calls it: the argument is a prefix
// ("10.0.0.1/24", netip.ParsePrefix) or a bare address ("10.0.0.1", taken as
// /32 or /128, an IPv6 zone dropped). The subnet name is the first address of
// the masked prefix, dash, length, with every ':' replaced by '-' so that it
// is a valid object name: "10.0.0.0-24", "1000---64". IPv6 prints in RFC 5952
// form as Go's netip does. Errors use netip's wording.

import { formatAddress, networkOf, parseAddress, familyBits, subnetName, type Prefix } from '../net/ipaddr.js';

function parseAddr(s: string, quoted = s): { family: Prefix['family']; addr: bigint } {
  // netip does not trim; our parseAddress does, so whitespace is refused here.
  const a = /\s/.test(s) ? undefined : parseAddress(s);
  if (!a) throw new Error(`ParseAddr(${JSON.stringify(quoted)}): unable to parse IP`);
  return a;
}

/** iputil.New: "addr/len" or a bare address; throws netip's error naming the input. */
export function parseIPOrPrefix(s: string): Prefix {
  const slash = s.lastIndexOf('/');
  if (slash < 0) {
    const zone = s.indexOf('%');
    // A zone is allowed on a bare IPv6 address and dropped (netip.PrefixFrom).
    const a = parseAddr(zone > 0 && s.includes(':') ? s.slice(0, zone) : s, s);
    return { ...a, len: familyBits(a.family) };
  }
  const where = `netip.ParsePrefix(${JSON.stringify(s)})`;
  const addrText = s.slice(0, slash);
  if (addrText.includes('%')) throw new Error(`${where}: IPv6 zones cannot be present in a prefix`);
  let a;
  try {
    a = parseAddr(addrText);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bits)) throw new Error(`${where}: bad bits after slash: ${JSON.stringify(bits)}`);
  const len = Number(bits);
  if (len > familyBits(a.family)) throw new Error(`${where}: prefix length out of range`);
  return { ...a, len };
}

export const getPrefixLength = (s: string): number => parseIPOrPrefix(s).len;
export const getAddress = (s: string): string => {
  const p = parseIPOrPrefix(s);
  return formatAddress(p.family, p.addr);
};
export const getSubnetName = (s: string): string => {
  const p = parseIPOrPrefix(s);
  return subnetName(p.family, networkOf(p), p.len);
};
export const isIPv4 = (s: string): boolean => parseIPOrPrefix(s).family === 'ipv4';
export const isIPv6 = (s: string): boolean => parseIPOrPrefix(s).family === 'ipv6';
