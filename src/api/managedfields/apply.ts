// Server-side apply and Update field ownership over metadata.managedFields,
// following sigs.k8s.io/structured-merge-diff (merge/update.go) and the
// apiserver's fieldmanager.
//
// Apply (PATCH application/apply-patch+yaml):
//   1. merge the applied configuration into the live object per merge type;
//   2. remove what this manager applied last time but no longer applies,
//      unless another manager (applier or updater) still owns it or
//      something below it;
//   3. compare live with the result; a modified/added field owned by another
//      manager is a conflict → 409 listing manager and path, unless force,
//      which moves ownership; fields removed from the object leave every set;
//      forceFrom forces only the conflicts with the managers it accepts (a
//      controller correcting drift made by users, but not by its peers), and
//      `forced` collects which fields were taken from whom;
//   4. the manager now owns exactly the fields of its applied configuration.
// Update (POST/PUT/merge or JSON patch): the manager takes every modified or
//   added field, others lose those fields; removed fields leave every set.
// Ownership is per (manager, operation, subresource); apiVersion/kind/
// metadata.name/namespace/uid/… are never owned (fieldmanager's stripMeta).
// With a status subresource, main-resource writes ignore `status` and /status
// writes only touch `status` (the strategy's reset fields).
//
// Exported API:
//   applyConfiguration(live, applied, manager, opts) → object with merged content and managedFields
//   isNoopApply(live, applied, manager, opts)        → that apply would change nothing (skip the write)
//   recordUpdate(live, next, manager, opts)          → `next` with managedFields updated
//   ownership(obj)                                   → { "manager/Operation[/sub]": [".spec.x", …] } (debugging, tests)
//   conflictsOf(err)                                 → the managers and fields of a conflict error
//   SSAOptions

import { ApiError, type StatusCause } from '../errors.js';
import type { ForcedFields } from '../client.js';
import type { KObject, ManagedFieldsEntry } from '../object.js';
import type { JSONSchemaProps } from '../schema/types.js';
import { FieldSet, fieldSetFromFieldsV1, fieldSetToFieldsV1, fieldToken, pathString, type Path } from './fieldset.js';
import { childType, typeFromSchema, type TypeNode } from './typeinfo.js';
import { compare, contains, countOwned, definedKeys, fieldsV1Of, merge, removePaths, type SameAs } from './typed.js';
import { deepEqual } from '../patch.js';

export interface SSAOptions {
  /** Root schema of the resource version; undefined → deduced types (lists atomic, maps granular). */
  schema?: JSONSchemaProps;
  /** Precomputed merge type (takes precedence over schema); cache it per CRD version. */
  type?: TypeNode;
  subresource?: '' | 'status';
  /** The resource has a status subresource, so main-resource writes do not own status. */
  statusSubresource?: boolean;
  /** Timestamp for changed entries (RFC 3339); defaults to now. */
  now?: string;
  /** Without force: the conflicts with the managers this accepts are forced, the others still fail the apply. */
  forceFrom?: (manager: string) => boolean;
  /** Appended with the fields the apply took from other managers by force, per manager entry. */
  forced?: ForcedFields[];
}


interface Managed {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource: string;
  apiVersion?: string;
  time?: string;
  set: FieldSet;
  /** The stored entry this was decoded from, reused by encode while nothing about it changes. */
  entry?: ManagedFieldsEntry;
}

const ignoredTop = new Set(['f:apiVersion', 'f:kind']);
const ignoredMeta = new Set(['f:name', 'f:namespace', 'f:uid', 'f:resourceVersion', 'f:generation', 'f:creationTimestamp', 'f:managedFields', 'f:selfLink', 'f:deletionTimestamp', 'f:deletionGracePeriodSeconds']);

type Scope = 'all' | 'nostatus' | 'status';

function scopeOf(opts: SSAOptions): Scope {
  if (opts.subresource === 'status') return 'status';
  return opts.statusSubresource ? 'nostatus' : 'all';
}

/** Whether a path (given by its first tokens) may be owned in this scope. */
function inScope(first: string, second: string | undefined, length: number, scope: Scope): boolean {
  if (ignoredTop.has(first)) return false;
  if (first === 'f:metadata' && (length === 1 || ignoredMeta.has(second!))) return false;
  if (scope === 'status') return first === 'f:status';
  if (scope === 'nostatus') return first !== 'f:status';
  return true;
}

function filterScope(set: FieldSet, scope: Scope): FieldSet {
  return set.filterByHead((a, b, n) => inScope(a, b, n, scope));
}

function decode(entries: ManagedFieldsEntry[] | undefined): Managed[] {
  const out: Managed[] = [];
  for (const e of entries ?? []) {
    if (!e || !e.manager && !e.fieldsV1) continue;
    let set: FieldSet;
    try {
      set = fieldSetFromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new ApiError('BadRequest', `invalid managedFields entry for manager ${JSON.stringify(e.manager ?? '')}: ${(err as Error).message}`);
    }
    out.push({ manager: e.manager ?? '', operation: e.operation ?? 'Update', subresource: e.subresource ?? '', apiVersion: e.apiVersion, time: e.time, set, entry: e });
  }
  return out;
}

function encode(ms: Managed[]): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const m of ms) {
    if (m.set.empty) continue;
    if (m.entry && isEncodingOf(m.entry, m)) {
      out.push(m.entry); // unchanged: share the stored (frozen) entry instead of rebuilding it
      continue;
    }
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation };
    if (m.apiVersion) e.apiVersion = m.apiVersion;
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = fieldSetToFieldsV1(m.set);
    if (m.subresource) e.subresource = m.subresource;
    out.push(e);
  }
  return out;
}

/**
 * Whether `e` is exactly what encode would build for `m` (same keys in the
 * same order, same values). Its fieldsV1 must be the set's own cached
 * encoding, which proves it is in canonical form without walking it.
 */
function isEncodingOf(e: ManagedFieldsEntry, m: Managed): boolean {
  if (!Object.isFrozen(e) || e.fieldsV1 === undefined || e.fieldsV1 !== m.set.encoded) return false;
  if (e.manager !== m.manager || e.operation !== m.operation || e.fieldsType !== 'FieldsV1') return false;
  if (e.apiVersion !== (m.apiVersion || undefined) || e.time !== (m.time || undefined) || e.subresource !== (m.subresource || undefined)) return false;
  const keys = Object.keys(e);
  let i = 0;
  if (keys[i++] !== 'manager' || keys[i++] !== 'operation') return false;
  if (m.apiVersion && keys[i++] !== 'apiVersion') return false;
  if (m.time && keys[i++] !== 'time') return false;
  if (keys[i++] !== 'fieldsType' || keys[i++] !== 'fieldsV1') return false;
  if (m.subresource && keys[i++] !== 'subresource') return false;
  return i === keys.length;
}

function sameIdentity(m: Managed, manager: string, operation: string, subresource: string): boolean {
  return m.manager === manager && m.operation === operation && m.subresource === subresource;
}

function printManager(m: Managed): string {
  const name = JSON.stringify(m.manager);
  if (m.operation === 'Update') return `${name} using ${m.apiVersion ?? ''}`;
  if (m.subresource) return `${name} with subresource ${JSON.stringify(m.subresource)}`;
  return name;
}

let clockSecond = -1;
let clockText = '';

/** The current time in RFC 3339 at second precision, formatted once per second. */
function nowRFC3339(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    clockText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return clockText;
}

function withoutManagedFields(obj: KObject | undefined): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  if (!obj.metadata || obj.metadata.managedFields === undefined) return obj;
  const { managedFields: _mf, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

/**
 * The fields an applied configuration sets, in scope: toFieldSet without the
 * paths no manager may own (apiVersion, kind, identity metadata) and, with a
 * status subresource, only status or everything but status. Built as its
 * FieldsV1 encoding (the members are listed only if an operation needs them).
 */
function appliedFieldSet(config: Record<string, unknown>, type: TypeNode, scope: Scope): FieldSet {
  const root: Record<string, unknown> = {};
  if (!(type.kind === 'deduced' || (type.kind === 'map' && !type.atomic))) return FieldSet.fromFieldsV1(root); // an atomic root owns nothing
  for (const k of definedKeys(config)) {
    const v = config[k];
    const tok = fieldToken(k);
    if (ignoredTop.has(tok) || (scope === 'status' && k !== 'status') || (scope === 'nostatus' && k === 'status')) continue;
    if (k !== 'metadata') {
      root[tok] = fieldsV1Of(v, childType(type, k));
      continue;
    }
    // Only fields below metadata can be owned, never metadata itself.
    const mt = childType(type, k);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || (mt.kind === 'map' && mt.atomic)) continue;
    let meta: Record<string, unknown> | undefined;
    for (const mk of definedKeys(v as Record<string, unknown>)) {
      const mtok = fieldToken(mk);
      if (!ignoredMeta.has(mtok)) (meta ??= {})[mtok] = fieldsV1Of((v as Record<string, unknown>)[mk], childType(mt, mk));
    }
    if (meta) root[tok] = meta;
  }
  return FieldSet.fromFieldsV1(root);
}

function scopedConfig(applied: Record<string, unknown>, scope: Scope): Record<string, unknown> {
  if (scope === 'status') return applied.status === undefined ? {} : { status: applied.status };
  if (scope === 'nostatus') {
    const { status: _s, ...rest } = applied;
    return rest;
  }
  return applied;
}

/** The set plus every prefix ending in a named field (SMD's EnsureNamedFieldsAreMembers). */
function withFieldPrefixes(set: FieldSet): FieldSet {
  return set.withFieldPrefixes();
}

const conflictCause = /^conflict with ("(?:[^"\\]|\\.)*")(?: using (\S*)| with subresource ("(?:[^"\\]|\\.)*"))?$/;

/**
 * The managers and fields of an apply conflict (409 with FieldManagerConflict
 * causes, as conflictError and kube-apiserver word them), grouped per manager
 * entry; empty for any other error. Lets a client decide whom to override.
 */
export function conflictsOf(err: unknown): ForcedFields[] {
  if (!(err instanceof ApiError) || err.reason !== 'Conflict') return [];
  const out = new Map<string, ForcedFields>();
  for (const c of err.details?.causes ?? []) {
    const m = c.reason === 'FieldManagerConflict' && c.field !== undefined ? conflictCause.exec(c.message) : null;
    if (!m) continue;
    let manager: string;
    let subresource = '';
    try {
      manager = JSON.parse(m[1]!) as string;
      if (m[3] !== undefined) subresource = JSON.parse(m[3]) as string;
    } catch {
      continue;
    }
    const operation = m[2] !== undefined ? 'Update' : 'Apply';
    const key = `${manager}\0${operation}\0${subresource}`;
    let f = out.get(key);
    if (!f) out.set(key, (f = { manager, operation, subresource, fields: [] }));
    f.fields.push(c.field!);
  }
  return [...out.values()];
}

/** A conflict error exactly as kube-apiserver words it. */
function conflictError(conflicts: { m: Managed; path: Path }[]): ApiError {
  conflicts.sort((a, b) => (a.m.manager < b.m.manager ? -1 : a.m.manager > b.m.manager ? 1 : pathString(a.path) < pathString(b.path) ? -1 : 1));
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.m)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].m)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, { m: Managed; paths: string[] }>();
    for (const c of conflicts) {
      const k = printManager(c.m);
      if (!byManager.has(k)) byManager.set(k, { m: c.m, paths: [] });
      byManager.get(k)!.paths.push(pathString(c.path));
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${k}:`);
      for (const p of byManager.get(k)!.paths) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, { causes });
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined = create).
 * Returns the new object (content merged, metadata.managedFields updated).
 * Throws ApiError Conflict (409) on ownership conflicts unless `force`.
 */
export function applyConfiguration(live: KObject | undefined, applied: KObject, manager: string, force: boolean, opts: SSAOptions = {}): KObject {
  if (!manager) throw new ApiError('BadRequest', 'PATCH of type application/apply-patch+yaml requires the fieldManager query parameter');
  if (applied.metadata?.managedFields !== undefined) throw new ApiError('BadRequest', 'metadata.managedFields must be nil');
  const type = opts.type ?? typeFromSchema(opts.schema);
  const scope = scopeOf(opts);
  const sub = opts.subresource ?? '';

  const liveBody = withoutManagedFields(live) ?? {};
  const config = scopedConfig(applied as Record<string, unknown>, scope);
  const managers = decode(live?.metadata?.managedFields);
  let me = managers.find((m) => sameIdentity(m, manager, 'Apply', sub));
  const lastSet = me?.set;
  const newSet = appliedFieldSet(config, type, scope);
  // Whether the manager still applies everything it applied last time (the
  // usual reconcile: same fields, maybe new values).
  const keepsAll = lastSet !== undefined && lastSet.isSubsetOf(newSet);

  // A create has no live values to be the same as: no map to fill.
  const same: SameAs | undefined = live ? new Map() : undefined;
  let merged = merge(liveBody, config, type, same) as Record<string, unknown>;

  // Fields this manager stopped applying go away unless another manager owns
  // them (SMD prune + addBackOwnedItems). Parent fields count as owned by
  // whoever owns something below them, so a parent left with nothing owned
  // below it is removed too. Nothing goes when the manager still applies
  // everything it applied last time, since then every prefix of the old set
  // is kept too.
  if (lastSet && !lastSet.empty && !keepsAll) {
    let keep = newSet;
    for (const m of managers) if (m !== me) keep = keep.union(m.set);
    const toRemove = withFieldPrefixes(lastSet)
      .difference(withFieldPrefixes(keep))
      .filterByHead((a, b, n) => inScope(a, b, n, scope))
      .paths()
      .sort((x, y) => x.length - y.length);
    if (toRemove.length) merged = removePaths(merged, toRemove, type) as Record<string, unknown>;
  }

  // Conflicts and ownership moves concern the other managers only: with none
  // (a create, or a sole applier) there is nothing to compare.
  if (managers.some((m) => m !== me)) {
    const cmp = compare(liveBody, merged, type, same);
    const changed = filterScope(cmp.modified.union(cmp.added), scope);
    const removed = filterScope(cmp.removed, scope);
    const conflicts: { m: Managed; path: Path }[] = [];
    const conflictSets = new Map<Managed, FieldSet>();
    for (const m of managers) {
      if (m === me || changed.empty) continue;
      const c = m.set.intersection(changed);
      if (!c.empty) {
        conflictSets.set(m, c);
        for (const p of c.paths()) conflicts.push({ m, path: p });
      }
    }
    if (conflicts.length && !force) {
      const refused = opts.forceFrom ? conflicts.filter((c) => !opts.forceFrom!(c.m.manager)) : conflicts;
      if (refused.length) throw conflictError(refused);
    }
    if (opts.forced) for (const [m, set] of conflictSets) opts.forced.push({ manager: m.manager, operation: m.operation, subresource: m.subresource, fields: set.paths().map(pathString).sort() });
    for (const m of managers) {
      if (m === me) continue;
      const c = conflictSets.get(m);
      if (c) m.set = m.set.difference(c);
      if (!removed.empty) m.set = m.set.difference(removed);
    }
  }

  const objectChanged = !(same?.get(merged) === liveBody || deepEqual(liveBody, merged));
  if (!me) {
    me = { manager, operation: 'Apply', subresource: sub, apiVersion: applied.apiVersion, time: opts.now ?? nowRFC3339(), set: newSet };
    managers.push(me);
  } else {
    const sameSet = keepsAll && me.set.size === newSet.size;
    if (objectChanged || !sameSet || me.apiVersion !== applied.apiVersion) me.time = opts.now ?? nowRFC3339();
    if (!sameSet) me.set = newSet; // an equal set keeps the decoded one, whose encoding is cached
    me.apiVersion = applied.apiVersion;
  }
  return withManagedFields(merged, encode(managers));
}

/**
 * Whether applyConfiguration(live, applied, manager, force, opts) would return
 * `live` unchanged, managedFields included: the manager already has an Apply
 * entry for exactly the fields of `applied` at the same apiVersion, every
 * value it applies is already live, and the managedFields are in the form
 * encode writes. Then the whole write can be skipped (the registry's no-op
 * apply). Cheap: nothing is merged or copied, and the walk stops at the first
 * difference; `false` only means "take the full path".
 */
export function isNoopApply(live: KObject | undefined, applied: KObject, manager: string, opts: SSAOptions = {}): boolean {
  if (!live || !manager || applied.metadata?.managedFields !== undefined) return false;
  const entries = live.metadata?.managedFields;
  if (!Array.isArray(entries)) return false;
  const scope = scopeOf(opts);
  const sub = opts.subresource ?? '';
  // A first apply by this manager (a new object's first reconcile) is never a no-op: say so before decoding anything.
  if (!entries.some((e) => e?.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === sub)) return false;
  let managers: Managed[];
  try {
    managers = decode(entries);
  } catch {
    return false;
  }
  if (managers.length !== entries.length) return false;
  let me: Managed | undefined;
  for (const m of managers) {
    if (m.set.empty || !m.entry || !isEncodingOf(m.entry, m)) return false; // encode would rewrite the entries
    if (sameIdentity(m, manager, 'Apply', sub)) me = m;
  }
  if (!me || me.apiVersion !== applied.apiVersion) return false;
  const type = opts.type ?? typeFromSchema(opts.schema);
  const config = scopedConfig(applied as Record<string, unknown>, scope);
  if (!contains(withoutManagedFields(live), config, type)) return false;
  return ownsExactly(me.entry!.fieldsV1!, me.set.size, config, type, scope);
}

/**
 * Whether appliedFieldSet(config) equals the set encoded by `fieldsV1` (of
 * `size` members), checked by looking each field up in the trie: every member
 * the config sets is there, and they are as many as the set has. (A config
 * that sets one member twice, e.g. duplicate list keys, counts it twice and
 * answers false; the caller then takes the full path.)
 */
function ownsExactly(fieldsV1: Record<string, unknown>, size: number, config: Record<string, unknown>, type: TypeNode, scope: Scope): boolean {
  if (!(type.kind === 'deduced' || (type.kind === 'map' && !type.atomic))) return size === 0;
  let count = 0;
  for (const k in config) {
    const v = config[k];
    if (v === undefined) continue;
    const tok = fieldToken(k);
    if (ignoredTop.has(tok) || (scope === 'status' && k !== 'status') || (scope === 'nostatus' && k === 'status')) continue;
    const node = fieldsV1[tok];
    if (k !== 'metadata') {
      const c = countOwned(v, childType(type, k), node);
      if (c < 0) return false;
      count += c;
      continue;
    }
    const mt = childType(type, k);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || (mt.kind === 'map' && mt.atomic)) continue;
    for (const mk in v as Record<string, unknown>) {
      const mv = (v as Record<string, unknown>)[mk];
      const mtok = fieldToken(mk);
      if (mv === undefined || ignoredMeta.has(mtok)) continue;
      const c = node === null || typeof node !== 'object' ? -1 : countOwned(mv, childType(mt, mk), (node as Record<string, unknown>)[mtok]);
      if (c < 0) return false;
      count += c;
    }
  }
  return count === size;
}

/**
 * Records an Update operation (create, PUT, merge/JSON patch) by `manager`:
 * it takes ownership of every field it changed or added; other managers lose
 * those fields. Returns `next` with metadata.managedFields set. Without a
 * manager the entries are only adjusted for removed/changed fields.
 */
export function recordUpdate(live: KObject | undefined, next: KObject, manager: string | undefined, opts: SSAOptions = {}): KObject {
  const type = opts.type ?? typeFromSchema(opts.schema);
  const scope = scopeOf(opts);
  const sub = opts.subresource ?? '';
  const liveBody = withoutManagedFields(live) ?? {};
  const nextBody = withoutManagedFields(next) as Record<string, unknown>;
  const managers = decode(live?.metadata?.managedFields);
  const cmp = compare(liveBody, nextBody, type);
  const changed = filterScope(cmp.modified.union(cmp.added), scope);
  const removed = filterScope(cmp.removed, scope);
  let me = manager ? managers.find((m) => sameIdentity(m, manager, 'Update', sub)) : undefined;
  for (const m of managers) {
    if (m === me) continue;
    m.set = m.set.difference(changed).difference(removed);
  }
  if (manager) {
    const before = me?.set ?? new FieldSet();
    const after = before.union(changed).difference(removed);
    if (!me) {
      me = { manager, operation: 'Update', subresource: sub, apiVersion: next.apiVersion, time: opts.now ?? nowRFC3339(), set: after };
      managers.push(me);
    } else if (!after.equals(before) || !changed.empty) {
      me.set = after;
      me.time = opts.now ?? nowRFC3339();
      me.apiVersion = next.apiVersion;
    }
  }
  return withManagedFields(nextBody, encode(managers));
}

function withManagedFields(body: Record<string, unknown>, entries: ManagedFieldsEntry[]): KObject {
  const meta = { ...((body.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (entries.length) meta.managedFields = entries;
  else delete meta.managedFields;
  return { ...body, metadata: meta } as unknown as KObject;
}

/** Who owns what: "manager/Operation[/subresource]" → sorted human-readable paths. */
export function ownership(obj: KObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of decode(obj.metadata?.managedFields)) {
    out[`${m.manager}/${m.operation}${m.subresource ? '/' + m.subresource : ''}`] = m.set.paths().map(pathString).sort();
  }
  return out;
}
