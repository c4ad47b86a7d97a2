// Scale-out benchmark: reconciles/s of real `choreoctl run start` runners on
// the file backend (1 runner) and on etcd (1 and 2 runners sharing the work
// through etcd leases), in one run. The project is the scale-out test's
// (test/scaleout/project.ts): one Starlark reconciler creating one Child per
// Parent, so a reconcile is one Child create + one status write.
//
// The Parents are written into the store before the runners start; the rate
// is N / (last Parent reported Ready − first reconcile started), both read
// from the runners' timestamped logs, so runner start-up and project loading
// are not counted. etcd is a fresh single-member etcd on loopback per case.
// "runner CPU ms/Parent" is the CPU the runner processes used (all of them,
// from /proc) while the Parents were reconciled, divided by N: with 2 cores
// shared by the runners and etcd, it bounds what more runners can gain.
//
// With `pin`, runner i is pinned to CPU i (taskset -a -p, all its threads), so
// two runners each have a core of their own (etcd and the bench float).
//
//   node dist/bench/etcd/runners.js [N=1000] [workers=1] [pin|nopin] [etcd = skip the file row]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '../../src/apiserver/registry/registry.js';
import type { KObject } from '../../src/api/object.js';
import { parse as parseYaml } from 'yaml';
import { readFile, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { EtcdStore } from '../../src/store/etcd.js';
import { FileStore } from '../../src/store/file.js';
import type { Store } from '../../src/store/store.js';
import { etcdInstalled, startEtcd } from '../../test/helpers/etcd.js';
import { cpuSeconds } from './proccpu.js';
import { parent, writeProject } from '../../test/scaleout/project.js';
import { startRunner, type Runner } from '../../test/scaleout/runners.js';

const N = Number(process.argv[2] ?? 1000);
const WORKERS = process.argv[3] ?? '1';
const PIN = process.argv[4] === 'pin';

if (!etcdInstalled()) {
  console.error('etcd is not on PATH: apt-get install -y etcd-server (or run scripts/setup-ci.sh)');
  process.exit(1);
}

/** Writes the project's CRDs and N Parents into a store. */
async function seed(store: Store, project: string): Promise<void> {
  const reg = await Registry.open(store);
  for (const f of await readdir(join(project, 'crds'))) await reg.create(parseYaml(await readFile(join(project, 'crds', f), 'utf8')) as KObject);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) await reg.create(parent(next++));
    }),
  );
  await reg.lifecycle.whenIdle();
}

const readyRe = /^(\S+) parents Parent (\S+): Ready/;
const startRe = /^(\S+) \[parents\] start /;

async function measure(runners: Runner[], etcd: number | undefined): Promise<{ seconds: number; reconciles: number; perRunner: string[]; cpuMsPerParent: number; etcdCpuMsPerParent: number }> {
  const cpu0 = runners.map((r) => cpuSeconds(r.proc.pid));
  const etcd0 = etcd ? cpuSeconds(etcd) : NaN;
  const deadline = Date.now() + 300_000;
  // Only the lines logged since the last poll are scanned: rescanning every line each 100 ms cost the bench
  // (floating on the runners' and etcd's cores) more CPU the longer the run, most of all with two runners.
  const ready = new Set<string>();
  const scanned = runners.map(() => 0);
  for (;;) {
    for (const [i, r] of runners.entries()) {
      const lines = r.lines();
      for (; scanned[i] < lines.length; scanned[i]++) {
        const m = readyRe.exec(lines[scanned[i]]);
        if (m) ready.add(m[2]);
      }
    }
    if (ready.size >= N) break;
    if (Date.now() > deadline) throw new Error(`only ${ready.size}/${N} Ready after 300 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpuEach = runners.map((r, i) => cpuSeconds(r.proc.pid) - cpu0[i]);
  const cpu = cpuEach.reduce((a, b) => a + b, 0);
  const etcdCpu = etcd ? cpuSeconds(etcd) - etcd0 : NaN;
  let first = Infinity;
  let last = 0;
  const perRunner: string[] = [];
  let reconciles = 0;
  for (const [i, r] of runners.entries()) {
    let count = 0;
    let own0 = Infinity;
    let own1 = 0;
    let readied = 0;
    for (const l of r.lines()) {
      const s = startRe.exec(l);
      if (s) {
        own0 = Math.min(own0, Date.parse(s[1]));
        count++;
      }
      const m = readyRe.exec(l);
      if (m) {
        own1 = Math.max(own1, Date.parse(m[1]));
        readied++;
      }
    }
    first = Math.min(first, own0);
    last = Math.max(last, own1);
    reconciles += count;
    // Each runner's own rate (the Parents it made Ready over its own busy span) and its own CPU per reconcile it ran.
    perRunner.push(`${count} (${Math.round(readied / ((own1 - own0) / 1000))}/s, ${((cpuEach[i] * 1000) / count).toFixed(2)} ms CPU each)`);
  }
  return { seconds: (last - first) / 1000, reconciles, perRunner, cpuMsPerParent: (cpu * 1000) / N, etcdCpuMsPerParent: (etcdCpu * 1000) / N };
}

interface CaseResult {
  line: string;
  rate: number;
  runnerMs: number;
  etcdMs: number;
}

async function runCase(name: string, runnerCount: number, backend: 'file' | 'etcd'): Promise<CaseResult> {
  const work = await mkdtemp(join(tmpdir(), 'choreo-runners-bench-'));
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  const runners: Runner[] = [];
  try {
    const project = join(work, 'project');
    await writeProject(project);
    const fileDir = join(work, 'r0', '.choreo', 'store');
    const store = etcd ? await EtcdStore.open({ endpoints: [etcd.endpoint] }) : await FileStore.open(fileDir);
    await seed(store, project);
    await store.close();
    for (let i = 0; i < runnerCount; i++) {
      const r = await startRunner(`r${i}`, project, work, etcd ? `etcd://${etcd.endpoint}` : `file:${fileDir}`, ['--workers', WORKERS]);
      if (PIN) execFileSync('taskset', ['-a', '-p', '-c', String(i % availableParallelism()), String(r.proc.pid)], { stdio: 'ignore' });
      runners.push(r);
    }
    await Promise.all(runners.map((r) => r.ready));
    const m = await measure(runners, etcd?.pid);
    const rate = N / m.seconds;
    const line = `${name.padEnd(22)} ${String(runnerCount).padStart(7)}  ${m.seconds.toFixed(2).padStart(8)} s  ${rate.toFixed(0).padStart(8)}/s  ${String(m.reconciles).padStart(10)}  ${m.cpuMsPerParent.toFixed(1).padStart(20)}  ${(Number.isNaN(m.etcdCpuMsPerParent) ? '-' : m.etcdCpuMsPerParent.toFixed(1)).padStart(18)}  ${m.perRunner.join(' + ')}`;
    return { line, rate, runnerMs: m.cpuMsPerParent, etcdMs: m.etcdCpuMsPerParent };
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    await etcd?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

console.log(`scale-out benchmark: ${N} Parents, one Child each, --workers ${WORKERS} per runner (real choreoctl run start processes${PIN ? ', runner i pinned to CPU i' : ''})`);
console.log(`${'backend'.padEnd(22)} runners  ${'time'.padStart(10)}  ${'Parents/s'.padStart(9)}  reconciles  runner CPU ms/Parent  etcd CPU ms/Parent  per runner (its own rate)`);
if (process.argv[5] !== 'etcd') console.log((await runCase('file', 1, 'file')).line);
const one = await runCase('etcd (loopback)', 1, 'etcd');
console.log(one.line);
const two = await runCase('etcd (loopback)', 2, 'etcd');
console.log(two.line);
// What the CPU alone allows: a runner cannot go faster than its own core (1000 / its ms per Parent), and the
// runners and etcd together not faster than all cores. Wall rates on a loaded machine swing; these do less.
const cores = availableParallelism();
const oneCeiling = Math.min(1000 / one.runnerMs, (cores * 1000) / (one.runnerMs + one.etcdMs));
const twoCeiling = Math.min((2 * 1000) / two.runnerMs, (cores * 1000) / (two.runnerMs + two.etcdMs));
console.log(
  `two ÷ one runner: ${(two.rate / one.rate).toFixed(2)}× Parents/s; runner CPU per Parent ${(two.runnerMs / one.runnerMs).toFixed(2)}× (together); ` +
    `CPU-bound ceiling on ${cores} cores: one ${oneCeiling.toFixed(0)}/s, two ${twoCeiling.toFixed(0)}/s (${(twoCeiling / oneCeiling).toFixed(2)}×); ` +
    `with a core each for the runners and etcd: ${((2 * one.runnerMs) / two.runnerMs).toFixed(2)}×`,
);
