// `choreoctl run start --kubeconfig`: the long-running runner against any
// Kubernetes API server (remote.ts), with no API server of its own. Several
// of them may run against one cluster and project: a coordination.k8s.io/v1
// Lease named after the project elects the one that reconciles
// (controller/leaderelection.ts); the others keep warm caches and take over
// when the leader stops renewing.
//
// Hot reload works as in-process (reload.ts over the ProjectEngine): edits to
// crds/, libs/, reconcilers/ rebuild the reconcilers on every runner (standbys
// stay warm), in/ is applied on change, and what left in/ is deleted by the
// leader only (inputsync.ts); a runner that becomes leader reloads at once, so
// deletions it saw as a standby happen then. What earlier runs applied from
// in/ and is no longer there is swept by the leader once (at start, or when it
// first leads): every project's runner applies as `choreo`, so the sweep goes
// by the origin annotation, which names the project (projectInputOrigin).
//
// State: `<dir>/.choreo/pid` (JSON, as for the in-process `run start`: pid,
// url = the server, kubeconfig = the file read, started), so `run stop` and
// the "already running" check work the same way.

import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { LeaseCoordinator, type LeaderElectionConfig } from '../controller/leaderelection.js';
import type { ReconcileLimits } from './engine.js';
import { discoverProject, resolvePaths, type ProjectPaths } from './project/discover.js';
import { Reloader } from './reload.js';
import { watchProject, type ProjectWatcher } from './watch.js';
import { connectRemote, RemoteEngine, type RemoteOptions } from './remote.js';
import { claimStateDir, runnerEngineOptions, timestampedLog, untilSignal, type PidInfo } from './serve.js';

export interface ServeRemoteOptions {
  dir: string;
  remote: RemoteOptions;
  workers?: number;
  limits?: ReconcileLimits;
  paths?: Partial<ProjectPaths>;
  /** Leader election timings (defaults: controller-runtime's 15 s / 10 s / 2 s); false = no election (this runner always reconciles). */
  leaderElection?: Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'> & { namespace?: string } | false;
  log?: (line: string) => void;
  /** Hot reload: watch the project's folders and apply edits while running (default true). */
  watch?: boolean;
}

/** How often a watching runner checks whether it became leader (to delete what left in/ while it stood by). */
const leadershipCheckMs = 1_000;

/** The Lease of a project: `choreo-<directory name>`, as a DNS-1123 subdomain. */
export function leaseName(dir: string): string {
  const base = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return `choreo-${base || 'project'}`.slice(0, 253).replace(/[-.]+$/, '');
}

/**
 * The origin annotation's value on what this project's runners apply from in/
 * in kubeconfig mode: the original's file-loader value plus the project's
 * directory name (the Lease's name), so the input sync of one project never
 * deletes another's objects applied by the same field manager.
 */
export function projectInputOrigin(dir: string): string {
  return JSON.stringify({ kind: 'File', directory: basename(resolve(dir)) });
}

/** Holder identity: `<host>_<pid>` (controller-runtime adds a random suffix; a pid is unique on its host and says which process it is). */
export function holderIdentity(): string {
  return `${hostname()}_${process.pid}`;
}

export async function serveRemote(opts: ServeRemoteOptions): Promise<void> {
  const log = opts.log ?? timestampedLog;
  const state = claimStateDir(opts.dir);
  const client = await connectRemote(opts.remote);
  const le = opts.leaderElection;
  const coordinator =
    le === false
      ? undefined
      : new LeaseCoordinator(client, { ...le, namespace: (le && le.namespace) || client.config.namespace, name: leaseName(opts.dir), identity: holderIdentity(), log });
  const engine = RemoteEngine.open({
    ...runnerEngineOptions(log, { ...opts, coordinator }),
    inputOrigin: projectInputOrigin(opts.dir),
    client,
    onInformerError: (err, ctx) => log(`informer: ${ctx}: ${err instanceof Error ? err.message : String(err)}`),
  });
  const project = await discoverProject(opts.dir, { paths: opts.paths });
  const errors = await engine.load(project);
  for (const e of errors) log(`load error: ${e.render()}`);
  const info: PidInfo = { pid: process.pid, url: client.config.server, kubeconfig: client.config.files[0] ?? '', started: new Date().toISOString() };
  writeFileSync(join(state, 'pid'), JSON.stringify(info) + '\n');
  log(`running against ${client.config.server} (context ${client.config.contextName}; ${engine.reconcilers.length} reconciler(s), ${errors.length} load error(s))`);
  await engine.start();
  const reloader = new Reloader(engine, opts.dir, opts.paths, log, { mayDelete: () => coordinator?.isLeader() ?? true });
  await reloader.loaded(project, errors, { sweep: true });
  let watcher: ProjectWatcher | undefined;
  let leadership: NodeJS.Timeout | undefined;
  if (opts.watch !== false) {
    const folders = Object.values(await resolvePaths(opts.dir, opts.paths));
    const w = watchProject(opts.dir, folders, () => reloader.reload());
    watcher = w;
    w.changed(); // edits made while the engine was starting
    if (coordinator) {
      let seen = coordinator.acquisitions;
      leadership = setInterval(() => {
        if (coordinator.acquisitions === seen) return;
        seen = coordinator.acquisitions;
        w.changed();
      }, leadershipCheckMs);
      leadership.unref();
    }
    log(`watching ${opts.dir} for changes (hot reload)`);
  }

  await untilSignal(async (signal) => {
    log(`${signal}: stopping (finishing in-flight reconciles${coordinator ? ', releasing the lease' : ''})`);
    clearInterval(leadership);
    await watcher?.close(); // a reload under way finishes first
    await engine.stop();
    rmSync(join(state, 'pid'), { force: true });
    log('stopped');
  });
}
