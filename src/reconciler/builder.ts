// The reconciler builder: turns a reconciler's config (For / Owns / Watches)
// and its compiled `reconcile(self)` into a running controller on the
// manager — controller-runtime's pkg/builder. It owns what every reconciler of
// one engine shares: the cache read view, the status.phase book and the set of
// field managers that are controllers (their fields are not drift).
//
// Wiring: For events enqueue the object; Owns events enqueue the controller
// owner of that For type; Watches events map to For keys — through the watch
// join's index on the For cache when the watch declares a join (one lookup,
// no scan), else to every For object the For selector matches. The events of
// a reconciler's own writes do not re-trigger it (ownwrites.ts).
// Trade-off: informers start lazily on the first read of a type, so a type no
// reconciler reads costs nothing.
//
// The seam to the API: the builder needs the Client (through the manager) and
// a BuilderHost — type lookup, whether a status schema declares `phase`, and
// an Event sink. The in-process engine passes the registry's; the kubeconfig
// mode (runner/remote.ts) passes one over HTTP, so the same runtime runs on
// either.

import type { ResourceInfo, TypeRef } from '../api/client.js';
import type { KObject } from '../api/object.js';
import { enqueueForObject, enqueueForOwner, enqueueMapped, type Manager, type RateLimitOptions, type SharedInformer } from '../controller/index.js';
import type { ChildCache } from './children.js';
import type { ReconcilerConfig } from './config.js';
import type { ReadView } from './hostapi.js';
import type { EventSink } from './drift.js';
import { PhaseBook } from './phase.js';
import { StarlarkReconciler, type ReconcileReport, type RunStarlark } from './runtime.js';

export interface BuilderOptions {
  /** Concurrent reconciles per reconciler (default 1). */
  workers?: number;
  rateLimits?: RateLimitOptions;
  /** Every object a reconciler wrote, as stored. */
  onWrite?: (reconciler: string, obj: KObject) => void;
  /** Every reconcile outcome (observer, logs). */
  onReconcile?: (r: ReconcileReport) => void;
  /** Field managers of controllers that are not reconcilers (allocation, phase). */
  controllerManagers?: Iterable<string>;
}

/** What the builder needs of the API besides the Client: the registry in-process, HTTP in kubeconfig mode. */
export interface BuilderHost {
  resourceInfo(t: TypeRef): ResourceInfo | undefined;
  /** Does the type's status schema declare a string `phase` (the operator convention, maintained by the runtime)? */
  declaresPhase(t: TypeRef): boolean;
  /** Records (or aggregates) a core/v1 Event about an object. */
  recordEvent: EventSink;
}

export class ReconcilerBuilder {
  /** status.phase of For types that declare it (phase.ts). */
  private readonly phases = new PhaseBook();
  /** Field managers of the engine's controllers (reconciler names, allocation, phase): their fields are not drift. */
  private readonly controllerManagers: Set<string>;

  constructor(
    private readonly host: BuilderHost,
    private readonly manager: Manager,
    private readonly opts: BuilderOptions = {},
  ) {
    this.controllerManagers = new Set(opts.controllerManagers);
  }

  /** The join indexes each reconciler added to its For informer (dropped when it is removed). */
  private readonly joinIndexes = new Map<string, { informer: SharedInformer; names: string[] }>();

  /** Stops a reconciler built here (in-flight reconciles finish) and drops its join indexes: hot reload. */
  async remove(name: string): Promise<void> {
    await this.manager.remove(name);
    const j = this.joinIndexes.get(name);
    if (j) for (const n of j.names) j.informer.removeIndexer(n);
    this.joinIndexes.delete(name);
  }

  /** Reads served from the informer caches (see hostapi.ts). */
  readonly read: ReadView & ChildCache = {
    resourceInfo: (t: TypeRef): ResourceInfo | undefined => this.host.resourceInfo(t),
    get: (t, ns, name) => {
      const inf = this.informer(t);
      return inf.hasSynced() ? { obj: inf.get(ns, name) } : { missing: true };
    },
    list: (t, ns) => {
      const inf = this.informer(t);
      return inf.hasSynced() ? { items: inf.list(ns) } : { items: [], missing: true };
    },
    cached: (t, ns, name) => this.informer(t).get(ns, name),
    listOwnedBy: (t, uid) => this.informer(t).listByOwner(uid),
    ensure: async (t) => {
      await this.informer(t).waitForSync();
    },
  };

  private informer(t: TypeRef): SharedInformer {
    const inf = this.manager.informers.informerFor({ apiVersion: t.apiVersion, kind: t.kind });
    if (!inf.isStarted()) inf.start();
    return inf;
  }

  /**
   * A reconciler whose `reconcile(self)` is already a function — compiled
   * Starlark, a template, or host code with the same contract — with the full
   * runtime (children, finalizer, conditions, events, triggers), registered
   * on the manager.
   */
  build(config: ReconcilerConfig, run: RunStarlark): StarlarkReconciler {
    const forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    if (this.host.declaresPhase(forType)) this.phases.declare(forType);
    this.controllerManagers.add(config.name);
    const reconciler = new StarlarkReconciler(config, {
      client: this.manager.client,
      read: this.read,
      run,
      report: this.opts.onReconcile,
      wrote: this.opts.onWrite,
      phases: this.phases,
      event: this.host.recordEvent,
      isReconciler: (m) => this.controllerManagers.has(m),
    });
    this.wire(config, reconciler);
    return reconciler;
  }

  private wire(config: ReconcilerConfig, reconciler: StarlarkReconciler): void {
    // The events of the reconciler's own writes do not re-trigger it (see ownwrites.ts).
    const own = reconciler.ownWrites;
    const controller = this.manager.newController(config.name, reconciler, { workers: this.opts.workers, rateLimits: this.opts.rateLimits });
    const forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    const forInformer = this.manager.informers.informerFor(forType);
    const forNamespaced = this.host.resourceInfo(forType)?.namespaced ?? true;
    controller.watch(forInformer, own.filter(enqueueForObject()));
    for (const o of config.owns) controller.watch(this.manager.informers.informerFor(o), own.filter(enqueueForOwner(forType, { ownerNamespaced: forNamespaced })));
    const keyOf = (obj: KObject) => ({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' });
    config.watches.forEach((w, i) => {
      const join = w.join;
      // A join's For side is an index of the For cache: a watched event looks its key up (no scan of every For object).
      const index = `choreo.join/${config.name}/${i}`;
      const forKey = join?.forKey;
      if (forKey && !forInformer.hasIndexer(index)) {
        forInformer.addIndexers({ [index]: (o) => { const k = forKey(o); return k === undefined ? [] : [k]; } });
        const j = this.joinIndexes.get(config.name) ?? { informer: forInformer, names: [] };
        j.names.push(index);
        this.joinIndexes.set(config.name, j);
      }
      controller.watch(
        this.manager.informers.informerFor(w),
        enqueueMapped((watched) => {
          const target = join ? join.target(watched) : null;
          if (target === undefined) return [];
          const candidates = target === null ? forInformer.list() : forInformer.byIndex(index, target);
          return candidates.filter((f) => config.for.matches(f)).map(keyOf);
        }),
      );
    });
  }
}
