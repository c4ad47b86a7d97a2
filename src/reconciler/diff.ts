// Small structural helpers for deciding whether a write would change anything.
// A reconcile whose desired state already holds must write nothing, so these
// run on every reconcile: plain recursive loops, no allocation.

import { ownValue } from '../api/object.js';

/** JSON deep equality (objects by keys regardless of order, arrays by position). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  for (const k of ak) if (!deepEqual((a as Record<string, unknown>)[k], ownValue(b as Record<string, unknown>, k))) return false;
  return true;
}

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
