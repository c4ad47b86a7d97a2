// range(start, stop, step): a lazy arithmetic sequence. Length, indexing,
// slicing (which yields another range), membership and equality are O(1);
// iteration produces ints on demand without materialising a list.
//
// As starlark-go, the bounds are any int64 (Go's int) and the arithmetic on
// them wraps as Go's does; indices, slice bounds and membership tests take
// only int32 values (starlark-go's AsInt32). StarRange, with JS-number fields
// the compiled for-loop reads directly, holds every range whose bounds stay
// within ±2^52 (so their differences are exact); StarBigRange, with bigint
// fields, the rest.

import { normBig } from './int.js';
import { StarlarkError, type Equatable, type Indexable, type Iterable, type StarObject, type Value } from './value.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Bounds up to this magnitude make a StarRange. */
export const SMALL_RANGE_BOUND = 2 ** 52;

/** starlark-go's AsInt32: the int as a number, or null when not in the signed 32-bit range. */
export function asInt32(v: Value): number | null {
  return typeof v === 'number' && v >= INT32_MIN && v <= INT32_MAX ? v : null;
}

export class StarRange implements Indexable, Iterable, Equatable {
  readonly length: number;
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    this.length = rangeLen(start, stop, step);
  }
  get typeName(): string {
    return 'range';
  }
  freeze(): void {}
  truth(): boolean {
    return this.length > 0;
  }
  hash(): number {
    throw new StarlarkError('unhashable: range');
  }
  index(i: number): Value {
    return this.start + i * this.step;
  }
  contains(x: number): boolean {
    if (x < INT32_MIN || x > INT32_MAX) return false; // starlark-go: AsInt32 fails, so not in the range
    if (this.step > 0 ? x < this.start || x >= this.stop : x > this.start || x <= this.stop) return false;
    return (x - this.start) % this.step === 0;
  }
  iterate(): Iterator<Value> {
    let cur = this.start;
    let remaining = this.length;
    const step = this.step;
    return {
      next(): IteratorResult<Value> {
        if (remaining <= 0) return { value: undefined, done: true };
        remaining--;
        const v = cur;
        cur += step;
        return { value: v, done: false };
      },
    };
  }
  repr(out: string[]): void {
    if (this.step !== 1) out.push(`range(${this.start}, ${this.stop}, ${this.step})`);
    else if (this.start !== 0) out.push(`range(${this.start}, ${this.stop})`);
    else out.push(`range(${this.stop})`);
  }
  equals(y: StarObject): boolean {
    if (y instanceof StarBigRange) return y.equals(this);
    const o = y as StarRange;
    if (this.length !== o.length) return false;
    if (this.length === 0) return true;
    if (this.start !== o.start) return false;
    return this.length === 1 || this.step === o.step;
  }
}

export function rangeLen(start: number, stop: number, step: number): number {
  if (step > 0) return start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0;
  return start > stop ? Math.floor((start - stop - 1) / -step) + 1 : 0;
}

const i64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** Go's rangeLen on int64s, overflow included (a wrapped negative length means "has no len"). */
function bigRangeLen(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return stop > start ? i64(i64(i64(stop - 1n) - start) / step + 1n) : 0n;
  return start > stop ? i64(i64(i64(start - 1n) - stop) / -step + 1n) : 0n;
}

/** A range with a bound beyond ±2^52: bigint fields, int64 arithmetic as starlark-go. */
export class StarBigRange implements Indexable, Iterable, Equatable {
  readonly len: bigint;
  /** For generic code (toArray's size check, len's "has no len"): -1 when the wrapped length is negative. */
  readonly length: number;
  constructor(
    readonly start: bigint,
    readonly stop: bigint,
    readonly step: bigint,
  ) {
    this.len = bigRangeLen(start, stop, step);
    this.length = this.len < 0n ? -1 : Number(this.len);
  }
  get typeName(): string {
    return 'range';
  }
  freeze(): void {}
  truth(): boolean {
    return this.len > 0n;
  }
  hash(): number {
    throw new StarlarkError('unhashable: range');
  }
  /** i is a valid (normalised) index. */
  index(i: number): Value {
    return normBig(i64(this.start + BigInt(i) * this.step));
  }
  /** x[i]: starlark-go takes an int32 index, negative ones counted from the (int64) end. */
  at(i: Value): Value {
    const j = asInt32(i);
    if (j === null) {
      if (typeof i === 'number' || typeof i === 'bigint') throw new StarlarkError(`range index: ${i} out of range`);
      throw new StarlarkError(`range index: got ${i === null ? 'NoneType' : typeof i === 'object' ? i.typeName : typeof i}, want int`);
    }
    const k = j < 0 ? BigInt(j) + this.len : BigInt(j);
    if (k < 0n || k >= this.len) {
      throw new StarlarkError(this.len === 0n ? `index ${j} out of range: empty range` : `range index ${j} out of range [${-this.len}:${this.len - 1n}]`);
    }
    return normBig(i64(this.start + k * this.step));
  }
  contains(x: number | bigint): boolean {
    if (typeof x !== 'number' || x < INT32_MIN || x > INT32_MAX) return false;
    const delta = i64(BigInt(x) - this.start);
    return delta % this.step === 0n && delta / this.step >= 0n && delta / this.step < this.len;
  }
  /** x[lo:hi:st] with starlark-go's int32 bounds and int64 arithmetic. */
  slice(lo: Value | null, hi: Value | null, st: Value | null): StarObject {
    const bound = (v: Value | null, what: string): bigint | null => {
      if (v === null) return null;
      const j = asInt32(v);
      if (j === null) throw new StarlarkError(typeof v === 'number' || typeof v === 'bigint' ? `invalid ${what}: ${v} out of range` : `invalid ${what}: got ${typeof v === 'object' ? v.typeName : typeof v}, want int`);
      return BigInt(j);
    };
    const step = bound(st, 'slice step') ?? 1n;
    if (step === 0n) throw new StarlarkError('zero is not a valid slice step');
    const n = this.len;
    const rel = (v: bigint | null, dflt: bigint): bigint => (v === null ? dflt : v < 0n ? v + n : v);
    let start: bigint;
    let end: bigint;
    if (step > 0n) {
      start = rel(bound(lo, 'start index'), 0n);
      start = start < 0n ? 0n : start > n ? n : start;
      end = rel(bound(hi, 'end index'), n);
      end = end < 0n ? 0n : end > n ? n : end;
      if (end < start) end = start;
    } else {
      start = rel(bound(lo, 'start index'), n - 1n);
      if (start >= n) start = n - 1n;
      end = rel(bound(hi, 'end index'), -1n);
      if (end < -1n) end = -1n;
      if (start < end) start = end;
    }
    return makeRange(i64(this.start + i64(this.step * start)), i64(this.start + i64(this.step * end)), i64(this.step * step));
  }
  iterate(): Iterator<Value> {
    let i = 0n;
    const r = this;
    return {
      next(): IteratorResult<Value> {
        if (i >= r.len) return { value: undefined, done: true };
        const v = normBig(i64(r.start + i * r.step));
        i++;
        return { value: v, done: false };
      },
    };
  }
  repr(out: string[]): void {
    if (this.step !== 1n) out.push(`range(${this.start}, ${this.stop}, ${this.step})`);
    else if (this.start !== 0n) out.push(`range(${this.start}, ${this.stop})`);
    else out.push(`range(${this.stop})`);
  }
  /** starlark-go's rangeEqual: the same sequence. y is either kind of range. */
  equals(y: StarObject): boolean {
    const o = y instanceof StarBigRange ? y : new StarBigRange(BigInt((y as StarRange).start), BigInt((y as StarRange).stop), BigInt((y as StarRange).step));
    if (this.len !== o.len) return false;
    if (this.len === 0n) return true;
    if (this.start !== o.start) return false;
    return this.len === 1n || this.step === o.step;
  }
}

/** range(start, stop, step) of int64 bounds (step != 0): a StarRange when the bounds are small. */
export function makeRange(start: bigint, stop: bigint, step: bigint): StarRange | StarBigRange {
  const small = (x: bigint) => x >= -BigInt(SMALL_RANGE_BOUND) && x <= BigInt(SMALL_RANGE_BOUND);
  if (small(start) && small(stop) && small(step)) return new StarRange(Number(start), Number(stop), Number(step));
  return new StarBigRange(start, stop, step);
}
