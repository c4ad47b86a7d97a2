// Client-side rate limiting of API requests: a token bucket, as client-go's
// flowcontrol.NewTokenBucketRateLimiter (qps tokens per second, up to `burst`
// saved). A request takes one token, waiting for it when the bucket is empty,
// in arrival order, so a burst of reconciles queues instead of flooding the
// API server (and its priority-and-fairness 429s).
//
// Key idea: no timer per token; the bucket refills lazily from the clock when
// read, and waiters are woken by one timer for the head of the line.
// Trade-off: the wait is measured with setTimeout (ms resolution); at high
// qps (> 1000) the limiter admits small bursts rather than exact spacing.

export interface RateLimit {
  /** Sustained requests per second; 0 or less = unlimited. */
  qps: number;
  /** Requests that may go out at once after an idle period (at least 1). */
  burst: number;
}

/**
 * 50 qps / 100 burst. client-go's 5/10 starves a controller (a reconcile is
 * 1–4 writes, so 5 qps is ~2 reconciles/s); controller-runtime raised its
 * default to 20/30. A runner is the only client of its project's objects and
 * its writes are coalesced by the work queue, so 50/100 (kubectl's order of
 * magnitude) keeps a burst of changes moving at tens of reconciles per second
 * while staying far below kube-apiserver's default 400 in-flight requests.
 */
export const defaultRateLimit: RateLimit = { qps: 50, burst: 100 };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = Math.max(1, limit.burst);
    this.last = now();
  }

  get unlimited(): boolean {
    return !(this.limit.qps > 0);
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> | undefined {
    if (this.unlimited) return undefined;
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(Math.max(1, this.limit.burst), this.tokens + ((t - this.last) * this.limit.qps) / 1000);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, ((1 - this.tokens) * 1000) / this.limit.qps);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      if (this.waiters.length > 0) this.schedule();
    }, Math.ceil(wait));
  }
}
