// Public API of the Starlark engine (starlark-go's package starlark plus its
// lib/ modules). Code in src/ outside src/starlark imports only this file, or
// the test harness's own modules under testing/ (starlark-go's starlarktest,
// kept as separate files so `choreoctl --version` can list the dialect options
// without loading the interpreter); `npm run lint` enforces it. Keep it small
// and stable.
//
//   const prog = compileFile('r.star', src, { predeclared: ['client_get'], while: true });
//   const thread = newThread({ name: 'reconciler', print: (t, msg) => log(msg), maxSteps: 1e6 });
//   const globals = prog.init(thread, { client_get }, loader);   // runs the top level; frozen
//   const result = callFunction(thread, globals.get('reconcile')!, [self]);
//
// - compileFile(filename, src, opts) → Program. Parses, resolves and compiles once;
//   throws StarlarkSyntaxError (file, line, col, msg, format() with a caret; `.errors`
//   lists every static error). opts: dialect flags { set (default true),
//   globalreassign, recursion, toplevelcontrol, while, loadBindsGlobally } and the
//   names of predeclared host values. Each function is compiled to JS (new Function,
//   user text only ever passed as data); `backend: 'closures'` — used automatically
//   when code generation is disabled — has the same semantics, slower.
// - Program.init(thread, predeclared, load?) → Map of exported globals (frozen).
//   May be called again for a fresh module instance. Identifiers are UTF-8 byte
//   strings like Starlark strings (as Go strings in starlark-go): the keys of
//   this Map and kwargs names given to callFunction are byte strings
//   (toStarlarkString); predeclared names are given as text.
// - newThread({ name, print, maxSteps, maxDepth, maxAllocs }) → StarThread. `steps`
//   counts loop iterations, calls and the proportional work of builtins; `allocs`
//   the bytes of values created (values/meter.ts); reset both between independent
//   runs if the budgets are per run.
// - callFunction(thread, fn, args, kwargs) → Value; cheap enough to call per event.
// - execFile(thread, filename, src, predeclared, opts) — compile + init in one step.
// - makeLoader({ find, ...compileOpts, predeclaredValues }) → LoadFn with caching and
//   cycle detection ("cycle in load graph"); `find` returns source or a ready module Map.
// - ReplSession: chunks run against the globals of earlier ones, a sole expression's value returned (repl.ts).
// - Runtime errors are EvalError: `.msg`, `.frames`/`.callStack`, `.position`,
//   `.backtrace()` renders starlark-go's "Traceback (most recent call last): ...".
//   `.cause` holds the original error (e.g. FailError from fail()).

export {
  compileFile, execFile, callFunction, newThread, makeLoader, Program, StarThread,
  EvalError, StarlarkSyntaxError, StarFunction,
  type CompileOptions, type ExecOptions, type ThreadOptions, type LoaderOptions, type ModuleSource,
  type Predeclared, type CallFrame, type LoadFn, type Dialect,
} from './eval.js';

export { StarlarkError, type Value, type StarObject, type Callable, type Thread } from './values/value.js';
export { StarFloat } from './values/float.js';
export { StarBytes } from './values/bytes.js';
export { StarList, StarTuple } from './values/list.js';
export { StarDict, StarSet } from './values/dict.js';
export { StarRange } from './values/range.js';
export { StarStruct, StarModule } from './values/struct.js';
export { StarBuiltin, builtin, unpackArgs, wantString, wantText, type Kwargs } from './values/builtin.js';
export { toStarlark, fromStarlark } from './values/convert.js';
// A Starlark string is a UTF-8 byte string (values/utf8.ts): hosts convert text both ways at their boundary.
export { toBytes as toStarlarkString, fromBytes as fromStarlarkString } from './values/utf8.js';
export { memoryExceededPrefix } from './values/meter.js';
export { modules } from './modules/index.js';
export { repr, str, typeName, truth, equal } from './values/ops.js';
export { universe, FailError } from './builtins/universe.js';
export { ReplSession, type ReplOptions } from './repl.js';
