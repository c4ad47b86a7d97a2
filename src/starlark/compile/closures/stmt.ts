// The closures backend (the fallback when JS code generation is unavailable or
// `backend: 'closures'` is asked for; codegen.ts is the default): statement
// compilation and the per-file entry point. Same semantics, tested by the same
// engine tests.
//
// A resolved file compiles once into FuncCode objects — the top level and one
// per def/lambda — whose bodies are closures `(frame) => status`. Statements
// report break/continue/return through the status code (frame.ts), so loops and
// returns never throw. Blocks of one or two statements get dedicated closures,
// and `x = <expr>` to a plain local writes the slot directly.
//
// Augmented assignment evaluates its target's operands once (`a[f()] += 1`
// calls f once) and, like starlark-go, mutates lists in place for `+=` and
// dicts/sets for `|=`.

import * as A from '../../syntax/ast.js';
import type { Value } from '../../values/value.js';
import { StarList, StarTuple } from '../../values/list.js';
import { StarDict, StarSet } from '../../values/dict.js';
import { binary, getAttr, getIndex, isIterable, setField, setIndex } from '../../values/ops.js';
import { BREAK, CONTINUE, NORMAL, RETURN, truthy, type Stmt } from '../frame.js';
import { EvalError, errorAt, failAt, type Site } from '../errors.js';
import { toBytes } from '../../values/utf8.js';
import { FuncCode, type CompileOptions } from '../function.js';
import { compileClosure, compileExpr, site, type Ctx } from './expr.js';
import { compileAssign, compileComprehension, forEach, type LoopBody } from './assign.js';
import { iterateInto, loadNameNotFound } from '../runtime.js';

const MAX = Number.MAX_SAFE_INTEGER;

export type { CompileOptions };

/** Compiles a resolved file; returns the top-level code. */
export function compileFileCode(file: A.File, opts: CompileOptions): FuncCode {
  const cache = new Map<A.FunctionNode, FuncCode>();
  const compileFunction = (fn: A.FunctionNode): FuncCode => {
    let code = cache.get(fn);
    if (code) return code;
    code = FuncCode.of(file.filename, fn, opts.recursion);
    cache.set(fn, code);
    const isCell: boolean[] = [];
    for (const c of fn.cells) isCell[c] = true;
    const ctx: Ctx = { file: file.filename, fn: fn.name, isCell, universe: opts.universe, compileFunction, compileComprehension };
    code.body = compileBlock(ctx, fn.body);
    return code;
  };
  return compileFunction(file.toplevel);
}

export function compileBlock(ctx: Ctx, stmts: A.Stmt[]): Stmt {
  const list = stmts.map((s) => compileStmt(ctx, s));
  switch (list.length) {
    case 0:
      return () => NORMAL;
    case 1:
      return list[0];
    case 2: {
      const [a, b] = list;
      return (fr) => {
        const r = a(fr);
        if (r !== NORMAL) return r;
        return b(fr);
      };
    }
    case 3: {
      const [a, b, c] = list;
      return (fr) => {
        let r = a(fr);
        if (r !== NORMAL) return r;
        r = b(fr);
        if (r !== NORMAL) return r;
        return c(fr);
      };
    }
    default:
      return (fr) => {
        for (let i = 0; i < list.length; i++) {
          const r = list[i](fr);
          if (r !== NORMAL) return r;
        }
        return NORMAL;
      };
  }
}

function compileStmt(ctx: Ctx, s: A.Stmt): Stmt {
  switch (s.kind) {
    case 'ExprStmt': {
      const x = compileExpr(ctx, s.x);
      return (fr) => {
        x(fr);
        return NORMAL;
      };
    }
    case 'Assign':
      return s.op === '=' ? compileSimpleAssign(ctx, s) : compileAugmented(ctx, s);
    case 'Def': {
      const mk = compileClosure(ctx, s.fn);
      const asg = compileAssign(ctx, s.ident);
      return (fr) => {
        asg(fr, mk(fr));
        return NORMAL;
      };
    }
    case 'If': {
      const c = compileExpr(ctx, s.cond);
      const t = compileBlock(ctx, s.then);
      if (s.els.length === 0) return (fr) => (truthy(c(fr)) ? t(fr) : NORMAL);
      const f = compileBlock(ctx, s.els);
      return (fr) => (truthy(c(fr)) ? t(fr) : f(fr));
    }
    case 'For': {
      const x = compileExpr(ctx, s.x);
      const asg = compileAssign(ctx, s.vars);
      const block = compileBlock(ctx, s.body);
      const st = site(ctx, s);
      const body: LoopBody = (fr, v) => {
        asg(fr, v);
        return block(fr);
      };
      return (fr) => forEach(fr, x(fr), st, null, body);
    }
    case 'While': {
      const c = compileExpr(ctx, s.cond);
      const block = compileBlock(ctx, s.body);
      const st = site(ctx, s);
      return (fr) => {
        const t = fr.t;
        while (truthy(c(fr))) {
          if (++t.steps > t.maxSteps) throw failAt('Starlark computation cancelled: too many steps', st);
          const r = block(fr);
          if (r === BREAK) break;
          if (r === RETURN) return r;
        }
        return NORMAL;
      };
    }
    case 'Branch':
      if (s.token === 'break') return () => BREAK;
      if (s.token === 'continue') return () => CONTINUE;
      return () => NORMAL;
    case 'Return': {
      if (!s.result) return (fr) => { fr.ret = null; return RETURN; };
      const x = compileExpr(ctx, s.result);
      return (fr) => {
        fr.ret = x(fr);
        return RETURN;
      };
    }
    case 'Load':
      return compileLoad(ctx, s);
  }
}

function compileSimpleAssign(ctx: Ctx, s: A.AssignStmt): Stmt {
  const rhs = compileExpr(ctx, s.rhs);
  const lhs = s.lhs.kind === 'Paren' ? s.lhs.x : s.lhs;
  if (lhs.kind === 'Ident' && lhs.scope === A.Scope.Local && !ctx.isCell[lhs.index]) {
    const i = lhs.index;
    return (fr) => {
      fr.l[i] = rhs(fr);
      return NORMAL;
    };
  }
  const asg = compileAssign(ctx, lhs);
  return (fr) => {
    asg(fr, rhs(fr));
    return NORMAL;
  };
}

/** x op= y, with lists extended in place for += and dicts/sets updated in place for |=. */
function inplace(op: string, x: Value, y: Value, s: Site): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    if (op === '+') {
      const r = x + y;
      if (r <= MAX && r >= -MAX) return r;
    } else if (op === '-') {
      const r = x - y;
      if (r <= MAX && r >= -MAX) return r;
    }
  } else if (op === '+' && x instanceof StarList && (y instanceof StarList || y instanceof StarTuple || isIterable(y))) {
    try {
      x.checkMutable('apply += to');
      if (y instanceof StarList || y instanceof StarTuple) {
        const src = y.elems;
        const n = src.length; // x += x must not loop forever
        for (let i = 0; i < n; i++) x.elems.push(src[i]);
      } else {
        iterateInto(y, x.elems);
      }
    } catch (err) {
      throw errorAt(err, s);
    }
    return x;
  } else if (op === '|' && x instanceof StarDict && y instanceof StarDict) {
    try {
      for (const [k, v] of y.entries()) x.set(k, v);
    } catch (err) {
      throw errorAt(err, s);
    }
    return x;
  } else if (op === '|' && x instanceof StarSet && y instanceof StarSet) {
    try {
      for (const k of y.elems()) x.add(k);
    } catch (err) {
      throw errorAt(err, s);
    }
    return x;
  }
  try {
    return binary(op, x, y);
  } catch (err) {
    throw errorAt(err, s);
  }
}

function compileAugmented(ctx: Ctx, s: A.AssignStmt): Stmt {
  const op = s.op;
  const st = site(ctx, s);
  const rhs = compileExpr(ctx, s.rhs);
  const lhs = s.lhs.kind === 'Paren' ? s.lhs.x : s.lhs;
  switch (lhs.kind) {
    case 'Ident': {
      const read = compileExpr(ctx, lhs);
      const write = compileAssign(ctx, lhs);
      return (fr) => {
        const cur = read(fr);
        write(fr, inplace(op, cur, rhs(fr), st));
        return NORMAL;
      };
    }
    case 'Index': {
      const x = compileExpr(ctx, lhs.x), ix = compileExpr(ctx, lhs.index);
      const is = site(ctx, lhs);
      return (fr) => {
        const o = x(fr);
        const k = ix(fr);
        let cur: Value;
        try {
          cur = getIndex(o, k);
        } catch (err) {
          throw errorAt(err, is);
        }
        const v = inplace(op, cur, rhs(fr), st);
        try {
          setIndex(o, k, v);
        } catch (err) {
          throw errorAt(err, is);
        }
        return NORMAL;
      };
    }
    case 'Dot': {
      const x = compileExpr(ctx, lhs.x);
      const name = lhs.name;
      const ds = site(ctx, lhs);
      return (fr) => {
        const o = x(fr);
        let cur: Value;
        try {
          cur = getAttr(o, name);
        } catch (err) {
          throw errorAt(err, ds);
        }
        const v = inplace(op, cur, rhs(fr), st);
        try {
          setField(o, name, v);
        } catch (err) {
          throw errorAt(err, ds);
        }
        return NORMAL;
      };
    }
    default:
      throw new Error(`internal error: invalid augmented assignment target ${lhs.kind}`);
  }
}

function compileLoad(ctx: Ctx, s: A.LoadStmt): Stmt {
  const st = site(ctx, s);
  const module = s.module;
  const targets = s.to.map((id) => compileAssign(ctx, id));
  const names = s.from;
  return (fr) => {
    if (fr.load === null) throw failAt('load not implemented by this application', st);
    let mod: Map<string, Value>;
    try {
      mod = fr.load(fr.t, module);
    } catch (err) {
      const msg = err instanceof EvalError ? err.msg : err instanceof Error ? err.message : String(err);
      throw failAt(toBytes(`cannot load ${module}: ${msg}`), st); // text, worded as a byte string (values/utf8.ts)
    }
    for (let i = 0; i < names.length; i++) {
      const v = mod.get(names[i].name);
      if (v === undefined) throw failAt(loadNameNotFound(names[i].name, module, mod), st); // at the load, as starlark-go
      targets[i](fr, v);
    }
    return NORMAL;
  };
}


