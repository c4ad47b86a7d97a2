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
});
