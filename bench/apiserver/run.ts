// API server benchmark, printed in one run:
//   1. create 10,000 custom resources over HTTP (objects/s, 32 keep-alive connections);
//   2. `kubectl get` of those 10,000 objects (wall seconds, real kubectl, Table output, chunked lists);
//   3. watch delivery latency p50/p99 while writing at 1,000 writes/s over HTTP
//      (latency = event received on an HTTP watch − merge-patch request sent);
//   4. the same through the in-process registry (what the reconciler runtime sees),
//      plus its write throughput.
// The server runs in its own process (this file with --serve: a memory store,
// as `choreoctl server start` uses), so the load generator does not share its event loop.
// Goals: kubectl get of 10k ≤ 1 s, watch p99 ≤ 10 ms.
// Usage: node dist/bench/apiserver/run.js [--objects N] [--rate W] [--seconds S]

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { MemoryStore } from '../../src/store/memory.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const N = arg('objects', 10_000);
const RATE = arg('rate', 1000);
const SECONDS = arg('seconds', 5);

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.bench.example.com' },
  spec: {
    group: 'bench.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 0 }, color: { type: 'string', default: 'blue' }, tags: { type: 'array', items: { type: 'string' } } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(base + path, { method, agent, headers: data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-apiserver-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const self = fileURLToPath(import.meta.url);
  // CHOREO_BENCH_SERVER_ARGS passes node flags to the server process (e.g. "--cpu-prof --trace-gc").
  const prof = (process.env.CHOREO_BENCH_SERVER_ARGS ?? '').split(' ').filter((a) => a);
  const server = spawn(process.execPath, [...prof, self, '--serve', kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c: Buffer) => {
      if (prof.length) process.stderr.write(c); // the flags' output (e.g. --trace-gc) goes to stderr
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const revision = async () => JSON.parse((await request(base, 'GET', '/apis/bench.example.com/v1/namespaces/default/widgets?limit=1')).body).metadata.resourceVersion as string;
  try {
    const r = await request(base, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (r.status !== 201) throw new Error(`CRD create: ${r.status} ${r.body}`);
    const coll = '/apis/bench.example.com/v1/namespaces/default/widgets';

    // 1. Create N objects over HTTP.
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < N; i = next++) {
          const res = await request(base, 'POST', coll, { apiVersion: 'bench.example.com/v1', kind: 'Widget', metadata: { name: `w-${i}`, labels: { bench: 'yes' } }, spec: { size: i, tags: ['a', 'b'] } });
          if (res.status !== 201) throw new Error(`create w-${i}: ${res.status} ${res.body}`);
        }
      }),
    );
    const createSecs = (performance.now() - t0) / 1000;
    console.log(`create ${N} objects over HTTP: ${createSecs.toFixed(2)} s = ${Math.round(N / createSecs)} objects/s`);

    // 2. kubectl get of all objects (warm the discovery cache first, as a user's second command would be).
    const kubectl = (args: string[]) =>
      new Promise<{ ms: number; lines: number }>((resolve, reject) => {
        const start = performance.now();
        execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
          if (err) return reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`));
          resolve({ ms: performance.now() - start, lines: stdout.split('\n').filter((l) => l).length });
        });
      });
    await kubectl(['get', 'widgets', 'w-0']);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await kubectl(['get', 'widgets']));
    const best = Math.min(...runs.map((x) => x.ms));
    console.log(`kubectl get widgets (${runs[0].lines - 1} rows): best ${(best / 1000).toFixed(2)} s, runs ${runs.map((x) => (x.ms / 1000).toFixed(2)).join(' / ')} s (goal ≤ 1 s)`);

    // 3. Watch delivery latency under RATE writes/s.
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const slow: number[] = []; // send times (ms into the run) of events slower than 10 ms
    const wStartRef = { t: performance.now() };
    const watchReq = http.get(`${base}${coll}?watch=1&resourceVersion=${await revision()}`, { agent: new http.Agent({ keepAlive: false }) });
    await new Promise<void>((resolve, reject) => {
      watchReq.on('response', (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const ev = JSON.parse(line) as { object: { metadata: { annotations?: Record<string, string> } } };
            const id = ev.object.metadata.annotations?.['bench/seq'];
            const t = id && sent.get(id);
            if (t) {
              latencies.push(now - t);
              if (now - t > 10) slow.push(Math.round(t - wStartRef.t));
              sent.delete(id);
            }
          }
        });
        resolve();
      });
      watchReq.on('error', reject);
    });
    const total = RATE * SECONDS;
    // Paced by elapsed time (timers jitter): each tick sends whatever the target rate owes.
    const writes: Promise<unknown>[] = [];
    const wStart = performance.now();
    wStartRef.t = wStart;
    let seq = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - wStart) * RATE) / 1000));
        for (; seq < due; seq++) {
          const id = String(seq);
          const name = `w-${seq % N}`;
          sent.set(id, performance.now());
          writes.push(request(base, 'PATCH', `${coll}/${name}`, { metadata: { annotations: { 'bench/seq': id } }, spec: { size: seq } }, 'application/merge-patch+json'));
        }
        if (seq >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    await Promise.all(writes);
    const wSecs = (performance.now() - wStart) / 1000;
    const deadline = Date.now() + 5000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    watchReq.destroy();
    latencies.sort((a, b) => a - b);
    console.log(
      `watch under ${Math.round(total / wSecs)} writes/s (${total} merge patches): delivered ${latencies.length}/${total}, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms (goal p99 ≤ 10 ms)`,
    );
    if (slow.length) console.log(`  ${slow.length} events over 10 ms, sent at ${[...new Set(slow.map((x) => Math.floor(x / 100) * 100))].slice(0, 12).join(', ')} ms into the run`);
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Registry without HTTP: write throughput and watch latency under RATE writes/s. */
async function inProcess(): Promise<void> {
  const reg = await Registry.open(new MemoryStore({ historySize: 50_000 }));
  await reg.create(crd as KObject);
  const W = { apiVersion: 'bench.example.com/v1', kind: 'Widget' };
  const n = Math.min(N, 5000);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await reg.create({ ...W, metadata: { name: `w-${i}`, namespace: 'default' }, spec: { size: i } });
  const createRate = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < n; i++) await reg.patch(W, 'default', `w-${i}`, 'merge', { spec: { size: i + 1 } }, { fieldManager: 'bench' });
  const patchRate = n / ((performance.now() - t0) / 1000);
  const sent = new Map<string, number>();
  const lat: number[] = [];
  const w = reg.watch(W, { namespace: 'default', resourceVersion: (await reg.list(W, { limit: 1 })).resourceVersion }, (ev) => {
    const id = ev.object.metadata.annotations?.['bench/seq'];
    const t = id && sent.get(id);
    if (t) lat.push(performance.now() - t);
  });
  const total = RATE * SECONDS;
  const start = performance.now();
  let seq = 0;
  const writes: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * RATE) / 1000));
      for (; seq < due; seq++) {
        sent.set(String(seq), performance.now());
        writes.push(reg.patch(W, 'default', `w-${seq % n}`, 'merge', { metadata: { annotations: { 'bench/seq': String(seq) } } }));
      }
      if (seq >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(writes);
  await new Promise((r) => setTimeout(r, 50));
  w.stop();
  lat.sort((a, b) => a - b);
  console.log(
    `in-process registry: ${Math.round(createRate)} creates/s, ${Math.round(patchRate)} patches/s; watch under ${RATE} writes/s: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms (${lat.length}/${total})`,
  );
  await reg.store.close();
}

/** --serve <kubeconfig>: the server process of the benchmark. */
async function serve(kubeconfig: string): Promise<void> {
  const srv = await startApiServer({ store: new MemoryStore() });
  writeKubeconfig(kubeconfig, { server: srv.url });
  process.stdout.write(`listening on ${srv.url}\n`);
  process.on('SIGTERM', () => void srv.close().then(() => process.exit(0)));
}

const serveAt = process.argv.indexOf('--serve');
(serveAt > 0 ? serve(process.argv[serveAt + 1]) : main().then(inProcess)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
