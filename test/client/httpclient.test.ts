// The Client contract over HTTP: every operation against a real API server,
// with the errors a caller must be able to tell apart, plus a real informer
// running on the HTTP watch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { ClientWatchEvent, ForcedFields } from '../../src/api/client.js';
import { ApiError, isApiError } from '../../src/api/errors.js';
import type { KObject } from '../../src/api/object.js';
import { HttpClient } from '../../src/client/httpclient.js';
import { SharedInformer } from '../../src/controller/informer.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { MemoryStore } from '../../src/store/memory.js';
import { eventually, Harness } from '../apiserver/helpers.js';
import { widgetCrd } from '../apiserver/fixtures.js';

const W = { apiVersion: 'example.com/v1', kind: 'Widget' };

function widget(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KObject {
  return { ...W, metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, spec };
}

describe('HttpClient', () => {
  let h: Harness;
  let c: HttpClient;
  before(async () => {
    h = await Harness.start();
    c = await HttpClient.connect({ kubeconfig: h.kubeconfig, env: {} });
  });
  after(async () => {
    await h.close();
  });

  test('resourceInfo comes from discovery and picks up a CRD created through the client', async () => {
    assert.deepEqual(c.resourceInfo({ apiVersion: 'v1', kind: 'ConfigMap' }), { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, subresources: { status: false } });
    assert.equal(c.resourceInfo(W), undefined);
    await c.apply(parse(widgetCrd) as KObject, { fieldManager: 'test' });
    await eventually(async () => (await c.list(W).then(() => true, () => false)) || undefined, 5000, 'widgets to be served');
    assert.deepEqual(c.resourceInfo(W), { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, subresources: { status: true } });
  });

  test('create, get, list with selectors, update with optimistic concurrency', async () => {
    const a = await c.create(widget('a', { size: 1 }, { app: 'web' }));
    assert.equal(a.metadata.uid !== undefined, true);
    assert.equal((a.spec as { color: string }).color, 'blue', 'server-side defaulting');
    await c.create(widget('b', { size: 2 }, { app: 'db' }));
    await assert.rejects(c.create(widget('a', { size: 1 })), (e: unknown) => isApiError(e, 'AlreadyExists'));
    assert.equal((await c.get(W, 'default', 'a'))?.metadata.uid, a.metadata.uid);
    assert.equal(await c.get(W, 'default', 'nope'), undefined);
    const web = await c.list(W, { namespace: 'default', labelSelector: 'app=web' });
    assert.deepEqual(web.items.map((o) => o.metadata.name), ['a']);
    assert.equal(web.items[0].kind, 'Widget');
    assert.ok(Number(web.resourceVersion) > 0);
    assert.deepEqual((await c.list(W, { fieldSelector: 'metadata.name=b' })).items.map((o) => o.metadata.name), ['b']);
    const paged = await c.list(W, { limit: 1 });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.continue, 'a continue token for the next page');
    const updated = await c.update({ ...a, spec: { size: 5 } });
    assert.equal((updated.spec as { size: number }).size, 5);
    await assert.rejects(c.update({ ...a, spec: { size: 6 } }), (e: unknown) => isApiError(e, 'Conflict'));
    await assert.rejects(c.update({ ...updated, spec: { size: 0 } }), (e: unknown) => isApiError(e, 'Invalid') && (e as ApiError).details?.causes?.[0]?.field === 'spec.size');
  });

  test('applyWithStatus: the main-resource apply, then the status apply, both owned by the manager', async () => {
    await c.create(widget('both', { size: 1 }));
    const meta = { name: 'both', namespace: 'default' };
    const out = await c.applyWithStatus({ ...W, metadata: { ...meta, finalizers: ['example.com/keep'] } }, { ...W, metadata: meta, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { fieldManager: 'ctrl' });
    assert.deepEqual(out.metadata.finalizers, ['example.com/keep']);
    assert.deepEqual(out.status, { conditions: [{ type: 'Ready', status: 'True' }] });
    const mine = (out.metadata.managedFields ?? []).filter((m) => m.manager === 'ctrl').map((m) => m.subresource ?? '');
    assert.deepEqual(mine.sort(), ['', 'status']);
    await c.patch(W, 'default', 'both', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
  });

  test('status subresource, merge and json patch', async () => {
    const a = (await c.get(W, 'default', 'a'))!;
    const st = await c.update({ ...a, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    assert.deepEqual(st.status, { conditions: [{ type: 'Ready', status: 'True' }] });
    const merged = await c.patch(W, 'default', 'a', 'merge', { spec: { color: 'red' } });
    assert.equal((merged.spec as { color: string }).color, 'red');
    const json = await c.patch(W, 'default', 'a', 'json', [{ op: 'replace', path: '/spec/size', value: 8 }]);
    assert.equal((json.spec as { size: number }).size, 8);
    const sp = await c.patch(W, 'default', 'a', 'merge', { status: { conditions: [] } }, { subresource: 'status' });
    assert.deepEqual(sp.status, { conditions: [] });
  });

  test('server-side apply: conflicts between managers, force, dry run', async () => {
    await c.apply(widget('s', { size: 1 }), { fieldManager: 'one' });
    await assert.rejects(c.apply(widget('s', { size: 2 }), { fieldManager: 'two' }), (e: unknown) => isApiError(e, 'Conflict') && /one/.test((e as Error).message));
    const dry = await c.apply(widget('s', { size: 2 }), { fieldManager: 'two', force: true, dryRun: true });
    assert.equal((dry.spec as { size: number }).size, 2);
    assert.equal(((await c.get(W, 'default', 's'))!.spec as { size: number }).size, 1, 'dry run did not persist');
    const forced = await c.apply(widget('s', { size: 2 }), { fieldManager: 'two', force: true });
    assert.equal((forced.spec as { size: number }).size, 2);
  });

  test('server-side apply with forceFrom: forced only over the accepted managers, the fields taken reported', async () => {
    await c.apply(widget('ff', { size: 1 }), { fieldManager: 'ctrl' });
    await c.patch(W, 'default', 'ff', 'merge', { spec: { size: 2 } }, { fieldManager: 'kubectl-patch' });
    await c.apply(widget('ff', { size: 2, color: 'red' }), { fieldManager: 'peer' });
    const taken: ForcedFields[] = [];
    const opts = { fieldManager: 'ctrl', forceFrom: (m: string) => m !== 'peer', onForced: (t: ForcedFields[]) => taken.push(...t) };
    await assert.rejects(c.apply(widget('ff', { size: 1, color: 'green' }), opts), (e: unknown) => isApiError(e, 'Conflict') && /peer/.test((e as Error).message));
    assert.deepEqual(taken, []);
    await c.apply(widget('ff', { size: 2, color: 'green' }), { fieldManager: 'peer', force: true }); // peer now owns size (shared) and color
    await c.patch(W, 'default', 'ff', 'merge', { spec: { size: 3 } }, { fieldManager: 'kubectl-patch' }); // and lost size to kubectl-patch
    const out = await c.apply(widget('ff', { size: 1 }), opts);
    assert.equal((out.spec as { size: number }).size, 1);
    assert.deepEqual(taken, [{ manager: 'kubectl-patch', operation: 'Update', subresource: '', fields: ['.spec.size'] }]);
  });

  test('delete: finalizers keep the object with a deletionTimestamp; NotFound after', async () => {
    await c.create({ ...widget('held', { size: 1 }), metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/x'] } });
    const d = await c.delete(W, 'default', 'held');
    assert.ok(d.metadata.deletionTimestamp);
    await c.patch(W, 'default', 'held', 'merge', { metadata: { finalizers: null } });
    assert.equal(await c.get(W, 'default', 'held'), undefined);
    await assert.rejects(c.delete(W, 'default', 'held'), (e: unknown) => isApiError(e, 'NotFound'));
    await assert.rejects(c.get({ apiVersion: 'nope.io/v1', kind: 'Ghost' }, 'default', 'x'), (e: unknown) => isApiError(e, 'NotFound') && /no matches for kind "Ghost"/.test((e as Error).message));
  });

  test('watch streams ADDED, MODIFIED, DELETED from a resourceVersion, and stop() ends it', async () => {
    const { resourceVersion } = await c.list(W);
    const events: ClientWatchEvent[] = [];
    const errors: Error[] = [];
    const w = c.watch(W, { namespace: 'default', resourceVersion }, (ev) => events.push(ev), (e) => errors.push(e));
    try {
      await c.create(widget('w1', { size: 1 }));
      await c.patch(W, 'default', 'w1', 'merge', { spec: { size: 2 } });
      await c.delete(W, 'default', 'w1');
      const seen = await eventually(async () => {
        const mine = events.filter((e) => e.object.metadata.name === 'w1').map((e) => e.type);
        return mine.length >= 3 && mine;
      }, 5000, 'three watch events');
      assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'DELETED']);
    } finally {
      w.stop();
    }
    const after = events.length;
    await c.create(widget('w2', { size: 1 }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.length, after, 'no events after stop()');
    assert.deepEqual(errors, []);
  });

  test('watch without a resourceVersion starts now: existing objects are not replayed', async () => {
    const events: ClientWatchEvent[] = [];
    const w = c.watch(W, { namespace: 'default' }, (ev) => ev.type !== 'BOOKMARK' && events.push(ev));
    try {
      await new Promise((r) => setTimeout(r, 300));
      await c.patch(W, 'default', 'w2', 'merge', { spec: { size: 4 } });
      await eventually(async () => events.length > 0, 5000, 'the modification');
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['MODIFIED', 'w2']]);
    } finally {
      w.stop();
    }
  });

  test('a SharedInformer runs on the HTTP watch: initial sync, then live updates', async () => {
    const inf = new SharedInformer(c, W, { onError: () => {} });
    const added: string[] = [];
    inf.addEventHandler({ onAdd: (o) => added.push(o.metadata.name!) });
    inf.start();
    try {
      await inf.waitForSync();
      assert.ok(inf.get('default', 'a'), 'listed object is cached');
      await c.create(widget('late', { size: 3 }));
      await eventually(async () => inf.get('default', 'late'), 5000, 'informer to see the new object');
      assert.ok(added.includes('late'));
    } finally {
      inf.stop();
    }
  });

  test('a watch resumes when the server ends the stream (its timeout)', async () => {
    const store = new MemoryStore();
    const srv = await startApiServer({ store, watch: { defaultTimeoutSeconds: 1 } });
    try {
      const short = await HttpClient.connect({ server: srv.url, namespace: 'default', contextName: 'test', files: [] });
      const seen: string[] = [];
      const errors: Error[] = [];
      const w = short.watch({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default' }, (ev) => ev.type === 'ADDED' && seen.push(ev.object.metadata.name!), (e) => errors.push(e));
      try {
        await new Promise((r) => setTimeout(r, 1600)); // the first stream has ended by now
        await short.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-timeout', namespace: 'default' }, data: {} });
        await eventually(async () => seen.includes('after-timeout'), 5000, 'the event after the server closed the first stream');
        assert.deepEqual(errors, []);
      } finally {
        w.stop();
      }
    } finally {
      await srv.close();
      await store.close();
    }
  });

  test('a server that is not there is a clear error, not a hang', async () => {
    const down = new HttpClient(new (await import('../../src/client/transport.js')).Transport({ server: 'http://127.0.0.1:1', namespace: 'default', contextName: 'x', files: [] }));
    await assert.rejects(down.discovery.all(), /connection to the server 127\.0\.0\.1:1 was refused/);
  });
});
