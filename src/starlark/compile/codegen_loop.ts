// Loops over `range(...)` for the fast backend (codegen.ts), in statements and
// comprehension clauses alike.
//
// Key idea: when the iterable is a call of the universe's own `range` (known by
// identity, so a host's or user's `range` is never mistaken) with one or two
// positional arguments, the loop is pure arithmetic: no dispatch on the
// iterable's type, no element array, and no try/finally (a range holds no
// iteration lock). With int bounds no range value is made (range1/2 charge
// nothing for it); otherwise it is created through rt.range1/2, so argument
// errors, memory charges and the one step per iteration stay those
// of the generic loop (a range beyond ±2^52 is iterated as that loop does). Trade-off: only this shape; anything else keeps the
// generic loop, whose code V8 must compile once per loop site (smaller code
// here also means less compile time in short programs).

import * as A from '../syntax/ast.js';
import type { Emitter } from './emitter.js';
import * as rt from './runtime.js';

/**
 * The JS for `for <vars> in range(a[, b]): body`, or null if `x` is not such
 * a call. `bind(v)` is the statement assigning the JS expression v to the
 * loop variables; `st` the loop's site.
 */
export function rangeLoop(g: Emitter, x: A.Expr, st: number, bind: (v: string) => string, body: string): string | null {
  if (x.kind !== 'Call' || x.fn.kind !== 'Ident' || x.fn.scope !== A.Scope.Universal) return null;
  const n = x.args.length;
  if ((n !== 1 && n !== 2) || !x.args.every((a) => a.type === 'pos')) return null;
  if (g.opts.universe.get(x.fn.name) !== rt.RANGE) return null;
  // range(stop) and range(start, stop) step by 1; bounds beyond ±2^52 make a
  // StarBigRange, whose elements come as an array (as in the generic loop).
  // Int bounds (always within ±2^53 as JS numbers) need no range value at all: range1/2 would
  // make a StarRange without a charge, so skipping it changes no budget.
  const R = g.tmp(), E = g.tmp(), B = g.tmp(), N = g.tmp(), I = g.tmp();
  const ts = x.args.map(() => g.tmp());
  const [start, stop] = n === 1 ? ['0', ts[0]!] : [ts[0]!, ts[1]!];
  const make = n === 1 ? `rt.range1(t, ${ts[0]})` : `rt.range2(t, ${ts[0]}, ${ts[1]})`;
  return [
    x.args.map((a, i) => `${ts[i]} = ${g.expr(a.value)};`).join(' '),
    `if (${ts.map((v) => `typeof ${v} === 'number'`).join(' && ')}) { ${E} = null; ${B} = ${start}; ${N} = rt.rangeLen(${start}, ${stop}, 1); }`,
    `else { ${g.P} = ${g.site(x)}; ${R} = ${make}; ${g.P} = ${st};`,
    `if (${R} instanceof rt.StarRange) { ${E} = null; ${B} = ${R}.start; ${N} = ${R}.length; } else { ${E} = rt.iterArray(${R}); ${N} = ${E}.length; } }`,
    `for (let ${I} = 0; ${I} < ${N}; ${I}++) {`,
    `if (++t.steps > t.maxSteps) { ${g.P} = ${st}; rt.tooManySteps(); }`,
    bind(`(${E} === null ? ${B} + ${I} : ${E}[${I}])`),
    body,
    '}',
  ].join('\n');
}
