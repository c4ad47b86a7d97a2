// OwnWrites: the events of a reconciler's own writes are dropped, everything
// else — also a foreign write that lands while ours is in flight — is delivered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import type { EventHandler } from '../../src/controller/handler.js';
import { OwnWrites } from '../../src/reconciler/ownwrites.js';

const at = (name: string, rv: string): KObject => ({ apiVersion: 'g/v1', kind: 'K', metadata: { namespace: 'ns', name, resourceVersion: rv } });

function recorder(): { handler: EventHandler; seen: string[] } {
  const seen: string[] = [];
  const handler: EventHandler = {
    create: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (_o, n) => seen.push(`update ${n.metadata.name}@${n.metadata.resourceVersion}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  };
  return { handler, seen };
}

const enqueue = () => {};

test('the event of our own write is dropped whether it arrives during or after the write', async () => {
  const own = new OwnWrites();
  const { handler, seen } = recorder();
  const h = own.filter(handler);
  // Arrives while the write is in flight (the store delivers in a microtask, before the promise resolves to us).
  await own.write(at('a', ''), async () => {
    h.update(at('a', '1'), at('a', '2'), enqueue);
    return at('a', '2');
  });
  // Arrives after the write returned.
  await own.write(at('b', ''), async () => at('b', '3'));
  h.create(at('b', '3'), enqueue);
  assert.deepEqual(seen, []);
  // Each resourceVersion is ours once: a later event with the same one (a relist re-delivering it) passes.
  h.update(at('b', '3'), at('b', '3'), enqueue);
  assert.deepEqual(seen, ['update b@3']);
});

test('a foreign write that lands while ours is in flight is delivered when ours returns', async () => {
  const own = new OwnWrites();
  const { handler, seen } = recorder();
  const h = own.filter(handler);
  await own.write(at('a', ''), async () => {
    h.update(at('a', '4'), at('a', '5'), enqueue); // someone else's write
    assert.deepEqual(seen, [], 'held while our write is in flight');
    h.update(at('a', '5'), at('a', '6'), enqueue); // ours
    return at('a', '6');
  });
  assert.deepEqual(seen, ['update a@5']);
  // Events for other objects are never held.
  await own.write(at('a', ''), async () => {
    h.update(at('z', '7'), at('z', '8'), enqueue);
    assert.deepEqual(seen, ['update a@5', 'update z@8']);
    return at('a', '9');
  });
});

test('a failed write delivers everything it held; deletes always pass', async () => {
  const own = new OwnWrites();
  const { handler, seen } = recorder();
  const h = own.filter(handler);
  await assert.rejects(
    own.write(at('a', ''), async () => {
      h.update(at('a', '1'), at('a', '2'), enqueue);
      throw new Error('conflict');
    }),
    /conflict/,
  );
  assert.deepEqual(seen, ['update a@2']);
  await own.write(at('c', ''), async () => at('c', '10'));
  h.delete(at('c', '10'), enqueue);
  assert.deepEqual(seen, ['update a@2', 'delete c@10']);
});

test('a write of two stores (applyWithStatus over HTTP): the event of the first, held or late, is ours too', async () => {
  const own = new OwnWrites();
  const { handler, seen } = recorder();
  const h = own.filter(handler);
  // The main write's event arrives before its response (held while the call is in flight), then the status one.
  await own.write(at('a', ''), async (stored) => {
    h.update(at('a', '10'), at('a', '11'), enqueue);
    stored(at('a', '11'));
    h.update(at('a', '11'), at('a', '12'), enqueue);
    return at('a', '12');
  });
  // Both events arrive after the call returned.
  await own.write(at('b', ''), async (stored) => {
    stored(at('b', '13'));
    return at('b', '14');
  });
  h.update(at('b', '1'), at('b', '13'), enqueue);
  h.update(at('b', '13'), at('b', '14'), enqueue);
  assert.deepEqual(seen, []);
});

test('objects written in one etcd batch share a resourceVersion: each event is recognised by object and revision', async () => {
  const own = new OwnWrites();
  const { handler, seen } = recorder();
  const h = own.filter(handler);
  // Two of our writes committed in one txn (same revision), their events arriving after both returned.
  await Promise.all([own.write(at('a', ''), async () => at('a', '10')), own.write(at('b', ''), async () => at('b', '10'))]);
  h.update(at('a', '9'), at('a', '10'), enqueue);
  h.create(at('b', '10'), enqueue);
  assert.deepEqual(seen, [], 'both are ours');
  // Another writer's object at a revision one of our writes had is not ours.
  await own.write(at('c', ''), async () => at('c', '11'));
  h.create(at('d', '11'), enqueue);
  h.create(at('c', '11'), enqueue);
  assert.deepEqual(seen, ['add d@11']);
});
