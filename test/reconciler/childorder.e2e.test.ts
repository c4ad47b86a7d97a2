// How a reconcile's children reach the store (reconciler/children.ts): the
// children of one type are applied together — on the file store they share
// one group commit — while allocation claims stay one at a time in creation
// order, and a failed child write is still that reconcile's error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file.js';
import { findCondition } from '../../src/api/conditions.js';
import { child } from '../helpers/child.js';
import { apiVersion, forKind, obj, start, typeRef, writeProject, type ProjectSpec } from './harness.js';

const parents = (): ProjectSpec => ({
  crds: [
    { kind: 'Parent', plural: 'parents' },
    { kind: 'Child', plural: 'children' },
  ],
  reconcilers: {
    'parent-ctrl': {
      spec: forKind('Parent', { owns: [typeRef('Child')] }),
      code: `
def reconcile(self):
    name = self["metadata"]["name"]
    for i in range(self["spec"].get("replicas", 0)):
        child = "%s-%d" % (name, i)
        if i == self["spec"].get("bad", -1):
            child = child + "-BAD"  # not a valid object name: this write fails
        client_create({
            "apiVersion": "${apiVersion}",
            "kind": "Child",
            "metadata": {"name": child, "namespace": self["metadata"]["namespace"]},
            "spec": {"index": i},
        })
    return reconcile_result(self, False, 0, "", False)
`,
    },
  },
});

async function withFileStore(fn: (store: FileStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-childorder-'));
  try {
    await fn(await FileStore.open(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('on the file store, a reconcile\'s children of one type share one group commit: 3 children + status wait for 2 fsyncs, not 4', async () => {
  await withFileStore(async (store) => {
    const r = await start(parents(), { store });
    try {
      const before = { ...store.stats };
      await r.apply(obj('Parent', 'p', { replicas: 3 }));
      await r.idle();
      assert.deepEqual((await r.list('Child')).map((c) => c.metadata.name).sort(), ['p-0', 'p-1', 'p-2']);
      assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
      assert.equal(store.stats.records - before.records, 5, 'the user\'s create, 3 children, the parent\'s finalizer and status');
      assert.equal(store.stats.fsyncs - before.fsyncs, 3, 'the create, the 3 children together, the status');
    } finally {
      await r.close();
    }
  });
});

test('a child whose write fails is the reconcile\'s error, naming it; the other children of its run are created; fixed, the reconcile is Ready', async () => {
  const r = await start({ ...parents(), inputs: [obj('Parent', 'p', { replicas: 3, bad: 1 })] });
  try {
    const ready = (await r.condition('Parent', 'p'))!;
    assert.equal(ready.status, 'False');
    assert.match(ready.message, /p-1-BAD/);
    assert.match(ready.message, /RFC 1123/);
    assert.deepEqual((await r.list('Child')).map((c) => c.metadata.name).sort(), ['p-0', 'p-2']);
    const failed = r.reports.filter((x) => x.outcome === 'Error').at(-1)!;
    assert.deepEqual(failed.writes.map((w) => w.name), ['p-0', 'p-2'], 'the writes done are reported in creation order');

    await r.apply(obj('Parent', 'p', { replicas: 3, bad: -1 }));
    await r.idle();
    assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
    assert.deepEqual((await r.list('Child')).map((c) => c.metadata.name).sort(), ['p-0', 'p-1', 'p-2']);
  } finally {
    await r.close();
  }
});

// Claims named against their creation order, on a fresh index: the first
// created must get the first address, in every run.
const claims = (): ProjectSpec => ({
  crds: [{ kind: 'Net', plural: 'nets' }],
  reconcilers: {
    'net-ctrl': {
      spec: forKind('Net'),
      code: `
def reconcile(self):
    ns = self["metadata"]["namespace"]
    name = self["metadata"]["name"]
    client_create({"apiVersion": "ipam.be.kuid.dev/v1alpha1", "kind": "IPIndex", "metadata": {"name": name, "namespace": ns},
                   "spec": {"prefixes": [{"prefix": "10.0.0.0/24", "labels": {"purpose": "loopback"}}]}})
    for i in range(6):
        client_create({"apiVersion": "ipam.be.kuid.dev/v1alpha1", "kind": "IPClaim", "metadata": {"name": "c%d" % (5 - i), "namespace": ns},
                       "spec": {"index": name, "addressFamily": "ipv4", "selector": {"matchLabels": {"purpose": "loopback"}}}})
    return reconcile_result(self, False, 0, "", False)
`,
    },
  },
  inputs: [obj('Net', 'net')],
});

test('allocation claims of one reconcile are applied one at a time in creation order: the same addresses every run, also on the file store', async () => {
  const addresses = async (r: Awaited<ReturnType<typeof start>>) => {
    const items = (await r.engine.registry.list({ apiVersion: 'ipam.be.kuid.dev/v1alpha1', kind: 'IPClaim' })).items;
    return Object.fromEntries(items.filter((c) => /^c\d$/.test(c.metadata.name!)).map((c) => [c.metadata.name, (c.status as { address?: string } | undefined)?.address]));
  };
  const want = { c5: '10.0.0.0/32', c4: '10.0.0.1/32', c3: '10.0.0.2/32', c2: '10.0.0.3/32', c1: '10.0.0.4/32', c0: '10.0.0.5/32' };
  const m = await start(claims());
  try {
    assert.deepEqual(await addresses(m), want);
  } finally {
    await m.close();
  }
  await withFileStore(async (store) => {
    const f = await start(claims(), { store });
    try {
      assert.deepEqual(await addresses(f), want);
    } finally {
      await f.close();
    }
  });
});

test('kill -9 mid-reconciles on the file store: every reconcile reported Ready is on disk with all its children, and a stored Ready parent never lacks one', async () => {
  const project = await writeProject({ ...parents(), inputs: Array.from({ length: 400 }, (_, i) => obj('Parent', `p${i}`, { replicas: 3 })) });
  const dir = await mkdtemp(join(tmpdir(), 'choreo-childcrash-'));
  const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  try {
    // 16 workers on the file store, printing each reconcile that finished Ready (its writes acknowledged).
    const script = `import { FileStore } from ${mod('../../src/store/file.js')};
      import { Engine } from ${mod('../../src/runner/engine.js')};
      import { discoverProject } from ${mod('../../src/runner/project/discover.js')};
      const store = await FileStore.open(${JSON.stringify(dir)});
      const engine = await Engine.open({ store, workers: 16, print: () => {}, onReconcile: (r) => { if (r.outcome === 'Ready') process.stdout.write(r.key + '\\n'); } });
      const errors = await engine.load(await discoverProject(${JSON.stringify(project)}));
      if (errors.length > 0) throw new Error(errors.map((e) => e.render()).join('\\n'));
      await engine.start();`;
    const runner = child(script);
    await runner.waitForLines(40, 30_000);
    runner.proc.kill('SIGKILL');
    await runner.exited;
    const reported = new Set(runner.output().split('\n').slice(0, -1));

    const store = await FileStore.open(dir);
    try {
      const list = async (resource: string) => (await store.list({ resource: `${apiVersion.split('/')[0]}/${resource}` })).items;
      const children = new Set((await list('children')).map((c) => `${c.metadata.namespace}/${c.metadata.name}`));
      const ready = (await list('parents')).filter((p) => findCondition(p.status, 'Ready')?.status === 'True').map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      for (const key of reported) assert.ok(ready.includes(key), `${key} was reported Ready but is not stored Ready`);
      for (const key of ready) for (let i = 0; i < 3; i++) assert.ok(children.has(`${key}-${i}`), `${key} is stored Ready without its child ${key}-${i}`);
      assert.ok(ready.length < 400, 'killed mid-run (else this test proves nothing)');
    } finally {
      await store.close();
    }
  } finally {
    await rm(project, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
});
