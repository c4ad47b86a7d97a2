// Which part of the status (or, with specUpdate, the spec) a reconciler
// returned it should apply.
//
// A reconciler returns `self` with status edited in place, so the returned
// status also carries every field other reconcilers (or users) wrote. Applying
// all of it with server-side apply would make this reconciler a co-owner of
// those fields, and the real owner's next change would then conflict with us.
// So the applied configuration holds, recursively, only the leaves this
// reconciler changed or already owns (per managedFields); unchanged leaves of
// others are left out. Leaves it owns but no longer returns are left out too,
// which is how SSA removes them — `ownedRemoved` tells the caller that such a
// removal is due, so the write is not skipped as a no-op.
//
// Trade-off: lists and scalars are leaves (compared whole); `conditions` is
// handled by the caller (one condition per reconciler, list-map keyed by type).

import { ownValue, setKey, type KObject } from '../api/object.js';
import { deepEqual } from '../api/patch.js';

type Rec = Record<string, unknown>;
/** A fieldsV1 subtree: "f:<name>" keys, "." for the node itself. */
type FieldsV1 = Rec;

const isMap = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Our manager's fieldsV1 subtrees under f:<top> (one per managedFields entry: main resource, status subresource). */
export function ownedFields(live: KObject, manager: string, top: 'status' | 'spec'): FieldsV1[] {
  const out: FieldsV1[] = [];
  for (const m of live.metadata.managedFields ?? []) {
    if (m.manager !== manager) continue;
    const st = (m.fieldsV1 as Rec | undefined)?.[`f:${top}`];
    if (isMap(st)) out.push(st);
  }
  return out;
}

/** The finalizers our manager owns (f:metadata.f:finalizers."v:<json>" in its managedFields entries). */
export function ownedFinalizers(live: KObject, manager: string): Set<string> {
  const out = new Set<string>();
  for (const m of live.metadata.managedFields ?? []) {
    if (m.manager !== manager) continue;
    const set = ((m.fieldsV1 as Rec | undefined)?.['f:metadata'] as Rec | undefined)?.['f:finalizers'];
    if (!isMap(set)) continue;
    for (const k of Object.keys(set)) {
      if (!k.startsWith('v:')) continue;
      try {
        const v = JSON.parse(k.slice(2));
        if (typeof v === 'string') out.add(v);
      } catch {
        // Not a JSON value: not a finalizer entry.
      }
    }
  }
  return out;
}

export function ownedStatusFields(live: KObject, manager: string): FieldsV1[] {
  return ownedFields(live, manager, 'status');
}

function childOwned(owned: FieldsV1[], key: string): FieldsV1[] {
  const out: FieldsV1[] = [];
  for (const o of owned) {
    const c = o[`f:${key}`];
    if (isMap(c)) out.push(c);
  }
  return out;
}

/** The subset of `returned` to apply; undefined = nothing. `skip` names top-level keys handled elsewhere. */
export function statusToApply(returned: unknown, live: unknown, owned: FieldsV1[], skip: string[] = []): Rec | undefined {
  if (!isMap(returned)) return undefined;
  return pick(returned, isMap(live) ? live : undefined, owned, skip);
}

function pick(ret: Rec, live: Rec | undefined, owned: FieldsV1[], skip: string[]): Rec | undefined {
  let out: Rec | undefined;
  for (const k of Object.keys(ret)) {
    if (skip.includes(k)) continue;
    const v = ret[k];
    if (v === undefined) continue;
    const lv = live ? ownValue(live, k) : undefined;
    const o = childOwned(owned, k);
    let include: unknown;
    if (isMap(v) && isMap(lv) && Object.keys(v).length > 0) {
      include = pick(v, lv, o, []);
    } else if (!deepEqual(v, lv) || o.length > 0) {
      include = v;
    }
    if (include !== undefined) setKey((out ??= {}), k, include);
  }
  return out;
}

/** Does the live status hold a leaf we own that `applied` no longer contains (so applying removes it)? */
export function ownedRemoved(applied: Rec | undefined, live: unknown, owned: FieldsV1[], skip: string[] = []): boolean {
  for (const o of owned) if (removedIn(o, applied, live, skip)) return true;
  return false;
}

function removedIn(owned: FieldsV1, applied: Rec | undefined, live: unknown, skip: string[]): boolean {
  if (!isMap(live)) return false;
  for (const key of Object.keys(owned)) {
    if (!key.startsWith('f:')) continue;
    const name = key.slice(2);
    if (skip.includes(name) || !(name in live)) continue;
    const sub = owned[key];
    const a = applied?.[name];
    if (a === undefined) return true;
    const leaf = !isMap(sub) || Object.keys(sub).every((k) => k === '.');
    if (!leaf && isMap(a) && removedIn(sub as FieldsV1, a, live[name], [])) return true;
  }
  return false;
}
