// `choreoctl rbac [dir]`: the ClusterRole a kubeconfig-mode runner needs, from the project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { choreoctl, examples } from './cluster.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

test('rbac prints a ClusterRole covering the project types, their status and finalizers, CRDs, Events and the Lease, bound to the ServiceAccount', async () => {
  const out = await choreoctl('rbac', join(examples, 'hello'), '--service-account', 'ops/runner');
  const [role, binding] = parseAllDocuments(out).map((d) => d.toJS() as Record<string, any>);
  assert.equal(role!.kind, 'ClusterRole');
  assert.equal(role!.metadata.name, 'choreo-hello');
  const rules = role!.rules as Rule[];
  const verbsFor = (group: string, resource: string) => rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs);
  for (const res of ['helloworlds', 'greetings']) {
    for (const v of ['get', 'list', 'watch', 'create', 'patch', 'delete']) assert.ok(verbsFor('example.com', res).includes(v), `${v} ${res}`);
    assert.ok(verbsFor('example.com', `${res}/status`).includes('patch'), `${res}/status`);
  }
  // Children carry blockOwnerDeletion owner references: the For type's finalizers subresource.
  assert.deepEqual(verbsFor('example.com', 'helloworlds/finalizers'), ['update']);
  assert.deepEqual(verbsFor('example.com', 'greetings/finalizers'), []);
  assert.deepEqual(verbsFor('apiextensions.k8s.io', 'customresourcedefinitions').sort(), ['create', 'get', 'patch']);
  assert.ok(verbsFor('coordination.k8s.io', 'leases').includes('update'));
  assert.ok(verbsFor('', 'events').includes('create'));
  assert.equal(binding!.kind, 'ClusterRoleBinding');
  assert.deepEqual(binding!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'choreo-hello' });
  assert.deepEqual(binding!.subjects, [{ kind: 'ServiceAccount', namespace: 'ops', name: 'runner' }]);
});
