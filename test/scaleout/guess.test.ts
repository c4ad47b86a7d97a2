// Writes through a registry on a shared store (etcd) take their first read from
// the registry's watch cache, as kube-apiserver's GuaranteedUpdate uses its
// cached object as the first guess: no get round trip when the cache is right,
// and never a different result when it is stale (another runner wrote since):
// the write's precondition fails and it is redone from a fresh read, and an
// outcome decided without a write (no-op, conflict of field owners) is checked
// against a fresh read first.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { skipWithoutEtcd, startEtcd, type EtcdServer } from '../helpers/etcd.js';

const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, data });

describe('registry writes on etcd: the watch cache as the first guess', { skip: skipWithoutEtcd() }, () => {
  let etcd: EtcdServer;
  let sa: EtcdStore;
  let sb: EtcdStore;
  let a: Registry;
  let b: Registry;
  before(async () => {
    etcd = await startEtcd();
    sa = await EtcdStore.open({ endpoints: [etcd.endpoint] });
    sb = await EtcdStore.open({ endpoints: [etcd.endpoint] });
    a = await Registry.open(sa);
    b = await Registry.open(sb);
  });
  after(async () => {
    a?.close();
    b?.close();
    await sa?.close();
    await sb?.close();
    await etcd?.stop();
  });

  it('an apply to an object the cache holds makes no get round trip', async () => {
    await a.apply(cm('x', { v: '1' }), { fieldManager: 'm1' });
    const reads = sa.stats.reads;
    const txns = sa.stats.txns;
    const out = await a.apply(cm('x', { v: '2' }), { fieldManager: 'm1' });
    assert.deepEqual(out.data, { v: '2' });
    assert.equal(sa.stats.reads - reads, 0);
    assert.equal(sa.stats.txns - txns, 1);
    assert.deepEqual((await sb.get({ resource: 'core/configmaps', namespace: 'default', name: 'x' }))?.data, { v: '2' });
  });

  it('after another registry wrote, applies keep its fields, see its ownership, and a no-op is judged on the stored object', async () => {
    for (let i = 0; i < 20; i++) {
      const name = `y${i}`;
      await a.apply(cm(name, { v: '1' }), { fieldManager: 'm1' });
      // b takes data.v and adds a label: a's cache may not have seen it yet.
      await b.apply(cm(name, { v: 'b' }, { by: 'b' }), { fieldManager: 'm2', force: true });
      // The same configuration as a applied before: not a no-op any more, a conflict with m2.
      await assert.rejects(a.apply(cm(name, { v: '1' }), { fieldManager: 'm1' }), (e: unknown) => e instanceof ApiError && e.reason === 'Conflict' && /m2/.test(e.message));
      // A field nobody else owns: written on top of b's write, nothing of b's lost.
      const out = await a.apply(cm(name, { v: 'b', w: 'a' }), { fieldManager: 'm1' });
      assert.deepEqual(out.data, { v: 'b', w: 'a' });
      assert.deepEqual(out.metadata.labels, { by: 'b' });
      const stored = await sb.get({ resource: 'core/configmaps', namespace: 'default', name });
      assert.equal(stored?.metadata.resourceVersion, out.metadata.resourceVersion);
    }
  });

  it('update, patch and delete of an object the cache holds make no get round trip', async () => {
    const created = await a.create(cm('u', { v: '1' }));
    let reads = sa.stats.reads;
    const updated = await a.update({ ...cm('u', { v: '2' }), metadata: { ...cm('u', {}).metadata, resourceVersion: created.metadata.resourceVersion } });
    assert.deepEqual(updated.data, { v: '2' });
    const patched = await a.patch({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', 'u', 'merge', { data: { w: '3' } });
    assert.deepEqual(patched.data, { v: '2', w: '3' });
    await a.delete({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', 'u');
    assert.equal(sa.stats.reads - reads, 0, 'no gets');
    assert.equal(await sb.get({ resource: 'core/configmaps', namespace: 'default', name: 'u' }), undefined);
    reads = sa.stats.reads;
    await assert.rejects(a.update(cm('u', { v: '4' })), (e: unknown) => e instanceof ApiError && e.reason === 'NotFound');
    assert.ok(sa.stats.reads - reads >= 1, 'not found in the cache is checked against etcd');
  });

  it('after another registry wrote, update, patch and delete act on the stored object, not a stale cache', async () => {
    for (let i = 0; i < 10; i++) {
      const name = `z${i}`;
      const created = await a.create(cm(name, { v: '1' }));
      const theirs = await b.patch({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name, 'merge', { data: { b: 'x' } });
      // A pinned update against the version a read: a conflict, whatever a's cache says.
      await assert.rejects(a.update({ ...cm(name, { v: '2' }), metadata: { ...cm(name, {}).metadata, resourceVersion: created.metadata.resourceVersion } }), (e: unknown) => e instanceof ApiError && e.reason === 'Conflict');
      // A merge patch keeps b's field.
      const patched = await a.patch({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name, 'merge', { data: { a: 'y' } });
      assert.deepEqual(patched.data, { v: '1', b: 'x', a: 'y' });
      assert.ok(Number(patched.metadata.resourceVersion) > Number(theirs.metadata.resourceVersion));
      // b deletes it; a's delete (cache may still hold it) is NotFound, as it would be on a fresh read.
      await b.delete({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name);
      await assert.rejects(a.delete({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name), (e: unknown) => e instanceof ApiError && e.reason === 'NotFound');
    }
  });
  it('a system write (mutate: garbage collector, finalizers) of an object the cache holds makes no get round trip', async () => {
    const t = a.resolve({ apiVersion: 'v1', kind: 'ConfigMap' });
    await a.create(cm('m', { v: '1' }));
    const reads = sa.stats.reads;
    const txns = sa.stats.txns;
    const out = await a.mutate(t, 'default', 'm', (o) => {
      o.metadata.labels = { k: 'v' };
    });
    assert.deepEqual(out?.metadata.labels, { k: 'v' });
    assert.equal(sa.stats.reads - reads, 0, 'no gets');
    assert.equal(sa.stats.txns - txns, 1);
    assert.deepEqual((await sb.get({ resource: 'core/configmaps', namespace: 'default', name: 'm' }))?.metadata.labels, { k: 'v' });
  });

  it('after another registry wrote, a system write acts on the stored object: its fields kept, its finalizer seen, its deletion seen', async () => {
    const t = a.resolve({ apiVersion: 'v1', kind: 'ConfigMap' });
    const dropFinalizer = (o: KObject) => {
      if (!(o.metadata.finalizers ?? []).includes('x.io/b')) return false;
      delete o.metadata.finalizers;
      return true;
    };
    for (let i = 0; i < 10; i++) {
      const name = `s${i}`;
      await a.create(cm(name, { v: '1' }));
      // b adds a finalizer (a system write on b): a's cache may not have it yet, and a's
      // removal must not decline on the cached object that lacks it.
      await b.mutate(t, 'default', name, (o) => {
        o.metadata.finalizers = ['x.io/b'];
      });
      const out = await a.mutate(t, 'default', name, dropFinalizer);
      assert.equal(out?.metadata.finalizers, undefined);
      const stored = await sb.get({ resource: 'core/configmaps', namespace: 'default', name });
      assert.equal(stored?.metadata.finalizers, undefined, 'the finalizer b added was removed');
      // b changes data; a's label write keeps it (a stale guess fails its precondition and is redone).
      const theirs = await b.patch({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name, 'merge', { data: { b: 'x' } });
      const labelled = await a.mutate(t, 'default', name, (o) => {
        o.metadata.labels = { by: 'a' };
      });
      assert.deepEqual(labelled?.data, { v: '1', b: 'x' });
      assert.ok(Number(labelled?.metadata.resourceVersion) > Number(theirs.metadata.resourceVersion));
      // b deletes it: a's system write finds nothing, whatever its cache says.
      await b.delete({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', name);
      assert.equal(await a.mutate(t, 'default', name, () => true), undefined);
      assert.equal(await sb.get({ resource: 'core/configmaps', namespace: 'default', name }), undefined, 'not brought back');
    }
  });
});
