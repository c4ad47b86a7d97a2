// The resolver: decides, before anything runs, what every name refers to.
//
// All references to names are static. A name is local to a function if the
// function contains any binding of it (assignment, for-loop variable, def,
// parameter) — anywhere in the body, Python-style; comprehension variables are
// local to their comprehension. Otherwise it is free (a local of an enclosing
// function, captured by the closure), global (bound at module top level),
// predeclared (supplied by the host for this module), universal (a builtin), or
// undefined — a static error.
//
// Key idea: every local gets a small integer slot, so the compiled code keeps a
// function's environment in a plain JS array; locals captured by a nested
// function are marked as cells (the slot holds a shared box), and each function
// records where its free variables come from in the enclosing function. Globals
// and predeclared names share one array per module. Function bodies are resolved
// after the enclosing block is complete, so forward references to later globals
// and to later locals of an enclosing function work.
//
// Static errors collected here (all of them, not just the first): undefined
// names, reassigned globals, break/continue outside loops, control flow at top
// level, while loops (unless the dialect allows them), duplicate/misordered
// parameters, invalid assignment targets, load inside a function.

import { StarlarkSyntaxError, sourceLineOf } from '../syntax/errors.js';
import * as A from '../syntax/ast.js';
import { fromBytes, mapText } from '../values/utf8.js';

/** Dialect flags (cf. starlark-go's syntax.FileOptions). */
export interface Dialect {
  /** The `set` builtin. Default true: sets are standard in current Starlark (Bazel 8, starlark-go); pass false to forbid. */
  set?: boolean;
  /** The `struct` builtin. Default true; false as a starlark-go host that does not predeclare starlarkstruct (the original choreo). */
  struct?: boolean;
  /** Allow reassigning top-level names (x = 1; x = 2). */
  globalreassign?: boolean;
  /** Allow recursive calls (checked at run time). */
  recursion?: boolean;
  /** Allow if/for/while at top level. */
  toplevelcontrol?: boolean;
  /** Allow while loops. */
  while?: boolean;
  /** load() binds exported globals rather than file-local names. */
  loadBindsGlobally?: boolean;
}

export interface ResolveOptions extends Dialect {
  isPredeclared: (name: string) => boolean;
  isUniversal: (name: string) => boolean;
  /** Predeclared and universal names, for "did you mean" suggestions. */
  candidateNames?: readonly string[];
  /**
   * Globals bound by earlier chunks of a REPL session (starlark-go's
   * resolve.REPLChunk): file globals from the first slots on, so `x = x + 1`
   * reads the earlier x. Program.init fills their slots (its `globals` option).
   */
  replGlobals?: Iterable<string>;
}

const doesnt = 'this Starlark dialect does not ';

interface Binding {
  container: Block; // function/module block owning the slot
  slot: number;
  first: A.Pos;
}

interface Block {
  parent: Block | null;
  /** The function/module block this block allocates locals in (itself for containers). */
  container: Block;
  fn: A.FunctionNode | null; // for containers
  isModule: boolean;
  bindings: Map<string, Binding>;
  /** Uses recorded in this container, resolved when the container is complete. */
  uses: Array<{ id: A.Ident; env: Block }>;
  /** Per free variable name, its index in fn.freevars. */
  freeIndex: Map<string, number>;
  cellSet: Set<number>;
}

interface GlobalInfo {
  index: number;
  first: A.Pos;
  fromLoad?: boolean;
}

export function resolveFile(file: A.File, opts: ResolveOptions): void {
  const r = new Resolver(file, opts);
  r.run();
  if (r.errors.length > 0) {
    r.errors.sort((a, b) => a.line - b.line || a.col - b.col);
    const first = r.errors[0];
    first.errors = r.errors;
    throw first;
  }
}

function newBlock(parent: Block | null, fn: A.FunctionNode | null, isModule: boolean): Block {
  const b: Block = {
    parent, container: null as unknown as Block, fn, isModule,
    bindings: new Map(), uses: [], freeIndex: new Map(), cellSet: new Set(),
  };
  b.container = fn || isModule ? b : parent!.container;
  return b;
}

const exprKindNames: Record<string, string> = {
  Literal: 'literal', Call: 'callexpr', Binary: 'binaryexpr', Unary: 'unaryexpr', Cond: 'condexpr',
  Slice: 'sliceexpr', Dict: 'dictexpr', Comprehension: 'comprehension', Lambda: 'lambdaexpr',
};

class Resolver {
  errors: StarlarkSyntaxError[] = [];
  private env: Block;
  private readonly module: Block;
  private globals = new Map<string, GlobalInfo>();
  private globalNames: string[] = [];
  private loops = 0;
  private conds = 0;
  /** Function bodies waiting to be resolved, with the block enclosing their definition. */
  private pending: Array<{ fn: A.FunctionNode; env: Block }> = [];
  /** Function blocks whose bodies have been resolved. */
  private finished: Block[] = [];

  constructor(private readonly file: A.File, private readonly opts: ResolveOptions) {
    this.module = newBlock(null, file.toplevel, true);
    this.env = this.module;
  }

  private errorf(pos: A.Pos, msg: string): void {
    this.errors.push(new StarlarkSyntaxError(this.file.filename, pos.line, pos.col, msg, sourceLineOf(this.file.src, pos.line)));
  }

  private posString(p: A.Pos): string {
    return `${this.file.filename}:${p.line}:${p.col}`;
  }

  run(): void {
    for (const name of this.opts.replGlobals ?? []) {
      const index = this.globalNames.length;
      this.globalNames.push(name);
      this.globals.set(name, { index, first: { line: 1, col: 1 } as A.Ident });
    }
    this.stmts(this.file.stmts);
    // All file globals are bound by now; predeclared names used get slots after them.
    this.file.numFileGlobals = this.globalNames.length;
    // Resolve function bodies breadth-first: each needs its enclosing block complete.
    this.resolveUses(this.module);
    for (let i = 0; i < this.pending.length; i++) {
      const { fn, env } = this.pending[i];
      this.functionBody(fn, env);
    }
    for (const b of this.finished) b.fn!.cells = [...b.cellSet].sort((x, y) => x - y);
    const top = this.file.toplevel;
    top.numLocals = countLocals(this.module);
    top.cells = [...this.module.cellSet].sort((a, b) => a - b);
    this.file.globals = this.globalNames;
  }

  // ---- binding ----

  /** Binds id in the current block. */
  private bind(id: A.Ident, _isAugmented: boolean, fromLoad = false): void {
    if (this.env.isModule) {
      const prev = this.globals.get(id.name);
      id.scope = A.Scope.Global;
      if (prev) {
        if (!this.opts.globalreassign) {
          // Names bound by load are file-local unless loadBindsGlobally (starlark-go's wording).
          const local = !this.opts.loadBindsGlobally;
          const what = local && prev.fromLoad ? 'local' : local && fromLoad ? 'top-level' : 'global';
          this.errorf(id, `cannot reassign ${what} ${fromBytes(id.name)} declared at ${this.posString(prev.first)}`);
        }
        id.index = prev.index;
      } else {
        const index = this.globalNames.length;
        this.globalNames.push(id.name);
        this.globals.set(id.name, { index, first: id, fromLoad });
        id.index = index;
        if (fromLoad && !this.opts.loadBindsGlobally) this.file.loadBound.add(index);
      }
      return;
    }
    if (!this.env.bindings.has(id.name)) {
      const c = this.env.container;
      this.env.bindings.set(id.name, { container: c, slot: countLocalsInc(c), first: id });
    }
    this.use(id);
  }

  private use(id: A.Ident): void {
    this.env.container.uses.push({ id, env: this.env });
  }

  // ---- statements ----

  private stmts(list: A.Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private atTopLevel(): boolean {
    return this.env.container.isModule;
  }

  private stmt(s: A.Stmt): void {
    switch (s.kind) {
      case 'ExprStmt':
        this.expr(s.x);
        break;
      case 'Branch':
        if (this.loops === 0 && s.token !== 'pass') this.errorf(s, `${s.token} not in a loop`);
        break;
      case 'If':
        if (!this.opts.toplevelcontrol && this.atTopLevel()) this.errorf(s, 'if statement not within a function');
        this.expr(s.cond);
        this.conds++;
        this.stmts(s.then);
        this.stmts(s.els);
        this.conds--;
        break;
      case 'Assign':
        // Like starlark-go, x += y at top level counts as a reassignment of x.
        this.expr(s.rhs);
        this.assign(s.lhs, s.op !== '=');
        break;
      case 'Def':
        this.bind(s.ident, false);
        this.function(s.fn);
        break;
      case 'For':
        if (!this.opts.toplevelcontrol && this.atTopLevel()) this.errorf(s, 'for loop not within a function');
        this.expr(s.x);
        this.assign(s.vars, false);
        this.loops++;
        this.stmts(s.body);
        this.loops--;
        break;
      case 'While':
        if (!this.opts.while) this.errorf(s, doesnt + 'support while loops');
        if (!this.opts.toplevelcontrol && this.atTopLevel()) this.errorf(s, 'while loop not within a function');
        this.expr(s.cond);
        this.loops++;
        this.stmts(s.body);
        this.loops--;
        break;
      case 'Return':
        if (this.atTopLevel()) this.errorf(s, 'return statement not within a function');
        if (s.result) this.expr(s.result);
        break;
      case 'Load':
        if (!this.atTopLevel()) {
          this.errorf(s, 'load statement within a function');
          break;
        }
        if (this.loops > 0) this.errorf(s, 'load statement within a loop');
        else if (this.conds > 0) this.errorf(s, 'load statement within a conditional');
        // Its module literal names a file (Unicode text); its other literals name identifiers, which are byte strings like them.
        s.module = fromBytes(s.module);
        for (let i = 0; i < s.from.length; i++) {
          const from = s.from[i];
          if (s.to[i].line === from.line && s.to[i].col === from.col) s.to[i].name = from.name; // load("m", "x") binds x
          if (from.name === '') {
            this.errorf(from, 'load: empty identifier');
            continue;
          }
          if (from.name.startsWith('_')) {
            this.errorf(from, `load: names with leading underscores are not exported: ${fromBytes(from.name)}`);
          }
          this.bind(s.to[i], false, true);
        }
        break;
    }
  }

  private assign(lhs: A.Expr, isAugmented: boolean): void {
    switch (lhs.kind) {
      case 'Ident':
        this.bind(lhs, isAugmented);
        return;
      case 'Index':
        this.expr(lhs.x);
        this.expr(lhs.index);
        return;
      case 'Dot':
        this.expr(lhs.x);
        return;
      case 'Tuple':
      case 'List': {
        const what = lhs.kind === 'Tuple' ? 'tuple' : 'list';
        if (isAugmented) this.errorf(lhs, `can't use ${what} expression in augmented assignment`);
        for (const e of lhs.elems) this.assign(e, isAugmented);
        return;
      }
      case 'Paren':
        this.assign(lhs.x, isAugmented);
        return;
      default:
        this.errorf(lhs, `can't assign to ${exprKindNames[lhs.kind] ?? lhs.kind.toLowerCase()}`);
    }
  }

  // ---- expressions ----

  private expr(e: A.Expr): void {
    switch (e.kind) {
      case 'Ident':
        this.use(e);
        return;
      case 'Literal':
        return;
      case 'List':
      case 'Tuple':
        for (const x of e.elems) this.expr(x);
        return;
      case 'Dict':
        for (const en of e.entries) {
          this.expr(en.key);
          this.expr(en.value);
        }
        return;
      case 'Paren':
        this.expr(e.x);
        return;
      case 'Unary':
        this.expr(e.x);
        return;
      case 'Binary':
        this.expr(e.x);
        this.expr(e.y);
        return;
      case 'Cond':
        this.expr(e.cond);
        this.expr(e.t);
        this.expr(e.f);
        return;
      case 'Index':
        this.expr(e.x);
        this.expr(e.index);
        return;
      case 'Slice':
        this.expr(e.x);
        if (e.lo) this.expr(e.lo);
        if (e.hi) this.expr(e.hi);
        if (e.step) this.expr(e.step);
        return;
      case 'Dot':
        this.expr(e.x);
        return;
      case 'Call':
        this.expr(e.fn);
        for (const a of e.args) this.expr(a.value);
        return;
      case 'Lambda':
        this.function(e.fn);
        return;
      case 'Comprehension': {
        // The first iterable is evaluated in the enclosing block: [x for x in x].
        const first = e.clauses[0] as A.ForClause;
        this.expr(first.x);
        const saved = this.env;
        this.env = newBlock(saved, null, false);
        this.assign(first.vars, false);
        for (let i = 1; i < e.clauses.length; i++) {
          const c = e.clauses[i];
          if (c.type === 'if') {
            this.expr(c.cond);
          } else {
            this.assign(c.vars, false);
            this.expr(c.x);
          }
        }
        if (e.body.kind === 'DictEntry') {
          this.expr(e.body.key);
          this.expr(e.body.value);
        } else {
          this.expr(e.body);
        }
        this.env = saved;
        return;
      }
    }
  }

  // ---- functions ----

  /** Checks parameters, resolves defaults now, defers the body. */
  private function(fn: A.FunctionNode): void {
    let seenOptional = false, seenStar = false, seenStarStar = false;
    let starStarName = 'kwargs';
    const names = new Set<string>();
    for (let i = 0; i < fn.params.length; i++) {
      const p = fn.params[i];
      if (p.ident) {
        if (names.has(p.ident.name)) this.errorf(p.ident, `duplicate parameter: ${fromBytes(p.ident.name)}`);
        names.add(p.ident.name);
      }
      if (seenStarStar) {
        this.errorf(p, p.type === 'starstar' ? 'multiple ** parameters not allowed'
          : p.type === 'star' ? `* parameter may not follow **${starStarName}`
          : `${p.type === 'default' ? 'optional' : 'required'} parameter may not follow **${starStarName}`);
      }
      switch (p.type) {
        case 'plain':
          if (seenOptional && !seenStar) this.errorf(p, 'required parameter may not follow optional');
          break;
        case 'default':
          seenOptional = true;
          this.expr(p.dflt!);
          break;
        case 'star':
          if (seenStar) this.errorf(p, 'multiple * parameters not allowed');
          seenStar = true;
          if (!p.ident) {
            const nx = fn.params[i + 1];
            if (!nx || nx.type === 'starstar' || nx.type === 'star') this.errorf(p, 'bare * must be followed by keyword-only parameters');
          }
          break;
        case 'starstar':
          seenStarStar = true;
          if (p.ident) starStarName = p.ident.name;
          break;
      }
    }
    this.pending.push({ fn, env: this.env });
  }

  private functionBody(fn: A.FunctionNode, env: Block): void {
    const b = newBlock(env, fn, false);
    const saved = this.env;
    const savedLoops = this.loops;
    this.env = b;
    this.loops = 0;
    this.conds = 0;
    // Parameter slots: positional, keyword-only, *args, **kwargs.
    const positional: A.Param[] = [], kwonly: A.Param[] = [];
    let star: A.Param | null = null, starstar: A.Param | null = null;
    let afterStar = false;
    for (const p of fn.params) {
      if (p.type === 'star') { afterStar = true; if (p.ident) star = p; }
      else if (p.type === 'starstar') starstar = p;
      else if (afterStar) kwonly.push(p);
      else positional.push(p);
    }
    fn.params = [...positional, ...kwonly, ...(star ? [star] : []), ...(starstar ? [starstar] : [])];
    fn.numPositional = positional.length;
    fn.numKwonly = kwonly.length;
    fn.hasVarargs = star !== null;
    fn.hasKwargs = starstar !== null;
    for (const p of fn.params) this.bind(p.ident!, false);
    this.stmts(fn.body);
    this.resolveUses(b);
    fn.numLocals = countLocals(b);
    // fn.cells is filled in at the end: nested functions, resolved later, may still capture locals.
    this.finished.push(b);
    this.env = saved;
    this.loops = savedLoops;
  }

  /** Resolves every use recorded in a container once its bindings are complete. */
  private resolveUses(c: Block): void {
    for (const { id, env } of c.uses) {
      let b: Block | null = env;
      let found: Binding | undefined;
      while (b && !b.isModule) {
        found = b.bindings.get(id.name);
        if (found) break;
        b = b.parent;
      }
      if (found) {
        if (found.container === c) {
          id.scope = A.Scope.Local;
          id.index = found.slot;
        } else {
          id.scope = A.Scope.Free;
          id.index = this.capture(c, id.name, found);
        }
        continue;
      }
      this.resolveGlobal(id, env);
    }
    c.uses = [];
  }

  /** Returns the index of `name` in container c's freevars, threading it through intervening functions. */
  private capture(c: Block, name: string, found: Binding): number {
    const existing = c.freeIndex.get(name);
    if (existing !== undefined) return existing;
    const parent = c.parent!.container;
    let src: A.Ident;
    if (parent === found.container) {
      parent.cellSet.add(found.slot);
      src = { kind: 'Ident', name, scope: A.Scope.Local, index: found.slot, line: found.first.line, col: found.first.col };
    } else {
      src = { kind: 'Ident', name, scope: A.Scope.Free, index: this.capture(parent, name, found), line: found.first.line, col: found.first.col };
    }
    const fn = c.fn!;
    const index = fn.freevars.length;
    fn.freevars.push(src);
    c.freeIndex.set(name, index);
    return index;
  }

  /** " (did you mean x?)" for a likely misspelling of a visible name: locals first, then globals, then builtins. */
  private spelling(id: A.Ident, env: Block | null): string {
    const names: string[] = [];
    for (let b = env; b && !b.isModule; b = b.parent) names.push(...b.bindings.keys());
    names.push(...this.globals.keys(), ...(this.opts.candidateNames ?? []));
    const best = nearest(id.name, names);
    return best ? ` (did you mean ${best}?)` : '';
  }

  private resolveGlobal(id: A.Ident, env: Block | null): void {
    const g = this.globals.get(id.name);
    if (g) {
      id.scope = A.Scope.Global;
      id.index = g.index;
    } else if (this.opts.isPredeclared(id.name)) {
      id.scope = A.Scope.Predeclared;
      let info = this.globals.get(id.name);
      if (!info) {
        info = { index: this.globalNames.length, first: id };
        this.globalNames.push(id.name);
        this.globals.set(id.name, info);
      }
      id.index = info.index;
    } else if (this.opts.isUniversal(id.name)) {
      if (id.name === 'set' && this.opts.set === false) this.errorf(id, doesnt + 'support sets');
      id.scope = A.Scope.Universal;
    } else {
      id.scope = A.Scope.Undefined;
      this.errorf(id, `undefined: ${fromBytes(id.name + this.spelling(id, env))}`);
    }
  }
}

// Local slot counters live on the container block (a hidden counter keyed by block).
const localCounts = new WeakMap<Block, number>();
function countLocalsInc(c: Block): number {
  const n = localCounts.get(c) ?? 0;
  localCounts.set(c, n + 1);
  return n;
}
function countLocals(c: Block): number {
  return localCounts.get(c) ?? 0;
}

/** The candidate nearest to x by edit distance (ignoring case and underscores), if under 50% typos. */
function nearest(x: string, candidates: string[]): string {
  const fold = (v: string) => mapText(v.replace(/_/g, ''), (t) => t.toLowerCase()); // names are byte strings
  const fx = fold(x);
  let best = '';
  let bestD = Math.floor((fx.length + 1) / 2);
  for (const c of candidates) {
    const d = levenshtein(fx, fold(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
