// Iteration and length over any Starlark value: the protocol ops.ts exposes to
// the evaluator and the builtins share. It sits below ops.ts and the method
// tables so that both can use it without importing each other.
//
// See ops.ts for the iteration-lock protocol that `iterate` follows.

import { StarDict, StarSet } from './dict.js';
import { StarList, StarTuple } from './list.js';
import { StarRange } from './range.js';
import { typeName } from './compare.js';
import { fits, work, SLOT } from './meter.js';
import { StarlarkError, type Indexable, type Iterable, type Value } from './value.js';

/** The largest sequence an operation may build (repeat, materialising a range). */
export const MAX_REPEAT = 1 << 28;

/** An iterator over x, or a "T value is not iterable" error. */
export function iterate(x: Value): Iterator<Value> {
  if (x instanceof StarList) return x.iterate();
  if (typeof x === 'object' && x !== null && typeof (x as Partial<Iterable>).iterate === 'function') {
    return (x as Iterable).iterate();
  }
  throw new StarlarkError(`${typeName(x)} value is not iterable`);
}

/** Whether x is iterable (string is not). */
export function isIterable(x: Value): boolean {
  return typeof x === 'object' && x !== null && typeof (x as Partial<Iterable>).iterate === 'function';
}

/**
 * Collects an iterable into a fresh array; fn (and the 1-based parameter
 * position) name the builtin for the error message.
 */
export function toArray(x: Value, fn?: string, param = 1): Value[] {
  if (x instanceof StarRange) {
    if (x.length > MAX_REPEAT) throw new StarlarkError(`${fn !== undefined ? fn + ': ' : ''}range of ${x.length} elements is too large to materialise`);
    fits(x.length * SLOT);
  }
  const n = length(x);
  if (n > 0) work(n); // every caller goes over the copy once (sorted, min, any, list, ...)
  if (x instanceof StarList || x instanceof StarTuple) return x.elems.slice();
  if (x instanceof StarDict) return x.keys();
  if (x instanceof StarSet) return x.elems();
  if (!isIterable(x)) {
    if (fn !== undefined) throw new StarlarkError(`${fn}: for parameter ${param}: got ${typeName(x)}, want iterable`);
    throw new StarlarkError(`${typeName(x)} value is not iterable`);
  }
  const out: Value[] = [];
  const it = (x as Iterable).iterate();
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}

/** len(x), or -1 if x has no length. */
export function length(x: Value): number {
  if (typeof x === 'string') return x.length;
  if (x instanceof StarList || x instanceof StarTuple) return x.elems.length;
  if (x instanceof StarDict || x instanceof StarSet) return x.size;
  if (typeof x === 'object' && x !== null && typeof (x as Partial<Indexable>).length === 'number') {
    return (x as Indexable).length;
  }
  return -1;
}
