// The registry as the reconciler runtime uses it: in-process, through the
// Client contract (no HTTP). Metadata management, generation and no-op
// writes, status separation, server-side apply, finalizers, garbage
// collection, namespaces, watch filtering and Events.

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { MemoryStore } from '../../src/store/memory.js';
import { widgetCrd } from './fixtures.js';

const W = { apiVersion: 'example.com/v1', kind: 'Widget' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const widget = (name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject => ({ ...W, metadata: { name, namespace: 'default', ...meta }, spec });

async function rejects(p: Promise<unknown>, reason: string): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.reason, reason, err.message);
    return err;
  }
  assert.fail(`expected ${reason}`);
}

describe('registry (in-process Client)', () => {
  let reg: Registry;

  beforeEach(async () => {
    reg = await Registry.open(new MemoryStore());
    await reg.create(parseYaml(widgetCrd) as KObject);
  });

  it('serves a CRD as soon as it is created, with Established/NamesAccepted conditions', async () => {
    const info = reg.resourceInfo(W);
    assert.deepEqual(info, { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, subresources: { status: true } });
    const crd = await reg.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' }, '', 'widgets.example.com');
    const conds = (crd!.status as { conditions: { type: string; status: string }[] }).conditions;
    assert.deepEqual(conds.map((c) => [c.type, c.status]), [['NamesAccepted', 'True'], ['Established', 'True']]);
    assert.equal(reg.resourceInfo({ apiVersion: 'example.com/v2', kind: 'Widget' }), undefined);
  });

  it('server-side apply honours a resourceVersion in the applied configuration (optimistic concurrency, also on status), as kube-apiserver does', async () => {
    const first = await reg.create(widget('w-rv', { size: 1 }));
    const moved = await reg.apply(widget('w-rv', { size: 2 }), { fieldManager: 'other' });
    const pinned = (rv: string | undefined, spec: Record<string, unknown>) => widget('w-rv', spec, { resourceVersion: rv });
    await rejects(reg.apply(pinned(first.metadata.resourceVersion, { size: 3 }), { fieldManager: 'm', force: true }), 'Conflict');
    await rejects(reg.apply({ ...pinned(first.metadata.resourceVersion, {}), status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'm', subresource: 'status' }), 'Conflict');
    assert.equal(((await reg.get(W, 'default', 'w-rv'))!.spec as { size: number }).size, 2);
    const ok = await reg.apply({ ...pinned(moved.metadata.resourceVersion, {}), status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'm', subresource: 'status' });
    assert.deepEqual(ok.status, { conditions: [{ type: 'Ready', status: 'True' }] });
  });

  it('serves every served version of a CRD from one storage, and recompiles schemas on CRD update', async () => {
    const crdRef = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
    const crd = structuredClone((await reg.get(crdRef, '', 'widgets.example.com'))!) as KObject & { spec: { versions: Record<string, unknown>[] } };
    const v1 = crd.spec.versions[0];
    crd.spec.versions = [
      { ...v1, storage: false },
      { ...structuredClone(v1), name: 'v2', storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', maximum: 10 } } } } } } },
    ];
    await reg.update(crd);
    const a = await reg.create(widget('mv', { size: 3 }));
    assert.equal(a.apiVersion, 'example.com/v1');
    const viaV2 = await reg.get({ apiVersion: 'example.com/v2', kind: 'Widget' }, 'default', 'mv');
    assert.equal(viaV2!.apiVersion, 'example.com/v2');
    assert.equal((viaV2!.spec as { size: number }).size, 3);
    const err = await rejects(reg.create({ ...widget('mv2', { size: 11 }), apiVersion: 'example.com/v2' }), 'Invalid');
    assert.equal(err.details!.causes![0].field, 'spec.size');
    const stored = await reg.get(crdRef, '', 'widgets.example.com');
    assert.deepEqual((stored!.status as { storedVersions: string[] }).storedVersions, ['v1', 'v2']);
  });

  it('rejects an invalid CRD with field paths', async () => {
    const bad = parseYaml(widgetCrd) as KObject;
    bad.metadata.name = 'wrong.example.com';
    (bad.spec as { scope: string }).scope = 'Galaxy';
    const err = await rejects(reg.create(bad), 'Invalid');
    const fields = err.details!.causes!.map((c) => c.field);
    assert.ok(fields.includes('metadata.name') && fields.includes('spec.scope'), fields.join(','));
  });

  it('sets system metadata, generateName, and bumps generation only for spec changes', async () => {
    const created = await reg.create({ ...W, metadata: { generateName: 'gen-', namespace: 'default', uid: 'mine', creationTimestamp: '1999-01-01T00:00:00Z' }, spec: { size: 1 } });
    assert.match(created.metadata.name!, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(created.metadata.uid, 'mine');
    assert.match(created.metadata.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version 4 UUID');
    const uids = new Set<string>();
    for (let i = 0; i < 600; i++) uids.add((await reg.create({ ...W, metadata: { name: `many-${i}`, namespace: 'default' }, spec: { size: 1 } })).metadata.uid!);
    assert.equal(uids.size, 600, 'uids stay unique across the random-byte pool refills');
    assert.notEqual(created.metadata.creationTimestamp, '1999-01-01T00:00:00Z');
    assert.equal(created.metadata.generation, 1);
    assert.equal((created.spec as { color: string }).color, 'blue', 'defaulted');
    const labelled = await reg.patch(W, 'default', created.metadata.name!, 'merge', { metadata: { labels: { a: 'b' } } });
    assert.equal(labelled.metadata.generation, 1);
    const resized = await reg.patch(W, 'default', created.metadata.name!, 'merge', { spec: { size: 2 } });
    assert.equal(resized.metadata.generation, 2);
    assert.equal(resized.metadata.uid, created.metadata.uid);
    assert.ok(Number(resized.metadata.resourceVersion) > Number(labelled.metadata.resourceVersion));
  });

  it('skips writes that change nothing (same resourceVersion, no watch event)', async () => {
    const a = await reg.create(widget('noop', { size: 1 }));
    const events: string[] = [];
    const w = reg.watch(W, { namespace: 'default', resourceVersion: a.metadata.resourceVersion }, (ev) => events.push(ev.type));
    const b = await reg.update({ ...structuredClone(a) });
    const c = await reg.patch(W, 'default', 'noop', 'merge', { spec: { size: 1 } });
    const d = await reg.apply(widget('noop', { size: 1 }), { fieldManager: 'x' });
    const e = await reg.apply(widget('noop', { size: 1 }), { fieldManager: 'x' });
    assert.equal(b.metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(c.metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(e.metadata.resourceVersion, d.metadata.resourceVersion, 'second identical apply is a no-op');
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.ok(events.length <= 1, `at most the first apply's ownership write: ${events}`);
  });

  it('keeps status and spec apart when status is a subresource', async () => {
    const a = await reg.create({ ...widget('st', { size: 1 }), status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    assert.equal(a.status, undefined, 'status dropped on create');
    const s = await reg.update({ ...structuredClone(a), spec: { size: 5 }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { subresource: 'status' });
    assert.equal((s.spec as { size: number }).size, 1);
    assert.equal(s.metadata.generation, 1);
    const m = await reg.update({ ...structuredClone(s), spec: { size: 5 }, status: {} });
    assert.equal((m.status as { conditions: unknown[] }).conditions.length, 1);
    assert.equal(m.metadata.generation, 2);
  });

  it('applyWithStatus stores main-resource and status applies as one write; a conflict in either writes nothing', async () => {
    const a = await reg.create(widget('ws', { size: 1 }));
    const meta = { name: 'ws', namespace: 'default' };
    const both = await reg.applyWithStatus({ ...W, metadata: { ...meta, finalizers: ['example.com/keep'] } }, { ...W, metadata: meta, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'ctrl' });
    assert.equal(Number(both.metadata.resourceVersion), Number(a.metadata.resourceVersion) + 1, 'one write');
    assert.deepEqual(both.metadata.finalizers, ['example.com/keep']);
    assert.deepEqual(both.status, { conditions: [{ type: 'Ready', status: 'True' }] });
    assert.equal(both.metadata.generation, 1);
    const again = await reg.applyWithStatus({ ...W, metadata: { ...meta, finalizers: ['example.com/keep'] } }, { ...W, metadata: meta, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'ctrl' });
    assert.equal(again.metadata.resourceVersion, both.metadata.resourceVersion, 'no-op: no write');
    // Another manager's status field: its status apply conflicts, and its main-resource part is not stored either.
    await rejects(reg.applyWithStatus({ ...W, metadata: { ...meta, labels: { by: 'other' } } }, { ...W, metadata: meta, status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { fieldManager: 'other' }), 'Conflict');
    const after = (await reg.get(W, 'default', 'ws'))!;
    assert.equal(after.metadata.resourceVersion, both.metadata.resourceVersion);
    assert.equal(after.metadata.labels, undefined);
    await reg.patch(W, 'default', 'ws', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
  });

  it('detects optimistic-concurrency conflicts and validates with field paths', async () => {
    const a = await reg.create(widget('occ', { size: 1 }));
    await reg.patch(W, 'default', 'occ', 'merge', { spec: { size: 2 } });
    await rejects(reg.update({ ...structuredClone(a), spec: { size: 3 } }), 'Conflict');
    const err = await rejects(reg.create(widget('inv', { size: 'big' })), 'Invalid');
    assert.equal(err.details!.causes![0].field, 'spec.size');
    await rejects(reg.create(widget('occ', { size: 1 })), 'AlreadyExists');
    await rejects(reg.create({ ...widget('x', { size: 1 }), metadata: { name: 'x', namespace: 'nowhere' } }), 'NotFound');
  });

  it('server-side apply: ownership, conflicts, force, and removal of fields no longer applied', async () => {
    await reg.apply(widget('ssa', { size: 1, items: ['a'] }), { fieldManager: 'alice' });
    await rejects(reg.apply(widget('ssa', { size: 2 }), { fieldManager: 'bob' }), 'Conflict');
    const forced = await reg.apply(widget('ssa', { size: 2 }), { fieldManager: 'bob', force: true });
    assert.equal((forced.spec as { size: number }).size, 2);
    const dropped = await reg.apply(widget('ssa', {}), { fieldManager: 'alice' });
    assert.equal((dropped.spec as { items?: string[] }).items, undefined, 'alice stopped applying items');
    assert.equal((dropped.spec as { size: number }).size, 2, 'bob still owns size');
    const managers = dropped.metadata.managedFields!.map((m) => `${m.manager}/${m.operation}`).sort();
    assert.deepEqual(managers, ['alice/Apply', 'bob/Apply']);
  });

  it('server-side apply of status through the status subresource leaves spec alone', async () => {
    await reg.apply(widget('ssa-st', { size: 1 }), { fieldManager: 'user' });
    const st = await reg.apply({ ...W, metadata: { name: 'ssa-st', namespace: 'default' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'ctrl', subresource: 'status' });
    assert.equal((st.status as { conditions: { status: string }[] }).conditions[0].status, 'True');
    assert.equal((st.spec as { size: number }).size, 1);
    assert.equal(st.metadata.generation, 1);
    const entry = st.metadata.managedFields!.find((m) => m.manager === 'ctrl')!;
    assert.equal(entry.subresource, 'status');
    const main = await reg.apply({ ...widget('ssa-st', { size: 1 }), status: { conditions: [] } }, { fieldManager: 'user' });
    assert.equal((main.status as { conditions: unknown[] }).conditions.length, 1, 'status through the main resource is ignored');
  });

  it('finalizers hold deletion; removing the last one completes it', async () => {
    await reg.create(widget('fin', { size: 1 }, { finalizers: ['example.com/hold'] }));
    const del = await reg.delete(W, 'default', 'fin');
    assert.ok(del.metadata.deletionTimestamp);
    await rejects(reg.patch(W, 'default', 'fin', 'merge', { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }), 'Invalid');
    await reg.patch(W, 'default', 'fin', 'merge', { metadata: { finalizers: null } });
    assert.equal(await reg.get(W, 'default', 'fin'), undefined);
  });

  it('collects dependents: background, foreground (blocking), orphan, and owners already gone', async () => {
    const mk = async (owner: string) => {
      const o = await reg.create(widget(owner, { size: 1 }));
      const ref = { apiVersion: 'example.com/v1', kind: 'Widget', name: owner, uid: o.metadata.uid!, blockOwnerDeletion: true };
      await reg.create({ ...CM, metadata: { name: `${owner}-child`, namespace: 'default', ownerReferences: [ref] } });
      return o;
    };
    await mk('bg');
    await reg.delete(W, 'default', 'bg');
    await reg.lifecycle.whenIdle();
    assert.equal(await reg.get(CM, 'default', 'bg-child'), undefined);

    await mk('fg');
    await reg.patch(CM, 'default', 'fg-child', 'merge', { metadata: { finalizers: ['example.com/hold'] } });
    const fg = await reg.delete(W, 'default', 'fg', { propagationPolicy: 'Foreground' });
    assert.ok(fg.metadata.finalizers!.includes('foregroundDeletion'));
    await reg.lifecycle.whenIdle();
    assert.ok(await reg.get(W, 'default', 'fg'), 'owner waits for its blocking dependent');
    assert.ok((await reg.get(CM, 'default', 'fg-child'))!.metadata.deletionTimestamp);
    await reg.patch(CM, 'default', 'fg-child', 'merge', { metadata: { finalizers: null } });
    await reg.lifecycle.whenIdle();
    assert.equal(await reg.get(W, 'default', 'fg'), undefined);

    await mk('or');
    await reg.delete(W, 'default', 'or', { propagationPolicy: 'Orphan' });
    await reg.lifecycle.whenIdle();
    assert.equal(await reg.get(W, 'default', 'or'), undefined);
    assert.equal((await reg.get(CM, 'default', 'or-child'))!.metadata.ownerReferences, undefined);

    await reg.create({ ...CM, metadata: { name: 'dangling', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'no-such-uid' }] } });
    await reg.lifecycle.whenIdle();
    assert.equal(await reg.get(CM, 'default', 'dangling'), undefined);
  });

  it('terminates namespaces (contents first) and CRDs (instances first)', async () => {
    await reg.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    await reg.create({ ...widget('in-tmp', { size: 1 }), metadata: { name: 'in-tmp', namespace: 'tmp', finalizers: ['example.com/hold'] } });
    const ns = await reg.delete({ apiVersion: 'v1', kind: 'Namespace' }, '', 'tmp');
    assert.equal((ns.status as { phase: string }).phase, 'Terminating');
    await reg.lifecycle.whenIdle();
    await rejects(reg.create({ ...CM, metadata: { name: 'late', namespace: 'tmp' } }), 'Forbidden');
    assert.ok(await reg.get({ apiVersion: 'v1', kind: 'Namespace' }, '', 'tmp'), 'namespace waits for finalized contents');
    await reg.patch(W, 'tmp', 'in-tmp', 'merge', { metadata: { finalizers: null } });
    await reg.lifecycle.whenIdle();
    assert.equal(await reg.get({ apiVersion: 'v1', kind: 'Namespace' }, '', 'tmp'), undefined);

    await reg.create(widget('w', { size: 1 }, { finalizers: ['example.com/hold'] }));
    await reg.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' }, '', 'widgets.example.com');
    await reg.lifecycle.whenIdle();
    assert.ok(reg.resourceInfo(W), 'still served while an instance is finalizing');
    await rejects(reg.create(widget('late', { size: 1 })), 'MethodNotAllowed');
    await reg.update({ ...structuredClone((await reg.get(W, 'default', 'w'))!), metadata: { ...structuredClone((await reg.get(W, 'default', 'w'))!.metadata), finalizers: [], namespace: undefined } });
    await reg.lifecycle.whenIdle();
    assert.equal(reg.resourceInfo(W), undefined);
    assert.equal((await reg.store.list({ resource: 'example.com/widgets' })).items.length, 0);
  });

  it('watches with selectors: entering is ADDED, leaving is DELETED', async () => {
    const start = await reg.list(W);
    const events: string[] = [];
    const w = reg.watch(W, { labelSelector: 'tier=gold', resourceVersion: start.resourceVersion }, (ev) => events.push(`${ev.type} ${ev.object.metadata.name}`));
    await reg.create(widget('plain', { size: 1 }));
    await reg.patch(W, 'default', 'plain', 'merge', { metadata: { labels: { tier: 'gold' } } });
    await reg.patch(W, 'default', 'plain', 'merge', { spec: { size: 2 } });
    await reg.patch(W, 'default', 'plain', 'merge', { metadata: { labels: { tier: 'lead' } } });
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.deepEqual(events, ['ADDED plain', 'MODIFIED plain', 'DELETED plain']);
    const listed = await reg.list(W, { labelSelector: 'tier in (lead)', fieldSelector: 'metadata.name=plain' });
    assert.deepEqual(listed.items.map((o) => o.metadata.name), ['plain']);
  });

  it('keeps immutable ConfigMaps immutable and merges Secret stringData into data', async () => {
    await reg.create({ ...CM, metadata: { name: 'frozen', namespace: 'default' }, data: { a: '1' }, immutable: true });
    const err = await rejects(reg.patch(CM, 'default', 'frozen', 'merge', { data: { a: '2' } }), 'Invalid');
    assert.equal(err.details!.causes![0].field, 'data');
    await rejects(reg.patch(CM, 'default', 'frozen', 'merge', { immutable: false }), 'Invalid');
    const labelled = await reg.patch(CM, 'default', 'frozen', 'merge', { metadata: { labels: { ok: 'yes' } } });
    assert.equal(labelled.metadata.labels!.ok, 'yes');
    const s = await reg.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { pw: 'hunter2' } });
    assert.deepEqual(s.data, { pw: Buffer.from('hunter2').toString('base64') });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
  });

  it('records Events and aggregates repeats into a count', async () => {
    const o = await reg.create(widget('ev', { size: 1 }));
    const e1 = await reg.events.record(o, { type: 'Warning', reason: 'Failed', message: 'boom', component: 'widget-reconciler' });
    const e2 = await reg.events.record(o, { type: 'Warning', reason: 'Failed', message: 'boom', component: 'widget-reconciler' });
    assert.equal(e2.metadata.name, e1.metadata.name);
    assert.equal(e2.count, 2);
    const list = await reg.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    assert.equal(list.items.length, 1);
    assert.deepEqual((list.items[0].involvedObject as { uid: string }).uid, o.metadata.uid);
  });
});

describe('registry: server-side apply racing a create', () => {
  it('retries as an update without the defaults or system metadata of the failed create', async () => {
    // A store in which someone else creates the object between the registry's read and its create.
    class RacingStore extends MemoryStore {
      raced = false;
      override async create(key: Parameters<MemoryStore['create']>[0], obj: KObject): Promise<KObject> {
        if (!this.raced && key.name === 'race') {
          this.raced = true;
          const other = { ...W, metadata: { name: 'race', namespace: 'default', uid: 'other-uid', creationTimestamp: '2024-01-01T00:00:00Z', generation: 1 }, spec: { size: 5, color: 'red' } };
          await super.create(key, other);
        }
        return super.create(key, obj);
      }
    }
    const store = new RacingStore();
    const reg = await Registry.open(store);
    await reg.create(parseYaml(widgetCrd) as KObject);
    const out = await reg.apply(widget('race', { size: 1 }), { fieldManager: 'alice' });
    assert.ok(store.raced);
    assert.equal(out.metadata.uid, 'other-uid');
    assert.deepEqual(out.spec, { size: 1, color: 'red' }, 'the default of the failed create must not be applied over the other writer');
    const alice = out.metadata.managedFields!.find((m) => m.manager === 'alice')!;
    assert.deepEqual(alice.fieldsV1, { 'f:spec': { 'f:size': {} } });
  });
});
