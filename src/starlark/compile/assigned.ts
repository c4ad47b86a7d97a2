// Definite-assignment analysis for the fast backend (codegen.ts).
//
// Key idea: a plain local slot that every path through the earlier statements
// assigns can be read without the "referenced before assignment" check.
// Starlark has no `del` and an error ends the function, so an assignment once
// made stays made. Trade-off: loops are not looked into (their body may not
// run), which keeps the analysis a single cheap pass.

import * as A from '../syntax/ast.js';

/** Plain local slots every path through stmts that falls through assigns; null: no path falls through. */
export function definitelyAssigned(isCell: readonly boolean[], stmts: A.Stmt[]): Set<number> | null {
  const out = new Set<number>();
  for (const s of stmts) {
    switch (s.kind) {
      case 'Assign':
        targetSlots(isCell, s.lhs, out);
        break;
      case 'Def':
        targetSlots(isCell, s.ident, out);
        break;
      case 'If': {
        const a = definitelyAssigned(isCell, s.then);
        const b = definitelyAssigned(isCell, s.els);
        if (a === null && b === null) return null;
        for (const i of a ?? b!) if (a === null || b === null || b.has(i)) out.add(i);
        break;
      }
      case 'Return':
        return null;
      case 'Branch':
        if (s.token !== 'pass') return null;
        break;
      default:
        break;
    }
  }
  return out;
}

/** Adds the plain (non-cell) local slots an assignment target binds to out. */
export function targetSlots(isCell: readonly boolean[], e: A.Expr, out: Set<number>): void {
  if (e.kind === 'Ident') {
    if (e.scope === A.Scope.Local && !isCell[e.index]) out.add(e.index);
  } else if (e.kind === 'Tuple' || e.kind === 'List') {
    for (const x of e.elems) targetSlots(isCell, x, out);
  } else if (e.kind === 'Paren') {
    targetSlots(isCell, e.x, out);
  }
}
