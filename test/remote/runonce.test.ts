// Kubeconfig mode end to end: a runner with --kubeconfig reconciles a project
// on another API server (`choreoctl server start --store memory`), and kubectl
// against that server sees the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choreoctl, eventually, examples, startCluster } from './cluster.js';

test('run once --kubeconfig applies the CRDs and inputs as field manager choreo and reconciles on that server', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-'));
  const cluster = await startCluster(dir);
  try {
    const project = join(dir, 'hello');
    await cp(join(examples, 'hello'), project, { recursive: true });
    const report = JSON.parse(await choreoctl('run', 'once', project, '--kubeconfig', cluster.kubeconfig, '-o', 'json')) as { success: boolean; reconcilers: Array<{ reconciler: string; reconciles: number }> };
    assert.equal(report.success, true);
    // One reconcile per HelloWorld, as in-process: the events of the reconciler's own writes — over HTTP the
    // For object's finalizer and its status are two writes (applyWithStatus) — do not trigger it again.
    assert.deepEqual(report.reconcilers.map((r) => [r.reconciler, r.reconciles]), [['helloworld', 2]]);
    assert.equal(await cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}'), 'team-carol world-alice world-bob');
    assert.equal(await cluster.kubectl('get', 'helloworld', 'world', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'True');
    const managers = await cluster.kubectl('get', 'crd', 'helloworlds.example.com', '-o', 'jsonpath={.metadata.managedFields[*].manager}');
    assert.match(managers, /\bchoreo\b/);
    // The local run leaves no store behind: the cluster holds the objects.
    assert.equal(JSON.parse(await readFile(join(project, '.choreo/last-run.json'), 'utf8')).success, true);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run start --kubeconfig keeps reconciling what kubectl applies; run stop stops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-'));
  const cluster = await startCluster(dir);
  const project = join(dir, 'hello');
  try {
    await cp(join(examples, 'hello'), project, { recursive: true });
    const started = await choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig, '--no-leader-elect');
    assert.match(started, /choreo runner \(pid \d+\) reconciling against http:\/\/127\.0\.0\.1:\d+/);
    await assert.rejects(choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig), /already running \(pid \d+\)/);
    const greetings = () => cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(greetings, (s) => s.split(' ').length === 3), 'team-carol world-alice world-bob');

    await writeFile(join(dir, 'extra.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: extra\nspec:\n  recipients: [Dave]\n');
    await cluster.kubectl('apply', '-f', join(dir, 'extra.yaml'));
    assert.match(await eventually(greetings, (s) => s.includes('extra-dave')), /extra-dave/);

    assert.match(await choreoctl('run', 'stop', project), /stopped \(pid \d+\)/);
    assert.match(await choreoctl('run', 'stop', project), /not running/);
    // Stopped means stopped: a new input is no longer reconciled.
    await writeFile(join(dir, 'late.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: late\nspec:\n  recipients: [Eve]\n');
    await cluster.kubectl('apply', '-f', join(dir, 'late.yaml'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(await greetings(), /late-eve/);
  } finally {
    await choreoctl('run', 'stop', project).catch(() => '');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once --context picks a context from $KUBECONFIG (a merged list), and a bad context is a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-'));
  const cluster = await startCluster(dir);
  try {
    const project = join(dir, 'hello');
    await cp(join(examples, 'hello'), project, { recursive: true });
    // A first file with only a decoy current-context pointing nowhere; the cluster's file second.
    const decoy = join(dir, 'decoy.kubeconfig');
    await writeFile(decoy, 'apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster:\n    server: http://127.0.0.1:1\nusers:\n- name: nobody\n  user: {}\ncontexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\ncurrent-context: nowhere\n');
    const env = { ...process.env, NODE_TEST_CONTEXT: undefined, KUBECONFIG: `${decoy}:${cluster.kubeconfig}` };
    const { sh, cli } = await import('./cluster.js');
    const out = await sh(process.execPath, [cli, 'run', 'once', project, '--context', 'choreo'], { env });
    assert.match(out, /run succeeded/);
    await assert.rejects(sh(process.execPath, [cli, 'run', 'once', project, '--kubeconfig'], { env }), /127\.0\.0\.1:1 was refused|cannot reach/);
    await assert.rejects(sh(process.execPath, [cli, 'run', 'once', project, '--context', 'nope'], { env }), /context "nope"|nope/);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
