import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeRef } from '../../src/api/client.js';
import type { KObject } from '../../src/api/object.js';
import { ManualClock } from '../../src/controller/clock.js';
import { Controller } from '../../src/controller/controller.js';
import { enqueueForObject, enqueueForOwner, enqueueMapped } from '../../src/controller/handler.js';
import { SharedInformer } from '../../src/controller/informer.js';
import { and, generationChanged, labelsMatch, not } from '../../src/controller/predicate.js';
import type { Request } from '../../src/controller/reconcile.js';
import { flush, obj } from './helpers.js';
import { testRegistry } from './registry.js';

const Parent: TypeRef = { apiVersion: 'example.com/v1', kind: 'Parent' };
const Child: TypeRef = { apiVersion: 'example.com/v1', kind: 'Child' };

const collect = () => {
  const got: string[] = [];
  return { got, enqueue: (r: Request) => got.push(`${r.namespace}/${r.name}`) };
};

function child(name: string, refs: Array<{ apiVersion: string; kind: string; name: string; controller?: boolean }>): KObject {
  return obj(Child, 'ns', name, { ownerReferences: refs.map((r, i) => ({ ...r, uid: `uid-${i}` })) });
}

test('Owns: follows the controller ownerReference of the For group/kind, in any version', () => {
  const h = enqueueForOwner(Parent);
  const c = collect();
  h.create(
    child('c', [
      { apiVersion: 'example.com/v2', kind: 'Parent', name: 'p1', controller: true }, // other version, same object
      { apiVersion: 'example.com/v1', kind: 'Parent', name: 'p2' }, // not the controller
      { apiVersion: 'other.com/v1', kind: 'Parent', name: 'p3', controller: true }, // other group
      { apiVersion: 'example.com/v1', kind: 'Other', name: 'p4', controller: true }, // other kind
    ]),
    c.enqueue,
  );
  assert.deepEqual(c.got, ['ns/p1']);

  const all = collect();
  enqueueForOwner(Parent, { onlyController: false }).create(child('c', [{ apiVersion: 'example.com/v1', kind: 'Parent', name: 'p2' }]), all.enqueue);
  assert.deepEqual(all.got, ['ns/p2']);

  const cluster = collect();
  enqueueForOwner(Parent, { ownerNamespaced: false }).delete(child('c', [{ apiVersion: 'example.com/v1', kind: 'Parent', name: 'top', controller: true }]), cluster.enqueue);
  assert.deepEqual(cluster.got, ['/top']);
});

test('Owns on update enqueues both the old and the new owner', () => {
  const c = collect();
  const ref = (name: string) => [{ apiVersion: 'example.com/v1', kind: 'Parent', name, controller: true }];
  enqueueForOwner(Parent).update(child('c', ref('old')), child('c', ref('new')), c.enqueue);
  assert.deepEqual(c.got, ['ns/old', 'ns/new']);
});

test('Watches maps the watched object (old and new on update) through the function', () => {
  const byPartition = enqueueMapped((o) => [{ namespace: 'ns', name: String((o.spec as { partition: string }).partition) }]);
  const c = collect();
  const w = (p: string) => obj(Child, 'x', 'w', {}, { spec: { partition: p } });
  byPartition.create(w('p1'), c.enqueue);
  byPartition.update(w('p1'), w('p2'), c.enqueue);
  byPartition.delete(w('p2'), c.enqueue);
  assert.deepEqual(c.got, ['ns/p1', 'ns/p1', 'ns/p2', 'ns/p2']);
});

test('predicates: generationChanged drops status-only updates; labelsMatch filters; and/not compose', () => {
  const g1 = obj(Parent, 'ns', 'p', { generation: 1, labels: { env: 'prod' } });
  const g1b = { ...g1, status: { ok: true } };
  const g2 = obj(Parent, 'ns', 'p', { generation: 2, labels: { env: 'dev' } });
  assert.equal(generationChanged.update!(g1, g1b), false);
  assert.equal(generationChanged.update!(g1, g2), true);
  const prod = labelsMatch({ env: 'prod' });
  assert.equal(prod.create!(g1), true);
  assert.equal(prod.create!(g2), false);
  assert.equal(prod.update!(g1, g2), false, 'the new object decides');
  assert.equal(labelsMatch((l) => l.env !== undefined).delete!(g2), true);
  const sel = labelsMatch('env in (prod, staging),!legacy');
  assert.equal(sel.create!(g1), true);
  assert.equal(sel.create!(g2), false);
  assert.throws(() => labelsMatch('env in (prod'), 'a malformed selector fails when the predicate is built');
  const both = and(prod, generationChanged);
  assert.equal(both.create!(g1), true, 'generationChanged passes creates');
  assert.equal(both.update!(g1, g1b), false);
  assert.equal(not(prod).create!(g2), true);
});

test('a controller wired to informers reconciles For objects on their own events and their children’s', async () => {
  const clock = new ManualClock();
  const client = (await testRegistry()).registry;
  const p = await client.create(obj(Parent, 'ns', 'p'));
  const parents = new SharedInformer(client, Parent, { clock });
  const children = new SharedInformer(client, Child, { clock });
  const seen: string[] = [];
  const ctrl = new Controller('parent', { reconcile: async (r) => void seen.push(`${r.namespace}/${r.name}`) }, { clock });
  ctrl.watch(parents, enqueueForObject(), generationChanged);
  ctrl.watch(children, enqueueForOwner(Parent));
  ctrl.watch(
    children,
    enqueueMapped((o) => (o.metadata.labels?.for ? [{ namespace: 'ns', name: o.metadata.labels.for }] : [])),
  );
  parents.start();
  children.start();
  await Promise.all([parents.waitForSync(), children.waitForSync()]);
  ctrl.start();
  await ctrl.idle();
  assert.deepEqual(seen, ['ns/p'], 'initial list');

  await client.update({ ...p, status: { phase: 'x' } }, { subresource: 'status' }); // same generation: filtered
  await flush();
  await ctrl.idle();
  assert.deepEqual(seen, ['ns/p']);

  await client.create(obj(Child, 'ns', 'c', { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Parent', name: 'p', uid: p.metadata.uid!, controller: true }] }));
  await flush();
  await ctrl.idle();
  assert.deepEqual(seen, ['ns/p', 'ns/p'], 'Owns');

  await client.create(obj(Child, 'ns', 'w', { labels: { for: 'q' } }));
  await flush();
  await ctrl.idle();
  assert.deepEqual(seen, ['ns/p', 'ns/p', 'ns/q'], 'Watches');
  await ctrl.stop();
  parents.stop();
  children.stop();
});
