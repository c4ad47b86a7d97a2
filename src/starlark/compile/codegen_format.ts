// String formatting with a constant format string, for the fast backend
// (codegen.ts): `"…%s…%d…" % x` and `"…{}…{name}…".format(...)`.
//
// Key idea: the format string is parsed once, at compile time, into literal
// pieces and conversions, and the call becomes one JS string concatenation of
// the pieces and the operands. Only formats whose every conversion is `%s`,
// `%d`/`%i`, `%r` (or a plain `{}`/`{N}`/`{name}` field resolved statically) are
// specialised, and at run time only str/int operands take the fast path
// (their str() is themselves / their decimal digits); anything else — a
// bigint, a dict for `%(k)s`, a malformed format — goes through the general
// percentFormat / str.format unchanged, with its error messages. Memory is
// charged as the general path charges it (runtime.ts: charged, formatCharged).
//
// String `+` chains (`a + "/" + b + ":" + c`, each operand a literal or a
// bound local) are joined the same way when every operand is a str, and are
// charged per intermediate result as the `+` steps are; otherwise they run as
// the `+` steps they are (plus()).

import * as A from '../syntax/ast.js';
import type { Emitter } from './emitter.js';

/** The largest safe integer, as source text. */
export const MAX = '9007199254740991';

/** `a + b` of two JS variables at site st: the int and str fast paths inline, ops.binary otherwise. */
export function plus(P: string, a: string, b: string, st: number): string {
  return `((typeof ${a} === 'number' && typeof ${b} === 'number' && ($r = ${a} + ${b}) <= ${MAX} && $r >= -${MAX}) ? $r : ` +
    `(typeof ${a} === 'string' && typeof ${b} === 'string') ? (${P} = ${st}, rt.ops.concat(${a}, ${b})) : (${P} = ${st}, rt.ops.binary('+', ${a}, ${b})))`;
}

/** `x0 + x1 + ... + xn` (n >= 2, left-assoc, some operand a string literal, each a literal or a local bound here); null otherwise. */
export function concatChain(g: Emitter, e: A.BinaryExpr): string | null {
  const steps: A.BinaryExpr[] = [];
  let x: A.Expr = e;
  while (x.kind === 'Binary' && x.op === '+') {
    steps.unshift(x);
    x = x.x;
  }
  const operands = [x, ...steps.map((s) => s.y)];
  if (operands.length < 3 || !operands.some((o) => stringLiteral(o) !== null)) return null;
  if (!operands.every((o) => o.kind === 'Literal' || (o.kind === 'Ident' && o.scope === A.Scope.Local))) return null;
  // Operands that cannot fail or have effects may be read before the first `+`: plain bound locals and constants.
  const vals = operands.map((o) => g.expr(o));
  if (!vals.every((v) => /^(v|K\[)[0-9]+\]?$/.test(v))) return null;
  const check = operands.map((o, i) => (stringLiteral(o) === null ? `typeof ${vals[i]} === 'string'` : null)).filter((c) => c !== null);
  const r = g.tmp();
  const sites = steps.map((s) => g.site(s));
  let slow = `${r} = ${vals[0]}`;
  for (let i = 1; i < vals.length; i++) slow += `, ${r} = ${plus(g.P, r, vals[i]!, sites[i - 1]!)}`;
  return `((${check.length ? check.join(' && ') : 'true'}) && (${r} = rt.concatN([${vals.join(', ')}])) !== null ? ${r} : (${slow}, ${r}))`;
}

/** A parsed format: literal pieces (strings) and conversions of operand `arg` (s: str, d: decimal int, r: repr). */
type Piece = string | { arg: number; conv: 's' | 'd' | 'r' };

function stringLiteral(e: A.Expr): string | null {
  while (e.kind === 'Paren') e = e.x;
  return e.kind === 'Literal' && e.token === 'string' ? (e.value as string) : null;
}

/** `%` format pieces, or null when the format uses anything but %s %d %i %r %%. */
function parsePercent(f: string): Piece[] | null {
  const out: Piece[] = [];
  let lit = '';
  let n = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    const d = f[++i];
    if (d === '%') {
      lit += '%';
      continue;
    }
    if (d !== 's' && d !== 'd' && d !== 'i' && d !== 'r') return null;
    if (lit !== '') out.push(lit);
    lit = '';
    out.push({ arg: n++, conv: d === 'i' ? 'd' : d });
  }
  if (lit !== '') out.push(lit);
  return out;
}

/**
 * The JS string expression concatenating parts (JS expressions, the first
 * `''`). Three or more parts are joined by Array.join, which builds one flat
 * string: `+` builds a tree of cons strings, each node a heap object that a
 * kept result (a list of rendered lines) drags through every scavenge, and
 * that is flattened again when read.
 */
function joined(parts: string[]): string {
  return parts.length <= 3 ? parts.join(' + ') : `[${parts.slice(1).join(', ')}].join('')`;
}

/** The concatenation of pieces, with operand i in vars[i]; null when an operand is not a str/int at run time. */
function concat(g: Emitter, pieces: Piece[], vars: string[], single: boolean): { code: string; check: string } {
  const code: string[] = ["''"];
  const check: string[] = [];
  for (const p of pieces) {
    if (typeof p === 'string') {
      code.push(g.k(p));
    } else {
      const v = vars[p.arg]!;
      if (p.conv === 'r') {
        code.push(`rt.ops.repr(${v})`); // any operand, but a single one must not be a tuple (of operands)
        if (single) check.push(`!(${v} instanceof rt.StarTuple)`);
        continue;
      }
      code.push(v);
      check.push(p.conv === 'd' ? `typeof ${v} === 'number'` : `(typeof ${v} === 'string' || typeof ${v} === 'number')`);
    }
  }
  return { code: joined(code), check: check.length ? check.join(' && ') : 'true' };
}

/** `lit % y` with a constant format; null: use the general operator. */
export function percentLiteral(g: Emitter, e: A.BinaryExpr, st: number): string | null {
  const f = stringLiteral(e.x);
  if (f === null) return null;
  const pieces = parsePercent(f);
  if (pieces === null) return null;
  const nconv = pieces.filter((p) => typeof p !== 'string').length;
  let y: A.Expr = e.y;
  while (y.kind === 'Paren') y = y.x;
  const fk = g.k(f);
  if (y.kind === 'Tuple') {
    if (y.elems.length !== nconv || nconv === 0) return null;
    const vars = y.elems.map(() => g.tmp());
    const head = y.elems.map((x, i) => `${vars[i]} = ${g.expr(x)}`).join(', ');
    const { code, check } = concat(g, pieces, vars, false);
    // The operand tuple is never built on the fast path, but charged as the tuple display would be
    // (after its elements, before the `%`), so a memory budget runs out where the general path's does.
    const t = g.tmp(), ts = g.site(y);
    return `(${head}, ${g.P} = ${ts}, (${check}) ? (rt.tupleCharge(${vars.length}), ${g.P} = ${st}, rt.charged(${code})) : ` +
      `(${t} = new rt.StarTuple([${vars.join(', ')}]), ${g.P} = ${st}, rt.ops.binary('%', ${fk}, ${t})))`;
  }
  if (nconv !== 1) return null;
  // One operand that is a str or an int is not a tuple or a mapping: it is the single argument.
  const v = g.tmp();
  const { code, check } = concat(g, pieces, [v], true);
  return `(${v} = ${g.expr(e.y)}, ${g.P} = ${st}, (${check}) ? rt.charged(${code}) : rt.ops.binary('%', ${fk}, ${v}))`;
}

/** str.format pieces for a call with npos positional arguments and the given names; null unless every field is a plain, resolvable one. */
function parseBraces(f: string, npos: number, names: string[]): Piece[] | null {
  const out: Piece[] = [];
  let lit = '';
  let auto = 0;
  let mode: 'none' | 'auto' | 'manual' = 'none';
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if (c === '}') {
      if (f[i + 1] !== '}') return null;
      lit += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      lit += c;
      continue;
    }
    if (f[i + 1] === '{') {
      lit += '{';
      i++;
      continue;
    }
    const close = f.indexOf('}', i);
    if (close < 0) return null;
    const field = f.slice(i + 1, close);
    i = close;
    let arg: number;
    if (field === '') {
      if (mode === 'manual' || auto >= npos) return null;
      mode = 'auto';
      arg = auto++;
    } else if (/^[0-9]+$/.test(field)) {
      if (mode === 'auto') return null;
      mode = 'manual';
      arg = parseInt(field, 10);
      if (arg >= npos) return null;
    } else {
      const j = names.indexOf(field);
      if (j < 0) return null; // also rejects conversions, specs and attribute syntax
      arg = npos + j;
    }
    if (lit !== '') out.push(lit);
    lit = '';
    out.push({ arg, conv: 's' });
  }
  if (lit !== '') out.push(lit);
  return out;
}

/** `lit.format(...)` with positional and named arguments only; null: use the general method call. */
export function formatCall(g: Emitter, e: A.CallExpr, st: number): string | null {
  if (e.fn.kind !== 'Dot' || e.fn.name !== 'format') return null;
  const f = stringLiteral(e.fn.x);
  // Longer formats are charged a scan (string_methods.ts table()); keep those general.
  if (f === null || f.length > 64) return null;
  const pos = e.args.filter((a) => a.type === 'pos');
  const named = e.args.filter((a) => a.type === 'named');
  if (pos.length + named.length !== e.args.length) return null;
  const names = named.map((a) => a.name!);
  if (new Set(names).size !== names.length) return null;
  const pieces = parseBraces(f, pos.length, names);
  if (pieces === null) return null;
  // Operands in source order; vars are indexed positional first, then named.
  const vars: string[] = [];
  const head: string[] = [];
  let pi = 0;
  let ni = pos.length;
  for (const a of e.args) {
    const v = g.tmp();
    vars[a.type === 'pos' ? pi++ : ni++] = v;
    head.push(`${v} = ${g.expr(a.value)}`);
  }
  const fk = g.k(f);
  const code = ["''", ...pieces.map((p) => (typeof p === 'string' ? g.k(p) : `(typeof ${vars[p.arg]} === 'string' ? ${vars[p.arg]} : rt.ops.str(${vars[p.arg]}))`))];
  const h = head.length ? `${head.join(', ')}, ` : '';
  return `(${h}${g.P} = ${st}, rt.formatCharged(${fk}, ${joined(code)}))`;
}
