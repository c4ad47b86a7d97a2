// Status errors worded as kube-apiserver words them, created where the
// registry learns the fact: `widgets.example.com "w1" not found`,
// `... already exists`, `Operation cannot be fulfilled on ...`. Store errors
// (which know keys, not resources) are translated here once.

import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { StoreError } from '../../store/store.js';
import type { ResourceType } from './resources.js';

export function qualifiedResource(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

export function notFound(t: ResourceType, name: string): ApiError {
  return new ApiError('NotFound', `${qualifiedResource(t)} "${name}" not found`, { name, group: t.group, kind: t.plural });
}

export function alreadyExists(t: ResourceType, name: string): ApiError {
  return new ApiError('AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, { name, group: t.group, kind: t.plural });
}

export function conflict(t: ResourceType, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`, { name, group: t.group, kind: t.plural });
}

/**
 * kube's storage preconditions (a DELETE's DeleteOptions.preconditions; a PUT's
 * body metadata.uid): a mismatch with the stored object is 409 Conflict.
 */
export function checkPreconditions(t: ResourceType, name: string, pre: { uid?: string; resourceVersion?: string } | undefined, current: KObject): void {
  const meta = current.metadata;
  if (pre?.uid && pre.uid !== meta.uid) throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
  if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion)
    throw conflict(t, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
}

/** An update without metadata.resourceVersion where one is required; Go renders the uint64 zero as 0x0. */
export function resourceVersionRequired(t: ResourceType, name: string): ApiError {
  const body = 'Invalid value: 0x0: must be specified for an update';
  return new ApiError('Invalid', `${qualifiedResource(t)} "${name}" is invalid: metadata.resourceVersion: ${body}`, {
    name,
    group: t.group,
    kind: t.plural,
    causes: [{ reason: 'FieldValueInvalid', message: body, field: 'metadata.resourceVersion' }],
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

/** Translates a store failure on one object (name) or a list/watch (no name). */
export function fromStoreError(t: ResourceType, name: string | undefined, err: unknown): unknown {
  if (!(err instanceof StoreError)) return err;
  switch (err.code) {
    case 'NotFound':
      return notFound(t, name ?? '');
    case 'AlreadyExists':
      return alreadyExists(t, name ?? '');
    case 'Conflict':
      return conflict(t, name ?? '');
    case 'Gone':
      return new ApiError('Expired', `too old resource version: ${err.message}`);
    case 'BadRequest':
      return new ApiError('BadRequest', err.message);
    default:
      return new ApiError('ServiceUnavailable', err.message);
  }
}
