// Shard ownership: the rendezvous assignment (balanced, every process agrees,
// a leaving member moves only its share), a Controller that only reconciles
// keys its coordinator owns and picks up the keys of shards it gains (through
// the Manager, as every controller is created), and the
// etcd coordinator against a real etcd — two members split the shards, a
// stopped member's shards move at once (also through a slow etcd, without the
// taker losing its own), a silent one's after its lease TTL,
// and a write fenced by a lost shard is refused by the store.

import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../src/api/object.js';
import { Manager } from '../../src/controller/manager.js';
import { enqueueForObject } from '../../src/controller/handler.js';
import { shardOf, targetOwner, type Coordinator, type CoordinatorHooks } from '../../src/controller/sharding.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { EtcdCoordinator } from '../../src/controller/etcdcoordinator.js';
import { writeFence } from '../../src/store/fence.js';
import { MemoryStore } from '../../src/store/memory.js';
import { StoreError } from '../../src/store/store.js';
import { skipWithoutEtcd, startEtcd, startTcpProxy, type EtcdServer } from '../helpers/etcd.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, fn: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await sleep(20);
  }
}

describe('rendezvous shard assignment', () => {
  it('spreads 64 shards evenly over members, and every member computes the same owner', () => {
    for (const members of [['a-1', 'b-2'], ['1201-9f3a0c11', '1202-07bb2e90', '1310-ffe01234']]) {
      const counts = new Map<string, number>();
      for (let s = 0; s < 64; s++) {
        const owner = targetOwner(s, members)!;
        assert.equal(targetOwner(s, [...members].reverse()), owner, 'order of the member list does not matter');
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      const fair = 64 / members.length;
      for (const m of members) assert.ok((counts.get(m) ?? 0) > fair * 0.5, `${m} gets ${counts.get(m) ?? 0} of 64 shards (fair share ${fair.toFixed(0)})`);
    }
  });

  it('a member leaving moves only its own shards', () => {
    const three = ['x', 'y', 'z'];
    for (let s = 0; s < 64; s++) {
      const before = targetOwner(s, three)!;
      if (before !== 'z') assert.equal(targetOwner(s, ['x', 'y']), before);
    }
  });
});

/** A coordinator the test moves shards of by hand. */
class HandCoordinator implements Coordinator {
  readonly id = 'hand';
  readonly shards = 4;
  owned = new Set<number>();
  hooks?: CoordinatorHooks;
  owns(key: string): boolean {
    return this.owned.has(shardOf(key, this.shards));
  }
  fence(): undefined {
    return undefined;
  }
  async start(hooks: CoordinatorHooks): Promise<void> {
    this.hooks = hooks;
  }
  async stop(): Promise<void> {}
  gain(s: number): void {
    this.owned.add(s);
    this.hooks?.gained(new Set([s]));
  }
}

describe('a Manager with a coordinator', () => {
  it('gates every controller it creates (Starlark reconcilers and allocation controllers alike) and resyncs gained shards', async () => {
    const reg = await Registry.open(new MemoryStore());
    const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
    for (let i = 0; i < 40; i++) await reg.create({ ...CM, metadata: { name: `cm-${i}`, namespace: 'default' } } as KObject);
    const coord = new HandCoordinator();
    coord.owned.add(0);
    const manager = new Manager(reg, { coordinator: coord });
    const seen = new Map<string, string[]>();
    for (const name of ['starlark', 'allocation']) {
      seen.set(name, []);
      const c = manager.newController(name, { reconcile: async (r) => void seen.get(name)!.push(`${r.namespace}/${r.name}`) });
      c.watch(manager.informers.informerFor(CM), enqueueForObject());
    }
    await manager.start();
    await manager.idle();
    const inShard = (s: number) => Array.from({ length: 40 }, (_, i) => `default/cm-${i}`).filter((k) => shardOf(k, 4) === s).sort();
    for (const [name, keys] of seen) assert.deepEqual([...keys].sort(), inShard(0), `${name}: only shard 0 keys ran`);
    assert.ok(manager.list().every((c) => c.droppedNotOwned() === 40 - inShard(0).length));
    for (const keys of seen.values()) keys.length = 0;
    coord.gain(2);
    await manager.idle();
    for (const [name, keys] of seen) assert.deepEqual([...keys].sort(), inShard(2), `${name}: gaining shard 2 runs exactly its cached keys`);
    await manager.stop();
  });

  it('does not queue events of shards it does not hold (they reach the queue through resync once gained)', async () => {
    const reg = await Registry.open(new MemoryStore());
    const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
    const coord = new (class extends HandCoordinator {
      holds(key: string): boolean {
        return this.owns(key);
      }
    })();
    coord.owned.add(0);
    const manager = new Manager(reg, { coordinator: coord });
    const ran: string[] = [];
    const c = manager.newController('held', { reconcile: async (r) => void ran.push(`${r.namespace}/${r.name}`) });
    c.watch(manager.informers.informerFor(CM), enqueueForObject());
    await manager.start();
    for (let i = 0; i < 40; i++) await reg.create({ ...CM, metadata: { name: `cm-${i}`, namespace: 'default' } } as KObject);
    await manager.idle();
    const inShard = (s: number) => Array.from({ length: 40 }, (_, i) => `default/cm-${i}`).filter((k) => shardOf(k, 4) === s).sort();
    assert.deepEqual([...ran].sort(), inShard(0));
    assert.equal(c.queue.addsAccepted, inShard(0).length, 'only the held shard\'s keys were queued');
    assert.equal(c.droppedNotOwned(), 40 - inShard(0).length);
    ran.length = 0;
    coord.gain(2);
    await manager.idle();
    assert.deepEqual([...ran].sort(), inShard(2), 'gaining shard 2 runs exactly its cached keys');
    await manager.stop();
  });

  it('a key taken while its shard is still held but the renew deadline has lapsed is retried, not dropped, once renewal recovers', async () => {
    const reg = await Registry.open(new MemoryStore());
    const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
    // The etcd coordinator's owns() turns false when a renewal is late although the shards stay held;
    // a late renewal that then succeeds announces nothing (no gained()), so a dropped key would wait for its next event.
    const coord = new (class extends HandCoordinator {
      lapsed = false;
      override owns(key: string): boolean {
        return !this.lapsed && super.owns(key);
      }
      holds(key: string): boolean {
        return super.owns(key);
      }
    })();
    coord.owned.add(0).add(1).add(2).add(3);
    const manager = new Manager(reg, { coordinator: coord });
    const ran = new Set<string>();
    const c = manager.newController('lapse', { reconcile: async (r) => void ran.add(r.name) });
    c.watch(manager.informers.informerFor(CM), enqueueForObject());
    await manager.start();
    coord.lapsed = true;
    for (let i = 0; i < 8; i++) await reg.create({ ...CM, metadata: { name: `cm-${i}`, namespace: 'default' } } as KObject);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ran.size, 0, 'nothing runs while the deadline has lapsed');
    coord.lapsed = false;
    for (let i = 0; i < 100 && ran.size < 8; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ran.size, 8, `every key is reconciled after renewal recovers (ran ${[...ran].sort().join(', ')})`);
    await manager.stop();
  });
});

const skipEtcd = skipWithoutEtcd();
describe('etcd coordinator', { skip: skipEtcd }, () => {
  let etcd: EtcdServer;
  let prefixes = 0;
  const prefix = () => `/coord${process.pid}-${++prefixes}`;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  const hooks = (gained: number[][] = []): CoordinatorHooks => ({ gained: (s) => gained.push([...s]), busy: () => false });
  const owned = (c: EtcdCoordinator) => c.ownedShards().length;

  it('two members split the 64 shards without overlap; a stopped member hands its shards over at once', async () => {
    const p = prefix();
    const a = new EtcdCoordinator({ endpoints: [etcd.endpoint], prefix: p, tickMs: 100 });
    const b = new EtcdCoordinator({ endpoints: [etcd.endpoint], prefix: p, tickMs: 100 });
    try {
      await a.start(hooks());
      assert.equal(owned(a), 64, 'a lone member owns every shard');
      await b.start(hooks());
      await eventually('b holds its share', () => owned(a) + owned(b) === 64 && owned(b) > 10 && owned(a) > 10, 5000);
      const sa = new Set(a.ownedShards());
      assert.ok(b.ownedShards().every((s) => !sa.has(s)), 'no shard owned twice');
      const t0 = Date.now();
      await b.stop();
      await eventually('a owns all again', () => owned(a) === 64, 5000);
      assert.ok(Date.now() - t0 < 3000, 'graceful stop hands over well within the lease TTL');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("garbage collection a fenced reconcile triggers does not run under that reconcile's fence", async () => {
    const p = prefix();
    const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: p });
    const raw = new Etcd3({ hosts: `http://${etcd.endpoint}` });
    try {
      const reg = await Registry.open(store);
      const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
      const owner = await reg.create({ ...CM, metadata: { name: 'owner', namespace: 'default' } } as KObject);
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! };
      for (let i = 0; i < 60; i++) await reg.create({ ...CM, metadata: { name: `dep-${i}`, namespace: 'default', ownerReferences: [ref] } } as KObject);
      // A shard key this "reconcile" holds; it is lost right after the reconcile's delete returns.
      const shardKey = `${p}.coordination/shards/test`;
      const put = await raw.put(shardKey).value('me').exec();
      const fence = { key: shardKey, createRevision: put.header.revision, what: 'shard test' };
      await writeFence.run(fence, () => reg.delete(CM, 'default', 'owner'));
      await raw.delete().key(shardKey).exec();
      const deadline = Date.now() + 8000;
      let left = -1;
      while (Date.now() < deadline) {
        left = (await store.list({ resource: 'core/configmaps', namespace: 'default' })).items.filter((o) => o.metadata.name!.startsWith('dep-')).length;
        if (left === 0) break;
        await sleep(100);
      }
      assert.equal(left, 0, 'every dependent is collected although the fence of the delete that triggered it is gone');
      reg.close();
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('taking over 32 freed shards from a slow etcd is quick and does not cost the taker its own shards', async () => {
    // Every request a sends waits 150 ms (a loaded etcd's write sync). The shards a
    // takes over must be acquired at once, not one round trip after the other: 32
    // sequential round trips (~5 s) outlast a's lease validity (TTL 3 s − 1 s), so a
    // stopped starting the reconciles of its own shards and its lease expired mid-takeover.
    const p = prefix();
    const proxy = await startTcpProxy(etcd.endpoint, { delayMs: 150 });
    const log: string[] = [];
    const a = new EtcdCoordinator({ endpoints: [proxy.endpoint], prefix: p, tickMs: 100, ttlSeconds: 3, safetyMs: 1000, log: (l) => log.push(l) });
    const b = new EtcdCoordinator({ endpoints: [etcd.endpoint], prefix: p, tickMs: 100, ttlSeconds: 3, safetyMs: 1000 });
    try {
      await b.start(hooks());
      await a.start(hooks());
      await eventually('both own shards', () => owned(a) > 10 && owned(b) > 10 && owned(a) + owned(b) === 64, 10_000);
      const keys = Array.from({ length: 200 }, (_, i) => `default/k-${i}`);
      await eventually(`a owns a key (log: ${log.join(' | ')})`, () => keys.some((k) => a.owns(k)), 5000);
      const mine = keys.find((k) => a.owns(k))!;
      await b.stop(); // frees b's shards at once; a (the only member now) takes them all
      const t0 = Date.now();
      let lapses = 0;
      while (owned(a) < 64 && Date.now() - t0 < 10_000) {
        if (!a.owns(mine)) lapses++;
        await sleep(20);
      }
      assert.equal(owned(a), 64, `a owns every shard (log: ${log.join(' | ')})`);
      assert.ok(Date.now() - t0 < 3000, `a took over within 3 s (${Date.now() - t0} ms; log: ${log.join(' | ')})`);
      assert.equal(lapses, 0, 'a kept its own shards while taking over');
    } finally {
      await a.stop();
      await b.stop();
      await proxy.close();
    }
  });

  it('a member cut off from etcd stops owning before its lease can expire; the other takes over after the TTL; its stale fenced writes are refused', async () => {
    const p = prefix();
    const proxy = await startTcpProxy(etcd.endpoint);
    const a = new EtcdCoordinator({ endpoints: [proxy.endpoint], prefix: p, tickMs: 100, ttlSeconds: 3, safetyMs: 1000 });
    const b = new EtcdCoordinator({ endpoints: [etcd.endpoint], prefix: p, tickMs: 100, ttlSeconds: 3, safetyMs: 1000 });
    const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: p });
    try {
      await a.start(hooks());
      await b.start(hooks());
      await eventually('both own shards', () => owned(a) > 10 && owned(b) > 10 && owned(a) + owned(b) === 64, 5000);
      const key = Array.from({ length: 200 }, (_, i) => `default/k-${i}`).find((k) => a.owns(k))!;
      const fence = a.fence(key)!;
      // A fenced write while a owns the shard goes through.
      const cmKey = { resource: 'core/configmaps', namespace: 'default', name: 'fenced' };
      await writeFence.run(fence, () => store.create(cmKey, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fenced', namespace: 'default' } }));

      proxy.cut();
      const cutAt = Date.now();
      await eventually('a stops owning', () => !a.owns(key), 5000);
      const quietAt = Date.now();
      await eventually('b owns every shard', () => owned(b) === 64, 10_000);
      const takenAt = Date.now();
      assert.ok(quietAt < takenAt, 'a went quiet before b took over');
      assert.ok(takenAt - cutAt >= 2000, `b waited for a's lease to expire (${takenAt - cutAt} ms)`);
      // a's fence (the shard key's old create revision) no longer holds: its write is refused.
      const current = (await store.get(cmKey))!;
      await assert.rejects(
        writeFence.run(fence, () => store.update(cmKey, { ...current, data: { late: 'write' } })),
        (err) => err instanceof StoreError && err.code === 'Unavailable' && /no longer owned/.test(err.message),
      );
      assert.equal((await store.get(cmKey))!.data, undefined, 'the stale write did not land');
    } finally {
      proxy.restore();
      await a.stop();
      await b.stop();
      await store.close();
      await proxy.close();
    }
  });
});
