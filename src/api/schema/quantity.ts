// Kubernetes resource quantities ("500m", "1.5Gi", "2e3"), exact, for the
// CEL `quantity` library of CRD validation rules.
//
// apimachinery's resource.ParseQuantity grammar: a signed decimal number and
// one suffix — binary SI (Ki Mi Gi Ti Pi Ei), decimal SI (n u m k M G T P E)
// or a decimal exponent (e3, E-2). Key idea: a quantity is the exact rational
// num/den (bigints, den > 0), so comparisons and sums never round.
// Trade-off: exponents beyond ±1000 are refused (Go accepts and saturates
// them) to keep the bigints small.
//
// Exported API:
//   parseQuantity(s) → Quantity | undefined
//   Quantity: sign(), compare(o), add(o), sub(o), isInteger(), asInteger(), asFloat()
//   quantityFormatError — apimachinery's message for an unparsable quantity

export const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// Unambiguous, so a long non-quantity fails in linear time.
const grammar = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?)|[eE]([+-]?\d+))$/;
const binaryPower: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const decimalPower: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

export class Quantity {
  constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  sign(): bigint {
    return this.num > 0n ? 1n : this.num < 0n ? -1n : 0n;
  }

  compare(o: Quantity): bigint {
    const a = this.num * o.den;
    const b = o.num * this.den;
    return a < b ? -1n : a > b ? 1n : 0n;
  }

  add(o: Quantity): Quantity {
    return new Quantity(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Quantity): Quantity {
    return new Quantity(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  isInteger(): boolean {
    if (this.num % this.den !== 0n) return false;
    const v = this.num / this.den;
    return v >= int64Min && v <= int64Max;
  }

  /** The int64 value; undefined when fractional or out of range. */
  asInteger(): bigint | undefined {
    return this.isInteger() ? this.num / this.den : undefined;
  }

  asFloat(): number {
    return Number(this.num) / Number(this.den);
  }
}

export function parseQuantity(s: string): Quantity | undefined {
  const m = grammar.exec(s);
  if (!m) return undefined;
  const [, sign, digits, binary, decimal, exponent] = m;
  const [whole, frac = ''] = digits!.split('.');
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  if (sign === '-') num = -num;
  if (binary) num *= 2n ** binaryPower[binary]!;
  else {
    const e = exponent !== undefined ? Number(exponent) : decimalPower[decimal ?? '']!;
    if (Math.abs(e) > 1000) return undefined;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  return new Quantity(num, den);
}
