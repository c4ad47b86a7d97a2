// Starlark int arithmetic over the dual representation from value.ts: a JS
// number while the value is a safe integer, a bigint beyond ±(2^53-1).
// Key idea: every operation first tries the plain-number path (one typeof check
// and one Number.isSafeInteger on the result); only when the result may be
// inexact does it redo the operation in bigint and normalise back with
// `normBig`, so small ints never allocate and big ones are always exact.
// Floor semantics (`//`, `%` take the sign of the divisor) follow the spec.
// Operations on ints beyond 4096 bits are charged to the thread's budgets in
// proportion to their size (meter.ts): a product of two n-bit ints takes time
// and memory growing with n, and repeated squaring doubles n every step.

import { StarlarkError } from './value.js';
import { alloc, work } from './meter.js';

export type Int = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Turns a bigint back into a number when it fits, keeping `typeof v === 'number'` ⇔ small int. */
export function normBig(b: bigint): Int {
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
}

export function isInt(v: unknown): v is Int {
  return typeof v === 'number' || typeof v === 'bigint';
}

function big(x: Int): bigint {
  return typeof x === 'bigint' ? x : BigInt(x);
}

/** Below this magnitude an int operation counts as O(1). */
const CHEAP = 1n << 4096n;
const NEG_CHEAP = -CHEAP;

/** Bit length of x if it is beyond CHEAP, else 0 (two comparisons: the common case costs nothing). */
function costBits(x: Int): number {
  if (typeof x === 'number' || (x < CHEAP && x > NEG_CHEAP)) return 0;
  return (x < 0n ? -x : x).toString(16).length * 4;
}

/**
 * Charges an operation on big ints before it runs: memory for a result of up
 * to a+b bits, and work linear in the size (add, bitwise) or, for products
 * and quotients, about what V8 needs (measured: squaring 26M bits ≈ 170 ms).
 */
function chargeBig(x: Int, y: Int, product: boolean): void {
  const n = costBits(x) + costBits(y);
  if (n === 0) return;
  alloc(n / 8);
  work(product ? n : n / 32);
}

/** x.toString(radix), charged: decimal conversion of big ints is superlinear in V8. */
export function bigToString(x: bigint, radix = 10): string {
  const n = costBits(x);
  if (n > 0) {
    work(radix === 10 ? n * 16 : n / 8);
    alloc(n / 3);
  }
  return x.toString(radix);
}

export function intAdd(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x + y;
    if (Number.isSafeInteger(r)) return r;
  }
  chargeBig(x, y, false);
  return normBig(big(x) + big(y));
}

export function intSub(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x - y;
    if (Number.isSafeInteger(r)) return r;
  }
  chargeBig(x, y, false);
  return normBig(big(x) - big(y));
}

export function intMul(x: Int, y: Int): Int {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x * y;
    if (Number.isSafeInteger(r)) return r + 0; // + 0 turns -0 into 0
  }
  chargeBig(x, y, true);
  return normBig(big(x) * big(y));
}

export function intNeg(x: Int): Int {
  if (typeof x === 'number') return 0 - x;
  return normBig(-x);
}

export function intFloorDiv(x: Int, y: Int): Int {
  if (y === 0 || y === 0n) throw new StarlarkError('floored division by zero');
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x % y; // exact for safe integers
    let q = (x - r) / y; // exact: x - r is a multiple of y
    if (r !== 0 && r < 0 !== y < 0) q -= 1;
    return q + 0;
  }
  chargeBig(x, y, true);
  const bx = big(x);
  const by = big(y);
  let q = bx / by;
  if (bx % by !== 0n && bx < 0n !== by < 0n) q -= 1n;
  return normBig(q);
}

export function intMod(x: Int, y: Int): Int {
  if (y === 0 || y === 0n) throw new StarlarkError('integer modulo by zero');
  if (typeof x === 'number' && typeof y === 'number') {
    let r = x % y;
    if (r !== 0 && r < 0 !== y < 0) r += y;
    return r + 0;
  }
  chargeBig(x, y, true);
  const by = big(y);
  let r = big(x) % by;
  if (r !== 0n && r < 0n !== by < 0n) r += by;
  return normBig(r);
}

export function intCmp(x: Int, y: Int): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function isInt32(x: Int): x is number {
  return typeof x === 'number' && (x | 0) === x;
}

export function intAnd(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x & y;
  chargeBig(x, y, false);
  return normBig(big(x) & big(y));
}
export function intOr(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x | y;
  chargeBig(x, y, false);
  return normBig(big(x) | big(y));
}
export function intXor(x: Int, y: Int): Int {
  if (isInt32(x) && isInt32(y)) return x ^ y;
  chargeBig(x, y, false);
  return normBig(big(x) ^ big(y));
}
export function intNot(x: Int): Int {
  if (isInt32(x)) return ~x;
  return normBig(~big(x));
}

function shiftCount(y: Int): number {
  if (y < 0) throw new StarlarkError(`negative shift count: ${String(y)}`);
  if (y >= 512) throw new StarlarkError(`shift count too large: ${String(y)}`);
  return Number(y);
}

export function intShl(x: Int, y: Int): Int {
  const n = shiftCount(y);
  if (typeof x === 'number' && n < 53) {
    const r = x * 2 ** n;
    if (Number.isSafeInteger(r)) return r;
  }
  return normBig(big(x) << BigInt(n));
}

export function intShr(x: Int, y: Int): Int {
  const n = shiftCount(y);
  if (typeof x === 'number') {
    if (n >= 53) return x < 0 ? -1 : 0;
    return Math.floor(x / 2 ** n) + 0;
  }
  return normBig(x >> BigInt(n));
}

/** Parses an int literal in the given base (0 = infer from prefix) per the int() builtin. Returns null if invalid. */
export function parseIntString(s: string, base: number): Int | null {
  // Fast path, the common case: up to 15 decimal digits (exact in a double), no sign or prefix,
  // in base 10, or in base 0 without a leading zero.
  if ((base === 10 || base === 0) && s.length > 0 && s.length <= 15 && (base === 10 || s.charCodeAt(0) !== 48 || s.length === 1)) {
    let v = 0;
    let k = 0;
    for (; k < s.length; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (k === s.length) return v;
  }
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  let body = s.slice(i);
  const lower = body.slice(0, 2).toLowerCase();
  const prefixBase = lower === '0x' ? 16 : lower === '0o' ? 8 : lower === '0b' ? 2 : 0;
  if (base === 0) {
    if (prefixBase) {
      base = prefixBase;
      body = body.slice(2);
    } else {
      base = 10;
      // base 0: a leading zero is only allowed for the number zero.
      if (body.length > 1 && body[0] === '0' && !/^0+$/.test(body)) return null;
    }
  } else if (prefixBase === base) {
    body = body.slice(2);
  }
  if (body.length === 0) return null;
  // Digit by digit is quadratic in the length: charge it (int("9" * 10**6) would take minutes).
  if (body.length > 1000) work((body.length * body.length) / 1024);
  // Accumulate in a double while exact, switching to bigint only for long inputs.
  let small = 0;
  let r: bigint | null = null;
  const bb = BigInt(base);
  for (let k = 0; k < body.length; k++) {
    const c = body.charCodeAt(k);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 122) d = c - 87;
    else if (c >= 65 && c <= 90) d = c - 55;
    else return null;
    if (d >= base) return null;
    if (r === null) {
      const next = small * base + d;
      if (next <= Number.MAX_SAFE_INTEGER) {
        small = next;
        continue;
      }
      r = BigInt(small);
    }
    r = r * bb + BigInt(d);
  }
  if (r === null) return neg ? 0 - small : small;
  return normBig(neg ? -r : r);
}

/** Formats an int in base 2, 8, 10 or 16. */
export function intToString(x: Int, radix: number): string {
  return typeof x === 'bigint' ? bigToString(x, radix) : x.toString(radix);
}
