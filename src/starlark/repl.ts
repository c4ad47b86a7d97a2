// A read-eval-print session: starlark-go's repl package and ExecREPLChunk.
//
// Each input (a "chunk": one line, or a block ended by a blank line) is parsed,
// resolved and run as a file of its own, in the context of the globals earlier
// chunks bound: the resolver pre-binds them as file globals (replGlobals), so
// `x = x + 1` reads the earlier x and re-binding a name across inputs works
// whatever the dialect says about reassignment within a file. The values are
// not frozen between chunks (`l = []`, then `l.append(1)`), and what a chunk
// bound before a failing statement stays bound.
//
// A chunk that is a single expression statement has its value returned (the
// host prints repr, like Python's REPL, except None): the parser's
// ExprStmt is rewritten into an assignment to a hidden global, so positions in
// error messages are exactly the user's.

import { parseFile } from './syntax/parser.js';
import { StarlarkSyntaxError } from './syntax/errors.js';
import { T } from './syntax/tokens.js';
import * as A from './syntax/ast.js';
import type { Dialect } from './resolve/resolver.js';
import { compileParsed, type LoadFn, type Predeclared } from './eval.js';
import type { Thread, Value } from './values/value.js';

/** Not an identifier a user can write, so it never clashes with one. */
const valueSlot = ' value';

export interface ReplOptions {
  /** Host values every chunk sees (builtins of the embedding program). */
  predeclared?: Map<string, Value>;
  /** The dialect chunks are compiled with; reassignment, top-level control and load binding globally are always on. */
  dialect?: Dialect;
  load?: LoadFn;
  /** The name errors carry (default "<stdin>"). */
  filename?: string;
}

export class ReplSession {
  /** What the chunks so far have bound. */
  readonly globals = new Map<string, Value>();
  private readonly filename: string;

  constructor(private readonly opts: ReplOptions = {}) {
    this.filename = opts.filename ?? '<stdin>';
  }

  /**
   * Whether `src` (the lines read so far, each ending in a newline) needs more
   * lines: an open bracket or string, or a block (a first line ending in `:`)
   * not yet ended by a blank line.
   */
  incomplete(src: string): boolean {
    if (src.trim() === '') return false;
    const lines = src.replace(/\n$/, '').split('\n');
    const first = lines[0]!.replace(/#.*$/, '').trimEnd();
    if (first.endsWith(':') && lines[lines.length - 1]!.trim() !== '') return true;
    try {
      parseFile(this.filename, src);
      return false;
    } catch (err) {
      if (!(err instanceof StarlarkSyntaxError)) throw err;
      return err.msg.includes('end of file') || err.line > lines.length;
    }
  }

  /**
   * Runs one chunk; returns the value of a sole expression, else undefined.
   * Throws StarlarkSyntaxError or EvalError (the session goes on afterwards).
   */
  exec(thread: Thread, src: string): Value | undefined {
    const file = parseFile(this.filename, src);
    const sole = file.stmts.length === 1 && file.stmts[0]!.kind === 'ExprStmt' ? (file.stmts[0] as A.ExprStmt) : undefined;
    if (sole) {
      const lhs: A.Ident = { kind: 'Ident', name: valueSlot, scope: A.Scope.Undefined, index: -1, line: sole.line, col: sole.col };
      file.stmts[0] = { kind: 'Assign', op: '=', opToken: T.EQ, lhs, rhs: sole.x, line: sole.line, col: sole.col };
    }
    this.globals.delete(valueSlot);
    const predeclared: Predeclared = this.opts.predeclared ?? new Map();
    const program = compileParsed(file, {
      ...this.opts.dialect,
      globalreassign: true,
      toplevelcontrol: true,
      loadBindsGlobally: true,
      predeclared,
      replGlobals: this.globals.keys(),
    });
    try {
      program.init(thread, predeclared, this.opts.load, { globals: this.globals });
      return sole ? this.globals.get(valueSlot) : undefined;
    } finally {
      this.globals.delete(valueSlot);
    }
  }
}
