// The fast backend: each Starlark function is translated into JavaScript source
// and compiled by V8 (new Function), once per program.
//
// Key idea: V8 then optimises every Starlark function as an ordinary JS function
// with its own type feedback — locals become JS `let` variables (registers),
// operators are inlined with their int/string fast paths, loops are JS loops and
// break/continue/return are JS control flow. Everything else is a call into
// runtime.ts. Errors need no per-node wrapping: the function keeps `$p`, the
// index of the site it is executing, and one try/catch around the body turns
// whatever was thrown into an EvalError frame at that site.
//
// Safety: user text never becomes source text. Names, strings, big ints,
// floats, bytes and nested FuncCodes are passed in the constants array `K`;
// only numbers the compiler produced itself (slots, indices, site numbers) are
// spliced into the generated code.
//
// Trade-off: compiling costs more than building closures (V8 parses the
// generated source), which is paid once per program; a reconciler calls the
// compiled functions thousands of times.

import * as A from '../syntax/ast.js';
import type { Value } from '../values/value.js';
import { StarFloat } from '../values/float.js';
import { StarBytes, fromUint8 } from '../values/bytes.js';
import { SMALL_MAX } from '../values/hashtable.js';
import { FuncCode, type CompileOptions, type FastBody } from './function.js';
import * as rt from './runtime.js';
import { definitelyAssigned, targetSlots } from './assigned.js';
import { callExpr } from './codegen_calls.js';
import type { Emitter } from './emitter.js';
import { indexExpr, membership, typeCompare, unpackInto } from './codegen_inline.js';
import { MAX, concatChain, percentLiteral, plus } from './codegen_format.js';
import { rangeLoop } from './codegen_loop.js';
import { constTuple } from './codegen_collections.js';

/** Compiles a resolved file into FuncCodes whose bodies are generated JS. */
export function compileFileCodegen(file: A.File, opts: CompileOptions): FuncCode {
  const cache = new Map<A.FunctionNode, FuncCode>();
  const compileFunction = (fn: A.FunctionNode): FuncCode => {
    let code = cache.get(fn);
    if (code) return code;
    code = FuncCode.of(file.filename, fn, opts.recursion);
    cache.set(fn, code);
    code.fast = new FnGen(file, fn, opts, compileFunction).build();
    return code;
  };
  return compileFunction(file.toplevel);
}

const compareOps = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', 'not in']);

function isBool(e: A.Expr): boolean {
  if (e.kind === 'Binary') return compareOps.has(e.op);
  if (e.kind === 'Unary') return e.op === 'not';
  if (e.kind === 'Paren') return isBool(e.x);
  return false;
}

class FnGen implements Emitter {
  private readonly K: unknown[] = [];
  private readonly sites: rt.SiteInfo[] = [];
  private ntemps = 0;
  /** The current temp scope: the function, or a comprehension's arrow function. */
  private scope: { temps: string[]; P: string } = { temps: [], P: '$p' };
  private ncomp = 0;
  /** Plain local slots known to be bound where code is being generated (comprehension variables). */
  private readonly assigned = new Set<number>();
  private readonly isCell: boolean[] = [];
  private readonly nparams: number;

  constructor(
    private readonly file: A.File,
    private readonly fn: A.FunctionNode,
    readonly opts: CompileOptions,
    private readonly compileFunction: (fn: A.FunctionNode) => FuncCode,
  ) {
    for (const c of fn.cells) this.isCell[c] = true;
    this.nparams = fn === file.toplevel ? 0 : fn.params.length;
  }

  build(): FastBody {
    const body = this.block(this.fn.body);
    const decls: string[] = [];
    for (let i = 0; i < this.fn.numLocals; i++) {
      decls.push(this.isCell[i] ? `const c${i} = l[${i}];` : `let v${i} = l[${i}];`);
    }
    const temps = this.scope.temps.map((t) => `, ${t}`).join('');
    const src = [
      'return function starlark(t, l, f, g, ld) {',
      `let $p = 0, $u, $r${temps};`,
      ...decls,
      'try {',
      body,
      'return null;',
      '} catch ($e) { throw rt.rethrow($e, F, S, $p); }',
      '}',
    ].join('\n');
    const factory = new Function('rt', 'K', 'F', 'S', src) as (
      r: typeof rt, k: unknown[], f: rt.FnInfo, s: rt.SiteInfo[]) => FastBody;
    return factory(rt, this.K, { name: this.fn.name, file: this.file.filename }, this.sites);
  }

  k(v: unknown): string {
    this.K.push(typeof v === 'string' ? rt.intern(v) : v);
    return `K[${this.K.length - 1}]`;
  }

  site(p: A.Pos): number {
    this.sites.push({ line: p.line, col: p.col });
    return this.sites.length - 1;
  }

  tmp(): string {
    const name = `$t${this.ntemps++}`;
    this.scope.temps.push(name);
    return name;
  }

  /** The variable holding the current site index ($p, or a comprehension's own). */
  get P(): string {
    return this.scope.P;
  }

  // ---- statements ----

  /**
   * A block's statements. A plain local is read without the "referenced
   * before assignment" check once it is definitely assigned: by an earlier
   * statement of this block or an enclosing one (Starlark has no `del`, and
   * an error ends the function), or by both branches of an earlier `if`.
   */
  private block(stmts: A.Stmt[]): string {
    const added: number[] = [];
    const out = stmts.map((s) => {
      const code = this.stmt(s);
      const slots = definitelyAssigned(this.isCell, [s]);
      if (slots !== null) {
        for (const i of slots) {
          if (!this.assigned.has(i)) {
            this.assigned.add(i);
            added.push(i);
          }
        }
      }
      return code;
    });
    for (const i of added) this.assigned.delete(i);
    return out.join('\n');
  }

  private stmt(s: A.Stmt): string {
    switch (s.kind) {
      case 'ExprStmt':
        return `${this.expr(s.x)};`;
      case 'Assign':
        if (s.op === '=') return this.assign(s.lhs, this.expr(s.rhs));
        return this.augmented(s);
      case 'Def':
        return this.assign(s.ident, this.closure(s.fn));
      case 'If': {
        const els = s.els.length ? ` else {\n${this.block(s.els)}\n}` : '';
        return `if (${this.cond(s.cond)}) {\n${this.block(s.then)}\n}${els}`;
      }
      case 'For': {
        // The loop variables are assigned in the body (not after the loop: it may not run).
        const vars = new Set<number>();
        targetSlots(this.isCell, s.vars, vars);
        const added = [...vars].filter((i) => !this.assigned.has(i));
        for (const i of added) this.assigned.add(i);
        const body = this.block(s.body);
        for (const i of added) this.assigned.delete(i);
        return this.loop(s.vars, s.x, s, body);
      }
      case 'While': {
        const st = this.site(s);
        return `while (${this.cond(s.cond)}) {\nif (++t.steps > t.maxSteps) { ${this.P} = ${st}; rt.tooManySteps(); }\n${this.block(s.body)}\n}`;
      }
      case 'Branch':
        return s.token === 'break' ? 'break;' : s.token === 'continue' ? 'continue;' : ';';
      case 'Return':
        return `return ${s.result ? this.expr(s.result) : 'null'};`;
      case 'Load': {
        const st = this.site(s);
        const v = this.tmp();
        const lines = [`${v} = (${this.P} = ${st}, rt.load(t, ld, ${this.k(s.module)}, ${this.k(s.from.map((x) => x.name))}));`];
        s.to.forEach((id, i) => lines.push(this.assign(id, `${v}[${i}]`)));
        return lines.join('\n');
      }
    }
  }

  /** `make(array)` of the evaluated parts, the display's site set once they are evaluated. */
  private display(e: A.Expr, make: string, parts: string[]): string {
    const st = this.site(e);
    if (parts.length === 0) return `(${this.P} = ${st}, ${make}([]))`;
    const v = this.tmp();
    return `(${v} = [${parts.join(', ')}], ${this.P} = ${st}, ${make}(${v}))`;
  }

  /**
   * A for loop (statement or comprehension clause) running `body` per element.
   * Ranges are iterated arithmetically; a small dict's keys are read from its
   * live storage with stride 2 (the iteration lock keeps it unchanged), and
   * `for k, v in d.items()` over a dict reads a flat [k0, v0, k1, v1, ...]
   * snapshot instead of a list of tuples. Everything else iterates the array
   * rt.iterArray gives (a list's own elements while it is locked).
   */
  private loop(vars: A.Expr, x: A.Expr, pos: A.Pos, body: string): string {
    const st = this.site(pos);
    const ranged = rangeLoop(this, x, st, (v) => this.assign(vars, v), body);
    if (ranged !== null) return ranged;
    const X = this.tmp(), E = this.tmp(), N = this.tmp(), I = this.tmp(), F = this.tmp(), B = this.tmp(), D = this.tmp(), S = this.tmp();
    const pair = vars.kind === 'Tuple' || vars.kind === 'List' ? vars.elems : vars.kind === 'Paren' && vars.x.kind === 'Tuple' ? vars.x.elems : null;
    const items = pair !== null && pair.length === 2 && x.kind === 'Call' && x.args.length === 0 && x.fn.kind === 'Dot' && x.fn.name === 'items'
      ? x : null;
    let head: string[];
    if (items !== null) {
      const cs = this.site(items);
      const O = this.tmp();
      const cache: rt.MethodCache = { table: null, fn: undefined };
      head = [
        `${O} = ${this.expr((items.fn as A.DotExpr).x)}; ${this.P} = ${cs};`,
        `if (${O} instanceof rt.StarDict) { ${X} = null; ${E} = rt.itemsFlat(${O}); ${N} = ${E}.length; ${S} = 2; }`,
        `else { ${X} = rt.m_items0(t, ${O}, ${this.k(cache)}); ${this.P} = ${st}; ${F} = rt.isFrozenList(${X}); ${E} = rt.iterArray(${X}); ${N} = ${E}.length; ${S} = 1; }`,
      ];
    } else {
      head = [
        `${X} = ${this.expr(x)}; ${this.P} = ${st};`,
        `if (${X} instanceof rt.StarRange) { ${E} = null; ${B} = ${X}.start; ${D} = ${X}.step; ${N} = ${X}.length; ${F} = true; ${S} = 1; }`,
        `else if (${X} instanceof rt.StarDict && (${E} = rt.liveKeys(${X})) !== null) { ${N} = ${E}.length; ${F} = false; ${S} = 2; }`,
        `else { ${F} = rt.isFrozenList(${X}); ${E} = rt.iterArray(${X}); ${N} = ${E}.length; ${S} = 1; }`,
      ];
    }
    const bind = items !== null
      ? `if (${S} === 2) {\n${this.assign(pair![0]!, `${E}[${I}]`)}\n${this.assign(pair![1]!, `${E}[${I} + 1]`)}\n} else {\n${this.assign(vars, `${E}[${I}]`)}\n}`
      : this.assign(vars, `(${E} === null ? ${B} + ${I} * ${D} : ${E}[${I}])`);
    return [
      ...head,
      'try {',
      `for (let ${I} = 0; ${I} < ${N}; ${I} += ${S}) {`,
      `if (++t.steps > t.maxSteps) { ${this.P} = ${st}; rt.tooManySteps(); }`,
      bind,
      body,
      '}',
      `} finally { if (${X} !== null && ${E} !== null) rt.unlock(${X}, ${F}); }`,
    ].join('\n');
  }

  /** Statement code assigning the JS expression `val` to a target. */
  private assign(lhs: A.Expr, val: string): string {
    switch (lhs.kind) {
      case 'Ident': {
        const i = lhs.index;
        if (lhs.scope === A.Scope.Local) return this.isCell[i] ? `c${i}.v = ${val};` : `v${i} = ${val};`;
        if (lhs.scope === A.Scope.Global) return `g[${i}] = ${val};`;
        throw new Error(`internal error: cannot assign to ${lhs.name}`);
      }
      case 'Paren':
        return this.assign(lhs.x, val);
      case 'Index': {
        const v = this.tmp(), o = this.tmp(), k = this.tmp();
        const st = this.site(lhs);
        return `${v} = ${val}; ${o} = ${this.expr(lhs.x)}; ${k} = ${this.expr(lhs.index)}; ${this.P} = ${st}; rt.setIndex(${o}, ${k}, ${v});`;
      }
      case 'Dot': {
        const v = this.tmp(), o = this.tmp();
        const st = this.site(lhs);
        return `${v} = ${val}; ${o} = ${this.expr(lhs.x)}; ${this.P} = ${st}; rt.ops.setField(${o}, ${this.k(lhs.name)}, ${v});`;
      }
      case 'Tuple':
      case 'List': {
        const v = this.tmp();
        const st = this.site(lhs);
        const parts = [`${v} = ${val}; ${this.P} = ${st}; ${unpackInto(v, lhs.elems.length)}`];
        lhs.elems.forEach((e, i) => parts.push(this.assign(e, `${v}[${i}]`)));
        return parts.join('\n');
      }
      default:
        throw new Error(`internal error: invalid assignment target ${lhs.kind}`);
    }
  }

  private augmented(s: A.AssignStmt): string {
    const op = JSON.stringify(s.op);
    const st = this.site(s);
    const lhs = s.lhs.kind === 'Paren' ? s.lhs.x : s.lhs;
    const a = this.tmp(), b = this.tmp();
    // s += str: the concatenation rt.inplace would reach through ops.binary
    const str = s.op === '+' ? `(typeof ${a} === 'string' && typeof ${b} === 'string') ? (${this.P} = ${st}, rt.ops.concat(${a}, ${b})) : ` : '';
    const combine = s.op === '+' || s.op === '-'
      ? `(typeof ${a} === 'number' && typeof ${b} === 'number' && ($r = ${a} ${s.op} ${b}) <= ${MAX} && $r >= -${MAX}) ? $r : ${str}(${this.P} = ${st}, rt.inplace(${op}, ${a}, ${b}))`
      : `(${this.P} = ${st}, rt.inplace(${op}, ${a}, ${b}))`;
    switch (lhs.kind) {
      case 'Ident':
        return `${a} = ${this.expr(lhs)}; ${b} = ${this.expr(s.rhs)};\n${this.assign(lhs, `(${combine})`)}`;
      case 'Index': {
        const o = this.tmp(), k = this.tmp();
        const is = this.site(lhs);
        return `${o} = ${this.expr(lhs.x)}; ${k} = ${this.expr(lhs.index)}; ${this.P} = ${is}; ${a} = rt.getIndex(${o}, ${k}); ${b} = ${this.expr(s.rhs)};\n` +
          `${a} = ${combine}; ${this.P} = ${is}; rt.setIndex(${o}, ${k}, ${a});`;
      }
      case 'Dot': {
        const o = this.tmp();
        const ds = this.site(lhs);
        const name = this.k(lhs.name);
        return `${o} = ${this.expr(lhs.x)}; ${this.P} = ${ds}; ${a} = rt.ops.getAttr(${o}, ${name}); ${b} = ${this.expr(s.rhs)};\n` +
          `${a} = ${combine}; ${this.P} = ${ds}; rt.ops.setField(${o}, ${name}, ${a});`;
      }
      default:
        throw new Error(`internal error: invalid augmented assignment target ${lhs.kind}`);
    }
  }

  // ---- expressions ----

  /** A JS boolean expression for a Starlark condition. */
  private cond(e: A.Expr): string {
    return isBool(e) ? this.expr(e) : `rt.truthy(${this.expr(e)})`;
  }

  expr(e: A.Expr): string {
    switch (e.kind) {
      case 'Ident':
        return this.ident(e);
      case 'Literal':
        return this.literal(e);
      case 'Paren':
        return this.expr(e.x);
      // A display's own charge may exhaust the memory budget: it is made at the display's site,
      // after its elements (the closures backend positions it there too).
      case 'List':
        return this.display(e, 'new rt.StarList', e.elems.map((x) => this.expr(x)));
      case 'Tuple': {
        const k = constTuple(this, e);
        return k !== null ? `(${this.P} = ${this.site(e)}, ${k})` : this.display(e, 'new rt.StarTuple', e.elems.map((x) => this.expr(x)));
      }
      case 'Dict': {
        // As starlark-go: the dict is made (and charged) first, then each entry is added as soon as
        // it is evaluated, so a repeated key fails before later entries run.
        const st = this.site(e);
        if (e.entries.length === 0) return `(${this.P} = ${st}, new rt.StarDict())`;
        if (e.entries.length <= SMALL_MAX) {
          const keys = e.entries.map((en) => (en.key.kind === 'Literal' && en.key.token === 'string' ? (en.key.value as string) : null));
          if (keys.every((k) => k !== null) && new Set(keys).size === keys.length) {
            // Distinct constant keys: no entry can fail, so the entries become the table's storage.
            const v = this.tmp();
            const flat = e.entries.map((en) => `${this.expr(en.key)}, ${this.expr(en.value)}`).join(', ');
            return `(${this.P} = ${st}, rt.tableCharge(), ${v} = [${flat}], rt.dictOfKV(${v}))`;
          }
        }
        const d = this.tmp();
        const parts = e.entries.map((en) => {
          const k = this.tmp(), x = this.tmp();
          return `${k} = ${this.expr(en.key)}, ${x} = ${this.expr(en.value)}, ${this.P} = ${this.site(en)}, rt.dictEntry(${d}, ${k}, ${x})`;
        });
        return `(${this.P} = ${st}, ${d} = new rt.StarDict(), ${parts.join(', ')}, ${d})`;
      }
      case 'Unary':
        return this.unary(e);
      case 'Binary':
        return this.binary(e);
      case 'Cond':
        return `(${this.cond(e.cond)} ? ${this.expr(e.t)} : ${this.expr(e.f)})`;
      case 'Index':
        return indexExpr(this, e);
      case 'Slice': {
        const a = this.tmp(), lo = this.tmp(), hi = this.tmp(), step = this.tmp();
        const st = this.site(e);
        return `(${a} = ${this.expr(e.x)}, ${lo} = ${e.lo ? this.expr(e.lo) : 'null'}, ${hi} = ${e.hi ? this.expr(e.hi) : 'null'}, ` +
          `${step} = ${e.step ? this.expr(e.step) : 'null'}, ${this.P} = ${st}, rt.ops.slice(${a}, ${lo}, ${hi}, ${step}))`;
      }
      case 'Dot': {
        const a = this.tmp();
        const st = this.site(e);
        return `(${a} = ${this.expr(e.x)}, ${this.P} = ${st}, rt.ops.getAttr(${a}, ${this.k(e.name)}))`;
      }
      case 'Call':
        return callExpr(this, e);
      case 'Lambda':
        return this.closure(e.fn);
      case 'Comprehension':
        return this.comprehension(e);
    }
  }

  private ident(id: A.Ident): string {
    const i = id.index;
    const st = this.site(id);
    const name = () => this.k(id.name);
    switch (id.scope) {
      case A.Scope.Local:
        if (this.isCell[i]) return `(($u = c${i}.v) === undefined ? (${this.P} = ${st}, rt.unboundLocal(${name()})) : $u)`;
        if (i < this.nparams || this.assigned.has(i)) return `v${i}`;
        return `(v${i} === undefined ? (${this.P} = ${st}, rt.unboundLocal(${name()})) : v${i})`;
      case A.Scope.Free:
        return `(($u = f[${i}].v) === undefined ? (${this.P} = ${st}, rt.unboundLocal(${name()})) : $u)`;
      case A.Scope.Global:
      case A.Scope.Predeclared:
        return `(($u = g[${i}]) === undefined ? (${this.P} = ${st}, rt.unboundGlobal(${name()})) : $u)`;
      case A.Scope.Universal: {
        const v = this.opts.universe.get(id.name);
        if (v === undefined) return `(${this.P} = ${st}, rt.undefinedName(${name()}))`;
        if (v === null) return 'null';
        if (v === true) return 'true';
        if (v === false) return 'false';
        return this.k(v);
      }
      default:
        return `(${this.P} = ${st}, rt.undefinedName(${name()}))`;
    }
  }

  private literal(e: A.Literal): string {
    switch (e.token) {
      case 'int':
        return typeof e.value === 'number' ? String(e.value) : this.k(e.value);
      case 'float':
        return this.k(new StarFloat(e.value as number));
      case 'string':
        return this.k(e.value);
      case 'bytes':
        return this.k(new StarBytes(fromUint8(e.value as Uint8Array)));
    }
  }

  private unary(e: A.UnaryExpr): string {
    if (e.op === 'not') return `!${this.cond(e.x)}`;
    const a = this.tmp();
    const st = this.site(e);
    const op = JSON.stringify(e.op);
    if (e.op === '-') {
      return `(${a} = ${this.expr(e.x)}, typeof ${a} === 'number' ? (${a} === 0 ? 0 : -${a}) : (${this.P} = ${st}, rt.ops.unary(${op}, ${a})))`;
    }
    return `(${a} = ${this.expr(e.x)}, ${this.P} = ${st}, rt.ops.unary(${op}, ${a}))`;
  }

  private binary(e: A.BinaryExpr): string {
    const a = this.tmp();
    if (e.op === 'or') return `(rt.truthy(${a} = ${this.expr(e.x)}) ? ${a} : ${this.expr(e.y)})`;
    if (e.op === 'and') return `(rt.truthy(${a} = ${this.expr(e.x)}) ? ${this.expr(e.y)} : ${a})`;
    const b = this.tmp();
    const st = this.site(e);
    if (e.op === '%' || e.op === '+') {
      const fmt = e.op === '%' ? percentLiteral(this, e, st) : concatChain(this, e);
      if (fmt !== null) return fmt;
    }
    const kind = typeCompare(this, e);
    if (kind !== null) return kind;
    const op = JSON.stringify(e.op);
    const head = `${a} = ${this.expr(e.x)}, ${b} = ${this.expr(e.y)}`;
    const nums = `typeof ${a} === 'number' && typeof ${b} === 'number'`;
    const slow = `(${this.P} = ${st}, rt.ops.binary(${op}, ${a}, ${b}))`;
    switch (e.op) {
      case '+':
        return `(${head}, ${plus(this.P, a, b, st)})`;
      case '-':
        return `(${head}, (${nums} && ($r = ${a} - ${b}) <= ${MAX} && $r >= -${MAX}) ? $r : ${slow})`;
      case '*':
        return `(${head}, (${nums} && Number.isSafeInteger($r = ${a} * ${b})) ? $r + 0 : ${slow})`;
      case '//':
        return `(${head}, (${nums} && (${a} | 0) === ${a} && (${b} | 0) === ${b} && ${b} !== 0) ? Math.floor(${a} / ${b}) + 0 : ${slow})`;
      case '%':
        return `(${head}, (${nums} && ${b} !== 0) ? (($r = ${a} % ${b}) !== 0 && ($r < 0) !== (${b} < 0) ? $r + ${b} : $r + 0) : ${slow})`;
      case '==':
        return `(${head}, (typeof ${a} !== 'object' && typeof ${a} === typeof ${b}) ? ${a} === ${b} : (${this.P} = ${st}, rt.ops.equal(${a}, ${b})))`;
      case '!=':
        return `(${head}, (typeof ${a} !== 'object' && typeof ${a} === typeof ${b}) ? ${a} !== ${b} : (${this.P} = ${st}, !rt.ops.equal(${a}, ${b})))`;
      case '<': case '<=': case '>': case '>=':
        return `(${head}, ((${nums}) || (typeof ${a} === 'string' && typeof ${b} === 'string')) ? ${a} ${e.op} ${b} : (${this.P} = ${st}, rt.ops.compare(${op}, ${a}, ${b})))`;
      case 'in':
      case 'not in':
        return `(${head}, ${membership(this.P, a, b, st, e.op === 'not in')})`;
      default:
        return `(${head}, ${slow})`;
    }
  }

  private closure(fn: A.FunctionNode): string {
    const code = this.compileFunction(fn);
    const nparams = fn.numPositional + fn.numKwonly;
    const defaults: string[] = [];
    let any = false;
    for (let i = 0; i < nparams; i++) {
      const p = fn.params[i];
      if (p.dflt) {
        any = true;
        defaults.push(this.expr(p.dflt));
      } else {
        defaults.push('undefined');
      }
    }
    const dv = any ? `[${defaults.join(', ')}]` : this.k(new Array(nparams).fill(undefined));
    const cells = fn.freevars.map((fv) => (fv.scope === A.Scope.Local ? `c${fv.index}` : `f[${fv.index}]`));
    return `rt.makeFunction(${this.k(code)}, ${dv}, [${cells.join(', ')}], g)`;
  }

  /**
   * A comprehension is an immediately-called arrow function. To keep the
   * enclosing function's variables in registers, the arrow declares its own
   * temporaries, site variable and comprehension variables, takes t/g/f as
   * parameters, and reports its failing site by wrapping the error (rt.sited)
   * instead of writing the enclosing function's $p.
   */
  private comprehension(e: A.Comprehension): string {
    const outer = this.scope;
    this.scope = { temps: [], P: `$q${this.ncomp++}` };
    // A comprehension variable is bound in the clauses after its `for` and in
    // the body; a clause at or before it (`[x for _ in l for x in x]`) must check.
    const vars = new Set<string>();
    const slots: number[] = [];
    const boundBefore: number[][] = [];
    for (const c of e.clauses) {
      boundBefore.push(slots.filter((i) => !this.assigned.has(i)));
      if (c.type === 'for') this.boundVars(c.vars, vars, slots);
    }
    const newlyAssigned = slots.filter((i) => !this.assigned.has(i));
    for (const i of newlyAssigned) this.assigned.add(i);
    const acc = this.tmp();
    let inner: string;
    if (e.curly) {
      const en = e.body as A.DictEntry;
      const k = this.tmp(), v = this.tmp();
      const st = this.site(en);
      inner = `${k} = ${this.expr(en.key)}; ${v} = ${this.expr(en.value)}; ${this.P} = ${st}; ${acc}.set(${k}, ${v});`;
    } else {
      inner = `${acc}.push(${this.expr(e.body as A.Expr)});`;
    }
    for (let i = e.clauses.length - 1; i >= 0; i--) {
      const c = e.clauses[i];
      for (const j of newlyAssigned) this.assigned.delete(j);
      for (const j of boundBefore[i]!) this.assigned.add(j);
      if (c.type === 'if') inner = `if (${this.cond(c.cond)}) {\n${inner}\n}`;
      else inner = this.loop(c.vars, c.x, c, inner);
    }
    for (const i of newlyAssigned) this.assigned.delete(i);
    const P = this.P;
    const decls = [...this.scope.temps, ...vars].map((t) => `, ${t}`).join('');
    this.scope = outer;
    // The result's own charges (a dict's table first, a list's at the end) are positioned at the
    // comprehension, as the closures backend does.
    const cs = this.site(e);
    const init = e.curly ? `(${P} = ${cs}, new rt.StarDict())` : '[]';
    const result = e.curly ? acc : `(${P} = ${cs}, new rt.StarList(${acc}))`;
    return `((t, g, f) => { let ${P} = 0, $u, $r${decls};\ntry {\n${acc} = ${init};\n${inner}\nreturn ${result};\n` +
      `} catch ($e) { throw rt.sited($e, ${P}); } })(t, g, f)`;
  }

  /** Names of the plain (non-cell) local variables a comprehension clause binds. */
  private boundVars(target: A.Expr, out: Set<string>, slots: number[]): void {
    if (target.kind === 'Ident') {
      if (target.scope === A.Scope.Local && !this.isCell[target.index]) {
        out.add(`v${target.index}`);
        slots.push(target.index);
      }
    } else if (target.kind === 'Tuple' || target.kind === 'List') {
      for (const x of target.elems) this.boundVars(x, out, slots);
    } else if (target.kind === 'Paren') {
      this.boundVars(target.x, out, slots);
    }
  }
}

export type { Value };
