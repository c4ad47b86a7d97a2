// Hot reload with two `run start` runners sharing one etcd (each on its own
// copy of the project, as scale-out runs them): once both copies have an edit,
// every key runs the new code whichever runner owns its shard; an object
// removed from both copies' in/ is deleted (once, without errors from the
// runner that finds it already gone), a kubectl-created one stays; and a
// runner started from a copy that lacks an input does not delete it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { skipWithoutEtcd, startEtcd } from '../helpers/etcd.js';
import { startRunner, type Runner } from './runners.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean>, ms: number, runners: Runner[]): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}\n${runners.map((r) => `--- ${r.name}\n${r.lines().slice(-15).join('\n')}`).join('\n')}`);
    await sleep(150);
  }
}

test('two runners on one etcd: edits to both copies reach every key; in/ removals delete once; kubectl objects stay', { skip: skipWithoutEtcd(), timeout: 90_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'choreo-hotreload-scaleout-'));
  const etcd = await startEtcd();
  const runners: Runner[] = [];
  try {
    const project = join(repo, 'examples/hello');
    runners.push(await startRunner('a', project, work, `etcd://${etcd.endpoint}`), await startRunner('b', project, work, `etcd://${etcd.endpoint}`));
    const [a, b] = runners as [Runner, Runner];
    await Promise.all([a.ready, b.ready]);
    const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', join(work, 'a', '.choreo/kubeconfig'), '--cache-dir', join(work, 'kubecache'), ...args], { timeout: 30_000 }).then((o) => o.stdout);
    const messages = () => kubectl('get', 'greetings', '-o', 'jsonpath={range .items[*]}{.spec.message};{end}');
    await until('3 greetings', async () => (await messages()).split(';').length === 4, 30_000, runners);

    // The library edited in both copies: every greeting is rewritten, also those of keys the other runner owns.
    for (const r of ['a', 'b']) {
      const lib = join(work, r, 'crds/example.com_greetings.star');
      await writeFile(lib, (await readFile(lib, 'utf8')).replace('"%s, %s!"', '"%s, dear %s!"'));
    }
    await until('every greeting rewritten', async () => (await messages()) === 'hello, dear Carol!;Hello, dear Alice!;Hello, dear Bob!;', 20_000, runners);
    for (const r of runners) assert.ok(r.lines().some((l) => / reload \(.*reconciler helloworld reloaded/.test(l)), `${r.name} reloaded`);

    // Removed from both copies' in/: deleted; the kubectl-created object stays; no runner logs an error for it.
    await run('kubectl', ['--kubeconfig', join(work, 'a', '.choreo/kubeconfig'), '--cache-dir', join(work, 'kubecache'), 'create', 'configmap', 'manual', '--from-literal=k=v'], { timeout: 30_000 });
    for (const r of ['a', 'b']) {
      const input = join(work, r, 'in/helloworlds.yaml');
      const text = await readFile(input, 'utf8');
      await writeFile(input, text.slice(0, text.indexOf('---')));
    }
    const names = () => kubectl('get', 'helloworlds,greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    await until('team deleted', async () => (await names()) === 'world world-alice world-bob', 20_000, runners);
    assert.equal(await kubectl('get', 'configmap', 'manual', '-o', 'jsonpath={.data.k}'), 'v');
    for (const r of runners) assert.ok(!r.lines().some((l) => /reload error|deleting/.test(l)), r.lines().join('\n'));

    // A third runner from a copy whose in/ lacks "world" does not delete it (no start-up sweep on a shared store).
    const stale = join(work, 'stale');
    await cp(project, stale, { recursive: true });
    await writeFile(join(stale, 'in/helloworlds.yaml'), '');
    const c = await startRunner('c', stale, work, `etcd://${etcd.endpoint}`);
    runners.push(c);
    await c.ready;
    await sleep(1_000);
    assert.match(await names(), /^world /);
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await etcd.stop();
    await rm(work, { recursive: true, force: true });
  }
});
