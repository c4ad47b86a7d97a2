// OpenAPI v3 component schemas for /openapi/v3/<group>/<version> documents:
// a CRD version's schema as kube-apiserver publishes it (apiVersion, kind,
// metadata → ObjectMeta reference, `x-kubernetes-group-version-kind`), its
// List schema, and the standard meta.k8s.io/v1 definitions every document
// references (ObjectMeta, ListMeta, Status, StatusDetails, StatusCause,
// ManagedFieldsEntry, OwnerReference, Time, FieldsV1, DeleteOptions, Patch).
//
// Key idea: pure functions from schema data to schema data, so the server can
// build and cache documents however it likes; `kubectl explain` reads the
// descriptions, kubectl's field validation reads the GVK extension.
//
// Exported API:
//   componentName(gvk)                          → "com.example.v1.Widget"
//   metaRef(name)                               → "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.<name>"
//   kindComponentSchema(schema, gvk)            → component schema of the kind
//   listComponentSchema(gvk, listKind)          → component schema of its list
//   crdComponentSchemas(crd, version)           → { [name]: schema } (kind + list)
//   standardSchemas()                           → { [name]: schema } (meta/v1 definitions)

import type { GroupVersionKind } from './object.js';
import type { JSONSchemaProps } from './schema/types.js';
import type { CustomResourceDefinition } from './crd.js';

const metaPrefix = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export function metaRef(name: string): string {
  return `#/components/schemas/${metaPrefix}${name}`;
}

/** Reversed group + version + kind, as kube-apiserver names CRD components; core kinds live under io.k8s.api.core. */
export function componentName(gvk: GroupVersionKind): string {
  if (gvk.group === '') return `io.k8s.api.core.${gvk.version}.${gvk.kind}`;
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

/** Rewrites a CRD schema node for publication: embedded resources get the standard fields, int-or-string its anyOf. */
function publish(s: JSONSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, publish(v)]));
  if (s.items) out.items = publish(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = publish(s.additionalProperties);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (s[k]) out[k] = s[k]!.map(publish);
  if (s.not) out.not = publish(s.not);
  if (s['x-kubernetes-int-or-string'] && !s.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (s['x-kubernetes-embedded-resource']) {
    const props = (out.properties as Record<string, unknown> | undefined) ?? {};
    out.properties = { ...standardKindFields(), ...props, metadata: { allOf: [{ $ref: metaRef('ObjectMeta') }] } };
  }
  return out;
}

function standardKindFields(): Record<string, unknown> {
  return {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.' },
  };
}

export function kindComponentSchema(schema: JSONSchemaProps | undefined, gvk: GroupVersionKind): Record<string, unknown> {
  const base = publish(schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  const props = (base.properties as Record<string, unknown> | undefined) ?? {};
  return {
    ...base,
    type: 'object',
    properties: { ...props, ...standardKindFields(), metadata: { allOf: [{ $ref: metaRef('ObjectMeta') }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" } },
    'x-kubernetes-group-version-kind': [{ group: gvk.group, version: gvk.version, kind: gvk.kind }],
  };
}

export function listComponentSchema(gvk: GroupVersionKind, listKind = `${gvk.kind}List`): Record<string, unknown> {
  return {
    type: 'object',
    description: `${listKind} is a list of ${gvk.kind}`,
    required: ['items'],
    properties: {
      ...standardKindFields(),
      items: { type: 'array', description: `List of ${gvk.kind.toLowerCase()}s.`, items: { $ref: `#/components/schemas/${componentName(gvk)}` } },
      metadata: { allOf: [{ $ref: metaRef('ListMeta') }], description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: gvk.group, version: gvk.version, kind: listKind }],
  };
}

/** The kind and list component schemas of one CRD version. */
export function crdComponentSchemas(crd: CustomResourceDefinition, version: string): Record<string, Record<string, unknown>> {
  const gvk = { group: crd.spec.group, version, kind: crd.spec.names.kind };
  const v = crd.spec.versions.find((x) => x.name === version);
  const name = componentName(gvk);
  return {
    [name]: kindComponentSchema(v?.schema?.openAPIV3Schema, gvk),
    [`${name}List`]: listComponentSchema(gvk, crd.spec.names.listKind || `${gvk.kind}List`),
  };
}

/** meta.k8s.io/v1 definitions referenced by every group-version document. */
export function standardSchemas(): Record<string, Record<string, unknown>> {
  const str = (description: string) => ({ type: 'string', description });
  const time = { $ref: metaRef('Time') };
  const strMap = (description: string) => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, description });
  return {
    [`${metaPrefix}Time`]: { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.' },
    [`${metaPrefix}FieldsV1`]: { type: 'object', description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.' },
    [`${metaPrefix}OwnerReference`]: {
      type: 'object',
      description: 'OwnerReference contains enough information to let you identify an owning object.',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str('API version of the referent.'),
        blockOwnerDeletion: { type: 'boolean', description: 'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.' },
        controller: { type: 'boolean', description: 'If true, this reference points to the managing controller.' },
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        uid: str('UID of the referent.'),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [`${metaPrefix}ManagedFieldsEntry`]: {
      type: 'object',
      description: 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      properties: {
        apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"'),
        fieldsV1: { allOf: [{ $ref: metaRef('FieldsV1') }], description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.' },
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
        subresource: str('Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
        time: { allOf: [time], description: 'Time is the timestamp of when the ManagedFields entry was added.' },
      },
    },
    [`${metaPrefix}ObjectMeta`]: {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      properties: {
        annotations: strMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
        creationTimestamp: { allOf: [time], description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.' },
        deletionTimestamp: { allOf: [time], description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.' },
        finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.', 'x-kubernetes-list-type': 'set' },
        generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
        generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
        labels: strMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
        managedFields: { type: 'array', items: { allOf: [{ $ref: metaRef('ManagedFieldsEntry') }] }, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.', 'x-kubernetes-list-type': 'atomic' },
        name: str('Name must be unique within a namespace.'),
        namespace: str('Namespace defines the space within which each name must be unique.'),
        ownerReferences: {
          type: 'array',
          items: { allOf: [{ $ref: metaRef('OwnerReference') }] },
          description: 'List of objects depended by this object.',
          'x-kubernetes-list-map-keys': ['uid'],
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-patch-merge-key': 'uid',
          'x-kubernetes-patch-strategy': 'merge',
        },
        resourceVersion: str('An opaque value that represents the internal version of this object.'),
        uid: str('UID is the unique in time and space value for this object.'),
      },
    },
    [`${metaPrefix}ListMeta`]: {
      type: 'object',
      description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
      properties: {
        continue: str('continue may be set if the user set a limit on the number of items returned.'),
        remainingItemCount: { type: 'integer', format: 'int64', description: 'remainingItemCount is the number of subsequent items in the list which are not included in this list response.' },
        resourceVersion: str("String that identifies the server's internal version of this object."),
      },
    },
    [`${metaPrefix}StatusCause`]: {
      type: 'object',
      description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
      properties: { field: str('The field of the resource that has caused this error, as named by its JSON serialization.'), message: str('A human-readable description of the cause of the error.'), reason: str('A machine-readable description of the cause of the error.') },
    },
    [`${metaPrefix}StatusDetails`]: {
      type: 'object',
      description: 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.',
      properties: {
        causes: { type: 'array', items: { allOf: [{ $ref: metaRef('StatusCause') }] }, 'x-kubernetes-list-type': 'atomic' },
        group: str('The group attribute of the resource associated with the status StatusReason.'),
        kind: str('The kind attribute of the resource associated with the status StatusReason.'),
        name: str('The name attribute of the resource associated with the status StatusReason.'),
        retryAfterSeconds: { type: 'integer', format: 'int32' },
        uid: str('UID of the resource.'),
      },
    },
    [`${metaPrefix}Status`]: {
      type: 'object',
      description: 'Status is a return value for calls that don\'t return other objects.',
      properties: {
        ...standardKindFields(),
        code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
        details: { allOf: [{ $ref: metaRef('StatusDetails') }] },
        message: str('A human-readable description of the status of this operation.'),
        metadata: { allOf: [{ $ref: metaRef('ListMeta') }] },
        reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
        status: str('Status of the operation. One of: "Success" or "Failure".'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
    },
    [`${metaPrefix}Preconditions`]: {
      type: 'object',
      description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
      properties: { resourceVersion: str('Specifies the target ResourceVersion'), uid: str('Specifies the target UID.') },
    },
    [`${metaPrefix}DeleteOptions`]: {
      type: 'object',
      description: 'DeleteOptions may be provided when deleting an API object.',
      properties: {
        ...standardKindFields(),
        dryRun: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic' },
        gracePeriodSeconds: { type: 'integer', format: 'int64' },
        preconditions: { allOf: [{ $ref: metaRef('Preconditions') }] },
        propagationPolicy: str("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
      },
    },
    [`${metaPrefix}Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  };
}
