// The host environment of `choreoctl star`: how a test chunk or a script file
// is compiled and executed, what it may load, and how its errors are turned
// into something a user (or the chunk runner) can act on.
//
// Key idea: both `star test` and `star run` go through the interpreter's public
// API (compileFile → Program.init with a loader), exactly as a reconciler host
// would, so the conformance corpus tests what production code runs.
// Modules: "assert.star" (tests only), "json.star", "math.star", "time.star";
// in `star run` any other name is a .star file in the directory of the main file.
//
// Trade-off: the dialect flag `set` is off unless a chunk asks for it
// (`option:set`), matching the test convention where every option names a
// non-default feature; `star run` enables sets, as current Starlark does.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileFile, EvalError, makeLoader, newThread, StarlarkSyntaxError, type Dialect, type LoadFn, type ModuleSource } from '../index.js';
import { modules } from '../modules/index.js';
import { StarlarkError, type Value } from '../values/value.js';
import { assertModuleGlobals, freeze } from './assert.js';
import type { DialectOption } from './chunks.js';

/** An error of a chunk: its message and the file lines it can be attributed to, innermost first. */
export interface ChunkError {
  readonly message: string;
  readonly lines: number[];
}

/** Steps (loop iterations + calls) a test chunk may take: catches runaway loops, never a real test. */
const TEST_MAX_STEPS = 50_000_000;

export function dialectOf(options: ReadonlySet<DialectOption>, setDefault: boolean): Dialect {
  return {
    set: setDefault || options.has('set'),
    globalreassign: options.has('globalreassign'),
    recursion: options.has('recursion'),
    toplevelcontrol: options.has('toplevelcontrol'),
    while: options.has('while'),
  };
}

/** The modules every host program may load, as load() sees them: "json.star" binds `json`. */
export function standardModule(name: string): Map<string, Value> | null {
  const m = /^(json|math|time)\.star$/.exec(name);
  if (m === null) return null;
  return new Map<string, Value>([[m[1]!, modules.get(m[1]!)!]]);
}

/**
 * Compiles and runs one chunk; returns every error it produced (none if it
 * ran cleanly). Lines outside `file` (e.g. in a builtin) are not reported.
 */
export function runChunkSource(file: string, source: string, options: ReadonlySet<DialectOption>, print: (msg: string) => void): ChunkError[] {
  const predeclared = new Map<string, Value>([['freeze', freeze]]);
  const dialect = dialectOf(options, false);
  const load: LoadFn = (_thread, module) => {
    if (module === 'assert.star') return assertModuleGlobals();
    const std = standardModule(module);
    if (std === null) throw new StarlarkError("no such module");
    return std;
  };
  try {
    const program = compileFile(file, source, { ...dialect, predeclared });
    const thread = newThread({ name: 'test', print: (_t, msg) => print(msg), maxSteps: TEST_MAX_STEPS });
    program.init(thread, predeclared, load);
    return [];
  } catch (err) {
    if (err instanceof StarlarkSyntaxError) return err.errors.map((e) => ({ message: e.msg, lines: [e.line] }));
    if (err instanceof EvalError) {
      const lines = err.frames.filter((f) => f.file === file).map((f) => f.line);
      return [{ message: err.msg, lines }];
    }
    // One line, like every other failure: the JS message and where it was thrown.
    const where = err instanceof Error ? (err.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '))?.trim() : undefined;
    const msg = err instanceof Error ? err.message : String(err);
    return [{ message: `interpreter crashed: ${msg}${where ? ` (${where})` : ''}`, lines: [] }];
  }
}

/** Renders an error escaping a run for a terminal: file:line:col, caret or traceback. */
export function renderError(err: unknown): string {
  if (err instanceof StarlarkSyntaxError) return err.errors.map((e) => e.format()).join('\n');
  if (err instanceof EvalError) return err.backtrace();
  return `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

/** Budgets of a script run (`star run`); unlimited when absent. */
export interface RunLimits {
  /** Steps (loop iterations, calls, proportional work of builtins). */
  maxSteps?: number;
  /** Bytes of values created (see values/meter.ts). */
  maxAllocs?: number;
}

/**
 * Executes a script file with the standard modules and loads of sibling .star
 * files. Returns null on success, or the rendered error.
 */
export function runStarlarkFile(file: string, src: string, options: ReadonlySet<DialectOption>, print: (msg: string) => void, limits: RunLimits = {}): string | null {
  const dialect = dialectOf(options, true);
  // Loaded files are named as the user would name them from where they ran the
  // command (dir of FILE + module), so traceback positions can be opened as-is.
  const dir = dirname(file);
  const find = (module: string): ModuleSource | null => {
    const std = standardModule(module);
    if (std !== null) return std;
    const path = join(dir, module);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return null;
    }
    return { filename: path, src: text };
  };
  const load = makeLoader({ ...dialect, find });
  try {
    const program = compileFile(file, src, dialect);
    const thread = newThread({ name: 'main', print: (_t, msg) => print(msg), maxSteps: limits.maxSteps, maxAllocs: limits.maxAllocs });
    program.init(thread, undefined, load);
    return null;
  } catch (err) {
    return renderError(err);
  }
}
