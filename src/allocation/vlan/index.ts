// VLAN IDs (vlan.be.kuid.dev): 1–4094 (0 and 4095 are reserved by 802.1Q)
// unless the index narrows it with minID/maxID.

import { idBackend, boundsWithin } from '../ids.js';

const group = 'vlan.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;

export const vlanBackend = idBackend({
  kinds: { name: 'vlan', group, index: { apiVersion, kind: 'VLANIndex' }, claim: { apiVersion, kind: 'VLANClaim' }, entry: { apiVersion, kind: 'VLANEntry' } },
  typeMax: () => 4095n,
  idBits: () => 16,
  bounds: (spec) => boundsWithin(spec, 1, 4094),
});
