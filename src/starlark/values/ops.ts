// The operations compiled Starlark code calls: operators, indexing, slicing,
// attributes, calls, iteration, truth, repr. This is the boundary between the
// evaluator (src/starlark/compile, eval.ts) and the value library.
//
// Key idea: each operation starts with the hot primitive cases inline
// (number/number, string/string) so V8 keeps the call sites monomorphic and
// nothing is allocated; boxed and mixed cases fall through to type switches.
// All failures throw StarlarkError with starlark-go's wording; the evaluator
// attaches positions.
//
// Iteration protocol: `iterate(x)` returns a JS Iterator. For a mutable list,
// dict or set it holds the container's iteration lock until the iterator is
// exhausted or its `return()` is called — call `it.return?.()` when leaving a
// loop early (for-of does this automatically). For index loops over a list the
// evaluator may instead do `list.itercount++ ... finally list.itercount--` and
// read `list.elems` directly (see list.ts).

import { StarBytes } from './bytes.js';
import { cmpDepth, compare as compareValues, equal, typeName } from './compare.js';
import { StarDict, StarSet, setDifference, setIntersection, setSymmetricDifference, setUnion } from './dict.js';
import { StarFloat, intToFloat } from './float.js';
import {
  intAdd, intAnd, intFloorDiv, intMod, intMul, intNeg, intNot, intOr, intShl, intShr, intSub, intXor, type Int,
} from './int.js';
import { ArrayIterator, StarList, StarTuple } from './list.js';
import { StarBigRange, StarRange } from './range.js';
import { repr, str } from './repr.js';
import { slice, sliceIndices } from './slice.js';
import { hashValue } from './hash.js';
import { StarBuiltin, type Kwargs } from './builtin.js';
import { percentFormat } from './format.js';
import { suggest } from './spell.js';
import { methodsOf } from './methods.js';
import { MAX_REPEAT, isIterable, iterate, length, toArray } from './iterable.js';
import { alloc, fits, work, SLOT } from './meter.js';
import {
  StarlarkError, type Callable, type HasAttrs, type HasBinary, type Indexable, type StarObject, type Thread, type Value,
} from './value.js';

export { equal, typeName, repr, str, hashValue, percentFormat, slice, sliceIndices, suggest };
export { isIterable, iterate, length, toArray };

export function truth(v: Value): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
    case 'bigint':
      return true; // normalised: a bigint is never zero
    default:
      return v === null ? false : v.truth();
  }
}

function isNum(v: Value): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof StarFloat;
}

function toF(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return intToFloat(v);
  return (v as StarFloat).value;
}

function floatMod(x: number, y: number): number {
  if (y === 0) throw new StarlarkError('floating-point modulo by zero');
  let r = x % y;
  if (r !== 0 && r < 0 !== y < 0) r += y;
  return r;
}

function unknownBinary(op: string, x: Value, y: Value): StarlarkError {
  return new StarlarkError(`unknown binary op: ${typeName(x)} ${op} ${typeName(y)}`);
}


/** The repeat count of x * count for x of len elements of `unit` bytes; charges the result before it is built. */
function repeatCount(count: Value, len: number, unit: number): number {
  const c = count as number | bigint; // callers pass ints only
  if (c <= 0) return 0;
  if (typeof c === 'bigint' || c > 0x7fffffff) throw new StarlarkError(`repeat count ${String(c)} too large`);
  if (c * len > MAX_REPEAT) throw new StarlarkError(`excessive repeat (${len} * ${c} elements)`);
  fits(c * len * unit);
  return c;
}

function repeatArray(a: readonly Value[], n: number): Value[] {
  const out: Value[] = [];
  for (let i = 0; i < n; i++) for (const v of a) out.push(v);
  return out;
}

/** Arithmetic on two numbers, int or float; null if either is not numeric. */
function numeric(op: string, x: Value, y: Value): Value | undefined {
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) {
    switch (op) {
      case '+': return intAdd(x, y);
      case '-': return intSub(x, y);
      case '*': return intMul(x, y);
      case '//': return intFloorDiv(x, y);
      case '%': return intMod(x, y);
      case '/': {
        if (y === 0 || y === 0n) throw new StarlarkError('floating-point division by zero');
        if (typeof x === 'number' && typeof y === 'number') return new StarFloat(x / y);
        return new StarFloat(bigDiv(x, y));
      }
      case '&': return intAnd(x, y);
      case '|': return intOr(x, y);
      case '^': return intXor(x, y);
      case '<<': return intShl(x, y);
      case '>>': return intShr(x, y);
    }
    return undefined;
  }
  if (!isNum(x) || !isNum(y)) return undefined;
  const a = toF(x);
  const b = toF(y);
  switch (op) {
    case '+': return new StarFloat(a + b);
    case '-': return new StarFloat(a - b);
    case '*': return new StarFloat(a * b);
    case '/':
      if (b === 0) throw new StarlarkError('floating-point division by zero');
      return new StarFloat(a / b);
    case '//':
      if (b === 0) throw new StarlarkError('floored division by zero');
      return new StarFloat(Math.floor(a / b));
    case '%':
      return new StarFloat(floatMod(a, b));
  }
  return undefined;
}

/** x / y for ints where at least one is a bigint: as starlark-go, each rounded to a double first. */
function bigDiv(x: Int, y: Int): number {
  const fx = Number(x);
  const fy = Number(y);
  if (!Number.isFinite(fx) || !Number.isFinite(fy)) throw new StarlarkError('int too large to convert to float');
  return fx / fy;
}

/** The binary operators: + - * / // % & | ^ << >> in, not in. */
export function binary(op: string, x: Value, y: Value): Value {
  // Hot paths first.
  if (typeof x === 'number' && typeof y === 'number') {
    switch (op) {
      case '+': {
        const r = x + y;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case '-': {
        const r = x - y;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
    }
    const r = numeric(op, x, y);
    if (r !== undefined) return r;
    throw unknownBinary(op, x, y);
  }
  if (typeof x === 'string' && typeof y === 'string') {
    if (op === '+') return concat(x, y);
    if (op === 'in' || op === 'not in') {
      work(y.length >> 3);
      return y.includes(x) === (op === 'in');
    }
    if (op === '%') return charged(percentFormat(x, y));
    throw unknownBinary(op, x, y);
  }
  switch (op) {
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
  }
  const r = numeric(op, x, y);
  if (r !== undefined) return r;
  switch (op) {
    case '+':
      if (x instanceof StarList && y instanceof StarList) return new StarList(x.elems.concat(y.elems));
      if (x instanceof StarTuple && y instanceof StarTuple) return new StarTuple(x.elems.concat(y.elems));
      if (x instanceof StarBytes && y instanceof StarBytes) {
        alloc(x.data.length + y.data.length);
        return new StarBytes(x.data + y.data);
      }
      break;
    case '*': {
      if (typeof x === 'number' || typeof x === 'bigint') {
        if (typeof y === 'string' || y instanceof StarList || y instanceof StarTuple || y instanceof StarBytes) {
          return binary('*', y, x);
        }
        break;
      }
      if (typeof y !== 'number' && typeof y !== 'bigint') break;
      if (typeof x === 'string') {
        const r = x.repeat(repeatCount(y, x.length, 1));
        alloc(r.length);
        return r;
      }
      if (x instanceof StarList) return new StarList(repeatArray(x.elems, repeatCount(y, x.elems.length, SLOT)));
      if (x instanceof StarTuple) return new StarTuple(repeatArray(x.elems, repeatCount(y, x.elems.length, SLOT)));
      if (x instanceof StarBytes) {
        const r = x.data.repeat(repeatCount(y, x.data.length, 1));
        alloc(r.length);
        return new StarBytes(r);
      }
      break;
    }
    case '%':
      if (typeof x === 'string') return charged(percentFormat(x, y));
      break;
    case '|':
      if (x instanceof StarDict && y instanceof StarDict) {
        const d = new StarDict();
        d.ht.addAll(x.ht);
        d.ht.addAll(y.ht);
        return d;
      }
      if (x instanceof StarSet && y instanceof StarSet) return setUnion(x, y);
      break;
    case '&':
      if (x instanceof StarSet && y instanceof StarSet) return setIntersection(x, y);
      break;
    case '^':
      if (x instanceof StarSet && y instanceof StarSet) return setSymmetricDifference(x, y);
      break;
    case '-':
      if (x instanceof StarSet && y instanceof StarSet) return setDifference(x, y);
      break;
  }
  if (typeof x === 'object' && x !== null && typeof (x as Partial<HasBinary>).binaryOp === 'function') {
    const v = (x as HasBinary).binaryOp(op, y, 'left');
    if (v !== undefined) return v;
  }
  if (typeof y === 'object' && y !== null && typeof (y as Partial<HasBinary>).binaryOp === 'function') {
    const v = (y as HasBinary).binaryOp(op, x, 'right');
    if (v !== undefined) return v;
  }
  throw unknownBinary(op, x, y);
}

/**
 * s + t for strings, charged to the memory budget. V8 builds a rope in O(1),
 * but each copy flattened later (hashing, a method) holds the full length,
 * so the full length is what counts.
 */
export function concat(x: string, y: string): string {
  const r = x + y;
  alloc(r.length);
  return r;
}

function charged(s: string): string {
  alloc(s.length);
  return s;
}

/** `x in container`. */
export function contains(container: Value, x: Value): boolean {
  if (typeof container === 'string') {
    if (typeof x !== 'string') throw new StarlarkError(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    work(container.length >> 3);
    return container.includes(x);
  }
  if (container instanceof StarDict) {
    // starlark-go ignores the lookup's error here (an unhashable key is simply not found).
    try {
      return container.ht.has(x);
    } catch (err) {
      if (err instanceof StarlarkError) return false;
      throw err;
    }
  }
  if (container instanceof StarList || container instanceof StarTuple) {
    const e = container.elems;
    work(e.length);
    for (let i = 0; i < e.length; i++) if (equal(e[i]!, x)) return true;
    return false;
  }
  if (container instanceof StarSet) return container.ht.has(x);
  if (container instanceof StarRange || container instanceof StarBigRange) {
    if (typeof x === 'number') return container.contains(x);
    // starlark-go's NumberToInt: a finite float is truncated toward zero
    if (x instanceof StarFloat && Number.isFinite(x.value)) return container.contains(Math.trunc(x.value) + 0);
    if (typeof x === 'bigint') return false;
    throw new StarlarkError(`'in <range>' requires integer as left operand, not ${typeName(x)}`);
  }
  if (container instanceof StarBytes) {
    if (typeof x === 'number') {
      if (x < 0 || x > 255) throw new StarlarkError(`int in bytes: ${x} out of range`);
      return container.data.includes(String.fromCharCode(x));
    }
    if (x instanceof StarBytes) return container.data.includes(x.data);
    throw new StarlarkError(`'in bytes' requires bytes or int as left operand, not ${typeName(x)}`);
  }
  throw new StarlarkError(`unknown binary op: ${typeName(x)} in ${typeName(container)}`);
}

/** The unary operators: - + ~ not. */
export function unary(op: string, x: Value): Value {
  switch (op) {
    case 'not':
      return !truth(x);
    case '-':
      if (typeof x === 'number' || typeof x === 'bigint') return intNeg(x);
      if (x instanceof StarFloat) return new StarFloat(-x.value);
      break;
    case '+':
      if (typeof x === 'number' || typeof x === 'bigint' || x instanceof StarFloat) return x;
      break;
    case '~':
      if (typeof x === 'number' || typeof x === 'bigint') return intNot(x);
      break;
  }
  throw new StarlarkError(`unknown unary op: ${op} ${typeName(x)}`);
}

/** The comparison operators == != < <= > >=. Sets compare by inclusion. */
export function compare(op: string, x: Value, y: Value): boolean {
  if (typeof x === 'number' && typeof y === 'number') {
    switch (op) {
      case '==': return x === y;
      case '!=': return x !== y;
      case '<': return x < y;
      case '<=': return x <= y;
      case '>': return x > y;
      case '>=': return x >= y;
    }
  }
  if (x instanceof StarSet && y instanceof StarSet && op !== '==' && op !== '!=') {
    switch (op) {
      case '<=': return x.isSubsetOf(y);
      case '>=': return y.isSubsetOf(x);
      case '<': return x.size < y.size && x.isSubsetOf(y);
      case '>': return y.size < x.size && y.isSubsetOf(x);
    }
  }
  return compareValues(op, x, y);
}

/** Three-way comparison used by sorted/min/max. */
export function cmp(x: Value, y: Value): number {
  return cmpDepth(x, y, 1000);
}

function outOfRange(i: number | bigint, n: number, x: Value): StarlarkError {
  if (n === 0) return new StarlarkError(`index ${i} out of range: empty ${typeName(x)}`);
  return new StarlarkError(`${typeName(x)} index ${i} out of range [${-n}:${n - 1}]`);
}

function asIndex(x: Value, i: Value, n: number): number {
  if (typeof i !== 'number' || i < -0x80000000 || i > 0x7fffffff) {
    // starlark-go takes the index as an int32 (AsInt32)
    if (typeof i === 'bigint' || typeof i === 'number') throw new StarlarkError(`${typeName(x)} index: ${i} out of range`);
    throw new StarlarkError(`${typeName(x)} index: got ${typeName(i)}, want int`);
  }
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw outOfRange(i, n, x);
  return j;
}

/** x[i]. */
export function getIndex(x: Value, i: Value): Value {
  if (x instanceof StarList) {
    const e = x.elems;
    if (typeof i === 'number' && i >= 0 && i < e.length) return e[i]!;
    return e[asIndex(x, i, e.length)]!;
  }
  if (x instanceof StarDict) {
    const v = x.ht.get(i);
    if (v === undefined) throw new StarlarkError(`key ${repr(i)} not in dict`);
    return v;
  }
  if (typeof x === 'string') return x[asIndex(x, i, x.length)]!;
  if (x instanceof StarTuple) return x.elems[asIndex(x, i, x.elems.length)]!;
  if (x instanceof StarBigRange) return x.at(i);
  if (typeof x === 'object' && x !== null && typeof (x as Partial<Indexable>).index === 'function') {
    const ix = x as Indexable;
    return ix.index(asIndex(x, i, ix.length));
  }
  throw new StarlarkError(`unhandled index operation ${typeName(x)}[${typeName(i)}]`);
}

/** x[i] = v. */
export function setIndex(x: Value, i: Value, v: Value): void {
  if (x instanceof StarList) {
    x.checkMutable('assign to element of');
    x.elems[asIndex(x, i, x.elems.length)] = v;
    return;
  }
  if (x instanceof StarDict) {
    x.ht.set(i, v);
    return;
  }
  throw new StarlarkError(`${typeName(x)} value does not support item assignment`);
}

/** x.name: methods of built-in types (bound to x), struct fields, module members. */
export function getAttr(x: Value, name: string): Value {
  const methods = methodsOf(x);
  if (methods !== null) {
    const m = methods.get(name);
    if (m !== undefined) return new StarBuiltin(name, m, x);
  }
  if (typeof x === 'object' && x !== null && typeof (x as Partial<HasAttrs>).attr === 'function') {
    const v = (x as HasAttrs).attr(name);
    if (v !== undefined) return v;
    if (x.typeName === 'struct') throw new StarlarkError(`struct has no .${name} attribute${suggest(name, attrNames(x))}`);
  }
  throw new StarlarkError(`${typeName(x)} has no .${name} field or method${suggest(name, attrNames(x))}`);
}

/** hasattr(x, name) without building a bound method. */
export function hasAttr(x: Value, name: string): boolean {
  const methods = methodsOf(x);
  if (methods !== null && methods.has(name)) return true;
  if (typeof x === 'object' && x !== null && typeof (x as Partial<HasAttrs>).attr === 'function') {
    return (x as HasAttrs).attr(name) !== undefined;
  }
  return false;
}

/** dir(x): attribute and method names, sorted. */
export function attrNames(x: Value): string[] {
  const names: string[] = [];
  const methods = methodsOf(x);
  if (methods !== null) names.push(...methods.keys());
  if (typeof x === 'object' && x !== null && typeof (x as Partial<HasAttrs>).attrNames === 'function') {
    names.push(...(x as HasAttrs).attrNames());
  }
  return names.sort();
}

/** Values that allow `x.name = v` implement this. */
export interface HasSetField extends StarObject {
  setField(name: string, v: Value): void;
}

/** x.name = v. */
export function setField(x: Value, name: string, v: Value): void {
  if (typeof x === 'object' && x !== null && typeof (x as Partial<HasSetField>).setField === 'function') {
    (x as HasSetField).setField(name, v);
    return;
  }
  throw new StarlarkError(`can't assign to .${name} field of ${typeName(x)}`);
}

/** Calls fn; kwargs are [name, value] pairs or null. */
export function callValue(thread: Thread, fn: Value, args: Value[], kwargs: Kwargs): Value {
  if (typeof fn === 'object' && fn !== null && typeof (fn as Partial<Callable>).call === 'function') {
    return (fn as Callable).call(thread, args, kwargs);
  }
  throw new StarlarkError(`invalid call of non-function (${typeName(fn)})`);
}

/**
 * x.name(args...) without allocating a bound method for built-in types; falls
 * back to getAttr + call for everything else.
 */
export function callMethod(thread: Thread, x: Value, name: string, args: Value[], kwargs: Kwargs): Value {
  const methods = methodsOf(x);
  if (methods !== null) {
    const m = methods.get(name);
    if (m !== undefined) return m(thread, args, kwargs, x);
  }
  return callValue(thread, getAttr(x, name), args, kwargs);
}

export { StarList, ArrayIterator };
