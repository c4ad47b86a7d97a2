// The work queue between event handlers and reconcile workers, modelled on
// client-go's util/workqueue (queue.go, delaying_queue.go, rate_limiting_queue.go).
//
// Key idea — three sets give deduplication and per-key exclusivity:
// - `queue`: keys ready to be handed out, in FIFO order;
// - `dirty`: keys that need processing (a superset of `queue`);
// - `processing`: keys a worker currently holds, with the time it took them
//   (client-go's processingStartTimes: unfinished work and longest processor).
// add(k) does nothing if k is already dirty (dedupe: ten events before a worker
// gets to k = one reconcile). If k is being processed it is only marked dirty,
// and done(k) puts it back in `queue` — so a key is never held by two workers,
// and a change that arrived mid-reconcile is never lost (it is reconciled again
// afterwards). Because reconcilers are level-based (they read the current
// state, not the event), collapsing events is always safe.
//
// Delayed adds (addAfter) wait in a min-heap keyed by due time; one Clock timer
// is armed for the earliest. A key already waiting keeps the earlier due time.
// Rate-limited adds are addAfter(key, limiter.when(key)); forget(key) resets it.
//
// Shutdown differs from client-go on purpose: after shutdown() no key is handed
// out any more, even if queued (workers stop taking work at once); delayed keys
// are dropped. shutdownWithDrain() additionally resolves when the keys in
// `processing` are done. Nothing is lost: on the next start the informers' initial
// list enqueues every object again.
//
// Metrics (client-go's workqueue_* families, rendered by controller/metrics.ts):
// plain counters on the object and two histograms bucketed at observe time.
// Queue duration runs from the accepted add to the take, as in client-go: the
// add time rides in the FIFO next to its key (a packed number array, nothing
// allocated per add); a key added while held waits in a small map until done().

import { type Clock, type TimerHandle, realClock } from './clock.js';
import { type RateLimiter, controllerRateLimiters } from './ratelimiter.js';
import { Histogram, exponentialBuckets } from '../api/prometheus.js';

/** client-go's workqueue duration buckets: ExponentialBuckets(10e-9, 10, 12), 10 ns … 1000 s. */
export const workqueueBuckets = exponentialBuckets(10e-9, 10, 12);

export interface WorkQueueOptions {
  clock?: Clock;
  /** Used by addRateLimited/forget/numRequeues; default: the controller error limiter (5 s → 5 min, bucket). */
  rateLimiter?: RateLimiter;
}

interface Waiting {
  due: number;
  seq: number;
  key: string;
}

/** FIFO of strings with amortised O(1) push/shift; each key carries the time it was added. */
class Fifo {
  private items: string[] = [];
  private times: number[] = [];
  private head = 0;
  /** Add time of the key the last shift() returned. */
  shiftedAt = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(k: string, at: number): void {
    this.items.push(k);
    this.times.push(at);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    this.shiftedAt = this.times[this.head]!;
    const k = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return k;
  }

  clear(): void {
    this.items = [];
    this.times = [];
    this.head = 0;
  }
}

/** Binary min-heap of waiting entries ordered by (due, seq). */
class WaitHeap {
  private h: Waiting[] = [];

  get size(): number {
    return this.h.length;
  }

  peek(): Waiting | undefined {
    return this.h[0];
  }

  push(w: Waiting): void {
    const h = this.h;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): Waiting | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.h = [];
  }

  /** Rebuilds the heap from the given live entries (drops stale ones). */
  rebuild(live: Iterable<Waiting>): void {
    this.h = [];
    for (const w of live) this.push(w);
  }
}

function less(a: Waiting, b: Waiting): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class WorkQueue {
  private readonly clock: Clock;
  readonly rateLimiter: RateLimiter;

  private readonly queue = new Fifo();
  private readonly dirty = new Set<string>();
  /** Held keys → performance.now() when taken. */
  private readonly processing = new Map<string, number>();
  private readonly getters: Array<() => void> = [];

  // Delayed adds: `waiting` holds each key's current entry; heap entries whose
  // seq no longer matches are stale (superseded or cancelled) and skipped.
  private readonly waiting = new Map<string, Waiting>();
  private readonly heap = new WaitHeap();
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;

  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];

  /** Total keys accepted by add (after dedupe): workqueue_adds_total. */
  addsAccepted = 0;
  /** Rate-limited re-adds (addRateLimited, or counted by the caller): workqueue_retries_total. */
  retries = 0;
  /** Seconds from accepted add to take: workqueue_queue_duration_seconds. */
  readonly queueDuration = new Histogram(workqueueBuckets);
  /** Seconds a worker spent on a key, observed by that worker (take → end of its reconcile): workqueue_work_duration_seconds. */
  readonly workDuration = new Histogram(workqueueBuckets);
  /** Add time of keys added while held (queued again by done()). */
  private readonly addedWhileHeld = new Map<string, number>();

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? controllerRateLimiters({}, this.clock).error;
  }

  /** Marks key as needing processing. Deduplicated; ignored after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addsAccepted++;
    if (this.processing.has(key)) {
      this.addedWhileHeld.set(key, performance.now()); // done() re-queues it
      return;
    }
    this.ready(key, performance.now());
  }

  /** Adds key after ms; if the key is already waiting, the earlier due time wins. ms <= 0 adds now. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + ms;
    const cur = this.waiting.get(key);
    if (cur !== undefined && cur.due <= due) return;
    const w = { due, seq: this.seq++, key };
    this.waiting.set(key, w);
    this.heap.push(w);
    this.compact();
    this.arm();
  }

  /** addAfter(key, rateLimiter.when(key)). */
  addRateLimited(key: string): void {
    this.retries++;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the key's rate-limit history (call after a success). Does not remove it from the queue. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Drops a pending delayed add for key (no effect on an immediate add). */
  cancelDelayed(key: string): void {
    if (!this.waiting.delete(key)) return;
    this.compact();
    this.arm();
  }

  /**
   * Resolves with the next key to process, which the caller now holds exclusively
   * until done(key); resolves undefined once the queue is shut down.
   */
  async get(): Promise<string | undefined> {
    for (;;) {
      if (this.shuttingDown) return undefined;
      const key = this.take();
      if (key !== undefined) return key;
      // Woken by ready() or shutdown(). The key is taken only when this worker
      // actually runs, so adds made meanwhile still dedupe against it.
      await new Promise<void>((resolve) => this.getters.push(resolve));
    }
  }

  /** Synchronous variant of get(): the next ready key, or undefined if none (or shut down). */
  tryGet(): string | undefined {
    return this.shuttingDown ? undefined : this.take();
  }

  /** Releases key; if it was added again meanwhile it goes back to the ready queue. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    let at: number | undefined;
    if (this.addedWhileHeld.size > 0 && (at = this.addedWhileHeld.get(key)) !== undefined) this.addedWhileHeld.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.ready(key, at ?? performance.now());
    this.checkIdle();
  }

  /** Keys ready to be handed out. */
  len(): number {
    return this.queue.length;
  }

  /** Keys added and not yet taken, including those re-added while held: client-go's workqueue_depth. */
  depth(): number {
    return this.dirty.size;
  }

  /** Keys currently held by workers. */
  inFlight(): number {
    return this.processing.size;
  }

  /** Seconds of work in progress, summed over held keys: client-go's workqueue_unfinished_work_seconds. */
  unfinishedWorkSeconds(now = performance.now()): number {
    let sum = 0;
    for (const t of this.processing.values()) sum += now - t;
    return sum / 1000;
  }

  /** Seconds the longest-held key has been held: client-go's workqueue_longest_running_processor_seconds. */
  longestRunningProcessorSeconds(now = performance.now()): number {
    let oldest = now;
    for (const t of this.processing.values()) if (t < oldest) oldest = t;
    return (now - oldest) / 1000;
  }

  /** The keys currently held by workers. */
  inFlightKeys(): Iterable<string> {
    return this.processing.keys();
  }

  /** Keys waiting for a delayed add. */
  delayedCount(): number {
    return this.waiting.size;
  }

  /** Clock time at which the earliest delayed key becomes ready, or undefined. */
  nextDueAt(): number | undefined {
    this.dropStale();
    return this.heap.peek()?.due;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Nothing ready and nothing in flight (delayed keys may remain; see nextDueAt). */
  isIdle(): boolean {
    return this.processing.size === 0 && (this.queue.length === 0 || this.shuttingDown);
  }

  /** Resolves the next time the queue is idle (immediately if it is now). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops handing out keys and drops delayed ones; pending get() calls resolve undefined. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
    this.waiting.clear();
    this.heap.clear();
    for (const g of this.getters.splice(0)) g();
    this.checkIdle();
  }

  /** shutdown(), then resolves once every key held by a worker is done. */
  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const now = performance.now();
    this.queueDuration.observe((now - this.queue.shiftedAt) / 1000);
    this.processing.set(key, now);
    this.dirty.delete(key);
    return key;
  }

  private ready(key: string, addedAt: number): void {
    this.queue.push(key, addedAt);
    this.getters.shift()?.();
  }

  private checkIdle(): void {
    if (this.processing.size === 0 && this.drainWaiters.length > 0) for (const w of this.drainWaiters.splice(0)) w();
    if (this.idleWaiters.length > 0 && this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Superseded and cancelled entries stay in the heap until they reach the top;
   * with long delays that re-schedule often (requeueAfter on every reconcile)
   * they would pile up, so rebuild once stale entries outnumber live ones.
   */
  private compact(): void {
    if (this.heap.size > 64 && this.heap.size > 2 * this.waiting.size) this.heap.rebuild(this.waiting.values());
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top !== undefined && this.waiting.get(top.key) !== top; top = this.heap.peek()) this.heap.pop();
  }

  /** Keeps exactly one timer armed for the earliest live waiting entry. */
  private arm(): void {
    this.dropStale();
    const top = this.heap.peek();
    const due = top?.due ?? Infinity;
    if (due === this.timerDue) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDue = due;
    if (top === undefined) return;
    this.timer = this.clock.setTimer(() => this.fire(), due - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    for (;;) {
      this.dropStale();
      const top = this.heap.peek();
      if (top === undefined || top.due > now) break;
      this.heap.pop();
      this.waiting.delete(top.key);
      this.add(top.key);
    }
    this.arm();
  }
}
