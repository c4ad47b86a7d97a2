// The store workload shared by the store benchmarks (bench/store, bench/etcd):
// 10k ConfigMaps written one at a time and 100 in flight, updated, listed whole,
// paged and filtered, read back, and watched — the operations the registry and
// informers issue. Each measure is a named number; compare() prints backends
// side by side with the ratio to the first one.

import os from 'node:os';
import type { KObject } from '../../src/api/object.js';
import type { Store } from '../../src/store/store.js';

export const N = 10_000;
export const resource = 'core/configmaps';

export const obj = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${i}`, namespace: `ns-${i % 10}`, labels: { app: 'bench', shard: String(i % 7) } },
  data: { index: String(i), payload: 'x'.repeat(200) },
});
export const key = (i: number) => ({ resource, namespace: `ns-${i % 10}`, name: `cm-${i}` });

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(await time(fn));
  return ts.sort((a, b) => a - b)[runs >> 1]!;
}

export type Result = Record<string, number>;

const inFlight = (from: number, to: number, fn: (i: number) => Promise<unknown>) =>
  time(async () => {
    for (let i = from; i < to; i += 100) await Promise.all(Array.from({ length: Math.min(100, to - i) }, (_, j) => fn(i + j)));
  });

/** Runs the workload on an empty store. `listRuns`: repetitions of the (median) list measures; `gets`: point reads. */
export async function benchStore(store: Store, opts: { listRuns: number; gets: number }): Promise<Result> {
  const r: Result = {};
  const seq = 1000;
  r['create, 1 in flight (writes/s)'] = seq / ((await time(async () => {
    for (let i = 0; i < seq; i++) await store.create(key(i), obj(i));
  })) / 1000);
  r['create, 100 in flight (writes/s)'] = (N - seq) / ((await inFlight(seq, N, (i) => store.create(key(i), obj(i)))) / 1000);
  r['update, 100 in flight (writes/s)'] = N / ((await inFlight(0, N, (i) => store.update(key(i), obj(i)))) / 1000);
  r['list 10k (ms)'] = await median(opts.listRuns, async () => {
    if ((await store.list({ resource })).items.length !== N) throw new Error('list lost objects');
  });
  r['list 10k paged by 500 (ms)'] = await median(opts.listRuns, async () => {
    let token: string | undefined;
    let n = 0;
    do {
      const page = await store.list({ resource }, { limit: 500, continue: token });
      n += page.items.length;
      token = page.continue;
    } while (token);
    if (n !== N) throw new Error('paging lost objects');
  });
  r['list 1 namespace, label filter (ms)'] = await median(opts.listRuns, () => store.list({ resource, namespace: 'ns-3' }, { filter: (o) => o.metadata.labels?.shard === '2' }));
  r['get, 1 in flight (µs)'] = ((await time(async () => {
    for (let i = 0; i < opts.gets; i++) await store.get(key(i % N));
  })) * 1000) / opts.gets;
  // Watch: 2,000 updates, 100 in flight, delivered to one watcher started before them.
  const from = await store.currentRevision();
  let seen = 0;
  let done = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const w = store.watch({ resource }, { resourceVersion: from }, () => {
    if (++seen === 2000) done();
  });
  r['watch: 2k updates written and delivered (events/s)'] = 2000 / ((await time(async () => {
    await inFlight(0, 2000, (i) => store.update(key(i), obj(i)));
    await all;
  })) / 1000);
  w.stop();
  return r;
}

/** Prints backends side by side; the ratio column is each later backend over the first. */
export function compare(title: string, columns: Array<[string, Result]>): void {
  const [base] = columns;
  const rows = [...new Set(columns.flatMap(([, r]) => Object.keys(r)))];
  const w = Math.max(...rows.map((r) => r.length));
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(10);
  const others = columns.slice(1);
  console.log(`${title}: ${N} ConfigMaps, node ${process.version}, ${os.cpus().length} cpus, data in ${os.tmpdir()}`);
  console.log([`${'measure'.padEnd(w)}`, ...columns.map(([n]) => n.padStart(10)), ...others.map(([n]) => `${n}/${base![0]}`.padStart(12))].join(' '));
  for (const r of rows) {
    const b = base![1][r];
    const ratios = others.map(([, o]) => (b && o[r] ? (o[r]! / b).toFixed(2) : '').padStart(12));
    console.log([r.padEnd(w), ...columns.map(([, c]) => fmt(c[r])), ...ratios].join(' '));
  }
}
