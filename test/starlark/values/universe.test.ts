import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repr } from '../../../src/starlark/values/ops.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarList, StarTuple } from '../../../src/starlark/values/list.js';
import { StarDict } from '../../../src/starlark/values/dict.js';
import { StarRange } from '../../../src/starlark/values/range.js';
import { universe, FailError } from '../../../src/starlark/builtins/universe.js';
import { builtin } from '../../../src/starlark/values/builtin.js';
import { callValue, equal } from '../../../src/starlark/values/ops.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';
import { call, newThread } from './helpers.js';
import { toBytes } from '../../../src/starlark/values/utf8.js';
import { StarBytes } from '../../../src/starlark/values/bytes.js';

const f = (n: number) => new StarFloat(n);
const list = (...e: Value[]) => new StarList(e);
const tup = (...e: Value[]) => new StarTuple(e);
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));
const r = (name: string, args: Value[], kwargs: Array<[string, Value]> | null = null) => repr(call(name, args, kwargs));

test('argument count and keyword errors use starlark-go wording', () => {
  throwsMsg(() => call('len', [1, 2]), /^len: got 2 arguments, want 1$/);
  throwsMsg(() => call('len', ['a'], [['x', 1]]), /^len: unexpected keyword arguments$/);
  throwsMsg(() => call('sorted', [list()], [['bogus', 1]]), /^sorted: unexpected keyword argument "bogus"$/);
  throwsMsg(() => call('int', [], [['base', 10]]), /^int: missing argument for x$/);
  throwsMsg(() => call('int', []), /^int: missing argument for x$/);
  throwsMsg(() => call('int', ['1'], [['x', '2']]), /^int: got multiple values for keyword argument "x"$/);
  throwsMsg(() => call('int', ['1', 10, 3]), /^int: got 3 arguments, want at most 2$/);
  throwsMsg(() => call('len', [1]), /^len: value of type int has no len$/);
});

test('int(): bases, prefixes, floats, errors', () => {
  assert.equal(call('int', ['42']), 42);
  assert.equal(call('int', ['-0x1F', 0]), -31);
  assert.equal(call('int', ['0b101', 0]), 5);
  assert.equal(call('int', ['0o17', 0]), 15);
  assert.equal(call('int', ['ff', 16]), 255);
  assert.equal(call('int', ['0xff', 16]), 255);
  assert.equal(call('int', ['z', 36]), 35);
  assert.equal(call('int', ['123456789012345678901234567890']), 123456789012345678901234567890n);
  assert.equal(call('int', [f(-3.9)]), -3);
  assert.equal(call('int', [f(1e20)]), 100000000000000000000n);
  assert.equal(call('int', [true]), 1);
  throwsMsg(() => call('int', ['012', 0]), /invalid literal with base 0/);
  throwsMsg(() => call('int', ['abc']), /^int: invalid literal with base 10: abc$/);
  throwsMsg(() => call('int', [1, 10]), /can't convert non-string with explicit base/);
  throwsMsg(() => call('int', [f(NaN)]), /cannot convert float NaN to integer/);
});

test('float(), str(), repr(), bool(), type()', () => {
  assert.equal(r('float', ['1.5']), '1.5');
  assert.equal(r('float', ['1e3']), '1000.0');
  assert.equal(r('float', ['-inf']), '-inf');
  assert.equal(r('float', [3]), '3.0');
  throwsMsg(() => call('float', ['x']), /invalid float literal/);
  assert.equal(call('str', [f(2)]), '2.0');
  assert.equal(call('str', ['x']), 'x');
  assert.equal(call('repr', ['x']), '"x"');
  assert.equal(call('bool', [list()]), false);
  assert.equal(call('type', [f(1)]), 'float');
});

test('len, list, tuple, dict, set, range, enumerate, zip, reversed', () => {
  assert.equal(call('len', ['abc']), 3);
  assert.equal(call('len', [new StarRange(0, 10, 3)]), 4);
  assert.equal(r('list', [tup(1, 2)]), '[1, 2]');
  assert.equal(r('tuple', [list(1)]), '(1,)');
  assert.equal(r('dict', [list(tup('a', 1))], [['b', 2]]), '{"a": 1, "b": 2}');
  throwsMsg(() => call('dict', [list(tup(1, 2, 3))]), /dictionary update sequence element #0 has length 3, want 2/);
  assert.equal(r('set', [list(3, 1, 3)]), 'set([3, 1])');
  assert.equal(r('list', [call('range', [5, 0, -2])]), '[5, 3, 1]');
  throwsMsg(() => call('range', [1, 2, 0]), /step argument must not be zero/);
  assert.equal(call('len', [call('range', [2n ** 60n])]), 2n ** 60n); // any int64, as starlark-go
  throwsMsg(() => call('range', [0, 2n ** 63n]), /^range: for parameter 2: 9223372036854775808 out of range \(want value in signed 64-bit range\)$/);
  assert.equal(call('len', [call('range', [2 ** 40])]), 2 ** 40);
  assert.equal(call('len', [call('range', [0x7fffffff])]), 0x7fffffff);
  assert.equal(r('enumerate', [list('a', 'b')], [['start', 1]]), '[(1, "a"), (2, "b")]');
  assert.equal(r('zip', [list(1, 2, 3), list('a', 'b')]), '[(1, "a"), (2, "b")]');
  assert.equal(r('reversed', [list(1, 2, 3)]), '[3, 2, 1]');
  throwsMsg(() => call('list', [1]), /^list: for parameter 1: got int, want iterable$/);
});

test('sorted: key, reverse, stability, mixed-type error', () => {
  assert.equal(r('sorted', [list(3, 1, 2)]), '[1, 2, 3]');
  assert.equal(r('sorted', [list(3, 1, 2)], [['reverse', true]]), '[3, 2, 1]');
  const byLen = builtin('bylen', (_t, args) => (args[0] as string).length);
  assert.equal(r('sorted', [list('bb', 'a', 'cc', 'd')], [['key', byLen]]), '["a", "d", "bb", "cc"]');
  assert.equal(r('sorted', [list('bb', 'a', 'cc', 'd')], [['key', byLen], ['reverse', true]]), '["bb", "cc", "a", "d"]');
  throwsMsg(() => call('sorted', [list(1, 'a')]), /not implemented/);
  const nan = f(NaN);
  assert.equal(r('sorted', [list(7, 3, nan, 1, f(9))]), '[1, 3, 7, 9.0, nan]');
  assert.equal(r('sorted', [list(7, 3, nan, 1, 9)], [['reverse', true]]), '[nan, 9, 7, 3, 1]');
  assert.equal(r('sorted', [list(f(1), 1, 0, f(-0))]), '[0, -0.0, 1.0, 1]'); // stable
});

test('sorted: homogeneous ints, strings and tuples (native fast paths) match the general order', () => {
  let x = 42;
  const nums: number[] = [];
  for (let i = 0; i < 500; i++) nums.push((x = (x * 1103515245 + 12345) % 2147483648) - 1e9);
  const asc = [...nums].sort((a, b) => a - b);
  assert.deepEqual((call('sorted', [list(...nums)]) as StarList).elems, asc);
  assert.deepEqual((call('sorted', [list(...nums)], [['reverse', true]]) as StarList).elems, [...asc].reverse());
  const words = nums.map((n) => 'w' + (n % 97));
  assert.deepEqual((call('sorted', [list(...words)]) as StarList).elems, [...words].sort());
  const recs = nums.map((n) => tup(n % 3, 'n' + (n % 5), n));
  const got = (call('sorted', [list(...recs)]) as StarList).elems as StarTuple[];
  for (let i = 1; i < got.length; i++) assert.ok(compareTuples(got[i - 1]!, got[i]!) <= 0);
  assert.equal(r('sorted', [list(tup(2, 'a'), tup(1, 'b'), tup(1, 'a'))], [['reverse', true]]), '[(2, "a"), (1, "b"), (1, "a")]');
});

function compareTuples(a: StarTuple, b: StarTuple): number {
  for (let i = 0; i < a.elems.length; i++) {
    const x = a.elems[i] as number | string;
    const y = b.elems[i] as number | string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

test('min and max with key and default', () => {
  assert.equal(call('max', [list(1, 5, 3)]), 5);
  assert.equal(call('min', [4, 2, 8]), 2);
  const neg = builtin('neg', (_t, args) => -(args[0] as number));
  assert.equal(call('max', [list(1, 5, 3)], [['key', neg]]), 1);
  assert.equal(call('max', [list()], [['default', 'none']]), 'none');
  throwsMsg(() => call('min', [list()]), /empty sequence/);
  throwsMsg(() => call('min', []), /^min requires at least one positional argument$/);
  throwsMsg(() => call('max', [1]), /not iterable/);
});

test('abs, any, all, chr, ord, hash, hasattr, getattr, dir', () => {
  assert.equal(call('abs', [-3]), 3);
  assert.equal(r('abs', [f(-1.5)]), '1.5');
  assert.equal(call('any', [list(0, '', 1)]), true);
  assert.equal(call('all', [list(1, 'x', list())]), false);
  assert.equal(call('chr', [65]), 'A');
  throwsMsg(() => call('chr', [0x110000]), /Unicode code point U\+110000 out of range \(>0x10FFFF\)/);
  throwsMsg(() => call('zip', [list(), 'ab']), /not iterable: string/);
  assert.equal(call('ord', [toBytes('€')]), 8364); // strings are UTF-8 bytes (values/utf8.ts)
  assert.equal(call('ord', ['\xe2']), 0xfffd);
  throwsMsg(() => call('ord', ['\xe2\x82']), /ord: string encodes 2 Unicode code points, want 1/);
  assert.equal(call('chr', [0x20ac]), toBytes('€'));
  assert.equal(call('hash', [toBytes('é😿')]), 233 * 31 + 0x1f63f); // starlark-go: a rune above U+FFFF counts as itself
  throwsMsg(() => call('ord', ['ab']), /ord: string encodes 2 Unicode code points, want 1/);
  assert.equal(call('hash', ['a']), 97);
  assert.equal(call('hash', ['hello']), 99162322); // Java String.hashCode
  assert.equal(call('hasattr', ['x', 'upper']), true);
  assert.equal(call('hasattr', ['x', 'nope']), false);
  assert.equal(call('getattr', ['x', 'nope', 7]), 7);
  assert.ok((call('dir', [new StarDict()]) as StarList).elems.includes('setdefault'));
});

test('print goes to thread.print; fail raises FailError', () => {
  const printed: string[] = [];
  callValue(newThread(printed), universe.get('print')!, ['a', 1, list(1)], [['sep', '-']]);
  assert.deepEqual(printed, ['a-1-[1]']);
  // Strings and bytes print as their bytes (starlark-go), which the host gets as Unicode text: one U+FFFD per invalid byte.
  callValue(newThread(printed), universe.get('print')!, [toBytes('日本'), new StarBytes(toBytes('é') + '\xff'), toBytes('日').slice(0, 2)], null);
  assert.deepEqual(printed.slice(1), ['日本 é\ufffd \ufffd\ufffd']);
  assert.throws(
    () => call('fail', ['bad', 42]),
    (e: unknown) => e instanceof FailError && e.message === 'fail: bad 42',
  );
});

test('struct() builds a comparable record', () => {
  const a = call('struct', [], [['x', 1], ['y', 'z']]);
  const b = call('struct', [], [['y', 'z'], ['x', 1]]);
  assert.equal(repr(a), 'struct(x = 1, y = "z")');
  assert.ok(callValue(newThread(), universe.get('hasattr')!, [a, 'x'], null));
  assert.equal(equal(a, b), true);
  assert.equal(equal(a, call('struct', [], [['x', 2], ['y', 'z']])), false);
});
