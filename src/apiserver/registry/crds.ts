// CustomResourceDefinition handling: turning a stored CRD into the
// ResourceTypes it serves (one per served version), and the status the server
// reports on it (NamesAccepted / Established conditions, acceptedNames,
// storedVersions). Schema compilation is passed in so each served version's
// schema is compiled exactly once, when the CRD is written or loaded.

import type { JSONSchemaProps } from '../../api/schema/index.js';
import type { CustomResourceDefinitionSpec as CrdSpec } from '../../api/crd.js';
import type { KObject } from '../../api/object.js';
import { allVerbs, storageKeyOf, type PrinterColumn, type ResourceType, type TypeSchema } from './resources.js';
import { nowTimestamp } from './meta.js';
import { selectableFieldLabel } from '../../api/selectablefields.js';

export type SchemaCompiler = (openAPIV3Schema: JSONSchemaProps) => TypeSchema;

/** The served types of a CRD, schemas compiled. Assumes the CRD passed validation. */
export function typesOfCrd(crd: KObject, compile: SchemaCompiler): ResourceType[] {
  const spec = crd.spec as CrdSpec;
  const n = spec.names;
  const out: ResourceType[] = [];
  spec.versions.forEach((v) => {
    if (!v.served) return;
    const printerColumns: PrinterColumn[] = (v.additionalPrinterColumns ?? []).map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format,
      description: c.description,
      priority: c.priority ?? 0,
      jsonPath: c.jsonPath,
    }));
    const raw = v.schema?.openAPIV3Schema;
    out.push({
      group: spec.group,
      version: v.name,
      kind: n.kind,
      listKind: n.listKind ?? `${n.kind}List`,
      plural: n.plural,
      singular: n.singular ?? n.kind.toLowerCase(),
      shortNames: n.shortNames ?? [],
      categories: n.categories ?? [],
      namespaced: spec.scope !== 'Cluster',
      hasStatus: v.subresources?.status !== undefined,
      storageKey: storageKeyOf(spec.group, n.plural),
      apiVersion: `${spec.group}/${v.name}`,
      verbs: allVerbs,
      printerColumns,
      schema: raw ? compile(raw) : undefined,
      crd: crd.metadata.name,
      builtin: false,
      selectableFields: (v.selectableFields ?? []).map((f) => selectableFieldLabel(f.jsonPath) ?? f.jsonPath),
      scale: v.subresources?.scale,
    });
  });
  return out;
}

/** The status a served CRD reports; keeps transition times of unchanged conditions. */
export function crdStatus(crd: KObject, terminating: boolean): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const prev = ((crd.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions ?? []);
  const now = nowTimestamp();
  const cond = (type: string, status: string, reason: string, message: string) => {
    const old = prev.find((c) => c.type === type);
    return { type, status, reason, message, lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now };
  };
  const conditions = [
    cond('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
    cond('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
  ];
  if (terminating) conditions.push(cond('Terminating', 'True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress'));
  const prevStored = ((crd.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? []);
  const storageVersion = spec.versions.find((v) => v.storage)?.name;
  const storedVersions = [...prevStored];
  if (storageVersion && !storedVersions.includes(storageVersion)) storedVersions.push(storageVersion);
  const names = { ...spec.names, singular: spec.names.singular ?? spec.names.kind.toLowerCase(), listKind: spec.names.listKind ?? `${spec.names.kind}List` };
  return { conditions, acceptedNames: names, storedVersions };
}
