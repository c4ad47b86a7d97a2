// Runtime errors with a Starlark stack trace.
//
// Operators and builtins throw a bare StarlarkError (a message, no position).
// Compiled code converts it into an EvalError at the node where it surfaced,
// recording the innermost frame (function name, file:line:col); each call site
// it then unwinds through appends the caller's frame. The rendering follows
// starlark-go:
//
//   Traceback (most recent call last):
//     main.star:7:2: in <toplevel>
//     main.star:3:10: in f
//   Error: division by zero
//
// and, when the innermost frame is a builtin, `Error in len: ...`.

import { StarlarkError } from '../values/value.js';
import { fromBytes } from '../values/utf8.js';

export interface CallFrame {
  /** Function name: "f", "lambda", "<toplevel>", or a builtin's name; a UTF-8 byte string, as identifiers are (values/utf8.ts). */
  name: string;
  /** Null for builtins. */
  file: string | null;
  line: number;
  col: number;
}

/** A byte string as Unicode text; a string with a char above 0xff is already text (a host's message). */
function asText(s: string): string {
  return /[^\x00-\xff]/.test(s) ? s : fromBytes(s);
}

export class EvalError extends Error {
  /** Frames, innermost first (the order they are collected while unwinding). */
  readonly frames: CallFrame[];
  /** The message as Unicode text (operators and builtins word it in UTF-8 byte strings, values/utf8.ts). */
  readonly msg: string;

  constructor(msg: string, frames: CallFrame[] = [], override readonly cause?: unknown) {
    const text = asText(msg);
    super(text);
    this.msg = text;
    this.name = 'EvalError';
    this.frames = frames;
  }

  /** The call stack, outermost first (as printed). */
  get callStack(): CallFrame[] {
    return [...this.frames].reverse();
  }

  /** The innermost Starlark position, "file:line:col", or "" if none. */
  get position(): string {
    for (const f of this.frames) if (f.file !== null) return `${f.file}:${f.line}:${f.col}`;
    return '';
  }

  /** The full traceback, as starlark-go prints it. */
  backtrace(): string {
    const stack = this.callStack;
    let suffix = '';
    const last = stack[stack.length - 1];
    if (last && last.file === null) {
      suffix = ` in ${asText(last.name)}`;
      stack.pop();
    }
    let out = 'Traceback (most recent call last):\n';
    // Runs of identical frames (deep recursion) are shown once plus a count.
    for (let i = 0; i < stack.length; ) {
      const f = stack[i];
      const line = f.file === null ? `  <builtin>: in ${asText(f.name)}\n` : `  ${f.file}:${f.line}:${f.col}: in ${asText(f.name)}\n`;
      let j = i + 1;
      while (j < stack.length && stack[j].name === f.name && stack[j].file === f.file && stack[j].line === f.line && stack[j].col === f.col) j++;
      const n = j - i;
      out += n > 3 ? `${line}${line}  ... (${n - 2} more repetitions of the previous frame)\n` : line.repeat(n);
      i = j;
    }
    return `${out}Error${suffix}: ${this.msg}`;
  }
}

/** Describes where compiled code is: the enclosing function and the node position. */
export interface Site {
  fn: string;
  file: string;
  line: number;
  col: number;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes('call stack');
}

/** Converts anything thrown at `site` into an EvalError that has at least the site's frame. */
export function errorAt(e: unknown, site: Site): EvalError {
  if (e instanceof EvalError) return e;
  const frame: CallFrame = { name: site.fn, file: site.file, line: site.line, col: site.col };
  if (e instanceof StarlarkError) return new EvalError(e.message, [frame], e);
  if (isStackOverflow(e)) return new EvalError('call stack depth exceeded', [frame], e);
  const msg = e instanceof Error ? e.message : String(e);
  return new EvalError(`internal error: ${msg}`, [frame], e);
}

/** A new error positioned at `site`. */
export function failAt(msg: string, site: Site): EvalError {
  return new EvalError(msg, [{ name: site.fn, file: site.file, line: site.line, col: site.col }]);
}

/**
 * Converts an error that escaped a call to `callee` made at `site`. Errors from
 * inside a Starlark function already carry its frames; errors from a builtin get
 * a builtin frame; argument-binding errors of a Starlark function (thrown as a
 * bare StarlarkError by the callee before its body runs) belong to the caller.
 */
export function callErrorAt(e: unknown, calleeName: string, calleeIsStarlark: boolean, site: Site): EvalError {
  let ee: EvalError;
  if (e instanceof EvalError) {
    ee = e;
    if (!calleeIsStarlark) ee.frames.push({ name: calleeName, file: null, line: 0, col: 0 });
  } else if (e instanceof StarlarkError) {
    ee = new EvalError(e.message, calleeIsStarlark ? [] : [{ name: calleeName, file: null, line: 0, col: 0 }], e);
  } else if (isStackOverflow(e)) {
    ee = new EvalError('call stack depth exceeded', [], e);
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    ee = new EvalError(`internal error: ${msg}`, calleeIsStarlark ? [] : [{ name: calleeName, file: null, line: 0, col: 0 }], e);
  }
  ee.frames.push({ name: site.fn, file: site.file, line: site.line, col: site.col });
  return ee;
}
