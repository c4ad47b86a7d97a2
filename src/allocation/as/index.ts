// AS numbers (as.be.kuid.dev): kuid's space 0–4294967295 (ASID_Min/Max; a
// dynamic claim of an index without minID gets 0, as in kuid's tests) unless
// the index narrows it with minID/maxID (e.g. the private range
// 4200000000–4294967294).

import { idBackend, boundsWithin } from '../ids.js';

const group = 'as.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;

export const asBackend = idBackend({
  kinds: { name: 'as', group, index: { apiVersion, kind: 'ASIndex' }, claim: { apiVersion, kind: 'ASClaim' }, entry: { apiVersion, kind: 'ASEntry' } },
  typeMax: () => 4294967295n,
  idBits: () => 32,
  bounds: (spec) => boundsWithin(spec, 0, 4294967295),
});
