// Collection values the fast backend (codegen.ts) need not build at each
// evaluation.
//
// A tuple display whose elements are all literals, e.g.
// `("leaf", "spine", "border")[i % 3]`, is one immutable value: it is built
// once at compile time and each evaluation returns it through
// StarTuple.again(), which charges the memory budget exactly as a new tuple
// would (so budgets and errors are unchanged; tuples have no identity in
// Starlark). Trade-off: only up to SMALL_CONST elements, so that building the
// constant at compile time never costs the compiling thread a step
// (meter.alloc charges a step per 128 bytes).
//
// `d.setdefault(k, [])` and `d.setdefault(k, {})` (grouping: mostly the key
// is present) build the empty default only when the key is missing
// (rt.presentKey), charging its memory either way, at the display's site.

import type * as A from '../syntax/ast.js';
import { StarFloat } from '../values/float.js';
import { StarTuple } from '../values/list.js';
import { HEADER, SLOT } from '../values/meter.js';
import type { Value } from '../values/value.js';
import type { Emitter } from './emitter.js';
import { intern } from './runtime.js';

/** Most elements of a tuple constant: HEADER + n * SLOT stays under 128 bytes. */
const SMALL_CONST = Math.floor((127 - HEADER) / SLOT);

/** The constant of a literal (string, int, float); undefined for any other expression. */
function literalValue(e: A.Expr): Value | undefined {
  if (e.kind === 'Paren') return literalValue(e.x);
  if (e.kind !== 'Literal') return undefined;
  if (e.token === 'string') return intern(e.value as string);
  if (e.token === 'int') return e.value as Value;
  if (e.token === 'float') return new StarFloat(e.value as number);
  return undefined;
}

/** JS for a tuple display of literals only (at most SMALL_CONST), or null. */
export function constTuple(g: Emitter, e: A.TupleExpr): string | null {
  if (e.elems.length === 0 || e.elems.length > SMALL_CONST) return null;
  const vals: Value[] = [];
  for (const x of e.elems) {
    const v = literalValue(x);
    if (v === undefined) return null;
    vals.push(v);
  }
  return `${g.k(new StarTuple(vals))}.again()`;
}

/** JS for `o.setdefault(k, [])` / `o.setdefault(k, {})` with positional arguments, or null. */
export function setdefaultEmpty(g: Emitter, e: A.CallExpr, st: number): string | null {
  if (e.fn.kind !== 'Dot' || e.fn.name !== 'setdefault' || e.args.length !== 2 || !e.args.every((a) => a.type === 'pos')) return null;
  const d = e.args[1]!.value;
  const dict = d.kind === 'Dict' && d.entries.length === 0;
  if (!dict && !(d.kind === 'List' && d.elems.length === 0)) return null;
  const o = g.tmp(), k = g.tmp(), v = g.tmp();
  const cache = { table: null, fn: undefined };
  // As the general path: the default's display is charged at its own site; then, with the key
  // present, its value is the result; otherwise setdefault runs at the call's site with a new default.
  const ds = g.site(d);
  return `((${o} = ${g.expr(e.fn.x)}, ${k} = ${g.expr(e.args[0]!.value)}, ${v} = rt.presentKey(${o}, ${k})) !== undefined ` +
    `? (${g.P} = ${ds}, rt.emptyCharge(${dict}), ${v}) ` +
    `: (${g.P} = ${ds}, ${v} = ${dict ? 'new rt.StarDict()' : 'new rt.StarList([])'}, ${g.P} = ${st}, rt.m_setdefault2(t, ${o}, ${k}, ${v}, ${g.k(cache)})))`;
}
