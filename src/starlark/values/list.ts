// Starlark list and tuple. Both expose their elements as a plain JS array
// (`elems`) so the evaluator can run index loops without an iterator object.
//
// Mutation safety, as in starlark-go: a list is mutable until frozen, and while
// any iteration is active (`itercount > 0`) every mutating operation fails
// ("cannot append to list during iteration"). Protocol for fast loops in
// compiled code:
//
//     list.itercount++;
//     try { for (let i = 0; i < list.elems.length; i++) body(list.elems[i]); }
//     finally { list.itercount--; }
//
// (`iterate()` does the same inside a generator-free iterator object.) A frozen
// list ignores the counter, since it can never change.

import { sliceCmp, sliceEqual } from './compare.js';
import { writeRepr } from './repr.js';
import { StarlarkError, type Indexable, type Iterable, type Ordered, type StarObject, type Value, type Equatable } from './value.js';
import { hashValue } from './hash.js';
import { alloc, work, HEADER, SLOT } from './meter.js';

export class StarList implements Indexable, Iterable, Ordered, Equatable {
  frozen = false;
  /** Number of active iterations; mutation is an error while > 0. */
  itercount = 0;
  /** Charged to the running thread's memory budget (see meter.ts): every list creation passes here. */
  constructor(public elems: Value[] = []) {
    alloc(HEADER + elems.length * SLOT);
  }

  get typeName(): string {
    return 'list';
  }
  get length(): number {
    return this.elems.length;
  }
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const v of this.elems) if (v !== null && typeof v === 'object') v.freeze();
  }
  truth(): boolean {
    return this.elems.length > 0;
  }
  hash(): number {
    throw new StarlarkError('unhashable type: list');
  }
  /** Throws unless the list may be mutated; verb completes "cannot <verb> list". */
  checkMutable(verb: string): void {
    if (this.frozen) throw new StarlarkError(`cannot ${verb} frozen list`);
    if (this.itercount > 0) throw new StarlarkError(`cannot ${verb} list during iteration`);
  }
  append(v: Value): void {
    if (this.frozen || this.itercount > 0) this.checkMutable('append to');
    const n = this.elems.push(v);
    if ((n & (n - 1)) === 0 && n >= 64) alloc(n * SLOT); // growth, as the backing store doubles
  }
  index(i: number): Value {
    return this.elems[i]!;
  }
  iterate(): Iterator<Value> {
    return new ArrayIterator(this.elems, this.frozen ? null : this);
  }
  repr(out: string[], seen: Set<StarObject>): void {
    if (seen.has(this)) {
      out.push('[...]');
      return;
    }
    seen.add(this);
    out.push('[');
    const e = this.elems;
    for (let i = 0; i < e.length; i++) {
      if (i > 0) out.push(', ');
      writeRepr(out, e[i]!, seen);
    }
    out.push(']');
    seen.delete(this);
  }
  equals(y: StarObject, depth: number): boolean {
    return sliceEqual(this.elems, (y as StarList).elems, depth);
  }
  cmp(y: StarObject, depth: number): number {
    return sliceCmp(this.elems, (y as StarList).elems, depth);
  }
}

/**
 * Iterator over an array that holds a list's iteration lock until exhausted.
 * Callers that stop early must call `return()` (for-of does this
 * automatically) so the lock is released.
 */
export class ArrayIterator implements Iterator<Value> {
  private i = 0;
  constructor(
    private readonly a: readonly Value[],
    private lock: StarList | null,
  ) {
    if (lock) lock.itercount++;
  }
  next(): IteratorResult<Value> {
    if (this.i < this.a.length) return { value: this.a[this.i++]!, done: false };
    this.release();
    return { value: undefined, done: true };
  }
  return(): IteratorResult<Value> {
    this.release();
    return { value: undefined, done: true };
  }
  private release(): void {
    if (this.lock) {
      this.lock.itercount--;
      this.lock = null;
    }
  }
  [Symbol.iterator](): Iterator<Value> {
    return this;
  }
}

export class StarTuple implements Indexable, Iterable, Ordered, Equatable {
  constructor(readonly elems: readonly Value[]) {
    alloc(HEADER + elems.length * SLOT);
  }
  /**
   * This tuple, charged as if created now: a tuple display of constants is
   * built once at compile time and each evaluation returns it (tuples are
   * immutable), paying the same memory budget as a fresh tuple.
   */
  again(): StarTuple {
    alloc(HEADER + this.elems.length * SLOT);
    return this;
  }
  get typeName(): string {
    return 'tuple';
  }
  get length(): number {
    return this.elems.length;
  }
  freeze(): void {
    for (const v of this.elems) if (v !== null && typeof v === 'object') v.freeze();
  }
  truth(): boolean {
    return this.elems.length > 0;
  }
  /** Cached hash (tuples are immutable; an unhashable element throws every time). */
  private h: number | undefined = undefined;
  hash(): number {
    if (this.h !== undefined) return this.h;
    // Same mixing as starlark-go's tuple hash: order-sensitive combination.
    work(this.elems.length);
    let x = 0x345678;
    let mult = 1000003;
    for (const e of this.elems) {
      const y = hashValue(e);
      x = Math.imul(x ^ y, mult) | 0;
      mult = (mult + 82520 + this.elems.length + this.elems.length) | 0;
    }
    return (this.h = x);
  }
  index(i: number): Value {
    return this.elems[i]!;
  }
  iterate(): Iterator<Value> {
    return new ArrayIterator(this.elems, null);
  }
  repr(out: string[], seen: Set<StarObject>): void {
    out.push('(');
    const e = this.elems;
    for (let i = 0; i < e.length; i++) {
      if (i > 0) out.push(', ');
      writeRepr(out, e[i]!, seen);
    }
    out.push(e.length === 1 ? ',)' : ')');
  }
  equals(y: StarObject, depth: number): boolean {
    return sliceEqual(this.elems, (y as StarTuple).elems, depth);
  }
  cmp(y: StarObject, depth: number): number {
    return sliceCmp(this.elems, (y as StarTuple).elems, depth);
  }
}

export const EMPTY_TUPLE = new StarTuple([]);
