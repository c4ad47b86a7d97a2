// The interface between the fast backend's function generator (codegen.ts)
// and the modules that emit parts of its code (codegen_calls.ts,
// codegen_format.ts): a separate module so those need not import each other.

import type * as A from '../syntax/ast.js';
import type { CompileOptions } from './function.js';

/** What the emitters of calls and formats need from the function generator (codegen.ts FnGen). */
export interface Emitter {
  readonly opts: CompileOptions;
  /** The variable holding the current site index. */
  readonly P: string;
  expr(e: A.Expr): string;
  tmp(): string;
  site(p: A.Pos): number;
  /** A reference to constant v in the constants array. */
  k(v: unknown): string;
}
