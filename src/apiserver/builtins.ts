// Built-in resource types a CRD-centred server ships (as kcp does): Namespaces,
// ConfigMaps, Secrets, Events (core and events.k8s.io), Leases, Services and
// Endpoints (stored only), CustomResourceDefinitions and the auth reviews (auth.ts). Each carries a structural schema of its fields
// (descriptions abridged from the Kubernetes API reference), compiled once, so
// built-ins get the same unknown-field handling, type checks, OpenAPI
// documents and `kubectl explain` as custom resources. Printer columns mirror
// the ones kube-apiserver prints for these kinds.

import { compileSchema, type JSONSchemaProps } from '../api/schema/index.js';
import { reviewTypes } from './auth.js';
import { allVerbs, storageKeyOf, type PrinterColumn, type ResourceType } from './registry/resources.js';

const str = (description: string): JSONSchemaProps => ({ type: 'string', description });
const int = (description: string): JSONSchemaProps => ({ type: 'integer', description });
const bool = (description: string): JSONSchemaProps => ({ type: 'boolean', description });
const time = (description: string): JSONSchemaProps => ({ type: 'string', format: 'date-time', description });
const strMap = (description: string): JSONSchemaProps => ({ type: 'object', additionalProperties: { type: 'string' }, description });
const obj = (description: string, properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'object', description, properties, ...extra });

const objectReference = obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
  apiVersion: str('API version of the referent.'),
  fieldPath: str('If referring to a piece of an object instead of an entire object, a JSON path to that piece.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  namespace: str('Namespace of the referent.'),
  resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
  uid: str('UID of the referent.'),
});

const schemas: Record<string, JSONSchemaProps> = {
  Namespace: obj('Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
    spec: obj('Spec defines the behavior of the Namespace.', { finalizers: { type: 'array', items: { type: 'string' }, description: 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.' } }),
    status: obj('Status describes the current status of a Namespace.', {
      phase: str('Phase is the current lifecycle phase of the namespace: Active or Terminating.'),
      conditions: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'Represents the latest available observations of a namespace\'s current state.' },
    }),
  }),
  ConfigMap: obj('ConfigMap holds configuration data for pods to consume.', {
    data: strMap('Data contains the configuration data.'),
    binaryData: strMap('BinaryData contains the binary data (base64).'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  }),
  Secret: obj('Secret holds secret data of a certain type.', {
    data: strMap('Data contains the secret data, base64 encoded.'),
    stringData: strMap('stringData allows specifying non-binary secret data in string form. It is write-only and merged into data.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
  }),
  Event: obj('Event is a report of an event somewhere in the cluster.', {
    action: str('What action was taken/failed regarding to the Regarding object.'),
    count: int('The number of times this event has occurred.'),
    eventTime: time('Time when this Event was first observed.'),
    firstTimestamp: time('The time at which the event was first recorded.'),
    involvedObject: objectReference,
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    related: objectReference,
    reportingComponent: str('Name of the controller that emitted this Event.'),
    reportingInstance: str('ID of the controller instance.'),
    series: obj('Data about the Event series this event represents.', { count: int('Number of occurrences in this series up to the last heartbeat time.'), lastObservedTime: time('Time of the last occurrence observed.') }),
    source: obj('The component reporting this event.', { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') }),
    type: str('Type of this event (Normal, Warning).'),
  }),
  EventsV1: obj('Event is a report of an event somewhere in the cluster (events.k8s.io/v1).', {
    action: str('What action was taken/failed regarding to the regarding object.'),
    deprecatedCount: int('Deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedFirstTimestamp: time('Deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedLastTimestamp: time('Deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedSource: obj('Deprecated field assuring backward compatibility with core.v1 Event type.', { component: str('Component.'), host: str('Host.') }),
    eventTime: time('The time at which the event was first recorded.'),
    note: str('A human-readable description of the status of this operation.'),
    reason: str('Why the action was taken.'),
    regarding: objectReference,
    related: objectReference,
    reportingController: str('The name of the controller that emitted this Event.'),
    reportingInstance: str('The ID of the controller instance.'),
    series: obj('Data about the Event series this event represents.', { count: int('Number of occurrences.'), lastObservedTime: time('Time of the last occurrence observed.') }),
    type: str('Type of this event (Normal, Warning).'),
  }),
  Lease: obj('Lease defines a lease concept.', {
    spec: obj('spec contains the specification of the Lease.', {
      acquireTime: time('acquireTime is a time when the current lease was acquired.'),
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
      preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder.'),
      renewTime: time('renewTime is a time when the current holder of a lease has last updated the lease.'),
      strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
    }),
  }),
  // Services and Endpoints are stored only (no IP allocation, no proxying): `kubectl cluster-info` lists them.
  Service: obj('Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
    spec: obj('Spec defines the behavior of a service.', {
      type: { ...str('type determines how the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'), default: 'ClusterIP' },
      selector: strMap('Route service traffic to pods with label keys and values matching this selector.'),
      clusterIP: str('clusterIP is the IP address of the service (not allocated by choreo).'),
      clusterIPs: { type: 'array', items: { type: 'string' }, description: 'ClusterIPs is a list of IP addresses assigned to this service.' },
      externalIPs: { type: 'array', items: { type: 'string' }, description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.' },
      externalName: str('externalName is the external reference that discovery mechanisms will return as an alias for this service.'),
      sessionAffinity: { ...str('Supports "ClientIP" and "None".'), default: 'None' },
      ports: {
        type: 'array',
        description: 'The list of ports that are exposed by this service.',
        items: obj('ServicePort contains information on service\'s port.', {
          name: str('The name of this port within the service.'),
          protocol: { ...str('The IP protocol for this port: TCP, UDP or SCTP.'), default: 'TCP' },
          appProtocol: str('The application protocol for this port.'),
          port: int('The port that will be exposed by this service.'),
          targetPort: { 'x-kubernetes-int-or-string': true, description: 'Number or name of the port to access on the pods targeted by the service.' },
          nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
        }, { required: ['port'] }),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
      },
    }, { 'x-kubernetes-preserve-unknown-fields': true }),
    status: obj('Most recently observed status of the service.', {}, { 'x-kubernetes-preserve-unknown-fields': true }),
  }),
  Endpoints: obj('Endpoints is a collection of endpoints that implement the actual service.', {
    subsets: {
      type: 'array',
      description: 'The set of all endpoints is the union of all subsets.',
      items: obj('EndpointSubset is a group of addresses with a common set of ports.', {
        addresses: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'IP addresses which offer the related ports that are marked as ready.' },
        notReadyAddresses: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'IP addresses which offer the related ports but are not currently marked as ready.' },
        ports: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'Port numbers available on the related IP addresses.' },
      }),
    },
  }),
  CustomResourceDefinition: obj('CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.', {
    spec: obj('spec describes how the user wants the resources to appear.', {
      conversion: { type: 'object', description: 'conversion defines conversion settings for the CRD.', 'x-kubernetes-preserve-unknown-fields': true },
      group: str('group is the API group of the defined custom resource.'),
      names: obj('names specify the resource and kind names for the custom resource.', {
        categories: { type: 'array', items: { type: 'string' }, description: 'categories is a list of grouped resources this custom resource belongs to (e.g. \'all\').' },
        kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular.'),
        listKind: str('listKind is the serialized kind of the list for this resource.'),
        plural: str('plural is the plural name of the resource to serve.'),
        shortNames: { type: 'array', items: { type: 'string' }, description: 'shortNames are short names for the resource, exposed in API discovery documents.' },
        singular: str('singular is the singular name of the resource. It must be all lowercase.'),
      }),
      preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage.'),
      scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
      versions: {
        type: 'array',
        description: 'versions is the list of all API versions of the defined custom resource.',
        items: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: {
            name: str('name is the version name, e.g. “v1”, “v2beta1”, etc.'),
            served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
            storage: bool('storage indicates this version should be used when persisting custom resources to storage.'),
            deprecated: bool('deprecated indicates this version of the custom resource API is deprecated.'),
            deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
            schema: { type: 'object', description: 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.', 'x-kubernetes-preserve-unknown-fields': true },
            subresources: { type: 'object', description: 'subresources specify what subresources this version of the defined custom resource have.', 'x-kubernetes-preserve-unknown-fields': true },
            additionalPrinterColumns: { type: 'array', description: 'additionalPrinterColumns specifies additional columns returned in Table output.', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            selectableFields: { type: 'array', description: 'selectableFields specifies paths to fields that may be used as field selectors.', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    }),
    status: { type: 'object', description: 'status indicates the actual state of the CustomResourceDefinition', 'x-kubernetes-preserve-unknown-fields': true },
  }),
};

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceType, 'shortNames' | 'categories' | 'hasStatus' | 'printerColumns'>> & { schema?: string } = {},
): ResourceType {
  const schema = schemas[extra.schema ?? kind];
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    namespaced,
    hasStatus: extra.hasStatus ?? false,
    storageKey: storageKeyOf(group, plural),
    apiVersion: group === '' ? version : `${group}/${version}`,
    verbs: allVerbs,
    printerColumns: extra.printerColumns ?? [],
    schema: schema ? compileSchema(schema) : undefined,
    builtin: true,
  };
}

/** A type that only answers reads (its collection stays empty). */
function readOnly(t: ResourceType): ResourceType {
  return { ...t, verbs: ['get', 'list', 'watch'] };
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 };

/** The namespaces kube-apiserver creates at start (its system namespaces controller); the registry ensures them. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Those kube's NamespaceLifecycle admission refuses to delete (403 "this namespace may not be deleted"). */
export const immortalNamespaces = ['default', 'kube-system', 'kube-public'];

export const namespaceType = builtin('', 'v1', 'Namespace', 'namespaces', false, {
  shortNames: ['ns'],
  hasStatus: true,
  printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase', priority: 0 }, age],
});

export const crdType = builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  hasStatus: true,
  printerColumns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp', priority: 0 }],
});

export const eventType = builtin('', 'v1', 'Event', 'events', true, {
  shortNames: ['ev'],
  printerColumns: [
    { name: 'Last Seen', type: 'date', jsonPath: '.lastTimestamp', priority: 0 },
    { name: 'Type', type: 'string', jsonPath: '.type', priority: 0 },
    { name: 'Reason', type: 'string', jsonPath: '.reason', priority: 0 },
    { name: 'Object', type: 'string', jsonPath: '.involvedObject', format: 'object-ref', priority: 0 },
    { name: 'Message', type: 'string', jsonPath: '.message', priority: 0 },
  ],
});

export const builtinTypes: ResourceType[] = [
  namespaceType,
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, {
    shortNames: ['cm'],
    printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data,.binaryData', format: 'count', priority: 0 }, age],
  }),
  builtin('', 'v1', 'Secret', 'secrets', true, {
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type', priority: 0 },
      { name: 'Data', type: 'integer', jsonPath: '.data', format: 'count', priority: 0 },
      age,
    ],
  }),
  eventType,
  builtin('events.k8s.io', 'v1', 'Event', 'events', true, {
    shortNames: ['ev'],
    schema: 'EventsV1',
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type', priority: 0 },
      { name: 'Reason', type: 'string', jsonPath: '.reason', priority: 0 },
      { name: 'Note', type: 'string', jsonPath: '.note', priority: 0 },
      age,
    ],
  }),
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true, {
    printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity', priority: 0 }, age],
  }),
  builtin('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    hasStatus: true,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type', priority: 0 },
      { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP', format: 'or-none', priority: 0 },
      { name: 'External-IP', type: 'string', jsonPath: '.spec.externalIPs', format: 'list', priority: 0 },
      { name: 'Port(s)', type: 'string', jsonPath: '.spec.ports', format: 'service-ports', priority: 0 },
      age,
      { name: 'Selector', type: 'string', jsonPath: '.spec.selector', format: 'selector', priority: 1 },
    ],
  }),
  builtin('', 'v1', 'Endpoints', 'endpoints', true, {
    shortNames: ['ep'],
    printerColumns: [{ name: 'Endpoints', type: 'string', jsonPath: '.subsets', format: 'endpoints', priority: 0 }, age],
  }),
  // Workload kinds are served read-only and always empty: choreo runs no pods or nodes, yet
  // `kubectl cluster-info dump` and `get all` list them and must not fail.
  ...([['Node', 'no'], ['Pod', 'po'], ['ReplicationController', 'rc']] as const).map(([k, short]) => readOnly(builtin('', 'v1', k, `${k.toLowerCase()}s`, k !== 'Node', { shortNames: [short] }))),
  ...([['DaemonSet', 'ds'], ['Deployment', 'deploy'], ['ReplicaSet', 'rs']] as const).map(([k, short]) => readOnly(builtin('apps', 'v1', k, `${k.toLowerCase()}s`, true, { shortNames: [short] }))),
  crdType,
  ...reviewTypes,
];
