// API server benchmark, printed in one run:
//   1. create 10,000 custom resources over HTTP (objects/s, 32 keep-alive connections);
//   2. `kubectl get` of those 10,000 objects (wall seconds, real kubectl, Table output, chunked lists);
//   3. watch delivery latency p50/p99 while writing at 1,000 writes/s over HTTP
//      (latency = event received on an HTTP watch − merge-patch request sent).
// The server runs as `choreoctl server start` in its own process (memory store),
// so the load generator does not share its event loop.
// Goals: kubectl get of 10k ≤ 1 s, watch p99 ≤ 10 ms.
// Usage: node dist/bench/apiserver/run.js [--objects N] [--rate W] [--seconds S]

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  // CHOREO_BENCH_PROFILE=<dir> writes a CPU profile of the server process there.
  const prof = process.env.CHOREO_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CHOREO_BENCH_PROFILE}`] : [];
  const server = spawn(process.execPath, [...prof, main, 'server', 'start', '--port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c: Buffer) => {
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
              sent.delete(id);
            }
          }
        });
        resolve();
      });
      watchReq.on('error', reject);
    });
    const total = RATE * SECONDS;
    const tick = 10; // ms; RATE/100 writes per tick
    const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
    const writes: Promise<unknown>[] = [];
    const wStart = performance.now();
    let seq = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let k = 0; k < perTick && seq < total; k++, seq++) {
          const id = String(seq);
          const name = `w-${seq % N}`;
          sent.set(id, performance.now());
          writes.push(request(base, 'PATCH', `${coll}/${name}`, { metadata: { annotations: { 'bench/seq': id } }, spec: { size: seq } }, 'application/merge-patch+json'));
        }
        if (seq >= total) {
          clearInterval(timer);
          resolve();
        }
      }, tick);
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
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
