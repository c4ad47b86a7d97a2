// Allocation benchmark: `node dist/bench/allocation/run.js [claims]` (default 10,000).
//
// 1. Pool only: dynamic allocations against one AS index and one IPv4 /8,
//    timing the first and the last thousand — the cost of one allocation must
//    not grow with the number already allocated.
// 2. End to end: N dynamic IPv4 claims and N AS claims created against one
//    index each, through the real registry + controllers (claim write, Entry
//    write, status write per claim): claims/s and heap growth.

import { IdPool } from '../../src/allocation/pool/idpool.js';
import { IpTree } from '../../src/allocation/ipam/tree.js';
import type { KObject } from '../../src/api/object.js';
import { Engine } from '../../src/runner/engine.js';
import { MemoryStore } from '../../src/store/memory.js';

const n = Number(process.argv[2] ?? 10_000);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

function poolOnly(): void {
  const as = new IdPool(1, 4294967295);
  const ip = new IpTree();
  const root = ip.addRoot('ipv4', 10n << 24n, 8, 'aggregate', {});
  if (!root.ok) throw new Error(root.message);
  const total = Math.max(n, 100_000);
  const firstK: number[] = [];
  const lastK: number[] = [];
  for (const [name, take] of [
    ['AS (1–4294967295)', (i: number) => as.takeDynamic(`c${i}`)],
    ['IPv4 /8 addresses', (i: number) => ip.takeAddress(`c${i}`, root.value, root.value.set.firstFreeAddress(1n, 1n << 24n)!, false)],
  ] as const) {
    const t0 = performance.now();
    let tFirst = 0;
    let tLastStart = 0;
    for (let i = 0; i < total; i++) {
      if (i === 1000) tFirst = performance.now() - t0;
      if (i === total - 1000) tLastStart = performance.now();
      const r = take(i);
      if (!r.ok) throw new Error(r.message);
    }
    const tLast = performance.now() - tLastStart;
    const all = performance.now() - t0;
    firstK.push(tFirst);
    lastK.push(tLast);
    console.log(
      `pool ${name}: ${total} allocations in ${all.toFixed(0)} ms (${Math.round((total / all) * 1000)}/s); first 1000: ${tFirst.toFixed(2)} ms, last 1000: ${tLast.toFixed(2)} ms`,
    );
  }
}

async function endToEnd(kind: 'ip' | 'as', workers: number): Promise<void> {
  const store = new MemoryStore();
  const engine = await Engine.open({ store, workers });
  await engine.start();
  const c = engine.manager.client;
  const index: KObject =
    kind === 'ip'
      ? { apiVersion: 'ipam.be.kuid.dev/v1alpha1', kind: 'IPIndex', metadata: { name: 'bench', namespace: 'default' }, spec: { prefixes: [{ prefix: '10.0.0.0/16' }] } }
      : { apiVersion: 'as.be.kuid.dev/v1alpha1', kind: 'ASIndex', metadata: { name: 'bench', namespace: 'default' }, spec: {} };
  await c.create(index);
  await engine.manager.idle();
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const claimKind = kind === 'ip' ? 'IPClaim' : 'ASClaim';
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await c.create({ apiVersion: index.apiVersion, kind: claimKind, metadata: { name: `c${i}`, namespace: 'default' }, spec: { index: 'bench' } });
  const created = performance.now() - t0;
  await engine.manager.idle();
  const all = performance.now() - t0;
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - heap0;
  const items = (await c.list({ apiVersion: index.apiVersion, kind: claimKind })).items;
  const ready = items.filter((o) => ((o.status as { conditions?: Array<{ status: string }> })?.conditions ?? [])[0]?.status === 'True').length;
  const values = new Set(items.map((o) => JSON.stringify((o.status as Record<string, unknown>)?.address ?? (o.status as Record<string, unknown>)?.id)));
  console.log(
    `e2e ${claimKind} x${n}, ${workers} worker(s): ${Math.round((n / all) * 1000)} claims/s (${all.toFixed(0)} ms; creating the claims ${created.toFixed(0)} ms), ready ${ready}, distinct ${values.size}, heap +${mb(heap)} (${Math.round(heap / n)} B/claim incl. claim+entry objects)`,
  );
  await engine.stop();
  await store.close();
}

poolOnly();
await endToEnd('ip', 1);
await endToEnd('as', 1);
await endToEnd('as', 4);
