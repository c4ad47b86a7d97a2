// Drift and conflicts, end to end: `run start` serving a small project, the
// real kubectl as the user. A field a reconciler owns that kubectl changes —
// in a child or in its For object's status — is put back by the reconciler
// with a DriftCorrected Event; a second reconciler writing the same field is
// refused, and the conflict names both reconcilers on both objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { apiVersion, forKind, obj, typeRef, writeProject } from '../reconciler/harness.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const parentCode = `
def reconcile(self):
    ns = self["metadata"]["namespace"]
    client_create({"apiVersion": "${apiVersion}", "kind": "Child", "metadata": {"name": self["metadata"]["name"] + "-0", "namespace": ns}, "spec": {"a": "A", "b": "B"}})
    self.setdefault("status", {})["summary"] = "1 child"
    return reconcile_result(self)
`;

// Writes spec.b of the Child its Other names: a field parent-ctrl owns.
const meddlerCode = `
def reconcile(self):
    client_update({"apiVersion": "${apiVersion}", "kind": "Child", "metadata": {"name": self["spec"]["target"], "namespace": "default"}, "spec": {"b": "meddled"}})
    return reconcile_result(self)
`;

interface Event {
  involvedObject: { kind: string; name: string };
  reason: string;
  message: string;
  type: string;
  source?: { component?: string };
}

test('kubectl changes to owned fields are corrected with an Event; two reconcilers on one field are a conflict named on both objects', { timeout: 120_000 }, async () => {
  const dir = await writeProject({
    crds: [
      { kind: 'Parent', plural: 'parents' },
      { kind: 'Child', plural: 'children' },
      { kind: 'Other', plural: 'others' },
    ],
    reconcilers: {
      'parent-ctrl': { spec: forKind('Parent', { owns: [typeRef('Child')] }), code: parentCode },
      meddler: { spec: forKind('Other'), code: meddlerCode },
    },
    inputs: [obj('Parent', 'p')],
  });
  const kubeconfig = join(dir, '.choreo/kubeconfig');
  const kubectl = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubecache'), ...args], { timeout: 30_000 })).stdout;
  const jsonpath = (kind: string, name: string, path: string) => kubectl('get', kind, name, '-o', `jsonpath=${path}`);
  const events = async () => (JSON.parse(await kubectl('get', 'events', '-o', 'json')) as { items: Event[] }).items;
  const eventsOn = async (kind: string, name: string, reason: string) => (await events()).filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.reason === reason);
  try {
    await run(process.execPath, [cli, 'run', 'start', dir], { timeout: 60_000 });
    await eventually(() => jsonpath('child', 'p-0', '{.spec.b}'), (b) => b === 'B', 'the child');
    await eventually(() => jsonpath('parent', 'p', '{.status.summary}'), (s) => s === '1 child', 'the parent status');

    // A child field changed with kubectl: the reconciler puts it back and says so on the child.
    await kubectl('patch', 'child', 'p-0', '--type=merge', '-p', '{"spec":{"b":"hacked"}}');
    await eventually(() => jsonpath('child', 'p-0', '{.spec.b}'), (b) => b === 'B', 'spec.b restored');
    const [drift] = await eventually(() => eventsOn('Child', 'p-0', 'DriftCorrected'), (e) => e.length === 1, 'a DriftCorrected Event on the child');
    assert.equal(drift!.message, 'drift corrected: .spec.b was changed by kubectl-patch');
    assert.equal(drift!.source?.component, 'parent-ctrl');
    assert.equal(await jsonpath('parent', 'p', '{.status.conditions[?(@.type=="Ready")].status}'), 'True');
    const owners = JSON.parse(await jsonpath('child', 'p-0', '{.metadata.managedFields}')) as { manager: string; fieldsV1: object }[];
    assert.match(JSON.stringify(owners.find((m) => m.manager === 'parent-ctrl')?.fieldsV1), /"f:b"/, 'parent-ctrl owns .spec.b again');
    assert.ok(!owners.some((m) => m.manager === 'kubectl-patch'), 'kubectl-patch owns nothing any more');

    // The same for a status field of the For object.
    await kubectl('patch', 'parent', 'p', '--subresource=status', '--type=merge', '-p', '{"status":{"summary":"hacked"}}');
    await eventually(() => jsonpath('parent', 'p', '{.status.summary}'), (s) => s === '1 child', 'status.summary restored');
    const [statusDrift] = await eventually(() => eventsOn('Parent', 'p', 'DriftCorrected'), (e) => e.length === 1, 'a DriftCorrected Event on the parent');
    assert.equal(statusDrift!.message, 'drift corrected: .status.summary was changed by kubectl-patch');

    // A second reconciler setting the owned field: refused, named on the object it reconciles and on the child.
    // (Applied only now, so parent-ctrl owns the field first.)
    await writeFile(join(dir, 'other.yaml'), stringify(obj('Other', 'o', { target: 'p-0' })));
    await kubectl('apply', '-f', join(dir, 'other.yaml'));
    const message = await eventually(() => jsonpath('other', 'o', '{.status.conditions[?(@.type=="Ready")].message}'), (m) => m !== '', "meddler's condition");
    assert.equal(await jsonpath('other', 'o', '{.status.conditions[?(@.type=="Ready")].status}'), 'False');
    assert.match(message, /reconciler meddler conflicts with reconciler parent-ctrl over \.spec\.b of Child default\/p-0/);
    const [conflict] = await eventually(() => eventsOn('Child', 'p-0', 'FieldConflict'), (e) => e.length >= 1, 'a FieldConflict Event on the child');
    assert.equal(conflict!.type, 'Warning');
    assert.equal(conflict!.message, "reconcilers meddler and parent-ctrl both set .spec.b: parent-ctrl owns it, meddler's apply was refused");
    assert.equal(await jsonpath('child', 'p-0', '{.spec.b}'), 'B', 'the owner keeps its value');
    assert.equal(await jsonpath('parent', 'p', '{.status.conditions[?(@.type=="Ready")].status}'), 'True');
  } finally {
    await run(process.execPath, [cli, 'run', 'stop', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});
