// VLAN IDs (vlan.be.kuid.dev): kuid's space 0–4095 (VLANID_Min/Max; kuid
// does not set 0 and 4095 apart, an index that must avoid them says
// minID: 1, maxID: 4094) unless the index narrows it with minID/maxID.

import { idBackend, boundsWithin } from '../ids.js';

const group = 'vlan.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;

export const vlanBackend = idBackend({
  kinds: { name: 'vlan', group, index: { apiVersion, kind: 'VLANIndex' }, claim: { apiVersion, kind: 'VLANClaim' }, entry: { apiVersion, kind: 'VLANEntry' } },
  typeMax: () => 4095n,
  idBits: () => 16,
  bounds: (spec) => boundsWithin(spec, 0, 4095),
});
