import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binary, unary, compare, equal, truth, typeName, repr, str, getIndex, setIndex, slice, iterate, getAttr, callValue,
  hashValue, length,
} from '../../../src/starlark/values/ops.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarList, StarTuple } from '../../../src/starlark/values/list.js';
import { StarDict, StarSet } from '../../../src/starlark/values/dict.js';
import { StarRange } from '../../../src/starlark/values/range.js';
import { StarStruct } from '../../../src/starlark/values/struct.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';
import { newThread } from './helpers.js';

const f = (n: number) => new StarFloat(n);
const list = (...e: Value[]) => new StarList(e);
const tup = (...e: Value[]) => new StarTuple(e);
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));

test('int arithmetic promotes to bigint beyond 2^53 and demotes back', () => {
  const big = binary('*', 2 ** 40, 2 ** 40);
  assert.equal(big, 2n ** 80n);
  assert.equal(binary('//', big, 2 ** 40), 2 ** 40);
  assert.equal(typeof binary('-', big, big), 'number');
  assert.equal(binary('+', Number.MAX_SAFE_INTEGER, 1), 2n ** 53n);
  assert.equal(binary('-', -Number.MAX_SAFE_INTEGER, 1), -(2n ** 53n));
  assert.equal(repr(binary('<<', 1, 100)), '1267650600228229401496703205376');
  assert.equal(binary('>>', binary('<<', 1, 100), 99), 2);
  assert.equal(unary('-', 0), 0);
  assert.ok(!Object.is(unary('-', 0), -0));
});

test('floor division and modulo take the sign of the divisor', () => {
  assert.equal(binary('//', 7, 2), 3);
  assert.equal(binary('//', -7, 2), -4);
  assert.equal(binary('//', 7, -2), -4);
  assert.equal(binary('%', -7, 2), 1);
  assert.equal(binary('%', 7, -2), -1);
  assert.ok(!Object.is(binary('%', -4, 2), -0));
  assert.equal(binary('%', -(2n ** 70n), 3), Number((-(2n ** 70n)) % 3n + 3n) % 3);
  assert.equal(repr(binary('%', f(-7), f(2))), '1.0');
  assert.equal(repr(binary('//', f(7.5), 2)), '3.0');
  throwsMsg(() => binary('//', 1, 0), /^floored division by zero$/);
  throwsMsg(() => binary('%', 1, 0), /modulo by zero/);
  throwsMsg(() => binary('/', 1, 0), /division by zero/);
  throwsMsg(() => binary('/', f(1), f(0)), /division by zero/);
});

test('/ is always float division, mixed int/float promotes', () => {
  assert.equal(repr(binary('/', 6, 3)), '2.0');
  assert.equal(repr(binary('/', 7, 2)), '3.5');
  assert.equal(repr(binary('+', 1, f(0.5))), '1.5');
  assert.equal(repr(binary('*', f(2), 3)), '6.0');
  assert.equal(repr(binary('/', 2n ** 60n, 2 ** 30)), repr(f(2 ** 30)));
});

test('shifts and bitwise ops', () => {
  assert.equal(binary('&', 12, 10), 8);
  assert.equal(binary('|', 12, 10), 14);
  assert.equal(binary('^', 12, 10), 6);
  assert.equal(unary('~', 5), -6);
  assert.equal(binary('&', 2n ** 60n + 5n, 7), 5);
  assert.equal(binary('>>', -5, 1), -3);
  assert.equal(binary('>>', -5, 100), -1);
  throwsMsg(() => binary('<<', 1, -1), /negative shift count/);
});

test('string, list and tuple concatenation and repetition', () => {
  assert.equal(binary('+', 'ab', 'cd'), 'abcd');
  assert.equal(binary('*', 'ab', 3), 'ababab');
  assert.equal(binary('*', 2, 'x'), 'xx');
  assert.equal(binary('*', 'ab', -1), '');
  assert.equal(repr(binary('+', list(1), list(2, 3))), '[1, 2, 3]');
  assert.equal(repr(binary('*', tup(1, 2), 2)), '(1, 2, 1, 2)');
  assert.equal(repr(binary('*', 0, list(1))), '[]');
  const abc = tup('a', 'b', 'c');
  throwsMsg(() => binary('*', abc, 1000000 * 1000000), /^repeat count 1000000000000 too large$/);
  throwsMsg(() => binary('*', binary('*', abc, 1000000), 1000000), /^excessive repeat \(3000000 \* 1000000 elements\)$/);
  throwsMsg(() => binary('*', 'ab', 2n ** 70n), /too large/);
  throwsMsg(() => binary('+', 1, 'a'), /^unknown binary op: int \+ string$/);
  throwsMsg(() => binary('+', list(), tup()), /^unknown binary op: list \+ tuple$/);
});

test('in operator across containers', () => {
  assert.equal(binary('in', 'b', 'abc'), true);
  assert.equal(binary('not in', 'z', 'abc'), true);
  assert.equal(binary('in', 2, list(1, 2)), true);
  assert.equal(binary('in', f(2), tup(1, 2)), true);
  const d = new StarDict();
  d.set('k', 1);
  assert.equal(binary('in', 'k', d), true);
  assert.equal(binary('in', 3, new StarRange(0, 10, 3)), true);
  assert.equal(binary('in', 4, new StarRange(0, 10, 3)), false);
  assert.equal(binary('in', 1, StarSet.of([1])), true);
  throwsMsg(() => binary('in', 1, 'abc'), /requires string as left operand, not int/);
  assert.equal(binary('in', list(), d), false); // starlark-go: an unhashable key is not found
  assert.equal(binary('in', f(2), new StarRange(0, 3, 1)), true);
  throwsMsg(() => binary('in', true, new StarRange(0, 3, 1)), /requires integer.*not bool/);
});

test('dict and set operators', () => {
  const a = new StarDict();
  a.set('x', 1);
  a.set('y', 2);
  const b = new StarDict();
  b.set('y', 3);
  b.set('z', 4);
  assert.equal(repr(binary('|', a, b)), '{"x": 1, "y": 3, "z": 4}');
  const s = StarSet.of([1, 2, 3]);
  const t = StarSet.of([2, 3, 4]);
  assert.equal(repr(binary('|', s, t)), 'set([1, 2, 3, 4])');
  assert.equal(repr(binary('&', s, t)), 'set([2, 3])');
  assert.equal(repr(binary('^', s, t)), 'set([1, 4])');
  assert.equal(repr(binary('-', s, t)), 'set([1])');
  assert.equal(compare('<', StarSet.of([2]), t), true);
  assert.equal(compare('<=', s, t), false);
});

test('comparisons: numbers, sequences, cross-type errors, NaN', () => {
  assert.equal(compare('<', 1, f(1.5)), true);
  assert.equal(compare('==', 1, f(1)), true);
  assert.equal(compare('<', 2n ** 70n, f(1e30)), true);
  assert.equal(compare('<', 'abc', 'abd'), true);
  assert.equal(compare('<', list(1, 2), list(1, 3)), true);
  assert.equal(compare('<', list(1, 2), list(1, 2, 0)), true);
  assert.equal(compare('>', tup(2), tup(1, 9)), true);
  assert.equal(compare('==', list(1, tup(2, 'a')), list(1, tup(2, 'a'))), true);
  assert.equal(compare('==', 1, 'a'), false);
  assert.equal(compare('!=', 1, 'a'), true);
  assert.equal(compare('==', true, 1), false);
  throwsMsg(() => compare('<', 1, 'a'), /^int < string not implemented$/);
  throwsMsg(() => compare('<', new StarDict(), new StarDict()), /dict < dict not implemented/);
  const nan = f(NaN);
  // Numbers are totally ordered with NaN greatest and equal to itself (starlark-go, unlike Python).
  assert.equal(compare('<', 1, nan), true);
  assert.equal(compare('>', 1, nan), false);
  assert.equal(compare('==', 1, nan), false);
  assert.equal(compare('==', nan, nan), true);
  assert.equal(compare('!=', nan, nan), false);
  assert.equal(compare('<', f(Infinity), nan), true);
  assert.equal(compare('<', 2n ** 80n, nan), true);
});

test('truth values and type names', () => {
  for (const v of [null, false, 0, '', f(0), list(), tup(), new StarDict(), new StarSet(), new StarRange(0, 0, 1)]) {
    assert.equal(truth(v), false, repr(v));
  }
  for (const v of [true, 1, 2n ** 60n, 'a', f(0.1), f(NaN), list(0), new StarStruct([])]) assert.equal(truth(v), true);
  assert.deepEqual(
    [null, true, 1, 2n ** 60n, 'a', f(1), list(), tup(), new StarDict(), new StarSet(), new StarRange(0, 1, 1)].map(typeName),
    ['NoneType', 'bool', 'int', 'int', 'string', 'float', 'list', 'tuple', 'dict', 'set', 'range'],
  );
});

test('repr and str formatting', () => {
  assert.equal(repr('a"b\\c\n\t\x01'), '"a\\"b\\\\c\\n\\t\\x01"');
  assert.equal(str('plain'), 'plain');
  assert.equal(repr(list('a', 1, null, true, tup(1))), '["a", 1, None, True, (1,)]');
  assert.deepEqual(
    [1, 1.5, 1e100, 1e-7, 123456, 1234567, 1e21, 0.1, -0.0, Infinity, -Infinity, NaN, 100].map((n) => repr(f(n))),
    ['1.0', '1.5', '1e+100', '1e-07', '123456.0', '1.234567e+06', '1e+21', '0.1', '-0.0', '+inf', '-inf', 'nan', '100.0'],
  );
  const l = list(1);
  l.elems.push(l);
  assert.equal(repr(l), '[1, [...]]');
  assert.equal(repr(new StarStruct([['b', 2], ['a', 'x']])), 'struct(a = "x", b = 2)');
  assert.equal(repr(new StarRange(0, 5, 1)), 'range(5)');
  assert.equal(repr(new StarRange(1, 5, 2)), 'range(1, 5, 2)');
});

test('indexing with negative indices and out-of-range errors', () => {
  const l = list('a', 'b', 'c');
  assert.equal(getIndex(l, 0), 'a');
  assert.equal(getIndex(l, -1), 'c');
  assert.equal(getIndex('hello', 1), 'e');
  assert.equal(getIndex(new StarRange(0, 10, 2), 3), 6);
  throwsMsg(() => getIndex(l, 3), /^list index 3 out of range \[-3:2\]$/);
  throwsMsg(() => getIndex(list(), 0), /index 0 out of range: empty list/);
  throwsMsg(() => getIndex(l, 'x'), /list index: got string, want int/);
  const d = new StarDict();
  d.set('a', 1);
  assert.equal(getIndex(d, 'a'), 1);
  throwsMsg(() => getIndex(d, 'b'), /^key "b" not in dict$/);
  throwsMsg(() => getIndex(1, 0), /unhandled index operation int\[int\]/);
  setIndex(l, -1, 'z');
  assert.equal(repr(l), '["a", "b", "z"]');
  throwsMsg(() => setIndex(tup(1), 0, 2), /tuple value does not support item assignment/);
});

test('slicing strings, lists, tuples and ranges', () => {
  assert.equal(slice('hello', 1, 3, null), 'el');
  assert.equal(slice('hello', null, null, -1), 'olleh');
  assert.equal(slice('hello', -3, null, null), 'llo');
  assert.equal(slice('hello', 10, 20, null), '');
  assert.equal(repr(slice(list(0, 1, 2, 3, 4, 5), 1, null, 2)), '[1, 3, 5]');
  assert.equal(repr(slice(list(0, 1, 2, 3, 4, 5), 4, 1, -2)), '[4, 2]');
  assert.equal(repr(slice(tup(1, 2, 3), null, -1, null)), '(1, 2)');
  const r = slice(new StarRange(0, 10, 1), 2, 8, 3);
  assert.equal(repr(r), 'range(2, 8, 3)');
  assert.equal(equal(slice(new StarRange(0, 10, 1), null, null, -1), new StarRange(9, -1, -1)), true);
  throwsMsg(() => slice('abc', null, null, 0), /zero is not a valid slice step/);
  throwsMsg(() => slice(1, null, null, null), /invalid slice operand int/);
  throwsMsg(() => slice('banana', f(1), null, null), /^invalid start index: got float, want int$/);
  throwsMsg(() => slice('banana', null, '', null), /^invalid end index: got string, want int$/);
  throwsMsg(() => slice('banana', null, null, true), /^got bool for slice step, want int$/);
  assert.equal(slice('banana', 7, null, -2), 'aaa');
  assert.equal(slice('banana', 4, null, -2), 'nnb');
});

test('list iteration holds a lock: mutation during iteration fails, lock released after', () => {
  const l = list(1, 2, 3);
  const it = iterate(l);
  it.next();
  throwsMsg(() => l.append(4), /^cannot append to list during iteration$/);
  while (!it.next().done);
  l.append(4);
  assert.equal(length(l), 4);
  // Early exit through for-of releases the lock too.
  for (const _ of { [Symbol.iterator]: () => iterate(l) }) break;
  l.append(5);
  const d = new StarDict();
  d.set('a', 1);
  const di = iterate(d);
  di.next();
  throwsMsg(() => d.set('b', 2), /cannot insert into hash table during iteration/);
  di.return?.();
  d.set('b', 2);
  throwsMsg(() => iterate(1), /int value is not iterable/);
  throwsMsg(() => iterate('abc'), /string value is not iterable/);
});

test('frozen values reject mutation', () => {
  const inner = list(1);
  const d = new StarDict();
  d.set('l', inner);
  d.freeze();
  throwsMsg(() => d.set('x', 1), /cannot insert into frozen hash table/);
  throwsMsg(() => inner.append(2), /^cannot append to frozen list$/);
  throwsMsg(() => setIndex(inner, 0, 2), /cannot assign to element of frozen list/);
});

test('hashing: equal values hash alike, unhashable types error', () => {
  assert.equal(hashValue(1), hashValue(f(1)));
  assert.equal(hashValue(tup(1, 'a')), hashValue(tup(f(1), 'a')));
  assert.equal(hashValue(2n ** 60n), hashValue(f(2 ** 60)));
  throwsMsg(() => hashValue(list()), /^unhashable type: list$/);
  throwsMsg(() => hashValue(new StarDict()), /^unhashable type: dict$/);
});

test('attributes and calls', () => {
  const s = new StarStruct([['name', 'x']]);
  assert.equal(getAttr(s, 'name'), 'x');
  throwsMsg(() => getAttr(s, 'nope'), /struct has no .nope attribute/);
  throwsMsg(() => getAttr(1, 'foo'), /^int has no .foo field or method$/);
  throwsMsg(() => getAttr(list(), 'apend'), /^list has no .apend field or method \(did you mean .append\?\)$/);
  throwsMsg(() => getAttr(new StarStruct([['forty_five', 1]]), 'FortyFive'), /no .FortyFive attribute.*did you mean .forty_five/);
  throwsMsg(() => getAttr(list(), 'thirty'), /no .thirty field or method$/);
  const upper = getAttr('abc', 'upper');
  assert.equal(repr(upper), '<built-in method upper of string value>');
  assert.equal(callValue(newThread(), upper, [], null), 'ABC');
  throwsMsg(() => callValue(newThread(), 1, [], null), /^invalid call of non-function \(int\)$/);
});

test('unary operators', () => {
  assert.equal(unary('not', 0), true);
  assert.equal(repr(unary('-', f(1.5))), '-1.5');
  assert.equal(unary('+', 3), 3);
  assert.equal(unary('-', 2n ** 60n), -(2n ** 60n));
  throwsMsg(() => unary('-', 'a'), /^unknown unary op: - string$/);
});
