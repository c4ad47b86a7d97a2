// CustomResourceDefinition (apiextensions.k8s.io/v1): types, defaulting,
// validation, and the lookups the server needs (storage version, served
// versions, compiled schema per version).
//
// Validation returns FieldErrors with the CRD's own field paths
// (`spec.names.plural: Invalid value: ...`) so the server answers a 422 like
// kube-apiserver; the schema of each version must be structural
// (schema/structural.ts).
//
// Exported API:
//   CustomResourceDefinition and sub-types
//   defaultCRD(crd)                → new CRD with listKind/singular/served defaults filled in
//   validateCRD(crd)               → FieldError[]
//   validateCRDUpdate(next, old)   → FieldError[] (adds immutability of scope/group, storedVersions kept)
//   crdStorageVersion(crd)         → version name
//   crdVersion(crd, name)          → the version entry (or undefined)
//   crdResourceInfo(crd)           → ResourceInfo (client.ts)
//   compiledCRDSchema(crd, version)→ CompiledSchema (cached per CRD object)
//   buildCRD(opts)                 → a one-version CRD from group/kind/plural/schema (built-ins, tests, benches)
//   conditionsSchema               → status.conditions as kubebuilder generates it (metav1.Condition, map keyed by type)

import type { KObject } from './object.js';
import type { ResourceInfo } from './client.js';
import { type FieldError, required, invalid, notSupported, duplicate } from './fielderrors.js';
import { type JSONSchemaProps, type CompiledSchema, compileSchema, structuralErrors } from './schema/index.js';
import { deepEqual } from './patch.js';
import { validateSelectableFields } from './selectablefields.js';
import { validateScalePaths } from './crdscale.js';

export interface CustomResourceColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: { jsonPath: string }[];
}

export interface CustomResourceDefinitionNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CustomResourceDefinitionSpec {
  group: string;
  names: CustomResourceDefinitionNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CustomResourceDefinitionVersion[];
  conversion?: { strategy: 'None' | 'Webhook'; webhook?: unknown };
  preserveUnknownFields?: boolean;
}

export interface CustomResourceDefinition extends KObject {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  spec: CustomResourceDefinitionSpec;
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    acceptedNames?: CustomResourceDefinitionNames;
    storedVersions?: string[];
  };
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kindRe = /^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
const dns1123Msg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

/** Fills in what kube-apiserver defaults: names.singular, names.listKind, conversion strategy. */
export function defaultCRD(crd: CustomResourceDefinition): CustomResourceDefinition {
  const names = crd.spec?.names ?? ({} as CustomResourceDefinitionNames);
  return {
    ...crd,
    spec: {
      ...crd.spec,
      names: {
        ...names,
        singular: names.singular || (names.kind ?? '').toLowerCase(),
        listKind: names.listKind || (names.kind ? `${names.kind}List` : undefined),
      },
      conversion: crd.spec?.conversion ?? { strategy: 'None' },
    },
  };
}

/** All problems with a CRD, as a 422 would list them. */
export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec;
  if (!spec) return [required('spec')];
  const group = spec.group ?? '';
  const names = spec.names ?? ({} as CustomResourceDefinitionNames);

  if (crd.metadata?.name !== `${names.plural}.${group}`) errs.push(invalid('metadata.name', crd.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group'));

  if (!group) errs.push(required('spec.group'));
  else if (!dns1123Subdomain.test(group) || group.length > 253) errs.push(invalid('spec.group', group, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  else if (!group.includes('.')) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));

  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    if (!spec.scope) errs.push(required('spec.scope'));
    else errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  }

  const checkLabel = (path: string, v: string | undefined, req: boolean) => {
    if (!v) {
      if (req) errs.push(required(path));
    } else if (!dns1123Label.test(v) || v.length > 63) errs.push(invalid(path, v, dns1123Msg));
  };
  checkLabel('spec.names.plural', names.plural, true);
  checkLabel('spec.names.singular', names.singular, false);
  const checkKind = (path: string, v: string | undefined) => {
    if (!v) errs.push(required(path));
    else if (!kindRe.test(v)) errs.push(invalid(path, v, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  };
  checkKind('spec.names.kind', names.kind);
  if (names.listKind !== undefined) {
    checkKind('spec.names.listKind', names.listKind);
    if (names.listKind === names.kind) errs.push(invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same or parsing become ambiguous'));
  }
  (names.shortNames ?? []).forEach((s, i) => checkLabel(`spec.names.shortNames[${i}]`, s, true));
  (names.categories ?? []).forEach((s, i) => checkLabel(`spec.names.categories[${i}]`, s, true));

  const versions = spec.versions ?? [];
  if (versions.length === 0) errs.push(invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else {
    const storage = versions.filter((v) => v.storage).length;
    if (storage !== 1) errs.push(invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
    if (!versions.some((v) => v.served)) errs.push(invalid('spec.versions', versions.map((v) => v.name), 'must have at least one version marked as served'));
  }
  // kube-apiserver validates its internal form, where a schema (or subresources) that every
  // version shares moves to spec.validation (spec.subresources): its errors are reported there.
  const shared = (f: (v: CustomResourceDefinitionVersion) => unknown) => versions.length > 0 && versions.every((v) => deepEqual(f(v), f(versions[0])));
  const sharedSchema = shared((v) => v.schema) && versions[0].schema?.openAPIV3Schema !== undefined;
  const sharedSubresources = shared((v) => v.subresources);
  const anyStatus = versions.some((v) => v.subresources?.status !== undefined);
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) errs.push(required(`${p}.name`));
    else if (!dns1035Label.test(v.name) || v.name.length > 63) errs.push(invalid(`${p}.name`, v.name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"));
    else if (seen.has(v.name)) errs.push(duplicate(`${p}.name`, v.name));
    seen.add(v.name);
    if (!sharedSchema) {
      const statusEnabled = sharedSubresources ? anyStatus : v.subresources?.status !== undefined;
      errs.push(...structuralErrors(v.schema?.openAPIV3Schema, `${p}.schema.openAPIV3Schema`, { statusEnabled }));
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) errs.push(required(`${cp}.name`));
      if (!c.jsonPath) errs.push(required(`${cp}.jsonPath`));
      if (!['integer', 'number', 'string', 'boolean', 'date'].includes(c.type)) errs.push(notSupported(`${cp}.type`, c.type, ['integer', 'number', 'string', 'boolean', 'date']));
    });
  });
  if (sharedSchema) errs.push(...structuralErrors(versions[0].schema!.openAPIV3Schema, 'spec.validation.openAPIV3Schema', { statusEnabled: anyStatus }));
  // selectableFields shared by every version are validated as spec.selectableFields (the internal form).
  const sharedSelectable = shared((v) => v.selectableFields) && (versions[0].selectableFields?.length ?? 0) > 0;
  versions.forEach((v, i) => {
    if (!sharedSubresources) errs.push(...validateScalePaths(v.subresources?.scale, `spec.versions[${i}].subresources.scale`));
    if (v.selectableFields?.length && !sharedSelectable) errs.push(...validateSelectableFields(v.selectableFields, v.schema?.openAPIV3Schema, `spec.versions[${i}].selectableFields`));
  });
  if (sharedSubresources) errs.push(...validateScalePaths(versions[0]?.subresources?.scale, 'spec.subresources.scale'));
  if (sharedSelectable) errs.push(...validateSelectableFields(versions[0].selectableFields!, versions[0].schema?.openAPIV3Schema, 'spec.selectableFields'));
  return errs;
}

/**
 * validateCRD plus the rules of an update: scope and group are immutable, and
 * a version still listed in status.storedVersions may not be removed.
 */
export function validateCRDUpdate(next: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = validateCRD(next);
  if (old.spec?.scope && next.spec?.scope !== old.spec.scope) errs.push(invalid('spec.scope', next.spec?.scope ?? '', 'field is immutable'));
  if (old.spec?.group && next.spec?.group !== old.spec.group) errs.push(invalid('spec.group', next.spec?.group ?? '', 'field is immutable'));
  const names = new Set((next.spec?.versions ?? []).map((v) => v.name));
  for (const v of old.status?.storedVersions ?? []) {
    if (!names.has(v)) errs.push(invalid('status.storedVersions', old.status?.storedVersions, `must appear in spec.versions: ${v}`));
  }
  return errs;
}

export function crdVersion(crd: CustomResourceDefinition, name: string): CustomResourceDefinitionVersion | undefined {
  return crd.spec.versions.find((v) => v.name === name);
}

export function crdStorageVersion(crd: CustomResourceDefinition): string {
  const v = crd.spec.versions.find((x) => x.storage) ?? crd.spec.versions[0];
  return v.name;
}

/** The ResourceInfo of a CRD's storage version (per served version, replace `version`). */
export function crdResourceInfo(crd: CustomResourceDefinition, version = crdStorageVersion(crd)): ResourceInfo {
  const v = crdVersion(crd, version);
  return {
    group: crd.spec.group,
    version,
    kind: crd.spec.names.kind,
    resource: crd.spec.names.plural,
    namespaced: crd.spec.scope === 'Namespaced',
    subresources: { status: v?.subresources?.status !== undefined },
  };
}

const compiledCache = new WeakMap<CustomResourceDefinition, Map<string, CompiledSchema>>();

/**
 * The compiled schema of one version, cached per CRD object (a new CRD object —
 * e.g. after an update — compiles afresh). A version without a schema gets a
 * schema preserving everything.
 */
export function compiledCRDSchema(crd: CustomResourceDefinition, version: string): CompiledSchema {
  let byVersion = compiledCache.get(crd);
  if (!byVersion) {
    byVersion = new Map();
    compiledCache.set(crd, byVersion);
  }
  let c = byVersion.get(version);
  if (!c) {
    const schema = crdVersion(crd, version)?.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    c = compileSchema(schema);
    byVersion.set(version, c);
  }
  return c;
}

/** `status.conditions` as kubebuilder generates it: a list of metav1.Condition keyed by `type`. */
export const conditionsSchema: JSONSchemaProps = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
      message: { type: 'string' },
      lastTransitionTime: { type: 'string' },
      observedGeneration: { type: 'integer' },
    },
  },
};

export interface BuildCRDOptions {
  group: string;
  kind: string;
  plural: string;
  /** Default "v1". */
  version?: string;
  /** Default Namespaced. */
  scope?: 'Namespaced' | 'Cluster';
  /** The version's openAPIV3Schema. */
  schema: JSONSchemaProps;
  /** Serve status as a subresource (default true). */
  statusSubresource?: boolean;
  shortNames?: string[];
  printerColumns?: CustomResourceColumnDefinition[];
}

/** A CustomResourceDefinition with one served storage version. */
export function buildCRD(o: BuildCRDOptions): CustomResourceDefinition {
  const version: CustomResourceDefinitionVersion = { name: o.version ?? 'v1', served: true, storage: true, schema: { openAPIV3Schema: o.schema } };
  if (o.statusSubresource !== false) version.subresources = { status: {} };
  if (o.printerColumns) version.additionalPrinterColumns = o.printerColumns;
  const names: CustomResourceDefinitionNames = { kind: o.kind, listKind: `${o.kind}List`, plural: o.plural, singular: o.kind.toLowerCase() };
  if (o.shortNames) names.shortNames = o.shortNames;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${o.plural}.${o.group}` },
    spec: { group: o.group, names, scope: o.scope ?? 'Namespaced', versions: [version] },
  };
}

