// Extended communities (extcomm.be.kuid.dev): the index `type` fixes the width
// of the local administrator field the pool hands out — 2byteAS: 32 bits,
// 4byteAS and ipv4Address: 16 bits, opaque: 48 bits — narrowed by minID/maxID.

import { fail } from '../pool/idpool.js';
import { idBackend, boundsWithin } from '../ids.js';

const group = 'extcomm.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;
const widths: Record<string, number> = { '2byteAS': 32, '4byteAS': 16, ipv4Address: 16, opaque: 48 };

export const extcommBackend = idBackend({
  kinds: { name: 'extcomm', group, index: { apiVersion, kind: 'EXTCOMMIndex' }, claim: { apiVersion, kind: 'EXTCOMMClaim' }, entry: { apiVersion, kind: 'EXTCOMMEntry' } },
  // kuid's id types: 2byteAS id32, 4byteAS and ipv4Address id16, opaque id64.
  typeMax: (spec) => (1n << BigInt(widths[String(spec.type)] ?? 0)) - 1n,
  idBits: (spec) => ({ '2byteAS': 32, '4byteAS': 16, ipv4Address: 16 })[String(spec.type)] ?? 64,
  bounds: (spec) => {
    const bits = widths[String(spec.type)];
    if (bits === undefined) return fail('InvalidIndex', `spec.type: ${JSON.stringify(spec.type)} must be one of 2byteAS, 4byteAS, ipv4Address, opaque`);
    return boundsWithin(spec, 0, 2 ** bits - 1);
  },
});
