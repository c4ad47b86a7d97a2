// Collection displays for the fast backend (codegen.ts) that need no code per
// element at run time.
//
// Key idea: a tuple display whose elements are all literals, e.g.
// `("leaf", "spine", "border")[i % 3]`, is one immutable value: it is built
// once at compile time and each evaluation returns it through
// StarTuple.again(), which charges the memory budget exactly as a new tuple
// would (so budgets and errors are unchanged; tuples have no identity in
// Starlark). Trade-off: only up to SMALL_CONST elements, so that building the
// constant at compile time never costs the compiling thread a step
// (meter.alloc charges a step per 128 bytes).

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
