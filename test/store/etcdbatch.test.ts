// The etcd backend's group commit (src/store/etcd/writes.ts) against a real
// etcd: writes issued together, or while a txn is in flight, go out together as
// one txn of nested per-write txns. Each write must still succeed or fail on its own, two
// writes of one key must never share a txn (etcd refuses the whole txn), a
// batch on a dead connection fails at once, and a watch delivers every write
// of a batch (they share one revision).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { writeFence } from '../../src/store/fence.js';
import { StoreError, type ObjectKey, type WatchEvent } from '../../src/store/store.js';
import { skipWithoutEtcd, startEtcd, startTcpProxy, type EtcdServer } from '../helpers/etcd.js';

const skip = skipWithoutEtcd();
let etcd: EtcdServer | undefined;
let prefixes = 0;
const freshPrefix = () => `/b${process.pid}-${++prefixes}`;

const CM = 'core/configmaps';
const key = (name: string): ObjectKey => ({ resource: CM, namespace: 'd', name });
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd' }, data });
const rv = (o: KObject) => Number(o.metadata.resourceVersion);
/** The outcome of a write: "ok@<revision>" or its error code. */
const outcome = (p: Promise<KObject>) =>
  p.then(
    (o) => `ok@${o.metadata.resourceVersion}`,
    (e: unknown) => (e instanceof StoreError ? e.code : `unexpected ${String(e)}`),
  );

if (skip) {
  test('etcd group commit', { skip }, () => {});
} else {
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  describe('etcd store: concurrent writes share txns', () => {
    const open = (extra: Partial<Parameters<typeof EtcdStore.open>[0]> = {}) => EtcdStore.open({ endpoints: [etcd!.endpoint], prefix: freshPrefix(), ...extra });

    test('each write of a batch succeeds or fails on its own: a conflict, a missing or existing object fail, the others commit', async () => {
      const s = await open();
      try {
        const objs = await Promise.all(Array.from({ length: 8 }, (_, i) => s.create(key(`o${i}`), cm(`o${i}`, { v: '0' }))));
        const stale = String(rv(objs[1]!) - 1);
        const txns = s.stats.txns;
        const results = await Promise.all([
          outcome(s.update(key('o0'), cm('o0', { v: '1' }), { expectedResourceVersion: objs[0]!.metadata.resourceVersion })),
          outcome(s.update(key('o1'), cm('o1', { v: 'stale' }), { expectedResourceVersion: stale })),
          outcome(s.update(key('o2'), cm('o2', { v: '1' }), { expectedResourceVersion: objs[2]!.metadata.resourceVersion })),
          outcome(s.update(key('missing'), cm('missing'))),
          outcome(s.create(key('o3'), cm('o3', { v: 'again' }))),
          outcome(s.create(key('new'), cm('new', { v: '1' }))),
          outcome(s.delete(key('o4'), { expectedResourceVersion: objs[4]!.metadata.resourceVersion })),
          outcome(s.delete(key('o5'), { expectedResourceVersion: stale })),
          outcome(s.delete(key('gone'))),
          outcome(s.update(key('o6'), cm('o6', { v: '1' }))),
        ]);
        assert.ok(s.stats.txns - txns <= 3, `10 concurrent writes took ${s.stats.txns - txns} txns`);
        const [first, ...batched] = results;
        assert.match(first!, /^ok@\d+$/);
        const okRevs = new Set(batched.filter((r) => r.startsWith('ok@')));
        assert.equal(okRevs.size, 1, `the batch's writes share one revision: ${results.join(', ')}`);
        const shared = [...okRevs][0]!;
        assert.deepEqual(batched, ['Conflict', shared, 'NotFound', 'AlreadyExists', shared, shared, 'Conflict', 'NotFound', shared]);
        const data = async (n: string) => ((await s.get(key(n)))?.data as Record<string, string> | undefined)?.v;
        assert.deepEqual(await Promise.all(['o0', 'o1', 'o2', 'o3', 'new', 'o4', 'o5', 'o6', 'missing'].map(data)), ['1', '0', '1', '0', '1', undefined, '0', '1', undefined]);
        assert.equal(await s.currentRevision(), shared.slice(3), 'one revision for the batch, none for its failed writes');
      } finally {
        await s.close();
      }
    });

    test('two writes of one key never share a txn: they commit one after the other, in issue order', async () => {
      const s = await open();
      try {
        const base = await s.create(key('k'), cm('k', { v: '0' }));
        const txns = s.stats.txns;
        const writes = [
          // Issued in one tick on an idle store: the first batch takes one write of each key.
          s.create(key('first'), cm('first')),
          s.update(key('k'), cm('k', { v: '1' })),
          s.create(key('x'), cm('x')),
          s.update(key('k'), cm('k', { v: '2' })),
          s.delete(key('x')),
          s.update(key('k'), cm('k', { v: '3' })),
          s.create(key('y'), cm('y')),
        ];
        const [, k1, x, k2, xGone, k3, y] = await Promise.all(writes);
        assert.ok(rv(k1!) > rv(base) && rv(k2!) > rv(k1!) && rv(k3!) > rv(k2!), `k: ${[base, k1, k2, k3].map((o) => rv(o!)).join(' < ')}`);
        assert.ok(rv(xGone!) > rv(x!));
        assert.equal(rv(y!), rv(k1!), 'writes of other keys share the batch');
        assert.equal(rv(x!), rv(k1!), 'the writes issued together on an idle store share the first txn');
        assert.equal(s.stats.txns - txns, 3);
        assert.deepEqual((await s.get(key('k')))?.data, { v: '3' });
        assert.equal(await s.get(key('x')), undefined);
      } finally {
        await s.close();
      }
    });

    test('a write left for the next batch (the batch was full) holds back the later writes of its key', async () => {
      const s = await open();
      try {
        const big = (name: string) => cm(name, { payload: 'x'.repeat(600_000) });
        const [, a1, a2] = await Promise.all([
          s.create(key('b'), big('b')),
          s.create(key('a'), big('a')), // does not fit beside b's 600 kB: next batch
          s.update(key('a'), cm('a', { v: 'small' })), // fits, but must follow a's create
        ]);
        assert.ok(rv(a2!) > rv(a1!));
        assert.deepEqual((await s.get(key('a')))?.data, { v: 'small' });
      } finally {
        await s.close();
      }
    });

    test('a fenced write whose fence is gone fails with Unavailable; the writes batched with it commit', async () => {
      const s = await open();
      try {
        const fence = { key: `${freshPrefix()}/shard-0`, createRevision: '1', what: 'shard 0' };
        const results = await Promise.all([
          outcome(s.create(key('a'), cm('a'))),
          outcome(writeFence.run(fence, () => s.create(key('fenced'), cm('fenced')))),
          outcome(s.create(key('b'), cm('b'))),
        ]);
        assert.equal(results[1], 'Unavailable');
        assert.match(results[2]!, /^ok@/);
        assert.equal(await s.get(key('fenced')), undefined);
      } finally {
        await s.close();
      }
    });

    test('a batch while the connection is down fails every write with Unavailable at once; none is applied', async () => {
      const proxy = await startTcpProxy(etcd!.endpoint);
      const s = await open({ endpoints: [proxy.endpoint] });
      try {
        await s.create(key('a'), cm('a'));
        proxy.cut();
        const t0 = Date.now();
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome(s.create(key(`n${i}`), cm(`n${i}`)))));
        assert.deepEqual(results, Array(10).fill('Unavailable'));
        assert.ok(Date.now() - t0 < 5000, `failing took ${Date.now() - t0} ms`);
        proxy.restore();
        const again = await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(key(`n${i}`), cm(`n${i}`))));
        assert.equal(again.length, 10, 'none of the failed writes had been applied (no AlreadyExists)');
      } finally {
        await s.close();
        await proxy.close();
      }
    });

    test('an etcd with a lower --max-request-bytes than a batch: the refused batch goes again one write per txn, every write commits once', async () => {
      const small = await startEtcd(['--max-request-bytes', String(64 * 1024)]);
      const s = await EtcdStore.open({ endpoints: [small.endpoint], prefix: freshPrefix() });
      try {
        const big = (i: number) => cm(`big${i}`, { payload: String(i).padEnd(20_000, 'x') });
        const created = await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(key(`big${i}`), big(i))));
        assert.equal(created.length, 10);
        for (let i = 0; i < 10; i++) assert.equal(((await s.get(key(`big${i}`)))?.data as Record<string, string>).payload.length, 20_000);
        // Each write alone over the limit still fails with etcd's own error.
        await assert.rejects(s.create(key('huge'), cm('huge', { payload: 'x'.repeat(100_000) })), /too large/);
      } finally {
        await s.close();
        await small.stop();
      }
    });

    test('more concurrent writes than etcd allows ops in one txn (--max-txn-ops 128, shared with the nested txns): all commit, in as few txns as fit', async () => {
      // 64 workers each applying 3 children at once issue ~190 writes together. etcd counts a
      // nested txn's ops against what the outer txn leaves of the limit, so a batch of 128 writes
      // with compares in each was refused whole ("too many operations in txn request").
      const s = await open();
      try {
        const txns = s.stats.txns;
        const results = await Promise.all(Array.from({ length: 300 }, (_, i) => outcome(s.create(key(`m${i}`), cm(`m${i}`)))));
        assert.deepEqual(results.filter((r) => !r.startsWith('ok@')), []);
        assert.ok(s.stats.txns - txns <= 4, `${s.stats.txns - txns} txns for 300 writes`);
        assert.equal((await s.list({ resource: CM })).items.filter((o) => o.metadata.name!.startsWith('m')).length, 300);
      } finally {
        await s.close();
      }
    });

    test('an etcd with a lower --max-txn-ops than a batch: the refused batch goes again one write per txn, every write commits once', async () => {
      const small = await startEtcd(['--max-txn-ops', '16']);
      const s = await EtcdStore.open({ endpoints: [small.endpoint], prefix: freshPrefix() });
      try {
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(s.create(key(`t${i}`), cm(`t${i}`)))));
        assert.deepEqual(results.filter((r) => !r.startsWith('ok@')), []);
        assert.equal((await s.list({ resource: CM })).items.length, 40);
      } finally {
        await s.close();
        await small.stop();
      }
    });

    test('a watch delivers every write of a batch, once; resuming from the batch revision skips all of them, from the one before gets all', async () => {
      const s = await open();
      try {
        const from = await s.currentRevision();
        const events: WatchEvent[] = [];
        const w = s.watch({ resource: CM }, { resourceVersion: from }, (ev) => void events.push(ev));
        const written = await Promise.all(Array.from({ length: 30 }, (_, i) => s.create(key(`w${i}`), cm(`w${i}`))));
        const revs = written.map(rv);
        const shared = revs.find((r) => revs.filter((x) => x === r).length > 1);
        assert.ok(shared !== undefined, `concurrent writes shared a txn: ${revs.join(',')}`);
        while (events.length < 30) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50));
        w.stop();
        assert.deepEqual(events.map((e) => e.object.metadata.name).sort(), written.map((o) => o.metadata.name).sort());
        assert.deepEqual(events.map((e) => rv(e.object)), [...revs].sort((a, b) => a - b));
        const atShared = written.filter((o) => rv(o) === shared).length;
        const resumed = async (after: number) => {
          const got: WatchEvent[] = [];
          const w2 = s.watch({ resource: CM }, { resourceVersion: String(after) }, (ev) => void got.push(ev));
          const expected = revs.filter((r) => r > after).length;
          const t0 = Date.now();
          while (got.length < expected && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
          await new Promise((r) => setTimeout(r, 50));
          w2.stop();
          return got.map((e) => rv(e.object));
        };
        assert.equal((await resumed(shared! - 1)).filter((r) => r === shared).length, atShared);
        assert.equal((await resumed(shared!)).filter((r) => r === shared).length, 0);
      } finally {
        await s.close();
      }
    });
  });
}
