// The `assert` module of chunked Starlark tests, loaded as
// `load("assert.star", "assert", "freeze")`.
//
// Key idea: every assertion is a builtin that raises an ordinary Starlark error
// when it does not hold, so a failing assertion stops its chunk and is reported
// by the runner like any other runtime error — at the line of the call, with the
// message saying what was compared. `assert.fails(fn, pattern)` is the one
// assertion that needs to catch an error: it calls `fn` and matches the message
// of the Starlark error it raises.
//
// Trade-off: starlark-go's assert keeps running after a failed assertion and
// reports them all; stopping at the first one is simpler and still points at
// the exact line, and chunks are small.

import { EvalError } from '../compile/errors.js';
import { builtin, unpackArgs, type Kwargs } from '../values/builtin.js';
import { callValue, compare, contains, equal, repr, str, truth } from '../values/ops.js';
import { StarModule } from '../values/struct.js';
import { StarlarkError, type Value } from '../values/value.js';
import { fromBytes, toBytes } from '../values/utf8.js';
import { compileGoRegexp, isGoRegexpError } from '../../api/schema/regexp.js';

/** The message (Unicode text) of an error raised while running Starlark code, or null if it is not one. */
export function starlarkErrorMessage(err: unknown): string | null {
  if (err instanceof EvalError) return err.msg;
  if (err instanceof StarlarkError) return fromBytes(err.message); // worded in UTF-8 byte strings (values/utf8.ts)
  return null;
}

function expectString(fn: string, v: Value | undefined, what: string): string {
  if (typeof v !== 'string') throw new StarlarkError(`${fn}: ${what} must be a string, got ${v === undefined ? 'nothing' : repr(v)}`);
  return v;
}

const eq = builtin('assert.eq', (_t, args: Value[], kwargs: Kwargs) => {
  const [x, y] = unpackArgs('assert.eq', args, kwargs, ['x', 'y']) as [Value, Value];
  if (!equal(x, y)) throw new StarlarkError(`${repr(x)} != ${repr(y)}`);
  return null;
});

const ne = builtin('assert.ne', (_t, args, kwargs) => {
  const [x, y] = unpackArgs('assert.ne', args, kwargs, ['x', 'y']) as [Value, Value];
  if (equal(x, y)) throw new StarlarkError(`${repr(x)} == ${repr(y)}`);
  return null;
});

const isTrue = builtin('assert.true', (_t, args, kwargs) => {
  const [cond, msg] = unpackArgs('assert.true', args, kwargs, ['cond', 'msg?']);
  if (!truth(cond!)) throw new StarlarkError(msg === undefined ? `assertion failed: ${repr(cond!)} is not true` : str(msg));
  return null;
});

const lt = builtin('assert.lt', (_t, args, kwargs) => {
  const [x, y] = unpackArgs('assert.lt', args, kwargs, ['x', 'y']) as [Value, Value];
  if (!compare('<', x, y)) throw new StarlarkError(`${repr(x)} is not less than ${repr(y)}`);
  return null;
});

const containsFn = builtin('assert.contains', (_t, args, kwargs) => {
  const [x, y] = unpackArgs('assert.contains', args, kwargs, ['x', 'y']) as [Value, Value];
  if (!contains(x, y)) throw new StarlarkError(`${repr(x)} does not contain ${repr(y)}`);
  return null;
});

const fails = builtin('assert.fails', (thread, args, kwargs) => {
  const [fn, patternArg] = unpackArgs('assert.fails', args, kwargs, ['fn', 'pattern']);
  const pattern = expectString('assert.fails', patternArg, 'pattern');
  const rx = compileGoRegexp(fromBytes(pattern)); // Go (RE2) syntax over text, linear time, as go.starlark.net
  if (isGoRegexpError(rx)) throw new StarlarkError(`assert.fails: invalid regular expression ${repr(pattern)}: ${rx.error}`);
  try {
    callValue(thread, fn!, [], null);
  } catch (err) {
    const msg = starlarkErrorMessage(err);
    if (msg === null) throw err; // an interpreter crash is not an expected failure
    if (!rx.test(msg)) throw new StarlarkError(`regular expression (${pattern}) did not match error (${toBytes(msg)})`);
    return null;
  }
  throw new StarlarkError(`evaluation succeeded unexpectedly (want error matching ${repr(pattern)})`);
});

const failFn = builtin('assert.fail', (_t, args, kwargs) => {
  const [msg] = unpackArgs('assert.fail', args, kwargs, ['msg']);
  throw new StarlarkError(str(msg!));
});

/** freeze(x): makes x and everything reachable from it immutable. */
export const freeze = builtin('freeze', (_t, args, kwargs) => {
  const [x] = unpackArgs('freeze', args, kwargs, ['x']) as [Value];
  if (x !== null && typeof x === 'object') x.freeze();
  return null;
});

/**
 * The globals of the virtual module "assert.star". One frozen module value is
 * shared by every load, so two loads of it bind the same (equal) value.
 */
export function assertModuleGlobals(): Map<string, Value> {
  return assertGlobals;
}

const assertGlobals = makeAssertGlobals();

function makeAssertGlobals(): Map<string, Value> {
  const members = new Map<string, Value>([
    ['eq', eq],
    ['ne', ne],
    ['true', isTrue],
    ['lt', lt],
    ['contains', containsFn],
    ['fails', fails],
    ['fail', failFn],
    ['freeze', freeze],
  ]);
  const module = new StarModule('assert', members);
  module.freeze();
  return new Map<string, Value>([
    ['assert', module],
    ['freeze', freeze],
  ]);
}
