// Store benchmark: the memory and file backends side by side on 10k ConfigMaps.
// Writes are measured one at a time (every write waits for its fsync on the file
// backend) and 100 in flight (group commit shares fsyncs); list is the full
// 10k-item list and a paged walk (limit 500). Run: node dist/bench/store/run.js

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

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
  const seq = 2000;
  r['create, 1 in flight (writes/s)'] = seq / ((await time(async () => {
    for (let i = 0; i < seq; i++) await store.create(key(i), obj(i));
  })) / 1000);
  r['create, 100 in flight (writes/s)'] = (N - seq) / ((await time(async () => {
    for (let i = seq; i < N; i += 100) await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, j) => store.create(key(i + j), obj(i + j))));
  })) / 1000);
  r['update, 100 in flight (writes/s)'] = N / ((await time(async () => {
    for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.update(key(i + j), obj(i + j))));
  })) / 1000);
  r['list 10k (ms)'] = await median(21, async () => {
    if ((await store.list({ resource })).items.length !== N) throw new Error('list lost objects');
  });
  r['list 10k paged by 500 (ms)'] = await median(21, async () => {
    let token: string | undefined;
    let n = 0;
    do {
      const page = await store.list({ resource }, { limit: 500, continue: token });
      n += page.items.length;
      token = page.continue;
    } while (token);
    if (n !== N) throw new Error('paging lost objects');
  });
  r['list 1 namespace, label filter (ms)'] = await median(21, () => store.list({ resource, namespace: 'ns-3' }, { filter: (o) => o.metadata.labels?.shard === '2' }));
  r['get (µs)'] = ((await time(async () => {
    for (let i = 0; i < N; i++) await store.get(key(i));
  })) * 1000) / N;
  return r;
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-store-bench-'));
try {
  await bench(new MemoryStore()); // warm-up: let the JIT compile the shared code paths first
  const memory = new MemoryStore();
  const mem = await bench(memory);
  await memory.close();
  const fileStore = await FileStore.open(dir);
  const file = await bench(fileStore);
  file['compact 10k objects (ms)'] = await time(() => fileStore.compact());
  await fileStore.close();
  // Recovery: snapshot plus a log of 10k updates.
  const again = await FileStore.open(dir);
  for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => again.update(key(i + j), obj(i + j))));
  await again.close();
  file['reopen: snapshot 10k + replay 10k records (ms)'] = await time(async () => (await FileStore.open(dir)).close());

  const rows = [...new Set([...Object.keys(mem), ...Object.keys(file)])];
  const w = Math.max(...rows.map((r) => r.length));
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(10);
  console.log(`store benchmark: ${N} ConfigMaps, node ${process.version}, ${os.cpus().length} cpus, ${os.tmpdir()}`);
  console.log(`${'measure'.padEnd(w)} ${'memory'.padStart(10)} ${'file'.padStart(10)} ${'file/mem'.padStart(9)}`);
  for (const r of rows) {
    const ratio = mem[r] && file[r] ? (file[r] / mem[r]).toFixed(2).padStart(9) : ''.padStart(9);
    console.log(`${r.padEnd(w)} ${fmt(mem[r])} ${fmt(file[r])} ${ratio}`);
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
