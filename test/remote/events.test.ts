// Kubeconfig mode: what a reconcile reports lands on the remote server as
// in-process — the For object's condition, its status.phase when the CRD
// declares one, and a core/v1 Event (aggregated on repeats) — all through HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';
import { choreoctl, startCluster } from './cluster.js';

const group = 'lab.example.org';

test('a failing reconcile against a remote server: condition False, status.phase, and a Warning Event that kubectl sees', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-ev-'));
  const cluster = await startCluster(dir);
  const project = await writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget', { phase: true }),
    'reconcilers/check/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/check/reconciler.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "size %d is too big" % self["spec"]["size"], True)\n',
    'in/widgets.yaml': `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 7}\n`,
  });
  try {
    await assert.rejects(choreoctl('run', 'once', project, '--kubeconfig', cluster.kubeconfig, '--timeout', '10')); // exit 1: not every object ready
    const ready = JSON.parse(await cluster.kubectl('get', 'widget', 'w1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}')) as { status: string; reason: string; message: string };
    assert.deepEqual([ready.status, ready.reason], ['False', 'Failed']);
    assert.match(ready.message, /size 7 is too big/);
    assert.equal(await cluster.kubectl('get', 'widget', 'w1', '-o', 'jsonpath={.status.phase}'), 'Failed');
    const events = await cluster.kubectl('get', 'events', '--field-selector', 'involvedObject.name=w1', '-o', 'jsonpath={range .items[*]}{.type} {.reason} {.source.component}: {.message}{"\\n"}{end}');
    assert.match(events, /^Warning Failed check: .*size 7 is too big/m);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(project, { recursive: true, force: true });
  }
});
