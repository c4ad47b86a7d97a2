// Two registries over one store, as two runners on one etcd are: what one
// creates (a CRD, a namespace) is served by the other; the garbage collector
// of either removes dependents whose owner went away through the other, never
// collects a child whose owner another process just created, and two
// collectors acting on the same objects do not fail. Run on one shared
// MemoryStore (two registries in one process) and on a real etcd (two clients).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';
import { widgetCrd } from '../apiserver/fixtures.js';
import { skipWithoutEtcd, startEtcd, type EtcdServer } from '../helpers/etcd.js';

const W = { apiVersion: 'example.com/v1', kind: 'Widget' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const NS = { apiVersion: 'v1', kind: 'Namespace' };

/** Polls `fn` until it returns true (or fails after `ms`). */
async function eventually(what: string, fn: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Pair {
  a: Registry;
  b: Registry;
  close(): Promise<void>;
}

function sharedRegistrySuite(name: string, open: () => Promise<Pair>, skip: string | false = false): void {
  describe(`registries sharing one store (${name})`, { skip }, () => {
    let p: Pair;
    before(async () => {
      p = await open();
    });
    after(async () => {
      await p?.close();
    });

    it('a CRD created through one registry is served by the other, which then accepts its instances', async () => {
      assert.equal(p.b.resourceInfo(W), undefined);
      await p.a.create(parseYaml(widgetCrd) as KObject);
      await eventually('B serves Widget', () => p.b.resourceInfo(W) !== undefined);
      const w = await p.b.create({ ...W, metadata: { name: 'w1', namespace: 'default' }, spec: { size: 3 } });
      assert.equal(w.metadata.name, 'w1');
      assert.equal((await p.a.get(W, 'default', 'w1'))?.metadata.uid, w.metadata.uid);
    });

    it('a CRD changed through one registry (a version added) is served changed by the other', async () => {
      const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
      const cur = (await p.a.get(CRD, '', 'widgets.example.com'))!;
      const spec = cur.spec as { versions: Array<Record<string, unknown>> };
      const v2 = { ...spec.versions[0], name: 'v2', storage: false };
      await p.a.update({ ...cur, spec: { ...spec, versions: [...spec.versions, v2] } });
      await eventually('B serves Widget v2', () => p.b.resourceInfo({ apiVersion: 'example.com/v2', kind: 'Widget' }) !== undefined);
    });

    it('a namespace created through one registry takes objects through the other; deleted there, it refuses them', async () => {
      await p.a.create({ ...NS, metadata: { name: 'team-a' } });
      await eventually('B knows team-a', () => p.b.isNamespaceTerminating('team-a') === false);
      await p.b.create({ ...CM, metadata: { name: 'c1', namespace: 'team-a' }, data: {} });
      await p.a.delete(NS, '', 'team-a');
      await eventually('namespace team-a gone', async () => (await p.a.get(NS, '', 'team-a')) === undefined, 10_000);
      await eventually('B forgets team-a', () => p.b.isNamespaceTerminating('team-a') === undefined);
      await assert.rejects(p.b.create({ ...CM, metadata: { name: 'c2', namespace: 'team-a' }, data: {} }), (err) => err instanceof ApiError && err.reason === 'NotFound');
    });

    it('a dependent created through one registry is collected when its owner is deleted through the other', async () => {
      const owner = await p.a.create({ ...CM, metadata: { name: 'owner', namespace: 'default' }, data: {} });
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! };
      // Created through B right away: B's owner index may not hold the owner yet; it must not be collected for that.
      for (let i = 0; i < 20; i++) await p.b.create({ ...CM, metadata: { name: `dep-${i}`, namespace: 'default', ownerReferences: [ref] }, data: {} });
      await Promise.all([p.a.lifecycle.whenIdle(), p.b.lifecycle.whenIdle()]);
      await new Promise((r) => setTimeout(r, 100));
      await Promise.all([p.a.lifecycle.whenIdle(), p.b.lifecycle.whenIdle()]);
      assert.equal((await p.a.list(CM, { namespace: 'default' })).items.filter((o) => o.metadata.name!.startsWith('dep-')).length, 20, 'no dependent of a live owner is collected');
      await p.a.delete(CM, 'default', 'owner');
      await eventually('dependents collected', async () => (await p.b.list(CM, { namespace: 'default' })).items.every((o) => !o.metadata.name!.startsWith('dep-')));
    });

    it('ownerReferences changed through one registry move the dependent in the other\'s index: released, it stays; adopted, it goes with its new owner', async () => {
      const mk = async (name: string) => (await p.a.create({ ...CM, metadata: { name, namespace: 'default' }, data: {} })).metadata.uid!;
      const refTo = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
      const [o1, o2] = [await mk('mv-owner-1'), await mk('mv-owner-2')];
      await p.a.create({ ...CM, metadata: { name: 'mv-released', namespace: 'default', ownerReferences: [refTo('mv-owner-1', o1)] }, data: {} });
      await p.a.create({ ...CM, metadata: { name: 'mv-adopted', namespace: 'default', ownerReferences: [refTo('mv-owner-1', o1)] }, data: {} });
      // Changed through B: A learns of it only through its watch (another process's write).
      const edit = async (name: string, ownerReferences: ReturnType<typeof refTo>[]) => {
        const cur = (await p.b.get(CM, 'default', name))!;
        await p.b.update({ ...cur, metadata: { ...cur.metadata, ownerReferences } });
      };
      await edit('mv-released', []);
      await edit('mv-adopted', [refTo('mv-owner-2', o2)]);
      const names = async () => (await p.b.list(CM, { namespace: 'default' })).items.map((o) => o.metadata.name!).filter((n) => n.startsWith('mv-'));
      await eventually('A saw both edits', async () => {
        const a = await p.a.get(CM, 'default', 'mv-adopted');
        return a?.metadata.ownerReferences?.[0]?.name === 'mv-owner-2';
      });
      await p.a.delete(CM, 'default', 'mv-owner-1');
      await p.a.delete(CM, 'default', 'mv-owner-2');
      await eventually('the adopted dependent goes with its new owner', async () => !(await names()).includes('mv-adopted'));
      await Promise.all([p.a.lifecycle.whenIdle(), p.b.lifecycle.whenIdle()]);
      assert.deepEqual(await names(), ['mv-released'], 'the released dependent stays');
    });

    it('foreground deletion through one registry, dependents written through the other: both collectors race, the owner goes last', async () => {
      const owner = await p.b.create({ ...CM, metadata: { name: 'fg-owner', namespace: 'default' }, data: {} });
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: owner.metadata.uid!, blockOwnerDeletion: true };
      for (let i = 0; i < 10; i++) await p.a.create({ ...CM, metadata: { name: `fg-${i}`, namespace: 'default', ownerReferences: [ref] }, data: {} });
      await p.a.delete(CM, 'default', 'fg-owner', { propagationPolicy: 'Foreground' });
      await eventually('owner and dependents gone', async () => (await p.b.list(CM, { namespace: 'default' })).items.every((o) => !o.metadata.name!.startsWith('fg-')), 10_000);
    });
  });
}

async function pairOver(stores: [Store, Store], closeAll: () => Promise<void>): Promise<Pair> {
  const a = await Registry.open(stores[0], { shared: true });
  const b = await Registry.open(stores[1], { shared: true });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.lifecycle.whenIdle(), b.lifecycle.whenIdle()]);
      a.close();
      b.close();
      await closeAll();
    },
  };
}

sharedRegistrySuite('memory', async () => {
  const store = new MemoryStore();
  return pairOver([store, store], () => store.close());
});

const skipEtcd = skipWithoutEtcd();
let etcd: EtcdServer | undefined;
sharedRegistrySuite(
  'etcd',
  async () => {
    etcd = await startEtcd();
    const open = () => EtcdStore.open({ endpoints: [etcd!.endpoint], prefix: '/shared' });
    const [s1, s2] = [await open(), await open()];
    return pairOver([s1, s2], async () => {
      await s1.close();
      await s2.close();
      await etcd?.stop();
    });
  },
  skipEtcd,
);
