// Operations the fast backend (codegen.ts) writes out at their site instead of
// calling a runtime helper: dict and list indexing, `in`/`not in` on dicts,
// `x.get(k[, default])`, `type(x) == "name"` and tuple unpacking (loops over
// `range(...)` are codegen_loop.ts's).
//
// Key idea: a helper shared by every site sees every site's types, and once
// V8 has seen several (dicts here, lists there) its inlined copy checks them
// all; the same check written at the site gets that site's own type feedback
// and stays monomorphic. Each form tests for the common case only (a dict
// with a str key, a list with an in-range int, a tuple of the right length) and otherwise calls the helper the site called before, so
// results, errors, their sites, step and memory charges are unchanged.
//
// Trade-off: more generated code per site; only the forms that dominate
// reconciler code (nested dicts read by key, explicit stacks of pairs, kind
// dispatch on type()) are written out.

import * as A from '../syntax/ast.js';
import type { Emitter } from './emitter.js';
import * as rt from './runtime.js';

/** `x[i]`: a dict read by str key or a list by in-range int, inline; rt.getIndex otherwise. */
export function indexExpr(g: Emitter, e: A.IndexExpr): string {
  const a = g.tmp(), b = g.tmp();
  const st = g.site(e);
  const key = e.index.kind === 'Paren' ? e.index.x : e.index;
  const lit = key.kind === 'Literal' ? key.token : null;
  const tests: string[] = [];
  if (lit === null || lit === 'string') {
    tests.push(`(${a} instanceof rt.StarDict && typeof ${b} === 'string' && ($r = ${a}.getStr(${b})) !== undefined) ? $r`);
  }
  if (lit === null || lit === 'int') {
    tests.push(`(${a} instanceof rt.StarList && typeof ${b} === 'number' && ${b} >= 0 && ${b} < ${a}.elems.length) ? ${a}.elems[${b}]`);
  }
  const slow = `(${g.P} = ${st}, rt.getIndex(${a}, ${b}))`;
  const body = tests.length ? `${tests.join(' : ')} : ${slow}` : slow;
  return `(${a} = ${g.expr(e.x)}, ${b} = ${g.expr(e.index)}, ${body})`;
}

/** `x in y` / `x not in y` of JS variables a and b at site st: a str in a dict inline, rt.contains otherwise. */
export function membership(P: string, a: string, b: string, st: number, negate: boolean): string {
  const test = `((${b} instanceof rt.StarDict && typeof ${a} === 'string') ? ${b}.getStr(${a}) !== undefined : (${P} = ${st}, rt.contains(${b}, ${a})))`;
  return negate ? `!${test}` : test;
}

/** The argument of `type(x)` when e is a positional one-argument call of the universe's `type`; null otherwise. */
function typeArg(g: Emitter, e: A.Expr): A.Expr | null {
  while (e.kind === 'Paren') e = e.x;
  if (e.kind !== 'Call' || e.fn.kind !== 'Ident' || e.fn.scope !== A.Scope.Universal) return null;
  if (g.opts.universe.get(e.fn.name) !== rt.TYPE || e.args.length !== 1 || e.args[0]!.type !== 'pos') return null;
  return e.args[0]!.value;
}

function stringLiteral(e: A.Expr): string | null {
  while (e.kind === 'Paren') e = e.x;
  return e.kind === 'Literal' && e.token === 'string' ? (e.value as string) : null;
}

/**
 * A JS test that v's type is named `name`: `typeof` for the primitives, a class
 * test for dict/list/tuple backed by rt.typeNamed for any other object (a
 * host's value may call itself anything), rt.typeOf otherwise.
 */
function kindTest(g: Emitter, v: string, name: string): string {
  switch (name) {
    case 'string':
      return `typeof ${v} === 'string'`;
    case 'int':
      return `(typeof ${v} === 'number' || typeof ${v} === 'bigint')`;
    case 'bool':
      return `typeof ${v} === 'boolean'`;
    case 'NoneType':
      return `${v} === null`;
    case 'dict':
    case 'list':
    case 'tuple': {
      const cls = name === 'dict' ? 'rt.StarDict' : name === 'list' ? 'rt.StarList' : 'rt.StarTuple';
      return `(${v} instanceof ${cls} || (typeof ${v} === 'object' && ${v} !== null && rt.typeNamed(${v}, ${g.k(name)})))`;
    }
    default:
      return `rt.typeOf(${v}) === ${g.k(name)}`;
  }
}

/**
 * `type(x) == "name"`, `"name" != type(x)`, `type(x) == type(y)`: a kind test
 * (no type-name string is produced); null when e is no such comparison. Only
 * the universe's `type` qualifies (a user's or host's `type` is an ordinary call).
 */
export function typeCompare(g: Emitter, e: A.BinaryExpr): string | null {
  if (e.op !== '==' && e.op !== '!=') return null;
  const x = typeArg(g, e.x), y = typeArg(g, e.y);
  const neg = e.op === '!=' ? '!' : '';
  if (x !== null && y !== null) {
    const a = g.tmp();
    return `(${a} = ${g.expr(x)}, ${neg}(rt.typeOf(${a}) === rt.typeOf(${g.expr(y)})))`;
  }
  const arg = x ?? y;
  const name = x !== null ? stringLiteral(e.y) : y !== null ? stringLiteral(e.x) : null;
  if (arg === null || name === null) return null;
  const v = g.tmp();
  return `(${v} = ${g.expr(arg)}, ${neg}(${kindTest(g, v, name)}))`;
}

/** Statement code unpacking the JS variable v into n values in place (v becomes their array): a tuple or list of length n inline, rt.unpack otherwise. */
export function unpackInto(v: string, n: number): string {
  return `${v} = ((${v} instanceof rt.StarTuple || ${v} instanceof rt.StarList) && ${v}.elems.length === ${n}) ? ${v}.elems : rt.unpack(${v}, ${n});`;
}

/** 'dict' / 'list' when e is an empty display `{}` / `[]`; null otherwise. */
function emptyDisplay(e: A.Expr): 'dict' | 'list' | null {
  while (e.kind === 'Paren') e = e.x;
  if (e.kind === 'Dict' && e.entries.length === 0) return 'dict';
  if (e.kind === 'List' && e.elems.length === 0) return 'list';
  return null;
}

/**
 * `x.get(k)` / `x.get(k, default)` with positional arguments: a dict read by
 * str key inline, rt.m_get1/m_get2 otherwise. An empty `{}` or `[]` default
 * (`obj.get("spec", {}).get(...)`) is built only when the key is missing;
 * when it is present its memory is charged all the same.
 */
export function getCall(g: Emitter, e: A.CallExpr, st: number): string | null {
  const n = e.args.length;
  if (e.fn.kind !== 'Dot' || e.fn.name !== 'get' || (n !== 1 && n !== 2) || !e.args.every((a) => a.type === 'pos')) return null;
  const o = g.tmp(), k = g.tmp();
  const cache: rt.MethodCache = { table: null, fn: undefined };
  const head = `${o} = ${g.expr(e.fn.x)}, ${k} = ${g.expr(e.args[0]!.value)}`;
  const dictStr = `(${o} instanceof rt.StarDict && typeof ${k} === 'string')`;
  if (n === 1) {
    return `(${head}, ${dictStr} ? (($r = ${o}.getStr(${k})) === undefined ? null : $r) : (${g.P} = ${st}, rt.m_get1(t, ${o}, ${k}, ${g.k(cache)})))`;
  }
  const d = g.tmp();
  const dflt = e.args[1]!.value;
  const empty = emptyDisplay(dflt);
  const slow = (v: string) => `(${d} = ${v}, ${g.P} = ${st}, rt.m_get2(t, ${o}, ${k}, ${d}, ${g.k(cache)}))`;
  if (empty !== null) {
    const make = empty === 'dict' ? 'new rt.StarDict()' : 'new rt.StarList([])';
    const charge = empty === 'dict' ? 'rt.chargeEmptyDict()' : 'rt.chargeEmptyList()';
    return `(${head}, ${dictStr} ? (($r = ${o}.getStr(${k})) === undefined ? ${make} : (${charge}, $r)) : ${slow(make)})`;
  }
  return `(${head}, ${d} = ${g.expr(dflt)}, ${dictStr} ? (($r = ${o}.getStr(${k})) === undefined ? ${d} : $r) : (${g.P} = ${st}, rt.m_get2(t, ${o}, ${k}, ${d}, ${g.k(cache)})))`;
}
