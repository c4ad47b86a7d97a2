// Methods of list, dict, set and bytes (spec "Built-in methods"), with
// starlark-go's argument checking and error wording. Each entry is a BuiltinFn
// receiving the receiver as `recv`; see methods.ts for dispatch.

import { StarBytes } from './bytes.js';
import { StarDict, StarSet, setDifference, setIntersection, setSymmetricDifference } from './dict.js';
import { StarList, StarTuple } from './list.js';
import { equal, typeName } from './compare.js';
import { checkPositional, unpackArgs, wantInt, type BuiltinFn, type Kwargs } from './builtin.js';
import { repr } from './repr.js';
import { quoteString } from './quote.js';
import { ElemsView } from './views.js';
import { StarlarkError, type Thread, type Value } from './value.js';
import { toArray } from './iterable.js';
import { alloc, work, SLOT } from './meter.js';

type M = (recv: Value, args: Value[], kwargs: Kwargs, thread: Thread) => Value;

/**
 * Builds a method table. Like starlark-go's nameErr, errors raised inside a
 * method are prefixed with its name ("add: unhashable type: list") unless
 * they already are.
 */
export function table(entries: Record<string, M>): Map<string, BuiltinFn> {
  const m = new Map<string, BuiltinFn>();
  for (const [name, f] of Object.entries(entries)) {
    const prefix = name + ': ';
    m.set(name, (thread, args, kwargs, recv) => {
      try {
        return f(recv, args, kwargs, thread);
      } catch (e) {
        if (e instanceof StarlarkError && e.constructor === StarlarkError && !e.message.startsWith(prefix)) {
          throw new StarlarkError(prefix + e.message);
        }
        throw e;
      }
    });
  }
  return m;
}

/** Resolves a possibly negative start/end pair for index/count/find, clamped to [0, n]. */
export function clampRange(fn: string, n: number, start: Value | undefined, end: Value | undefined): [number, number] {
  let s = start === undefined || start === null ? 0 : wantInt(fn, 'start', start);
  let e = end === undefined || end === null ? n : wantInt(fn, 'end', end);
  if (s < 0) s = Math.max(0, s + n);
  if (e < 0) e = Math.max(0, e + n);
  return [Math.min(s, n), Math.min(e, n)];
}

export const listMethods = table({
  append(recv, args, kwargs) {
    checkPositional('append', args, kwargs, 1, 1);
    (recv as StarList).append(args[0]!);
    return null;
  },
  clear(recv, args, kwargs) {
    checkPositional('clear', args, kwargs, 0, 0);
    const l = recv as StarList;
    l.checkMutable('clear');
    l.elems.length = 0;
    return null;
  },
  extend(recv, args, kwargs) {
    checkPositional('extend', args, kwargs, 1, 1);
    const l = recv as StarList;
    l.checkMutable('extend');
    const items = toArray(args[0]!, 'extend');
    alloc(items.length * SLOT);
    for (const v of items) l.elems.push(v);
    return null;
  },
  index(recv, args, kwargs) {
    const [x, start, end] = unpackArgs('index', args, kwargs, ['x', 'start?', 'end?']);
    const e = (recv as StarList).elems;
    const [s, f] = clampRange('index', e.length, start, end);
    work(f - s);
    for (let i = s; i < f; i++) if (equal(e[i]!, x!)) return i;
    throw new StarlarkError('index: value not in list');
  },
  insert(recv, args, kwargs) {
    checkPositional('insert', args, kwargs, 2, 2);
    const l = recv as StarList;
    l.checkMutable('insert into');
    const n = l.elems.length;
    let i = wantInt('insert', 'index', args[0]);
    if (i < 0) i = Math.max(0, i + n);
    if (i > n) i = n;
    work((n - i) >> 3);
    l.elems.splice(i, 0, args[1]!);
    return null;
  },
  pop(recv, args, kwargs) {
    checkPositional('pop', args, kwargs, 0, 1);
    const l = recv as StarList;
    l.checkMutable('pop from');
    const n = l.elems.length;
    const i0 = args.length > 0 ? wantInt('pop', 'index', args[0]) : -1;
    const i = i0 < 0 ? i0 + n : i0;
    if (i < 0 || i >= n) {
      if (n === 0) throw new StarlarkError(`pop: index ${i0} out of range: empty list`);
      throw new StarlarkError(`pop: list index ${i0} out of range [${-n}:${n - 1}]`);
    }
    if (i === n - 1) return l.elems.pop()!;
    work((n - i) >> 3);
    return l.elems.splice(i, 1)[0]!;
  },
  remove(recv, args, kwargs) {
    checkPositional('remove', args, kwargs, 1, 1);
    const l = recv as StarList;
    l.checkMutable('remove from');
    const e = l.elems;
    work(e.length);
    for (let i = 0; i < e.length; i++) {
      if (equal(e[i]!, args[0]!)) {
        e.splice(i, 1);
        return null;
      }
    }
    throw new StarlarkError(`remove: element not found`);
  },
});

/** dict.update / dict(...) semantics: positional mapping or iterable of pairs, then kwargs. */
export function dictUpdate(fn: string, d: StarDict, args: Value[], kwargs: Kwargs): void {
  if (args.length > 1) throw new StarlarkError(`${fn}: got ${args.length} arguments, want at most 1`);
  if (args.length === 1) {
    const src = args[0]!;
    if (src instanceof StarDict) {
      d.ht.addAll(src.ht);
    } else {
      const items = toArray(src, fn);
      for (let i = 0; i < items.length; i++) {
        const p = items[i]!;
        let pair: readonly Value[];
        if (p instanceof StarTuple || p instanceof StarList) pair = p.elems;
        else throw new StarlarkError(`${fn}: dictionary update sequence element #${i} is not iterable (${typeName(p)})`);
        if (pair.length !== 2) {
          throw new StarlarkError(`${fn}: dictionary update sequence element #${i} has length ${pair.length}, want 2`);
        }
        d.set(pair[0]!, pair[1]!);
      }
    }
  }
  if (kwargs !== null) {
    if (kwargs.length > 1) {
      const seen = new Set<string>();
      for (const [k] of kwargs) {
        if (seen.has(k)) throw new StarlarkError(`${fn}: duplicate keyword arg: ${quoteString(k)}`);
        seen.add(k);
      }
    }
    for (const [k, v] of kwargs) d.set(k, v);
  }
}

/** d.items(): a new list of (key, value) tuples. */
export function dictItems(d: StarDict): StarList {
  const out = new Array<Value>(d.size);
  let i = 0;
  d.forEach((k, v) => {
    out[i++] = new StarTuple([k, v]);
  });
  return new StarList(out);
}

export const dictMethods = table({
  clear(recv, args, kwargs) {
    checkPositional('clear', args, kwargs, 0, 0);
    (recv as StarDict).ht.clear();
    return null;
  },
  get(recv, args, kwargs) {
    checkPositional('get', args, kwargs, 1, 2); // positional only, as starlark-go
    const [k, dflt] = args;
    const v = (recv as StarDict).get(k!);
    return v !== undefined ? v : dflt === undefined ? null : dflt;
  },
  items(recv, args, kwargs) {
    checkPositional('items', args, kwargs, 0, 0);
    return dictItems(recv as StarDict);
  },
  keys(recv, args, kwargs) {
    checkPositional('keys', args, kwargs, 0, 0);
    return new StarList((recv as StarDict).keys());
  },
  values(recv, args, kwargs) {
    checkPositional('values', args, kwargs, 0, 0);
    return new StarList((recv as StarDict).values());
  },
  pop(recv, args, kwargs) {
    const [k, dflt] = unpackArgs('pop', args, kwargs, ['key', 'default?']);
    const v = (recv as StarDict).delete(k!);
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    throw new StarlarkError('pop: missing key'); // starlark-go does not name the key
  },
  popitem(recv, args, kwargs) {
    checkPositional('popitem', args, kwargs, 0, 0);
    const e = (recv as StarDict).ht.popFirst();
    if (e === undefined) throw new StarlarkError('popitem: empty dict');
    return new StarTuple(e);
  },
  setdefault(recv, args, kwargs) {
    const [k, dflt] = unpackArgs('setdefault', args, kwargs, ['key', 'default?']);
    const d = recv as StarDict;
    const v = d.get(k!);
    if (v !== undefined) return v;
    const nv = dflt === undefined ? null : dflt;
    d.set(k!, nv);
    return nv;
  },
  update(recv, args, kwargs) {
    dictUpdate('update', recv as StarDict, args, kwargs);
    return null;
  },
});

function iterableArg(fn: string, v: Value, i: number): Value[] {
  if (v instanceof StarSet) return v.elems();
  return toArray(v, fn, i + 1);
}

function setsOf(fn: string, args: Value[]): StarSet[] {
  return args.map((a, i) => (a instanceof StarSet ? a : StarSet.of(iterableArg(fn, a, i))));
}

function copySet(s: StarSet): StarSet {
  const out = new StarSet();
  out.ht.addAll(s.ht);
  return out;
}

export const setMethods = table({
  add(recv, args, kwargs) {
    checkPositional('add', args, kwargs, 1, 1);
    const s = recv as StarSet;
    s.ht.checkInsert(); // even a no-op insertion into a frozen set is an error
    s.add(args[0]!);
    return null;
  },
  clear(recv, args, kwargs) {
    checkPositional('clear', args, kwargs, 0, 0);
    const s = recv as StarSet;
    if (s.size > 0) s.ht.clear();
    return null;
  },
  difference(recv, args, kwargs) {
    checkPositional('difference', args, kwargs, 0, Infinity);
    let s = copySet(recv as StarSet);
    for (const o of setsOf('difference', args)) s = setDifference(s, o);
    return s;
  },
  discard(recv, args, kwargs) {
    checkPositional('discard', args, kwargs, 1, 1);
    const s = recv as StarSet;
    s.ht.checkDelete();
    s.delete(args[0]!);
    return null;
  },
  intersection(recv, args, kwargs) {
    checkPositional('intersection', args, kwargs, 0, Infinity);
    let s = copySet(recv as StarSet);
    for (const o of setsOf('intersection', args)) s = setIntersection(s, o);
    return s;
  },
  isdisjoint(recv, args, kwargs) {
    checkPositional('isdisjoint', args, kwargs, 0, 1);
    const s = recv as StarSet;
    if (args.length === 0) return true;
    for (const v of iterableArg('isdisjoint', args[0]!, 0)) if (s.has(v)) return false;
    return true;
  },
  issubset(recv, args, kwargs) {
    checkPositional('issubset', args, kwargs, 1, 1);
    return (recv as StarSet).isSubsetOf(setsOf('issubset', args)[0]!);
  },
  issuperset(recv, args, kwargs) {
    checkPositional('issuperset', args, kwargs, 1, 1);
    return setsOf('issuperset', args)[0]!.isSubsetOf(recv as StarSet);
  },
  pop(recv, args, kwargs) {
    checkPositional('pop', args, kwargs, 0, 0);
    const e = (recv as StarSet).ht.popFirst();
    if (e === undefined) throw new StarlarkError('pop: empty set');
    return e[0];
  },
  remove(recv, args, kwargs) {
    checkPositional('remove', args, kwargs, 1, 1);
    const s = recv as StarSet;
    s.ht.checkDelete();
    if (!s.delete(args[0]!)) throw new StarlarkError(`remove: missing key ${repr(args[0]!)}`);
    return null;
  },
  symmetric_difference(recv, args, kwargs) {
    checkPositional('symmetric_difference', args, kwargs, 1, 1);
    return setSymmetricDifference(recv as StarSet, setsOf('symmetric_difference', args)[0]!);
  },
  union(recv, args, kwargs) {
    checkPositional('union', args, kwargs, 0, Infinity);
    const s = copySet(recv as StarSet);
    args.forEach((a, i) => {
      for (const v of iterableArg('union', a, i)) s.add(v);
    });
    return s;
  },
  update(recv, args, kwargs) {
    checkPositional('update', args, kwargs, 0, Infinity);
    const s = recv as StarSet;
    s.ht.checkInsert();
    args.forEach((a, i) => {
      for (const v of iterableArg('update', a, i)) s.add(v);
    });
    return null;
  },
  difference_update(recv, args, kwargs) {
    checkPositional('difference_update', args, kwargs, 0, Infinity);
    const s = recv as StarSet;
    const others = args.map((a, i) => iterableArg('difference_update', a, i));
    s.ht.checkDelete();
    for (const o of others) for (const v of o) s.delete(v);
    return null;
  },
  intersection_update(recv, args, kwargs) {
    checkPositional('intersection_update', args, kwargs, 0, Infinity);
    const s = recv as StarSet;
    const others = setsOf('intersection_update', args);
    s.ht.checkDelete();
    for (const o of others) for (const v of s.elems()) if (!o.has(v)) s.delete(v);
    return null;
  },
  symmetric_difference_update(recv, args, kwargs) {
    checkPositional('symmetric_difference_update', args, kwargs, 1, 1);
    const s = recv as StarSet;
    const o = setsOf('symmetric_difference_update', args)[0]!;
    s.ht.checkInsert();
    for (const v of o.elems()) {
      if (s.has(v)) s.delete(v);
      else s.add(v);
    }
    return null;
  },
});

export const bytesMethods = table({
  elems(recv, args, kwargs) {
    checkPositional('elems', args, kwargs, 0, 0);
    const b = recv as StarBytes;
    return new ElemsView('bytes.elems', repr(b) + '.elems()', () => b.iterate());
  },
});

