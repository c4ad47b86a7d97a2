// Small structural helpers for deciding whether a write would change anything
// (equality itself is api/patch.ts's deepEqual, the one for the whole code base).
// A reconcile whose desired state already holds must write nothing, so these
// run on every reconcile: plain recursive loops, no allocation.

import { ownValue } from '../api/object.js';
import { deepEqual } from '../api/patch.js';

/**
 * Does `live` already contain everything in `want`? Maps are compared key by
 * key (extra keys in live are fine: other managers or defaults), lists and
 * scalars must be equal (a server-side apply of `want` would then change nothing
 * that `want` mentions).
 */
export function isSubset(want: unknown, live: unknown): boolean {
  if (want === live) return true;
  if (typeof want !== 'object' || want === null || Array.isArray(want)) return deepEqual(want, live);
  if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
  for (const [k, v] of Object.entries(want)) {
    if (v === undefined) continue;
    if (!isSubset(v, ownValue(live as Record<string, unknown>, k))) return false;
  }
  return true;
}
