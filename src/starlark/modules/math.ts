// The `math` module (starlark-go lib/math): float functions that accept int or
// float arguments and return floats, except ceil/floor which return ints.
// Like starlark-go (which wraps Go's math package), domain errors produce NaN
// or ±inf rather than Starlark errors, except where noted.

import { StarFloat } from '../values/float.js';
import { normBig } from '../values/int.js';
import { StarModule } from '../values/struct.js';
import { builtin, unpackArgs, type Kwargs } from '../values/builtin.js';
import { typeName } from '../values/compare.js';
import { StarlarkError, type Thread, type Value } from '../values/value.js';

function num(fn: string, param: string, v: Value | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof StarFloat) return v.value;
  throw new StarlarkError(`${fn}: for parameter ${param}: got ${typeName(v ?? null)}, want float or int`);
}

function f1(name: string, f: (x: number) => number) {
  const fn = 'math.' + name;
  return builtin(fn, (_t: Thread, args: Value[], kwargs: Kwargs) => {
    const [x] = unpackArgs(fn, args, kwargs, ['x']);
    return new StarFloat(f(num(fn, 'x', x)));
  });
}

function f2(name: string, p: [string, string], f: (x: number, y: number) => number) {
  const fn = 'math.' + name;
  return builtin(fn, (_t: Thread, args: Value[], kwargs: Kwargs) => {
    const [x, y] = unpackArgs(fn, args, kwargs, p);
    return new StarFloat(f(num(fn, p[0], x), num(fn, p[1], y)));
  });
}

function toInt(fn: string, f: number): Value {
  if (!Number.isFinite(f)) throw new StarlarkError(`${fn}: cannot convert ${Number.isNaN(f) ? 'NaN' : 'infinity'} to integer`);
  return Number.isSafeInteger(f) ? f + 0 : normBig(BigInt(f));
}

function rounding(name: string, f: (x: number) => number) {
  const fn = 'math.' + name;
  return builtin(fn, (_t: Thread, args: Value[], kwargs: Kwargs) => {
    const [x] = unpackArgs(fn, args, kwargs, ['x']);
    if (typeof x === 'number' || typeof x === 'bigint') return x;
    return toInt(fn, f(num(fn, 'x', x)));
  });
}

/** Go's math.Remainder: x - n*y with n = x/y rounded half to even. */
function ieeeRemainder(x: number, y: number): number {
  const q = x / y;
  let n = Math.round(q);
  if (Math.abs(q - Math.trunc(q)) === 0.5) n = 2 * Math.round(q / 2);
  return x - n * y;
}

/** Lanczos approximation of the gamma function. */
function gamma(x: number): number {
  if (Number.isInteger(x) && x <= 0) return NaN;
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  const r = Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
  return Number.isInteger(x + 1) ? Math.round(r) : r;
}

export const mathModule = new StarModule(
  'math',
  new Map<string, Value>([
    ['ceil', rounding('ceil', Math.ceil)],
    ['floor', rounding('floor', Math.floor)],
    ['copysign', f2('copysign', ['x', 'y'], (x, y) => ((y < 0 || Object.is(y, -0)) ? -Math.abs(x) : Math.abs(x)))],
    ['fabs', f1('fabs', Math.abs)],
    ['mod', f2('mod', ['x', 'y'], (x, y) => x % y)],
    ['pow', f2('pow', ['x', 'y'], Math.pow)],
    ['remainder', f2('remainder', ['x', 'y'], ieeeRemainder)],
    // Go's math.Round: half away from zero.
    ['round', f1('round', (x) => (x < 0 ? -Math.round(-x) : Math.round(x)) + (Object.is(x, -0) ? -0 : 0))],
    ['exp', f1('exp', Math.exp)],
    ['sqrt', f1('sqrt', Math.sqrt)],
    ['acos', f1('acos', Math.acos)],
    ['asin', f1('asin', Math.asin)],
    ['atan', f1('atan', Math.atan)],
    ['atan2', f2('atan2', ['y', 'x'], Math.atan2)],
    ['cos', f1('cos', Math.cos)],
    ['hypot', f2('hypot', ['x', 'y'], Math.hypot)],
    ['sin', f1('sin', Math.sin)],
    ['tan', f1('tan', Math.tan)],
    ['degrees', f1('degrees', (x) => (x * 180) / Math.PI)],
    ['radians', f1('radians', (x) => (x * Math.PI) / 180)],
    ['acosh', f1('acosh', Math.acosh)],
    ['asinh', f1('asinh', Math.asinh)],
    ['atanh', f1('atanh', Math.atanh)],
    ['cosh', f1('cosh', Math.cosh)],
    ['sinh', f1('sinh', Math.sinh)],
    ['tanh', f1('tanh', Math.tanh)],
    ['gamma', f1('gamma', gamma)],
    ['log', builtin('math.log', (_t, args, kwargs) => {
      const [x, base] = unpackArgs('math.log', args, kwargs, ['x', 'base?']);
      const v = Math.log(num('math.log', 'x', x));
      if (base === undefined) return new StarFloat(v);
      const b = num('math.log', 'base', base);
      if (b === 1) throw new StarlarkError('math.log: division by zero');
      return new StarFloat(v / Math.log(b));
    })],
    ['e', new StarFloat(Math.E)],
    ['pi', new StarFloat(Math.PI)],
    ['inf', new StarFloat(Infinity)],
    ['nan', new StarFloat(NaN)],
  ]),
);
