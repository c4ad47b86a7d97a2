// Issue 19's store goals, measured: time to quiescence of N parents × 3
// children (bench/reconcile/workload.ts, Starlark reconciler) on the file store
// and on etcd against the memory store in the same run, by number of workers —
// concurrent reconciles are what share the file store's group commits and
// overlap etcd's round trips. Prints one table: per row reconciles/s, writes/s,
// fsyncs (file) or etcd round trips (etcd: txns + reads) per reconcile, p99
// reconcile latency, CPU per reconcile of this process and of the etcd server
// (from /proc), and the ratios to memory: rate with the same workers and with
// the first workers value, time and CPU per reconcile with the same workers.
// Repeats go round every row in turn and keep each row's fastest run, so memory
// and the others see the same spells of load on a shared machine. etcd is a
// fresh single-member etcd on loopback per run (test/helpers/etcd.ts), skipped
// with a note when etcd is not installed.
//
//   npm run bench:store:reconcile -- [parents=10000] [workers=1,8,32,64] [repeat=1] [stores=memory,file,etcd]

import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdStore } from '../../src/store/etcd.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import { etcdInstalled, startEtcd, type EtcdServer } from '../../test/helpers/etcd.js';
import { runOne, type Row } from '../reconcile/workload.js';
import { cpuSeconds } from '../etcd/proccpu.js';

type StoreKind = 'memory' | 'file' | 'etcd';
const N = Number(process.argv[2] ?? 10_000);
const WORKERS = (process.argv[3] ?? '1,8,32,64').split(',').map(Number);
const REPEAT = Number(process.argv[4] ?? 1);
const STORES = ((process.argv[5] ?? 'memory,file,etcd').split(',') as StoreKind[]).filter((s) => {
  if (s !== 'etcd' || etcdInstalled()) return true;
  process.stderr.write('etcd is not on PATH (apt-get install -y etcd-server): etcd rows skipped\n');
  return false;
});

interface Measured extends Row {
  store: StoreKind;
  workers: number;
  /** fsyncs (file) or etcd round trips (etcd) from engine start to quiescence. */
  syncs: number;
  txns: number;
  /** etcd: writes sent (several share a txn and a revision under load). */
  etcdWrites: number;
  /** CPU ms the etcd server used from engine start to quiescence (NaN for other stores). */
  etcdCpuMs: number;
}

/** One run; `best` is the best earlier run of this row (kept when faster). */
async function measure(store: StoreKind, workers: number, best: Measured | undefined): Promise<Measured> {
  const dirs: string[] = [];
  let file: FileStore | undefined;
  let etcdStore: EtcdStore | undefined;
  let etcd: EtcdServer | undefined;
  const counters = () => ({
    syncs: file?.stats.fsyncs ?? (etcdStore ? etcdStore.stats.txns + etcdStore.stats.reads : 0),
    txns: etcdStore?.stats.txns ?? 0,
    etcdWrites: etcdStore?.stats.writes ?? 0,
    etcdCpuMs: cpuSeconds(etcd?.pid) * 1000,
  });
  let atStart = { syncs: 0, txns: 0, etcdWrites: 0, etcdCpuMs: NaN };
  let counted = { syncs: 0, txns: 0, etcdWrites: 0, etcdCpuMs: NaN };
  const open = async () => {
    if (store === 'memory') return new MemoryStore();
    if (store === 'etcd') {
      etcd = await startEtcd();
      etcdStore = await EtcdStore.open({ endpoints: [etcd.endpoint] });
      return etcdStore;
    }
    const dir = await mkdtemp(join(tmpdir(), 'choreo-bench-file-'));
    dirs.push(dir);
    file = await FileStore.open(dir);
    return file;
  };
  try {
    const row = await runOne('starlark', N, {
      workers,
      store: open,
      onStart: () => (atStart = counters()),
      onQuiescent: () => {
        const now = counters();
        counted = { syncs: now.syncs - atStart.syncs, txns: now.txns - atStart.txns, etcdWrites: now.etcdWrites - atStart.etcdWrites, etcdCpuMs: now.etcdCpuMs - atStart.etcdCpuMs };
      },
    });
    // etcd: writes of one txn share a revision, so count the writes sent rather than revisions.
    const m = { ...row, store, workers, ...counted, writes: store === 'etcd' ? counted.etcdWrites : row.writes };
    const ev = etcdStore?.stats;
    process.stderr.write(`${store} ${workers} worker(s): ${(m.runMs / 1000).toFixed(2)} s${ev ? `, watch events from own writes ${ev.eventsFromWrites}, decoded ${ev.eventsDecoded}` : ''}\n`);
    if (!best || m.runMs < best.runMs) best = m;
  } finally {
    await etcd?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
  return best!;
}

// Repeats go round all rows, so memory and the other stores see the same spells of machine load.
let rows: Measured[] = [];
for (let rep = 0; rep < REPEAT; rep++) {
  const prev = rows;
  rows = [];
  for (const w of WORKERS) for (const s of STORES) rows.push(await measure(s, w, prev.find((r) => r.store === s && r.workers === w)));
}
const mem1 = rows.find((r) => r.store === 'memory' && r.workers === WORKERS[0]);
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const ratio = (r: Measured, mem: Measured | undefined) => (mem ? `${fmt(r.reconciles / r.runMs / (mem.reconciles / mem.runMs), 2)}×` : '-');
// The file goal is stated in time to quiescence; CPU per reconcile is the number a shared machine does not move.
const timeRatio = (r: Measured, mem: Measured | undefined) => (mem ? `${fmt(r.runMs / r.reconciles / (mem.runMs / mem.reconciles), 2)}×` : '-');
const cpuRatio = (r: Measured, mem: Measured | undefined) => (mem ? `${fmt(r.cpuMs / r.reconciles / (mem.cpuMs / mem.reconciles), 2)}×` : '-');
const header = ['store', 'workers', 'reconciles', 'writes', 'time to quiescence', 'cpu ms/reconcile', 'etcd cpu ms/reconcile', 'reconciles/s', 'writes/s', 'fsyncs or round trips/reconcile', 'txns/reconcile', 'p99 reconcile', 'rate vs memory same workers', `rate vs memory ${WORKERS[0]} worker(s)`, 'time vs memory same workers', 'cpu vs memory same workers'];
const lines = rows.map((r) => {
  const mem = rows.find((x) => x.store === 'memory' && x.workers === r.workers);
  const s = r.runMs / 1000;
  const per = (x: number) => (r.store === 'memory' ? '-' : fmt(x / r.reconciles, 2));
  return [r.store, String(r.workers), fmt(r.reconciles), fmt(r.writes), `${fmt(s, 2)} s`, fmt(r.cpuMs / r.reconciles, 3), Number.isNaN(r.etcdCpuMs) ? '-' : fmt(r.etcdCpuMs / r.reconciles, 3), fmt(r.reconciles / s), fmt(r.writes / s), per(r.syncs), r.store === 'etcd' ? per(r.txns) : '-', `${fmt(r.p99Ms, 1)} ms`, ratio(r, mem), ratio(r, mem1), timeRatio(r, mem), cpuRatio(r, mem)];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`reconcile to quiescence: ${fmt(N)} parents × 3 children, Starlark, ${STORES.join(' / ')}, best of ${REPEAT}, node ${process.version}`);
console.log(line(header));
for (const l of lines) console.log(line(l));
console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cpus (wall-clock rates move with it; cpu ms/reconcile hardly does)`);
console.log('(issue 19 goals: file time ≤ 1.3× memory; etcd rate ≥ 0.3× memory. Counted from engine start to quiescence; writes = revisions in that window (etcd: writes sent, writes of one txn share a revision); etcd round trips = txns + reads)');
