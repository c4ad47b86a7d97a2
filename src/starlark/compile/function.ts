// Starlark functions: compiled code (FuncCode, shared by every closure made from
// one `def` or `lambda`) plus a closure (StarFunction: defaults, captured cells,
// the module's globals).
//
// Calling binds arguments to parameter slots following the spec (positional,
// then keywords, then defaults; extra positionals to *args, extra keywords to
// **kwargs) with starlark-go's error messages, creates a Frame and runs the
// body. The step budget and the depth limit are checked on every call, and —
// unless the program's dialect allows recursion — a call to a function whose
// code is already active is an error (like starlark-go, the check is by code,
// not closure value, so a Y-combinator cannot defeat it).
//
// Trade-off: the recursion check uses a per-code active counter instead of
// scanning the call stack, O(1) per call; it assumes one thread runs at a time,
// which holds because evaluation is synchronous.

import { StarlarkError, type Callable, type Thread, type Value } from '../values/value.js';
import { StarDict } from '../values/dict.js';
import { quoteString } from '../values/quote.js';
import { StarTuple, EMPTY_TUPLE } from '../values/list.js';
import { Cell, Frame, RETURN, type LoadFn, type Stmt } from './frame.js';
import type * as A from '../syntax/ast.js';

/** A generated function body: thread, locals, free cells, globals, loader → return value. */
export type FastBody = (
  t: Thread, l: Array<Value | undefined | Cell>, f: Cell[], g: Array<Value | undefined>, load: LoadFn | null,
) => Value;

/** What the backends need besides the resolved file. */
export interface CompileOptions {
  universe: Map<string, Value>;
  /** The dialect allows recursion (checked at call time). */
  recursion: boolean;
}

export class FuncCode {
  /** Number of active invocations (for the recursion check). */
  active = 0;
  body: Stmt = () => 0;
  /**
   * Set by the codegen backend instead of `body`: runs the function on its
   * locals array directly (no Frame) and returns the result.
   */
  fast: FastBody | null = null;
  constructor(
    readonly name: string,
    readonly file: string,
    readonly line: number,
    readonly col: number,
    /** Parameter names in slot order: positional, keyword-only, *args, **kwargs. */
    readonly paramNames: string[],
    readonly numPositional: number,
    readonly numKwonly: number,
    readonly hasVarargs: boolean,
    readonly hasKwargs: boolean,
    readonly numLocals: number,
    /** Slots that hold cells (captured by nested functions). */
    readonly cells: number[],
    readonly recursion: boolean,
  ) {}

  /** The code of a resolved function (or the file's top level), as both backends start it; they fill in its body. */
  static of(filename: string, fn: A.FunctionNode, recursion: boolean): FuncCode {
    return new FuncCode(
      fn.name, filename, fn.line, fn.col,
      fn.params.map((p) => p.ident?.name ?? '*'),
      fn.numPositional, fn.numKwonly, fn.hasVarargs, fn.hasKwargs,
      fn.numLocals, fn.cells, recursion,
    );
  }

  /** True if calls can skip the general binder: only positional parameters, no cells. */
  get simple(): boolean {
    return !this.hasVarargs && !this.hasKwargs && this.numKwonly === 0 && this.cells.length === 0;
  }
}

export class StarFunction implements Callable {
  private readonly simple: boolean;
  constructor(
    readonly code: FuncCode,
    /** Default per positional/keyword-only parameter; undefined = required. */
    readonly defaults: Array<Value | undefined>,
    readonly freevars: Cell[],
    readonly globals: Array<Value | undefined>,
  ) {
    this.simple = code.simple;
  }

  get name(): string {
    return this.code.name;
  }
  get typeName(): string {
    return 'function';
  }
  freeze(): void {
    for (const d of this.defaults) if (d !== undefined && d !== null && typeof d === 'object') d.freeze();
    for (const c of this.freevars) {
      const v = c.v;
      if (v !== undefined && v !== null && typeof v === 'object') v.freeze();
    }
  }
  truth(): boolean {
    return true;
  }
  hash(): number {
    let h = 0;
    const s = this.code.name;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return h ^ (this.code.line * 7919);
  }
  repr(out: string[]): void {
    out.push(`<function ${this.code.name}>`);
  }

  call(thread: Thread, args: Value[], kwargs: Array<[string, Value]> | null): Value {
    if (kwargs === null || kwargs.length === 0) return this.callOwned(thread, args.slice());
    return this.invoke(thread, this.bind(args, args.length, null, kwargs));
  }

  /**
   * Call from compiled code with keyword arguments named at compile time:
   * `args` holds the positional arguments, then the values of the keywords
   * `names` (a constant of the call site), so no [name, value] pairs are built.
   */
  callNamed(thread: Thread, args: Value[], names: readonly string[]): Value {
    return this.invoke(thread, this.bind(args, args.length - names.length, names, null));
  }

  /** Call from compiled code that owns `args` (a fresh array it will not reuse). */
  callOwned(thread: Thread, args: Value[]): Value {
    const code = this.code;
    if (this.simple && args.length === code.numPositional) {
      // Fast path: the argument array becomes the locals array. Generated code
      // reads the slots past its end as undefined; closures grow it here.
      if (code.fast === null) for (let i = args.length; i < code.numLocals; i++) (args as unknown[]).push(undefined);
      return this.invoke(thread, args);
    }
    return this.invoke(thread, this.bind(args, args.length, null, null));
  }

  private invoke(thread: Thread, locals: Array<Value | undefined | Cell>): Value {
    const code = this.code;
    if (++thread.steps > thread.maxSteps) {
      throw new StarlarkError('Starlark computation cancelled: too many steps');
    }
    if (thread.depth >= thread.maxDepth) {
      throw new StarlarkError(`call stack depth exceeded (limit ${thread.maxDepth})`);
    }
    if (code.active > 0 && !code.recursion) {
      throw new StarlarkError(`function ${code.name} called recursively`);
    }
    const cells = code.cells;
    for (let i = 0; i < cells.length; i++) locals[cells[i]] = new Cell(locals[cells[i]] as Value | undefined);
    thread.depth++;
    code.active++;
    try {
      const fast = code.fast;
      if (fast !== null) return fast(thread, locals, this.freevars, this.globals, null);
      const fr = new Frame(locals, this.freevars, this.globals, thread);
      return code.body(fr) === RETURN ? fr.ret : null;
    } finally {
      code.active--;
      thread.depth--;
    }
  }

  /**
   * Binds the n positional arguments args[0..n) and the keyword arguments —
   * names[k] with value args[n + k], or the pairs of kwargs — to parameter
   * slots; reads args only. Throws StarlarkError.
   */
  bind(args: Value[], n: number, names: readonly string[] | null, kwargs: Array<[string, Value]> | null): Array<Value | undefined> {
    const code = this.code;
    const np = code.numPositional;
    const nparams = np + code.numKwonly;
    const locals: Array<Value | undefined> = new Array(code.numLocals);
    const nk = names !== null ? names.length : kwargs !== null ? kwargs.length : 0;
    if (nparams === 0 && !code.hasVarargs && !code.hasKwargs && n + nk > 0) {
      throw new StarlarkError(`function ${code.name} accepts no arguments (${n + nk} given)`);
    }
    if (n > np && !code.hasVarargs) {
      const optional = this.defaults.slice(0, np).some((d) => d !== undefined);
      if (np === 0) throw new StarlarkError(`function ${code.name} accepts no positional arguments (${n} given)`);
      throw new StarlarkError(`function ${code.name} accepts ${optional ? 'at most ' : ''}${np} positional argument${np === 1 ? '' : 's'} (${n} given)`);
    }
    const m = n < np ? n : np;
    for (let i = 0; i < m; i++) locals[i] = args[i];
    let slot = nparams;
    if (code.hasVarargs) locals[slot++] = n > np ? new StarTuple(args.slice(np, n)) : EMPTY_TUPLE;
    let kwdict: StarDict | null = null;
    if (code.hasKwargs) locals[slot] = kwdict = new StarDict();
    if (nk > 0) {
      const params = code.paramNames;
      for (let k = 0; k < nk; k++) {
        const name = names !== null ? names[k]! : kwargs![k]![0];
        const v = names !== null ? args[n + k]! : kwargs![k]![1];
        let i = 0;
        while (i < nparams && params[i] !== name) i++;
        if (i < nparams) {
          if (locals[i] !== undefined) throw new StarlarkError(`function ${code.name} got multiple values for parameter ${quoteString(name)}`);
          locals[i] = v;
        } else if (kwdict !== null) {
          if (kwdict.get(name) !== undefined) throw new StarlarkError(`function ${code.name} got multiple values for parameter ${quoteString(name)}`);
          kwdict.set(name, v);
        } else {
          throw new StarlarkError(`function ${code.name} got an unexpected keyword argument ${quoteString(name)}`);
        }
      }
    }
    let missing: string[] | null = null;
    for (let i = 0; i < nparams; i++) {
      if (locals[i] === undefined) {
        const d = this.defaults[i];
        if (d === undefined) (missing ??= []).push(code.paramNames[i]);
        else locals[i] = d;
      }
    }
    if (missing !== null) {
      throw new StarlarkError(`function ${code.name} missing ${missing.length} argument${missing.length === 1 ? '' : 's'} (${missing.join(', ')})`);
    }
    return locals;
  }
}
