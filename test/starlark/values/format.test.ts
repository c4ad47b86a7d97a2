import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, percentFormat } from '../../../src/starlark/values/ops.js';
import { StarFloat, formatFloat } from '../../../src/starlark/values/float.js';
import { StarList, StarTuple } from '../../../src/starlark/values/list.js';
import { StarDict } from '../../../src/starlark/values/dict.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';

const f = (n: number) => new StarFloat(n);
const tup = (...e: Value[]) => new StarTuple(e);
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));

test('% formatting conversions', () => {
  assert.equal(percentFormat('%s=%r', tup('a', 'a')), 'a="a"');
  assert.equal(percentFormat('%d%%', 50), '50%');
  assert.equal(percentFormat('%i|%o|%x|%X', tup(10, 8, 255, 255)), '10|10|ff|FF');
  assert.equal(percentFormat('%d', f(3.9)), '3');
  assert.equal(percentFormat('%e', f(12345.678)), '1.234568e+04');
  assert.equal(percentFormat('%f', f(1.5)), '1.500000');
  assert.equal(percentFormat('%g', f(1.5)), '1.5');
  assert.equal(percentFormat('%g', f(1e20)), '1e+20');
  assert.equal(percentFormat('%c%c', tup(72, 'i')), 'Hi');
  assert.equal(percentFormat('%s', new StarList([1, 'x'])), '[1, "x"]');
  assert.equal(percentFormat('%s', tup(tup(1, 2))), '(1, 2)');
  const d = new StarDict();
  d.set('name', 'n');
  assert.equal(percentFormat('%(name)s!', d), 'n!');
  assert.equal(binary('%', 'x=%d', 3), 'x=3');
  assert.equal(percentFormat('%d', 2n ** 64n), '18446744073709551616');
});

test('% formatting errors', () => {
  throwsMsg(() => percentFormat('%d %d', tup(1)), /not enough arguments for format string/);
  throwsMsg(() => percentFormat('%d', tup(1, 2)), /too many arguments for format string/);
  throwsMsg(() => percentFormat('%d', 'x'), /%d format requires integer/);
  throwsMsg(() => percentFormat('%q', 1), /unknown conversion %q/);
  throwsMsg(() => percentFormat('abc %', 1), /incomplete format/);
  throwsMsg(() => percentFormat('%d', f(NaN)), /^%d format requires integer: cannot convert float NaN to integer$/);
  throwsMsg(() => percentFormat('%d', f(-Infinity)), /^%d format requires integer: cannot convert float infinity to integer$/);
});

test('float formatting follows Go strconv', () => {
  assert.equal(formatFloat(0.000012345, 'g', -1), '1.2345e-05');
  assert.equal(formatFloat(0.0001, 'g', -1), '0.0001');
  assert.equal(formatFloat(123456789, 'g', -1), '1.23456789e+08');
  assert.equal(formatFloat(-2.5, 'f', 2), '-2.50');
  assert.equal(formatFloat(1e-300, 'e', 3), '1.000e-300');
  assert.equal(formatFloat(5e-324, 'g', -1), '5e-324');
  assert.equal(percentFormat('%f', f(1.23e45)), '1229999999999999973814869011019624571608236032.000000');
  assert.equal(percentFormat('%e', f(-0)), '-0.000000e+00');
  assert.equal(percentFormat('%g', f(-0)), '-0.0');
  assert.equal(percentFormat('%e %f %g', tup(f(NaN), f(Infinity), f(-Infinity))), 'nan +inf -inf');
});
