// CRDs for projects that tests write inline, as YAML files.
import { stringify } from 'yaml';
import { buildCRD } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';

/** A minimal namespaced CRD with free-form spec and status (for projects written inline by a test). */
export function crdYaml(group: string, plural: string, kind: string): string {
  const freeForm: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return stringify(buildCRD({ group, kind, plural, version: 'v1alpha1', schema: { type: 'object', properties: { spec: freeForm, status: freeForm } } }));
}
