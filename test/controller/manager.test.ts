import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, TypeRef } from '../../src/api/client.js';
import { ApiError } from '../../src/api/errors.js';
import { ManualClock } from '../../src/controller/clock.js';
import { enqueueForObject, enqueueForOwner } from '../../src/controller/handler.js';
import { Manager } from '../../src/controller/manager.js';
import { obj, wrapClient } from './helpers.js';
import { testRegistry } from './registry.js';

const Parent: TypeRef = { apiVersion: 'example.com/v1', kind: 'Parent' };
const Child: TypeRef = { apiVersion: 'example.com/v1', kind: 'Child' };

/** Delivers watch events late (like a remote API), so "queues empty" alone would be a false quiescence. */
function slowWatch(client: Client, delayMs: number): Client {
  return wrapClient(client, {
    watch: (t, o, onEvent, onError) => client.watch(t, o, (ev) => void setTimeout(() => onEvent(ev), delayMs), onError),
  });
}

/**
 * Two controllers: Parent creates `children` Child objects it owns; Child marks
 * each child's status seen. Child status writes re-trigger Parent via Owns;
 * both are idempotent, so the system settles.
 */
function setup(client: Client, clock: ManualClock, children: number, parentResult: { requeueAfter?: number } = {}, idleFences: Array<() => Promise<void>> = []) {
  const mgr = new Manager(client, { clock, idleFences });
  const parents = mgr.informers.informerFor(Parent);
  const kids = mgr.informers.informerFor(Child);
  const counts = { parent: 0, child: 0, reconcileBeforeSync: 0, childGone: 0 };
  const pc = mgr.newController('parent', {
    async reconcile(req) {
      counts.parent++;
      if (!parents.hasSynced() || !kids.hasSynced()) counts.reconcileBeforeSync++;
      const p = parents.get(req.namespace, req.name);
      if (!p) return;
      for (let i = 0; i < children; i++) {
        const name = `${req.name}-${i}`;
        if (kids.get(req.namespace, name)) continue;
        await mgr.client.create(
          obj(Child, req.namespace, name, { ownerReferences: [{ apiVersion: Parent.apiVersion, kind: Parent.kind, name: req.name, uid: p.metadata.uid!, controller: true }] }),
        ).catch((e: { code?: string }) => {
          if (e.code !== 'AlreadyExists') throw e; // cache lagging behind our own create: fine
        });
      }
      return parentResult;
    },
  });
  pc.watch(parents, enqueueForObject());
  pc.watch(kids, enqueueForOwner(Parent));
  const cc = mgr.newController(
    'child',
    {
      async reconcile(req) {
        counts.child++;
        const c = kids.get(req.namespace, req.name);
        if (!c) counts.childGone++;
        if (!c || (c.status as { seen?: boolean } | undefined)?.seen) return;
        await mgr.client.update({ ...c, status: { seen: true } }, { subresource: 'status' });
      },
    },
    { workers: 2 },
  );
  cc.watch(kids, enqueueForObject());
  return { mgr, counts };
}

test('idle() resolves only when every queue is empty, nothing is in flight and informers saw our writes', async () => {
  const clock = new ManualClock(0);
  const client = slowWatch((await testRegistry()).registry, 15);
  await client.create(obj(Parent, 'ns', 'p1'));
  await client.create(obj(Parent, 'ns', 'p2'));
  const { mgr, counts } = setup(client, clock, 3, { requeueAfter: 60_000 });
  await mgr.start({ syncTimeoutMs: 5000 });
  const q = await mgr.idle();

  const kids = await client.list(Child);
  assert.equal(kids.items.length, 6);
  assert.ok(kids.items.every((k) => (k.status as { seen?: boolean }).seen === true), 'every child reconciled before idle');
  assert.equal(counts.reconcileBeforeSync, 0, 'no reconcile before the caches synced');
  assert.ok(mgr.isIdle());
  assert.deepEqual(q, { nextDueAt: 60_000, delayed: 2 }, 'the requeueAfter of both parents is the next due work');

  // Quiet: nothing happens until the clock reaches the due time.
  const before = { ...counts };
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(counts, before);
  clock.advanceTo(q.nextDueAt!);
  const q2 = await mgr.idle();
  assert.equal(counts.parent, before.parent + 2);
  assert.equal(counts.child, before.child, 'an idempotent parent reconcile writes nothing, so children are not re-triggered');
  assert.equal(q2.nextDueAt, 120_000);

  const m = mgr.metrics();
  assert.deepEqual(m.map((x) => x.name), ['parent', 'child']);
  assert.equal(m[1].errors, 0);
  assert.equal(m[0].reconciles, counts.parent);
  await mgr.stop();
});

test('children garbage-collected by the registry after an external delete are reconciled before idle (GC as an idle fence)', async () => {
  const clock = new ManualClock(0);
  const { registry } = await testRegistry();
  await registry.create(obj(Parent, 'ns', 'p1'));
  await registry.create(obj(Parent, 'ns', 'p2'));
  const { mgr, counts } = setup(registry, clock, 4, {}, [() => registry.lifecycle.whenIdle()]);
  await mgr.start();
  await mgr.idle();
  assert.equal((await registry.list(Child)).items.length, 8);
  await registry.delete(Parent, 'ns', 'p1'); // like kubectl delete: not one of our writes
  await mgr.idle();
  assert.deepEqual((await registry.list(Child)).items.map((c) => c.metadata.name).sort(), ['p2-0', 'p2-1', 'p2-2', 'p2-3']);
  assert.equal(counts.childGone, 4, 'each collected child was reconciled (and found gone) before idle resolved');
  await mgr.stop();
});

test('a broken watch does not hang idle(): the pending relist is reported as due work and catches up when time reaches it', async () => {
  const clock = new ManualClock(0);
  const { registry } = await testRegistry();
  const breakers = new Map<string, (err: Error) => void>();
  const client = wrapClient(registry, {
    watch: (t, o, onEvent, onError) => {
      const w = registry.watch(t, o, onEvent, onError);
      breakers.set(t.kind, (err) => {
        w.stop();
        onError?.(err);
      });
      return w;
    },
  });
  const { mgr, counts } = setup(client, clock, 1);
  await mgr.start();
  await mgr.idle();
  breakers.get('Child')!(new ApiError('Expired', 'too old resource version'));
  await registry.create(obj(Parent, 'ns', 'late')); // its reconcile creates a child the broken informer cannot see yet
  const q = await mgr.idle();
  assert.equal(q.nextDueAt, 100, 'the child informer relists after its 100 ms backoff');
  assert.equal((await registry.list(Child)).items.length, 1);
  assert.equal(counts.child, 0, 'the child is not reconciled while its informer is down');
  clock.advanceTo(q.nextDueAt!);
  const q2 = await mgr.idle();
  assert.equal(q2.nextDueAt, undefined);
  assert.equal(counts.child, 2, 'seen after the relist; its status write triggers one more, idle, reconcile');
  assert.equal(((await registry.get(Child, 'ns', 'late-0'))!.status as { seen?: boolean }).seen, true);
  await mgr.stop();
});

test('stop() lets in-flight reconciles finish, then stops informers', async () => {
  const clock = new ManualClock();
  const client = (await testRegistry()).registry;
  await client.create(obj(Parent, 'ns', 'a'));
  await client.create(obj(Parent, 'ns', 'b'));
  const mgr = new Manager(client, { clock });
  const inf = mgr.informers.informerFor(Parent);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const done: string[] = [];
  let started = 0;
  const c = mgr.newController('p', {
    async reconcile(req) {
      started++;
      await gate;
      done.push(req.name);
    },
  });
  c.watch(inf, enqueueForObject());
  await mgr.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(started, 1);
  const stopping = mgr.stop();
  await new Promise((r) => setImmediate(r));
  assert.ok(inf.isStarted(), 'informers keep running until controllers have drained');
  release();
  await stopping;
  assert.deepEqual(done, ['a']);
  assert.equal(started, 1, 'the queued key b was not started after stop');
  assert.equal(inf.isStarted(), false);
});

test('start() rejects with the unsynced types when caches do not sync in time', async () => {
  const client = (await testRegistry()).registry;
  const never = wrapClient(client, { list: () => new Promise(() => {}) });
  const mgr = new Manager(never, { clock: new ManualClock() });
  mgr.informers.informerFor(Parent);
  await assert.rejects(mgr.start({ syncTimeoutMs: 20 }), /did not sync within 20 ms: example.com\/v1\/Parent/);
  await mgr.stop();
});
