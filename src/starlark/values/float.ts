// Starlark floats: a boxed IEEE-754 double, so that `1.0` and `1` stay distinct
// values while sharing JS arithmetic. Also the float formatting rules used by
// str(), repr() and the `%e %f %g` conversions, which follow Go's strconv
// (starlark-go's reference output): shortest round-trip digits, `%g` switches to
// exponent form when exp < -4 or exp >= 6, exponents have at least two digits,
// and str() always shows a '.' or an 'e' (123.0, 1e+100, +inf, nan).
// Trade-off: every float result allocates a small object; ints, the common case
// in reconciler code, stay unboxed.

import { StarlarkError, type StarObject } from './value.js';

export class StarFloat implements StarObject {
  constructor(readonly value: number) {}
  get typeName(): string {
    return 'float';
  }
  freeze(): void {}
  truth(): boolean {
    return this.value !== 0; // NaN is true, as in starlark-go (x != 0.0)
  }
  hash(): number {
    return hashNumber(this.value);
  }
  repr(out: string[]): void {
    out.push(formatFloat(this.value, 'g', -1));
  }
  toString(): string {
    return formatFloat(this.value, 'g', -1);
  }
}

/** Hash of a numeric value; equal ints and floats (1 == 1.0) hash alike. */
export function hashNumber(n: number): number {
  if (Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) return n | 0;
  if (Number.isNaN(n)) return 0x7ff80000;
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    // Large integral floats must hash like the equal bigint int.
    return hashBigInt(BigInt(n));
  }
  // Mix the bits of the double.
  const buf = new Float64Array([n]);
  const u = new Uint32Array(buf.buffer);
  return (Math.imul(u[0]!, 0x9e3779b1) ^ u[1]!) | 0;
}

export function hashBigInt(b: bigint): number {
  if (b >= -0x80000000n && b <= 0x7fffffffn) return Number(b) | 0;
  let h = b < 0n ? 7 : 3;
  let x = b < 0n ? -b : b;
  while (x > 0n) {
    h = (Math.imul(h, 31) + Number(x & 0xffffffffn)) | 0;
    x >>= 32n;
  }
  return h;
}

/** Splits a finite double into shortest decimal digits and a decimal exponent (d.ddd × 10^exp). */
function shortestDigits(f: number): { digits: string; exp: number } {
  const s = Math.abs(f).toExponential(); // shortest round-trip digits
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return { digits, exp: parseInt(s.slice(e + 1), 10) };
}

function expSuffix(exp: number, upper: boolean): string {
  const sign = exp < 0 ? '-' : '+';
  const a = Math.abs(exp);
  return (upper ? 'E' : 'e') + sign + (a < 10 ? '0' + a : String(a));
}

/**
 * Formats f like Go's strconv.FormatFloat(f, conv, prec) as used by starlark-go.
 * conv is one of e E f F g G; prec -1 means shortest (only meaningful for g),
 * and for %g with prec -1 a ".0" is appended when the result looks like an int.
 */
export function formatFloat(f: number, conv: string, prec: number): string {
  if (!Number.isFinite(f)) {
    if (Number.isNaN(f)) return 'nan';
    return f > 0 ? '+inf' : '-inf';
  }
  const neg = f < 0 || Object.is(f, -0);
  const sign = neg ? '-' : '';
  const a = Math.abs(f);
  switch (conv) {
    case 'f':
    case 'F':
      // toFixed switches to exponent form from 1e21; Go prints every digit.
      if (a >= 1e21) return sign + BigInt(a).toString() + (prec === 0 ? '' : '.' + '0'.repeat(prec < 0 ? 6 : prec));
      return sign + a.toFixed(prec < 0 ? 6 : prec);
    case 'e':
    case 'E': {
      const s = a.toExponential(prec < 0 ? 6 : prec);
      const i = s.indexOf('e');
      return sign + s.slice(0, i) + expSuffix(parseInt(s.slice(i + 1), 10), conv === 'E');
    }
    default: {
      // g / G
      const upper = conv === 'G';
      let digits: string;
      let exp: number;
      let eprec: number;
      if (prec < 0) {
        ({ digits, exp } = shortestDigits(a));
        eprec = 6;
      } else {
        const p = prec === 0 ? 1 : prec;
        const s = a.toExponential(p - 1);
        const i = s.indexOf('e');
        digits = s.slice(0, i).replace('.', '');
        exp = parseInt(s.slice(i + 1), 10);
        // %g with explicit precision drops trailing zeros (Go does too, without '#').
        digits = digits.replace(/0+$/, '') || '0';
        eprec = p;
        if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
      }
      let out: string;
      if (exp < -4 || exp >= eprec) {
        out = digits[0]! + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp, upper);
      } else if (exp < 0) {
        out = '0.' + '0'.repeat(-exp - 1) + digits;
      } else if (digits.length <= exp + 1) {
        out = digits + '0'.repeat(exp + 1 - digits.length);
      } else {
        out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
      }
      if (prec < 0 && out.indexOf('.') < 0 && out.indexOf(upper ? 'E' : 'e') < 0) out += '.0';
      return sign + out;
    }
  }
}

/** Converts an int (number or bigint) to a float, erroring like starlark-go when too large. */
export function intToFloat(x: number | bigint): number {
  if (typeof x === 'number') return x;
  const f = Number(x);
  if (!Number.isFinite(f)) throw new StarlarkError('int too large to convert to float');
  return f;
}
