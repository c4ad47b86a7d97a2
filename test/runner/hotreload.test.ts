// Hot reload of `run start`, end to end: the real CLI in the background, real
// files edited the ways editors save them, kubectl reading the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  const p = run(cmd, args, { timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  if (input !== undefined) p.child.stdin!.end(input);
  return (await p).stdout;
}

/** Polls until ok(value); returns the value and how long it took. */
async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() - t0 > timeoutMs) return { value, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Saves like vim / JetBrains do: write a new file, rename it over the old one. */
async function renameOver(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp~`, text);
  await rename(`${file}.tmp~`, file);
}

test('run start hot reload: library, reconciler, CRD and in/ edits take effect; broken edits keep the old version', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-hotreload-'));
  const cache = join(dir, 'kubecache');
  const kubectl = (...args: string[]) => sh('kubectl', ['--kubeconfig', join(dir, '.choreo/kubeconfig'), '--cache-dir', cache, ...args]);
  const log = () => readFile(join(dir, '.choreo/choreo.log'), 'utf8');
  const lib = join(dir, 'crds/example.com_greetings.star');
  const code = join(dir, 'reconcilers/helloworld/reconciler.star');
  const input = join(dir, 'in/helloworlds.yaml');
  const messages = () => kubectl('get', 'greetings', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.message};{end}');
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true, filter: (src) => !src.includes('expected') });
    await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.equal((await eventually(messages, (s) => s.split(';').length === 4)).value, 'team-carol=hello, Carol!;world-alice=Hello, Alice!;world-bob=Hello, Bob!;');

    // A library saved in place: every child is rewritten by the rebuilt reconciler.
    await writeFile(lib, (await readFile(lib, 'utf8')).replace('"%s, %s!"', '"%s, dear %s!"'));
    const afterLib = await eventually(messages, (s) => s === 'team-carol=hello, dear Carol!;world-alice=Hello, dear Alice!;world-bob=Hello, dear Bob!;');
    assert.equal(afterLib.value, 'team-carol=hello, dear Carol!;world-alice=Hello, dear Alice!;world-bob=Hello, dear Bob!;');
    assert.ok(afterLib.ms < 2_000 * 2, `took ${afterLib.ms} ms`); // 2 s promised; slack for a loaded test machine

    // The reconciler saved by rename-over: its For objects are reconciled again with the new code.
    const good = await readFile(code, 'utf8');
    await renameOver(code, good.replace('"greetings": len(recipients)', '"greetings": 10 * len(recipients)'));
    const status = () => kubectl('get', 'helloworld', 'world', '-o', 'jsonpath={.status.greetings}');
    assert.equal((await eventually(status, (s) => s === '20')).value, '20');

    // A syntax error: logged with file:line:col, the previous code keeps running (a new object is reconciled by it).
    await renameOver(code, 'def reconcile(self:\n    pass\n');
    assert.match((await eventually(log, (l) => l.includes('reload error'))).value, /reload error: \S*reconcilers\/helloworld\/reconciler\.star:1:19: reconciler helloworld: /);
    await sh('kubectl', ['--kubeconfig', join(dir, '.choreo/kubeconfig'), '--cache-dir', cache, 'apply', '-f', '-'], 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: manual, namespace: default}\nspec: {recipients: [Zed]}\n');
    assert.equal((await eventually(() => kubectl('get', 'helloworld', 'manual', '-o', 'jsonpath={.status.greetings}'), (s) => s === '10')).value, '10');

    // Fixed again: back to the good code.
    await renameOver(code, good);
    assert.equal((await eventually(status, (s) => s === '2')).value, '2');

    // A file missing for a moment (git checkout, unlink-and-create saves) deletes nothing.
    const inText = await readFile(input, 'utf8');
    const uid = () => kubectl('get', 'helloworld', 'team', '-o', 'jsonpath={.metadata.uid}');
    const teamUid = await uid();
    await rm(input);
    await new Promise((r) => setTimeout(r, 150));
    await writeFile(input, inText);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await uid(), teamUid);

    // An object removed from in/ is deleted (finalizer processed, children collected); the kubectl-created one stays.
    await writeFile(input, inText.slice(0, inText.indexOf('---')));
    const names = () => kubectl('get', 'helloworlds,greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal((await eventually(names, (s) => !s.includes('team'))).value, 'manual world manual-zed world-alice world-bob');

    // Invalid YAML in in/: logged with its position, nothing deleted; the CRD edited meanwhile is applied.
    await writeFile(input, inText.slice(0, inText.indexOf('---')) + 'spec: [unclosed\n');
    const crd = join(dir, 'crds/example.com_helloworlds.yaml');
    await writeFile(crd, (await readFile(crd, 'utf8')).replace('    - name: GREETING', '    - name: SALUTATION'));
    assert.match((await eventually(log, (l) => /in\/helloworlds\.yaml:\d+:\d+: invalid YAML/.test(l))).value, /reload error: \S*in\/helloworlds\.yaml:\d+:\d+: invalid YAML/);
    assert.match((await eventually(() => kubectl('get', 'helloworlds'), (s) => s.includes('SALUTATION'))).value, /SALUTATION/);
    assert.equal(await names(), 'manual world manual-zed world-alice world-bob');

    // What the loader applied carries the original's origin annotation.
    assert.equal(await kubectl('get', 'helloworld', 'world', '-o', 'jsonpath={.metadata.annotations.api\\.choreo\\.kform\\.dev/origin}'), '{"kind":"File"}');
    // Applied by the loader's field manager but from another origin (an upstream's in/): never the input sync's to delete.
    await sh('kubectl', ['--kubeconfig', join(dir, '.choreo/kubeconfig'), '--cache-dir', cache, 'apply', '--server-side', '--field-manager', 'inputfileloader', '-f', '-'],
      'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: other, namespace: default, annotations: {api.choreo.kform.dev/origin: \'{"kind":"Upstream","url":"https://example.org/other.git","ref":"main"}\'}}\nspec: {recipients: [Oz]}\n');
    assert.equal((await eventually(names, (s) => s.includes('other-oz'))).value, 'manual other world manual-zed other-oz world-alice world-bob');

    // Removed while stopped: the next start deletes what in/ no longer has; kubectl's object and the other origin's stay.
    await sh(process.execPath, [cli, 'run', 'stop', dir]);
    await writeFile(input, '');
    await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.equal((await eventually(names, (s) => !s.includes('world'))).value, 'manual other manual-zed other-oz');
    assert.match(await log(), /HelloWorld default\/world deleted \(applied from in\/ by an earlier run/);
  } finally {
    await sh(process.execPath, [cli, 'run', 'stop', dir]).catch(() => '');
    await rm(dir, { recursive: true, force: true });
  }
});

/** `run once --watch` on a copy of examples/hello: its folder, output so far, and stop (also removes the copy). */
async function watchHello(): Promise<{ dir: string; out: () => string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-watch-'));
  await cp(join(repo, 'examples/hello'), dir, { recursive: true, filter: (src) => !src.includes('expected') });
  const child = spawn(process.execPath, [cli, 'run', 'once', dir, '--watch'], { env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    child.kill('SIGINT');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, out: () => out, stop };
}

test('run once --watch re-runs on every change and reprints the report', async () => {
  const { dir, out: output, stop } = await watchHello();
  const count = (re: RegExp) => (output().match(new RegExp(re.source, 'g')) ?? []).length;
  try {
    await eventually(async () => count(/watching/), (n) => n === 1);
    assert.equal(count(/run succeeded/), 1, output());
    // Broken YAML: the next report names the place.
    const input = join(dir, 'in/helloworlds.yaml');
    const good = await readFile(input, 'utf8');
    await writeFile(input, good + '---\nkind: [\n');
    await eventually(async () => count(/watching/), (n) => n === 2);
    assert.match(output(), /in\/helloworlds\.yaml:\d+:\d+: invalid YAML/);
    assert.match(output(), /run once exited 1/);
    // Fixed by a rename-over save: a third run, successful again.
    await renameOver(input, good);
    await eventually(async () => count(/watching/), (n) => n === 3);
    assert.equal(count(/run succeeded/), 2, output());
  } finally {
    await stop();
  }
});

/** Whether a `run once` child (without --watch) of the project in dir is running now (Linux /proc). */
async function runOnceChildRunning(dir: string): Promise<boolean> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes('once') && argv.includes(dir) && !argv.includes('--watch')) return true;
  }
  return false;
}

test('run once --watch: a change made while a run is in progress triggers another run', async () => {
  const { dir, out, stop } = await watchHello();
  try {
    // The first run's process exists: the edit lands while it runs (before its report).
    await eventually(() => runOnceChildRunning(dir), (running) => running, 20_000);
    const input = join(dir, 'in/helloworlds.yaml');
    await writeFile(input, (await readFile(input, 'utf8')) + '\n');
    const runs = await eventually(async () => (out().match(/run once exited/g) ?? []).length, (n) => n >= 2, 20_000);
    assert.equal(runs.value, 2, out());
  } finally {
    await stop();
  }
});

test('run start hot reload: a config edit rewires the reconciler (a new Watches re-triggers it)', async () => {
  const code = 'def reconcile(self):\n    cms = client_list({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default"}})["resource"]["items"]\n    self.setdefault("status", {})["configmaps"] = len(cms)\n    return reconcile_result(self, False, 0, "", False)\n';
  const dir = await writeProjectFiles({
    'crds/example.com_boxes.yaml': conditionsCrdYaml('example.com', 'boxes', 'Box'),
    'reconcilers/box/config.yaml': reconcilerConfig('example.com', 'Box'),
    'reconcilers/box/reconciler.star': code,
    'in/box.yaml': 'apiVersion: example.com/v1alpha1\nkind: Box\nmetadata: {name: b, namespace: default}\nspec: {}\n',
  }, 'choreo-hotreload-config-');
  const cache = join(dir, 'kubecache');
  const kubectl = (...args: string[]) => sh('kubectl', ['--kubeconfig', join(dir, '.choreo/kubeconfig'), '--cache-dir', cache, ...args]);
  const count = () => kubectl('get', 'box', 'b', '-o', 'jsonpath={.status.configmaps}');
  try {
    await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.equal((await eventually(count, (s) => s === '0')).value, '0');
    // No Watches on ConfigMaps yet: a new one does not re-trigger the Box.
    await kubectl('create', 'configmap', 'one', '--from-literal=k=v');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await count(), '0');
    // The config gains a Watches: rebuilt, the Box is reconciled again at once, and the next ConfigMap re-triggers it.
    await writeFile(join(dir, 'reconcilers/box/config.yaml'), reconcilerConfig('example.com', 'Box', '  watches:\n  - {group: "", version: v1, kind: ConfigMap}\n'));
    assert.equal((await eventually(count, (s) => s === '1')).value, '1');
    await kubectl('create', 'configmap', 'two', '--from-literal=k=v');
    assert.equal((await eventually(count, (s) => s === '2')).value, '2');
  } finally {
    await sh(process.execPath, [cli, 'run', 'stop', dir]).catch(() => '');
    await rm(dir, { recursive: true, force: true });
  }
});
