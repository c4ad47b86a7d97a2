// Pruning: removes fields the schema does not specify, as the apiserver does
// for structural CRD schemas, and reports each removed field so the server can
// answer `fieldValidation=Strict` (reject) or `Warn` (`unknown field "spec.foo"`).
//
// Rules: an object node keeps the keys in `properties`; other keys are dropped
// unless `x-kubernetes-preserve-unknown-fields: true` or `additionalProperties`
// (a schema, recursed into, or `true`) allows them. Known properties are still
// pruned inside a preserving node. `x-kubernetes-embedded-resource` nodes keep
// apiVersion, kind and metadata (metadata pruned to ObjectMeta's fields).
// The root's apiVersion/kind/metadata are left to the server.
//
// Exported API:
//   compilePruner(schema, { isResourceRoot? }) → (value) => string[]   mutates in place, returns pruned paths

import { type JSONSchemaProps, isPlainObject, childPath, fieldPath, itemPath } from './types.js';

export type Pruner = (value: unknown, path?: string) => string[];

type Step = (v: unknown, path: string, out: string[]) => void;

const objectMetaFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const rootFields = new Set(['apiVersion', 'kind', 'metadata']);

/** Compiles a pruner. With `isResourceRoot` (default true) the root's apiVersion/kind/metadata are kept. */
export function compilePruner(schema: JSONSchemaProps, opts: { isResourceRoot?: boolean } = {}): Pruner {
  const step = compile(schema, opts.isResourceRoot !== false ? rootFields : undefined);
  return (value, path = '') => {
    const out: string[] = [];
    step(value, path, out);
    return out;
  };
}

function pruneEmbeddedMetadata(v: unknown, path: string, out: string[]): void {
  if (!isPlainObject(v)) return;
  for (const k of Object.keys(v)) {
    if (!objectMetaFields.has(k)) {
      delete v[k];
      out.push(childPath(path, k));
    }
  }
}

function compile(s: JSONSchemaProps, alwaysKeep?: Set<string>): Step {
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const props = new Map<string, Step>();
  for (const [k, ps] of Object.entries(s.properties ?? {})) props.set(k, compile(ps));
  const ap = s.additionalProperties;
  const apStep = isPlainObject(ap) ? compile(ap as JSONSchemaProps) : undefined;
  const keepUnknown = preserve || ap === true;
  const itemStep = s.items ? compile(s.items) : undefined;

  return (v, path, out) => {
    if (Array.isArray(v)) {
      if (itemStep) for (let i = 0; i < v.length; i++) itemStep(v[i], itemPath(path, i), out);
      return;
    }
    if (!isPlainObject(v)) return;
    for (const k in v) {
      // The root's apiVersion/kind/metadata belong to the server, whatever the
      // schema declares (kubebuilder CRDs say `metadata: {type: object}`).
      if (alwaysKeep?.has(k)) continue;
      const p = props.get(k);
      if (p) {
        p(v[k], fieldPath(path, k), out);
        continue;
      }
      if (embedded && (k === 'apiVersion' || k === 'kind')) continue;
      if (embedded && k === 'metadata') {
        pruneEmbeddedMetadata(v[k], fieldPath(path, k), out);
        continue;
      }
      if (apStep) {
        apStep(v[k], fieldPath(path, k), out);
        continue;
      }
      if (keepUnknown) continue;
      delete v[k];
      out.push(childPath(path, k));
    }
  };
}
