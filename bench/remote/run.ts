// Kubeconfig mode vs the in-process engine, in the same run: the reconcile
// workload of bench/reconcile (N Parents, a Starlark reconciler creating 3
// Children each) from engine start to quiescence,
//   - in-process: the engine over its own registry on a memory store;
//   - remote: the same project through RemoteEngine over HTTP against
//     `choreoctl server start --store memory` in a child process (the
//     "cluster"), with the runner's default client-side rate limit
//     (50 qps / burst 100) and without one.
// Reported: reconciles/s, HTTP requests per reconcile (the transport's
// count, retries included; the parents' creation is excluded) and the time
// ratio to in-process.
//
//   npm run bench:remote -- [parents=200] [workers=4]

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCondition } from '../../src/api/conditions.js';
import { HttpClient } from '../../src/client/httpclient.js';
import { defaultRateLimit, type RateLimit } from '../../src/client/ratelimit.js';
import { Engine, type ProjectEngine } from '../../src/runner/engine.js';
import { discoverProject } from '../../src/runner/project/discover.js';
import { RemoteEngine } from '../../src/runner/remote.js';
import { MemoryStore } from '../../src/store/memory.js';
import { apiVersion, CHILDREN, writeProject } from '../reconcile/workload.js';

const N = Number(process.argv[2] ?? 200);
const WORKERS = Number(process.argv[3] ?? 4);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Row {
  mode: string;
  runMs: number;
  reconciles: number;
  requests?: number;
}

/** `server start --store memory` on a free port; its kubeconfig and a stop function. */
async function startCluster(dir: string): Promise<{ kubeconfig: string; stop: () => Promise<void> }> {
  const kubeconfig = join(dir, 'kubeconfig');
  const proc = spawn(process.execPath, [cli, 'server', 'start', '--store', 'memory', '--port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return {
    kubeconfig,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Loads the project, creates the parents (untimed), runs to quiescence and checks the result. */
async function measure(mode: string, engine: ProjectEngine, done: () => number, counter: () => number | undefined): Promise<Row> {
  const dir = await writeProject(true);
  try {
    const errors = await engine.load(await discoverProject(dir));
    if (errors.length > 0) throw new Error(errors.map((e) => e.render()).join('\n'));
    for (let i = 0; i < N; i++) await engine.client.create({ apiVersion, kind: 'Parent', metadata: { name: `p${i}`, namespace: 'default' }, spec: { replicas: CHILDREN } });
    const r0 = counter();
    const t0 = performance.now();
    await engine.start();
    await engine.manager.idle();
    const runMs = performance.now() - t0;
    const r1 = counter();
    const children = (await engine.client.list({ apiVersion, kind: 'Child' })).items.length;
    if (children !== N * CHILDREN) throw new Error(`${mode}: ${children} children, want ${N * CHILDREN}`);
    const notReady = (await engine.client.list({ apiVersion, kind: 'Parent' })).items.filter((p) => findCondition(p.status, 'Ready')?.status !== 'True').length;
    if (notReady > 0) throw new Error(`${mode}: ${notReady} parents not Ready`);
    return { mode, runMs, reconciles: done(), requests: r0 === undefined ? undefined : r1! - r0 };
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function inProcess(): Promise<Row> {
  const store = new MemoryStore();
  let n = 0;
  const engine = await Engine.open({ store, workers: WORKERS, onReconcile: () => n++, print: () => {} });
  try {
    return await measure('in-process', engine, () => n, () => undefined);
  } finally {
    await store.close();
  }
}

async function remote(kubeconfig: string, label: string, rateLimit: RateLimit): Promise<Row> {
  const client = await HttpClient.connect({ kubeconfig, env: {} }, { rateLimit });
  let n = 0;
  const engine = RemoteEngine.open({ client, workers: WORKERS, onReconcile: () => n++, print: () => {} });
  return measure(label, engine, () => n, () => client.transport.requests);
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const rows: Row[] = [await inProcess()];
  // A fresh cluster per remote run: the same starting point as the in-process engine's fresh store.
  for (const [label, limit] of [
    ['remote, unlimited', { qps: 0, burst: 1 }],
    [`remote, ${defaultRateLimit.qps} qps/${defaultRateLimit.burst} burst`, defaultRateLimit],
  ] as const) {
    const dir = await mkdtemp(join(tmpdir(), 'choreo-bench-remote-'));
    const cluster = await startCluster(dir);
    try {
      rows.push(await remote(cluster.kubeconfig, label, limit));
    } finally {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  const base = rows[0]!;
  const header = ['mode', 'reconciles', 'time to quiescence', 'reconciles/s', 'requests', 'requests/reconcile', 'time vs in-process'];
  const lines = rows.map((r) => [
    r.mode,
    fmt(r.reconciles),
    `${fmt(r.runMs / 1000, 2)} s`,
    fmt(r.reconciles / (r.runMs / 1000)),
    r.requests === undefined ? '-' : fmt(r.requests),
    r.requests === undefined ? '-' : fmt(r.requests / r.reconciles, 2),
    `${fmt(r.runMs / base.runMs, 1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`kubeconfig mode vs in-process: ${fmt(N)} parents × ${CHILDREN} children, Starlark, ${WORKERS} worker(s), node ${process.version}`);
  console.log(row(header));
  for (const l of lines) console.log(row(l));
  console.log('(time to quiescence = engine start → manager idle; the server runs in a child process; requests = HTTP requests the runner sent in that window)');
}

await main();
