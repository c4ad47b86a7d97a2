// Assignment targets, iteration and comprehensions — the three places compiled
// code binds values to names.
//
// An assignment target compiles to `(frame, value) => void`; tuple/list targets
// unpack and recurse. `forEach` is the single loop driver used by `for`
// statements and comprehension clauses: it walks lists, tuples and ranges by
// index (holding a list's iteration lock so the body cannot mutate it), other
// iterables through the value library's iterator protocol, and charges one step
// of the thread's budget per iteration.

import * as A from '../../syntax/ast.js';
import type { Value } from '../../values/value.js';
import { StarList, StarTuple } from '../../values/list.js';
import { StarDict } from '../../values/dict.js';
import { StarRange } from '../../values/range.js';
import { iterate, setField, setIndex, typeName } from '../../values/ops.js';
import { iterateInto } from '../runtime.js';
import { BREAK, CONTINUE, Cell, Frame, NORMAL, truthy, type Expr } from '../frame.js';
import { errorAt, failAt, type Site } from '../errors.js';
import { compileExpr, site, type Ctx } from './expr.js';

export type Assign = (fr: Frame, v: Value) => void;

export function compileAssign(ctx: Ctx, lhs: A.Expr): Assign {
  switch (lhs.kind) {
    case 'Ident': {
      const i = lhs.index;
      if (lhs.scope === A.Scope.Local) {
        if (ctx.isCell[i]) return (fr, v) => { (fr.l[i] as Cell).v = v; };
        return (fr, v) => { fr.l[i] = v; };
      }
      if (lhs.scope === A.Scope.Global) return (fr, v) => { fr.g[i] = v; };
      throw new Error(`internal error: cannot assign to ${lhs.name} (scope ${lhs.scope})`);
    }
    case 'Paren':
      return compileAssign(ctx, lhs.x);
    case 'Index': {
      const x = compileExpr(ctx, lhs.x), ix = compileExpr(ctx, lhs.index);
      const s = site(ctx, lhs);
      return (fr, v) => {
        const o = x(fr);
        const k = ix(fr);
        if (o instanceof StarList && typeof k === 'number' && !o.frozen && o.itercount === 0) {
          const el = o.elems;
          const j = k < 0 ? k + el.length : k;
          if (j >= 0 && j < el.length) {
            el[j] = v;
            return;
          }
        }
        if (o instanceof StarDict && typeof k === 'string') {
          try {
            o.setStr(k, v);
          } catch (err) {
            throw errorAt(err, s);
          }
          return;
        }
        try {
          setIndex(o, k, v);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
    case 'Dot': {
      const x = compileExpr(ctx, lhs.x);
      const name = lhs.name;
      const s = site(ctx, lhs);
      return (fr, v) => {
        const o = x(fr);
        try {
          setField(o, name, v);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
    case 'Tuple':
    case 'List': {
      const subs = lhs.elems.map((e) => compileAssign(ctx, e));
      const n = subs.length;
      const s = site(ctx, lhs);
      return (fr, v) => {
        const el = unpack(v, n, s);
        for (let i = 0; i < n; i++) subs[i](fr, el[i]);
      };
    }
    default:
      throw new Error(`internal error: invalid assignment target ${lhs.kind}`);
  }
}

/** The n elements of v for a tuple assignment. */
function unpack(v: Value, n: number, s: Site): readonly Value[] {
  let el: readonly Value[];
  if (v instanceof StarTuple || v instanceof StarList) {
    el = v.elems;
  } else if (typeof v === 'object' && v !== null && typeof (v as { iterate?: unknown }).iterate === 'function') {
    const arr: Value[] = [];
    try {
      iterateInto(v, arr);
    } catch (err) {
      throw errorAt(err, s);
    }
    el = arr;
  } else {
    throw failAt(`got ${typeName(v)} in sequence assignment`, s);
  }
  if (el.length > n) throw failAt(`too many values to unpack (got ${el.length}, want ${n})`, s);
  if (el.length < n) throw failAt(`too few values to unpack (got ${el.length}, want ${n})`, s);
  return el;
}

export type LoopBody = (fr: Frame, v: Value, acc: unknown) => number;

function tooManySteps(s: Site): never {
  throw failAt('Starlark computation cancelled: too many steps', s);
}

/**
 * Runs body once per element of x. The body returns a statement status; BREAK
 * ends the loop (NORMAL is returned), RETURN is passed up.
 */
export function forEach(fr: Frame, x: Value, s: Site, acc: unknown, body: LoopBody): number {
  const t = fr.t;
  if (x instanceof StarList) {
    const locked = !x.frozen;
    if (locked) x.itercount++;
    try {
      const el = x.elems;
      for (let i = 0; i < el.length; i++) {
        if (++t.steps > t.maxSteps) tooManySteps(s);
        const r = body(fr, el[i], acc);
        if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
      }
    } finally {
      if (locked) x.itercount--;
    }
    return NORMAL;
  }
  if (x instanceof StarRange) {
    const start = x.start, step = x.step, n = x.length;
    for (let i = 0; i < n; i++) {
      if (++t.steps > t.maxSteps) tooManySteps(s);
      const r = body(fr, start + i * step, acc);
      if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
    }
    return NORMAL;
  }
  if (x instanceof StarTuple) {
    const el = x.elems;
    for (let i = 0; i < el.length; i++) {
      if (++t.steps > t.maxSteps) tooManySteps(s);
      const r = body(fr, el[i], acc);
      if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
    }
    return NORMAL;
  }
  let it: Iterator<Value>;
  try {
    it = iterate(x);
  } catch (err) {
    throw errorAt(err, s);
  }
  try {
    for (let n = it.next(); !n.done; n = it.next()) {
      if (++t.steps > t.maxSteps) tooManySteps(s);
      const r = body(fr, n.value, acc);
      if (r !== NORMAL && r !== CONTINUE) return r === BREAK ? NORMAL : r;
    }
  } catch (err) {
    throw errorAt(err, s);
  } finally {
    it.return?.();
  }
  return NORMAL;
}

/** [body for ... if ...] and {k: v for ...}: clauses become nested forEach loops. */
export function compileComprehension(ctx: Ctx, e: A.Comprehension): Expr {
  let inner: LoopBody;
  if (e.curly) {
    const en = e.body as A.DictEntry;
    const k = compileExpr(ctx, en.key), v = compileExpr(ctx, en.value);
    const s = site(ctx, en);
    inner = (fr, _v, acc) => {
      const key = k(fr);
      const val = v(fr);
      try {
        (acc as StarDict).set(key, val);
      } catch (err) {
        throw errorAt(err, s);
      }
      return NORMAL;
    };
  } else {
    const b = compileExpr(ctx, e.body as A.Expr);
    inner = (fr, _v, acc) => {
      (acc as Value[]).push(b(fr));
      return NORMAL;
    };
  }
  // Build from the innermost clause outwards. Each for-clause body receives the
  // element, binds it and runs the rest; an if-clause filters.
  let rest: (fr: Frame, acc: unknown) => void = (fr, acc) => { inner(fr, null, acc); };
  for (let i = e.clauses.length - 1; i >= 1; i--) {
    rest = clause(ctx, e.clauses[i], rest);
  }
  const first = e.clauses[0] as A.ForClause;
  const x0 = compileExpr(ctx, first.x);
  const asg0 = compileAssign(ctx, first.vars);
  const s0 = site(ctx, first);
  const next0 = rest;
  const body0: LoopBody = (fr, v, acc) => {
    asg0(fr, v);
    next0(fr, acc);
    return NORMAL;
  };
  // The result's own charge is positioned at the comprehension (see expr.ts's displays).
  const st = site(ctx, e);
  if (e.curly) {
    return (fr) => {
      let d: StarDict;
      try {
        d = new StarDict();
      } catch (err) {
        throw errorAt(err, st);
      }
      forEach(fr, x0(fr), s0, d, body0);
      return d;
    };
  }
  return (fr) => {
    const out: Value[] = [];
    forEach(fr, x0(fr), s0, out, body0);
    try {
      return new StarList(out);
    } catch (err) {
      throw errorAt(err, st);
    }
  };
}

function clause(ctx: Ctx, c: A.ForClause | A.IfClause, next: (fr: Frame, acc: unknown) => void): (fr: Frame, acc: unknown) => void {
  if (c.type === 'if') {
    const cond = compileExpr(ctx, c.cond);
    return (fr, acc) => {
      if (truthy(cond(fr))) next(fr, acc);
    };
  }
  const x = compileExpr(ctx, c.x);
  const asg = compileAssign(ctx, c.vars);
  const s = site(ctx, c);
  const body: LoopBody = (fr, v, acc) => {
    asg(fr, v);
    next(fr, acc);
    return NORMAL;
  };
  return (fr, acc) => {
    forEach(fr, x(fr), s, acc, body);
  };
}

