// Issue 19's memory goal, measured: heap bytes retained per object stored in
// the memory store (with the registry's per-object state) and per object held
// by an informer cache on top, for N objects (default 100k), against the
// object's JSON size. Objects are the reconcile workload's Children as a
// reconcile writes them (server-side apply through the registry: managedFields,
// an ownerReference, uid, timestamps). Run with --expose-gc (the npm script
// does): heapUsed is read after a full collection at each step.
//
//   npm run bench:store:memory -- [objects=100000]

import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { SharedInformer } from '../../src/controller/informer.js';
import { MemoryStore } from '../../src/store/memory.js';
import { apiVersion, workloadCRDs } from '../reconcile/workload.js';

const N = Number(process.argv[2] ?? 100_000);
if (!global.gc) {
  console.error('run with node --expose-gc (npm run bench:store:memory)');
  process.exit(1);
}
const heap = () => {
  global.gc!();
  global.gc!();
  return process.memoryUsage().heapUsed;
};

const reg = await Registry.open(new MemoryStore());
for (const crd of workloadCRDs()) await reg.create(crd);
// As the reconcile workload has them: 3 Children per Parent (the Parents are stored before counting starts).
const owners: KObject['metadata']['ownerReferences'][] = [];
for (let p = 0; p < Math.ceil(N / 3); p++) {
  const parent = await reg.create({ apiVersion, kind: 'Parent', metadata: { name: `p${p}`, namespace: 'default' }, spec: { replicas: 3 } });
  owners.push([{ apiVersion, kind: 'Parent', name: `p${p}`, uid: parent.metadata.uid!, controller: true, blockOwnerDeletion: true }]);
}
const child = (i: number): KObject => {
  const p = Math.floor(i / 3);
  return { apiVersion, kind: 'Child', metadata: { name: `p${p}-${i % 3}`, namespace: 'default', ownerReferences: owners[p] }, spec: { index: i % 3, parent: `p${p}` } };
};
const h0 = heap();
for (let i = 0; i < N; i++) await reg.apply(child(i), { fieldManager: 'parents' });
const h1 = heap();
const items = (await reg.list({ apiVersion, kind: 'Child' })).items;
const json = items.reduce((a, o) => a + Buffer.byteLength(JSON.stringify(o)), 0) / N;
const informer = new SharedInformer(reg, { apiVersion, kind: 'Child' });
informer.start();
await informer.waitForSync();
const h2 = heap();
if (informer.list().length !== N) throw new Error(`informer holds ${informer.list().length} objects, want ${N}`);
informer.stop();

const stored = (h1 - h0) / N;
const cached = (h2 - h1) / N;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`memory per object: ${fmt(N)} workload Children (server-side applied), memory store + registry, one informer cache; node ${process.version}`);
console.log(`JSON size             ${fmt(json).padStart(6)} B`);
console.log(`stored (store+registry) ${fmt(stored).padStart(4)} B  ${(stored / json).toFixed(2)}× JSON`);
console.log(`informer cache        ${fmt(cached).padStart(6)} B  ${(cached / json).toFixed(2)}× JSON`);
console.log(`together              ${fmt(stored + cached).padStart(6)} B  ${((stored + cached) / json).toFixed(2)}× JSON   (issue 19 goal: ≤ 3×)`);
