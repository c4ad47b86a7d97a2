// The stored-copy rules of the memory and file backends: a write stores exactly
// what a JSON round trip of the caller's object would give (so memory and file
// stores agree and nothing a caller later changes leaks in), while subtrees of
// earlier stored objects are shared instead of copied.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../src/api/object.js';
import { MemoryStore } from '../../src/store/memory.js';
import { stampedJSON, storedCopy } from '../../src/store/objects.js';

const key = { resource: 'example.com/widgets', namespace: 'default', name: 'w' };

describe('stored copies', () => {
  it('normalize like a JSON round trip, key order included', () => {
    const when = new Date('2026-01-02T03:04:05Z');
    const odd = {
      kind: 'Widget',
      apiVersion: 'example.com/v1',
      spec: { a: undefined, b: NaN, c: -0, d: Infinity, e: [1, undefined, () => 1, 'x'], f: when, g: { toJSON: () => 'custom' }, h: null, i: { nested: [{ deep: true }] } },
      metadata: { resourceVersion: '7', name: 'w', labels: { x: 'y' } },
      extra: Symbol('dropped'),
    } as unknown as KObject;
    const got = storedCopy(odd, 12);
    const want = JSON.parse(stampedJSON(odd, 12));
    assert.deepEqual(got, want);
    assert.equal(JSON.stringify(got), JSON.stringify(want));
    assert.equal(got.metadata.resourceVersion, '12');
    const noMeta = { kind: 'Widget', apiVersion: 'example.com/v1' } as unknown as KObject;
    assert.equal(JSON.stringify(storedCopy(noMeta, 3)), stampedJSON(noMeta, 3));
  });

  it('are deep-frozen and independent of the caller object', async () => {
    const store = new MemoryStore();
    const mine: KObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { list: [{ a: 1 }] } };
    const stored = await store.create(key, mine);
    ((mine.spec as { list: { a: number }[] }).list[0]).a = 2;
    assert.equal(((stored.spec as { list: { a: number }[] }).list[0]).a, 1);
    assert.throws(() => {
      ((stored.spec as { list: { a: number }[] }).list[0]).a = 3;
    }, TypeError);
    await store.close();
  });

  it('share unchanged subtrees of the stored object an update is built from', async () => {
    const store = new MemoryStore();
    const first = await store.create(key, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 1 }, status: { big: { a: [1, 2, 3] } } });
    const next = await store.update(key, { ...first, metadata: { ...first.metadata }, spec: { size: 2 } });
    assert.equal(next.status, first.status);
    assert.deepEqual(next.spec, { size: 2 });
    assert.notEqual(next.metadata.resourceVersion, first.metadata.resourceVersion);
    await store.close();
  });

  it('share one frozen copy of equal ownerReferences and fieldsV1 across objects handed over by the registry; different ones stay apart', async () => {
    const store = new MemoryStore();
    const child = (name: string, owner: string, fields: Record<string, unknown>): KObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: {
        name,
        namespace: 'default',
        ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Owner', name: owner, uid: `uid-${owner}`, controller: true }],
        managedFields: [{ manager: 'm', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: fields }],
      },
    });
    const fields = () => ({ 'f:spec': { 'f:size': {} } });
    const a = await store.create({ ...key, name: 'a' }, child('a', 'o1', fields()), { adopt: true });
    const b = await store.create({ ...key, name: 'b' }, child('b', 'o1', fields()), { adopt: true });
    const c = await store.create({ ...key, name: 'c' }, child('c', 'o2', { 'f:spec': { 'f:other': {} } }), { adopt: true });
    assert.equal(a.metadata.ownerReferences, b.metadata.ownerReferences);
    assert.equal(a.metadata.managedFields![0].fieldsV1, b.metadata.managedFields![0].fieldsV1);
    assert.notEqual(a.metadata.ownerReferences, c.metadata.ownerReferences);
    assert.deepEqual(c.metadata.ownerReferences![0].name, 'o2');
    assert.deepEqual(c.metadata.managedFields![0].fieldsV1, { 'f:spec': { 'f:other': {} } });
    assert.ok(Object.isFrozen(a.metadata.ownerReferences![0]) && Object.isFrozen(a.metadata.managedFields![0].fieldsV1));
    assert.deepEqual(await store.get({ ...key, name: 'b' }), b);
    await store.close();
  });
});

describe('list order', () => {
  it('stays sorted through bursts of creates, deletes and paged lists', async () => {
    const store = new MemoryStore();
    const model = new Set<string>();
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const widget = (ns: string, name: string): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: ns } });
    for (let step = 0; step < 400; step++) {
      const burst = 1 + rnd(12); // sometimes a few creates, sometimes a batch
      for (let i = 0; i < burst; i++) {
        const ns = `ns${rnd(3)}`;
        const name = `w${rnd(500)}`;
        const k = `${ns}/${name}`;
        if (model.has(k)) {
          await store.delete({ ...key, namespace: ns, name });
          model.delete(k);
        } else {
          await store.create({ ...key, namespace: ns, name }, widget(ns, name));
          model.add(k);
        }
      }
      if (step % 3 === 0) {
        const ns = step % 2 ? `ns${rnd(3)}` : undefined;
        const want = [...model].filter((k) => !ns || k.startsWith(`${ns}/`)).sort((a, b) => (a.replace('/', '\0') < b.replace('/', '\0') ? -1 : 1));
        const got: string[] = [];
        let cont: string | undefined;
        do {
          const page = await store.list({ resource: key.resource, namespace: ns }, { limit: 7, continue: cont });
          got.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
          cont = page.continue;
        } while (cont);
        assert.deepEqual(got, want, `step ${step}`);
      }
    }
    await store.close();
  });
});
