// Merge types: how server-side apply sees the shape of an object — which
// values are merged field by field (granular maps, list-maps, sets) and which
// are replaced whole (scalars, atomic lists and maps).
//
// A TypeNode is derived once from a CRD's structural schema
// (x-kubernetes-list-type / list-map-keys / map-type). Without a schema, or
// below x-kubernetes-preserve-unknown-fields, the type is *deduced* from the
// value as Kubernetes does: objects are granular maps, lists are atomic.
// `metadata` at the root always uses ObjectMeta's real merge type (labels and
// annotations granular, finalizers a set, ownerReferences a map keyed by uid),
// since CRD schemas do not describe it.
//
// Exported API:
//   TypeNode, typeFromSchema(schema?), childType(node, key), itemType(node), DEDUCED

import type { JSONSchemaProps } from '../schema/types.js';

export type TypeNode =
  | { kind: 'scalar' }
  | { kind: 'deduced' }
  | { kind: 'map'; atomic: boolean; fields: Map<string, TypeNode>; elem?: TypeNode }
  | { kind: 'list'; listType: 'atomic' | 'set' | 'map'; keys: string[]; elem: TypeNode };

export const DEDUCED: TypeNode = { kind: 'deduced' };
const SCALAR: TypeNode = { kind: 'scalar' };

const stringMap: TypeNode = { kind: 'map', atomic: false, fields: new Map(), elem: SCALAR };

const ownerReference: TypeNode = {
  kind: 'map',
  atomic: true, // ownerReference items are replaced whole (structType atomic in k8s)
  fields: new Map(),
  elem: SCALAR,
};

const objectMeta: TypeNode = {
  kind: 'map',
  atomic: false,
  fields: new Map<string, TypeNode>([
    ['labels', stringMap],
    ['annotations', stringMap],
    ['finalizers', { kind: 'list', listType: 'set', keys: [], elem: SCALAR }],
    ['ownerReferences', { kind: 'list', listType: 'map', keys: ['uid'], elem: ownerReference }],
  ]),
  elem: SCALAR,
};

/** The merge type of a whole resource from its root schema (undefined → deduced); cached per schema object. */
const cache = new WeakMap<JSONSchemaProps, TypeNode>();

export function typeFromSchema(schema: JSONSchemaProps | undefined): TypeNode {
  if (!schema) return deducedRoot;
  let t = cache.get(schema);
  if (!t) {
    t = build(schema);
    cache.set(schema, t);
  }
  return t;
}

function build(schema: JSONSchemaProps | undefined): TypeNode {
  const root = schema ? fromSchema(schema) : { kind: 'map' as const, atomic: false, fields: new Map<string, TypeNode>(), elem: DEDUCED };
  if (root.kind !== 'map') return root;
  const fields = new Map(root.fields);
  fields.set('metadata', objectMeta);
  fields.set('apiVersion', SCALAR);
  fields.set('kind', SCALAR);
  return { ...root, fields };
}

const deducedRoot = build(undefined);

function fromSchema(s: JSONSchemaProps): TypeNode {
  if (s['x-kubernetes-int-or-string']) return SCALAR;
  const type = s.type;
  if (type === 'array') {
    const lt = s['x-kubernetes-list-type'] ?? 'atomic';
    return { kind: 'list', listType: lt, keys: lt === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : [], elem: s.items ? fromSchema(s.items) : DEDUCED };
  }
  if (type === 'object' || (type === undefined && (s.properties || s.additionalProperties))) {
    const fields = new Map<string, TypeNode>();
    for (const [k, p] of Object.entries(s.properties ?? {})) fields.set(k, fromSchema(p));
    let elem: TypeNode | undefined;
    if (s.additionalProperties && typeof s.additionalProperties === 'object') elem = fromSchema(s.additionalProperties);
    else if (s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource']) elem = DEDUCED;
    if (s['x-kubernetes-embedded-resource']) fields.set('metadata', objectMeta);
    return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic', fields, elem };
  }
  if (type === undefined && s['x-kubernetes-preserve-unknown-fields']) return DEDUCED;
  return SCALAR;
}

/** The type of a map's child; unknown children of a typed map are deduced (they were kept by preserve-unknown-fields). */
export function childType(node: TypeNode, key: string): TypeNode {
  if (node.kind !== 'map') return DEDUCED;
  return node.fields.get(key) ?? node.elem ?? DEDUCED;
}
