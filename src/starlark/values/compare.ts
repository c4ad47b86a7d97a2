// Equality and ordering of Starlark values (==, !=, <, <=, >, >=, sorted, min, max).
// Key idea: primitives are compared inline with typeof switches (no allocation);
// boxed values of the same type delegate to their `equals` / `cmp` methods
// (Equatable / Ordered in value.ts), which recurse through `equalDepth` /
// `cmpDepth` with a depth limit so cyclic structures fail instead of hanging.
// Mixed int/float compare numerically and exactly; all numbers are totally
// ordered with NaN above +inf and equal to itself (starlark-go: `nan == nan`,
// sorted([7, nan, 1]) == [1, 7, nan]). Other mixed types are unequal and
// unordered ("int < string not implemented").

import { StarFloat } from './float.js';
import { StarlarkError, type Equatable, type Ordered, type StarObject, type Value } from './value.js';
import { work } from './meter.js';

const MAX_DEPTH = 1000;

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    default:
      return v === null ? 'NoneType' : v.typeName;
  }
}

/** Three-way comparison of two doubles with NaN greater than everything and equal to itself. */
export function floatCmp(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  const xn = Number.isNaN(x);
  const yn = Number.isNaN(y);
  return xn ? (yn ? 0 : 1) : -1;
}

function depthCheck(depth: number): void {
  if (depth < 1) throw new StarlarkError('comparison exceeded maximum recursion depth');
}

export function equal(x: Value, y: Value): boolean {
  // Identity is equality for scalars; containers are compared element by
  // element even against themselves, as starlark-go (a cyclic list fails).
  if (x === y && (typeof x !== 'object' || x === null)) return true;
  return equalDepth(x, y, MAX_DEPTH);
}

export function equalDepth(x: Value, y: Value, depth: number): boolean {
  // No identity shortcut for containers: starlark-go compares a cyclic list
  // with itself element by element until the depth limit.
  const tx = typeof x;
  if (x === y && (tx !== 'object' || x === null)) return true;
  if (tx === 'string' || tx === 'boolean' || x === null || y === null) return false;
  if (tx === 'number' || tx === 'bigint') {
    if (typeof y === 'object') return y instanceof StarFloat ? (x as number) == y.value : false;
    return false; // normalised ints: number vs bigint never equal; x !== y already
  }
  // x is a StarObject
  const ox = x as StarObject;
  if (typeof y !== 'object') {
    if ((typeof y === 'number' || typeof y === 'bigint') && ox instanceof StarFloat) return ox.value == y;
    return false;
  }
  if (ox instanceof StarFloat) return y instanceof StarFloat ? floatCmp(ox.value, y.value) === 0 : false;
  if (ox.typeName !== y.typeName) return false;
  depthCheck(depth);
  const eq = (ox as Partial<Equatable>).equals;
  if (eq !== undefined) return eq.call(ox, y, depth);
  const c = (ox as Partial<Ordered>).cmp;
  if (c !== undefined) return c.call(ox, y, depth) === 0;
  return x === y; // identity comparison
}

/**
 * Three-way comparison of two numbers (int or float), or null if either is not
 * numeric. Floats and ints form one total order with NaN above +inf (and
 * equal to itself), as starlark-go orders them for sorting.
 */
function numCmp(x: Value, y: Value): number | null {
  let xf: number | bigint;
  let yf: number | bigint;
  let xIsFloat = false;
  let yIsFloat = false;
  if (typeof x === 'number' || typeof x === 'bigint') xf = x;
  else if (x instanceof StarFloat) {
    xf = x.value;
    xIsFloat = true;
  } else return null;
  if (typeof y === 'number' || typeof y === 'bigint') yf = y;
  else if (y instanceof StarFloat) {
    yf = y.value;
    yIsFloat = true;
  } else return null;
  if (xIsFloat || yIsFloat) {
    const xn = xIsFloat && Number.isNaN(xf);
    const yn = yIsFloat && Number.isNaN(yf);
    if (xn || yn) return xn ? (yn ? 0 : 1) : -1;
  }
  // JS compares number and bigint exactly, which is what int/float comparison needs.
  return xf < yf ? -1 : xf > yf ? 1 : 0;
}

/**
 * Three-way comparison for ordering (sorted, min, max, <). Throws
 * "T < U not implemented" for unordered pairs.
 */
export function cmpDepth(x: Value, y: Value, depth: number, op = '<'): number {
  const tx = typeof x;
  if (tx === 'number' && typeof y === 'number') return (x as number) < y ? -1 : (x as number) > y ? 1 : 0;
  if (tx === 'string' && typeof y === 'string') return (x as string) < y ? -1 : (x as string) > y ? 1 : 0;
  const n = numCmp(x, y);
  if (n !== null) return n;
  if (tx === 'boolean' && typeof y === 'boolean') return (x ? 1 : 0) - (y ? 1 : 0);
  if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null && x.typeName === y.typeName) {
    const c = (x as Partial<Ordered>).cmp;
    if (c !== undefined) {
      depthCheck(depth);
      return c.call(x, y, depth);
    }
  }
  throw new StarlarkError(`${typeName(x)} ${op} ${typeName(y)} not implemented`);
}

export function cmpValues(x: Value, y: Value): number {
  return cmpDepth(x, y, MAX_DEPTH);
}

/** The comparison operators; op is one of == != < <= > >=. */
export function compare(op: string, x: Value, y: Value): boolean {
  switch (op) {
    case '==':
      return equal(x, y);
    case '!=':
      return !equal(x, y);
  }
  // Fast paths for the common hot cases.
  if (typeof x === 'number' && typeof y === 'number') {
    switch (op) {
      case '<': return x < y;
      case '<=': return x <= y;
      case '>': return x > y;
      case '>=': return x >= y;
    }
  }
  const c = cmpDepth(x, y, MAX_DEPTH, op);
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
  throw new StarlarkError(`unknown comparison operator ${op}`);
}

/** Lexicographic comparison of two sequences (lists, tuples). */
export function sliceCmp(a: readonly Value[], b: readonly Value[], depth: number): number {
  const n = Math.min(a.length, b.length);
  if (n > 16) work(n); // short tuples (sort keys) stay call-free
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // Fast paths for the common element types (ints, strings).
    const tx = typeof x;
    if (tx === typeof y && (tx === 'number' || tx === 'string')) {
      if (x === y) continue;
      return (x as number) < (y as number) ? -1 : 1;
    }
    if (!equalDepth(x, y, depth - 1)) return cmpDepth(x, y, depth - 1);
  }
  return a.length - b.length;
}

export function sliceEqual(a: readonly Value[], b: readonly Value[], depth: number): boolean {
  if (a.length !== b.length) return false;
  if (a.length > 16) work(a.length);
  for (let i = 0; i < a.length; i++) if (!equalDepth(a[i]!, b[i]!, depth - 1)) return false;
  return true;
}
