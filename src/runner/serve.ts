// `choreoctl run start` / `run stop`: production mode. A long-running process
// serves the Kubernetes API (kubectl works against it) and runs the project's
// reconcilers over the file store, so changes applied later with kubectl are
// reconciled and everything survives restarts (also kill -9: the file store
// acknowledges only what is on disk).
//
// State lives in the project's `.choreo/` directory: `store/` (the file store),
// `kubeconfig`, `pid` (JSON: pid, url, started) and `choreo.log` when started
// in the background. The pid file doubles as the "already running" check; a
// stale one (process gone) is ignored. `run stop` sends SIGTERM and waits: the
// process stops taking work, finishes in-flight reconciles, closes the store.
//
// Hot reload (reload.ts, watch.ts, inputsync.ts): edits to the project's
// folders are applied while running; in/ is kept in sync with the store.
//
// The API is served before the reconcilers start, so a user can always reach
// (and delete) an object whose reconcile misbehaves; `inflight` / `held.json`
// are the crash-loop guard (reconciler/crashguard.ts): an object whose
// reconcile killed the process last time is held and reported, not retried.
// Both `run start` and `server start` mount the web UI (ui/server.ts) at /ui
// on the same server; under `run start` it also sees the reconcilers and the
// engine's reconcile history.

import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApiServer } from '../apiserver/server.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { Engine, type ProjectEngineOptions, type ReconcileLimits } from './engine.js';
import { CrashGuard, installCrashGuard, type HeldObject } from '../reconciler/crashguard.js';
import { discoverProject, resolvePaths, type ProjectPaths } from './project/discover.js';
import { Reloader } from './reload.js';
import { watchProject, type ProjectWatcher } from './watch.js';
import { openStore } from '../store/open.js';
import { isRunning } from '../store/lock.js';
import { prunedConditionWarnings } from './schemawarnings.js';
import type { Coordinator } from '../controller/sharding.js';
import { Registry } from '../apiserver/registry/registry.js';
import { uiExtension } from '../ui/server.js';
import type { ReconcileReport } from '../reconciler/runtime.js';

export interface ServeOptions {
  dir: string;
  store?: string;
  port?: number;
  address?: string;
  workers?: number;
  /** Per-reconcile limits (--max-steps, --max-memory); the defaults otherwise. */
  limits?: ReconcileLimits;
  /** Project folders other than the defaults (--crds, --reconcilers, ...). */
  paths?: Partial<ProjectPaths>;
  /** Reconciles the history ring keeps for the web UI (--history). */
  historySize?: number;
  log?: (line: string) => void;
  /** Hot reload: watch the project's folders and apply edits while running (default true). */
  watch?: boolean;
}

export interface PidInfo {
  pid: number;
  url: string;
  kubeconfig: string;
  started: string;
}

export function stateDir(dir: string): string {
  return join(resolve(dir), '.choreo');
}

/** The running instance for a project, if any (a stale pid file is ignored). */
export function runningInstance(dir: string): PidInfo | undefined {
  const file = join(stateDir(dir), 'pid');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as PidInfo;
    return isRunning(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The log of a foreground runner: one timestamped line each. */
export const timestampedLog = (l: string): void => void process.stdout.write(`${new Date().toISOString()} ${l}\n`);

/** The project's state directory, created; refuses when another process runs the project. */
export function claimStateDir(dir: string): string {
  const existing = runningInstance(dir);
  if (existing && existing.pid !== process.pid) throw new Error(`already running (pid ${existing.pid}) at ${existing.url}; stop it with: choreoctl run stop ${dir}`);
  const state = stateDir(dir);
  mkdirSync(state, { recursive: true });
  return state;
}

/** The log line of a reconcile outcome, for all but an idle Ready (which would flood the log). */
export function reconcileLogLine(r: ReconcileReport): string | undefined {
  if (r.outcome === 'Ready' && r.writes.length === 0) return undefined;
  return `${r.reconciler} ${r.kind} ${r.key}: ${r.outcome}${r.message ? `: ${r.message.split('\n').slice(-1)[0]}` : ''}${r.writes.length ? ` (${r.writes.length} write(s))` : ''}`;
}

/** The engine options of a long-running runner: its workers, limits and coordinator; outcomes and print() to the log. */
export function runnerEngineOptions(log: (line: string) => void, o: { workers?: number; limits?: ReconcileLimits; coordinator?: Coordinator }): ProjectEngineOptions {
  return {
    coordinator: o.coordinator,
    workers: o.workers,
    ...o.limits,
    onReconcile: (r) => {
      const line = reconcileLogLine(r);
      if (line) log(line);
    },
    print: (r, m) => log(`[${r}] ${m}`),
  };
}

/** Runs in the foreground until SIGINT/SIGTERM. Resolves when stopped. */
export async function serve(opts: ServeOptions): Promise<void> {
  const log = opts.log ?? timestampedLog;
  const state = claimStateDir(opts.dir);
  const store = await openStore(opts.store ?? `file:${join(state, 'store')}`, { log });
  // On etcd other runners may share the store: follow it, and share the work through etcd leases.
  const coordinator = opts.store?.startsWith('etcd://') ? await etcdCoordinator(opts.store, log) : undefined;
  const engine = await Engine.open({ store, historySize: opts.historySize, ...runnerEngineOptions(log, { ...opts, coordinator }) });
  const project = await discoverProject(opts.dir, { paths: opts.paths });
  const errors = await engine.load(project);
  for (const e of errors) log(`load error: ${e.render()}`);
  for (const w of prunedConditionWarnings(engine.registry, engine.reconcilers)) log(`warning: ${w}`);
  const found: HeldObject[] = [];
  const guard = new CrashGuard(state, found);
  for (const h of found) log(`the process died last time while reconciling ${h.namespace ? `${h.namespace}/` : ''}${h.name} (${h.reconciler})`);
  for (const h of guard.list()) log(`holding ${h.namespace ? `${h.namespace}/` : ''}${h.name} (${h.reconciler}): not reconciled until its spec changes or it is deleted`);
  installCrashGuard(guard);
  const ui = uiExtension({ registry: engine.registry, manager: engine.manager, history: engine.history });
  const srv = await startApiServer({ store, registry: engine.registry, address: opts.address ?? '127.0.0.1', port: opts.port ?? 0, metrics: [engine.manager], extensions: [ui] });
  const kubeconfig = join(state, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: srv.url, token: srv.token, caCert: srv.caCert });
  const info: PidInfo = { pid: process.pid, url: srv.url, kubeconfig, started: new Date().toISOString() };
  writeFileSync(join(state, 'pid'), JSON.stringify(info) + '\n');
  log(`serving ${srv.url} — kubectl --kubeconfig ${kubeconfig} get all (${engine.reconcilers.length} reconciler(s), ${errors.length} load error(s)); web UI ${srv.url}/ui/`);
  await engine.start();
  const reloader = new Reloader(engine, opts.dir, opts.paths, log);
  await reloader.loaded(project, errors, { sweep: coordinator === undefined });
  let watcher: ProjectWatcher | undefined;
  if (opts.watch !== false) {
    const folders = Object.values(await resolvePaths(opts.dir, opts.paths));
    watcher = watchProject(opts.dir, folders, () => reloader.reload());
    watcher.changed(); // edits made while the engine was starting
    log(`watching ${opts.dir} for changes (hot reload)`);
  }

  await untilSignal(async (signal) => {
    log(`${signal}: stopping (finishing in-flight reconciles)`);
    await watcher?.close(); // a reload under way finishes first
    await srv.close();
    await engine.stop();
    installCrashGuard(undefined);
    guard.close();
    await store.close();
    rmSync(join(state, 'pid'), { force: true });
    log('stopped');
  });
}

/** `server start`: the API server alone over a store (no project), with a kubeconfig for kubectl, until SIGINT/SIGTERM. */
export async function serveApi(opts: { store: string; port: number; address: string; token?: string; kubeconfig: string; log: (line: string) => void }): Promise<void> {
  const store = await openStore(opts.store);
  const registry = await Registry.open(store);
  const srv = await startApiServer({ store, registry, address: opts.address, port: opts.port, token: opts.token, extensions: [uiExtension({ registry })] });
  writeKubeconfig(opts.kubeconfig, { server: srv.url, token: srv.token, caCert: srv.caCert });
  opts.log(`choreo API server listening on ${srv.url} (store ${opts.store})\nkubeconfig: ${opts.kubeconfig}\n  kubectl --kubeconfig ${opts.kubeconfig} get crds\nweb UI: ${srv.url}/ui/`);
  await untilSignal(async () => {
    await srv.close();
    await store.close();
  });
}

/** Resolves once `stop` has run after the first SIGINT or SIGTERM (a second signal while stopping is ignored). */
export function untilSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise<void>((resolveStop, reject) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      stop(signal).then(resolveStop, reject);
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}

async function etcdCoordinator(spec: string, log: (line: string) => void): Promise<Coordinator> {
  const { parseEtcdSpec } = await import('../store/etcd.js');
  const { EtcdCoordinator } = await import('../controller/etcdcoordinator.js');
  const { endpoints, prefix } = parseEtcdSpec(spec);
  const c = new EtcdCoordinator({ endpoints, prefix, log });
  log(`runner ${c.id}: sharing work with other runners on ${spec} (${c.shards} shards, lease TTL 10 s)`);
  return c;
}

/**
 * Starts `run start --foreground` detached with its output in .choreo/choreo.log
 * and waits until it serves (or fails). Returns the instance.
 */
export async function startBackground(cliPath: string, args: string[], dir: string, timeoutMs = 30_000): Promise<PidInfo> {
  const existing = runningInstance(dir);
  if (existing) throw new Error(`already running (pid ${existing.pid}) at ${existing.url}`);
  const state = stateDir(dir);
  mkdirSync(state, { recursive: true });
  rmSync(join(state, 'pid'), { force: true });
  const logFile = join(state, 'choreo.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [cliPath, ...args], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = runningInstance(dir);
    if (info && info.pid === child.pid) return info;
    if (exited !== null) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`choreo exited with code ${exited} before serving; see ${logFile}\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`choreo did not start serving within ${timeoutMs / 1000}s; see ${logFile}`);
}

/** Stops a running instance gracefully (SIGTERM), waiting up to timeoutMs. Returns its pid, or undefined if none ran. */
export async function stopInstance(dir: string, timeoutMs = 30_000): Promise<number | undefined> {
  const info = runningInstance(dir);
  if (!info) return undefined;
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(info.pid)) return info.pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pid ${info.pid} did not stop within ${timeoutMs / 1000}s`);
}
