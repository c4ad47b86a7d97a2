// Rate limiters decide how long a key waits before it is retried. Modelled on
// client-go's workqueue/default_rate_limiters.go:
//
// - ItemExponentialFailureRateLimiter: per-key backoff base·2^n capped at max;
//   n counts the key's consecutive failures and resets on forget() (success).
// - BucketRateLimiter: one token bucket for all keys (qps refill, burst size),
//   so a storm of failing keys cannot monopolise the workers or the API.
// - MaxOfRateLimiter: the longest delay any member asks for.
//
// Two combinations are used by controllers:
// - errorRateLimiter: max(exponential 5 s → 5 min, bucket) for reconcile errors.
// - requeueRateLimiter: max(exponential 5 ms → 1 s, bucket) for `requeue=True`
//   without a delay. A reconciler that always asks to be requeued therefore
//   runs at most about once per second per key once the backoff has climbed
//   (5, 10, 20, … 640 ms, then 1 s) — it can never hot-loop — while the first
//   few requeues still happen almost at once.
//
// The bucket default (1000 qps, burst 10000) is far above client-go's
// 10 qps / 100 burst: our "API" is in-process and a `run once` of a project
// with thousands of objects must not be throttled into minutes. The bucket
// limits only rate-limited adds (errors and requeues), never fresh events.
//
// Delays are computed from the injected Clock so tests see exact numbers.

import { type Clock, realClock } from './clock.js';

export interface RateLimiter {
  /** Delay in ms before `key` should be processed again; records one more failure/requeue for it. */
  when(key: string): number;
  /** The key succeeded: reset its per-key state. */
  forget(key: string): void;
  /** How many times `key` has been rate-limited since the last forget. */
  numRequeues(key: string): number;
}

export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseDelayMs: number,
    readonly maxDelayMs: number,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n, which the cap handles.
    const delay = this.baseDelayMs * Math.pow(2, n);
    return Math.min(delay, this.maxDelayMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket: holds up to `burst` tokens, refilled at `qps` per second.
 * Each when() reserves one token; if none is available the caller waits until
 * its reserved token has been refilled (reservations queue up, like
 * golang.org/x/time/rate's Reserve().Delay()).
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`BucketRateLimiter: qps must be > 0 and burst >= 1 (got qps=${qps}, burst=${burst})`);
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_key: string): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    let max = 0;
    // Every member must see the call so each records the failure.
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

export interface RateLimitOptions {
  /** First error retry delay (default 5000 ms); doubles per consecutive error. */
  errorBaseDelayMs?: number;
  /** Error retry cap (default 300000 ms = 5 min). */
  errorMaxDelayMs?: number;
  /** First `requeue=True` delay (default 5 ms); doubles per consecutive requeue. */
  requeueBaseDelayMs?: number;
  /** `requeue=True` cap (default 1000 ms). */
  requeueMaxDelayMs?: number;
  /** Overall retry rate across all keys (default 1000 per second). */
  qps?: number;
  /** Retries allowed at once before qps applies (default 10000). */
  burst?: number;
}

export const defaultRateLimits: Required<RateLimitOptions> = {
  errorBaseDelayMs: 5_000,
  errorMaxDelayMs: 300_000,
  requeueBaseDelayMs: 5,
  requeueMaxDelayMs: 1_000,
  qps: 1_000,
  burst: 10_000,
};

/** The error and requeue limiters of one controller; they share one bucket. */
export function controllerRateLimiters(opts: RateLimitOptions = {}, clock: Clock = realClock): { error: RateLimiter; requeue: RateLimiter } {
  const o = { ...defaultRateLimits, ...opts };
  const bucket = new BucketRateLimiter(o.qps, o.burst, clock);
  return {
    error: new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(o.errorBaseDelayMs, o.errorMaxDelayMs), bucket),
    requeue: new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(o.requeueBaseDelayMs, o.requeueMaxDelayMs), bucket),
  };
}
