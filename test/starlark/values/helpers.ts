// Shared helpers for the value-library tests: a minimal Thread, and shorthands
// to call universe builtins and methods directly (no parser involved).

import { universe } from '../../../src/starlark/builtins/universe.js';
import { callMethod, callValue } from '../../../src/starlark/values/ops.js';
import type { Thread, Value } from '../../../src/starlark/values/value.js';

export function newThread(printed: string[] = []): Thread {
  return {
    name: 'test',
    print: (_t, msg) => void printed.push(msg),
    steps: 0,
    maxSteps: 1e9,
    depth: 0,
    maxDepth: 1000,
    allocs: 0,
    maxAllocs: Number.POSITIVE_INFINITY,
    local: new Map(),
  };
}

const thread = newThread();

/** Calls a universe builtin by name. */
export function call(name: string, args: Value[], kwargs: Array<[string, Value]> | null = null): Value {
  const fn = universe.get(name);
  if (fn === undefined) throw new Error(`no builtin ${name}`);
  return callValue(thread, fn, args, kwargs);
}

/** Calls recv.name(*args, **kwargs). */
export function method(recv: Value, name: string, args: Value[] = [], kwargs: Array<[string, Value]> | null = null): Value {
  return callMethod(thread, recv, name, args, kwargs);
}
