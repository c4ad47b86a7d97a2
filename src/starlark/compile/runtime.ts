// Helpers that generated code (codegen.ts) calls for everything that is not
// worth inlining: slow paths of operators, calls, iteration set-up, unpacking,
// load(), and turning whatever was thrown into an EvalError with this frame.
//
// Error protocol for generated functions: each keeps `$p`, the index of the
// site (position) it is executing, and has one try/catch around its body that
// calls `rethrow`. Anything thrown inside — an operator's StarlarkError, a
// callee's EvalError, an argument-binding error — gets exactly one frame for
// this function at `sites[$p]`. Errors raised inside builtins are wrapped here
// (callBuiltin) with a builtin frame first, so tracebacks read like
// starlark-go's: "... in f / Error in len: ...".

import { StarlarkError, type Thread, type Value } from '../values/value.js';
import { StarList, StarTuple } from '../values/list.js';
import { StarDict, StarSet } from '../values/dict.js';
import { StarRange, rangeLen } from '../values/range.js';
import type { BuiltinFn, Kwargs } from '../values/builtin.js';
import { methodsOf } from '../values/methods.js';
import { dictItems } from '../values/collection_methods.js';
import { universe } from '../builtins/universe.js';
import * as ops from '../values/ops.js';
import * as meter from '../values/meter.js';
import { nearest } from '../values/spell.js';
import { toBytes } from '../values/utf8.js';
import * as sc from './string_calls.js';
import { EvalError, type CallFrame } from './errors.js';
import { Cell, type LoadFn } from './frame.js';
import { StarFunction, type FuncCode } from './function.js';

const MAX = Number.MAX_SAFE_INTEGER;

export interface SiteInfo {
  line: number;
  col: number;
}

export interface FnInfo {
  name: string;
  file: string;
}

function frameOf(fn: FnInfo, s: SiteInfo | undefined): CallFrame {
  return { name: fn.name, file: fn.file, line: s ? s.line : 0, col: s ? s.col : 0 };
}

/** An error escaping a comprehension's arrow function, with the site it failed at. */
class Sited {
  constructor(readonly e: unknown, readonly p: number) {}
}

/** Wraps an error leaving a comprehension (the innermost comprehension's site wins). */
export function sited(e: unknown, p: number): Sited {
  return e instanceof Sited ? e : new Sited(e, p);
}

/** Converts anything thrown in a generated function into an EvalError with this function's frame. */
export function rethrow(e: unknown, fn: FnInfo, sites: SiteInfo[], p: number): EvalError {
  if (e instanceof Sited) {
    p = e.p;
    e = e.e;
  }
  const frame = frameOf(fn, sites[p]);
  if (e instanceof EvalError) {
    e.frames.push(frame);
    return e;
  }
  if (e instanceof StarlarkError) return new EvalError(e.message, [frame], e);
  if (e instanceof RangeError && e.message.includes('call stack')) return new EvalError('call stack depth exceeded', [frame], e);
  const msg = e instanceof Error ? e.message : String(e);
  return new EvalError(`internal error: ${msg}`, [frame], e);
}

/** Errors escaping a builtin get the builtin's frame (innermost for its own errors). */
export function builtinError(e: unknown, name: string): unknown {
  const frame: CallFrame = { name, file: null, line: 0, col: 0 };
  if (e instanceof EvalError) {
    e.frames.push(frame);
    return e;
  }
  if (e instanceof StarlarkError) return new EvalError(e.message, [frame], e);
  if (e instanceof RangeError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new EvalError(`internal error: ${msg}`, [frame], e);
}

/**
 * The engine's internalized copy of a string. Constants of the program (string
 * literals, attribute and keyword names) are interned when compiled, so dict
 * keys written as literals and lookups with literals compare by pointer; two
 * different internalized strings are unequal at once.
 */
export function intern(s: string): string {
  const o: Record<string, number> = {};
  o[s] = 0;
  for (const k in o) return k;
  return s;
}

export function truthy(v: Value): boolean {
  if (v === true) return true;
  if (v === false || v === null) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof StarList) return v.elems.length > 0;
  if (v instanceof StarDict) return v.size > 0;
  return ops.truth(v);
}

/** starlark-go's message for a load of a name the module lacks, with its spelling hint. */
export function loadNameNotFound(name: string, module: string, mod: ReadonlyMap<string, unknown>): string {
  const hint = nearest(name, mod.keys());
  // name and hint are identifiers (byte strings); the module is a file name (text)
  return `load: name ${name} not found in module ${toBytes(module)}${hint === '' ? '' : ` (did you mean ${hint}?)`}`;
}

export function unboundLocal(name: string): never {
  throw new StarlarkError(`local variable ${name} referenced before assignment`);
}
export function unboundGlobal(name: string): never {
  throw new StarlarkError(`global variable ${name} referenced before assignment`);
}
export function undefinedName(name: string): never {
  throw new StarlarkError(`undefined: ${name}`);
}
export function tooManySteps(): never {
  throw new StarlarkError('Starlark computation cancelled: too many steps');
}

export function eq(a: Value, b: Value): boolean {
  if (typeof a !== 'object' && typeof a === typeof b) return a === b;
  return ops.equal(a, b);
}

export function getIndex(o: Value, k: Value): Value {
  if (o instanceof StarList) {
    if (typeof k === 'number') {
      const el = o.elems;
      const j = k < 0 ? k + el.length : k;
      if (j >= 0 && j < el.length) return el[j];
    }
  } else if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number')) {
    const v = o.getStr(k);
    if (v !== undefined) return v;
  }
  return ops.getIndex(o, k);
}

export function setIndex(o: Value, k: Value, v: Value): void {
  if (o instanceof StarList) {
    if (typeof k === 'number' && !o.frozen && o.itercount === 0) {
      const el = o.elems;
      const j = k < 0 ? k + el.length : k;
      if (j >= 0 && j < el.length) {
        el[j] = v;
        return;
      }
    }
  } else if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number')) {
    o.setStr(k, v);
    return;
  }
  ops.setIndex(o, k, v);
}

export function contains(container: Value, x: Value): boolean {
  if (container instanceof StarDict && (typeof x === 'string' || typeof x === 'number')) return container.getStr(x) !== undefined;
  return ops.contains(container, x);
}

/**
 * One entry of a dict display, added as soon as it is evaluated (starlark-go: MAKEDICT, then SETDICT
 * per entry), so a repeated key is reported before later entries run; positioned at the entry's site.
 */
export function dictEntry(d: StarDict, k: Value, v: Value): void {
  if (!d.setNew(k, v)) throw new StarlarkError(`duplicate key: ${ops.repr(k)}`);
}

/** x op= y: lists extend in place for +=, dicts and sets update in place for |=. */
export function inplace(op: string, x: Value, y: Value): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    if (op === '+') {
      const r = x + y;
      if (r <= MAX && r >= -MAX) return r;
    } else if (op === '-') {
      const r = x - y;
      if (r <= MAX && r >= -MAX) return r;
    }
  } else if (op === '+' && x instanceof StarList && (y instanceof StarList || y instanceof StarTuple || ops.isIterable(y))) {
    x.checkMutable('apply += to');
    if (y instanceof StarList || y instanceof StarTuple) {
      const src = y.elems;
      const n = src.length;
      meter.alloc(n * meter.SLOT);
      for (let i = 0; i < n; i++) x.elems.push(src[i]);
    } else {
      iterateInto(y, x.elems);
    }
    return x;
  } else if (op === '|' && x instanceof StarDict && y instanceof StarDict) {
    for (const [k, v] of y.entries()) x.set(k, v);
    return x;
  } else if (op === '|' && x instanceof StarSet && y instanceof StarSet) {
    for (const k of y.elems()) x.add(k);
    return x;
  }
  return ops.binary(op, x, y);
}

/** The n elements of v for a tuple assignment. */
export function unpack(v: Value, n: number): readonly Value[] {
  let el: readonly Value[];
  if (v instanceof StarTuple || v instanceof StarList) {
    el = v.elems;
  } else if (ops.isIterable(v)) {
    const arr: Value[] = [];
    iterateInto(v, arr);
    el = arr;
  } else {
    throw new StarlarkError(`got ${ops.typeName(v)} in sequence assignment`);
  }
  if (el.length > n) throw new StarlarkError(`too many values to unpack (got ${el.length}, want ${n})`);
  if (el.length < n) throw new StarlarkError(`too few values to unpack (got ${el.length}, want ${n})`);
  return el;
}

// ---- iteration ----
// A for loop asks for the elements as an array (lists and tuples share theirs;
// dicts and sets give a key snapshot) and holds the container's iteration lock
// until `unlock`, so the body cannot mutate what it iterates. Ranges are
// iterated arithmetically by the generated code without an array.

export function iterArray(x: Value): readonly Value[] {
  if (x instanceof StarList) {
    if (!x.frozen) x.itercount++;
    return x.elems;
  }
  if (x instanceof StarTuple) return x.elems;
  if (x instanceof StarDict) {
    x.ht.itercount++;
    return x.keys();
  }
  if (x instanceof StarSet) {
    x.ht.itercount++;
    return x.elems();
  }
  const out: Value[] = [];
  iterateInto(x, out);
  return out;
}

/**
 * A small dict's live storage [k0, v0, k1, v1, ...] to iterate keys with
 * stride 2, its iteration lock taken (released by unlock); null when the dict
 * has no such storage (iterArray then gives a key snapshot).
 */
export function liveKeys(d: StarDict): readonly Value[] | null {
  const kv = d.plainSmallKV();
  if (kv !== null) d.itercount++;
  return kv;
}

/** d.items() for a loop: a flat snapshot [k0, v0, k1, v1, ...] (no lock: the loop iterates a copy, as over the list). */
export function itemsFlat(d: StarDict): Value[] {
  const out = d.flatEntries();
  meter.alloc(meter.HEADER + out.length * meter.SLOT);
  return out;
}

/** Releases the lock taken by iterArray (wasFrozen: the list's frozen flag before iterArray). */
export function unlock(x: Value, wasFrozen: boolean): void {
  if (x instanceof StarList) {
    if (!wasFrozen) x.itercount--;
  } else if (x instanceof StarDict || x instanceof StarSet) {
    x.ht.itercount--;
  }
}

export function isFrozenList(x: Value): boolean {
  return x instanceof StarList && x.frozen;
}

/** Appends every element of iterable v to out (throws StarlarkError if not iterable). */
export function iterateInto(v: Value, out: Value[]): void {
  const it = ops.iterate(v);
  try {
    for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  } finally {
    it.return?.();
  }
}

// ---- calls ----

function isCallable(f: Value): f is Value & { call(thread: Thread, args: Value[], kwargs: Kwargs): Value; name: string } {
  return typeof f === 'object' && f !== null && typeof (f as { call?: unknown }).call === 'function';
}

/** Calls f with an argument array the caller owns. */
export function call(t: Thread, f: Value, args: Value[], kwargs: Kwargs): Value {
  if (f instanceof StarFunction) return kwargs === null ? f.callOwned(t, args) : f.call(t, args, kwargs);
  if (isCallable(f)) {
    try {
      return f.call(t, args, kwargs);
    } catch (e) {
      throw builtinError(e, f.name);
    }
  }
  throw new StarlarkError(`invalid call of non-function (${ops.typeName(f)})`);
}

/**
 * Calls f with positional arguments then the values of keywords `names` (a
 * constant of the call site) in one array the caller owns: a Starlark
 * function binds them without [name, value] pairs; anything else gets pairs.
 */
export function callNamed(t: Thread, f: Value, args: Value[], names: readonly string[]): Value {
  if (f instanceof StarFunction) return f.callNamed(t, args, names);
  const n = args.length - names.length;
  const kwargs: Array<[string, Value]> = [];
  for (let k = 0; k < names.length; k++) kwargs.push([names[k]!, args[n + k]!]);
  args.length = n;
  return call(t, f, args, kwargs);
}

/** Per-site inline cache for method calls: the method table and implementation seen last. */
export interface MethodCache {
  table: Map<string, BuiltinFn> | null;
  fn: BuiltinFn | undefined;
}

/** x.name(args) without a bound-method allocation for built-in types. */
export function callMethod(t: Thread, o: Value, name: string, args: Value[], kwargs: Kwargs, cache: MethodCache): Value {
  const table = methodsOf(o);
  if (table !== null) {
    let m = table === cache.table ? cache.fn : undefined;
    if (m === undefined) {
      m = table.get(name);
      if (m !== undefined) {
        cache.table = table;
        cache.fn = m;
      }
    }
    if (m !== undefined) {
      try {
        return m(t, args, kwargs, o);
      } catch (e) {
        throw builtinError(e, name);
      }
    }
  }
  return call(t, ops.getAttr(o, name), args, kwargs);
}

// ---- fast calls ----
// Calls that generated code makes without an argument array: the universe's
// len/type/str, and the list and dict methods reconcilers call most. Each
// handles the common receiver and argument types and otherwise takes the
// general path (with its argument checks and error messages) unchanged.

/** The universe's builtins the code generator calls directly (identity, so a host's own `len` is not taken for ours). */
export const LEN = universe.get('len')!;
export const TYPE = universe.get('type')!;
export const STR = universe.get('str')!;
export const RANGE = universe.get('range')!;

/** range(stop) and range(start, stop) of ints. */
export function range1(t: Thread, stop: Value): Value {
  return typeof stop === 'number' ? new StarRange(0, stop, 1) : call(t, RANGE, [stop], null);
}
export function range2(t: Thread, start: Value, stop: Value): Value {
  return typeof start === 'number' && typeof stop === 'number' ? new StarRange(start, stop, 1) : call(t, RANGE, [start, stop], null);
}

export function len(t: Thread, x: Value): Value {
  if (x instanceof StarList || x instanceof StarTuple) return x.elems.length;
  if (x instanceof StarDict) return x.size;
  return call(t, LEN, [x], null);
}

export function str(t: Thread, x: Value): Value {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  return call(t, STR, [x], null);
}

/** The result of a `%` format specialised at compile time (codegen_format.ts), charged as ops.binary charges it. */
/** The memory charge of an n-element tuple display the fast path leaves unbuilt (codegen_format.ts: `"…" % (a, b)`). */
export function tupleCharge(n: number): void {
  meter.alloc(meter.HEADER + n * meter.SLOT);
}

export function charged(s: string): string {
  meter.alloc(s.length);
  return s;
}

/**
 * x0 + x1 + ... of strs, as one flat string; charged per intermediate result, as the `+` steps are
 * (ops.concat). Null, charging nothing, when a charge would run out of budget: the caller then runs
 * the `+` steps one by one, so the error names the `+` it happens at.
 */
export function concatN(xs: string[]): string | null {
  let n = xs[0]!.length, bytes = 0, steps = 0;
  for (let i = 1; i < xs.length; i++) {
    bytes += n += xs[i]!.length;
    if (n >= 128) steps += Math.floor(n / 128);
  }
  if (!meter.wouldFit(bytes, steps)) return null;
  n = xs[0]!.length;
  for (let i = 1; i < xs.length; i++) meter.alloc((n += xs[i]!.length));
  return xs.join('');
}

/** The result r of a `fmt.format(...)` specialised at compile time, charged as the string method table charges it. */
export function formatCharged(fmt: string, r: string): string {
  try {
    if (r !== fmt) meter.alloc(r.length);
  } catch (e) {
    throw builtinError(e, 'format');
  }
  return r;
}

/** Per method name and argument count, a call without the argument array. */
export const fastMethods: Record<string, readonly number[]> = {
  append: [1], pop: [0, 1], get: [1, 2], setdefault: [1, 2], items: [0], keys: [0], values: [0],
  split: [1], rsplit: [1], replace: [2], strip: [0], lstrip: [0], rstrip: [0],
  startswith: [1], endswith: [1], partition: [1], rpartition: [1], join: [1], lower: [0], upper: [0],
};

// String methods with str operands (string_calls.ts); a budget error gets the method's frame, as through the table.
export function m_split1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string' && x !== '') try { return sc.split(o, x); } catch (e) { throw builtinError(e, 'split'); }
  return callMethod(t, o, 'split', [x], null, cache);
}
export function m_rsplit1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string' && x !== '') try { return sc.split(o, x); } catch (e) { throw builtinError(e, 'rsplit'); }
  return callMethod(t, o, 'rsplit', [x], null, cache);
}
export function m_replace2(t: Thread, o: Value, x: Value, y: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string' && typeof y === 'string' && x !== '') try { return sc.replace(o, x, y); } catch (e) { throw builtinError(e, 'replace'); }
  return callMethod(t, o, 'replace', [x, y], null, cache);
}
export function m_strip0(t: Thread, o: Value, cache: MethodCache): Value {
  if (typeof o === 'string') try { return sc.strip(o, true, true); } catch (e) { throw builtinError(e, 'strip'); }
  return callMethod(t, o, 'strip', [], null, cache);
}
export function m_lstrip0(t: Thread, o: Value, cache: MethodCache): Value {
  if (typeof o === 'string') try { return sc.strip(o, true, false); } catch (e) { throw builtinError(e, 'lstrip'); }
  return callMethod(t, o, 'lstrip', [], null, cache);
}
export function m_rstrip0(t: Thread, o: Value, cache: MethodCache): Value {
  if (typeof o === 'string') try { return sc.strip(o, false, true); } catch (e) { throw builtinError(e, 'rstrip'); }
  return callMethod(t, o, 'rstrip', [], null, cache);
}
export function m_join1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && (x instanceof StarList || x instanceof StarTuple)) try { return sc.join(o, x.elems); } catch (e) { throw builtinError(e, 'join'); }
  return callMethod(t, o, 'join', [x], null, cache);
}
export function m_lower0(t: Thread, o: Value, cache: MethodCache): Value {
  if (typeof o === 'string') try { return sc.lowerUpper(o, false); } catch (e) { throw builtinError(e, 'lower'); }
  return callMethod(t, o, 'lower', [], null, cache);
}
export function m_upper0(t: Thread, o: Value, cache: MethodCache): Value {
  if (typeof o === 'string') try { return sc.lowerUpper(o, true); } catch (e) { throw builtinError(e, 'upper'); }
  return callMethod(t, o, 'upper', [], null, cache);
}
export function m_startswith1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string') try { return sc.affix(o, x, false); } catch (e) { throw builtinError(e, 'startswith'); }
  return callMethod(t, o, 'startswith', [x], null, cache);
}
export function m_endswith1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string') try { return sc.affix(o, x, true); } catch (e) { throw builtinError(e, 'endswith'); }
  return callMethod(t, o, 'endswith', [x], null, cache);
}
export function m_partition1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string' && x !== '') try { return sc.partition(o, x, false); } catch (e) { throw builtinError(e, 'partition'); }
  return callMethod(t, o, 'partition', [x], null, cache);
}
export function m_rpartition1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (typeof o === 'string' && typeof x === 'string' && x !== '') try { return sc.partition(o, x, true); } catch (e) { throw builtinError(e, 'rpartition'); }
  return callMethod(t, o, 'rpartition', [x], null, cache);
}

export function m_append1(t: Thread, o: Value, x: Value, cache: MethodCache): Value {
  if (o instanceof StarList && !o.frozen && o.itercount === 0) {
    // An append that grows the backing store is charged (list.ts) and may exhaust the budget:
    // that one goes through the method, so the error is append's, as on every other path.
    const n = o.elems.length + 1;
    if ((n & (n - 1)) !== 0 || n < 64) {
      o.elems.push(x);
      return null;
    }
  }
  return callMethod(t, o, 'append', [x], null, cache);
}

export function m_pop0(t: Thread, o: Value, cache: MethodCache): Value {
  if (o instanceof StarList && !o.frozen && o.itercount === 0 && o.elems.length > 0) return o.elems.pop()!;
  return callMethod(t, o, 'pop', [], null, cache);
}

/** d.pop(k) of a present str/int key of a mutable dict; anything else (missing key, frozen, a list) through the method. */
export function m_pop1(t: Thread, o: Value, k: Value, cache: MethodCache): Value {
  if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number') && !o.frozen && o.itercount === 0) {
    const v = o.delete(k);
    if (v !== undefined) return v;
  }
  return callMethod(t, o, 'pop', [k], null, cache);
}

export function m_get1(t: Thread, o: Value, k: Value, cache: MethodCache): Value {
  if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number')) {
    const v = o.getStr(k);
    return v === undefined ? null : v;
  }
  return callMethod(t, o, 'get', [k], null, cache);
}

export function m_get2(t: Thread, o: Value, k: Value, d: Value, cache: MethodCache): Value {
  if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number')) {
    const v = o.getStr(k);
    return v === undefined ? d : v;
  }
  return callMethod(t, o, 'get', [k, d], null, cache);
}

export function m_setdefault1(t: Thread, o: Value, k: Value, cache: MethodCache): Value {
  if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number') && o.getStr(k) !== undefined) return o.getStr(k)!;
  return callMethod(t, o, 'setdefault', [k], null, cache);
}

export function m_setdefault2(t: Thread, o: Value, k: Value, d: Value, cache: MethodCache): Value {
  if (o instanceof StarDict && (typeof k === 'string' || typeof k === 'number')) {
    const v = o.getStr(k);
    if (v !== undefined) return v;
    if (!o.frozen && o.itercount === 0) {
      o.setStr(k, d);
      return d;
    }
  }
  return callMethod(t, o, 'setdefault', [k, d], null, cache);
}

/** The value of a str/int key present in a dict; undefined otherwise (any other receiver or key included). */
export function presentKey(o: Value, k: Value): Value | undefined {
  return o instanceof StarDict && (typeof k === 'string' || typeof k === 'number') ? o.getStr(k) : undefined;
}

/** The charge of an empty `{}` / `[]` display that is never built (codegen_collections.ts setdefaultEmpty). */
export function emptyCharge(dict: boolean): void {
  meter.alloc(dict ? meter.TABLE : meter.HEADER);
}

export function m_items0(t: Thread, o: Value, cache: MethodCache): Value {
  if (o instanceof StarDict) return dictItems(o);
  return callMethod(t, o, 'items', [], null, cache);
}

export function m_keys0(t: Thread, o: Value, cache: MethodCache): Value {
  if (o instanceof StarDict) return new StarList(o.keys());
  return callMethod(t, o, 'keys', [], null, cache);
}

export function m_values0(t: Thread, o: Value, cache: MethodCache): Value {
  if (o instanceof StarDict) return new StarList(o.values());
  return callMethod(t, o, 'values', [], null, cache);
}

/** A dict display whose keys are distinct constant strings, at most SMALL_MAX: [k0, v0, k1, v1, ...] is its storage. */
export function dictOfKV(kv: Value[]): StarDict {
  return new StarDict(kv, false); // charged by tableCharge() before the entries, as a display is
}

/** The charge of a dict display's table, made before its entries are evaluated (dictOfKV, dictEntry). */
export function tableCharge(): void {
  meter.alloc(meter.TABLE);
}

/** Appends the elements of a *args argument. */
export function spreadArgs(args: Value[], v: Value): void {
  if (v instanceof StarList || v instanceof StarTuple) {
    for (const x of v.elems) args.push(x);
    return;
  }
  if (!ops.isIterable(v)) throw new StarlarkError(`argument after * must be iterable, not ${ops.typeName(v)}`);
  iterateInto(v, args);
}

/** Appends the entries of a **kwargs argument. */
export function spreadKwargs(kwargs: Array<[string, Value]>, d: Value): void {
  if (!(d instanceof StarDict)) throw new StarlarkError(`argument after ** must be a mapping, not ${ops.typeName(d)}`);
  for (const [k, v] of d.entries()) {
    if (typeof k !== 'string') throw new StarlarkError(`keywords must be strings, not ${ops.typeName(k)}`);
    kwargs.push([k, v]);
  }
}

export function makeFunction(code: FuncCode, defaults: Array<Value | undefined>, cells: Cell[], g: Array<Value | undefined>): StarFunction {
  return new StarFunction(code, defaults, cells, g);
}

// ---- load ----

export function load(t: Thread, loader: LoadFn | null, module: string, names: string[]): Value[] {
  if (loader === null) throw new StarlarkError('load not implemented by this application');
  let mod: Map<string, Value>;
  try {
    mod = loader(t, module);
  } catch (err) {
    const msg = err instanceof EvalError ? err.msg : err instanceof Error ? err.message : String(err);
    throw new StarlarkError(toBytes(`cannot load ${module}: ${msg}`)); // text, worded as a byte string (values/utf8.ts)
  }
  const out: Value[] = [];
  for (const n of names) {
    const v = mod.get(n);
    if (v === undefined) throw new StarlarkError(loadNameNotFound(n, module, mod));
    out.push(v);
  }
  return out;
}

export { StarList, StarTuple, StarDict, StarRange, Cell, ops, rangeLen };
export * from './runtime_inline.js';
