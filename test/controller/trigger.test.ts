// What queued a reconcile (Request.trigger, for the reconcile history and the
// web UI): the watch event and the object it was about, also when a handler
// delivers an event later (ownwrites.ts defers events that may be a
// reconciler's own writes), then the retry an error scheduled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeRef } from '../../src/api/client.js';
import { ManualClock } from '../../src/controller/clock.js';
import { Controller } from '../../src/controller/controller.js';
import { enqueueForObject, type EventHandler } from '../../src/controller/handler.js';
import { SharedInformer } from '../../src/controller/informer.js';
import type { Request, Trigger } from '../../src/controller/reconcile.js';
import { flush, obj } from './helpers.js';
import { testRegistry } from './registry.js';

const Widget: TypeRef = { apiVersion: 'example.com/v1', kind: 'Widget' };

/** For: the object itself, each event delivered on a later turn. */
function deferred(): EventHandler {
  const inner = enqueueForObject();
  return {
    create: (o, enqueue) => void setImmediate(() => inner.create(o, enqueue)),
    update: (a, b, enqueue) => void setImmediate(() => inner.update(a, b, enqueue)),
    delete: (o, enqueue) => void setImmediate(() => inner.delete(o, enqueue)),
  };
}

test('a reconcile is told the event that queued it, also from a handler that delivers later; a retry says so', async () => {
  const { registry } = await testRegistry();
  const clock = new ManualClock();
  const inf = new SharedInformer(registry, Widget, { clock });
  const seen: Array<{ name: string; trigger?: Trigger }> = [];
  let failB = true;
  const c = new Controller(
    'widgets',
    {
      async reconcile(req: Request) {
        seen.push({ name: req.name, trigger: req.trigger });
        if (req.name === 'b' && failB) {
          failB = false;
          throw new Error('not yet');
        }
      },
    },
    { clock },
  );
  c.watch(inf, deferred());
  inf.start();
  await inf.waitForSync();
  c.start();
  // Both events reach the informer before either handler delivers.
  await Promise.all([registry.create(obj(Widget, 'ns', 'a')), registry.create(obj(Widget, 'ns', 'b'))]);
  await flush(5);
  await c.idle();
  const about = (name: string) => ({ event: 'Added', apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'ns', name });
  assert.deepEqual(seen.slice(0, 2).sort((x, y) => x.name.localeCompare(y.name)), [
    { name: 'a', trigger: about('a') },
    { name: 'b', trigger: about('b') },
  ]);
  clock.advanceTo(c.nextDueAt()!);
  await flush(3);
  await c.idle();
  assert.deepEqual(seen[2], { name: 'b', trigger: { event: 'Retry' } });
  c.enqueue({ namespace: 'ns', name: 'a' });
  await c.idle();
  assert.deepEqual(seen[3], { name: 'a', trigger: { event: 'Enqueued' } });
  await c.stop();
  inf.stop();
});
