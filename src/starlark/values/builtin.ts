// Built-in functions and methods, and the argument-checking helpers they use.
//
// A StarBuiltin wraps a JS function `(thread, args, kwargs, recv)`; methods
// such as `list.append` are the same object with `recv` bound to the receiver.
// unpackArgs implements starlark-go's UnpackArgs conventions: parameters are
// listed by name, a trailing "?" marks an optional one, and positional and
// keyword arguments are matched with the same error messages
// ("len: got 2 arguments, want 1", "get: unexpected keyword argument \"x\"",
// "int: missing argument for x").

import { hashString } from './hash.js';
import { typeName } from './compare.js';
import { StarlarkError, type Callable, type Thread, type Value } from './value.js';
import { fromBytes } from './utf8.js';

export type Kwargs = Array<[string, Value]> | null;
export type BuiltinFn = (thread: Thread, args: Value[], kwargs: Kwargs, recv: Value) => Value;

export class StarBuiltin implements Callable {
  constructor(
    readonly name: string,
    readonly fn: BuiltinFn,
    /** The bound receiver for methods; undefined for plain functions. */
    readonly recv: Value | undefined = undefined,
  ) {}
  get typeName(): string {
    return 'builtin_function_or_method';
  }
  freeze(): void {
    if (this.recv !== undefined && this.recv !== null && typeof this.recv === 'object') this.recv.freeze();
  }
  truth(): boolean {
    return true;
  }
  hash(): number {
    return hashString(this.name);
  }
  call(thread: Thread, args: Value[], kwargs: Kwargs): Value {
    return this.fn(thread, args, kwargs, this.recv === undefined ? null : this.recv);
  }
  repr(out: string[]): void {
    if (this.recv === undefined) out.push(`<built-in function ${this.name}>`);
    else out.push(`<built-in method ${this.name} of ${typeName(this.recv)} value>`);
  }
  // No equals(): builtins compare by identity, as in starlark-go, where each
  // `l.append` is a new bound method (l.append != l.append).
}

/** Shorthand to make an unbound builtin. */
export function builtin(name: string, fn: BuiltinFn): StarBuiltin {
  return new StarBuiltin(name, fn);
}

/**
 * Matches args/kwargs against named parameters ("x", "base?" = optional) and
 * returns one slot per parameter, undefined where an optional one was not given.
 * The result may be `args` itself: callers must treat it as read-only.
 */
export function unpackArgs(fn: string, args: Value[], kwargs: Kwargs, params: readonly string[]): ReadonlyArray<Value | undefined> {
  const n = params.length;
  if (args.length > n) {
    throw new StarlarkError(`${fn}: got ${args.length} arguments, want at most ${n}`);
  }
  if (kwargs === null || kwargs.length === 0) {
    // Positional-only call: the args array itself serves as the result (slots
    // past its end read as undefined), so the common case allocates nothing.
    for (let i = args.length; i < n; i++) {
      const p = params[i]!;
      if (!p.endsWith('?')) throw new StarlarkError(`${fn}: missing argument for ${p}`);
    }
    return args;
  }
  const out = new Array<Value | undefined>(n);
  for (let i = 0; i < args.length; i++) out[i] = args[i];
  if (kwargs !== null) {
    for (const [name, v] of kwargs) {
      let i = -1;
      for (let j = 0; j < n; j++) {
        const p = params[j]!;
        if (p === name || (p.length === name.length + 1 && p.endsWith('?') && p.startsWith(name))) {
          i = j;
          break;
        }
      }
      if (i < 0) throw new StarlarkError(`${fn}: unexpected keyword argument "${name}"`);
      if (out[i] !== undefined) throw new StarlarkError(`${fn}: got multiple values for keyword argument "${name}"`);
      out[i] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    const p = params[i]!;
    if (out[i] === undefined && !p.endsWith('?')) throw new StarlarkError(`${fn}: missing argument for ${p}`);
  }
  return out;
}

/** Checks a positional-only call with between min and max arguments. */
export function checkPositional(fn: string, args: Value[], kwargs: Kwargs, min: number, max: number): void {
  if (kwargs !== null && kwargs.length > 0) throw new StarlarkError(`${fn}: unexpected keyword arguments`);
  if (args.length < min) {
    throw new StarlarkError(`${fn}: got ${args.length} arguments, want ${min < max ? 'at least ' : ''}${min}`);
  }
  if (args.length > max) {
    throw new StarlarkError(`${fn}: got ${args.length} arguments, want ${min < max ? 'at most ' : ''}${max}`);
  }
}

/** Error for a parameter of the wrong type: "fn: for parameter x: got string, want int". */
export function badArg(fn: string, param: string | number, v: Value, want: string): StarlarkError {
  return new StarlarkError(`${fn}: for parameter ${param}: got ${typeName(v)}, want ${want}`);
}

export function wantString(fn: string, param: string | number, v: Value | undefined): string {
  if (typeof v !== 'string') throw badArg(fn, param, v ?? null, 'string');
  return v;
}

/** wantString for a host: the argument as Unicode text (Starlark strings are UTF-8 byte strings, utf8.ts). */
export function wantText(fn: string, param: string | number, v: Value | undefined): string {
  return fromBytes(wantString(fn, param, v));
}

export function wantInt(fn: string, param: string | number, v: Value | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new StarlarkError(`${fn}: for parameter ${param}: int out of range`);
  throw badArg(fn, param, v ?? null, 'int');
}

export function wantBool(fn: string, param: string | number, v: Value | undefined): boolean {
  if (typeof v === 'boolean') return v;
  throw badArg(fn, param, v ?? null, 'bool');
}
