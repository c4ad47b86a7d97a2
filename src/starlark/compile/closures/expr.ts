// Expression compilation: each resolved AST node becomes a JS closure
// `(frame) => Value`, built once per program.
//
// Key idea: the closures are specialised at compile time — one closure shape per
// operator, per identifier scope, per call arity — and each starts with the hot
// primitive cases inline (int+int within the safe range, string+string, list[i],
// dict["key"]), falling back to the value library's generic operations
// (values/ops.ts) for everything else. Errors surface as EvalError positioned at
// the node (errorAt), so the closures themselves never check for failure.
//
// Trade-off: closures are not as fast as generated JS source (call sites in the
// shared closure code become megamorphic), but they cannot produce malformed
// code, are easy to debug, and already avoid all tree-walking dispatch.

import * as A from '../../syntax/ast.js';
import { StarlarkError, type Value } from '../../values/value.js';
import { StarList, StarTuple } from '../../values/list.js';
import { StarDict } from '../../values/dict.js';
import { StarFloat } from '../../values/float.js';
import { StarBytes, fromUint8 } from '../../values/bytes.js';
import type { BuiltinFn, Kwargs } from '../../values/builtin.js';
import { methodsOf } from '../../values/methods.js';
import { binary, compare, concat, contains, equal, getAttr, getIndex, repr, slice, typeName, unary } from '../../values/ops.js';
import { Cell, Frame, truthy, type Expr } from '../frame.js';
import { callErrorAt, errorAt, failAt, type Site } from '../errors.js';
import { StarFunction, type FuncCode } from '../function.js';
import { intern, iterateInto } from '../runtime.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** Per-function compilation context. */
export interface Ctx {
  file: string;
  /** Name of the function being compiled (for stack frames). */
  fn: string;
  /** isCell[slot]: the local lives in a Cell. */
  isCell: boolean[];
  universe: Map<string, Value>;
  /** Compiles a nested function's code (defined in stmt.ts). */
  compileFunction: (fn: A.FunctionNode) => FuncCode;
  /**
   * Compiles a comprehension (assign.ts's compileComprehension, passed in by
   * stmt.ts): comprehensions bind loop variables, which is assign.ts's job, and
   * assign.ts compiles expressions, so expr.ts reaches it through the context
   * rather than importing it back.
   */
  compileComprehension: (ctx: Ctx, e: A.Comprehension) => Expr;
}

export function site(ctx: Ctx, p: A.Pos): Site {
  return { fn: ctx.fn, file: ctx.file, line: p.line, col: p.col };
}

function slow(op: string, a: Value, b: Value, s: Site): Value {
  try {
    return binary(op, a, b);
  } catch (e) {
    throw errorAt(e, s);
  }
}

function slowCompare(op: string, a: Value, b: Value, s: Site): boolean {
  try {
    return compare(op, a, b);
  } catch (e) {
    throw errorAt(e, s);
  }
}

export function compileExpr(ctx: Ctx, e: A.Expr): Expr {
  switch (e.kind) {
    case 'Ident':
      return compileIdent(ctx, e);
    case 'Literal':
      return compileLiteral(e);
    case 'Paren':
      return compileExpr(ctx, e.x);
    // Displays are positioned at themselves: their charge may exhaust the memory budget, and an
    // unpositioned error would be taken for the enclosing call's argument error (callErrorAt).
    case 'List': {
      const elems = e.elems.map((x) => compileExpr(ctx, x));
      const st = site(ctx, e);
      return (fr) => {
        const out = new Array<Value>(elems.length);
        for (let i = 0; i < elems.length; i++) out[i] = elems[i](fr);
        try {
          return new StarList(out);
        } catch (err) {
          throw errorAt(err, st);
        }
      };
    }
    case 'Tuple': {
      const elems = e.elems.map((x) => compileExpr(ctx, x));
      const st = site(ctx, e);
      return (fr) => {
        const out = new Array<Value>(elems.length);
        for (let i = 0; i < elems.length; i++) out[i] = elems[i](fr);
        try {
          return new StarTuple(out);
        } catch (err) {
          throw errorAt(err, st);
        }
      };
    }
    case 'Dict': {
      const keys = e.entries.map((en) => compileExpr(ctx, en.key));
      const vals = e.entries.map((en) => compileExpr(ctx, en.value));
      const sites = e.entries.map((en) => site(ctx, en));
      const st = site(ctx, e);
      return (fr) => {
        let d: StarDict;
        try {
          d = new StarDict();
        } catch (err) {
          throw errorAt(err, st);
        }
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i](fr);
          const v = vals[i](fr);
          try {
            if (!d.setNew(k, v)) throw new StarlarkError(`duplicate key: ${repr(k)}`);
          } catch (err) {
            throw errorAt(err, sites[i]);
          }
        }
        return d;
      };
    }
    case 'Unary':
      return compileUnary(ctx, e);
    case 'Binary':
      return compileBinary(ctx, e);
    case 'Cond': {
      const c = compileExpr(ctx, e.cond), t = compileExpr(ctx, e.t), f = compileExpr(ctx, e.f);
      return (fr) => (truthy(c(fr)) ? t(fr) : f(fr));
    }
    case 'Index': {
      const x = compileExpr(ctx, e.x), ix = compileExpr(ctx, e.index);
      const s = site(ctx, e);
      return (fr) => {
        const o = x(fr);
        const k = ix(fr);
        if (o instanceof StarList) {
          if (typeof k === 'number') {
            const el = o.elems;
            const j = k < 0 ? k + el.length : k;
            if (j >= 0 && j < el.length) return el[j];
          }
        } else if (o instanceof StarDict && typeof k === 'string') {
          const v = o.getStr(k);
          if (v !== undefined) return v;
        }
        try {
          return getIndex(o, k);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
    case 'Slice': {
      const x = compileExpr(ctx, e.x);
      const lo = e.lo ? compileExpr(ctx, e.lo) : null;
      const hi = e.hi ? compileExpr(ctx, e.hi) : null;
      const step = e.step ? compileExpr(ctx, e.step) : null;
      const s = site(ctx, e);
      return (fr) => {
        const o = x(fr);
        const a = lo ? lo(fr) : null, b = hi ? hi(fr) : null, c = step ? step(fr) : null;
        try {
          return slice(o, a, b, c);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
    case 'Dot': {
      const x = compileExpr(ctx, e.x);
      const name = e.name;
      const s = site(ctx, e);
      return (fr) => {
        const o = x(fr);
        try {
          return getAttr(o, name);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
    case 'Call':
      return compileCall(ctx, e);
    case 'Lambda':
      return compileClosure(ctx, e.fn);
    case 'Comprehension':
      return ctx.compileComprehension(ctx, e);
  }
}

function compileLiteral(e: A.Literal): Expr {
  let v: Value;
  switch (e.token) {
    case 'int': v = e.value as number | bigint; break;
    case 'float': v = new StarFloat(e.value as number); break;
    case 'string': v = intern(e.value as string); break;
    case 'bytes': v = new StarBytes(fromUint8(e.value as Uint8Array)); break;
  }
  return () => v;
}

function compileIdent(ctx: Ctx, id: A.Ident): Expr {
  const i = id.index;
  const s = site(ctx, id);
  const name = id.name;
  switch (id.scope) {
    case A.Scope.Local:
      if (ctx.isCell[i]) {
        return (fr) => {
          const v = (fr.l[i] as Cell).v;
          if (v === undefined) throw failAt(`local variable ${name} referenced before assignment`, s);
          return v;
        };
      }
      return (fr) => {
        const v = fr.l[i];
        if (v === undefined) throw failAt(`local variable ${name} referenced before assignment`, s);
        return v as Value;
      };
    case A.Scope.Free:
      return (fr) => {
        const v = fr.f[i].v;
        if (v === undefined) throw failAt(`local variable ${name} referenced before assignment`, s);
        return v;
      };
    case A.Scope.Global:
    case A.Scope.Predeclared:
      return (fr) => {
        const v = fr.g[i];
        if (v === undefined) throw failAt(`global variable ${name} referenced before assignment`, s);
        return v;
      };
    case A.Scope.Universal: {
      const v = ctx.universe.get(name);
      if (v === undefined) return () => { throw failAt(`undefined: ${name}`, s); };
      return () => v;
    }
    default:
      return () => { throw failAt(`undefined: ${name}`, s); };
  }
}

function compileUnary(ctx: Ctx, e: A.UnaryExpr): Expr {
  const x = compileExpr(ctx, e.x);
  const s = site(ctx, e);
  switch (e.op) {
    case 'not':
      return (fr) => !truthy(x(fr));
    case '-':
      return (fr) => {
        const v = x(fr);
        if (typeof v === 'number') return v === 0 ? 0 : -v;
        try {
          return unary('-', v);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    default: {
      const op = e.op;
      return (fr) => {
        const v = x(fr);
        try {
          return unary(op, v);
        } catch (err) {
          throw errorAt(err, s);
        }
      };
    }
  }
}

function compileBinary(ctx: Ctx, e: A.BinaryExpr): Expr {
  const x = compileExpr(ctx, e.x), y = compileExpr(ctx, e.y);
  const s = site(ctx, e);
  const op = e.op;
  switch (op) {
    case 'or':
      return (fr) => { const a = x(fr); return truthy(a) ? a : y(fr); };
    case 'and':
      return (fr) => { const a = x(fr); return truthy(a) ? y(fr) : a; };
    case '+':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a + b;
          if (r <= MAX && r >= -MAX) return r;
        } else if (typeof a === 'string' && typeof b === 'string') {
          try {
            return concat(a, b); // charged: may exhaust the memory budget, positioned at this `+`
          } catch (err) {
            throw errorAt(err, s);
          }
        }
        return slow('+', a, b, s);
      };
    case '-':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a - b;
          if (r <= MAX && r >= -MAX) return r;
        }
        return slow('-', a, b, s);
      };
    case '*':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a * b;
          if (Number.isSafeInteger(r)) return r + 0; // + 0 turns -0 into 0
        }
        return slow('*', a, b, s);
      };
    case '//':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b && b !== 0) {
          return Math.floor(a / b) + 0;
        }
        return slow('//', a, b, s);
      };
    case '%':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
          let r = a % b;
          if (r !== 0 && (r < 0) !== (b < 0)) r += b;
          return r + 0;
        }
        return slow('%', a, b, s);
      };
    case '==':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a !== 'object' && typeof a === typeof b) return a === b;
        return eq(a, b, s);
      };
    case '!=':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if (typeof a !== 'object' && typeof a === typeof b) return a !== b;
        return !eq(a, b, s);
      };
    case '<':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a < b;
        return slowCompare('<', a, b, s);
      };
    case '<=':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a <= b;
        return slowCompare('<=', a, b, s);
      };
    case '>':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a > b;
        return slowCompare('>', a, b, s);
      };
    case '>=':
      return (fr) => {
        const a = x(fr), b = y(fr);
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a >= b;
        return slowCompare('>=', a, b, s);
      };
    case 'in':
    case 'not in': {
      const neg = op === 'not in';
      return (fr) => {
        const a = x(fr), b = y(fr);
        let r: boolean;
        if (b instanceof StarDict && typeof a === 'string') r = b.getStr(a) !== undefined;
        else {
          try {
            r = contains(b, a);
          } catch (err) {
            throw errorAt(err, s);
          }
        }
        return neg ? !r : r;
      };
    }
    default:
      // | ^ & << >> /
      return (fr) => {
        const a = x(fr), b = y(fr);
        return slow(op, a, b, s);
      };
  }
}

function eq(a: Value, b: Value, s: Site): boolean {
  try {
    return equal(a, b);
  } catch (err) {
    throw errorAt(err, s);
  }
}

// ---- calls ----

interface CallSpec {
  pos: Expr[];
  named: Array<[string, Expr]>;
  star: Expr | null;
  starstar: Expr | null;
}

function isCallable(f: Value): f is Value & { call: StarFunction['call']; name: string } {
  return typeof f === 'object' && f !== null && typeof (f as { call?: unknown }).call === 'function';
}

/** Calls f with arguments in an array owned by the caller. */
function doCall(fr: Frame, f: Value, args: Value[], kwargs: Kwargs, s: Site): Value {
  if (f instanceof StarFunction) {
    try {
      return kwargs === null ? f.callOwned(fr.t, args) : f.call(fr.t, args, kwargs);
    } catch (err) {
      throw callErrorAt(err, f.code.name, true, s);
    }
  }
  if (isCallable(f)) {
    try {
      return f.call(fr.t, args, kwargs);
    } catch (err) {
      throw callErrorAt(err, f.name, false, s);
    }
  }
  throw failAt(`invalid call of non-function (${typeName(f)})`, s);
}

function compileCall(ctx: Ctx, e: A.CallExpr): Expr {
  const s = site(ctx, e);
  const spec: CallSpec = { pos: [], named: [], star: null, starstar: null };
  for (const a of e.args) {
    const v = compileExpr(ctx, a.value);
    if (a.type === 'pos') spec.pos.push(v);
    else if (a.type === 'named') spec.named.push([a.name!, v]);
    else if (a.type === 'star') spec.star = v;
    else spec.starstar = v;
  }
  const simple = spec.named.length === 0 && spec.star === null && spec.starstar === null;

  // Method call x.name(...) on a built-in type: no bound-method allocation, and
  // an inline cache of the (method table, implementation) pair seen last here.
  if (e.fn.kind === 'Dot' && simple) {
    const recv = compileExpr(ctx, e.fn.x);
    const name = e.fn.name;
    const dotSite = site(ctx, e.fn);
    const pos = spec.pos;
    let cacheTable: Map<string, BuiltinFn> | null = null;
    let cacheFn: BuiltinFn | undefined;
    return (fr) => {
      const o = recv(fr);
      const args = new Array<Value>(pos.length);
      for (let i = 0; i < pos.length; i++) args[i] = pos[i](fr);
      const table = methodsOf(o);
      if (table !== null) {
        let m = table === cacheTable ? cacheFn : undefined;
        if (m === undefined) {
          m = table.get(name);
          if (m !== undefined) {
            cacheTable = table;
            cacheFn = m;
          }
        }
        if (m !== undefined) {
          try {
            return m(fr.t, args, null, o);
          } catch (err) {
            throw callErrorAt(err, name, false, s);
          }
        }
      }
      // Struct fields, module members, or a missing attribute.
      let f: Value;
      try {
        f = getAttr(o, name);
      } catch (err) {
        throw errorAt(err, dotSite);
      }
      return doCall(fr, f, args, null, s);
    };
  }

  const fn = compileExpr(ctx, e.fn);
  if (simple) {
    const pos = spec.pos;
    switch (pos.length) {
      case 0:
        return (fr) => doCall(fr, fn(fr), [], null, s);
      case 1: {
        const a0 = pos[0];
        return (fr) => {
          const f = fn(fr);
          return doCall(fr, f, [a0(fr)], null, s);
        };
      }
      case 2: {
        const [a0, a1] = pos;
        return (fr) => {
          const f = fn(fr);
          return doCall(fr, f, [a0(fr), a1(fr)], null, s);
        };
      }
      case 3: {
        const [a0, a1, a2] = pos;
        return (fr) => {
          const f = fn(fr);
          return doCall(fr, f, [a0(fr), a1(fr), a2(fr)], null, s);
        };
      }
      default:
        return (fr) => {
          const f = fn(fr);
          const args = new Array<Value>(pos.length);
          for (let i = 0; i < pos.length; i++) args[i] = pos[i](fr);
          return doCall(fr, f, args, null, s);
        };
    }
  }
  return (fr) => {
    const f = fn(fr);
    const args: Value[] = [];
    for (let i = 0; i < spec.pos.length; i++) args.push(spec.pos[i](fr));
    let kwargs: Array<[string, Value]> | null = null;
    for (let i = 0; i < spec.named.length; i++) (kwargs ??= []).push([spec.named[i][0], spec.named[i][1](fr)]);
    if (spec.star !== null) {
      const v = spec.star(fr);
      if (v instanceof StarList || v instanceof StarTuple) {
        for (const x of v.elems) args.push(x);
      } else {
        try {
          iterateInto(v, args);
        } catch (err) {
          if (err instanceof StarlarkError) throw failAt(`argument after * must be iterable, not ${typeName(v)}`, s);
          throw errorAt(err, s);
        }
      }
    }
    if (spec.starstar !== null) {
      const d = spec.starstar(fr);
      if (!(d instanceof StarDict)) throw failAt(`argument after ** must be a mapping, not ${typeName(d)}`, s);
      for (const [k, v] of d.entries()) {
        if (typeof k !== 'string') throw failAt(`keywords must be strings, not ${typeName(k)}`, s);
        (kwargs ??= []).push([k, v]);
      }
    }
    return doCall(fr, f, args, kwargs, s);
  };
}

// ---- def / lambda ----

/** Compiles a def or lambda into an expression that creates the closure. */
export function compileClosure(ctx: Ctx, fn: A.FunctionNode): Expr {
  const code = ctx.compileFunction(fn);
  const nparams = fn.numPositional + fn.numKwonly;
  const defaults: Array<Expr | null> = [];
  for (let i = 0; i < nparams; i++) {
    const p = fn.params[i];
    defaults.push(p.dflt ? compileExpr(ctx, p.dflt) : null);
  }
  const hasDefaults = defaults.some((d) => d !== null);
  const free = fn.freevars.map((fv) => ({ local: fv.scope === A.Scope.Local, index: fv.index }));
  const noDefaults: Array<Value | undefined> = new Array(nparams).fill(undefined);
  return (fr) => {
    let dv = noDefaults;
    if (hasDefaults) {
      dv = new Array(nparams);
      for (let i = 0; i < nparams; i++) {
        const d = defaults[i];
        dv[i] = d === null ? undefined : d(fr);
      }
    }
    const cells = new Array<Cell>(free.length);
    for (let i = 0; i < free.length; i++) {
      const f = free[i];
      cells[i] = f.local ? (fr.l[f.index] as Cell) : fr.f[f.index];
    }
    return new StarFunction(code, dv, cells, fr.g);
  };
}

