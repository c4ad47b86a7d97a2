// Charging memory and work to the Starlark thread that is running, so a
// program cannot exhaust the process's heap or block it inside one builtin.
//
// Key idea: the interpreter runs one thread at a time (it is synchronous), so
// the thread being charged is a module variable set by the host entry points
// (Program.init, callFunction) rather than a parameter threaded through every
// operator. Operations whose cost is not O(1) charge in proportion to what they
// do: `alloc(bytes)` for the values they create (counted against the thread's
// memory budget, `maxAllocs`) and `work(n)` for n elementary operations (element
// copies, comparisons, bigint words), both converted into steps, so the step
// budget — and with it the wall-clock deadline, read when steps are counted —
// covers time spent inside builtins too. Amplifying operations (repetition,
// join, replace, padding, bigint products) charge *before* they build the
// result, so the limit trips before the heap is at risk.
//
// Trade-off: the count is cumulative (allocation, not live memory — the
// interpreter does not see the GC), deterministic and costs an add and a compare
// per charged operation. Allocations of O(1) size per step (a small dict, a
// short string) are left to the step budget. Building a string by repeated `+=`
// is charged quadratically, as in starlark-go where it copies; "".join is linear.

import { StarlarkError, type Thread, type Value } from './value.js';

const unmetered: Thread = {
  name: 'host',
  print: () => {},
  steps: 0,
  maxSteps: Number.POSITIVE_INFINITY,
  depth: 0,
  maxDepth: Number.POSITIVE_INFINITY,
  allocs: 0,
  maxAllocs: Number.POSITIVE_INFINITY,
  local: new Map(),
};

let active: Thread = unmetered;
// The active thread's memory count lives in module variables while it runs
// (monomorphic, no property access on the hot path); `thread.allocs` is
// brought up to date whenever another thread takes over.
let allocs = 0;
let maxAllocs = Number.POSITIVE_INFINITY;

function activate(t: Thread): void {
  active = t;
  allocs = t.allocs;
  maxAllocs = t.maxAllocs;
}

/** Makes t the thread charged from now on; returns the previous one for `leave`. */
export function enter(t: Thread): Thread {
  const prev = active;
  prev.allocs = allocs;
  activate(t);
  return prev;
}

/** Restores the thread `enter` returned. */
export function leave(prev: Thread): void {
  active.allocs = allocs;
  activate(prev);
}

/** Message of the error raised when a thread's memory budget is used up. */
export const memoryExceededPrefix = 'Starlark computation cancelled: exceeded its memory limit';

export function mib(bytes: number): string {
  return String(Math.round(bytes / 2 ** 20));
}

function overMemory(): never {
  throw new StarlarkError(`${memoryExceededPrefix} of ${mib(maxAllocs)} MiB`);
}

function overSteps(): never {
  throw new StarlarkError('Starlark computation cancelled: too many steps');
}

/** Charges the creation of a value of about `bytes` bytes (and the work of filling it: a step per 128 bytes). */
export function alloc(bytes: number): void {
  if ((allocs += bytes) > maxAllocs) overMemory();
  if (bytes >= 128) {
    const t = active;
    if ((t.steps += Math.floor(bytes / 128)) > t.maxSteps) overSteps();
  }
}

/** Throws the memory error now if `bytes` more would exceed the budget (for results charged once built). */
export function fits(bytes: number): void {
  if (allocs + bytes > maxAllocs) overMemory();
}

/** Whether charging `bytes` of memory and `steps` steps now would stay within both budgets (nothing is charged). */
export function wouldFit(bytes: number, steps: number): boolean {
  return allocs + bytes <= maxAllocs && active.steps + steps <= active.maxSteps;
}

/** Charges n elementary operations (an element compared, copied or hashed): a step per 4. */
export function work(n: number): void {
  if (n < 4) return;
  const t = active;
  if ((t.steps += Math.floor(n / 4)) > t.maxSteps) overSteps();
}

/** Charges one piece of output written by repr/str/json.encode: a slot of memory and `steps` steps. */
export function piece(steps: number): void {
  if ((allocs += SLOT) > maxAllocs) overMemory();
  const t = active;
  if ((t.steps += steps) > t.maxSteps) overSteps();
}

/** Bytes charged per element of a list, tuple or array (a pointer). */
export const SLOT = 8;
/** Bytes charged per list or tuple besides its elements (object and array headers). */
export const HEADER = 32;
/** Bytes charged per dict or set besides its entries (the table objects, a small inline array). */
export const TABLE = 96;
/** Bytes charged per dict/set entry: a V8 Map entry (key, value, chain link, bucket, growth slack). */
export const ENTRY = 64;

/**
 * The charges of every string method (string_methods.ts, and the direct calls
 * of compile/string_calls.ts): a scan of a long receiver s before, and the
 * string it returns, unless s itself, after.
 */
export function chargeScan(s: string): void {
  if (s.length > 64) work(s.length >> 3);
}
export function chargeResult<R extends Value>(s: string, r: R): R {
  if (typeof r === 'string' && r !== s) alloc(r.length);
  return r;
}
