// Small projects written inline by end-to-end tests: files (path → text) in a
// temp dir, in any of the original choreo's layouts, plus CRDs with the
// choices that matter to the engine (status subresource, conditions as a
// list-map keyed by type, a status.phase).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { buildCRD, conditionsSchema } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';

export async function writeProjectFiles(files: Record<string, string>, prefix = 'choreo-project-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [f, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    await writeFile(join(dir, f), text);
  }
  return dir;
}

export interface CrdChoices {
  /** Default true. */
  statusSubresource?: boolean;
  /** Declare a string status.phase. */
  phase?: boolean;
}

/** A namespaced v1alpha1 CRD with free-form spec and status, conditions keyed by type. */
export function conditionsCrdYaml(group: string, plural: string, kind: string, c: CrdChoices = {}): string {
  const freeForm: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const status: JSONSchemaProps = { ...freeForm, properties: { conditions: conditionsSchema, ...(c.phase ? { phase: { type: 'string' } } : {}) } };
  return stringify(buildCRD({ group, kind, plural, version: 'v1alpha1', statusSubresource: c.statusSubresource, schema: { type: 'object', properties: { spec: freeForm, status } } }));
}

/** A modern reconciler config (reconcilers/<name>/config.yaml) For group/v1alpha1 kind. */
export function reconcilerConfig(group: string, kind: string, extra = ''): string {
  return `apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: ${group}, version: v1alpha1, kind: ${kind}}\n${extra}`;
}
