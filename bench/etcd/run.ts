// etcd store benchmark: the etcd backend next to the file backend on the same
// 10k ConfigMaps in one run, so the cost of going through etcd (a gRPC round
// trip and a raft commit with fsync per write; every read served by etcd) shows
// as a ratio. etcd is a real single-member etcd started on loopback in a temp
// dir (test/helpers/etcd.ts), i.e. the best case: no network, no peers.
// Run: npx tsc -p tsconfig.json && node dist/bench/etcd/run.js

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { EtcdStore } from '../../src/store/etcd.js';
import { FileStore } from '../../src/store/file.js';
import type { Store } from '../../src/store/store.js';
import { etcdInstalled, startEtcd } from '../../test/helpers/etcd.js';

const N = 10_000;
const resource = 'core/configmaps';
const obj = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${i}`, namespace: `ns-${i % 10}`, labels: { app: 'bench', shard: String(i % 7) } },
  data: { index: String(i), payload: 'x'.repeat(200) },
});
const key = (i: number) => ({ resource, namespace: `ns-${i % 10}`, name: `cm-${i}` });

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(await time(fn));
  return ts.sort((a, b) => a - b)[runs >> 1];
}

type Result = Record<string, number>;

async function bench(store: Store): Promise<Result> {
  const r: Result = {};
  const seq = 1000;
  r['create, 1 in flight (writes/s)'] = seq / ((await time(async () => {
    for (let i = 0; i < seq; i++) await store.create(key(i), obj(i));
  })) / 1000);
  r['create, 100 in flight (writes/s)'] = (N - seq) / ((await time(async () => {
    for (let i = seq; i < N; i += 100) await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, j) => store.create(key(i + j), obj(i + j))));
  })) / 1000);
  r['update, 100 in flight (writes/s)'] = N / ((await time(async () => {
    for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.update(key(i + j), obj(i + j))));
  })) / 1000);
  r['list 10k (ms)'] = await median(7, async () => {
    if ((await store.list({ resource })).items.length !== N) throw new Error('list lost objects');
  });
  r['list 10k paged by 500 (ms)'] = await median(7, async () => {
    let token: string | undefined;
    let n = 0;
    do {
      const page = await store.list({ resource }, { limit: 500, continue: token });
      n += page.items.length;
      token = page.continue;
    } while (token);
    if (n !== N) throw new Error('paging lost objects');
  });
  r['list 1 namespace, label filter (ms)'] = await median(7, () => store.list({ resource, namespace: 'ns-3' }, { filter: (o) => o.metadata.labels?.shard === '2' }));
  const gets = 2000;
  r['get, 1 in flight (µs)'] = ((await time(async () => {
    for (let i = 0; i < gets; i++) await store.get(key(i));
  })) * 1000) / gets;
  // Watch: 2,000 updates, 100 in flight, delivered to one watcher started before them.
  const from = await store.currentRevision();
  let seen = 0;
  let done = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const w = store.watch({ resource }, { resourceVersion: from }, () => {
    if (++seen === 2000) done();
  });
  r['watch: 2k updates written and delivered (events/s)'] = 2000 / ((await time(async () => {
    for (let i = 0; i < 2000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.update(key(i + j), obj(i + j))));
    await all;
  })) / 1000);
  w.stop();
  return r;
}

if (!etcdInstalled()) {
  console.error('etcd is not on PATH: apt-get install -y etcd-server (or run scripts/setup-ci.sh)');
  process.exit(1);
}
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-etcd-bench-'));
const etcd = await startEtcd();
try {
  const fileStore = await FileStore.open(dir);
  const file = await bench(fileStore);
  await fileStore.close();
  const etcdStore = await EtcdStore.open({ endpoints: [etcd.endpoint] });
  const onEtcd = await bench(etcdStore);
  await etcdStore.close();

  const rows = Object.keys(file);
  const w = Math.max(...rows.map((r) => r.length));
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(10);
  console.log(`etcd store benchmark: ${N} ConfigMaps, node ${process.version}, ${os.cpus().length} cpus, etcd on loopback, data in ${os.tmpdir()}`);
  console.log(`${'measure'.padEnd(w)} ${'file'.padStart(10)} ${'etcd'.padStart(10)} ${'etcd/file'.padStart(10)}`);
  for (const r of rows) console.log(`${r.padEnd(w)} ${fmt(file[r])} ${fmt(onEtcd[r])} ${(onEtcd[r] / file[r]).toFixed(2).padStart(10)}`);
} finally {
  await etcd.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
