// Two `choreoctl run start --store etcd://…` runners on one real etcd both
// answer kubectl (a namespace created through one takes objects through the
// other) and share the reconcile work of 1,000 Parents: every Parent reaches Ready with its Child,
// both runners do part of the work, no Parent is ever reconciled by two
// runners at overlapping times (from the runners' timestamped logs), an etcd
// restart mid-run is survived, and after `kill -9` of one runner the other
// takes over its shards (lease TTL 10 s) and completes the rest.
//
// Runners are real child processes started through the CLI, so kill -9 is a
// real crash (no graceful release: the survivor must wait for the lease to
// expire) and the test exercises exactly what a user runs.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { skipWithoutEtcd, startEtcd } from '../helpers/etcd.js';
import { childResource, isReady, parent, parentResource, parentType, writeProject } from './project.js';
import { intervals, overlaps, startRunner, type Runner } from './runners.js';

const N = 1000;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runner's log for a failure message: everything but the per-Parent report and reconciler lines, then its last lines. */
function tail(r: Runner): string {
  const lines = r.lines();
  const other = lines.filter((l) => !/ Parent \S+: Ready \(| (start|end) default\//.test(l));
  return `--- ${r.name} (${lines.length} lines; not per-Parent)\n${other.slice(-40).join('\n')}\n--- ${r.name} last\n${lines.slice(-5).join('\n')}`;
}

async function until(what: string, fn: () => Promise<boolean>, ms: number, runners: Runner[]): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}\n${runners.map(tail).join('\n')}`);
    await sleep(200);
  }
}

test('two runners on one etcd share 1,000 reconciles, survive an etcd restart, and one takes over after the other is killed', { skip: skipWithoutEtcd(), timeout: 120_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'choreo-scaleout-'));
  const etcd = await startEtcd();
  const runners: Runner[] = [];
  let store: EtcdStore | undefined;
  let reg: Registry | undefined;
  try {
    const project = join(work, 'project');
    await writeProject(project);
    runners.push(await startRunner('a', project, work, `etcd://${etcd.endpoint}`), await startRunner('b', project, work, `etcd://${etcd.endpoint}`));
    const [a, b] = runners;
    await Promise.all([a.ready, b.ready]);

    // Either runner answers kubectl, and what one is told the other knows: a namespace
    // created through a takes a ConfigMap through b.
    const kubectl = (r: Runner, ...args: string[]) =>
      run('kubectl', ['--kubeconfig', join(work, r.name, '.choreo/kubeconfig'), '--cache-dir', join(work, `kubecache-${r.name}`), ...args], { timeout: 30_000 }).then((o) => o.stdout);
    await kubectl(a, 'create', 'namespace', 'team-x');
    assert.match(await kubectl(b, 'create', 'configmap', 'hello', '-n', 'team-x', '--from-literal=k=v'), /configmap\/hello created/);
    assert.equal(await kubectl(a, 'get', 'configmap', 'hello', '-n', 'team-x', '-o', 'jsonpath={.data.k}'), 'v');

    store = await EtcdStore.open({ endpoints: [etcd.endpoint] });
    reg = await Registry.open(store, { shared: true });
    await until('Parent served', async () => reg!.resourceInfo(parentType) !== undefined, 10_000, runners);
    let lastReady = 0;
    // The test's own client sees the etcd restart too (fails fast for a few seconds): keep the last count meanwhile.
    const ready = async () => (lastReady = await store!.list({ resource: parentResource }).then((l) => l.items.filter(isReady).length, () => lastReady));

    // Create the Parents (32 in flight) while the runners already work.
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < N) await reg!.create(parent(next++));
      }),
    );

    // etcd restart mid-run: both runners must reconnect and go on.
    await until('a quarter Ready', async () => (await ready()) >= N / 4, 30_000, runners);
    await etcd.restart();
    const afterRestart = await ready();
    await until('progress after the etcd restart', async () => (await ready()) > afterRestart + 50, 30_000, runners);
    assert.ok(!a.exited() && !b.exited(), 'both runners survive the etcd restart');

    // kill -9 runner b mid-run: a takes over b's shards once b's lease expires.
    const atKill = await ready();
    assert.ok(atKill < N, `work left at the kill (${atKill}/${N} Ready); the test needs a mid-run kill`);
    await b.kill9();
    await until('all Parents Ready', async () => (await ready()) === N, 60_000, runners);

    const parents = (await store.list({ resource: parentResource })).items;
    const children = (await store.list({ resource: childResource })).items;
    assert.equal(parents.length, N);
    assert.equal(children.length, N, 'every Parent has its Child, none twice');

    const all = [...intervals(a), ...intervals(b)];
    const byRunner = (r: string) => new Set(all.filter((iv) => iv.runner === r).map((iv) => iv.key)).size;
    assert.ok(byRunner('a') > 50 && byRunner('b') > 50, `both runners reconcile a share (a: ${byRunner('a')}, b: ${byRunner('b')} Parents)`);
    assert.equal(new Set(all.map((iv) => iv.key)).size, N, 'every Parent was reconciled');
    const bad = overlaps(all);
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} overlapping reconciles of one Parent on two runners`);
    // b's shards move to a as their leases expire; all Parents can be Ready before the last one has moved.
    await until("a owns every shard after b's death", async () => a.lines().some((l) => /coordinator .*owns 64\/64 shards/.test(l)), 30_000, runners);
  } finally {
    reg?.close();
    await Promise.all(runners.map((r) => r.stop()));
    await store?.close();
    await etcd.stop();
    await rm(work, { recursive: true, force: true });
  }
});
