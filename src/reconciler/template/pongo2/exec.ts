// Executing parsed pongo2 templates (flosch/pongo2 v6 nodes, tags_*.go,
// variable.go, context.go) over JSON-shaped data.
//
// A context has the render's data (public) and the template's own names
// (private: set variables, loop variables, macros, `forloop`); a block
// statement (for, with, a macro call) works on a copy of the private names,
// so a `set` inside a loop is gone after it, as in pongo2. Output is
// autoescaped as in pongo2 (its default, which the original choreo keeps):
// a string printed with {{ }} is HTML-escaped unless `|safe` is applied or it
// came from a macro. A missing variable or key is nil and prints as "";
// accessing a field of a string or number is an error. Every error names the
// template file, line and column of the expression or tag at fault.
//
// Unlike pongo2, state of `cycle` and `ifchanged` lives for one render (in
// pongo2 it lives in the parsed template, so output would depend on earlier
// reconciles), and a map is iterated in sorted key order.

import { FilterError, type Filter } from './filters.js';
import { Pongo2Error, type Token } from './lex.js';
import { filterApplied, type Expr, type Loader, type Macro, type Node, type Template } from './parse.js';
import { parseTemplate } from './template.js';
import { asFloat, contains, CycleValue, equal, float, GoFloat, integer, isFloat, isNil, isNumber, isString, isTrue, iterate, kindName, negate, SafeString, str, type Fn } from './value.js';

interface RenderState {
  cycles: Map<object, number>;
  changed: Map<object, { content?: string; values?: unknown[] }>;
  loader: Loader;
  depth: number;
}

interface Ctx {
  /** The root of the extends chain being executed (blocks are looked up from it). */
  tpl: Template;
  autoescape: boolean;
  pub: Record<string, unknown>;
  priv: Map<string, unknown>;
  state: RenderState;
}

const maxCallDepth = 500;
const identifier = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const child = (c: Ctx): Ctx => ({ ...c, priv: new Map(c.priv) });

function fail(msg: string, tok: Token | undefined, tpl: Template): never {
  throw tok ? new Pongo2Error(tok.file, tok.line, tok.col, msg) : new Pongo2Error(tpl.file, 0, 0, msg);
}

/** Renders `tpl` with `data` as its public context (pongo2's Template.Execute). */
export function execute(tpl: Template, data: Record<string, unknown>, loader: Loader, state?: RenderState): string {
  const st = state ?? { cycles: new Map(), changed: new Map(), loader, depth: 0 };
  let root = tpl;
  while (root.parent) root = root.parent;
  for (const k of Object.keys(data)) {
    if (!identifier.test(k)) fail(`context-key '${k}' is not a valid identifier`, undefined, tpl);
    if (tpl.exported.has(k)) fail(`context key name '${k}' clashes with macro '${k}'`, undefined, tpl);
  }
  const ctx: Ctx = { tpl: root, autoescape: true, pub: data, priv: new Map<string, unknown>([['pongo2', { version: '6.0.0' }]]), state: st };
  const out: string[] = [];
  run(ctx, root.nodes, out);
  return out.join('');
}

function run(ctx: Ctx, nodes: Node[], out: string[]): void {
  for (const n of nodes) exec(ctx, n, out);
}

function render(ctx: Ctx, nodes: Node[]): string {
  const out: string[] = [];
  run(ctx, nodes, out);
  return out.join('');
}

const escape = (s: string) => (/[&<>"']/.test(s) ? s.replaceAll('&', '&amp;').replaceAll('>', '&gt;').replaceAll('<', '&lt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;') : s);

function exec(ctx: Ctx, n: Node, out: string[]): void {
  switch (n.k) {
    case 'out': {
      const v = evaluate(ctx, n.e);
      out.push(!n.safe && typeof v === 'string' && ctx.autoescape ? escape(v) : str(v));
      return;
    }
    case 'text':
      out.push(n.s);
      return;
    case 'nothing':
      return;
    case 'if':
      for (let i = 0; i < n.conds.length; i++) {
        if (isTrue(evaluate(ctx, n.conds[i]!))) return run(ctx, n.bodies[i]!, out);
        if (i === n.conds.length - 1 && n.bodies.length > i + 1) return run(ctx, n.bodies[i + 1]!, out);
      }
      return;
    case 'for': {
      const fc = child(ctx);
      const info = { Counter: 0, Counter0: 0, Revcounter: 0, Revcounter0: 0, First: true, Last: false, Parentloop: fc.priv.get('forloop') ?? null };
      fc.priv.set('forloop', info);
      const items = iterate(evaluate(fc, n.e), n.reversed, n.sorted);
      if (!items || items.length === 0) {
        if (n.empty) run(fc, n.empty, out);
        return;
      }
      items.forEach(([key, value], idx) => {
        fc.priv.set(n.key, key);
        if (value !== undefined) fc.priv.set(n.value ?? '', value);
        info.Counter = idx + 1;
        info.Counter0 = idx;
        if (idx === 1) info.First = false;
        if (idx + 1 === items.length) info.Last = true;
        info.Revcounter = items.length - idx;
        info.Revcounter0 = items.length - (idx + 1);
        run(fc, n.body, out);
      });
      return;
    }
    case 'set':
      ctx.priv.set(n.name, evaluate(ctx, n.e));
      return;
    case 'with': {
      const wc = child(ctx);
      for (const [k, e] of n.pairs) wc.priv.set(k, evaluate(ctx, e));
      run(wc, n.body, out);
      return;
    }
    case 'macro':
      ctx.priv.set(n.name, macroFn(n, ctx));
      return;
    case 'import':
      for (const [as, m] of n.macros) ctx.priv.set(as, macroFn(m, ctx));
      return;
    case 'include': {
      const data: Record<string, unknown> = {};
      if (!n.only) {
        Object.assign(data, ctx.pub);
        for (const [k, v] of ctx.priv) data[k] = v;
      }
      for (const [k, e] of n.pairs) data[k] = evaluate(ctx, e);
      let tpl = n.tpl;
      if (!tpl) {
        const name = str(evaluate(ctx, n.nameExpr!));
        if (name === '') fail("Filename for 'include'-tag evaluated to an empty string.", n.tok, ctx.tpl);
        if (!ctx.state.loader.get(name)) {
          if (n.ifExists) return;
          fail(`template '${name}' not found`, n.tok, ctx.tpl);
        }
        tpl = parseTemplate(ctx.state.loader, name, 1);
      }
      nested(ctx, () => out.push(execute(tpl, data, ctx.state.loader, ctx.state)), n.tok);
      return;
    }
    case 'ssi': {
      if (n.text !== undefined) {
        out.push(n.text);
        return;
      }
      const data: Record<string, unknown> = { ...ctx.pub };
      for (const [k, v] of ctx.priv) data[k] = v;
      out.push(execute(n.tpl!, data, ctx.state.loader, ctx.state));
      return;
    }
    case 'filter': {
      let v: unknown = render(ctx, n.body);
      for (const call of n.chain) v = applyFilter(call.name, call.fn, v, call.param ? evaluate(ctx, call.param) : null, n.tok);
      out.push(str(v));
      return;
    }
    case 'spaceless': {
      let s = render(ctx, n.body);
      for (;;) {
        const s2 = s.replace(/(<.*?>)([\t\n\v\f\r ]+)(<.*?>)/g, '$1$3');
        if (s2 === s) break;
        s = s2;
      }
      out.push(s);
      return;
    }
    case 'autoescape': {
      const old = ctx.autoescape;
      ctx.autoescape = n.on;
      run(ctx, n.body, out);
      ctx.autoescape = old;
      return;
    }
    case 'firstof':
      for (const a of n.args) {
        const v = evaluate(ctx, a);
        if (isTrue(v)) {
          out.push(ctx.autoescape && !filterApplied(a, 'safe') ? escape(str(v)) : str(v));
          return;
        }
      }
      return;
    case 'cycle': {
      const v = cycleNext(ctx, n);
      if (v instanceof CycleValue) {
        const node = v.node as Extract<Node, { k: 'cycle' }>;
        v.value = cycleNext(ctx, node);
        if (!node.silent) out.push(str(v.value));
      } else {
        if (n.as) ctx.priv.set(n.as, new CycleValue(n, v));
        if (!n.silent) out.push(str(v));
      }
      return;
    }
    case 'ifequal': {
      const same = equal(evaluate(ctx, n.a), evaluate(ctx, n.b));
      if (same !== n.not) run(ctx, n.then, out);
      else if (n.else) run(ctx, n.else, out);
      return;
    }
    case 'ifchanged': {
      const memo = ctx.state.changed.get(n) ?? {};
      ctx.state.changed.set(n, memo);
      if (n.exprs.length === 0) {
        const s = render(ctx, n.then);
        if (s !== memo.content) {
          out.push(s);
          memo.content = s;
        }
        return;
      }
      const now = n.exprs.map((e) => evaluate(ctx, e));
      const changed = !memo.values || memo.values.some((old, i) => !equal(old, now[i]));
      memo.values = now;
      if (changed) run(ctx, n.then, out);
      else if (n.else) run(ctx, n.else, out);
      return;
    }
    case 'widthratio': {
      const v = Math.ceil((float(evaluate(ctx, n.cur)) / float(evaluate(ctx, n.max))) * float(evaluate(ctx, n.width)) + 0.5);
      if (n.as) ctx.priv.set(n.as, v);
      else out.push(String(v));
      return;
    }
    case 'now':
      out.push(goTimeFormat(n.fake ? new Date(Date.UTC(2014, 1, 5, 18, 31, 45)) : new Date(), n.format));
      return;
    case 'lorem':
      out.push(lorem(n.count, n.method, n.random));
      return;
    case 'block':
      runBlock(ctx, n.name, out);
      return;
  }
}

/** Runs `fn` one level deeper (include / macro), refusing runaway recursion with an error instead of a stack overflow. */
function nested<T>(ctx: Ctx, fn: () => T, at: Token): T {
  if (ctx.state.depth >= maxCallDepth) fail(`macros or includes nest more than ${maxCallDepth} deep (endless recursion?)`, at, ctx.tpl);
  ctx.state.depth++;
  try {
    return fn();
  } finally {
    ctx.state.depth--;
  }
}

function cycleNext(ctx: Ctx, n: Extract<Node, { k: 'cycle' }>): unknown {
  const i = ctx.state.cycles.get(n) ?? 0;
  ctx.state.cycles.set(n, i + 1);
  return evaluate(ctx, n.args[i % n.args.length]!);
}

/** The blocks of `name` from the root template down to the most derived one; the last runs, `block.Super` the one before. */
function runBlock(ctx: Ctx, name: string, out: string[]): void {
  const wrappers: Node[][] = [];
  for (let t: Template | undefined = ctx.tpl; t; t = t.child) {
    const b = t.blocks.get(name);
    if (b) wrappers.push(b);
  }
  const superOf = (rest: Node[][], c: Ctx) => ({
    Super: (): SafeString => {
      if (rest.length === 0) return new SafeString('');
      const sc = child(c);
      sc.priv.set('block', superOf(rest.slice(0, -1), c));
      return new SafeString(render(sc, rest.at(-1)!));
    },
  });
  ctx.priv.set('block', superOf(wrappers.slice(0, -1), ctx));
  run(ctx, wrappers.at(-1) ?? [], out);
}

/** A macro as a callable: evaluated defaults, arguments by position (safe strings lose their safety, as Value.Interface() does), output safe. */
function macroFn(m: Macro, defCtx: Ctx): Fn {
  return (args) =>
    nested(
      defCtx,
      () => {
        const mc = child(defCtx);
        for (const [k, d] of m.defaults) mc.priv.set(k, d ? evaluate(defCtx, d) : null);
        if (args.length > m.params.length) fail(`Macro '${m.name}' called with too many arguments (${args.length} instead of ${m.params.length}).`, m.tok, defCtx.tpl);
        args.forEach((a, i) => mc.priv.set(m.params[i]!, a instanceof SafeString ? a.s : a));
        return new SafeString(render(mc, m.body));
      },
      m.tok,
    );
}

function applyFilter(name: string, fn: Filter, v: unknown, param: unknown, tok: Token): unknown {
  try {
    return fn(v, param);
  } catch (err) {
    if (err instanceof FilterError) throw new Pongo2Error(tok.file, tok.line, tok.col, `filter '${name}': ${err.message}`);
    throw err;
  }
}

// ---- expressions ----

export function evaluate(ctx: Ctx, e: Expr): unknown {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'var':
      return resolve(ctx, e);
    case 'filtered': {
      let v = evaluate(ctx, e.base);
      for (const f of e.chain) v = applyFilter(f.name, f.fn, v, f.param ? evaluate(ctx, f.param) : null, f.tok);
      return v;
    }
    case 'logic': {
      const and = e.op.val === 'and' || e.op.val === '&&';
      const a = isTrue(evaluate(ctx, e.a));
      if (and ? !a : a) return !and;
      return isTrue(evaluate(ctx, e.b));
    }
    case 'rel': {
      const a = evaluate(ctx, e.a);
      const b = evaluate(ctx, e.b);
      const numeric = (cmp: (x: number, y: number) => boolean) => (isFloat(a) || isFloat(b) ? cmp(float(a), float(b)) : cmp(integer(a), integer(b)));
      switch (e.op.val) {
        case '<=':
          return numeric((x, y) => x <= y);
        case '>=':
          return numeric((x, y) => x >= y);
        case '<':
          return numeric((x, y) => x < y);
        case '>':
          return numeric((x, y) => x > y);
        case '==':
          return equal(a, b);
        case 'in':
          return contains(b, a);
        default:
          return !equal(a, b);
      }
    }
    case 'simple': {
      let r = evaluate(ctx, e.a);
      if (e.negate) r = negate(r);
      if (e.neg) {
        if (!isNumber(r)) fail('Negative sign on a non-number expression', e.tok, ctx.tpl);
        r = isFloat(r) ? asFloat(-float(r)) : -integer(r);
      }
      if (!e.b) return r;
      const b = evaluate(ctx, e.b);
      if (e.op!.val === '+') {
        if (isString(r) || isString(b)) return str(r) + str(b);
        return isFloat(r) || isFloat(b) ? asFloat(float(r) + float(b)) : integer(r) + integer(b);
      }
      return isFloat(r) || isFloat(b) ? asFloat(float(r) - float(b)) : integer(r) - integer(b);
    }
    case 'term': {
      const a = evaluate(ctx, e.a);
      const b = evaluate(ctx, e.b);
      const fl = isFloat(a) || isFloat(b);
      if (e.op.val === '*') return fl ? asFloat(float(a) * float(b)) : integer(a) * integer(b);
      if (e.op.val === '/') {
        if (fl) return asFloat(float(a) / float(b));
        if (integer(b) === 0) fail('integer divide by zero', e.op, ctx.tpl);
        return Math.trunc(integer(a) / integer(b));
      }
      if (integer(b) === 0) fail('integer divide by zero', e.op, ctx.tpl);
      return integer(a) % integer(b);
    }
    case 'power':
      return new GoFloat(Math.pow(float(evaluate(ctx, e.a)), float(evaluate(ctx, e.b))));
  }
}

function pathOf(e: Extract<Expr, { k: 'var' }>): string {
  return e.parts.map((p) => (p.k === 'ident' ? p.s : p.k === 'int' ? String(p.i) : '[...]')).join('.');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat) && !(v instanceof SafeString) && !(v instanceof CycleValue);

/** A key of the data, never of Object.prototype (`{{ constructor }}` is nil). */
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** pongo2's variableResolver.resolve: a.b (key), a.0 (index), a[x] (subscript), f(x) (call); nil as soon as something is missing. */
function resolve(ctx: Ctx, e: Extract<Expr, { k: 'var' }>): unknown {
  const err = (msg: string): never => fail(msg, e.tok, ctx.tpl);
  let cur: unknown;
  for (let i = 0; i < e.parts.length; i++) {
    const part = e.parts[i]!;
    if (i === 0) {
      const name = (part as { s: string }).s;
      cur = ctx.priv.has(name) ? ctx.priv.get(name) : own(ctx.pub, name);
    } else if (part.k === 'int' || part.k === 'sub') {
      const p = cur instanceof SafeString ? cur.s : cur;
      if (typeof p === 'string' || Array.isArray(p)) {
        const at = part.k === 'int' ? part.i : integer(evaluate(ctx, part.e));
        if (at < 0 || at >= (typeof p === 'string' ? Buffer.byteLength(p) : p.length)) return null;
        // Indexing a Go string gives a byte.
        cur = typeof p === 'string' ? Buffer.from(p, 'utf8')[at] : p[at];
      } else if (part.k === 'sub' && isObject(p)) {
        const key = evaluate(ctx, part.e);
        cur = isString(key) ? own(p, str(key)) : null;
      } else err(`can't access an index on type ${kindName(cur)} (variable ${pathOf(e)})`);
    } else {
      if (isObject(cur)) cur = own(cur, part.s);
      else err(`can't access a field by name on type ${kindName(cur)} (variable ${pathOf(e)})`);
    }
    if (isNil(cur)) return null;
    if (part.call || typeof cur === 'function') {
      if (typeof cur !== 'function') err(`'${pathOf(e)}' is not a function (it is ${kindName(cur)})`);
      const args = (part.call ?? []).map((a) => evaluate(ctx, a));
      cur = (cur as Fn)(args);
      if (isNil(cur)) return null;
    }
  }
  return cur;
}

// ---- now / lorem ----

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Go's time.Format for a UTC time: the reference-time layout elements (2006 01 02 15 04 05 Jan Mon MST ...). */
export function goTimeFormat(d: Date, layout: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const h12 = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const elems: Array<[string, () => string]> = [
    ['January', () => months[d.getUTCMonth()]!],
    ['Monday', () => days[d.getUTCDay()]!],
    ['2006', () => String(d.getUTCFullYear())],
    ['-07:00', () => '+00:00'],
    ['-0700', () => '+0000'],
    ['Z07:00', () => 'Z'],
    ['Z0700', () => 'Z'],
    ['.000', () => `.${String(d.getUTCMilliseconds()).padStart(3, '0')}`],
    ['Jan', () => months[d.getUTCMonth()]!.slice(0, 3)],
    ['Mon', () => days[d.getUTCDay()]!.slice(0, 3)],
    ['MST', () => 'UTC'],
    ['01', () => p2(d.getUTCMonth() + 1)],
    ['02', () => p2(d.getUTCDate())],
    ['_2', () => String(d.getUTCDate()).padStart(2, ' ')],
    ['06', () => p2(d.getUTCFullYear() % 100)],
    ['15', () => p2(d.getUTCHours())],
    ['03', () => p2(h12)],
    ['04', () => p2(d.getUTCMinutes())],
    ['05', () => p2(d.getUTCSeconds())],
    ['PM', () => (d.getUTCHours() >= 12 ? 'PM' : 'AM')],
    ['pm', () => (d.getUTCHours() >= 12 ? 'pm' : 'am')],
    ['1', () => String(d.getUTCMonth() + 1)],
    ['2', () => String(d.getUTCDate())],
    ['3', () => String(h12)],
    ['4', () => String(d.getUTCMinutes())],
    ['5', () => String(d.getUTCSeconds())],
  ];
  let out = '';
  for (let i = 0; i < layout.length; ) {
    const el = elems.find(([k]) => layout.startsWith(k, i));
    if (el) {
      out += el[1]();
      i += el[0].length;
    } else out += layout[i++];
  }
  return out;
}

const loremText = 'Lorem ipsum dolor sit amet, consectetur adipisici elit, sed eiusmod tempor incidunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquid ex ea commodi consequat. Quis aute iure reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint obcaecat cupiditat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';

/** The lorem tag: words (w), paragraphs (p) or plain text (b); pongo2's longer text is one paragraph here. */
function lorem(count: number, method: string, random: boolean): string {
  const words = loremText.split(' ');
  const pick = <T>(xs: T[], i: number): T => xs[random ? Math.floor(Math.random() * xs.length) : i % xs.length]!;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(method === 'w' ? pick(words, i) : method === 'p' ? `<p>${loremText}</p>` : loremText);
  return out.join(method === 'w' ? ' ' : '\n');
}
