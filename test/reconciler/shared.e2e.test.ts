// Several reconcilers on one For object: each keeps its own finalizer,
// condition and status fields (never taking ownership of the others'), and
// two reconcilers writing the same field end in an SSA conflict reported as
// the second one's error — never a silent overwrite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/index.js';
import { apiVersion, forKind, obj, start, type ProjectSpec } from './harness.js';

const writer = (field: string, from: string) => `
def reconcile(self):
    st = self.setdefault("status", {})
    st.setdefault("shared", {})["${field}"] = self["spec"]["${from}"]
    return reconcile_result(self)
`;

test('two reconcilers share a For object: own finalizers, conditions and status fields; no conflicts as both keep changing', async () => {
  const p: ProjectSpec = {
    crds: [{ kind: 'Thing', plural: 'things' }],
    reconcilers: {
      alpha: { spec: forKind('Thing', { conditionType: 'AlphaReady' }), code: writer('a', 'x') },
      beta: { spec: forKind('Thing', { conditionType: 'BetaReady' }), code: writer('b', 'y') },
    },
    inputs: [obj('Thing', 't', { x: 1, y: 1 })],
  };
  const r = await start(p);
  try {
    for (let i = 2; i <= 4; i++) {
      await r.apply(obj('Thing', 't', { x: i, y: i * 10 }));
      await r.idle();
      const t = (await r.get('Thing', 't'))!;
      assert.deepEqual((t.status as { shared: unknown }).shared, { a: i, b: i * 10 });
      assert.equal((await r.condition('Thing', 't', 'AlphaReady'))?.status, 'True');
      assert.equal((await r.condition('Thing', 't', 'BetaReady'))?.status, 'True');
    }
    const t = (await r.get('Thing', 't'))!;
    assert.deepEqual([...(t.metadata.finalizers ?? [])].sort(), ['alpha', 'beta']);
    const fieldsOf = (m: string) => JSON.stringify(t.metadata.managedFields!.filter((e) => e.manager === m).map((e) => e.fieldsV1));
    assert.match(fieldsOf('alpha'), /"f:a"/);
    assert.doesNotMatch(fieldsOf('alpha'), /"f:b"|BetaReady/);
    assert.match(fieldsOf('beta'), /"f:b"/);
    assert.doesNotMatch(fieldsOf('beta'), /"f:a"|AlphaReady/);

    const before = await r.revision();
    r.enqueue('alpha', 't');
    r.enqueue('beta', 't');
    await r.idle();
    assert.equal(await r.revision(), before, 'idle reconciles of both write nothing');

    // Deleting the object waits for both finalizers, then it is gone.
    await r.engine.registry.delete({ apiVersion, kind: 'Thing' }, 'default', 't');
    await r.idle();
    assert.equal(await r.get('Thing', 't'), undefined);
  } finally {
    await r.close();
  }
});

test('a status field a reconciler stops returning is removed', async () => {
  const p: ProjectSpec = {
    crds: [{ kind: 'Thing', plural: 'things' }],
    reconcilers: {
      alpha: {
        spec: forKind('Thing'),
        code: `
def reconcile(self):
    st = self.setdefault("status", {})
    if self["spec"]["x"] > 1:
        st.pop("extra", None)
    else:
        st["extra"] = "x is small"
    st["x"] = self["spec"]["x"]
    return reconcile_result(self)
`,
      },
    },
    inputs: [obj('Thing', 't', { x: 1 })],
  };
  const r = await start(p);
  try {
    assert.equal(((await r.get('Thing', 't'))!.status as Record<string, unknown>).extra, 'x is small');
    await r.apply(obj('Thing', 't', { x: 2 }));
    await r.idle();
    const st = (await r.get('Thing', 't'))!.status as Record<string, unknown>;
    assert.equal(st.x, 2);
    assert.equal('extra' in st, false);
  } finally {
    await r.close();
  }
});

test('two reconcilers writing the same status field: the second gets an SSA conflict as its error', async () => {
  const p: ProjectSpec = {
    crds: [{ kind: 'Thing', plural: 'things' }],
    reconcilers: {
      alpha: { spec: forKind('Thing', { conditionType: 'AlphaReady' }), code: writer('owner', 'x') },
      beta: { spec: forKind('Thing', { conditionType: 'BetaReady' }), code: writer('owner', 'y') },
    },
    inputs: [obj('Thing', 't', { x: 'alpha', y: 'beta' })],
  };
  const r = await start(p);
  try {
    const a = (await r.condition('Thing', 't', 'AlphaReady'))!;
    const b = (await r.condition('Thing', 't', 'BetaReady'))!;
    const [winner, loser, loserName, winnerName] = a.status === 'True' ? [a, b, 'beta', 'alpha'] : [b, a, 'alpha', 'beta'];
    assert.equal(winner.status, 'True');
    assert.equal(loser.status, 'False');
    assert.equal(loser.reason, 'Error');
    assert.match(loser.message, /conflict/i);
    assert.match(loser.message, /\.status\.shared\.owner/);
    assert.match(loser.message, new RegExp(winnerName));
    assert.equal(((await r.get('Thing', 't'))!.status as { shared: { owner: string } }).shared.owner, winnerName, `${loserName} did not overwrite`);
  } finally {
    await r.close();
  }
});

test('two reconcilers creating the same child with different content: the second gets a conflict', async () => {
  const child = (v: string) => `
def reconcile(self):
    client_create({"apiVersion": "${apiVersion}", "kind": "Thing", "metadata": {"name": "shared-child"}, "spec": {"by": "${v}"}})
    return reconcile_result(self)
`;
  const p: ProjectSpec = {
    crds: [
      { kind: 'A', plural: 'as' },
      { kind: 'B', plural: 'bs' },
      { kind: 'Thing', plural: 'things' },
    ],
    reconcilers: { ra: { spec: forKind('A'), code: child('ra') }, rb: { spec: forKind('B'), code: child('rb') } },
    inputs: [obj('A', 'a'), obj('B', 'b')],
  };
  const r = await start(p);
  try {
    const ca = (await r.condition('A', 'a'))!;
    const cb = (await r.condition('B', 'b'))!;
    assert.deepEqual([ca.status, cb.status].sort(), ['False', 'True']);
    const [loser, loserName, winnerName] = ca.status === 'False' ? [ca, 'ra', 'rb'] : [cb, 'rb', 'ra'];
    assert.match(loser.message, new RegExp(`^reconciler ${loserName} conflicts with reconciler ${winnerName} over \\.spec\\.by of Thing default/shared-child`));
    const by = ((await r.get('Thing', 'shared-child'))!.spec as { by: string }).by;
    assert.equal(by, winnerName);
    // The contested child says so too, naming both.
    const events = (await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items as unknown as { involvedObject: { name: string }; type: string; reason: string; message: string }[];
    const onChild = events.filter((e) => e.involvedObject.name === 'shared-child');
    assert.deepEqual(
      onChild.map((e) => [e.type, e.reason, e.message]),
      [['Warning', 'FieldConflict', `reconcilers ${loserName} and ${winnerName} both set .spec.by: ${winnerName} owns it, ${loserName}'s apply was refused`]],
    );
  } finally {
    await r.close();
  }
});

test('four reconcilers removing their finalizers at once: no conflicts surface, the object is gone without waiting for a retry', async () => {
  const code = 'def reconcile(self):\n    return reconcile_result(self)\n';
  const reconcilers: ProjectSpec['reconcilers'] = {};
  for (const n of ['a', 'b', 'c', 'd']) reconcilers[n] = { spec: forKind('Thing', { conditionType: n.toUpperCase() }), code };
  const clock = new ManualClock(0);
  const r = await start({ crds: [{ kind: 'Thing', plural: 'things' }], reconcilers, inputs: [obj('Thing', 't1'), obj('Thing', 't2')] }, { clock });
  try {
    assert.deepEqual((await r.get('Thing', 't1'))!.metadata.finalizers, ['a', 'b', 'c', 'd']);
    await r.engine.registry.delete({ apiVersion, kind: 'Thing' }, 'default', 't1');
    await r.engine.registry.delete({ apiVersion, kind: 'Thing' }, 'default', 't2');
    await r.idle(); // the ManualClock never moves: a backoff retry would leave the objects in place
    assert.equal(await r.get('Thing', 't1'), undefined);
    assert.equal(await r.get('Thing', 't2'), undefined);
    assert.deepEqual(r.reports.filter((x) => x.outcome === 'Error').map((x) => x.message), []);
  } finally {
    await r.close();
  }
});
