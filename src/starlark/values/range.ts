// range(start, stop, step): a lazy arithmetic sequence. Length, indexing,
// slicing (which yields another range), membership and equality are O(1);
// iteration produces ints on demand without materialising a list.

import { StarlarkError, type Equatable, type Indexable, type Iterable, type StarObject, type Value } from './value.js';

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
