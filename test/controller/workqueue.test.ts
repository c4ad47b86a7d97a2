import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/clock.js';
import { WorkQueue } from '../../src/controller/workqueue.js';
import { ItemExponentialFailureRateLimiter } from '../../src/controller/ratelimiter.js';

test('a key added several times before processing is handed out once, in FIFO order', () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
  assert.equal(q.len(), 3);
  assert.deepEqual([q.tryGet(), q.tryGet(), q.tryGet(), q.tryGet()], ['a', 'b', 'c', undefined]);
});

test('a key re-added while processing is not handed out again until done, then exactly once more', () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  assert.equal(q.tryGet(), 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.tryGet(), undefined, 'held key must not go to a second worker');
  assert.equal(q.inFlight(), 1);
  q.done('a');
  assert.equal(q.tryGet(), 'a');
  q.done('a');
  assert.equal(q.tryGet(), undefined);
  assert.ok(q.isIdle());
});

test('get() waits for a key and resolves undefined on shutdown', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const first = q.get();
  q.add('x');
  assert.equal(await first, 'x');
  const second = q.get();
  q.shutdown();
  assert.equal(await second, undefined);
  q.add('y');
  assert.equal(await q.get(), undefined, 'no work after shutdown');
});

test('addAfter: the key becomes ready at its due time; an earlier due time wins, a later one does not', () => {
  const clock = new ManualClock(1000);
  const q = new WorkQueue({ clock });
  q.addAfter('a', 100);
  q.addAfter('a', 50);
  q.addAfter('b', 50);
  q.addAfter('b', 200);
  assert.equal(q.nextDueAt(), 1050);
  clock.advance(49);
  assert.equal(q.tryGet(), undefined);
  clock.advance(1);
  assert.deepEqual([q.tryGet(), q.tryGet()], ['a', 'b']);
  q.done('a');
  q.done('b');
  clock.advance(1000);
  assert.equal(q.tryGet(), undefined, 'the superseded later due times must not fire');
  assert.equal(q.delayedCount(), 0);
  assert.equal(q.nextDueAt(), undefined);
});

test('addAfter with ms <= 0 adds at once; cancelDelayed drops a pending delayed add', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('now', 0);
  assert.equal(q.tryGet(), 'now');
  q.addAfter('later', 10);
  q.cancelDelayed('later');
  clock.advance(100);
  assert.equal(q.tryGet(), undefined);
  assert.equal(clock.pending(), 0, 'no timer left armed');
});

test('delayed keys fire in due order when time jumps past several of them', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('c', 30);
  q.addAfter('a', 10);
  q.addAfter('b', 20);
  clock.advance(1000);
  assert.deepEqual([q.tryGet(), q.tryGet(), q.tryGet()], ['a', 'b', 'c']);
});

test('addRateLimited backs off exponentially; forget resets', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
  q.addRateLimited('k');
  assert.equal(q.nextDueAt(), 5);
  clock.advance(5);
  assert.equal(q.tryGet(), 'k');
  q.done('k');
  q.addRateLimited('k');
  assert.equal(q.nextDueAt(), 5 + 10);
  assert.equal(q.numRequeues('k'), 2);
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
});

test('shutdownWithDrain resolves only after held keys are done; queued keys are not handed out', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  assert.equal(q.tryGet(), 'a');
  let drained = false;
  const p = q.shutdownWithDrain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  assert.equal(q.tryGet(), undefined);
  q.done('a');
  await p;
  assert.equal(drained, true);
});

test('whenIdle resolves when the last held key is done', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  const k = q.tryGet()!;
  let idle = false;
  const p = q.whenIdle().then(() => (idle = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false);
  q.done(k);
  await p;
  assert.equal(idle, true);
});

test('an add to a waiting worker still dedupes with adds made before the worker runs', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const got: Array<string | undefined> = [];
  const worker = (async () => {
    for (;;) {
      const k = await q.get();
      got.push(k);
      if (k === undefined) return;
      q.done(k);
    }
  })();
  await new Promise((r) => setImmediate(r)); // the worker is now waiting in get()
  q.add('a');
  q.add('a');
  q.add('b');
  await q.whenIdle();
  q.shutdown();
  await worker;
  assert.deepEqual(got, ['a', 'b', undefined]);
});

test('re-scheduling the same keys many times keeps the delay heap bounded and the latest schedule exact', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  for (let round = 0; round < 1000; round++) {
    for (const k of ['a', 'b', 'c']) {
      q.cancelDelayed(k);
      q.addAfter(k, 3_600_000 + round);
    }
  }
  assert.equal(q.delayedCount(), 3);
  assert.ok((q as unknown as { heap: { size: number } }).heap.size <= 64 + 6, 'stale entries are compacted away');
  assert.equal(q.nextDueAt(), 3_600_000 + 999);
  clock.advance(3_600_000 + 998);
  assert.equal(q.tryGet(), undefined);
  clock.advance(1);
  assert.deepEqual([q.tryGet(), q.tryGet(), q.tryGet()], ['a', 'b', 'c']);
});
