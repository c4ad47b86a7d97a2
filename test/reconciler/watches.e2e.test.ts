// Watches end to end: editing a watched resource re-triggers the For objects
// that depend on it — through a join selector (metadata.name: spec.settings)
// and, without a selector, every For object of the reconciler.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersion, forKind, obj, start, typeRef, type ProjectSpec } from './harness.js';

const project = (): ProjectSpec => ({
  crds: [
    { kind: 'App', plural: 'apps' },
    { kind: 'Settings', plural: 'settings' },
    { kind: 'Report', plural: 'reports' },
  ],
  reconcilers: {
    apps: {
      spec: forKind('App', { watches: [{ ...typeRef('Settings'), selector: { match: { 'metadata.name': 'spec.settings' } } }] }),
      code: `
def reconcile(self):
    rsp = client_get(self["spec"]["settings"], self["metadata"]["namespace"], {"apiVersion": "${apiVersion}", "kind": "Settings"})
    if rsp["error"] != None:
        return reconcile_result(self, False, 0, rsp["error"], rsp["fatal"])
    self.setdefault("status", {})["color"] = rsp["resource"]["spec"]["color"]
    return reconcile_result(self)
`,
    },
    reports: {
      spec: forKind('Report', { watches: [typeRef('Settings')] }),
      code: `
def reconcile(self):
    rsp = client_list({"apiVersion": "${apiVersion}", "kind": "Settings", "metadata": {"namespace": "default"}})
    colors = sorted([s["spec"]["color"] for s in rsp["resource"]["items"]])
    self.setdefault("status", {})["colors"] = colors
    return reconcile_result(self)
`,
    },
  },
  inputs: [obj('Settings', 's1', { color: 'red' }), obj('App', 'a1', { settings: 's1' }), obj('App', 'a2', { settings: 's2' }), obj('Report', 'r1'), obj('Report', 'r2')],
});

const runs = (reports: { reconciler: string; key: string }[], reconciler: string, name: string) => reports.filter((r) => r.reconciler === reconciler && r.key === `default/${name}`).length;
const status = async (r: Awaited<ReturnType<typeof start>>, kind: string, name: string) => (await r.get(kind, name))!.status as Record<string, unknown>;

test('a join selector re-triggers exactly the For objects that reference the edited watched object', async () => {
  // a2 waits (a message), which requeues it through the rate limiter; pushed out of the test's time so only watch events count.
  const r = await start(project(), { rateLimits: { requeueBaseDelayMs: 600_000, requeueMaxDelayMs: 600_000 } });
  try {
    assert.equal((await status(r, 'App', 'a1')).color, 'red');
    const waiting = (await r.condition('App', 'a2'))!;
    assert.equal(waiting.status, 'False');
    assert.match(waiting.message, /settings\.test\.choreo\.dev "s2" not found/);

    const a2Runs = runs(r.reports, 'apps', 'a2');
    await r.apply(obj('Settings', 's1', { color: 'blue' }));
    await r.idle();
    assert.equal((await status(r, 'App', 'a1')).color, 'blue');
    assert.equal(runs(r.reports, 'apps', 'a2'), a2Runs, 'a2 does not depend on s1');

    await r.apply(obj('Settings', 's2', { color: 'green' }));
    await r.idle();
    assert.equal((await status(r, 'App', 'a2')).color, 'green');
    assert.equal((await r.condition('App', 'a2'))?.status, 'True');
  } finally {
    await r.close();
  }
});

test('a watch without a selector re-triggers every For object of the reconciler', async () => {
  const r = await start(project());
  try {
    assert.deepEqual((await status(r, 'Report', 'r1')).colors, ['red']);
    await r.apply(obj('Settings', 's2', { color: 'green' }));
    await r.idle();
    assert.deepEqual((await status(r, 'Report', 'r1')).colors, ['green', 'red']);
    assert.deepEqual((await status(r, 'Report', 'r2')).colors, ['green', 'red']);
    await r.engine.registry.delete({ apiVersion, kind: 'Settings' }, 'default', 's1');
    await r.idle();
    assert.deepEqual((await status(r, 'Report', 'r1')).colors, ['green']);
    assert.deepEqual((await status(r, 'Report', 'r2')).colors, ['green']);
  } finally {
    await r.close();
  }
});

test('matchExpressions on a watch narrow which watched objects re-trigger the For objects', async () => {
  const p: ProjectSpec = {
    crds: [
      { kind: 'Report', plural: 'reports' },
      { kind: 'Settings', plural: 'settings' },
    ],
    reconcilers: {
      reports: {
        spec: forKind('Report', { watches: [{ ...typeRef('Settings'), selector: { matchExpressions: [{ expression: 'spec.tone', operator: 'In', values: ['warm'] }] } }] }),
        code: `
def reconcile(self):
    rsp = client_list({"apiVersion": "${apiVersion}", "kind": "Settings", "metadata": {"namespace": "default"}})
    self.setdefault("status", {})["colors"] = sorted([s["spec"]["color"] for s in rsp["resource"]["items"]])
    return reconcile_result(self)
`,
      },
    },
    inputs: [obj('Settings', 's1', { color: 'red', tone: 'warm' }), obj('Report', 'r1')],
  };
  const r = await start(p);
  try {
    assert.deepEqual((await status(r, 'Report', 'r1')).colors, ['red']);
    const before = runs(r.reports, 'reports', 'r1');
    await r.apply(obj('Settings', 's2', { color: 'blue', tone: 'cold' }));
    await r.idle();
    assert.equal(runs(r.reports, 'reports', 'r1'), before, 'a cold Settings does not trigger');
    await r.apply(obj('Settings', 's3', { color: 'orange', tone: 'warm' }));
    await r.idle();
    assert.equal(runs(r.reports, 'reports', 'r1'), before + 1);
    assert.deepEqual((await status(r, 'Report', 'r1')).colors, ['blue', 'orange', 'red']);
  } finally {
    await r.close();
  }
});
