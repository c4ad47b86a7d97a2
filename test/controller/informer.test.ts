import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, TypeRef } from '../../src/api/client.js';
import { ApiError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/object.js';
import { ManualClock } from '../../src/controller/clock.js';
import { SharedInformer, SharedInformerFactory } from '../../src/controller/informer.js';
import { flush, obj, wrapClient } from './helpers.js';
import { testRegistry } from './registry.js';

const Widget: TypeRef = { apiVersion: 'example.com/v1', kind: 'Widget' };

/** Wraps a client so a test can break the current watch (as the store would on Gone) and make lists fail. */
function faulty(client: Client) {
  let breakWatch: ((err: Error) => void) | undefined;
  const state = { failLists: 0, lists: 0, watches: 0 };
  const wrapped: Client = wrapClient(client, {
    list: async (t, o) => {
      state.lists++;
      if (state.failLists > 0) {
        state.failLists--;
        throw new ApiError('ServiceUnavailable', 'injected list failure');
      }
      return client.list(t, o);
    },
    watch: (t, o, onEvent, onError) => {
      state.watches++;
      const w = client.watch(t, o, onEvent, onError);
      breakWatch = (err) => {
        w.stop();
        onError?.(err);
      };
      return w;
    },
  });
  return { client: wrapped, state, breakWatch: (err: Error) => breakWatch!(err) };
}

function recorder() {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o: KObject, initial: boolean) => events.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (a: KObject, b: KObject) => events.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
      onDelete: (o: KObject) => events.push(`delete ${o.metadata.name}`),
    },
  };
}

test('lists, then watches from the list resourceVersion: cache and handlers follow creates, updates, deletes', async () => {
  const client = (await testRegistry()).registry;
  await client.create(obj(Widget, 'ns1', 'a'));
  await client.create(obj(Widget, 'ns2', 'b'));
  const inf = new SharedInformer(client, Widget, { clock: new ManualClock() });
  const r = recorder();
  inf.addEventHandler(r.handler);
  assert.equal(inf.hasSynced(), false);
  inf.start();
  await inf.waitForSync();
  assert.deepEqual(r.events, ['add a (initial)', 'add b (initial)']);
  assert.deepEqual(inf.list('ns1').map((o) => o.metadata.name), ['a']);

  const c = await client.create(obj(Widget, 'ns1', 'c'));
  const a = (await client.get(Widget, 'ns1', 'a'))!;
  const a2 = await client.update({ ...a, spec: { size: 2 } });
  await client.delete(Widget, 'ns2', 'b');
  await flush();
  assert.deepEqual(r.events.slice(2), ['add c', `update a ${a.metadata.resourceVersion}->${a2.metadata.resourceVersion}`, 'delete b']);
  assert.deepEqual(inf.get('ns1', 'a')?.spec, { size: 2 });
  assert.equal(inf.get('ns2', 'b'), undefined);
  assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'c']);
  assert.equal(inf.lastSyncResourceVersion(), String(Number(c.metadata.resourceVersion) + 2));
  inf.stop();
});

test('a handler added after sync gets synthetic adds for the cached objects', async () => {
  const client = (await testRegistry()).registry;
  await client.create(obj(Widget, 'ns', 'x'));
  const inf = new SharedInformer(client, Widget, { clock: new ManualClock() });
  inf.start();
  await inf.waitForSync();
  const r = recorder();
  inf.addEventHandler(r.handler);
  assert.deepEqual(r.events, ['add x (initial)']);
  inf.stop();
});

test('after a Gone watch error it relists after the backoff and delivers exactly what changed meanwhile', async () => {
  const clock = new ManualClock();
  const f = faulty((await testRegistry()).registry);
  await f.client.create(obj(Widget, 'ns', 'keep'));
  await f.client.create(obj(Widget, 'ns', 'gone'));
  await f.client.create(obj(Widget, 'ns', 'changed'));
  const inf = new SharedInformer(f.client, Widget, { clock, relistBaseDelayMs: 100 });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await inf.waitForSync();
  r.events.length = 0;

  f.breakWatch(new ApiError('Gone', 'too old resource version'));
  await flush();
  // Changes while no watch is running: the informer cannot see them yet.
  await f.client.delete(Widget, 'ns', 'gone');
  const ch = (await f.client.get(Widget, 'ns', 'changed'))!;
  const ch2 = await f.client.update({ ...ch, spec: { v: 2 } });
  await f.client.create(obj(Widget, 'ns', 'new'));
  await flush();
  assert.deepEqual(r.events, []);
  assert.equal(f.state.lists, 1);

  clock.advance(99);
  await flush();
  assert.equal(f.state.lists, 1, 'no relist before the backoff');
  clock.advance(1);
  await flush();
  assert.equal(f.state.lists, 2);
  assert.deepEqual(r.events.sort(), ['add new', 'delete gone', `update changed ${ch.metadata.resourceVersion}->${ch2.metadata.resourceVersion}`]);
  assert.equal(inf.get('ns', 'gone'), undefined);

  // The new watch works.
  await f.client.create(obj(Widget, 'ns', 'after'));
  await flush();
  assert.equal(r.events.at(-1), 'add after');
  inf.stop();
});

test('a watch from a resourceVersion the store no longer retains fails with Expired and the informer relists', async () => {
  const clock = new ManualClock();
  const client = (await testRegistry({ historySize: 3 })).registry;
  await client.create(obj(Widget, 'ns', 'w0'));
  // Hold the first list's answer back while five writes push its revision out of the history window.
  let releaseList!: () => void;
  const held = new Promise<void>((r) => (releaseList = r));
  let lists = 0;
  const slow = wrapClient(client, {
    list: async (t, o) => {
      const l = await client.list(t, o);
      if (++lists === 1) await held;
      return l;
    },
  });
  const errors: unknown[] = [];
  const inf = new SharedInformer(slow, Widget, { clock, relistBaseDelayMs: 50, onError: (e) => errors.push(e) });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await flush();
  for (let i = 1; i <= 5; i++) await client.create(obj(Widget, 'ns', `w${i}`));
  releaseList();
  await inf.waitForSync();
  await flush();
  assert.deepEqual(r.events, ['add w0 (initial)'], 'synced from the stale list');
  clock.advance(50);
  await flush();
  assert.equal(lists, 2, 'relisted after the backoff');
  assert.deepEqual(r.events.slice(1), ['add w1', 'add w2', 'add w3', 'add w4', 'add w5']);
  assert.deepEqual(errors, [], 'an expired watch is routine, not an error to report');
  await client.create(obj(Widget, 'ns', 'w6'));
  await flush();
  assert.equal(r.events.at(-1), 'add w6', 'the new watch delivers');
  inf.stop();
});

test('failed lists are retried with exponential backoff; sync waits for the first success', async () => {
  const clock = new ManualClock();
  const f = faulty((await testRegistry()).registry);
  f.state.failLists = 3;
  const inf = new SharedInformer(f.client, Widget, { clock, relistBaseDelayMs: 100, onError: () => {} });
  inf.start();
  await flush();
  const listTimes: number[] = [0];
  while (clock.now() < 1000 && !inf.hasSynced()) {
    clock.advance(10);
    await flush(1);
    if (f.state.lists > listTimes.length) listTimes.push(clock.now());
  }
  assert.ok(inf.hasSynced());
  assert.deepEqual(listTimes, [0, 100, 300, 700], 'retries after 100, 200, 400 ms');
  inf.stop();
});

test('updates that do not change resourceVersion are not delivered', async () => {
  const clock = new ManualClock();
  const f = faulty((await testRegistry()).registry);
  await f.client.create(obj(Widget, 'ns', 'same'));
  const inf = new SharedInformer(f.client, Widget, { clock });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await inf.waitForSync();
  f.breakWatch(new ApiError('Gone', 'x'));
  clock.advance(100);
  await flush();
  assert.equal(f.state.lists, 2);
  assert.deepEqual(r.events, ['add same (initial)'], 'relist of an unchanged object is silent');
  inf.stop();
});

test('a throwing handler is reported and does not stop delivery to the others', async () => {
  const client = (await testRegistry()).registry;
  const errors: string[] = [];
  const inf = new SharedInformer(client, Widget, { clock: new ManualClock(), onError: (e, ctx) => errors.push(`${ctx}: ${(e as Error).message}`) });
  inf.addEventHandler({
    onAdd: () => {
      throw new Error('bad handler');
    },
  });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await inf.waitForSync();
  await client.create(obj(Widget, 'ns', 'x'));
  await flush();
  assert.deepEqual(r.events, ['add x']);
  assert.deepEqual(errors, ['onAdd handler threw: bad handler']);
  inf.stop();
});

test('owner index, namespace index and custom indexers track updates and deletes', async () => {
  const client = (await testRegistry()).registry;
  const Parent: TypeRef = { apiVersion: 'example.com/v1', kind: 'Parent' };
  const u1 = (await client.create(obj(Parent, 'ns', 'p1'))).metadata.uid!;
  const u2 = (await client.create(obj(Parent, 'ns', 'p2'))).metadata.uid!;
  const own = (uid: string, controller = true) => ({ ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Parent', name: uid === u1 ? 'p1' : 'p2', uid, controller }] });
  await client.create(obj(Widget, 'ns', 'c1', { ...own(u1), labels: { tier: 'gold' } }));
  await client.create(obj(Widget, 'ns', 'c2', own(u1, false)));
  await client.create(obj(Widget, 'ns', 'c3', own(u2)));
  await client.create(obj(Widget, 'other', 'c4'));
  const inf = new SharedInformer(client, Widget, { clock: new ManualClock() });
  inf.addIndexers({ tier: (o) => (o.metadata.labels?.tier ? [o.metadata.labels.tier] : []) });
  inf.start();
  await inf.waitForSync();
  const names = (xs: KObject[]) => xs.map((o) => o.metadata.name).sort();
  assert.deepEqual(names(inf.listByOwner(u1)), ['c1', 'c2']);
  assert.deepEqual(names(inf.listByOwner(u2)), ['c3']);
  assert.deepEqual(names(inf.byIndex('tier', 'gold')), ['c1']);
  assert.deepEqual(names(inf.list('other')), ['c4']);

  const c1 = (await client.get(Widget, 'ns', 'c1'))!;
  await client.update({ ...c1, metadata: { ...c1.metadata, ...own(u2), labels: {} } });
  await client.delete(Widget, 'ns', 'c3');
  await client.delete(Widget, 'other', 'c4');
  await flush();
  assert.deepEqual(names(inf.listByOwner(u1)), ['c2']);
  assert.deepEqual(names(inf.listByOwner(u2)), ['c1']);
  assert.deepEqual(inf.byIndex('tier', 'gold'), []);
  assert.deepEqual(names(inf.list('other')), []);
  assert.throws(() => inf.byIndex('nope', 'x'), /no indexer named "nope"/);
  inf.stop();
});

test('the factory shares one informer (one list+watch) per type', async () => {
  const f = faulty((await testRegistry()).registry);
  const factory = new SharedInformerFactory(f.client, { clock: new ManualClock() });
  const a = factory.informerFor(Widget);
  const b = factory.informerFor({ ...Widget });
  assert.equal(a, b);
  factory.informerFor({ apiVersion: 'v1', kind: 'ConfigMap' });
  factory.start();
  await factory.waitForCacheSync(5000);
  assert.equal(f.state.lists, 2);
  assert.equal(f.state.watches, 2);
  // Created after start: started at once.
  const late = factory.informerFor({ apiVersion: 'v1', kind: 'Secret' });
  await late.waitForSync();
  assert.ok(late.hasSynced());
  factory.stop();
});
