// The registry's write pipeline, as steps a verb composes (registry.ts):
// decode the body → merge by verb (mergeForUpdate, withStatusOf; apply's merge
// is apply.ts) → admit (admitSchema: prune, default, validate) → no-op check
// (unchanged) → one store write (registry.ts, which also observes it).
//
// Key idea: every step here is a function of its inputs (no registry state),
// so each can be read and tested alone and the registry is left with the
// order of the steps, retries and the store. Trade-off: admitSchema takes the
// catalog and schema compiler as arguments (CRD admission needs them).

import type { ApplyOptions, Subresource } from '../../api/client.js';
import { invalidError } from '../../api/fielderrors.js';
import { parseApiVersion, setKey, type KObject } from '../../api/object.js';
import { deepClone, deepEqual, sameFieldsExcept } from '../../api/patch.js';
import { namespaceType } from '../builtins.js';
import { crdStatus, type SchemaCompiler } from './crds.js';
import { badRequest, qualifiedResource } from './errors.js';
import { admitCrd, isCrdType } from './kinds.js';
import { nowTimestamp, validateMeta } from './meta.js';
import type { ResourceCatalog, ResourceType } from './resources.js';

/**
 * Retries of a write without a precondition that lost a race (kube-apiserver's
 * GuaranteedUpdate loops without a bound). Every store guarantees a Conflict
 * means another write is already readable, so each retry sees newer state and
 * the loop ends; the bound only guards against a store breaking that rule.
 */
export const maxRetries = 1000;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Per-request write options: the Client's plus what the HTTP layer passes through. */
export interface WriteContext {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Collected `Warning` header texts (unknown fields under Warn). */
  warnings?: string[];
  subresource?: Subresource;
  /** managedFields were computed by server-side apply; do not record an Update. */
  applied?: boolean;
  /** Manager for Update operations when fieldManager is absent (HTTP: the User-Agent name); apply ignores it. */
  defaultFieldManager?: string;
}

/** An apply's context: a write's, plus the apply options that decide conflicts. */
export type ApplyContext = WriteContext & Pick<ApplyOptions, 'force' | 'forceFrom' | 'onForced'>;

/** Checks the body is an object of this type and namespace; returns a private mutable copy. */
export function decodeBody(t: ResourceType, namespace: string, body: unknown): KObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request was not a JSON object`);
  const obj = deepClone(body) as KObject;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = t.apiVersion;
  if (obj.kind === undefined || obj.kind === '') obj.kind = t.kind;
  if (obj.kind !== t.kind || parseApiVersion(String(obj.apiVersion)).group !== t.group)
    throw badRequest(`the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match the resource ${qualifiedResource(t)} (${t.apiVersion}, ${t.kind})`);
  obj.apiVersion = t.apiVersion;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  const metaErrs = validateMeta(obj.metadata, t === namespaceType ? 'label' : 'subdomain');
  if (metaErrs.length) throw invalidError(t.kind, t.group, String(obj.metadata.name ?? ''), metaErrs);
  if (t.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns !== undefined && ns !== '' && namespace !== '' && ns !== namespace)
      throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
    obj.metadata.namespace = namespace || ns || 'default';
  } else delete obj.metadata.namespace;
  return obj;
}

/** decode for a write addressed by name: the body may omit the name, not contradict it. */
export function decodeNamed(t: ResourceType, namespace: string, name: string, body: unknown): KObject {
  const obj = decodeBody(t, namespace, body);
  if (obj.metadata.name !== undefined && obj.metadata.name !== name)
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  obj.metadata.name = name;
  return obj;
}

/** The stored form an update produces: status and main resource are separated when status is a subresource. */
export function mergeForUpdate(t: ResourceType, current: KObject, obj: KObject, sub: Subresource): KObject {
  if (sub === 'status') return withStatusOf(current, obj);
  if (t.hasStatus) {
    if (current.status === undefined) delete obj.status;
    else obj.status = current.status;
  }
  return obj;
}

/** Schema admission: prune (reporting unknown fields per fieldValidation), default, validate (CEL rules see `old` on update). */
export function admitSchema(t: ResourceType, obj: KObject, ctx: WriteContext, catalog: ResourceCatalog, compile: SchemaCompiler, old?: KObject): void {
  const s = t.schema;
  if (s) {
    const mode = ctx.fieldValidation ?? 'Ignore';
    const { pruned: unknown, errors } = s.admit(obj, { namePruned: mode !== 'Ignore', old });
    if (unknown.length) {
      if (mode === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
      if (mode === 'Warn') for (const p of unknown) ctx.warnings?.push(`unknown field "${p}"`);
    }
    if (errors.length) throw invalidError(t.kind, t.group, obj.metadata.name ?? '', errors);
  }
  if (isCrdType(t)) admitCrd(obj, catalog, compile);
}

/**
 * A status write's stored form: a private copy of `current` (admission may edit it) with `obj`'s
 * status and, when it has them, managedFields, each in its place. Neither the replaced status
 * nor current's managedFields (stored entries: frozen, never edited by admission) are copied.
 */
export function withStatusOf(current: KObject, obj: KObject): KObject {
  const src = current as unknown as Record<string, unknown>;
  const next: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    if (k === 'status') {
      if (obj.status !== undefined) next.status = obj.status;
    } else if (k === 'metadata') {
      const cm = src.metadata as Record<string, unknown>;
      const meta: Record<string, unknown> = {};
      for (const mk of Object.keys(cm)) setKey(meta, mk, mk === 'managedFields' ? (obj.metadata.managedFields ?? cm[mk]) : deepClone(cm[mk]));
      if (obj.metadata.managedFields && !('managedFields' in meta)) meta.managedFields = obj.metadata.managedFields;
      next.metadata = meta;
    } else if (src[k] !== undefined) setKey(next, k, deepClone(src[k]));
  }
  if (obj.status !== undefined && !('status' in next)) next.status = obj.status;
  return next as unknown as KObject;
}

/** The namespace an in-process caller's object lives in ("default" when a namespaced object names none). */
export function namespaceOf(t: ResourceType, obj: KObject): string {
  return t.namespaced ? obj.metadata?.namespace || 'default' : '';
}

/** Equal apart from resourceVersion and managedFields timestamps: such a write is skipped. Compares in place (no stripped copies: this runs on every write). */
export function unchanged(a: KObject, b: KObject): boolean {
  const ao = a as unknown as Record<string, unknown>;
  const bo = b as unknown as Record<string, unknown>;
  if (!sameFieldsExcept(ao, bo, 'metadata', undefined)) return false;
  const am = (a.metadata ?? {}) as Record<string, unknown>;
  const bm = (b.metadata ?? {}) as Record<string, unknown>;
  if (!sameFieldsExcept(am, bm, 'resourceVersion', 'managedFields')) return false;
  const af = a.metadata?.managedFields;
  const bf = b.metadata?.managedFields;
  if (af === bf) return true;
  if (!Array.isArray(af) || !Array.isArray(bf) || af.length !== bf.length) return false;
  for (let i = 0; i < af.length; i++) {
    const x = af[i] as Record<string, unknown> | null;
    const y = bf[i] as Record<string, unknown> | null;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return deepEqual(x, y);
    if (!sameFieldsExcept(x, y, 'time', undefined)) return false;
  }
  return true;
}

/** The finalizers a DELETE leaves on `current` (its own, plus its propagation policy's); undefined: removed at once. */
export function deletionFinalizers(t: ResourceType, current: KObject, policy: 'Background' | 'Foreground' | 'Orphan' | undefined): string[] | undefined {
  const finalizers = [...(current.metadata.finalizers ?? [])];
  if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
  if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  return finalizers.length > 0 || t === namespaceType || isCrdType(t) ? finalizers : undefined;
}

/** A copy of `current` marked as being deleted: deletionTimestamp, finalizers, and namespaces' and CRDs' terminating status. */
export function markedDeleting(t: ResourceType, current: KObject, finalizers: string[]): KObject {
  const next = deepClone(current) as KObject;
  next.metadata.deletionTimestamp ??= nowTimestamp();
  next.metadata.deletionGracePeriodSeconds = 0;
  if (finalizers.length) next.metadata.finalizers = finalizers;
  if (t === namespaceType) next.status = { ...(next.status as object), phase: 'Terminating' };
  if (isCrdType(t)) next.status = crdStatus(next, true);
  return next;
}
