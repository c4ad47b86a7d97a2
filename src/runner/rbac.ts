// `choreoctl rbac [dir]`: the RBAC a kubeconfig-mode runner needs on a real
// cluster, as a ClusterRole and a ClusterRoleBinding to a ServiceAccount.
// Derived from the project: every type it defines (crds/), reconciles (For),
// writes (Owns) or reads (Watches), or loads from in/ gets the verbs the
// runner uses; plus the CRDs themselves (server-side apply + wait for
// Established), Events and the leader-election Lease.
//
// Key idea: verbs follow what the runner actually sends. Server-side apply is
// PATCH, and creating an object by apply needs `create` too; informers need
// list + watch; children are pruned with delete; status is written on the
// status subresource; and children carry ownerReferences with
// blockOwnerDeletion, which kube-apiserver only admits from a client that may
// update the owner's `finalizers` subresource.
// Trade-off: types named only inside Starlark code (not declared as Owns or
// Watches) cannot be seen here; the runner cannot watch them either.

import { builtinTypes } from '../apiserver/builtins.js';
import type { KObject } from '../api/object.js';
import { parseReconcilerConfig } from '../reconciler/config.js';
import type { ProjectSource } from './project/source.js';

export interface RbacOptions {
  /** Name of the ClusterRole and ClusterRoleBinding. */
  name: string;
  /** The ServiceAccount the runner runs as. */
  serviceAccount: { namespace: string; name: string };
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const readWrite = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** English plural as Kubernetes' generators make it (for kinds neither the project nor choreo defines). */
function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function rbacManifests(project: ProjectSource, opts: RbacOptions): KObject[] {
  // group → kind → plural, from the project's CRDs first, then choreo's built-in types.
  const plurals = new Map<string, string>();
  for (const m of project.crds) {
    const spec = (m.object as KObject & { spec?: { group?: string; names?: { kind?: string; plural?: string } } }).spec;
    if (spec?.group && spec.names?.kind && spec.names.plural) plurals.set(`${spec.group}/${spec.names.kind}`, spec.names.plural);
  }
  for (const t of builtinTypes) if (!plurals.has(`${t.group}/${t.kind}`)) plurals.set(`${t.group}/${t.kind}`, t.plural);
  const pluralOf = (group: string, kind: string) => plurals.get(`${group}/${kind}`) ?? plural(kind);

  const types = new Map<string, Set<string>>(); // group → plurals
  const forTypes = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, group: string, p: string) => {
    let s = into.get(group);
    if (!s) into.set(group, (s = new Set()));
    s.add(p);
  };
  for (const m of project.crds) {
    const spec = (m.object as KObject & { spec?: { group?: string; names?: { plural?: string } } }).spec;
    if (spec?.group && spec.names?.plural) add(types, spec.group, spec.names.plural);
  }
  for (const m of project.inputs) add(types, groupOf(m.object.apiVersion), pluralOf(groupOf(m.object.apiVersion), m.object.kind));
  for (const r of project.reconcilers) {
    let c;
    try {
      c = parseReconcilerConfig(r.config, r.name);
    } catch {
      continue; // a broken config is reported by run once; it starts no reconciler that needs rights
    }
    for (const t of [c.for, ...c.owns, ...c.watches]) add(types, groupOf(t.apiVersion), pluralOf(groupOf(t.apiVersion), t.kind));
    add(forTypes, groupOf(c.for.apiVersion), pluralOf(groupOf(c.for.apiVersion), c.for.kind));
  }

  const rules: Rule[] = [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'create', 'patch'] }];
  for (const group of [...types.keys()].sort()) {
    const ps = [...types.get(group)!].sort();
    rules.push({ apiGroups: [group], resources: ps, verbs: readWrite });
    rules.push({ apiGroups: [group], resources: ps.map((p) => `${p}/status`), verbs: ['get', 'update', 'patch'] });
    const owners = [...(forTypes.get(group) ?? [])].sort();
    if (owners.length) rules.push({ apiGroups: [group], resources: owners.map((p) => `${p}/finalizers`), verbs: ['update'] });
  }
  rules.push({ apiGroups: [''], resources: ['events'], verbs: ['get', 'create', 'update', 'patch'] });
  rules.push({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] });

  const labels = { 'app.kubernetes.io/managed-by': 'choreo' };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: opts.name, labels }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: opts.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: opts.name },
      subjects: [{ kind: 'ServiceAccount', namespace: opts.serviceAccount.namespace, name: opts.serviceAccount.name }],
    },
  ];
}
