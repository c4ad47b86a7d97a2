// Compiling a reconciler: its Starlark file plus the project's libraries,
// resolved through load(). Libraries are found by the names discovery gives
// them ("example.com.greetings.star" and "example.com_greetings.star" for a
// crds/ library, the file name for libs/), plus the standard modules
// ("json.star", "math.star", "time.star"). Each library runs once per
// reconciler program and is frozen; the reconciler's `reconcile` function is
// then called for every request with a fresh thread (step budget per run).
//
// Errors found here — a syntax error, a failing load, a missing `reconcile` —
// are load problems with file:line:col, reported before anything runs.

import { callFunction, compileFile, EvalError, makeLoader, newThread, StarlarkSyntaxError, StarFunction, modules, toStarlark, memoryExceededPrefix, type ModuleSource, type Value } from '../starlark/index.js';
import type { KObject } from '../api/object.js';
import type { CodeFile, LibrarySource } from './source.js';
import { BudgetThread } from './budget.js';
import { crashGuard, heldMessage } from './crashguard.js';
import { hostBuiltins, setScope, starlarkView, type ReconcileScope } from './hostapi.js';
import { ReconcileError, type RunStarlark } from './runtime.js';

export interface ProgramOptions {
  reconciler: string;
  code: CodeFile;
  libraries: LibrarySource[];
  /** Step budget per reconcile (loop iterations + calls). */
  maxSteps?: number;
  /** Wall-clock limit per reconcile in ms. */
  timeoutMs?: number;
  /** performance.now() by which every reconcile must end (the run's own time limit, `run once --timeout`). */
  deadline?: number;
  /** Memory limit per reconcile in MiB: bytes of Starlark values created (see starlark/values/meter.ts). */
  maxMemoryMiB?: number;
  /** Where print() output goes. */
  print?: (msg: string) => void;
}

/** A compile-time problem with its position. */
export class ProgramError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

import { defaultMaxMemoryMiB, defaultMaxSteps, defaultTimeoutMs } from './limits.js';
export { defaultMaxMemoryMiB, defaultMaxSteps, defaultTimeoutMs };

const cancelled = 'Starlark computation cancelled: too many steps';

const builtins = hostBuiltins();
const standardModules = new Map<string, Map<string, Value>>([...modules].map(([name, m]) => [`${name}.star`, new Map([[name, m as Value]])]));

export function libraryFinder(libraries: LibrarySource[]): (module: string) => ModuleSource | null {
  const byName = new Map<string, LibrarySource>();
  for (const lib of libraries) for (const n of lib.names) if (!byName.has(n)) byName.set(n, lib);
  return (module) => {
    const lib = byName.get(module);
    if (lib) return { filename: lib.file, src: lib.code };
    return standardModules.get(module) ?? null;
  };
}

function positioned(err: unknown, fallbackFile: string): ProgramError {
  if (err instanceof StarlarkSyntaxError) {
    // The first error's position is the ProgramError's; further ones keep theirs.
    const [first, ...rest] = err.errors;
    const caret = first!.format().slice(first!.format().indexOf('\n') + 1);
    const text = [first!.msg + (caret !== first!.format() ? `\n${caret}` : ''), ...rest.map((e) => e.format())].join('\n');
    return new ProgramError(first!.file, first!.line, first!.col, text);
  }
  if (err instanceof EvalError) {
    const [file, line, col] = err.position ? err.position.split(':') : [fallbackFile, '1', '1'];
    return new ProgramError(file!, Number(line), Number(col), err.backtrace());
  }
  return new ProgramError(fallbackFile, 1, 1, err instanceof Error ? err.message : String(err));
}

/** Compiles and initialises a reconciler; returns the function that runs one reconcile. */
export function compileReconciler(opts: ProgramOptions): RunStarlark {
  const { code } = opts;
  const print = opts.print ?? ((msg: string) => process.stderr.write(`[${opts.reconciler}] ${msg}\n`));
  const maxMemoryMiB = opts.maxMemoryMiB ?? defaultMaxMemoryMiB;
  const maxAllocs = maxMemoryMiB * 2 ** 20;
  const threadOpts = { name: opts.reconciler, print: (_t: unknown, msg: string) => print(msg), maxSteps: opts.maxSteps ?? defaultMaxSteps, maxAllocs };
  let reconcileFn: Value | undefined;
  try {
    // The original's dialect: go.starlark.net zero-value FileOptions (no set, while, recursion, top-level control, reassignment),
    // and only its host builtins predeclared: not starlarkstruct's `struct` (pkg/controller/reconciler/starlark/reconciler.go).
    const program = compileFile(code.file, code.text, { predeclared: builtins, set: false, struct: false });
    const load = makeLoader({ find: libraryFinder(opts.libraries), predeclared: builtins, predeclaredValues: builtins, set: false, struct: false });
    const globals = program.init(newThread(threadOpts), builtins, load);
    reconcileFn = globals.get('reconcile');
  } catch (err) {
    throw positioned(err, code.file);
  }
  if (!(reconcileFn instanceof StarFunction)) throw new ProgramError(code.file, 1, 1, `${code.file} defines no function reconcile(self)`);
  const fn = reconcileFn;
  const maxSteps = threadOpts.maxSteps;
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  return (self: KObject, scope: ReconcileScope): Value => {
    // A run that must end by a deadline cuts a reconcile short at it: a reconcile cannot be interrupted otherwise.
    const untilDeadline = opts.deadline === undefined ? Infinity : Math.max(1, opts.deadline - performance.now());
    const limitMs = Math.min(timeoutMs, untilDeadline);
    const guard = crashGuard();
    if (guard !== undefined) {
      const held = guard.heldFor(opts.reconciler, self);
      if (held !== undefined) throw new ReconcileError(heldMessage(held));
      guard.begin(opts.reconciler, self);
    }
    const thread = new BudgetThread(opts.reconciler, print, maxSteps, limitMs, maxAllocs);
    setScope(thread, scope);
    try {
      return callFunction(thread, fn, [toStarlark(starlarkView(self))]);
    } catch (err) {
      if (err instanceof EvalError) {
        let trace = err.backtrace();
        if (trace.includes(cancelled)) {
          const why = !thread.timedOut
            ? `reconcile cancelled: used up its budget of ${maxSteps} steps (loop iterations + calls)`
            : limitMs < timeoutMs
              ? 'reconcile cancelled: the run reached its time limit'
              : `reconcile cancelled: still running after the ${timeoutMs} ms time limit`;
          trace = trace.replace(cancelled, why);
        }
        if (trace.includes(memoryExceededPrefix)) {
          trace = trace.replace(`${memoryExceededPrefix} of ${maxMemoryMiB} MiB`, `reconcile exceeded its memory limit of ${maxMemoryMiB} MiB`);
        }
        throw new ReconcileError(trace);
      }
      throw err;
    } finally {
      guard?.end();
    }
  };
}
