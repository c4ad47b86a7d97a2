import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/clock.js';
import { Controller, type ReconcileRecord } from '../../src/controller/controller.js';
import { FatalError, type Request, type Result } from '../../src/controller/reconcile.js';
import { flush } from './helpers.js';

/** A reconciler driven by a script of outcomes; records the clock time of each call. */
function scripted(clock: ManualClock, next: (n: number, req: Request) => Result | void | Promise<Result | void>) {
  const calls: Array<{ at: number; key: string }> = [];
  return {
    calls,
    reconciler: {
      async reconcile(req: Request) {
        calls.push({ at: clock.now(), key: `${req.namespace}/${req.name}` });
        return next(calls.length, req);
      },
    },
  };
}

/** Lets the controller go idle, then jumps the clock to its next delayed retry; returns false when none is scheduled. */
async function step(c: Controller, clock: ManualClock): Promise<boolean> {
  await c.idle();
  const due = c.nextDueAt();
  if (due === undefined) return false;
  clock.advanceTo(due);
  await flush(1);
  return true;
}

test('errors back off 5 s, 10 s, 20 s … up to 5 min; a success resets the backoff', async () => {
  const clock = new ManualClock();
  let fail = true;
  const s = scripted(clock, () => {
    if (fail) throw new Error('boom');
  });
  const c = new Controller('t', s.reconciler, { clock });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'a' });
  for (let i = 0; i < 9; i++) await step(c, clock);
  const gaps = s.calls.slice(1).map((x, i) => x.at - s.calls[i].at);
  assert.deepEqual(gaps, [5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000]);

  fail = false; // the next retry succeeds → backoff forgotten, nothing scheduled
  await step(c, clock);
  await c.idle();
  assert.equal(c.nextDueAt(), undefined);
  fail = true;
  const before = s.calls.length;
  c.enqueue({ namespace: 'ns', name: 'a' });
  await c.idle();
  const t0 = s.calls[s.calls.length - 1].at;
  await step(c, clock);
  assert.equal(s.calls.length, before + 2);
  assert.equal(s.calls[s.calls.length - 1].at - t0, 5000, 'backoff starts over after success');
  assert.equal(c.metrics().outcomes.Error, 12);
  await c.stop();
});

test('requeueAfter runs the key again after exactly that delay and supersedes a pending error retry', async () => {
  const clock = new ManualClock(100);
  const s = scripted(clock, (n) => {
    if (n === 1) throw new Error('first fails'); // schedules a retry at +5000
    return n === 2 ? { requeueAfter: 12_345 } : {};
  });
  const c = new Controller('t', s.reconciler, { clock });
  c.start();
  c.enqueue({ namespace: '', name: 'x' });
  await c.idle();
  assert.equal(c.nextDueAt(), 100 + 5000);
  // An event arrives before the retry is due; that reconcile asks for requeueAfter.
  clock.advance(1000);
  c.enqueue({ namespace: '', name: 'x' });
  await c.idle();
  assert.equal(c.nextDueAt(), 1100 + 12_345, 'the stale 5 s error retry is gone');
  await step(c, clock);
  await c.idle();
  assert.deepEqual(s.calls.map((x) => x.at), [100, 1100, 13_445]);
  assert.equal(c.nextDueAt(), undefined);
  await c.stop();
});

test('requeue=true goes through the fast limiter: 5 ms doubling to a 1 s cap, never a hot loop', async () => {
  const clock = new ManualClock();
  const s = scripted(clock, () => ({ requeue: true }));
  const c = new Controller('t', s.reconciler, { clock });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'r' });
  for (let i = 0; i < 11; i++) await step(c, clock);
  const gaps = s.calls.slice(1).map((x, i) => x.at - s.calls[i].at);
  assert.deepEqual(gaps, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
  assert.equal(c.metrics().outcomes.Requeue, 12);
  await c.stop();
});

test('Fatal is not retried, however long we wait, until a new event arrives for the key', async () => {
  const clock = new ManualClock();
  const records: ReconcileRecord[] = [];
  const s = scripted(clock, (n) => {
    if (n === 1) throw new FatalError('invalid spec');
  });
  const c = new Controller('t', s.reconciler, { clock, onReconcile: (r) => records.push(r) });
  c.start();
  c.enqueue({ namespace: 'ns', name: 'f' });
  await c.idle();
  assert.equal(c.nextDueAt(), undefined);
  clock.advance(24 * 3600 * 1000);
  await flush();
  assert.equal(s.calls.length, 1);
  c.enqueue({ namespace: 'ns', name: 'f' }); // the object changed
  await c.idle();
  assert.equal(s.calls.length, 2);
  assert.deepEqual(records.map((r) => r.outcome), ['Fatal', 'Done']);
  assert.ok(records[0].error instanceof FatalError);
  await c.stop();
});

test('with N workers a key is never reconciled twice at once, while different keys run in parallel', async () => {
  const clock = new ManualClock();
  const running = new Map<string, number>();
  let maxPerKey = 0;
  let maxTotal = 0;
  let total = 0;
  let c!: Controller;
  const keys = ['a', 'b', 'c', 'd', 'e'];
  let reconciles = 0;
  c = new Controller(
    't',
    {
      async reconcile(req) {
        reconciles++;
        const n = (running.get(req.name) ?? 0) + 1;
        running.set(req.name, n);
        total++;
        maxPerKey = Math.max(maxPerKey, n);
        maxTotal = Math.max(maxTotal, total);
        // Events for this key and others arrive while it is being reconciled.
        if (reconciles < 200) for (const k of keys) c.enqueue({ namespace: 'ns', name: k });
        await new Promise((r) => setImmediate(r));
        running.set(req.name, running.get(req.name)! - 1);
        total--;
      },
    },
    { clock, workers: 4 },
  );
  c.start();
  for (const k of keys) c.enqueue({ namespace: 'ns', name: k });
  await c.idle();
  assert.equal(maxPerKey, 1);
  assert.equal(maxTotal, 4, 'all four workers were busy at some point');
  assert.ok(reconciles >= 200);
  await c.stop();
});

test('stop() stops taking work and resolves only after in-flight reconciles finish', async () => {
  const clock = new ManualClock();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const started: string[] = [];
  const finished: string[] = [];
  const c = new Controller(
    't',
    {
      async reconcile(req) {
        started.push(req.name);
        await gate;
        finished.push(req.name);
      },
    },
    { clock, workers: 2 },
  );
  c.start();
  for (const k of ['a', 'b', 'c', 'd']) c.enqueue({ namespace: '', name: k });
  await flush();
  assert.deepEqual(started, ['a', 'b']);
  let stopped = false;
  const p = c.stop().then(() => (stopped = true));
  await flush();
  assert.equal(stopped, false, 'must wait for the two in-flight reconciles');
  release();
  await p;
  assert.deepEqual(finished, ['a', 'b']);
  assert.deepEqual(started, ['a', 'b'], 'queued keys are not started after stop');
});

test('metrics count reconciles, outcomes, durations, depth and in-flight', async () => {
  const clock = new ManualClock();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const c = new Controller(
    'm',
    {
      async reconcile(req) {
        if (req.name === 'slow') await gate;
        if (req.name === 'bad') throw new Error('x');
        return req.name === 'later' ? { requeueAfter: 50 } : {};
      },
    },
    { clock },
  );
  c.start();
  for (const k of ['slow', 'bad', 'later', 'ok']) c.enqueue({ namespace: '', name: k });
  await flush();
  let m = c.metrics();
  assert.equal(m.inFlight, 1);
  assert.equal(m.queueDepth, 3);
  release();
  await c.idle();
  m = c.metrics();
  assert.equal(m.reconciles, 4);
  assert.deepEqual(m.outcomes, { Done: 2, Requeue: 0, RequeueAfter: 1, Error: 1, Fatal: 0 });
  assert.equal(m.errors, 1);
  assert.equal(m.delayed, 2);
  assert.equal(m.nextDueAt, 50);
  assert.ok(m.durationMaxMs >= m.durationMeanMs && m.durationMeanMs > 0);
  await c.stop();
});

test('metrics: panics (engine exceptions) counted apart from errors; unfinished work and the longest processor while a reconcile runs', async () => {
  const { collectControllerMetrics } = await import('../../src/controller/metrics.js');
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const c = new Controller('w', {
    async reconcile(req: Request) {
      if (req.name === 'nil') (undefined as unknown as { x: number }).x; // a TypeError, Go's nil dereference
      if (req.name === 'fail') throw new Error('reported failure');
      if (req.name === 'slow') await blocked;
    },
  }, { workers: 3, clock: new ManualClock() });
  const scrape = () => {
    const out: string[] = [];
    collectControllerMetrics([c], out);
    const value = (series: string) => Number(out.find((l) => l.startsWith(`${series} `))?.slice(series.length + 1));
    return { text: out.join('\n'), value };
  };
  c.start();
  for (const name of ['nil', 'fail', 'slow']) c.enqueue({ namespace: 'ns', name });
  await flush(3);
  await new Promise((r) => setTimeout(r, 60));
  const during = scrape();
  const q = 'name="w",controller="w"';
  assert.match(during.text, /# TYPE controller_runtime_reconcile_panics_total counter/);
  assert.equal(during.value('controller_runtime_reconcile_panics_total{controller="w"}'), 1);
  assert.equal(during.value('controller_runtime_reconcile_errors_total{controller="w"}'), 2, 'a panic is an error too');
  assert.match(during.text, /# TYPE workqueue_unfinished_work_seconds gauge/);
  const longest = during.value(`workqueue_longest_running_processor_seconds{${q}}`);
  assert.ok(longest >= 0.05 && longest < 30, `longest running processor ${longest}`);
  assert.ok(Math.abs(during.value(`workqueue_unfinished_work_seconds{${q}}`) - longest) < 0.01, 'one key held: unfinished work = its time');
  release();
  await c.idle();
  const after = scrape();
  assert.equal(after.value(`workqueue_unfinished_work_seconds{${q}}`), 0);
  assert.equal(after.value(`workqueue_longest_running_processor_seconds{${q}}`), 0);
  await c.stop();
});
