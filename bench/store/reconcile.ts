// Issue 19's file-store goal, measured: time to quiescence of N parents × 3
// children (bench/reconcile/workload.ts, Starlark reconciler) on the file store
// against the memory store in the same run, by number of workers — concurrent
// reconciles are what share the file store's group commits. Prints per row the
// ratio to memory with the same workers and to memory with 1 worker, and the
// writes per fsync the group commit achieved.
//
//   npm run bench:store:reconcile -- [parents=10000] [workers=1,8,32,64] [repeat=1]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import { runOne, type Row } from '../reconcile/workload.js';

const N = Number(process.argv[2] ?? 10_000);
const WORKERS = (process.argv[3] ?? '1,8,32,64').split(',').map(Number);
const REPEAT = Number(process.argv[4] ?? 1);

interface Measured extends Row {
  store: 'memory' | 'file';
  workers: number;
  fsyncs: number;
}

async function measure(store: 'memory' | 'file', workers: number): Promise<Measured> {
  let best: Measured | undefined;
  for (let rep = 0; rep < REPEAT; rep++) {
    const dirs: string[] = [];
    let file: FileStore | undefined;
    let fsyncsAtStart = 0;
    const open = async () => {
      if (store === 'memory') return new MemoryStore();
      const dir = await mkdtemp(join(tmpdir(), 'choreo-bench-file-'));
      dirs.push(dir);
      file = await FileStore.open(dir);
      return file;
    };
    try {
      const row = await runOne('starlark', N, {
        workers,
        store: open,
        onStart: () => (fsyncsAtStart = file?.stats.fsyncs ?? 0),
        onQuiescent: () => (fsyncsAtStart = (file?.stats.fsyncs ?? 0) - fsyncsAtStart),
      });
      const m = { ...row, store, workers, fsyncs: file ? fsyncsAtStart : 0 };
      process.stderr.write(`${store} ${workers} worker(s): ${(m.runMs / 1000).toFixed(2)} s\n`);
      if (!best || m.runMs < best.runMs) best = m;
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  }
  return best!;
}

const rows: Measured[] = [];
for (const w of WORKERS) {
  rows.push(await measure('memory', w));
  rows.push(await measure('file', w));
}
const mem1 = rows.find((r) => r.store === 'memory' && r.workers === WORKERS[0])!;
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const header = ['store', 'workers', 'reconciles', 'writes', 'time to quiescence', 'cpu time', 'reconciles/s', 'writes/s', 'fsyncs/reconcile', 'writes/fsync', 'vs memory same workers', `vs memory ${WORKERS[0]} worker(s)`];
const lines = rows.map((r) => {
  const mem = rows.find((x) => x.store === 'memory' && x.workers === r.workers)!;
  const s = r.runMs / 1000;
  return [r.store, String(r.workers), fmt(r.reconciles), fmt(r.writes), `${fmt(s, 2)} s`, `${fmt(r.cpuMs / 1000, 2)} s`, fmt(r.reconciles / s), fmt(r.writes / s), r.fsyncs ? fmt(r.fsyncs / r.reconciles, 2) : '-', r.fsyncs ? fmt(r.writes / r.fsyncs, 1) : '-', `${fmt(r.runMs / mem.runMs, 2)}×`, `${fmt(r.runMs / mem1.runMs, 2)}×`];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`reconcile to quiescence: ${fmt(N)} parents × 3 children, Starlark, memory vs file store, best of ${REPEAT}, node ${process.version}`);
console.log(line(header));
for (const l of lines) console.log(line(l));
console.log('(goal of issue 19: file ≤ 1.3× memory; fsyncs counted from engine start to quiescence, writes = revisions in that window)');
