// Generic IDs (genid.be.kuid.dev): the index's `type` (16bit, 32bit, 48bit,
// 64bit; default 32bit) gives the space 0–2^bits-1, narrowed by minID/maxID.
// A 64-bit index is served over its first 2^48 values (the pool's limit: IDs
// must stay exact JavaScript numbers); minID/maxID beyond that are refused.

import { fail } from '../pool/idpool.js';
import { idBackend, boundsWithin } from '../ids.js';

const group = 'genid.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;
const widths: Record<string, number> = { '16bit': 16, '32bit': 32, '48bit': 48, '64bit': 48 };

export const genidBackend = idBackend({
  kinds: { name: 'genid', group, index: { apiVersion, kind: 'GENIDIndex' }, claim: { apiVersion, kind: 'GENIDClaim' }, entry: { apiVersion, kind: 'GENIDEntry' } },
  // kuid's id types: id16, id32, id64 (48bit and 64bit).
  typeMax: (spec) => (1n << BigInt(({ '16bit': 16, '32bit': 32, '48bit': 48, '64bit': 64 } as Record<string, number>)[String(spec.type || '32bit')] ?? 32)) - 1n,
  idBits: (spec) => ({ '16bit': 16, '32bit': 32 })[String(spec.type || '32bit')] ?? 64,
  bounds: (spec) => {
    const type = typeof spec.type === 'string' && spec.type !== '' ? spec.type : '32bit';
    const bits = widths[type];
    if (bits === undefined) return fail('InvalidIndex', `spec.type: ${JSON.stringify(type)} must be one of 16bit, 32bit, 48bit, 64bit`);
    return boundsWithin(spec, 0, 2 ** bits - 1);
  },
});
