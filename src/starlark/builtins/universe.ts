// The universe: Starlark's predeclared built-in functions (spec "Built-in
// functions"), plus `struct`. Behaviour and error wording follow starlark-go's
// library.go; argument matching goes through unpackArgs/checkPositional.
// The map is frozen-by-convention: hosts add their own names in a separate
// predeclared map rather than mutating this one.

import { StarBytes, fromUint8 } from '../values/bytes.js';
import { StarDict, StarSet } from '../values/dict.js';
import { StarFloat } from '../values/float.js';
import { StarList, StarTuple, EMPTY_TUPLE } from '../values/list.js';
import { SMALL_RANGE_BOUND, StarBigRange, StarRange, makeRange } from '../values/range.js';
import { StarStruct } from '../values/struct.js';
import { builtin, checkPositional, unpackArgs, wantInt, wantString, type Kwargs } from '../values/builtin.js';
import { normBig, parseIntString } from '../values/int.js';
import { sliceCmp } from '../values/compare.js';
import { cmp, isIterable, getAttr, hasAttr, attrNames, callValue, hashValue, length, repr, str, toArray, truth, typeName } from '../values/ops.js';
import { StarlarkError, type Callable, type Thread, type Value } from '../values/value.js';
import { work } from '../values/meter.js';
import { goSortError } from '../values/gosort.js';
import { keyOrder, sortInts } from './keysort.js';
import { decodeRune, encodeRune, fromBytes, runeCount, runeWidth } from '../values/utf8.js';
import { dictUpdate } from '../values/collection_methods.js';

/** The error raised by fail(); hosts can tell a deliberate failure from a bug. */
export class FailError extends StarlarkError {
  constructor(message: string) {
    super(message);
    this.name = 'FailError';
  }
}

function one(fn: string, args: Value[], kwargs: Kwargs): Value {
  checkPositional(fn, args, kwargs, 1, 1);
  return args[0]!;
}

function abs(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const x = one('abs', args, kwargs);
  if (typeof x === 'number') return Math.abs(x);
  if (typeof x === 'bigint') return x < 0n ? -x : x;
  if (x instanceof StarFloat) return new StarFloat(Math.abs(x.value));
  throw new StarlarkError(`abs: got ${typeName(x)}, want int or float`);
}

function anyAll(fn: 'any' | 'all') {
  return (_t: Thread, args: Value[], kwargs: Kwargs): Value => {
    const items = toArray(one(fn, args, kwargs), fn);
    for (const v of items) if (truth(v) === (fn === 'any')) return fn === 'any';
    return fn === 'all';
  };
}

function bytesFn(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const x = one('bytes', args, kwargs);
  if (typeof x === 'string') return new StarBytes(x); // a string is its UTF-8 bytes already
  if (x instanceof StarBytes) return x;
  if (typeof x === 'object' && x !== null && x.typeName !== 'dict') {
    const items = toArray(x, 'bytes');
    const a = new Uint8Array(items.length);
    items.forEach((v, i) => {
      if (typeof v !== 'number' || v < 0 || v > 255) {
        throw new StarlarkError(`bytes: at index ${i}, ${typeof v === 'number' ? `${v} out of range (want value in unsigned 8-bit range)` : `got ${typeName(v)}, want int`}`);
      }
      a[i] = v;
    });
    return new StarBytes(fromUint8(a));
  }
  throw new StarlarkError(`bytes: got ${typeName(x)}, want string, bytes, or iterable of ints`);
}

function chr(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const i = wantInt('chr', 1, one('chr', args, kwargs));
  if (i < 0) throw new StarlarkError(`chr: Unicode code point ${i} out of range (<0)`);
  if (i > 0x10ffff) throw new StarlarkError(`chr: Unicode code point U+${i.toString(16).toUpperCase()} out of range (>0x10FFFF)`);
  return encodeRune(i); // surrogates encode U+FFFD, as Go
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;

export function parseFloatString(s: string): number | null {
  const t = s.toLowerCase();
  const body = t.replace(/^[+-]/, '');
  const neg = t.startsWith('-');
  if (body === 'inf' || body === 'infinity') return neg ? -Infinity : Infinity;
  if (body === 'nan') return NaN;
  if (s.includes('_')) {
    // Go's ParseFloat: an underscore must separate two digits
    if (/(^|[^0-9])_|_($|[^0-9])/.test(s)) return null;
    s = s.replace(/_/g, '');
  }
  if (!FLOAT_RE.test(s)) return null;
  return parseFloat(s);
}

function floatFn(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  checkPositional('float', args, kwargs, 0, 1);
  if (args.length === 0) return new StarFloat(0);
  const x = args[0]!;
  if (x instanceof StarFloat) return x;
  if (typeof x === 'number') return new StarFloat(x);
  if (typeof x === 'bigint') {
    const f = Number(x);
    if (!Number.isFinite(f)) throw new StarlarkError('float: int too large to convert to float');
    return new StarFloat(f);
  }
  if (typeof x === 'boolean') return new StarFloat(x ? 1 : 0);
  if (typeof x === 'string') {
    // starlark-go's wording, prefix included or not
    if (x === '') throw new StarlarkError('float: empty string');
    const f = parseFloatString(x);
    if (f === null) throw new StarlarkError(`invalid float literal: ${x}`);
    if (!Number.isFinite(f) && !/inf|nan/i.test(x)) throw new StarlarkError('floating-point number too large');
    return new StarFloat(f);
  }
  throw new StarlarkError(`float: got ${typeName(x)}, want number or string`);
}

function intFn(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const [x, b] = unpackArgs('int', args, kwargs, ['x', 'base?']);
  if (b !== undefined) {
    const base = wantInt('int', 'base', b);
    if (typeof x !== 'string') throw new StarlarkError("int: can't convert non-string with explicit base");
    if (base !== 0 && (base < 2 || base > 36)) throw new StarlarkError('int: base must be an integer >= 2 && <= 36');
    const r = parseIntString(x, base);
    if (r === null) throw new StarlarkError(`int: invalid literal with base ${base}: ${x}`);
    return r;
  }
  if (typeof x === 'number' || typeof x === 'bigint') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (x instanceof StarFloat) {
    const f = x.value;
    if (Number.isNaN(f)) throw new StarlarkError('int: cannot convert float NaN to integer');
    if (!Number.isFinite(f)) throw new StarlarkError('int: cannot convert float infinity to integer');
    const t = Math.trunc(f) + 0;
    return Number.isSafeInteger(t) ? t : normBig(BigInt(t));
  }
  if (typeof x === 'string') {
    const r = parseIntString(x, 10);
    if (r === null) throw new StarlarkError(`int: invalid literal with base 10: ${x}`);
    return r;
  }
  throw new StarlarkError(`int: got ${typeName(x ?? null)}, want int, float, bool, or string`);
}

function lenFn(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const x = one('len', args, kwargs);
  const n = length(x);
  if (n < 0) throw new StarlarkError(`len: value of type ${typeName(x)} has no len`);
  return x instanceof StarBigRange ? normBig(x.len) : n;
}

/** The universe's len, known by identity to sorted(key=len). */
const lenBuiltin = builtin('len', lenFn);

function minMax(fn: 'min' | 'max') {
  return (thread: Thread, args: Value[], kwargs: Kwargs): Value => {
    let key: Value = null;
    let dflt: Value | undefined;
    if (kwargs !== null) {
      for (const [k, v] of kwargs) {
        if (k === 'key') key = v;
        else if (k === 'default') dflt = v;
        else throw new StarlarkError(`${fn}: unexpected keyword argument "${k}"`);
      }
    }
    if (args.length === 0) throw new StarlarkError(`${fn} requires at least one positional argument`);
    let items: Value[];
    if (args.length === 1) {
      if (!isIterable(args[0]!)) throw new StarlarkError(`${fn}: ${typeName(args[0]!)} value is not iterable`);
      items = toArray(args[0]!, fn);
    }
    else {
      if (dflt !== undefined) throw new StarlarkError(`${fn}: default argument is not allowed with more than one positional argument`);
      items = args;
    }
    if (items.length === 0) {
      if (dflt !== undefined) return dflt;
      throw new StarlarkError(`${fn}: argument is an empty sequence`);
    }
    let best = items[0]!;
    let bestKey = key === null ? best : callValue(thread, key, [best], null);
    for (let i = 1; i < items.length; i++) {
      const v = items[i]!;
      const k = key === null ? v : callValue(thread, key, [v], null);
      const c = cmp(k, bestKey);
      if (fn === 'max' ? c > 0 : c < 0) {
        best = v;
        bestKey = k;
      }
    }
    return best;
  };
}

function ord(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const x = one('ord', args, kwargs);
  if (typeof x === 'string') {
    const cp = x.length === 0 ? -1 : decodeRune(x, 0);
    if (x.length === 0 || runeWidth !== x.length) throw new StarlarkError(`ord: string encodes ${runeCount(x)} Unicode code points, want 1`);
    return cp < 0 ? 0xfffd : cp;
  }
  if (x instanceof StarBytes) {
    if (x.length !== 1) throw new StarlarkError(`ord: bytes has length ${x.length}, want 1`);
    return x.data.charCodeAt(0);
  }
  throw new StarlarkError(`ord: got ${typeName(x)}, want string or bytes`);
}

function sepKwarg(fn: string, kwargs: Kwargs): string {
  let sep = ' ';
  if (kwargs !== null) {
    for (const [k, v] of kwargs) {
      if (k !== 'sep') throw new StarlarkError(`${fn}: unexpected keyword argument "${k}"`);
      sep = wantString(fn, 'sep', v);
    }
  }
  return sep;
}

function printFn(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  const sep = sepKwarg('print', kwargs);
  // Strings and bytes print as their bytes, as starlark-go; hosts get Unicode text (values/utf8.ts).
  thread.print(thread, fromBytes(args.map((a) => (a instanceof StarBytes ? a.data : str(a))).join(sep)));
  return null;
}

function fail(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  const sep = sepKwarg('fail', kwargs);
  throw new FailError('fail: ' + args.map(str).join(sep));
}

/** A bound of range: any int64, as starlark-go (its parameters are Go ints, named by position). */
function rangeArg(pos: number, a: Value): bigint {
  if (typeof a === 'number') return BigInt(a);
  if (typeof a === 'bigint') {
    if (BigInt.asIntN(64, a) !== a) throw new StarlarkError(`range: for parameter ${pos}: ${String(a)} out of range (want value in signed 64-bit range)`);
    return a;
  }
  return BigInt(wantInt('range', pos, a));
}

function rangeFn(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  checkPositional('range', args, kwargs, 1, 3);
  const a0 = args[0]!;
  if (args.length === 1 && typeof a0 === 'number' && Math.abs(a0) <= SMALL_RANGE_BOUND) return new StarRange(0, a0, 1); // the common range(n)
  const start = args.length === 1 ? 0n : rangeArg(1, a0);
  const stop = args.length === 1 ? rangeArg(1, a0) : rangeArg(2, args[1]!);
  const step = args.length === 3 ? rangeArg(3, args[2]!) : 1n;
  if (step === 0n) throw new StarlarkError('range: step argument must not be zero');
  return makeRange(start, stop, step);
}

function sorted(thread: Thread, args: Value[], kwargs: Kwargs): Value {
  const [x, key, reverse] = unpackArgs('sorted', args, kwargs, ['iterable', 'key?', 'reverse?']);
  const items = toArray(x!, 'sorted');
  if (items.length > 1) work(items.length * Math.log2(items.length)); // comparisons
  // starlark-go: key must be callable and reverse a bool when given (None is not "absent")
  // (starlark-go quotes a parameter name given by keyword, not one given by position)
  const keyName = args.length >= 2 ? 'key' : '"key"';
  const revName = args.length >= 3 ? 'reverse' : '"reverse"';
  if (key !== undefined && typeof (key as { call?: unknown } | null)?.call !== 'function') throw new StarlarkError(`sorted: for parameter ${keyName}: got ${typeName(key)}, want callable`);
  if (reverse !== undefined && typeof reverse !== 'boolean') throw new StarlarkError(`sorted: for parameter ${revName}: got ${typeName(reverse)}, want bool`);
  const rev = reverse === true;
  // A comparison error is the one starlark-go's sort would report (gosort.ts; the error path only).
  const goError = (e: unknown, keys: () => readonly Value[]) => (e instanceof StarlarkError ? goSortError(keys(), rev) ?? e : e);
  if (key === undefined) {
    try {
      return new StarList(sortValues(items, rev));
    } catch (e) {
      throw goError(e, () => toArray(x!, 'sorted')); // items is partly sorted: the original order again
    }
  }
  const keys = keysOf(thread, key, items);
  const order = keyOrder(keys, rev);
  if (order !== null) return new StarList(permuted(items, order));
  const idx = items.map((_, i) => i);
  const c = comparatorFor(keys, false);
  try {
    idx.sort(rev ? (a, b) => c(keys[b]!, keys[a]!) : (a, b) => c(keys[a]!, keys[b]!));
  } catch (e) {
    throw goError(e, () => keys);
  }
  return new StarList(idx.map((i) => items[i]!));
}

function permuted(items: readonly Value[], order: Int32Array): Value[] {
  const out = new Array<Value>(items.length);
  for (let i = 0; i < out.length; i++) out[i] = items[order[i]!]!;
  return out;
}

/** key(v) for each item (a function's own fast call where it has one: the argument array is fresh). */
function keysOf(thread: Thread, key: Value, items: readonly Value[]): Value[] {
  const keys = new Array<Value>(items.length);
  const fn = key as Callable;
  if (key === lenBuiltin) {
    // len of a (byte) string is its JS length; anything else through len itself
    for (let i = 0; i < items.length; i++) {
      const v = items[i]!;
      keys[i] = typeof v === 'string' ? v.length : fn.call(thread, [v], null);
    }
  } else if (typeof fn.callOwned === 'function') {
    for (let i = 0; i < items.length; i++) keys[i] = fn.callOwned(thread, [items[i]!]);
  } else {
    for (let i = 0; i < items.length; i++) keys[i] = callValue(thread, key, [items[i]!], null);
  }
  return keys;
}

const anyDesc = (a: Value, b: Value): number => cmp(b, a);
const tupleAsc = (a: Value, b: Value): number => sliceCmp((a as StarTuple).elems, (b as StarTuple).elems, 1000);
const tupleDesc = (a: Value, b: Value): number => sliceCmp((b as StarTuple).elems, (a as StarTuple).elems, 1000);

/** The common type of all items ('number', 'string', 'tuple'), or null if mixed/other. */
function uniformKind(items: readonly Value[]): 'number' | 'string' | 'tuple' | null {
  if (items.length === 0) return null;
  const first = items[0];
  const kind = typeof first === 'number' ? 'number' : typeof first === 'string' ? 'string' : first instanceof StarTuple ? 'tuple' : null;
  if (kind === null) return null;
  for (let i = 1; i < items.length; i++) {
    const v = items[i];
    if (kind === 'tuple' ? !(v instanceof StarTuple) : typeof v !== kind) return null;
  }
  return kind;
}

/**
 * Values sorted stably, ascending or descending (reverse compares b to a, so
 * equal elements keep their order, as in starlark-go); items may be reused.
 * All-int and all-string inputs use the engine's native sorts (equal ints or
 * strings are indistinguishable, so stability cannot be observed); simple
 * tuples their comparator-free order (keysort.ts).
 */
function sortValues(items: Value[], reverse: boolean): Value[] {
  const kind = uniformKind(items);
  if (kind === 'number') {
    sortInts(items as number[], reverse);
    return items;
  }
  if (kind === 'string') {
    items.sort(); // native, no warm-up; the default order is by code units: for our byte strings, byte order, as `<`
    return reverse ? items.reverse() : items;
  }
  const order = keyOrder(items, reverse);
  if (order !== null) return permuted(items, order);
  return items.sort(comparatorFor(items, reverse));
}

/** A comparator for sort keys (sorted/min/max with key=), specialised like sortValues. */
function comparatorFor(items: readonly Value[], reverse: boolean): (a: Value, b: Value) => number {
  switch (uniformKind(items)) {
    case 'number':
      return reverse ? (a, b) => (b as number) - (a as number) : (a, b) => (a as number) - (b as number);
    case 'string':
      return reverse
        ? (a, b) => ((a as string) < (b as string) ? 1 : (a as string) > (b as string) ? -1 : 0)
        : (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
    case 'tuple':
      return reverse ? tupleDesc : tupleAsc;
    default:
      return reverse ? anyDesc : cmp;
  }
}

function zip(_t: Thread, args: Value[], kwargs: Kwargs): Value {
  checkPositional('zip', args, kwargs, 0, Infinity);
  const cols = args.map((a, i) => {
    if (!isIterable(a)) throw new StarlarkError(`zip: argument #${i + 1} is not iterable: ${typeName(a)}`);
    return toArray(a, 'zip');
  });
  const n = cols.length === 0 ? 0 : Math.min(...cols.map((c) => c.length));
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(new StarTuple(cols.map((c) => c[i]!)));
  return new StarList(out);
}

/**
 * Java's String.hashCode, which the spec (and starlark-go) use for hash(string),
 * over the decoded runes as starlark-go computes it: an invalid byte counts as
 * U+FFFD and, quirk included, a rune above U+FFFF as itself (not two UTF-16 units).
 */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; ) {
    let c = s.charCodeAt(i);
    if (c < 0x80) i++;
    else {
      c = decodeRune(s, i);
      if (c < 0) c = 0xfffd;
      i += runeWidth;
    }
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h;
}

export const universe = new Map<string, Value>([
  ['None', null],
  ['True', true],
  ['False', false],
  ['abs', builtin('abs', abs)],
  ['all', builtin('all', anyAll('all'))],
  ['any', builtin('any', anyAll('any'))],
  ['bool', builtin('bool', (_t, args, kwargs) => {
    checkPositional('bool', args, kwargs, 0, 1);
    return args.length === 0 ? false : truth(args[0]!);
  })],
  ['bytes', builtin('bytes', bytesFn)],
  ['chr', builtin('chr', chr)],
  ['dict', builtin('dict', (_t, args, kwargs) => {
    const d = new StarDict();
    dictUpdate('dict', d, args, kwargs);
    return d;
  })],
  ['dir', builtin('dir', (_t, args, kwargs) => new StarList(attrNames(one('dir', args, kwargs))))],
  ['enumerate', builtin('enumerate', (_t, args, kwargs) => {
    const [x, start] = unpackArgs('enumerate', args, kwargs, ['iterable', 'start?']);
    const s = start === undefined ? 0 : wantInt('enumerate', 'start', start);
    return new StarList(toArray(x!, 'enumerate').map((v, i) => new StarTuple([s + i, v])));
  })],
  ['fail', builtin('fail', fail)],
  ['float', builtin('float', floatFn)],
  ['getattr', builtin('getattr', (_t, args, kwargs) => {
    checkPositional('getattr', args, kwargs, 2, 3);
    const name = wantString('getattr', 'name', args[1]);
    if (args.length === 3 && !hasAttr(args[0]!, name)) return args[2]!;
    try {
      return getAttr(args[0]!, name);
    } catch (err) {
      if (err instanceof StarlarkError && !err.message.startsWith('getattr: ')) throw new StarlarkError(`getattr: ${err.message}`);
      throw err;
    }
  })],
  ['hasattr', builtin('hasattr', (_t, args, kwargs) => {
    checkPositional('hasattr', args, kwargs, 2, 2);
    return hasAttr(args[0]!, wantString('hasattr', 'name', args[1]));
  })],
  ['hash', builtin('hash', (_t, args, kwargs) => {
    const x = one('hash', args, kwargs);
    if (typeof x === 'string') {
      work(x.length >> 3);
      return javaStringHash(x);
    }
    if (x instanceof StarBytes) return hashValue(x);
    throw new StarlarkError(`hash: got ${typeName(x)}, want string or bytes`);
  })],
  ['int', builtin('int', intFn)],
  ['len', lenBuiltin],
  ['list', builtin('list', (_t, args, kwargs) => {
    checkPositional('list', args, kwargs, 0, 1);
    return new StarList(args.length === 0 ? [] : toArray(args[0]!, 'list'));
  })],
  ['max', builtin('max', minMax('max'))],
  ['min', builtin('min', minMax('min'))],
  ['ord', builtin('ord', ord)],
  ['print', builtin('print', printFn)],
  ['range', builtin('range', rangeFn)],
  ['repr', builtin('repr', (_t, args, kwargs) => repr(one('repr', args, kwargs)))],
  ['reversed', builtin('reversed', (_t, args, kwargs) => new StarList(toArray(one('reversed', args, kwargs), 'reversed').reverse()))],
  ['set', builtin('set', (_t, args, kwargs) => {
    checkPositional('set', args, kwargs, 0, 1);
    return StarSet.of(args.length === 0 ? [] : toArray(args[0]!, 'set'));
  })],
  ['sorted', builtin('sorted', sorted)],
  ['str', builtin('str', (_t, args, kwargs) => {
    const x = one('str', args, kwargs);
    if (x instanceof StarBytes) return x.decode();
    return str(x);
  })],
  ['tuple', builtin('tuple', (_t, args, kwargs) => {
    checkPositional('tuple', args, kwargs, 0, 1);
    if (args.length === 0) return EMPTY_TUPLE;
    const x = args[0]!;
    return x instanceof StarTuple ? x : new StarTuple(toArray(x, 'tuple'));
  })],
  ['type', builtin('type', (_t, args, kwargs) => typeName(one('type', args, kwargs)))],
  ['zip', builtin('zip', zip)],
  ['struct', builtin('struct', (_t, args, kwargs) => {
    if (args.length > 0) throw new StarlarkError(`struct: unexpected positional arguments`);
    return new StarStruct(kwargs ?? []);
  })],
]);

