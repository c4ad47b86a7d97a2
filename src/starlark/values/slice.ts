// Slicing (x[lo:hi:step]) of strings, lists, tuples, bytes and ranges.
// Bounds are resolved like Python's slice.indices: missing bounds default by
// the sign of the step, negative bounds count from the end, and everything is
// clamped, so slicing never fails for an out-of-range bound.

import { StarBytes } from './bytes.js';
import { typeName } from './compare.js';
import { StarDict, StarSet } from './dict.js';
import { StarList, StarTuple } from './list.js';
import { StarBigRange, StarRange, asInt32 } from './range.js';
import { StarlarkError, type Indexable, type Value } from './value.js';

function length(x: Value): number {
  if (typeof x === 'string') return x.length;
  if (x instanceof StarDict || x instanceof StarSet) return -1;
  if (typeof x === 'object' && x !== null && typeof (x as Partial<Indexable>).length === 'number') {
    return (x as Indexable).length;
  }
  return -1;
}

function sliceIndex(v: Value | null, what: string): number | null {
  if (v === null) return null;
  if (typeof v === 'number' || typeof v === 'bigint') {
    // starlark-go takes slice bounds as int32s (AsInt32)
    if (asInt32(v) === null) throw new StarlarkError(what === 'step' ? `invalid slice step: ${v} out of range` : `invalid ${what} index: ${v} out of range`);
    return v as number;
  }
  if (what === 'step') throw new StarlarkError(`got ${typeName(v)} for slice step, want int`);
  throw new StarlarkError(`invalid ${what} index: got ${typeName(v)}, want int`);
}

/** Resolves slice bounds like Python's slice.indices; returns [start, stop, step]. */
export function sliceIndices(n: number, lo: Value | null, hi: Value | null, step: Value | null): [number, number, number] {
  const st = sliceIndex(step, 'step') ?? 1;
  if (st === 0) throw new StarlarkError('zero is not a valid slice step');
  let start = sliceIndex(lo, 'start');
  let stop = sliceIndex(hi, 'end');
  if (st > 0) {
    start = start === null ? 0 : start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
    stop = stop === null ? n : stop < 0 ? Math.max(stop + n, 0) : Math.min(stop, n);
  } else {
    start = start === null ? n - 1 : start < 0 ? Math.max(start + n, -1) : Math.min(start, n - 1);
    stop = stop === null ? -1 : stop < 0 ? Math.max(stop + n, -1) : Math.min(stop, n - 1);
  }
  return [start, stop, st];
}

function sliceArray<T>(a: ArrayLike<T>, start: number, stop: number, step: number): T[] {
  if (step === 1) return Array.prototype.slice.call(a, start, Math.max(start, stop)) as T[];
  const out: T[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(a[i]!);
  else for (let i = start; i > stop; i += step) out.push(a[i]!);
  return out;
}

/** x[lo:hi:step]; null means the bound was omitted. */
export function slice(x: Value, lo: Value | null, hi: Value | null, step: Value | null): Value {
  if (x instanceof StarBigRange) return x.slice(lo, hi, step);
  const n = length(x);
  if (n < 0) throw new StarlarkError(`invalid slice operand ${typeName(x)}`);
  const [start, stop, st] = sliceIndices(n, lo, hi, step);
  if (typeof x === 'string') {
    if (st === 1) return start < stop ? x.slice(start, stop) : '';
    return sliceArray(x, start, stop, st).join('');
  }
  if (x instanceof StarList) return new StarList(sliceArray(x.elems, start, stop, st));
  if (x instanceof StarTuple) return new StarTuple(sliceArray(x.elems, start, stop, st));
  if (x instanceof StarBytes) {
    if (st === 1) return new StarBytes(start < stop ? x.data.slice(start, stop) : '');
    return new StarBytes(sliceArray(x.data, start, stop, st).join(''));
  }
  if (x instanceof StarRange) {
    const len = Math.max(0, st > 0 ? Math.ceil((stop - start) / st) : Math.ceil((start - stop) / -st));
    const first = x.start + start * x.step;
    const nstep = x.step * st;
    return new StarRange(first, first + len * nstep, nstep);
  }
  throw new StarlarkError(`invalid slice operand ${typeName(x)}`);
}
