// AS numbers (as.be.kuid.dev): 4-byte AS space 1–4294967295 unless the index
// narrows it with minID/maxID (e.g. the private range 4200000000–4294967294).

import { idBackend, boundsWithin } from '../ids.js';

const group = 'as.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;

export const asBackend = idBackend({
  kinds: { name: 'as', group, index: { apiVersion, kind: 'ASIndex' }, claim: { apiVersion, kind: 'ASClaim' }, entry: { apiVersion, kind: 'ASEntry' } },
  typeMax: () => 4294967295n,
  idBits: () => 32,
  bounds: (spec) => boundsWithin(spec, 1, 4294967295),
});
