// The etcd backend against a real etcd (started by test/helpers/etcd.ts on
// loopback ports): the shared conformance suite, plus what only etcd has —
// several clients on one store, the Kubernetes key layout, namespace order
// across paged lists, and watches that survive an etcd restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import type { KObject } from '../../src/api/object.js';
import { EtcdStore, parseEtcdSpec } from '../../src/store/etcd.js';
import { StoreError, type ObjectKey, type WatchEvent } from '../../src/store/store.js';
import { openStore } from '../../src/store/open.js';
import { skipWithoutEtcd, startEtcd, startTcpProxy, type EtcdServer } from '../helpers/etcd.js';
import { runStoreConformance } from './conformance.js';

const skip = skipWithoutEtcd();
let etcd: EtcdServer | undefined;
let prefixes = 0;
/** A fresh, empty store: its own key prefix in the shared test etcd. */
const freshPrefix = () => `/t${process.pid}-${++prefixes}`;

const CM = 'core/configmaps';
const key = (namespace: string, name: string): ObjectKey => ({ resource: CM, namespace, name });
const cm = (namespace: string, name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (skip) {
  test('etcd store backend', { skip }, () => {});
} else {
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  runStoreConformance('etcd', (opts) => EtcdStore.open({ endpoints: [etcd!.endpoint], prefix: freshPrefix(), historySize: opts?.historySize }));

  describe('etcd store: beyond the conformance suite', () => {
    const open = (prefix: string, extra: Partial<Parameters<typeof EtcdStore.open>[0]> = {}) => EtcdStore.open({ endpoints: [etcd!.endpoint], prefix, ...extra });

    test('a connection that goes silent is dropped after an unanswered PING: writes and the watch go on over a new one', async () => {
      const prefix = freshPrefix();
      const proxy = await startTcpProxy(etcd!.endpoint);
      const store = await EtcdStore.open({ endpoints: [proxy.endpoint], prefix, callTimeoutMs: 2000, keepAlive: { intervalMs: 200, timeoutMs: 400 } });
      const seen: string[] = [];
      const w = store.watch({ resource: CM }, { resourceVersion: await store.currentRevision() }, (ev) => seen.push(ev.object.metadata.name!));
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 100 && !ok(); i++) await sleep(50);
      };
      try {
        await store.create(key('s', 'before'), cm('s', 'before'));
        await until(() => seen.includes('before'));
        assert.deepEqual(seen, ['before']);
        proxy.blackhole(); // the open connection now answers nothing, without closing
        await sleep(1000); // PINGs go unanswered: the session is dropped
        const t0 = Date.now();
        await store.create(key('s', 'after'), cm('s', 'after'));
        assert.ok(Date.now() - t0 < 1500, `the write took ${Date.now() - t0} ms (a silent connection waits for its deadline)`);
        await until(() => seen.includes('after'));
        assert.deepEqual(seen, ['before', 'after']);
      } finally {
        w.stop();
        await store.close();
        await proxy.close();
      }
    });

    test('two clients on one prefix share objects and optimistic concurrency', async () => {
      const prefix = freshPrefix();
      const a = await open(prefix);
      const b = await open(prefix);
      try {
        const created = await a.create(key('d', 'x'), cm('d', 'x', { by: 'a' }));
        assert.deepEqual(await b.get(key('d', 'x')), created);
        const fromB = await b.update(key('d', 'x'), cm('d', 'x', { by: 'b' }), { expectedResourceVersion: created.metadata.resourceVersion });
        await assert.rejects(a.update(key('d', 'x'), cm('d', 'x', { by: 'a again' }), { expectedResourceVersion: created.metadata.resourceVersion }), (e: unknown) => e instanceof StoreError && e.code === 'Conflict');
        assert.deepEqual((await a.get(key('d', 'x')))?.data, { by: 'b' });
        await assert.rejects(b.create(key('d', 'x'), cm('d', 'x')), (e: unknown) => e instanceof StoreError && e.code === 'AlreadyExists');
        assert.equal(fromB.metadata.resourceVersion, (await a.get(key('d', 'x')))?.metadata.resourceVersion);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('objects live under <prefix>/<group>/<plural>/<namespace>/<name>, resourceVersion = mod revision', async () => {
      const prefix = freshPrefix();
      const s = await open(prefix);
      const raw = new Etcd3({ hosts: `http://${etcd!.endpoint}` });
      try {
        const created = await s.create(key('prod', 'web'), cm('prod', 'web', { k: 'v' }));
        await s.create({ resource: 'core/namespaces', namespace: '', name: 'prod' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } });
        const keys = await raw.getAll().prefix(`${prefix}/`).keys();
        assert.deepEqual(keys.sort(), [`${prefix}/core/configmaps/prod/web`, `${prefix}/core/namespaces//prod`]);
        const res = await raw.kv.range({ key: Buffer.from(`${prefix}/core/configmaps/prod/web`) });
        assert.equal(res.kvs[0].mod_revision, created.metadata.resourceVersion);
        const stored = JSON.parse(res.kvs[0].value.toString()) as KObject;
        assert.equal(stored.metadata.resourceVersion, undefined, 'the revision is not stored in the value');
        assert.deepEqual(stored.data, { k: 'v' });
      } finally {
        raw.close();
        await s.close();
      }
    });

    test('paged lists across namespaces keep namespace order where etcd key order differs ("a-b/" < "a/")', async () => {
      const s = await open(freshPrefix());
      try {
        const namespaces = ['a-b-c', 'a', 'b', 'a-b', 'a-c', 'ab'];
        for (const ns of namespaces) for (let i = 0; i < 4; i++) await s.create(key(ns, `o${i}`), cm(ns, `o${i}`, { i: String(i) }));
        const full = (await s.list({ resource: CM })).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
        const expected = [...namespaces].sort().flatMap((ns) => [0, 1, 2, 3].map((i) => `${ns}/o${i}`));
        assert.deepEqual(full, expected);
        for (const limit of [1, 3, 4, 7]) {
          const got: string[] = [];
          let token: string | undefined;
          do {
            const page = await s.list({ resource: CM }, { limit, continue: token });
            got.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
            token = page.continue;
          } while (token);
          assert.deepEqual(got, expected, `limit ${limit}`);
        }
        // With a filter, limit counts passing objects only.
        const even = await s.list({ resource: CM }, { limit: 5, filter: (o) => Number((o.data as Record<string, string>).i) % 2 === 0 });
        assert.deepEqual(even.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['a/o0', 'a/o2', 'a-b/o0', 'a-b/o2', 'a-b-c/o0']);
      } finally {
        await s.close();
      }
    });

    test('a watch survives an etcd restart: every write is delivered exactly once, in order', async () => {
      const prefix = freshPrefix();
      const writer = await open(prefix, { callTimeoutMs: 2000 });
      const watcher = await open(prefix);
      const events: WatchEvent[] = [];
      const errors: StoreError[] = [];
      const from = await watcher.currentRevision();
      const w = watcher.watch({ resource: CM }, { resourceVersion: from }, (ev) => events.push(ev), (err) => errors.push(err));
      try {
        const written: number[] = [];
        const write = async (name: string) => {
          // Retry while etcd is down; a write counts once it has a revision.
          for (let attempt = 0; ; attempt++) {
            try {
              const o = await writer.create(key('d', name), cm('d', name));
              written.push(Number(o.metadata.resourceVersion));
              return;
            } catch (err) {
              if (!(err instanceof StoreError) || err.code !== 'Unavailable' || attempt > 100) throw err;
              await sleep(100);
            }
          }
        };
        for (let i = 0; i < 20; i++) await write(`before${i}`);
        await waitUntil(() => events.length >= 20, 5000, () => `${events.length} events before the restart`);
        await etcd!.kill();
        await sleep(300); // the watch stream notices the drop and starts reconnecting
        await etcd!.start();
        // Written while the watcher is still reconnecting (its backoff), and after.
        for (let i = 0; i < 20; i++) await write(`after${i}`);
        await waitUntil(() => events.length >= 40, 10_000, () => `${events.length} of 40 events after the restart`);
        await sleep(200);
        assert.deepEqual(errors, []);
        const delivered = events.map((e) => Number(e.object.metadata.resourceVersion));
        assert.deepEqual(delivered, written, 'every write once, in revision order');
        assert.ok(events.every((e) => e.type === 'ADDED'));
      } finally {
        w.stop();
        await writer.close();
        await watcher.close();
      }
    });

    test('a watch cut off from etcd resumes at the next undelivered revision: writes made meanwhile arrive once', async () => {
      const prefix = freshPrefix();
      const proxy = await startTcpProxy(etcd!.endpoint);
      const writer = await open(prefix);
      const watcher = await EtcdStore.open({ endpoints: [proxy.endpoint], prefix });
      const events: WatchEvent[] = [];
      const errors: StoreError[] = [];
      const w = watcher.watch({ resource: CM }, { resourceVersion: await watcher.currentRevision() }, (ev) => events.push(ev), (err) => errors.push(err));
      try {
        const written: string[] = [];
        const burst = async (tag: string) => {
          for (let i = 0; i < 10; i++) {
            const o = await writer.create(key('d', `${tag}${i}`), cm('d', `${tag}${i}`));
            written.push(o.metadata.resourceVersion!);
            if (i % 3 === 0) written.push((await writer.update(key('d', `${tag}${i}`), cm('d', `${tag}${i}`, { v: '2' }))).metadata.resourceVersion!);
          }
        };
        await burst('a');
        await waitUntil(() => events.length === written.length, 3000, () => `${events.length} of ${written.length} events`);
        proxy.cut();
        await burst('b'); // the watcher cannot reach etcd while these happen
        await sleep(300);
        assert.equal(events.length, 14, 'nothing arrives while cut off');
        proxy.restore();
        await burst('c');
        await waitUntil(() => events.length >= written.length, 5000, () => `${events.length} of ${written.length} events`);
        await sleep(200);
        assert.deepEqual(errors, []);
        assert.deepEqual(events.map((e) => e.object.metadata.resourceVersion), written, 'every write once, in revision order');
        assert.deepEqual(events.slice(0, 3).map((e) => e.type), ['ADDED', 'MODIFIED', 'ADDED']);
      } finally {
        w.stop();
        await writer.close();
        await watcher.close();
        await proxy.close();
      }
    });

    test('a watch cut off while catching up on a long backlog (etcd sends it in 1000-revision batches) loses nothing', async () => {
      const prefix = freshPrefix();
      const proxy = await startTcpProxy(etcd!.endpoint);
      const writer = await open(prefix);
      const watcher = await EtcdStore.open({ endpoints: [proxy.endpoint], prefix });
      const N = 2500;
      try {
        const from = await writer.currentRevision();
        const written: string[] = [];
        for (let i = 0; i < N; i += 100) {
          const batch = await Promise.all(Array.from({ length: 100 }, (_, j) => writer.create(key(`n${j % 5}`, `o${i + j}`), cm(`n${j % 5}`, `o${i + j}`))));
          written.push(...batch.map((o) => o.metadata.resourceVersion!));
        }
        written.sort((x, y) => Number(x) - Number(y));
        const events: WatchEvent[] = [];
        const errors: StoreError[] = [];
        let cutAt = -1;
        const w = watcher.watch({ resource: CM }, { resourceVersion: from }, (ev) => {
          events.push(ev);
          if (cutAt < 0) {
            cutAt = events.length; // inside the first batch: drop the connection right away
            proxy.cut();
            setTimeout(() => proxy.restore(), 200);
          }
        }, (err) => errors.push(err));
        try {
          await waitUntil(() => events.length >= N || errors.length > 0, 15_000, () => `${events.length} of ${N} events`);
          await sleep(100);
        } finally {
          w.stop();
        }
        assert.deepEqual(errors, []);
        assert.ok(cutAt > 0);
        assert.equal(events.length, N);
        assert.deepEqual(events.map((e) => e.object.metadata.resourceVersion), written, 'every write once, in revision order');
      } finally {
        await writer.close();
        await watcher.close();
        await proxy.close();
      }
    });

    test('a watch whose resume point was compacted while it was cut off ends with Gone', async () => {
      const prefix = freshPrefix();
      const proxy = await startTcpProxy(etcd!.endpoint);
      const writer = await open(prefix, { historySize: 4 });
      const watcher = await EtcdStore.open({ endpoints: [proxy.endpoint], prefix });
      const events: WatchEvent[] = [];
      const errors: StoreError[] = [];
      const w = watcher.watch({ resource: CM }, { resourceVersion: await watcher.currentRevision() }, (ev) => events.push(ev), (err) => errors.push(err));
      try {
        await writer.create(key('d', 'first'), cm('d', 'first'));
        await waitUntil(() => events.length === 1, 3000, () => 'the first event');
        proxy.cut();
        for (let i = 0; i < 10; i++) await writer.create(key('d', `o${i}`), cm('d', `o${i}`));
        proxy.restore();
        await waitUntil(() => errors.length > 0, 5000, () => 'an error after reconnecting');
        assert.equal(errors[0].code, 'Gone');
        assert.equal(events.length, 1, 'no partial replay before Gone');
      } finally {
        w.stop();
        await writer.close();
        await watcher.close();
        await proxy.close();
      }
    });

    test('a watch "from now" on an idle client works after other clients wrote and compacted past what it last saw', async () => {
      const prefix = freshPrefix();
      const idle = await open(prefix);
      const busy = await open(prefix, { historySize: 4 });
      try {
        for (let i = 0; i < 12; i++) await busy.create(key('d', `o${i}`), cm('d', `o${i}`));
        const events: WatchEvent[] = [];
        const errors: StoreError[] = [];
        const w = idle.watch({ resource: CM }, {}, (ev) => events.push(ev), (err) => errors.push(err));
        await sleep(200);
        const later = await busy.create(key('d', 'later'), cm('d', 'later'));
        await waitUntil(() => events.some((e) => e.object.metadata.name === 'later') || errors.length > 0, 3000, () => 'the later event');
        w.stop();
        assert.deepEqual(errors, []);
        assert.equal(events.at(-1)?.object.metadata.resourceVersion, later.metadata.resourceVersion);
      } finally {
        await idle.close();
        await busy.close();
      }
    });

    test('stopping watches does not make the store unavailable', async () => {
      // Informers stop and restart watches all the time; each stop cancels a gRPC stream.
      const s = await open(freshPrefix());
      try {
        const seen = [0, 0, 0, 0, 0];
        const watches = seen.map((_, i) => s.watch({ resource: CM }, {}, () => seen[i]++));
        await s.create(key('d', 'x'), cm('d', 'x'));
        await waitUntil(() => seen.every((n) => n === 1), 3000, () => `events seen: ${seen.join(', ')}`);
        for (const w of watches) w.stop();
        await sleep(50);
        assert.equal((await s.list({ resource: CM })).items.length, 1);
        await s.update(key('d', 'x'), cm('d', 'x', { still: 'writable' }));
      } finally {
        await s.close();
      }
    });

    test('watches of one resource from one revision share a decoded stream; a later watcher from an older revision still gets everything', async () => {
      const s = await open(freshPrefix());
      try {
        const rev = Number(await s.currentRevision());
        const seen = (w: WatchEvent[]) => (ev: WatchEvent) => void w.push(ev);
        const a: WatchEvent[] = [];
        const b: WatchEvent[] = [];
        const wa = s.watch({ resource: CM }, { resourceVersion: String(rev) }, seen(a));
        const wb = s.watch({ resource: CM }, { resourceVersion: String(rev) }, seen(b));
        await s.create(key('d', 'x'), cm('d', 'x'));
        await s.update(key('d', 'x'), cm('d', 'x', { v: '2' }));
        while (a.length < 2 || b.length < 2) await sleep(10);
        // One decode per event, handed to both: the very same frozen objects.
        assert.equal(a[0].object, b[0].object);
        assert.equal(a[1].object, b[1].object);
        assert.equal(a[1].prevObject, b[1].prevObject);
        assert.deepEqual(a[1].prevObject?.data, {});
        // The shared stream has passed `rev`: a watcher from `rev` now needs its own and misses nothing.
        const c: WatchEvent[] = [];
        const wc = s.watch({ resource: CM }, { resourceVersion: String(rev) }, seen(c));
        wa.stop();
        await s.delete(key('d', 'x'));
        while (b.length < 3 || c.length < 3) await sleep(10);
        assert.deepEqual(c.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
        assert.deepEqual(b.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
        assert.equal(a.length, 2);
        wb.stop();
        wc.stop();
      } finally {
        await s.close();
      }
    });

    test('a write returns what was stored, even when the caller edits its object while the write is in flight', async () => {
      const s = await open(freshPrefix());
      try {
        const obj = cm('d', 'x', { v: 'sent' });
        const pending = s.create(key('d', 'x'), obj);
        (obj.data as Record<string, string>).v = 'edited later';
        const created = await pending;
        assert.deepEqual(created.data, { v: 'sent' });
        assert.deepEqual(await s.get(key('d', 'x')), created);
        const upd = cm('d', 'x', { v: 'second' });
        const updating = s.update(key('d', 'x'), upd);
        upd.metadata.labels = { late: 'yes' };
        const updated = await updating;
        assert.equal(updated.metadata.labels, undefined);
        assert.deepEqual(await s.get(key('d', 'x')), updated);
        assert.ok(Object.isFrozen(updated) && Object.isFrozen(updated.data));
      } finally {
        await s.close();
      }
    });

    test("the watch event of this client's own write carries the object the write returned; another client's write is decoded", async () => {
      const prefix = freshPrefix();
      const s = await open(prefix);
      const other = await open(prefix);
      try {
        const events: WatchEvent[] = [];
        const w = s.watch({ resource: CM }, { resourceVersion: await s.currentRevision() }, (ev) => void events.push(ev));
        const created = await s.create(key('d', 'x'), cm('d', 'x', { v: '1' }));
        const sent = cm('d', 'x', { v: '2' });
        const pending = s.update(key('d', 'x'), sent);
        (sent.data as Record<string, string>).v = 'edited while in flight';
        const updated = await pending;
        const theirs = await other.update(key('d', 'x'), cm('d', 'x', { v: '3' }));
        while (events.length < 3) await sleep(10);
        // Own writes: the very objects the writes returned (one copy shared by the writer and every watcher).
        assert.equal(events[0].object, created);
        assert.equal(events[1].object, updated);
        assert.deepEqual(updated.data, { v: '2' });
        // Another process's write: decoded from etcd, equal to what that process stored.
        assert.notEqual(events[2].object, theirs);
        assert.deepEqual(events[2].object, theirs);
        assert.deepEqual(events[2].prevObject, updated);
        w.stop();
      } finally {
        await s.close();
        await other.close();
      }
    });

    test('a write while the connection to etcd is down fails with Unavailable at once; the next write after it is back reconnects', async () => {
      const proxy = await startTcpProxy(etcd!.endpoint);
      const s = await open(freshPrefix(), { endpoints: [proxy.endpoint] });
      try {
        await s.create(key('d', 'a'), cm('d', 'a'));
        proxy.cut();
        const t0 = Date.now();
        await assert.rejects(s.create(key('d', 'b'), cm('d', 'b')), (e: unknown) => e instanceof StoreError && e.code === 'Unavailable');
        assert.ok(Date.now() - t0 < 5000, `failing took ${Date.now() - t0} ms`);
        proxy.restore();
        const b = await s.create(key('d', 'b'), cm('d', 'b'));
        assert.deepEqual(await s.get(key('d', 'b')), b);
      } finally {
        await s.close();
        await proxy.close();
      }
    });

    test('concurrent gets share round trips, and each sees every write acknowledged before it was called', async () => {
      const s = await open(freshPrefix());
      try {
        await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(key('d', `o${i}`), cm('d', `o${i}`, { i: String(i) }))));
        const before = s.stats.reads;
        const got = await Promise.all(Array.from({ length: 200 }, (_, i) => s.get(key('d', `o${i % 60}`))));
        assert.deepEqual(got.map((o) => (o?.data as Record<string, string> | undefined)?.i), Array.from({ length: 200 }, (_, i) => (i % 60 < 50 ? String(i % 60) : undefined)));
        assert.ok(s.stats.reads - before < 20, `200 gets took ${s.stats.reads - before} round trips`);
        // Read-your-writes across a batch boundary.
        const updated = await s.update(key('d', 'o1'), cm('d', 'o1', { i: 'new' }));
        const [again] = await Promise.all([s.get(key('d', 'o1')), s.get(key('d', 'o2'))]);
        assert.deepEqual(again, updated);
      } finally {
        await s.close();
      }
    });

    test('store specs: etcd://host:port[,host:port][/prefix] through openStore', async () => {
      assert.deepEqual(parseEtcdSpec('etcd://127.0.0.1:2379'), { endpoints: ['127.0.0.1:2379'], prefix: undefined });
      assert.deepEqual(parseEtcdSpec('etcd://h1:1,h2:2/choreo/'), { endpoints: ['h1:1', 'h2:2'], prefix: '/choreo' });
      assert.throws(() => parseEtcdSpec('etcd://'), /want etcd:\/\/host:port/);
      assert.throws(() => parseEtcdSpec('etcd://host'), /bad endpoint "host"/);
      const prefix = freshPrefix();
      const s = await openStore(`etcd://${etcd!.endpoint}${prefix}`);
      try {
        const o = await s.create(key('d', 'via-spec'), cm('d', 'via-spec'));
        const raw = new Etcd3({ hosts: `http://${etcd!.endpoint}` });
        assert.equal(await raw.get(`${prefix}/core/configmaps/d/via-spec`).string().then((v) => v !== null), true);
        raw.close();
        assert.equal((await s.get(key('d', 'via-spec')))?.metadata.resourceVersion, o.metadata.resourceVersion);
      } finally {
        await s.close();
      }
    });

    test('opening a store on an unreachable etcd fails with Unavailable, quickly', async () => {
      const started = Date.now();
      await assert.rejects(
        EtcdStore.open({ endpoints: ['127.0.0.1:1'], callTimeoutMs: 2000 }),
        (e: unknown) => e instanceof StoreError && e.code === 'Unavailable',
      );
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });
  });
}

async function waitUntil(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what()}`);
    await sleep(20);
  }
}

