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
// Builtins and operators whose work is not O(1) (sorting, joining, big-int
// products, ...) charge steps in proportion to it (starlark/values/meter.ts),
// so the clock is read at least every ~16k steps' worth of work. The memory
// budget (`maxAllocs`) is charged the same way; its error names the limit.
// Trade-off: one operation is never interrupted midway; those that could run
// long are charged before they start and refused when over the budget.

import type { Thread } from '../starlark/index.js';

/** Steps between two clock reads (a clock read costs ~25 ns; a step a few ns). */
const checkEvery = 1 << 14;

export class BudgetThread implements Thread {
  steps = 0;
  depth = 0;
  allocs = 0;
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
    readonly maxAllocs = Number.POSITIVE_INFINITY,
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
