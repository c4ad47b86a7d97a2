// Starlark values as JavaScript values — the representation contract shared by
// the compiler/evaluator (src/starlark/compile, src/starlark/eval.ts) and the
// value library (src/starlark/values, src/starlark/builtins, src/starlark/modules).
//
// Key idea: the hot types are plain JS primitives so V8 can keep them unboxed and
// compiled closures can fast-path them with `typeof` checks:
//
//   Starlark   JavaScript
//   --------   ------------------------------------------------------------
//   None       null                      (never undefined)
//   bool       boolean
//   int        number when the value is a safe integer (Number.isSafeInteger),
//              otherwise bigint. Always normalised: a bigint that fits is turned
//              back into a number, so `typeof v === 'number'` ⇒ int.
//   float      StarFloat (boxed, so 1.0 and 1 stay distinguishable)
//   string     string holding UTF-8 bytes, one char (0..255) per byte, as
//              starlark-go: len/index/slice/find count bytes, ordering and
//              hashing are by bytes. ASCII is unchanged; non-ASCII text is
//              transcoded at the host boundary (utf8.ts)
//   bytes      StarBytes
//   list       StarList
//   tuple      StarTuple
//   dict       StarDict   (insertion ordered)
//   set        StarSet    (insertion ordered)
//   function   a class implementing Callable (defined by the evaluator)
//   builtin    StarBuiltin (implements Callable)
//   struct     StarStruct; module: StarModule
//   range      StarRange
//
// Every non-primitive value is an object implementing StarObject. Nothing from
// the host (JS objects, prototypes, functions) is ever a Starlark value: values
// cross the host boundary only through explicit conversion (toStarlark/fromStarlark).

export type Value = null | boolean | number | bigint | string | StarObject;

/** Implemented by every boxed Starlark value. Optional capabilities are separate interfaces. */
export interface StarObject {
  /** The Starlark type name, as returned by type(x). */
  readonly typeName: string;
  /** Makes the value and everything reachable from it immutable. */
  freeze(): void;
  /** Truth value (bool(x)). */
  truth(): boolean;
  /** Hash for use as a dict key / set element; throws StarlarkError if unhashable. */
  hash(): number;
  /** repr(x); str(x) is the same except for strings. */
  repr(out: string[], seen: Set<StarObject>): void;
}

/** Anything callable: builtins and Starlark functions. */
export interface Callable extends StarObject {
  readonly name: string;
  /** positional args, and keyword args as alternating [name, value] pairs (or null if none). */
  call(thread: Thread, args: Value[], kwargs: Array<[string, Value]> | null): Value;
  /** A positional call with a fresh array the callee may keep (no defensive copy), where the callee offers one. */
  callOwned?(thread: Thread, args: Value[]): Value;
}

/** Per-execution state, created by the evaluator; builtins read it (print, step budget, call depth). */
export interface Thread {
  /** Name for error messages ("main", a reconciler name, ...). */
  readonly name: string;
  /** Where print() goes. */
  print(thread: Thread, msg: string): void;
  /** Incremented by loops/calls; exceeding maxSteps raises a StarlarkError. */
  steps: number;
  maxSteps: number;
  /** Current call depth; exceeding maxDepth raises a StarlarkError. */
  depth: number;
  maxDepth: number;
  /** Bytes of values created so far (estimated, see meter.ts); exceeding maxAllocs raises a StarlarkError. */
  allocs: number;
  maxAllocs: number;
  /** Free for the host (e.g. the reconciler's context). */
  local: Map<string, unknown>;
}

/**
 * A Starlark runtime error raised by a builtin or operator, without position.
 * The evaluator catches it and turns it into an EvalError with a Starlark
 * stack trace (file:line:col per frame).
 */
export class StarlarkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StarlarkError';
  }
}

// ---------------------------------------------------------------------------
// Optional capabilities of StarObjects (checked structurally by ops.ts), in the
// spirit of starlark-go's small interfaces. A type implements only what it supports.

/** Values with a length and integer indexing (list, tuple, range, bytes). */
export interface Indexable extends StarObject {
  readonly length: number;
  /** i is already normalised to 0 <= i < length. */
  index(i: number): Value;
}

/** Values that can be iterated by `for`; the iterator must release any lock when done. */
export interface Iterable extends StarObject {
  iterate(): Iterator<Value>;
}

/** Values with named attributes (struct fields, module members). Methods of built-in types live in builtins/. */
export interface HasAttrs extends StarObject {
  /** The attribute value, or undefined if absent. */
  attr(name: string): Value | undefined;
  attrNames(): string[];
}

/** Values whose equality is structural. Called only with y of the same type. */
export interface Equatable extends StarObject {
  equals(y: StarObject, depth: number): boolean;
}

/** Values with a total order within their type (three-way result). Called only with y of the same type. */
export interface Ordered extends StarObject {
  cmp(y: StarObject, depth: number): number;
}

/**
 * Values that define their own binary operators (e.g. time.time - time.time).
 * ops.binary consults x.binaryOp(op, y, 'left') and then y.binaryOp(op, x, 'right')
 * before reporting "unknown binary op"; return undefined for "not supported".
 */
export interface HasBinary extends StarObject {
  binaryOp(op: string, y: Value, side: 'left' | 'right'): Value | undefined;
}
