// The manager owns the shared informers and the controllers of one engine and
// runs them in the right order — controller-runtime's pkg/manager:
//
//   start: start informers → wait until every cache has synced → start workers
//          (so no reconcile ever runs against a half-filled cache; the initial
//          list's adds are already queued when the workers begin)
//   stop:  every controller stops taking work and finishes in-flight reconciles
//          → informers stop.
//
// It also answers "is the system quiescent?" for `run once` (idle()): every
// queue empty, nothing in flight, every informer caught up with the writes our
// reconcilers made (see writetracker.ts), and still so after a couple of event
// loop turns. The answer carries the due time of the earliest delayed retry, so
// the runner can decide to wait for it, advance a ManualClock to it, or stop.
//
// With a Coordinator (several processes on one store, sharding.ts) every
// controller only reconciles keys of the shards this process owns. start
// joins after the caches synced and before the workers start; shards gained
// later re-enqueue their cached keys; stop releases the shards after the
// in-flight reconciles have finished, so the others take over at once.

import type { Client } from '../api/client.js';
import { type Clock, realClock } from './clock.js';
import { Controller, type ControllerMetrics, type ControllerOptions } from './controller.js';
import { type InformerOptions, SharedInformerFactory } from './informer.js';
import type { Reconciler } from './reconcile.js';
import { WriteTracker } from './writetracker.js';
import { shardOf, type Coordinator } from './sharding.js';
import { collectControllerMetrics } from './metrics.js';
import type { MetricsCollector } from '../api/prometheus.js';

export interface ManagerOptions {
  clock?: Clock;
  informer?: Omit<InformerOptions, 'clock'>;
  /** Event loop turns the idle state must survive before idle() resolves (default 2). */
  settleTurns?: number;
  /**
   * Other background work idle() must wait for, e.g. the registry's garbage
   * collector (`() => registry.lifecycle.whenIdle()`), whose writes can
   * trigger reconciles but are not made through `client`.
   */
  idleFences?: Array<() => Promise<void>>;
  /** Default observer for controllers created by newController. */
  onReconcile?: ControllerOptions['onReconcile'];
  /** Shares the keys with other processes (absent: this process owns every key). */
  coordinator?: Coordinator;
}

export interface Quiescence {
  /** When the earliest delayed retry (or informer relist after a failure) fires, in the manager clock's timebase (compare with manager.clock.now()); undefined = nothing scheduled. */
  nextDueAt: number | undefined;
  /** Keys waiting for a delayed retry across all controllers. */
  delayed: number;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Manager implements MetricsCollector {
  readonly clock: Clock;
  readonly informers: SharedInformerFactory;
  /** The client reconcilers must write through: same API, but their writes count for quiescence. */
  readonly client: Client;
  private readonly tracker = new WriteTracker();
  private readonly controllers: Controller[] = [];
  private readonly settleTurns: number;
  private readonly fences: Array<() => Promise<void>>;
  private readonly onReconcile?: ControllerOptions['onReconcile'];
  readonly coordinator?: Coordinator;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(client: Client, opts: ManagerOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.informers = new SharedInformerFactory(client, { ...opts.informer, clock: this.clock });
    this.client = this.tracker.wrap(client);
    this.settleTurns = opts.settleTurns ?? 2;
    this.fences = [...(opts.idleFences ?? [])];
    this.onReconcile = opts.onReconcile;
    this.coordinator = opts.coordinator;
  }

  /** Creates a controller using the manager's clock and registers it. */
  newController(name: string, reconciler: Reconciler, opts: Omit<ControllerOptions, 'clock'> = {}): Controller {
    if (this.controllers.some((c) => c.name === name)) throw new Error(`controller ${JSON.stringify(name)} already exists`);
    const c = new Controller(name, reconciler, { onReconcile: this.onReconcile, coordinator: this.coordinator, ...opts, clock: this.clock });
    this.add(c);
    return c;
  }

  /** Registers a controller; if the manager is running it starts at once. */
  add(controller: Controller): void {
    this.controllers.push(controller);
    if (this.state === 'running') controller.start();
  }

  /**
   * Stops a controller (it finishes its in-flight reconciles) and forgets it,
   * so one of the same name can be added: a reconciler replaced by hot reload.
   */
  async remove(name: string): Promise<void> {
    const c = this.controllers.find((x) => x.name === name);
    if (!c) return;
    await c.stop(); // still listed meanwhile: idle() and the shard hand-over see its in-flight reconciles
    this.controllers.splice(this.controllers.indexOf(c), 1);
  }

  list(): readonly Controller[] {
    return this.controllers;
  }

  /** Starts informers, waits for their caches (rejecting after syncTimeoutMs if given), then starts the controllers. */
  async start(opts: { syncTimeoutMs?: number } = {}): Promise<void> {
    if (this.state !== 'new') throw new Error(`manager already ${this.state}`);
    this.state = 'starting';
    this.informers.start();
    await this.informers.waitForCacheSync(opts.syncTimeoutMs);
    // Informers created by controllers added while we waited were started by the factory; wait for them too.
    await this.informers.waitForCacheSync(opts.syncTimeoutMs);
    if (this.state !== 'starting') return; // stopped while syncing
    const coord = this.coordinator;
    if (coord) {
      await coord.start({
        gained: (shards) => {
          for (const c of this.controllers) c.resync((key) => shards.has(shardOf(key, coord.shards)));
        },
        busy: (shard) => this.controllers.some((c) => c.processing((key) => shardOf(key, coord.shards) === shard)),
      });
    }
    if (this.state !== 'starting') return;
    this.state = 'running';
    for (const c of this.controllers) c.start();
  }

  /** Graceful stop: controllers stop taking work and finish in-flight reconciles, then informers stop. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.coordinator?.stop();
    this.informers.stop();
  }

  /** True right now: no key ready or in flight anywhere (does not wait for informers). */
  isIdle(): boolean {
    return this.controllers.every((c) => c.isIdle());
  }

  /**
   * Resolves when the system is quiescent: all queues empty, nothing in
   * flight, informers caught up with our writes — stable across settle turns.
   * Delayed retries do not count as work; their earliest due time is returned.
   * Call after start(): keys queued before the workers run count as work.
   */
  async idle(): Promise<Quiescence> {
    for (;;) {
      await Promise.all(this.controllers.map((c) => c.idle()));
      const running = this.informers.all().filter((inf) => inf.isStarted());
      await Promise.all(running.map((inf) => inf.waitForResourceVersion(this.tracker.newestWritten(inf.type))));
      for (const fence of this.fences) await fence();
      for (let i = 0; i < this.settleTurns; i++) await turn();
      if (this.isIdle() && this.caughtUp()) return this.quiescence();
    }
  }

  /** Earliest delayed retry (or informer relist) across the manager; see Quiescence.nextDueAt. */
  nextDueAt(): number | undefined {
    return this.quiescence().nextDueAt;
  }

  /** The controllers' families for /metrics, read at scrape time (MetricsCollector). */
  collectMetrics(out: string[]): void {
    collectControllerMetrics(this.controllers, out);
  }

  metrics(): ControllerMetrics[] {
    return this.controllers.map((c) => c.metrics());
  }

  private caughtUp(): boolean {
    // An informer waiting to relist cannot catch up until then; its relist time is reported as due work.
    return this.informers.all().every((inf) => !inf.isStarted() || inf.relistDueAt() !== undefined || inf.caughtUpTo(this.tracker.newestWritten(inf.type)));
  }

  private quiescence(): Quiescence {
    let next: number | undefined;
    let delayed = 0;
    for (const c of this.controllers) {
      const due = c.nextDueAt();
      if (due !== undefined && (next === undefined || due < next)) next = due;
      delayed += c.queue.delayedCount();
    }
    for (const inf of this.informers.all()) {
      const due = inf.relistDueAt();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return { nextDueAt: next, delayed };
  }
}
