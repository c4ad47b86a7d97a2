// The reconcile workload shared by bench/reconcile (memory store, Starlark vs
// JavaScript) and bench/store/reconcile.ts (memory vs file store, by workers):
// a generated project with N For objects (Parent) whose reconciler creates 3
// children each, loaded through the registry, then run from engine start to
// quiescence and checked (every child there, every parent Ready), followed by
// an idle pass (every parent enqueued again: must write nothing).

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { findCondition } from '../../src/api/conditions.js';
import { parseReconcilerConfig } from '../../src/reconciler/config.js';
import type { ReconcileScope } from '../../src/reconciler/hostapi.js';
import { Engine } from '../../src/runner/engine.js';
import { discoverProject } from '../../src/runner/project/discover.js';
import { StarDict } from '../../src/starlark/values/dict.js';
import { toStarlark } from '../../src/starlark/values/convert.js';
import type { Value } from '../../src/starlark/values/value.js';
import type { Store } from '../../src/store/store.js';
import { buildCRD, conditionsSchema } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';

export const CHILDREN = 3;
const group = 'bench.choreo.dev';
export const apiVersion = `${group}/v1`;

/** The workload's CRDs (Parent, Child), for benches that store its objects without running it. */
export function workloadCRDs(): KObject[] {
  return [crd('Parent', 'parents'), crd('Child', 'children')];
}

function crd(kind: string, plural: string): KObject {
  const spec: JSONSchemaProps = { type: 'object', properties: { replicas: { type: 'integer' }, index: { type: 'integer' }, parent: { type: 'string' } } };
  const status: JSONSchemaProps = { type: 'object', properties: { replicas: { type: 'integer' }, conditions: conditionsSchema } };
  return buildCRD({ group, kind, plural, schema: { type: 'object', properties: { spec, status } } });
}

const config = {
  apiVersion: 'choreo.kform.dev/v1alpha1',
  kind: 'Reconciler',
  metadata: { name: 'parents' },
  spec: { for: { group, version: 'v1', kind: 'Parent' }, owns: [{ group, version: 'v1', kind: 'Child' }] },
};

const starlark = `
def reconcile(self):
    meta = self["metadata"]
    n = self["spec"].get("replicas", 0)
    for i in range(n):
        client_create({
            "apiVersion": "${apiVersion}",
            "kind": "Child",
            "metadata": {"name": "%s-%d" % (meta["name"], i), "namespace": meta["namespace"]},
            "spec": {"index": i, "parent": meta["name"]},
        })
    self.setdefault("status", {})["replicas"] = n
    return reconcile_result(self, False, 0, "", False)
`;

/** The same reconcile in JavaScript, with the host contract of reconcile_result. */
function jsReconcile(self: KObject, scope: ReconcileScope): Value {
  const meta = self.metadata;
  const n = ((self.spec as { replicas?: number } | undefined)?.replicas ?? 0) as number;
  for (let i = 0; i < n; i++) {
    scope.desired.push({ apiVersion, kind: 'Child', metadata: { name: `${meta.name}-${i}`, namespace: meta.namespace }, spec: { index: i, parent: meta.name } });
  }
  const out = { ...self, status: { ...(self.status as object | undefined), replicas: n } };
  const d = new StarDict();
  d.setStr('obj', toStarlark(out));
  d.setStr('requeue', false);
  d.setStr('requeueAfter', 0);
  d.setStr('error', null);
  d.setStr('fatal', false);
  return d;
}

export async function writeProject(withStarlark: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-bench-rec-'));
  await mkdir(join(dir, 'crds'));
  await writeFile(join(dir, 'crds', `${group}_parents.yaml`), stringify(crd('Parent', 'parents')));
  await writeFile(join(dir, 'crds', `${group}_children.yaml`), stringify(crd('Child', 'children')));
  if (withStarlark) {
    await mkdir(join(dir, 'reconcilers', 'parents'), { recursive: true });
    await writeFile(join(dir, 'reconcilers', 'parents', 'config.yaml'), stringify(config));
    await writeFile(join(dir, 'reconcilers', 'parents', 'reconciler.star'), starlark);
  }
  return dir;
}

export interface Row {
  impl: 'starlark' | 'js';
  n: number;
  loadMs: number;
  runMs: number;
  /** CPU time (user + system) of the process during the run: the machine is shared, wall time is noisy. */
  cpuMs: number;
  reconciles: number;
  writes: number;
  /** 99th percentile of one reconcile's duration (ms) to quiescence. */
  p99Ms: number;
  /** A forced second pass over every parent with nothing to do (level-based idle reconciles): time, writes. */
  idleMs: number;
  idleWrites: number;
}

export interface RunOptions {
  workers: number;
  /** A fresh, empty store for this run (closed by runOne). */
  store: () => Promise<Store>;
  /** Called at engine start and at quiescence (for store-side counters). */
  onStart?: () => void;
  onQuiescent?: () => void;
}

export async function runOne(impl: Row['impl'], n: number, opts: RunOptions): Promise<Row> {
  const dir = await writeProject(impl === 'starlark');
  const store = await opts.store();
  let reconciles = 0;
  const durations: number[] = [];
  // Failed reconciles retry after a backoff that quiescence does not wait for: named if the check below fails.
  const failures = new Map<string, number>();
  const engine = await Engine.open({
    store,
    workers: opts.workers,
    onReconcile: (r) => {
      reconciles++;
      durations.push(r.durationMs);
      if (r.outcome === 'Error' || r.outcome === 'Fatal') failures.set(r.message, (failures.get(r.message) ?? 0) + 1);
    },
    print: () => {},
  });
  try {
    const errors = await engine.load(await discoverProject(dir));
    if (errors.length > 0) throw new Error(errors.map((e) => e.render()).join('\n'));
    if (impl === 'js') engine.addCompiled(parseReconcilerConfig(config, 'parents'), jsReconcile);
    const l0 = performance.now();
    // 64 creates in flight: on the file store they share fsyncs (loading is not what is measured).
    for (let i = 0; i < n; i += 64) {
      const batch = Array.from({ length: Math.min(64, n - i) }, (_, j) => ({ apiVersion, kind: 'Parent', metadata: { name: `p${i + j}`, namespace: 'default' }, spec: { replicas: CHILDREN } }));
      await Promise.all(batch.map((p) => engine.registry.create(p, { fieldManager: 'bench' })));
    }
    const loadMs = performance.now() - l0;
    const rev0 = Number(await store.currentRevision());
    const profile = process.env.BENCH_PROFILE ? await startProfile() : undefined;
    const c0 = process.cpuUsage();
    opts.onStart?.();
    const t0 = performance.now();
    await engine.start();
    await engine.manager.idle();
    const runMs = performance.now() - t0;
    opts.onQuiescent?.();
    if (profile) await profile(`${process.env.BENCH_PROFILE}/${impl}-${n}.cpuprofile`);
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    const writes = Number(await store.currentRevision()) - rev0;
    const reconcilesToQuiescence = reconciles;
    const p99Ms = durations.sort((a, b) => a - b)[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))] ?? 0;
    // Check the work was really done.
    const children = (await engine.registry.list({ apiVersion, kind: 'Child' })).items.length;
    const failed = () => [...failures].map(([m, k]) => `\n  ${k} × ${m}`).join('');
    if (children !== n * CHILDREN) throw new Error(`${impl} ${n}: ${children} children, want ${n * CHILDREN}; failed reconciles:${failed()}`);
    const notReady = (await engine.registry.list({ apiVersion, kind: 'Parent' })).items.filter((p) => findCondition(p.status, 'Ready')?.status !== 'True').length;
    if (notReady > 0) throw new Error(`${impl} ${n}: ${notReady} parents not Ready; failed reconciles:${failed()}`);
    // Idle pass: every parent reconciled again with nothing changed — must write nothing.
    const controller = engine.manager.list().find((c) => c.name === 'parents')!;
    const rev1 = Number(await store.currentRevision());
    const idleProfile = process.env.BENCH_PROFILE ? await startProfile() : undefined;
    const i0 = performance.now();
    for (let i = 0; i < n; i++) controller.enqueue({ namespace: 'default', name: `p${i}` });
    await engine.manager.idle();
    const idleMs = performance.now() - i0;
    if (idleProfile) await idleProfile(`${process.env.BENCH_PROFILE}/${impl}-${n}-idle.cpuprofile`);
    const idleWrites = Number(await store.currentRevision()) - rev1;
    return { impl, n, loadMs, runMs, cpuMs, reconciles: reconcilesToQuiescence, writes, p99Ms, idleMs, idleWrites };
  } finally {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Profiles only the reconcile phase (BENCH_PROFILE=dir); returns the function that stops and writes it. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (file) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

