// The runtime shapes compiled closures operate on.
//
// A Frame is one activation of a Starlark function (or of a module's top level):
// its locals in a plain array indexed by the resolver's slots, the function's
// captured cells, the module's globals array and the thread. Statements return
// a small status code instead of throwing for break/continue/return, so control
// flow costs a comparison, not an exception.

import type { Thread, Value } from '../values/value.js';
import { truth } from '../values/ops.js';

/** Statement completion status. */
export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;

/** A box shared between a function and the closures that capture one of its locals. */
export class Cell {
  constructor(public v: Value | undefined) {}
}

/** Loads a module: returns its exported globals. Supplied by the host (see eval.ts). */
export type LoadFn = (thread: Thread, module: string) => Map<string, Value>;

export class Frame {
  /** Return value, valid when a statement returned RETURN. */
  ret: Value = null;
  constructor(
    /** Locals (cells hold Cell objects); `undefined` means not yet assigned. */
    readonly l: Array<Value | undefined | Cell>,
    /** Free variables (cells captured from enclosing functions). */
    readonly f: Cell[],
    /** Module globals and predeclared values; `undefined` means not yet assigned. */
    readonly g: Array<Value | undefined>,
    readonly t: Thread,
    /** The loader, for the top-level frame only. */
    readonly load: LoadFn | null = null,
  ) {}
}

export type Expr = (fr: Frame) => Value;
export type Stmt = (fr: Frame) => number;

/** bool(v), with the common primitive cases inline. */
export function truthy(v: Value): boolean {
  if (v === true) return true;
  if (v === false || v === null) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return truth(v);
}
