// Rules of the built-in kinds that go beyond their schemas: what the server
// fills in on create (Namespace phase and finalizer, CRD status, Secret
// type), Secret stringData folding, immutable ConfigMaps/Secrets, and the
// CRD admission checks (defaulting, validation, schema compilation, no
// clash with a built-in resource). Kept apart from the generic write
// pipeline in registry.ts, which calls these hooks.

import { defaultCRD, validateCRD, type CustomResourceDefinition } from '../../api/crd.js';
import { crdDecodeMessage, decodeCRDError } from '../../api/crddecode.js';
import { badRequest } from './errors.js';
import { ApiError } from '../../api/errors.js';
import { forbidden, invalidError } from '../../api/fielderrors.js';
import { setKey, type KObject } from '../../api/object.js';
import { deepEqual } from '../../api/patch.js';
import { crdType, namespaceType } from '../builtins.js';
import { crdStatus, typesOfCrd, type SchemaCompiler } from './crds.js';
import type { ResourceCatalog, ResourceType } from './resources.js';

export function isCrdType(t: ResourceType): boolean {
  return t.storageKey === crdType.storageKey;
}

/** System-populated fields of built-in kinds on create. */
export function prepareCreate(t: ResourceType, obj: KObject): void {
  if (t === namespaceType) {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  } else if (isCrdType(t)) obj.status = crdStatus(obj, false);
  else if (t.storageKey === 'core/secrets') obj.type ??= 'Opaque';
  prepareWrite(t, obj);
}

/** Rules of built-in kinds applied on every write. */
export function prepareWrite(t: ResourceType, obj: KObject): void {
  if (t.storageKey !== 'core/secrets') return;
  // stringData is write-only: merged into data (base64) as kube-apiserver does.
  const sd = obj.stringData as Record<string, string> | undefined;
  if (sd && typeof sd === 'object') {
    const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(sd)) setKey(data, k, Buffer.from(String(v)).toString('base64'));
    obj.data = data;
  }
  delete obj.stringData;
}

/** ConfigMaps and Secrets marked `immutable: true` keep their data and the flag forever. */
export function checkImmutableData(t: ResourceType, current: KObject, next: KObject): void {
  if ((t.storageKey !== 'core/configmaps' && t.storageKey !== 'core/secrets') || current.immutable !== true) return;
  const errs = [];
  if (next.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of ['data', 'binaryData']) if (!deepEqual(current[f], next[f])) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  if (errs.length) throw invalidError(t.kind, t.group, current.metadata.name ?? '', errs);
}

/** Decodes (Go types of every field), defaults and validates a CRD, and checks every served version's schema compiles. */
export function admitCrd(crd: KObject, catalog: ResourceCatalog, compile: SchemaCompiler): void {
  const decodeErr = decodeCRDError(crd);
  if (decodeErr !== undefined) throw badRequest(crdDecodeMessage(decodeErr));
  crd.spec = defaultCRD(crd as CustomResourceDefinition).spec;
  const errs = validateCRD(crd as CustomResourceDefinition);
  if (errs.length) throw invalidError('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name ?? '', errs);
  try {
    typesOfCrd(crd, compile);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalidError('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name ?? '', [
      { type: 'Invalid', field: 'spec.versions', value: '', detail: err instanceof Error ? err.message : String(err) },
    ]);
  }
  const spec = crd.spec as { group: string; names: { plural: string } };
  for (const other of catalog.all())
    if (other.builtin && other.group === spec.group && other.plural === spec.names.plural)
      throw invalidError('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name ?? '', [forbidden('spec.names.plural', 'conflicts with a built-in resource')]);
}
