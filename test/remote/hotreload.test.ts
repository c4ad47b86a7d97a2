// Hot reload in kubeconfig mode, end to end: `run start --kubeconfig` (with
// leader election, so this runner is the leader) against `choreoctl server
// start --store memory`; project files edited while it runs; kubectl against
// the cluster sees the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choreoctl, eventually, examples, startCluster, startRunner, type Runner } from './cluster.js';
import { conditionsCrdYaml, reconcilerConfig } from '../helpers/project.js';

test('run start --kubeconfig hot-reloads: a library edit rewrites the children; an object removed from in/ is deleted, kubectl-created ones (also under an in/ name) stay', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-reload-'));
  const cluster = await startCluster(dir);
  const project = join(dir, 'hello');
  const log = () => readFile(join(project, '.choreo/choreo.log'), 'utf8');
  try {
    await cp(join(examples, 'hello'), project, { recursive: true, filter: (src) => !src.includes('expected') });
    await choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig);
    const messages = () => cluster.kubectl('get', 'greetings', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.message};{end}');
    assert.equal(await eventually(messages, (s) => s.split(';').length === 4), 'team-carol=hello, Carol!;world-alice=Hello, Alice!;world-bob=Hello, Bob!;');

    // A library edit: the reconciler is rebuilt and every child rewritten on the cluster.
    const lib = join(project, 'crds/example.com_greetings.star');
    await writeFile(lib, (await readFile(lib, 'utf8')).replace('"%s, %s!"', '"%s, dear %s!"'));
    assert.equal(await eventually(messages, (s) => s.includes('dear Carol')), 'team-carol=hello, dear Carol!;world-alice=Hello, dear Alice!;world-bob=Hello, dear Bob!;');

    // A broken library: logged with file:line:col, the previous version keeps reconciling.
    await writeFile(lib, (await readFile(lib, 'utf8')) + '\ndef broken(:\n');
    const logged = await eventually(log, (l) => l.includes('kept on its previous version'));
    assert.match(logged, /reload error: [^\n]*reconciler\.star:1:1: [\s\S]*crds\/example\.com_greetings\.star:20:12: got ':'/);
    assert.match(logged, /reconciler helloworld kept on its previous version/);
    await writeFile(join(dir, 'manual.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: manual, namespace: default}\nspec: {recipients: [Zed]}\n');
    await cluster.kubectl('apply', '-f', join(dir, 'manual.yaml'));
    assert.match(await eventually(messages, (s) => s.includes('manual-zed')), /manual-zed=hello, dear Zed!/);

    // `team` of in/ deleted and created again by kubectl: no longer the loader's object.
    await cluster.kubectl('delete', 'helloworld', 'team');
    await writeFile(join(dir, 'team.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: team, namespace: default}\nspec: {recipients: [Yan]}\n');
    await cluster.kubectl('create', '-f', join(dir, 'team.yaml'));
    // Objects removed from in/: the loader's one is deleted (its children collected); the kubectl-created ones stay.
    await writeFile(join(project, 'in/helloworlds.yaml'), '');
    const names = () => cluster.kubectl('get', 'helloworlds,greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(names, (s) => !s.includes('world')), 'manual team manual-zed team-yan');
    assert.match(await log(), /HelloWorld default\/world deleted \(gone from /);
    assert.match(await log(), /HelloWorld default\/team gone from \S+, left alone \(recreated by another client\)/);

    // A new CRD, its reconciler and an instance added while running: the reconciler compiles once the server serves the type.
    await writeFile(join(project, 'crds/example.com_boxes.yaml'), conditionsCrdYaml('example.com', 'boxes', 'Box'));
    await mkdir(join(project, 'reconcilers/box'));
    await writeFile(join(project, 'reconcilers/box/config.yaml'), reconcilerConfig('example.com', 'Box'));
    await writeFile(join(project, 'reconcilers/box/reconciler.star'), 'def reconcile(self):\n    self.setdefault("status", {})["note"] = "seen"\n    return reconcile_result(self, False, 0, "", False)\n');
    await writeFile(join(project, 'in/box.yaml'), 'apiVersion: example.com/v1alpha1\nkind: Box\nmetadata: {name: b, namespace: default}\nspec: {}\n');
    assert.equal(await eventually(() => cluster.kubectl('get', 'box', 'b', '-o', 'jsonpath={.status.note}'), (s) => s === 'seen'), 'seen');
  } finally {
    await choreoctl('run', 'stop', project).catch(() => '');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run start --kubeconfig with a standby: both rebuild on a library edit, only the leader deletes what left in/; the standby deletes it once it leads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-reload-'));
  const cluster = await startCluster(dir);
  const runners: Runner[] = [];
  const timings = { leaseMs: 3000, retryMs: 300 };
  try {
    for (const side of ['a', 'b']) {
      await mkdir(join(dir, side));
      await cp(join(examples, 'hello'), join(dir, side, 'hello'), { recursive: true, filter: (src) => !src.includes('expected') });
    }
    const leader = startRunner(join(dir, 'a', 'hello'), cluster.kubeconfig, timings);
    runners.push(leader);
    await leader.when(/became leader/);
    const standby = startRunner(join(dir, 'b', 'hello'), cluster.kubeconfig, timings);
    runners.push(standby);
    await standby.when(/watching .* for changes/);
    const names = () => cluster.kubectl('get', 'helloworlds,greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(names, (s) => s.split(' ').length === 5), 'team world team-carol world-alice world-bob');

    // Edits to the standby's copy: its reconciler is rebuilt, but it deletes nothing and reconciles nothing.
    const lib = join(dir, 'b/hello/crds/example.com_greetings.star');
    await writeFile(lib, (await readFile(lib, 'utf8')).replace('"%s, %s!"', '"%s, dear %s!"'));
    await standby.when(/reconciler helloworld reloaded/);
    const input = join(dir, 'b/hello/in/helloworlds.yaml');
    const inText = await readFile(input, 'utf8');
    await writeFile(input, inText.slice(0, inText.indexOf('---')));
    await new Promise((r) => setTimeout(r, 1_500)); // a reload, its settle period and then some
    assert.equal(await names(), 'team world team-carol world-alice world-bob');
    assert.ok(!standby.lines.some((l) => / deleted /.test(l)), standby.lines.join('\n'));
    assert.ok(standby.lines.some((l) => /HelloWorld default\/team gone from in\/, left to the leader/.test(l)), standby.lines.join('\n'));

    // The leader stops (releasing the Lease): the standby leads, deletes what left its in/, reconciles with its library.
    const exited = new Promise((r) => leader.proc.once('exit', r));
    leader.proc.kill('SIGTERM');
    await exited;
    await standby.when(/became leader/);
    assert.equal(await eventually(names, (s) => !s.includes('team')), 'world world-alice world-bob');
    await standby.when(/HelloWorld default\/team deleted \(gone from /); // logged once its reload (and its first sweep) is done
    const messages = () => cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].spec.message}');
    assert.equal(await eventually(messages, (s) => s.includes('dear')), 'Hello, dear Alice! Hello, dear Bob!');
  } finally {
    for (const r of runners) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run start --kubeconfig sweeps at start what left in/ while it was stopped, by its origin: another project\'s objects (same field manager) stay', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-remote-sweep-'));
  const cluster = await startCluster(dir);
  const project = join(dir, 'hello');
  const log = () => readFile(join(project, '.choreo/choreo.log'), 'utf8');
  try {
    await cp(join(examples, 'hello'), project, { recursive: true, filter: (src) => !src.includes('expected') });
    // Another project's runner on this cluster applied `other` as `choreo` too, with its own origin.
    await writeFile(join(dir, 'other.yaml'), `apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: other, namespace: default, annotations: {api.choreo.kform.dev/origin: '{"kind":"File","directory":"other"}'}}\nspec: {recipients: [Oz]}\n`);
    await choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig);
    const names = () => cluster.kubectl('get', 'helloworlds', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(names, (s) => s === 'team world'), 'team world');
    assert.equal(await cluster.kubectl('get', 'helloworld', 'team', '-o', 'jsonpath={.metadata.annotations.api\\.choreo\\.kform\\.dev/origin}'), '{"kind":"File","directory":"hello"}');
    await cluster.kubectl('apply', '--server-side', '--field-manager', 'choreo', '-f', join(dir, 'other.yaml'));
    await choreoctl('run', 'stop', project);

    // `team` removed from in/ while stopped: the next start deletes it; `other` (another origin) stays.
    const input = join(project, 'in/helloworlds.yaml');
    const inText = await readFile(input, 'utf8');
    await writeFile(input, inText.slice(0, inText.indexOf('---')));
    await choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig);
    assert.equal(await eventually(names, (s) => !s.includes('team')), 'other world');
    assert.match(await eventually(log, (l) => l.includes('earlier run')), /HelloWorld default\/team deleted \(applied from in\/ by an earlier run, no longer there\)/);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await names(), 'other world');
  } finally {
    await choreoctl('run', 'stop', project).catch(() => '');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
