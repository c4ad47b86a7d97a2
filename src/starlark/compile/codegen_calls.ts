// Call emission for the fast backend (codegen.ts): the JS code for a Starlark
// call expression.
//
// Key idea: positional calls of the hottest builtins (len/type/str/range and
// the methods of rt.fastMethods) are emitted without an argument array; every
// other call builds one array of positional arguments (and one of named
// pairs, when there are any) and goes through rt.call / rt.callMethod, whose
// per-site MethodCache skips the attribute lookup on a repeated receiver type.

import * as A from '../syntax/ast.js';
import type { Emitter } from './emitter.js';
import * as rt from './runtime.js';
import { formatCall } from './codegen_format.js';
import { getCall } from './codegen_inline.js';
import { setdefaultEmpty } from './codegen_collections.js';

/**
 * A positional call that needs no argument array: len/type/str/range of
 * the universe, and the list/dict methods of rt.fastMethods; null otherwise.
 */
function fastCall(g: Emitter, e: A.CallExpr, st: number): string | null {
  if (!e.args.every((a) => a.type === 'pos')) return null;
  const n = e.args.length;
  const P = g.P;
  if (e.fn.kind === 'Ident' && e.fn.scope === A.Scope.Universal && (n === 1 || n === 2) && g.opts.universe.get(e.fn.name) === rt.RANGE) {
    const args = e.args.map((a) => {
      const v = g.tmp();
      return { v, code: `${v} = ${g.expr(a.value)}` };
    });
    return `(${args.map((a) => a.code).join(', ')}, ${P} = ${st}, rt.range${n}(t, ${args.map((a) => a.v).join(', ')}))`;
  }
  if (e.fn.kind === 'Ident' && e.fn.scope === A.Scope.Universal && n === 1) {
    const f = g.opts.universe.get(e.fn.name);
    if (f !== rt.LEN && f !== rt.TYPE && f !== rt.STR) return null;
    const x = g.tmp();
    const arg = g.expr(e.args[0]!.value);
    if (f === rt.LEN) {
      return `(${x} = ${arg}, (${x} instanceof rt.StarList || ${x} instanceof rt.StarTuple) ? ${x}.elems.length : (${P} = ${st}, rt.len(t, ${x})))`;
    }
    if (f === rt.TYPE) return `rt.typeOf(${arg})`;
    return `(${x} = ${arg}, typeof ${x} === 'string' ? ${x} : (${P} = ${st}, rt.str(t, ${x})))`;
  }
  if (e.fn.kind === 'Dot' && Object.hasOwn(rt.fastMethods, e.fn.name) && rt.fastMethods[e.fn.name]!.includes(n)) {
    const o = g.tmp();
    const parts = [`${o} = ${g.expr(e.fn.x)}`];
    const args = [o];
    for (const a of e.args) {
      const v = g.tmp();
      parts.push(`${v} = ${g.expr(a.value)}`);
      args.push(v);
    }
    const cache: rt.MethodCache = { table: null, fn: undefined };
    parts.push(`${P} = ${st}`, `rt.m_${e.fn.name}${n}(t, ${args.join(', ')}, ${g.k(cache)})`);
    return `(${parts.join(', ')})`;
  }
  return null;
}

/** The JS expression for a call. */
export function callExpr(g: Emitter, e: A.CallExpr): string {
  const st = g.site(e);
  const fast = getCall(g, e, st) ?? setdefaultEmpty(g, e, st) ?? fastCall(g, e, st) ?? formatCall(g, e, st);
  if (fast !== null) return fast;
  if (e.fn.kind !== 'Dot' && e.args.some((a) => a.type === 'named') && e.args.every((a) => a.type === 'pos' || a.type === 'named')) {
    return namedCall(g, e, st);
  }
  const pos: string[] = [];
  const named: string[] = [];
  let star: string | null = null, starstar: string | null = null;
  for (const a of e.args) {
    const v = g.expr(a.value);
    if (a.type === 'pos') pos.push(v);
    else if (a.type === 'named') named.push(`[${g.k(a.name)}, ${v}]`);
    else if (a.type === 'star') star = v;
    else starstar = v;
  }
  const f = g.tmp(), args = g.tmp();
  let kw = 'null';
  const parts: string[] = [];
  if (e.fn.kind === 'Dot') {
    parts.push(`${f} = ${g.expr(e.fn.x)}`);
  } else {
    parts.push(`${f} = ${g.expr(e.fn)}`);
  }
  parts.push(`${args} = [${pos.join(', ')}]`);
  if (named.length || starstar) {
    kw = g.tmp();
    parts.push(`${kw} = [${named.join(', ')}]`);
  }
  if (star) parts.push(`${g.P} = ${st}, rt.spreadArgs(${args}, ${star})`);
  if (starstar) parts.push(`${g.P} = ${st}, rt.spreadKwargs(${kw}, ${starstar})`);
  const kwArg = kw === 'null' ? 'null' : starstar ? `(${kw}.length ? ${kw} : null)` : kw;
  parts.push(`${g.P} = ${st}`);
  if (e.fn.kind === 'Dot') {
    const cache: rt.MethodCache = { table: null, fn: undefined };
    parts.push(`rt.callMethod(t, ${f}, ${g.k(e.fn.name)}, ${args}, ${kwArg}, ${g.k(cache)})`);
  } else {
    parts.push(`rt.call(t, ${f}, ${args}, ${kwArg})`);
  }
  return `(${parts.join(', ')})`;
}

/**
 * `f(a, b, k=v, ...)` of a non-method: the positional values then the keyword
 * values in one array, the names as one constant (rt.callNamed), evaluated in
 * source order as the general form is.
 */
function namedCall(g: Emitter, e: A.CallExpr, st: number): string {
  const f = g.tmp();
  const vals: string[] = [];
  const names: string[] = [];
  const parts = [`${f} = ${g.expr(e.fn)}`];
  // Arguments are evaluated left to right; positional ones may not follow named ones (the parser rejects it).
  for (const a of e.args) {
    const v = g.tmp();
    parts.push(`${v} = ${g.expr(a.value)}`);
    vals.push(v);
    if (a.type === 'named') names.push(a.name!);
  }
  parts.push(`${g.P} = ${st}`, `rt.callNamed(t, ${f}, [${vals.join(', ')}], ${g.k(names.map((n) => rt.intern(n)))})`);
  return `(${parts.join(', ')})`;
}
