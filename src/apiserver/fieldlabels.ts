// Which field labels a field selector may use on a resource, checked at the
// HTTP boundary as kube-apiserver's list/watch/deletecollection handlers do
// (ConvertFieldLabel); anything else is 400 BadRequest
// "field label not supported: <label>".
//   - custom resources: metadata.name, metadata.namespace (namespaced types
//     only) and the CRD version's selectableFields;
//   - built-in kinds: each kind's list as kube registers it
//     (pkg/apis/core/v1/conversion.go, apps/v1, batch/v1: AddFieldLabelConversionFunc);
//     a kind without one takes the default, metadata.name and metadata.namespace
//     (runtime.DefaultMetaV1FieldSelectorConversion, whatever the scope).
//
// Trade-off: only HTTP requests are checked. In-process reconcilers (the
// original choreo) keep selecting on any dotted path through the registry.
// kube's one label alias, pods' spec.host (old v1 clients), is rewritten to
// spec.nodeName before the registry sees the selector.

import { ApiError } from '../api/errors.js';
import { formatFieldSelector, parseFieldSelector } from '../api/selectors.js';
import type { ResourceType } from './registry/resources.js';

const meta = ['metadata.name', 'metadata.namespace'];

/** Built-in kinds with labels beyond the default, by "<group>/<Kind>" (core group: ""). */
const builtinLabels: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    '/Pod': [...meta, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
    '/Node': ['metadata.name', 'spec.unschedulable'],
    '/ReplicationController': [...meta, 'status.replicas'],
    '/Event': [...meta, 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
    '/Namespace': ['metadata.name', 'status.phase'],
    '/Secret': [...meta, 'type'],
    'apps/ReplicaSet': [...meta, 'status.replicas'],
    'batch/Job': [...meta, 'status.successful'],
    'certificates.k8s.io/CertificateSigningRequest': [...meta, 'spec.signerName'],
  }).map(([k, v]) => [k, new Set(v)]),
);
const defaultLabels: ReadonlySet<string> = new Set(meta);

function supported(t: ResourceType, label: string): boolean {
  if (t.builtin) return (builtinLabels.get(`${t.group}/${t.kind}`) ?? defaultLabels).has(label);
  return label === 'metadata.name' || (label === 'metadata.namespace' && t.namespaced) || t.selectableFields?.includes(label) === true;
}

/** kube's label aliases (ConvertFieldLabel returning another label), by "<group>/<Kind>". */
const aliases: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([['/Pod', new Map([['spec.host', 'spec.nodeName']])]]);

/**
 * Checks a field selector's labels against what `t` supports (400 otherwise) and
 * returns the selector with kube's aliases rewritten (unchanged when there are none).
 */
export function checkFieldLabels(t: ResourceType, fieldSelector: string | null): string | undefined {
  if (!fieldSelector) return fieldSelector ?? undefined;
  const sel = parseFieldSelector(fieldSelector);
  const alias = t.builtin ? aliases.get(`${t.group}/${t.kind}`) : undefined;
  for (const label of sel.fields) if (!supported(t, label) && !alias?.has(label)) throw new ApiError('BadRequest', `field label not supported: ${label}`);
  if (!alias || !sel.fields.some((f) => alias.has(f))) return fieldSelector;
  return formatFieldSelector(sel.requirements.map((r) => ({ ...r, field: alias.get(r.field) ?? r.field })));
}
