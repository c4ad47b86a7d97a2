// End to end through store + registry + engine: a parent whose reconciler
// creates spec.replicas children; scaling, ownership, deletion, quiet idling.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersion, forKind, obj, start, typeRef, type ProjectSpec } from './harness.js';

const project = (): ProjectSpec => ({
  crds: [
    { kind: 'Parent', plural: 'parents' },
    { kind: 'Child', plural: 'children' },
  ],
  reconcilers: {
    'parent-ctrl': {
      spec: forKind('Parent', { owns: [typeRef('Child')] }),
      code: `
def reconcile(self):
    name = self["metadata"]["name"]
    n = self["spec"].get("replicas", 0)
    for i in range(n):
        client_create({
            "apiVersion": "${apiVersion}",
            "kind": "Child",
            "metadata": {"name": "%s-%d" % (name, i), "namespace": self["metadata"]["namespace"]},
            "spec": {"index": i, "parent": name},
        })
    self.setdefault("status", {})["replicas"] = n
    return reconcile_result(self, False, 0, "", False)
`,
    },
  },
  inputs: [obj('Parent', 'p', { replicas: 3 })],
});

const names = (objs: { metadata: { name?: string } }[]) => objs.map((o) => o.metadata.name).sort();

test('children follow spec.replicas up and down, with a controller ownerReference and the reconciler as field manager', async () => {
  const r = await start(project());
  try {
    const parent = (await r.get('Parent', 'p'))!;
    assert.deepEqual(names(await r.list('Child')), ['p-0', 'p-1', 'p-2']);
    const child = (await r.get('Child', 'p-1'))!;
    assert.deepEqual(child.spec, { index: 1, parent: 'p' });
    assert.deepEqual(child.metadata.ownerReferences, [{ apiVersion, kind: 'Parent', name: 'p', uid: parent.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(
      child.metadata.managedFields?.map((m) => m.manager),
      ['parent-ctrl'],
    );
    assert.equal((parent.status as { replicas: number }).replicas, 3);
    assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
    assert.deepEqual(parent.metadata.finalizers, ['parent-ctrl']);
    // Becoming Ready on the first reconcile is the expected path: no Event for it.
    assert.deepEqual((await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items, []);

    await r.apply(obj('Parent', 'p', { replicas: 5 }));
    await r.idle();
    assert.deepEqual(names(await r.list('Child')), ['p-0', 'p-1', 'p-2', 'p-3', 'p-4']);

    await r.apply(obj('Parent', 'p', { replicas: 1 }));
    await r.idle();
    assert.deepEqual(names(await r.list('Child')), ['p-0']);
    const after = (await r.get('Parent', 'p'))!;
    assert.equal((after.status as { replicas: number }).replicas, 1);
    const ready = (await r.condition('Parent', 'p'))!;
    assert.equal(ready.status, 'True');
    assert.equal(ready.observedGeneration, after.metadata.generation);
  } finally {
    await r.close();
  }
});

test('an idle reconcile writes nothing (forced re-reconcile leaves the store revision unchanged)', async () => {
  const r = await start(project());
  try {
    const before = await r.revision();
    const count = r.reports.length;
    for (let i = 0; i < 3; i++) {
      r.enqueue('parent-ctrl', 'p');
      await r.idle();
    }
    assert.equal(r.reports.length, count + 3, 'the forced reconciles ran');
    assert.equal(await r.revision(), before, 'no write happened');
    assert.deepEqual(r.reports.slice(-3).map((x) => x.writes.length), [0, 0, 0]);
  } finally {
    await r.close();
  }
});

test('deleting the parent deletes its children and removes the finalizer, so the parent is gone', async () => {
  const r = await start(project());
  try {
    assert.equal((await r.list('Child')).length, 3);
    await r.engine.registry.delete({ apiVersion, kind: 'Parent' }, 'default', 'p');
    await r.idle();
    assert.equal(await r.get('Parent', 'p'), undefined);
    assert.deepEqual(await r.list('Child'), []);
    assert.ok(r.reports.some((x) => x.outcome === 'Deleted' && x.writes.filter((w) => w.op === 'deleted').length === 3));
  } finally {
    await r.close();
  }
});

test('a child deleted behind the reconciler\'s back is recreated', async () => {
  const r = await start(project());
  try {
    await r.engine.registry.delete({ apiVersion, kind: 'Child' }, 'default', 'p-2');
    await r.idle();
    assert.deepEqual(names(await r.list('Child')), ['p-0', 'p-1', 'p-2']);
  } finally {
    await r.close();
  }
});

test('a child field another client changed is put back by the reconciler, with a DriftCorrected Event on the child', async () => {
  const r = await start(project());
  try {
    await r.engine.registry.apply({ apiVersion, kind: 'Child', metadata: { name: 'p-0', namespace: 'default' }, spec: { index: 42 } }, { fieldManager: 'intruder', force: true });
    await r.idle();
    const child = (await r.get('Child', 'p-0'))!;
    assert.equal((child.spec as { index: number }).index, 0);
    assert.deepEqual(child.metadata.managedFields?.map((m) => m.manager), ['parent-ctrl'], 'the intruder owns nothing any more');
    assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
    const events = (await r.engine.registry.list({ apiVersion: 'v1', kind: 'Event' })).items as unknown as { involvedObject: { name: string }; type: string; reason: string; message: string }[];
    assert.deepEqual(
      events.map((e) => [e.involvedObject.name, e.type, e.reason, e.message]),
      [['p-0', 'Normal', 'DriftCorrected', 'drift corrected: .spec.index was changed by intruder']],
    );
  } finally {
    await r.close();
  }
});

test('a child built from what client_get returned is applied as a configuration (no resourceVersion precondition, no managedFields)', async () => {
  const r = await start({
    crds: [
      { kind: 'Parent', plural: 'parents' },
      { kind: 'Child', plural: 'children' },
    ],
    reconcilers: {
      'parent-ctrl': {
        spec: forKind('Parent', { owns: [typeRef('Child')] }),
        code: `
def reconcile(self):
    ns = self["metadata"]["namespace"]
    rsp = client_get("c", ns, {"apiVersion": "${apiVersion}", "kind": "Child"})
    if rsp["error"] == None:
        child = rsp["resource"]
        if "managedFields" in child["metadata"]:
            return reconcile_result(self, False, 0, "managedFields leaked into Starlark", True)
        child["spec"]["round"] = self["spec"]["round"]
    else:
        child = {"apiVersion": "${apiVersion}", "kind": "Child", "metadata": {"name": "c", "namespace": ns}, "spec": {"round": self["spec"]["round"]}}
    client_create(child)
    return reconcile_result(self)
`,
      },
    },
    inputs: [obj('Parent', 'p', { round: 1 })],
  });
  try {
    for (let round = 2; round <= 3; round++) {
      await r.apply(obj('Parent', 'p', { round }));
      await r.idle();
      assert.equal((await r.condition('Parent', 'p'))?.status, 'True', (await r.condition('Parent', 'p'))?.message);
      assert.equal(((await r.get('Child', 'c'))!.spec as { round: number }).round, round);
    }
  } finally {
    await r.close();
  }
});

test('a new object gets its finalizer and Ready condition in one write (one resourceVersion, as the original choreo\'s single apply)', async () => {
  const r = await start(project());
  try {
    const before = await r.revision();
    await r.apply(obj('Parent', 'solo', { replicas: 0 }));
    await r.idle();
    assert.equal((await r.revision()) - before, 2, 'the user\'s create and one reconciler write');
    const p = (await r.get('Parent', 'solo'))!;
    assert.deepEqual(p.metadata.finalizers, ['parent-ctrl']);
    assert.equal((await r.condition('Parent', 'solo'))?.status, 'True');
    assert.equal((p.status as { replicas?: number }).replicas, 0);
    // Ownership is recorded as two applies would: finalizer on the main resource, status on /status.
    const mine = (p.metadata.managedFields ?? []).filter((m) => m.manager === 'parent-ctrl').map((m) => `${m.operation}/${m.subresource ?? ''}`);
    assert.deepEqual(mine.sort(), ['Apply/', 'Apply/status']);
  } finally {
    await r.close();
  }
});

test('without a status subresource the finalizer survives status writes (success, then an error condition, then success)', async () => {
  const p = project();
  p.crds = [
    { kind: 'Parent', plural: 'parents', statusSubresource: false },
    { kind: 'Child', plural: 'children' },
  ];
  p.reconcilers['parent-ctrl'].code = p.reconcilers['parent-ctrl'].code.replace('def reconcile(self):\n', 'def reconcile(self):\n    if self["spec"].get("broken"):\n        return reconcile_result(self, False, 0, "broken on purpose", False)\n');
  const r = await start(p);
  try {
    const fin = async () => (await r.get('Parent', 'p'))!.metadata.finalizers;
    assert.deepEqual(await fin(), ['parent-ctrl']);
    assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
    await r.apply(obj('Parent', 'p', { replicas: 3, broken: true }));
    await r.idle();
    assert.equal((await r.condition('Parent', 'p'))?.message, 'broken on purpose');
    assert.deepEqual(await fin(), ['parent-ctrl'], 'the error condition did not drop the finalizer');
    await r.apply(obj('Parent', 'p', { replicas: 1 }));
    await r.idle();
    assert.equal((await r.condition('Parent', 'p'))?.status, 'True');
    assert.deepEqual(await fin(), ['parent-ctrl']);
    assert.equal((await r.list('Child')).length, 1);
    const before = await r.revision();
    r.enqueue('parent-ctrl', 'p');
    await r.idle();
    assert.equal(await r.revision(), before, 'idle afterwards');
  } finally {
    await r.close();
  }
});
