// The Starlark thread a reconcile runs on: a step budget plus a wall-clock
// deadline, so a reconcile never runs forever (an endless loop, a runaway
// recursion through a deep data structure, an accidentally quadratic library).
//
// Key idea: the interpreter charges one step per loop iteration and per call
// with `if (++t.steps > t.maxSteps) cancel`. Here `maxSteps` is a getter that
// usually returns the step budget; every `checkEvery` steps it also reads the
// clock, and once the deadline has passed it returns 0 — the interpreter then
// cancels the run at the current statement with its usual positioned error,
// and the runtime knows from `timedOut` to report a timeout instead.
// Trade-off: a single builtin that runs long without charging steps (sorting
// a huge list) is only stopped at the next step; builtins are bounded by their
// input, which the step budget already bounds.

import type { Thread } from '../starlark/values/value.js';

/** Steps between two clock reads (a clock read costs ~25 ns; a step a few ns). */
const checkEvery = 1 << 14;

export class BudgetThread implements Thread {
  steps = 0;
  depth = 0;
  readonly local = new Map<string, unknown>();
  /** Set once the deadline has passed (the run was cancelled for time, not steps). */
  timedOut = false;
  private limit: number;
  private checkAt = checkEvery;
  private readonly deadline: number;

  constructor(
    readonly name: string,
    private readonly printFn: (msg: string) => void,
    readonly budget: number,
    readonly timeoutMs: number,
    readonly maxDepth = 1000,
  ) {
    this.limit = budget;
    this.deadline = Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : Number.POSITIVE_INFINITY;
  }

  get maxSteps(): number {
    if (this.steps >= this.checkAt) this.checkClock();
    return this.limit;
  }

  set maxSteps(n: number) {
    this.limit = n;
  }

  print(_thread: Thread, msg: string): void {
    this.printFn(msg);
  }

  private checkClock(): void {
    this.checkAt = this.steps + checkEvery;
    if (!this.timedOut && performance.now() > this.deadline) {
      this.timedOut = true;
      this.limit = 0;
    }
  }
}
