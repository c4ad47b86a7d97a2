// `choreoctl run once`: development mode. Load a project into a fresh engine,
// run the reconcilers until the system is quiescent, judge the run and report.
//
// Quiescence: no work queued or in flight, informers caught up with our writes,
// and no retry due within the grace period. Retries further out (error backoff
// starts at 5 s) end the run: the objects waiting on them are reported as stuck
// with their last message, which is what a developer needs to see. A run that
// keeps requeueing without any write for `stallMs` is also ended as stuck, so
// `requeue=True` forever cannot hang `run once`. A run whose objects keep
// being rewritten without progress is stopped as a hot loop (observer.ts).
//
// --timeout is a deadline for everything after discovery: the controllers
// yield to the event loop so the timer fires, and a reconcile still running
// then is cut short at the deadline (reconciler/program.ts), so the run ends
// promptly whatever the reconcilers do.
//
// The verdict: every For object ends with the condition its reconciler
// actually maintains True (for a legacy 6-argument reconcile_result, the type
// its last call named; none named = judged by the outcome alone), and every
// built-in allocation claim (*.be.kuid.dev) ends Ready.
//
// --port: the run serves the API (and /metrics) on loopback while it lasts,
// from the moment the project is loaded until the verdict; without it nothing
// listens (the server's modules are not even loaded).
//
// With `remote` (--kubeconfig / --context) there is no store: the project runs
// against that API server (remote.ts), which keeps what the run wrote.

import { openStore } from '../store/open.js';
import type { KObject } from '../api/object.js';
import { findCondition } from '../api/conditions.js';
import { allocationCrds } from '../allocation/index.js';
import { Engine, type ProjectEngine, type ProjectEngineOptions, type ReconcileLimits } from './engine.js';
import type { RemoteOptions } from './remote.js';
import { discoverProject, type ProjectPaths } from './project/discover.js';
import { Observer, type RunReport } from './observer.js';
import { resultObjects, writeOut } from './output.js';
import { RunRecorder, saveLastRun } from './deps.js';
import { prunedConditionWarnings } from './schemawarnings.js';
import { snapshotHtml } from '../ui/html.js';
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

export interface RunOnceOptions {
  dir: string;
  /** "memory" (default) or "file:<dir>". */
  store?: string;
  timeoutMs?: number;
  graceMs?: number;
  stallMs?: number;
  workers?: number;
  /** Per-reconcile limits (--max-steps, --max-memory); the defaults otherwise. */
  limits?: ReconcileLimits;
  out?: string;
  /** Write the web UI as one self-contained HTML file here (ui/html.ts). */
  html?: string;
  /** Project folders other than the defaults (--crds, --reconcilers, ...). */
  paths?: Partial<ProjectPaths>;
  /** Live progress (TTY). */
  progress?: (observer: Observer) => void;
  print?: (reconciler: string, msg: string) => void;
  /** Serve the API on 127.0.0.1:<port> during the run (0 = any free port); absent = do not listen. */
  port?: number;
  /** Told the server's URL once it listens (with `port`). */
  onListen?: (url: string) => void;
  /** Keep what `run deps` / `run result` show in <dir>/.choreo (default true; golden tests run cases side by side and leave the project alone). */
  record?: boolean;
  /** Run against this API server instead of a fresh in-process one (kubeconfig mode). */
  remote?: RemoteOptions;
}

export interface RunOnceResult {
  report: RunReport;
  written: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runOnce(opts: RunOnceOptions): Promise<RunOnceResult> {
  const started = performance.now();
  const observer = new Observer();
  // What `run deps` and `run result` show afterwards (.choreo/last-run.json).
  const recorder = new RunRecorder();
  const finish = async (report: RunReport, objects: KObject[]): Promise<RunReport> => {
    if (opts.record !== false) await saveLastRun(opts.dir, recorder.lastRun(report, objects)).catch(() => {}); // a read-only project still runs
    return report;
  };
  let lastWriteAt = performance.now();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = started + timeoutMs;
  if (opts.remote && opts.out) throw new Error('--out is not supported with --kubeconfig: the cluster keeps the result (read it with kubectl)');
  if (opts.remote && opts.html) throw new Error('--html is not supported with --kubeconfig (the web UI reads the in-process registry)');
  if (opts.remote && opts.port !== undefined) throw new Error('--port is not supported with --kubeconfig: the cluster serves the API');
  const engineOpts: ProjectEngineOptions = {
    workers: opts.workers,
    ...opts.limits,
    print: opts.print,
    deadline,
    onWrite: (reconciler, obj) => observer.noteWrite(reconciler, obj),
    onReconcile: (r) => {
      observer.record(r);
      recorder.record(r);
      if (r.writes.length > 0 || r.outcome === 'Ready') lastWriteAt = performance.now();
      opts.progress?.(observer);
    },
  };
  const store = opts.remote ? undefined : await openStore(opts.store);
  const engine: ProjectEngine = store ? await Engine.open({ ...engineOpts, store }) : await (await import('./remote.js')).openRemoteEngine(opts.remote!, engineOpts);
  let timedOut = false;
  let written: string[] = [];
  let server: { close(): Promise<void> } | undefined;
  try {
    if (opts.port !== undefined && store && engine instanceof Engine) {
      const { startApiServer } = await import('../apiserver/server.js');
      const srv = await startApiServer({ store, registry: engine.registry, address: '127.0.0.1', port: opts.port, metrics: [engine.manager] });
      server = srv;
      opts.onListen?.(srv.url);
    }
    const project = await discoverProject(opts.dir, { paths: opts.paths });
    const loadErrors = (await engine.load(project))
      .sort((a, b) => a.pos.file.localeCompare(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col)
      .map((e) => e.render());
    for (const r of engine.reconcilers) {
      observer.addReconciler(r.config.name);
      recorder.addReconciler(r.config.name);
    }
    if (engine instanceof Engine) for (const w of prunedConditionWarnings(engine.registry, engine.reconcilers)) observer.warn(w);
    if (loadErrors.length > 0) return { report: await finish(observer.report(performance.now() - started, loadErrors, false), []), written };

    const graceMs = opts.graceMs ?? 1_000;
    const stallMs = opts.stallMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - performance.now()));
      timer.unref();
    });
    const stop = Promise.race([timeout, observer.hotLoop.then(() => 'hot' as const)]);
    await Promise.race([engine.start(), stop]);
    for (;;) {
      const q = await Promise.race([engine.manager.idle(), stop]);
      if (q === 'hot') break;
      if (q === 'timeout' || performance.now() > deadline) {
        timedOut = true;
        break;
      }
      const now = engine.manager.clock.now();
      if (q.nextDueAt === undefined || q.nextDueAt - now > graceMs) break;
      if (performance.now() - lastWriteAt > stallMs) break;
      await Promise.race([sleep(Math.max(1, q.nextDueAt - now)), stop]);
    }
    clearTimeout(timer);
    await engine.stop();
    // Every For object must end with its condition True, also those that never reconciled.
    for (const r of engine.reconcilers) {
      const t = { apiVersion: r.config.for.apiVersion, kind: r.config.for.kind };
      for (const obj of (await engine.client.list(t)).items) {
        if (!r.config.for.matches(obj) || obj.metadata.deletionTimestamp) continue;
        const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        const type = observer.conditionTypeOf(r.config.name, key);
        if (type === null) continue; // no condition maintained: its last outcome judges it
        const conditionType = type ?? r.config.conditionType;
        const c = findCondition(obj.status, conditionType);
        if (c?.status === 'True') continue;
        observer.noteNotReady(r.config.name, obj.kind, key, c?.message || `condition ${conditionType} ${c ? `is ${c.status}` : 'never set (not reconciled)'}`);
      }
    }
    // Built-in allocation claims must end allocated (Ready), whoever created them (in-process only: remote servers need not serve them).
    for (const crd of (store ? allocationCrds : []) as Array<KObject & { spec: { group: string; names: { kind: string }; versions: Array<{ name: string }> } }>) {
      const kind = crd.spec.names.kind;
      if (!kind.endsWith('Claim')) continue;
      for (const claim of (await engine.client.list({ apiVersion: `${crd.spec.group}/${crd.spec.versions[0]!.name}`, kind })).items) {
        if (claim.metadata.deletionTimestamp) continue;
        const c = findCondition(claim.status, 'Ready');
        if (c?.status === 'True') continue;
        observer.noteNotReady('allocation', kind, `${claim.metadata.namespace ?? ''}/${claim.metadata.name}`, c?.message || `${kind} not allocated (condition Ready ${c ? `is ${c.status}` : 'never set'})`);
      }
    }
    const resources = engine instanceof Engine ? await resultObjects(engine.registry) : undefined;
    if (opts.out && resources) written = await writeOut(opts.out, resources);
    if (opts.html && engine instanceof Engine) {
      await writeFile(opts.html, await snapshotHtml({ registry: engine.registry, manager: engine.manager, history: engine.history }, basename(resolve(opts.dir))));
    }
    const objects = resources ? resources.flatMap((k) => k.objects) : await reconciledObjects(engine);
    return { report: await finish(observer.report(performance.now() - started, [], timedOut), objects), written };
  } finally {
    await server?.close().catch(() => {});
    await engine.stop().catch(() => {});
    await store?.close();
  }
}

/** Remote: the objects of the types the reconcilers read and write (a cluster holds much else the run never touched). */
async function reconciledObjects(engine: ProjectEngine): Promise<KObject[]> {
  const types = new Map<string, { apiVersion: string; kind: string }>();
  for (const r of engine.reconcilers) for (const t of [r.config.for, ...r.config.owns, ...r.config.watches]) types.set(`${t.apiVersion}/${t.kind}`, { apiVersion: t.apiVersion, kind: t.kind });
  const out: KObject[] = [];
  for (const t of types.values()) out.push(...(await engine.client.list(t)).items);
  return out;
}
