import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

async function sh(cmd: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  const p = run(cmd, args, { timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  if (opts.input !== undefined) {
    p.child.stdin!.end(opts.input);
  }
  return (await p).stdout;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('run start serves kubectl, reconciles new input, and keeps data across stop/start and kill -9', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-serve-'));
  const cache = join(dir, 'kubecache');
  const kubeconfig = join(dir, '.choreo/kubeconfig');
  const kubectl = (...args: string[]) => sh('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args]);
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true, filter: (src) => !src.includes('expected') });
    const started = await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.match(started, /choreo running \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+/);
    await assert.rejects(sh(process.execPath, [cli, 'run', 'start', dir]), /already running \(pid \d+\)/);

    const greetings = () => kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(await eventually(greetings, (s) => s.split(' ').length === 3), 'team-carol world-alice world-bob');

    // A new input applied with kubectl triggers the reconciler.
    const manifest = 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: extra\nspec:\n  recipients: [Dave]\n';
    const p = run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cache, 'apply', '-f', '-'], { timeout: 60_000 });
    p.child.stdin!.end(manifest);
    assert.match((await p).stdout, /helloworld\.example\.com\/extra created/);
    assert.match(await eventually(greetings, (s) => s.includes('extra-dave')), /extra-dave/);
    const rvBefore = await kubectl('get', 'greeting', 'extra-dave', '-o', 'jsonpath={.metadata.resourceVersion}');

    assert.match(await sh(process.execPath, [cli, 'run', 'stop', dir]), /stopped \(pid \d+\)/);
    assert.match(await sh(process.execPath, [cli, 'run', 'stop', dir]), /not running/);

    // Restart: everything is still there, with the same resourceVersion.
    await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.equal(await kubectl('get', 'greeting', 'extra-dave', '-o', 'jsonpath={.metadata.resourceVersion}'), rvBefore);

    // kill -9, restart: still there.
    const pid = JSON.parse(await readFile(join(dir, '.choreo/pid'), 'utf8')).pid as number;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    await sh(process.execPath, [cli, 'run', 'start', dir]);
    assert.match(await greetings(), /extra-dave/);
    assert.equal(await kubectl('get', 'helloworld', 'extra', '-o', 'jsonpath={.status.conditions[0].status}'), 'True');
  } finally {
    await sh(process.execPath, [cli, 'run', 'stop', dir]).catch(() => '');
    await rm(dir, { recursive: true, force: true });
  }
});
