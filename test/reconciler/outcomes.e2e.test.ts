// Outcomes end to end, on a ManualClock: errors with the Starlark stack and
// exponential backoff, fatal results held until the spec changes, requeue and
// requeueAfter, and runaway reconciles cancelled by the step budget or the
// wall-clock limit while other reconcilers keep working.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/index.js';
import { forKind, obj, start, type ProjectSpec } from './harness.js';

const modal = (code: string): ProjectSpec => ({
  crds: [{ kind: 'Job', plural: 'jobs' }],
  reconcilers: { jobs: { spec: forKind('Job'), code } },
  inputs: [obj('Job', 'j', { mode: 'fail' })],
});

const failing = `
def check(mode):
    if mode == "fail":
        fail("mode says fail")
    if mode == "crash":
        return {}["missing"]
    return mode

def reconcile(self):
    mode = check(self["spec"]["mode"])
    if mode == "fatal":
        return reconcile_result(self, False, 0, "cannot ever work", True)
    self.setdefault("status", {})["mode"] = mode
    return reconcile_result(self, False, 0, "", False)
`;

function runsOf(reports: { key: string }[], name: string): number {
  return reports.filter((r) => r.key === `default/${name}`).length;
}

test('a Starlark error sets condition False with the stack, records a Warning event and backs off 5 s, 10 s, 20 s; success resets the backoff', async () => {
  const clock = new ManualClock(1_000_000);
  const r = await start(modal(failing), { clock });
  try {
    assert.equal(runsOf(r.reports, 'j'), 1);
    const c = (await r.condition('Job', 'j'))!;
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'Error');
    assert.match(c.message, /mode says fail/);
    assert.match(c.message, /reconciler\.star:4:13: in check/);
    assert.match(c.message, /reconciler\.star:10:\d+: in reconcile/);

    const events = (await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items;
    const warn = events.filter((e) => (e.involvedObject as { name: string }).name === 'j');
    assert.equal(warn.length, 1);
    assert.equal(warn[0]!.type, 'Warning');
    assert.equal(warn[0]!.reason, 'Error');

    const step = async (ms: number) => {
      clock.advance(ms);
      await r.idle();
      return runsOf(r.reports, 'j');
    };
    assert.equal(await step(4_999), 1);
    assert.equal(await step(1), 2);
    assert.equal(await step(9_999), 2);
    assert.equal(await step(1), 3);
    assert.equal(await step(19_999), 3);
    assert.equal(await step(1), 4);
    // The same failure again records no new event (the condition did not change).
    assert.equal((await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items.length, 1);

    await r.apply(obj('Job', 'j', { mode: 'ok' }));
    await r.idle();
    assert.equal((await r.condition('Job', 'j'))?.status, 'True');
    const evs = (await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items;
    assert.ok(evs.some((e) => e.type === 'Normal' && e.reason === 'Ready'), 'a Normal event for the recovery');
    // Backoff was reset: the next failure retries after 5 s again.
    await r.apply(obj('Job', 'j', { mode: 'crash' }));
    await r.idle();
    const n = runsOf(r.reports, 'j');
    assert.match((await r.condition('Job', 'j'))!.message, /key "missing" not in dict|missing/);
    assert.equal(await step(4_999), n);
    assert.equal(await step(1), n + 1);
  } finally {
    await r.close();
  }
});

test('fatal sets condition False/Failed and is not retried until the spec changes', async () => {
  const clock = new ManualClock(0);
  const p = modal(failing);
  p.inputs = [obj('Job', 'j', { mode: 'fatal' })];
  const r = await start(p, { clock });
  try {
    const c = (await r.condition('Job', 'j'))!;
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'Failed');
    assert.equal(c.message, 'cannot ever work');
    assert.equal(runsOf(r.reports, 'j'), 1);
    clock.advance(3_600_000);
    await r.idle();
    assert.equal(runsOf(r.reports, 'j'), 1, 'no retry');
    // A label change (no generation change) does not wake it up either.
    await r.apply({ ...obj('Job', 'j', { mode: 'fatal' }), metadata: { name: 'j', namespace: 'default', labels: { a: 'b' } } });
    await r.idle();
    assert.equal((await r.condition('Job', 'j'))?.reason, 'Failed');
    await r.apply(obj('Job', 'j', { mode: 'fine' }));
    await r.idle();
    assert.equal((await r.condition('Job', 'j'))?.status, 'True');
    assert.equal(((await r.get('Job', 'j'))!.status as { mode: string }).mode, 'fine');
  } finally {
    await r.close();
  }
});

test('fatal under a condition type chosen by the legacy 6-argument reconcile_result also holds until the spec changes', async () => {
  const p = modal(`
def reconcile(self):
    if self["spec"]["mode"] == "fatal":
        return reconcile_result(self, False, 0, "Deployed", "cannot ever work", True)
    return reconcile_result(self, False, 0, "Deployed", "", False)
`);
  p.inputs = [obj('Job', 'j', { mode: 'fatal' })];
  const r = await start(p);
  try {
    assert.equal((await r.condition('Job', 'j', 'Deployed'))?.reason, 'Failed');
    assert.equal(runsOf(r.reports, 'j'), 1);
    await r.apply({ ...obj('Job', 'j', { mode: 'fatal' }), metadata: { name: 'j', namespace: 'default', labels: { a: 'b' } } });
    await r.idle();
    assert.equal(runsOf(r.reports, 'j'), 1, 'a label change does not run it again');
    await r.apply(obj('Job', 'j', { mode: 'fine' }));
    await r.idle();
    assert.equal((await r.condition('Job', 'j', 'Deployed'))?.status, 'True');
  } finally {
    await r.close();
  }
});

test('legacy: finalizers the Starlark added are the Starlark\'s to remove; on deletion it runs and the object goes once it drops them', async () => {
  const p = modal(`
def reconcile(self):
    if self["metadata"].get("deletionTimestamp") != None:
        self = del_finalizer(self, "test.choreo.dev/cleanup")["resource"]
        return reconcile_result(self, False, 0, "Deployed", "", False)
    self = add_finalizer(self, "test.choreo.dev/cleanup")["resource"]
    return reconcile_result(self, False, 0, "Deployed", "", False)
`);
  p.inputs = [obj('Job', 'j', { mode: 'fine' })];
  const r = await start(p);
  try {
    assert.deepEqual([...((await r.get('Job', 'j'))!.metadata.finalizers ?? [])].sort(), ['jobs', 'test.choreo.dev/cleanup']);
    await r.engine.registry.delete({ apiVersion: 'test.choreo.dev/v1', kind: 'Job' }, 'default', 'j');
    await r.idle();
    assert.equal(await r.get('Job', 'j'), undefined, 'deleted once both finalizers are gone');
  } finally {
    await r.close();
  }
});

test('requeue=True goes through the fast limiter: 5 ms doubling up to 1 s, never a hot loop', async () => {
  const clock = new ManualClock(0);
  const p: ProjectSpec = {
    crds: [{ kind: 'Job', plural: 'jobs' }],
    reconcilers: {
      jobs: {
        spec: forKind('Job'),
        code: `
def reconcile(self):
    if self["spec"]["after"] > 0:
        return reconcile_result(self, False, self["spec"]["after"], "", False)
    return reconcile_result(self, True, 0, "", False)
`,
      },
    },
    inputs: [obj('Job', 'again', { after: 0 })],
  };
  const r = await start(p, { clock });
  try {
    assert.equal(runsOf(r.reports, 'again'), 1);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const due = r.engine.manager.nextDueAt()!;
      delays.push(due - clock.now());
      clock.advanceTo(due);
      await r.idle();
    }
    // 5, 10, 20, ... ms: exponential, so 10 requeues took well over a hot loop's time.
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    assert.equal(runsOf(r.reports, 'again'), 11);
    assert.equal((await r.condition('Job', 'again'))?.status, 'True');
  } finally {
    await r.close();
  }
});

test('requeueAfter runs the object again exactly after the given seconds', async () => {
  const clock = new ManualClock(0);
  const p: ProjectSpec = {
    crds: [{ kind: 'Job', plural: 'jobs' }],
    reconcilers: { jobs: { spec: forKind('Job'), code: 'def reconcile(self):\n    return reconcile_result(self, requeueAfter=30)\n' } },
    inputs: [obj('Job', 'later')],
  };
  const r = await start(p, { clock });
  try {
    assert.equal(runsOf(r.reports, 'later'), 1);
    clock.advance(29_999);
    await r.idle();
    assert.equal(runsOf(r.reports, 'later'), 1);
    clock.advance(1);
    await r.idle();
    assert.equal(runsOf(r.reports, 'later'), 2);
    assert.equal(r.reports.at(-1)!.outcome, 'Requeue');
  } finally {
    await r.close();
  }
});

const runaway: ProjectSpec = {
  crds: [
    { kind: 'Loop', plural: 'loops' },
    { kind: 'Fine', plural: 'fines' },
  ],
  reconcilers: {
    loops: {
      spec: forKind('Loop'),
      code: `
def spin(n):
    total = 0
    for i in range(n):
        for j in range(n):
            total += 1
    return total

def reconcile(self):
    spin(1000000)
    return reconcile_result(self)
`,
    },
    fines: { spec: forKind('Fine'), code: 'def reconcile(self):\n    self.setdefault("status", {})["ok"] = True\n    return reconcile_result(self)\n' },
  },
  inputs: [obj('Loop', 'forever'), obj('Fine', 'f1')],
};

test('an endless loop is cancelled by the step budget with a clear error while another reconciler keeps working', async () => {
  const r = await start(runaway, { maxSteps: 200_000 });
  try {
    const c = (await r.condition('Loop', 'forever'))!;
    assert.equal(c.status, 'False');
    assert.match(c.message, /used up its budget of 200000 steps/);
    assert.match(c.message, /reconciler\.star:5:\d+: in spin/);
    assert.equal((await r.condition('Fine', 'f1'))?.status, 'True');
    // The worker survived: new work for the healthy reconciler still runs.
    await r.apply(obj('Fine', 'f2'));
    await r.idle();
    assert.equal((await r.condition('Fine', 'f2'))?.status, 'True');
  } finally {
    await r.close();
  }
});

test('a reconcile running past the wall-clock limit is cancelled with a timeout error', async () => {
  const r = await start(runaway, { maxSteps: Number.POSITIVE_INFINITY, timeoutMs: 150 });
  try {
    const c = (await r.condition('Loop', 'forever'))!;
    assert.equal(c.status, 'False');
    assert.match(c.message, /still running after the 150 ms time limit/);
    assert.match(c.message, /in spin/);
    assert.equal((await r.condition('Fine', 'f1'))?.status, 'True');
    const d = r.reports.find((x) => x.reconciler === 'loops')!.durationMs;
    assert.ok(d >= 150 && d < 2_000, `cancelled soon after the limit (took ${d} ms)`);
  } finally {
    await r.close();
  }
});
