// Time as an injectable dependency. Everything in the controller layer that
// waits (delayed queue adds, backoff, relist) asks a Clock instead of calling
// Date.now / setTimeout directly, so tests can drive time deterministically:
// a ManualClock only moves when the test calls advance(), and every timer due
// by then fires in due-time order with now() set to its due time.
//
// Trade-off: the ManualClock fires timers synchronously inside advance(); work
// those timers start asynchronously (promises) still needs the test to await
// it (e.g. Controller.idle()), which keeps the clock itself simple.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds, monotonic for a given clock. */
  now(): number;
  /** Calls fn once after ms (>= 0) milliseconds. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Wall time with Node timers; timers are unref'd so a pending retry never keeps the process alive. */
export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return performance.now();
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
}

export const realClock: Clock = new RealClock();

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** A clock that only moves when told to. For tests and for simulated time in `run once`. */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private nextId = 1;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, due: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Number of timers not yet fired. */
  pending(): number {
    return this.timers.length;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.due < min) min = t.due;
    return min;
  }

  /** Moves time forward by ms, firing every timer due on the way in due order (ties: creation order). */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      const fire = next;
      this.timers = this.timers.filter((t) => t !== fire);
      if (fire.due > this.current) this.current = fire.due;
      fire.fn();
    }
    if (target > this.current) this.current = target;
  }
}
