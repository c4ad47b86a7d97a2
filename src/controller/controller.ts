// A controller = a named work queue + N workers + a Reconciler, fed by watches
// (informer + event handler + predicates). Modelled on controller-runtime's
// pkg/internal/controller.
//
// Each worker loops: take a key (exclusively — see workqueue.ts), reconcile it,
// turn the outcome into a queue decision, release the key:
//
//   outcome        how it is reported              what happens to the key
//   Done           Result {} / undefined           forget backoff; wait for a new event
//   Requeue        {requeue: true}                 again after the fast requeue limiter (5 ms → 1 s)
//   RequeueAfter   {requeueAfter: ms}              again after exactly ms; backoff forgotten
//   Error          thrown Error                    again after the error limiter (5 s → 5 min)
//   Fatal          thrown FatalError               forget; nothing until a new event
//
// The latest outcome supersedes any retry scheduled by an earlier one (a
// pending delayed add for the key is cancelled first): a reconcile has just
// looked at the current state, so an older "try again in 5 min" is stale. An
// event that arrived during the reconcile still triggers one more run.
//
// Sharing work with other processes (sharding.ts): with a Coordinator, an
// event whose key belongs to a shard this process does not hold is not
// queued, a worker that takes a key of a shard this process does not own
// (any more) drops it (the owner sees the same event), the reconcile runs inside the shard's write
// fence, and resync() re-enqueues the cached keys of shards just gained.
//
// Event-loop turns: with an in-memory store a reconcile, its writes and the
// watch events they cause all complete on microtasks, so busy workers would
// never let timers, I/O or the HTTP server run (two reconcilers re-triggering
// each other starve `run once --timeout` for good). So a worker yields one
// macrotask turn (setImmediate) every `turnEvery` reconciles. Counted, not
// timed: the points where workers interleave differently then do not depend
// on the machine's speed, and a run stays as deterministic as before (a
// project's allocation order, its --out bytes). Reconciles are short (a
// Starlark run is bounded by its budget and time limit), so a turn comes at
// least every few milliseconds under load. Cost: one setImmediate per
// `turnEvery` reconciles.
//
// Metrics: outcomes counted in a plain record (panics apart, see isPanic), reconcile time in a histogram
// bucketed at observe time, work duration observed on the queue; rendered at
// scrape time by metrics.ts with controller-runtime's names.
//
// Quiescence: isIdle() / idle() say no key is ready and none is in flight;
// nextDueAt() tells when the earliest delayed retry fires. The manager combines
// these across controllers for `run once`.

import { type Clock, realClock } from './clock.js';
import { keyOf, splitKey } from './cache.js';
import type { EventHandler } from './handler.js';
import type { Registration, SharedInformer } from './informer.js';
import type { Predicate } from './predicate.js';
import { type RateLimitOptions, type RateLimiter, controllerRateLimiters } from './ratelimiter.js';
import { FatalError, type Reconciler, type Request, type Result, type Trigger } from './reconcile.js';
import type { KObject } from '../api/object.js';
import { WorkQueue } from './workqueue.js';
import type { Coordinator } from './sharding.js';
import { writeFence } from '../store/fence.js';
import { Histogram } from '../api/prometheus.js';

/** controller-runtime's controller_runtime_reconcile_time_seconds buckets. */
export const reconcileTimeBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7,
  8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** Reconciles after which a worker yields one event-loop turn (see header). */
const turnEvery = 32;
/** How soon a key whose shard is held while the renew deadline has lapsed is tried again (the etcd coordinator ticks every 500 ms). */
const HELD_RETRY_MS = 500;
const eventLoopTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A bug rather than a reported failure: what Go code would raise as a runtime panic. */
export const isPanic = (err: unknown): boolean => !(err instanceof Error) || err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError;

/** The triggers that name no object, shared (not allocated per enqueue). */
const plainTrigger = {
  Enqueued: Object.freeze<Trigger>({ event: 'Enqueued' }),
  Resync: Object.freeze<Trigger>({ event: 'Resync' }),
  Retry: Object.freeze<Trigger>({ event: 'Retry' }),
  Requeue: Object.freeze<Trigger>({ event: 'Requeue' }),
};

export type Outcome = 'Done' | 'Requeue' | 'RequeueAfter' | 'Error' | 'Fatal';

/** One finished reconcile, for observers (the `run once` observer, logs). */
export interface ReconcileRecord {
  controller: string;
  request: Request;
  key: string;
  outcome: Outcome;
  /** Real time spent in reconcile. */
  durationMs: number;
  /** Error and Fatal: what was thrown. */
  error?: unknown;
  /** What queued this run (see Trigger). */
  trigger?: Trigger;
  /** Requeue, RequeueAfter, Error: delay until the key runs again. */
  delayMs?: number;
}

export interface ControllerOptions {
  /** Concurrent reconciles (different keys), default 1. */
  workers?: number;
  clock?: Clock;
  rateLimits?: RateLimitOptions;
  /** Called after every reconcile; must not throw. */
  onReconcile?: (record: ReconcileRecord) => void;
  /** Shares keys with other processes; absent = this process owns every key. */
  coordinator?: Coordinator;
}

export interface ControllerMetrics {
  name: string;
  reconciles: number;
  /** Reconciles by outcome. */
  outcomes: Record<Outcome, number>;
  errors: number;
  durationMeanMs: number;
  durationMaxMs: number;
  queueDepth: number;
  inFlight: number;
  delayed: number;
  nextDueAt: number | undefined;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  readonly workers: number;
  private readonly errorLimiter: RateLimiter;
  private readonly requeueLimiter: RateLimiter;
  private readonly onReconcile?: (record: ReconcileRecord) => void;

  private readonly registrations: Registration[] = [];
  private readonly sources: Array<{ informer: SharedInformer; handler: EventHandler; predicates: Predicate[] }> = [];
  private readonly coordinator?: Coordinator;
  /** Keys dropped because another process owns their shard. */
  private notOwned = 0;
  private workerLoops: Promise<void>[] = [];
  private started = false;

  /** Reconciles by outcome (read by metrics.ts; do not mutate). */
  readonly outcomes: Record<Outcome, number> = { Done: 0, Requeue: 0, RequeueAfter: 0, Error: 0, Fatal: 0 };
  /**
   * Reconciles that threw what Go would call a panic: a JS engine exception
   * (TypeError, RangeError, ReferenceError) or a thrown non-Error. They also
   * count as errors, as in controller-runtime (which recovers the panic).
   */
  panics = 0;
  /** Seconds per reconcile call. */
  readonly reconcileTime = new Histogram(reconcileTimeBuckets);
  private reconciles = 0;
  /** Per queued key, what queued it last (taken when the key's run starts). */
  private readonly triggers = new Map<string, Trigger>();
  private totalDuration = 0;
  private maxDuration = 0;

  constructor(name: string, reconciler: Reconciler, opts: ControllerOptions = {}) {
    this.name = name;
    this.reconciler = reconciler;
    this.workers = Math.max(1, opts.workers ?? 1);
    const clock = opts.clock ?? realClock;
    const limiters = controllerRateLimiters(opts.rateLimits, clock);
    this.errorLimiter = limiters.error;
    this.requeueLimiter = limiters.requeue;
    this.queue = new WorkQueue({ clock, rateLimiter: this.errorLimiter });
    this.onReconcile = opts.onReconcile;
    this.coordinator = opts.coordinator;
  }

  /**
   * Feeds events of informer's type through predicates (all must pass) into
   * handler, which enqueues requests. May be called before or after start;
   * registering after the informer synced delivers the cached objects as adds.
   */
  watch(informer: SharedInformer, handler: EventHandler, ...predicates: Predicate[]): Registration {
    // One enqueue per event, naming it as the trigger: a handler may deliver later (ownwrites.ts defers
    // events that may be our own writes), so the event cannot live in a variable shared across events.
    const enqueueFrom = (event: Trigger['event'], about: KObject) => (r: Request) => {
      const key = keyOf(r.namespace, r.name);
      if (this.coordinator?.holds?.(key) === false) {
        // Another process's shard: its owner sees the same event, and gaining the shard resyncs from the cache.
        this.notOwned++;
        return;
      }
      this.triggers.set(key, { event, apiVersion: about.apiVersion, kind: about.kind, namespace: about.metadata.namespace, name: about.metadata.name });
      this.queue.add(key);
    };
    const reg = informer.addEventHandler({
      onAdd: (obj) => {
        if (predicates.every((p) => p.create?.(obj) ?? true)) handler.create(obj, enqueueFrom('Added', obj));
      },
      onUpdate: (oldObj, newObj) => {
        if (predicates.every((p) => p.update?.(oldObj, newObj) ?? true)) handler.update(oldObj, newObj, enqueueFrom('Modified', newObj));
      },
      onDelete: (obj) => {
        if (predicates.every((p) => p.delete?.(obj) ?? true)) handler.delete(obj, enqueueFrom('Deleted', obj));
      },
    });
    this.registrations.push(reg);
    this.sources.push({ informer, handler, predicates });
    return reg;
  }

  /**
   * Re-enqueues every key the watched caches lead to that passes `filter` (the
   * shards just gained): as if each cached object had just been added.
   */
  resync(filter: (key: string) => boolean): void {
    const enqueue = (r: Request) => {
      const key = keyOf(r.namespace, r.name);
      if (!filter(key)) return;
      this.triggers.set(key, plainTrigger.Resync);
      this.queue.add(key);
    };
    for (const { informer, handler, predicates } of this.sources) {
      for (const obj of informer.list()) if (predicates.every((p) => p.create?.(obj) ?? true)) handler.create(obj, enqueue);
    }
  }

  /** Whether a key matching `pred` is being reconciled now. */
  processing(pred: (key: string) => boolean): boolean {
    for (const k of this.queue.inFlightKeys()) if (pred(k)) return true;
    return false;
  }

  /** Keys dropped so far because another process owned their shard. */
  droppedNotOwned(): number {
    return this.notOwned;
  }

  /** Enqueues a request directly (e.g. the runner seeding work). */
  enqueue(request: Request): void {
    const key = keyOf(request.namespace, request.name);
    this.triggers.set(key, request.trigger ?? plainTrigger.Enqueued);
    this.queue.add(key);
  }

  /** Starts the workers. Keys queued before start are processed now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (let i = 0; i < this.workers; i++) this.workerLoops.push(this.worker());
  }

  /** Stops taking work and resolves when in-flight reconciles have finished. Idempotent. */
  async stop(): Promise<void> {
    for (const r of this.registrations.splice(0)) r.remove();
    await this.queue.shutdownWithDrain();
    await Promise.all(this.workerLoops);
  }

  /** No key ready and none in flight (delayed retries may remain — see nextDueAt). */
  isIdle(): boolean {
    return this.queue.isIdle();
  }

  /** Resolves the next time the controller is idle. */
  idle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** Clock time of the earliest delayed retry, or undefined if none. */
  nextDueAt(): number | undefined {
    return this.queue.nextDueAt();
  }

  metrics(): ControllerMetrics {
    return {
      name: this.name,
      reconciles: this.reconciles,
      outcomes: { ...this.outcomes },
      errors: this.outcomes.Error + this.outcomes.Fatal,
      durationMeanMs: this.reconciles === 0 ? 0 : this.totalDuration / this.reconciles,
      durationMaxMs: this.maxDuration,
      queueDepth: this.queue.len(),
      inFlight: this.queue.inFlight(),
      delayed: this.queue.delayedCount(),
      nextDueAt: this.queue.nextDueAt(),
    };
  }

  private async worker(): Promise<void> {
    let sinceTurn = 0;
    for (;;) {
      if (++sinceTurn > turnEvery) {
        await eventLoopTurn();
        sinceTurn = 0;
      }
      // tryGet first: when work is waiting, skip the promise round-trip of get().
      const key = this.queue.tryGet() ?? (await this.queue.get());
      if (key === undefined) return;
      if (this.coordinator && !this.coordinator.owns(key)) {
        if (this.coordinator.holds?.(key)) {
          // Still held, but the renew deadline lapsed (etcd slow): a renewal that recovers announces
          // nothing, so try again later; if the shard is lost meanwhile, holds() turns false and it is dropped.
          this.queue.done(key);
          this.queue.addAfter(key, HELD_RETRY_MS);
          continue;
        }
        // Another process owns the shard (and sees the same events); retries scheduled here are moot.
        this.notOwned++;
        this.triggers.delete(key);
        this.queue.cancelDelayed(key);
        this.forget(key);
        this.queue.done(key);
        continue;
      }
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const t0 = performance.now();
    const request: Request = splitKey(key);
    const trigger = this.triggers.get(key);
    if (trigger !== undefined) {
      request.trigger = trigger;
      this.triggers.delete(key);
    }
    let result: Result | void = undefined;
    let error: unknown;
    let threw = false;
    try {
      const fence = this.coordinator?.fence(key);
      result = await (fence ? writeFence.run(fence, () => this.reconciler.reconcile(request)) : this.reconciler.reconcile(request));
    } catch (err) {
      threw = true;
      error = err;
    }
    const durationMs = performance.now() - t0;

    this.queue.cancelDelayed(key);
    let outcome: Outcome;
    let delayMs: number | undefined;
    if (threw && error instanceof FatalError) {
      outcome = 'Fatal';
      this.forget(key);
    } else if (threw) {
      outcome = 'Error';
      if (isPanic(error)) this.panics++;
      delayMs = this.errorLimiter.when(key);
      this.queue.retries++;
      this.queue.addAfter(key, delayMs);
      this.retryTrigger(key, 'Retry');
    } else if (result && typeof result.requeueAfter === 'number' && result.requeueAfter > 0) {
      outcome = 'RequeueAfter';
      delayMs = result.requeueAfter;
      this.forget(key);
      this.queue.addAfter(key, delayMs);
      this.retryTrigger(key, 'Requeue');
    } else if (result && result.requeue === true) {
      outcome = 'Requeue';
      delayMs = this.requeueLimiter.when(key);
      this.queue.retries++;
      this.queue.addAfter(key, delayMs);
      this.retryTrigger(key, 'Requeue');
    } else {
      outcome = 'Done';
      this.forget(key);
    }

    this.reconciles++;
    this.outcomes[outcome]++;
    this.totalDuration += durationMs;
    if (durationMs > this.maxDuration) this.maxDuration = durationMs;
    this.reconcileTime.observe(durationMs / 1000);
    // Observe before releasing the key so an observer sees the outcome before the controller can look idle.
    if (this.onReconcile !== undefined) {
      try {
        this.onReconcile({ controller: this.name, request, key, outcome, durationMs, error, delayMs, trigger });
      } catch {
        // An observer must not break the controller.
      }
    }
    this.queue.done(key);
    // From take to the reconcile's end: the bookkeeping since is sub-microsecond, not worth another clock read.
    this.queue.workDuration.observe(durationMs / 1000);
  }

  /** A scheduled retry is the trigger of the next run unless an event (during this run) already queued the key. */
  private retryTrigger(key: string, event: 'Retry' | 'Requeue'): void {
    if (!this.triggers.has(key)) this.triggers.set(key, plainTrigger[event]);
  }

  private forget(key: string): void {
    this.errorLimiter.forget(key);
    this.requeueLimiter.forget(key);
  }
}
