// Hostile reconcilers against the per-reconcile limits (issue 18, items 1-2):
// a memory bomb, huge big-int products, amplifying string builtins and long
// builtins in a loop must end the reconcile with a clear message (condition
// False, retried with backoff) within seconds, instead of exhausting the heap
// or blocking the process past the wall-clock budget.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/index.js';
import { forKind, obj, start, type StartOptions } from '../reconciler/harness.js';
import { bomb } from './starlark-util.js';

/** Runs `body` as the reconcile of one object; returns its Ready condition and how long the reconcile took. */
async function reconcileOnce(body: string, opts: StartOptions = {}) {
  const code = `def reconcile(self):\n${body.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n    return reconcile_result(self, False, 0, "", False)\n`;
  const t0 = performance.now();
  const r = await start({ crds: [{ kind: 'Job', plural: 'jobs' }], reconcilers: { jobs: { spec: forKind('Job'), code } }, inputs: [obj('Job', 'j')] }, { clock: new ManualClock(1_000_000), ...opts });
  const ms = performance.now() - t0;
  try {
    return { cond: (await r.condition('Job', 'j'))!, ms, runs: r.reports.length };
  } finally {
    await r.close();
  }
}

test('the memory bomb from issue 18 ends its reconcile with "exceeded its memory limit", condition False', async () => {
  const { cond, ms } = await reconcileOnce(bomb(0));
  assert.equal(cond.status, 'False');
  assert.match(cond.message, /reconcile exceeded its memory limit of 256 MiB/);
  assert.match(cond.message, /reconciler\.star:6:\d+/);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('squaring a big int 36 times is cut off within a second, not after minutes', async () => {
  const { cond, ms } = await reconcileOnce(`
x = 3
for i in range(36):
    x = x * x
`);
  assert.equal(cond.status, 'False');
  assert.match(cond.message, /reconcile (cancelled: used up its budget|exceeded its memory limit)/);
  assert.ok(ms < 5_000, `took ${ms} ms`);
});

for (const [what, body] of [
  ['string repetition', 'keep = []\nfor i in range(100):\n    keep.append("x" * (1 << 27) + str(i))'],
  ['list repetition', 'keep = []\nfor i in range(100):\n    keep.append([i] * (1 << 26))'],
  ['join with a long separator', 'sep = "y" * 100000\nkeep = []\nfor i in range(100):\n    keep.append(sep.join(["a"] * 10000))'],
  ['replace of the empty string', 'keep = []\nfor i in range(100):\n    keep.append(("x" * 4000).replace("", "y" * 100000))'],
  ['printing a list shared 2^40 times', 'l = [1]\nfor i in range(40):\n    l = [l, l]\ns = str(l)'],
  ['materialising a range', 'keep = []\nfor i in range(100):\n    keep.append(list(range(1 << 26)))'],
  ['dict of a big range', 'keep = []\nfor i in range(100):\n    keep.append({k: k for k in range(1 << 20)})'],
] as const) {
  test(`${what} is charged to the memory budget`, async () => {
    const { cond, ms } = await reconcileOnce(body);
    assert.equal(cond.status, 'False');
    assert.match(cond.message, /reconcile (exceeded its memory limit of 256 MiB|cancelled: used up its budget)/);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });
}

for (const [what, body] of [
  ['sorted', 'l = list(range(100000))\nfor i in range(100000):\n    sorted(l)'],
  ['membership in a long list', 'l = list(range(1000000))\nfor i in range(100000):\n    -1 in l'],
  ['str.replace', 's = "ab" * 1000000\nfor i in range(100000):\n    s.replace("a", "b")'],
  ['list equality', 'a = list(range(1000000))\nb = list(range(1000000))\nfor i in range(100000):\n    a == b'],
] as const) {
  test(`${what} in a loop is charged steps in proportion to its work, so the wall-clock limit holds`, async () => {
    const { cond, ms } = await reconcileOnce(body, { maxSteps: 1e12, timeoutMs: 300 });
    assert.equal(cond.status, 'False');
    assert.match(cond.message, /reconcile cancelled: still running after the 300 ms time limit/);
    assert.ok(ms < 3_000, `took ${ms} ms`);
  });
}

test('a reconcile within the limits is not affected', async () => {
  const { cond } = await reconcileOnce(`
parts = []
for i in range(20000):
    parts.append("line %d" % i)
text = "\\n".join(parts)
d = {p: len(p) for p in parts}
self.setdefault("status", {})["n"] = len(sorted(d.keys())) + len(text.replace("line", "l"))
`);
  assert.notEqual(cond.status, 'False', cond.message);
});
