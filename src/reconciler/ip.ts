// IP prefix helpers behind the host API's get_prefixlength, get_address,
// get_subnetname, is_ipv4 and is_ipv6. Semantics follow Go's net/netip as the
// original choreo uses it: "10.0.0.1/24" has address 10.0.0.1, subnet name
// "10.0.0.0-24" (first address of the masked prefix, dash, length); IPv6 is
// printed in RFC 5952 canonical form. Errors use netip.ParsePrefix's wording.

import { formatAddress, networkOf, parseAddress, parsePrefix as parseNetPrefix, type Prefix } from '../net/ipaddr.js';

/** Parses "addr/len"; throws an error naming the input when it is not a valid prefix. */
export function parsePrefix(s: string): Prefix {
  const slash = s.indexOf('/');
  if (slash < 0) throw new Error(`netip.ParsePrefix("${s}"): no '/'`);
  const addr = s.slice(0, slash);
  if (!parseAddress(addr)) throw new Error(`netip.ParsePrefix("${s}"): ParseAddr("${addr}"): invalid IP address`);
  const p = parseNetPrefix(s);
  if (!p) throw new Error(`netip.ParsePrefix("${s}"): bad bits after slash: "${s.slice(slash + 1)}"`);
  return p;
}

export const getPrefixLength = (s: string): number => parsePrefix(s).len;
export const getAddress = (s: string): string => {
  const p = parsePrefix(s);
  return formatAddress(p.family, p.addr);
};
export const getSubnetName = (s: string): string => {
  const p = parsePrefix(s);
  return `${formatAddress(p.family, networkOf(p))}-${p.len}`;
};
export const isIPv4 = (s: string): boolean => parsePrefix(s).family === 'ipv4';
export const isIPv6 = (s: string): boolean => parsePrefix(s).family === 'ipv6';
