// The evaluator's host-facing side: threads, programs, calls and load().
//
// compileFile runs the pipeline once — parse (syntax/), resolve (resolve/),
// compile to JS (compile/codegen.ts; closures as fallback) — and returns a Program. Program.init executes
// the top level on a thread with the host's predeclared values and a loader,
// then freezes the module: every global value becomes immutable, so functions
// exported from it can be called again and again (a reconciler's `reconcile`)
// without one call leaking state into the next.
//
// A thread carries the print hook, the step budget (charged per loop iteration
// and per call) and the call-depth limit. The depth limit is checked on every
// call and is set well below what the JS stack can hold; a JS stack overflow is
// nevertheless caught and reported as the same Starlark error.
//
// makeLoader gives load() its semantics: each module is executed at most once
// per loader (results and errors are cached) and a module that is still being
// loaded when it is requested again is a "cycle in load graph".

import { parseFile } from './syntax/parser.js';
import { StarlarkSyntaxError } from './syntax/errors.js';
import { resolveFile, type Dialect } from './resolve/resolver.js';
import { compileFileCode } from './compile/closures/stmt.js';
import { compileFileCodegen } from './compile/codegen.js';
import { Cell, Frame, type LoadFn } from './compile/frame.js';
import { EvalError, errorAt, type CallFrame } from './compile/errors.js';
import { FuncCode, StarFunction } from './compile/function.js';
import type * as A from './syntax/ast.js';
import { universe } from './builtins/universe.js';
import { fromBytes, toBytes } from './values/utf8.js';
import { StarlarkError, type Callable, type Thread, type Value } from './values/value.js';
import { typeName } from './values/ops.js';
import * as meter from './values/meter.js';

export { EvalError, StarlarkSyntaxError, StarFunction, type CallFrame, type LoadFn, type Dialect };

/** Predeclared values for a module: host functions and constants. */
export type Predeclared = Map<string, Value> | Record<string, Value>;

// The host names predeclared values in Unicode text; the program's identifiers
// are UTF-8 byte strings (values/utf8.ts), so a non-ASCII name is transcoded.
function lookup(p: Predeclared | undefined, name: string): Value | undefined {
  if (!p) return undefined;
  const key = fromBytes(name);
  if (p instanceof Map) return p.get(key);
  return Object.prototype.hasOwnProperty.call(p, key) ? p[key] : undefined;
}

function names(p: Predeclared | Iterable<string> | undefined): Set<string> {
  if (!p) return new Set();
  const keys = p instanceof Map ? p.keys() : typeof (p as Iterable<string>)[Symbol.iterator] === 'function' ? (p as Iterable<string>) : Object.keys(p);
  const out = new Set<string>();
  for (const k of keys) out.add(toBytes(k));
  return out;
}

export interface ThreadOptions {
  name?: string;
  /** Receives print() output; defaults to stderr (as starlark-go does). */
  print?: (thread: Thread, msg: string) => void;
  /** Step budget (loop iterations + calls); default unlimited. */
  maxSteps?: number;
  /** Maximum call depth; default 1000. */
  maxDepth?: number;
  /** Memory budget in bytes of values created (see values/meter.ts); default unlimited. */
  maxAllocs?: number;
}

export class StarThread implements Thread {
  readonly name: string;
  steps = 0;
  maxSteps: number;
  depth = 0;
  maxDepth: number;
  allocs = 0;
  maxAllocs: number;
  local = new Map<string, unknown>();
  private readonly printFn: (thread: Thread, msg: string) => void;

  constructor(opts: ThreadOptions = {}) {
    this.name = opts.name ?? 'main';
    this.maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
    this.maxDepth = opts.maxDepth ?? 1000;
    this.maxAllocs = opts.maxAllocs ?? Number.POSITIVE_INFINITY;
    this.printFn = opts.print ?? ((_t, msg) => { process.stderr.write(msg + '\n'); });
  }

  print(thread: Thread, msg: string): void {
    this.printFn(thread, msg);
  }
}

export function newThread(opts: ThreadOptions = {}): StarThread {
  return new StarThread(opts);
}

export interface CompileOptions extends Dialect {
  /**
   * 'codegen' (default): each function becomes generated JS compiled by V8 — fastest.
   * 'closures': a tree of specialised closures — no `new Function`, slower; same semantics.
   */
  backend?: 'codegen' | 'closures';
  /** Names the host will supply to Program.init (values are not needed to compile). */
  predeclared?: Predeclared | Iterable<string>;
}

/** A compiled file, ready to be executed (any number of times, each with fresh globals). */
export class Program {
  constructor(
    readonly filename: string,
    private readonly file: A.File,
    private readonly code: FuncCode,
  ) {}

  /** Global names the file defines (in order of first binding). */
  get globalNames(): string[] {
    return this.file.globals.slice(0, this.file.numFileGlobals);
  }

  /**
   * Executes the top level and returns the module's exported globals, frozen.
   * Throws EvalError on a runtime error.
   */
  init(thread: Thread, predeclared?: Predeclared, load?: LoadFn, repl?: ReplInit): Map<string, Value> {
    const file = this.file;
    const g: Array<Value | undefined> = new Array(file.globals.length).fill(undefined);
    if (repl) for (let i = 0; i < file.numFileGlobals; i++) g[i] = repl.globals.get(file.globals[i]);
    for (let i = file.numFileGlobals; i < file.globals.length; i++) {
      const name = file.globals[i];
      const v = lookup(predeclared, name);
      if (v === undefined) throw new EvalError(`predeclared name ${name} was not provided`, [{ name: '<toplevel>', file: this.filename, line: 1, col: 1 }]);
      g[i] = v;
    }
    const code = this.code;
    const locals: Array<Value | undefined | Cell> = new Array(code.numLocals).fill(undefined);
    for (const c of code.cells) locals[c] = new Cell(undefined);
    const fr = new Frame(locals, [], g, thread, load ?? null);
    thread.depth++;
    const prev = meter.enter(thread);
    try {
      if (code.fast !== null) code.fast(thread, locals, [], g, load ?? null);
      else code.body(fr);
    } catch (e) {
      throw errorAt(e, { fn: '<toplevel>', file: this.filename, line: 1, col: 1 });
    } finally {
      thread.depth--;
      meter.leave(prev);
      // A REPL keeps what the chunk bound, also before a failing statement (as starlark-go's ExecREPLChunk), unfrozen.
      if (repl) for (let i = 0; i < file.numFileGlobals; i++) if (g[i] !== undefined) repl.globals.set(file.globals[i], g[i]!);
    }
    const out = new Map<string, Value>();
    if (repl) return out;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (v !== undefined && v !== null && typeof v === 'object') v.freeze();
      if (i < file.numFileGlobals && v !== undefined && !file.loadBound.has(i)) out.set(file.globals[i], v);
    }
    return out;
  }
}

/** A REPL chunk's globals: read by Program.init for the names the chunk was resolved with (replGlobals), updated with what it binds. */
export interface ReplInit {
  globals: Map<string, Value>;
}

/** Parses, resolves and compiles a file. Throws StarlarkSyntaxError (with .errors for all of them). */
export function compileFile(filename: string, src: string, opts: CompileOptions = {}): Program {
  return compileParsed(parseFile(filename, src), opts);
}

/** Resolves and compiles a parsed file (the REPL rewrites a sole expression first). */
export function compileParsed(file: A.File, opts: CompileOptions & { replGlobals?: Iterable<string> } = {}): Program {
  const filename = file.filename;
  const pre = names(opts.predeclared);
  const universal = (n: string) => universe.has(n) && (n !== 'struct' || opts.struct !== false);
  resolveFile(file, {
    ...opts,
    isPredeclared: (n) => pre.has(n),
    isUniversal: universal,
    candidateNames: [...pre, ...[...universe.keys()].filter(universal)],
  });
  const copts = { universe, recursion: opts.recursion === true };
  let code: FuncCode;
  if (opts.backend === 'closures') {
    code = compileFileCode(file, copts);
  } else {
    try {
      code = compileFileCodegen(file, copts);
    } catch (e) {
      // Code generation from strings disabled (e.g. --disallow-code-generation-from-strings): use closures.
      if (!(e instanceof globalThis.EvalError)) throw e;
      code = compileFileCode(file, copts);
    }
  }
  return new Program(filename, file, code);
}

export interface ExecOptions extends CompileOptions {
  load?: LoadFn;
}

/** Compiles and executes a file in one step; returns its frozen globals. */
export function execFile(thread: Thread, filename: string, src: string, predeclared?: Predeclared, opts: ExecOptions = {}): Map<string, Value> {
  const prog = compileFile(filename, src, { ...opts, predeclared: opts.predeclared ?? predeclared });
  return prog.init(thread, predeclared, opts.load);
}

/**
 * Calls a Starlark (or builtin) function from the host. Errors come out as
 * EvalError with the Starlark stack trace.
 */
export function callFunction(thread: Thread, fn: Value, args: Value[] = [], kwargs: Array<[string, Value]> | null = null): Value {
  if (fn instanceof StarFunction) {
    const prev = meter.enter(thread);
    try {
      return fn.call(thread, args, kwargs);
    } catch (e) {
      throw hostCallError(e, fn.name, true);
    } finally {
      meter.leave(prev);
    }
  }
  if (typeof fn === 'object' && fn !== null && typeof (fn as Partial<Callable>).call === 'function') {
    const c = fn as Callable;
    const prev = meter.enter(thread);
    try {
      return c.call(thread, args, kwargs);
    } catch (e) {
      throw hostCallError(e, c.name, false);
    } finally {
      meter.leave(prev);
    }
  }
  throw new EvalError(`invalid call of non-function (${typeName(fn)})`);
}

function hostCallError(e: unknown, name: string, isStarlark: boolean): EvalError {
  const builtinFrame: CallFrame[] = isStarlark ? [] : [{ name, file: null, line: 0, col: 0 }];
  if (e instanceof EvalError) {
    if (!isStarlark) e.frames.push(...builtinFrame);
    return e;
  }
  if (e instanceof StarlarkError) return new EvalError(e.message, builtinFrame, e);
  if (e instanceof RangeError) return new EvalError('call stack depth exceeded', builtinFrame, e);
  const msg = e instanceof Error ? e.message : String(e);
  return new EvalError(`internal error: ${msg}`, builtinFrame, e);
}

/** What a loader's `find` returns: Starlark source to execute, or a ready-made module (e.g. json). */
export type ModuleSource = { filename: string; src: string } | Map<string, Value>;

export interface LoaderOptions extends CompileOptions {
  /** Locates a module by the string given to load(); return null if there is none. */
  find: (module: string) => ModuleSource | null;
  /** Predeclared values for every loaded module. */
  predeclaredValues?: Predeclared;
}

/**
 * A caching load() implementation: each module runs once (its result, or its
 * error, is remembered), and re-entering a module that is still loading is an error.
 */
export function makeLoader(opts: LoaderOptions): LoadFn {
  const cache = new Map<string, { loading: boolean; globals?: Map<string, Value>; error?: unknown }>();
  const load: LoadFn = (thread, module) => {
    const hit = cache.get(module);
    if (hit) {
      if (hit.loading) throw new StarlarkError('cycle in load graph');
      if (hit.error !== undefined) throw hit.error;
      return hit.globals!;
    }
    const entry: { loading: boolean; globals?: Map<string, Value>; error?: unknown } = { loading: true };
    cache.set(module, entry);
    try {
      const found = opts.find(module);
      if (found === null) throw new StarlarkError(`module ${toBytes(module)} not found`); // messages are UTF-8 byte strings (values/utf8.ts)
      const globals = found instanceof Map
        ? found
        : compileFile(found.filename, found.src, { ...opts, predeclared: opts.predeclared ?? opts.predeclaredValues }).init(thread, opts.predeclaredValues, load);
      entry.globals = globals;
      return globals;
    } catch (e) {
      entry.error = e;
      throw e;
    } finally {
      entry.loading = false;
    }
  };
  return load;
}
