import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, getIndex, hashValue, repr, toArray, typeName } from '../../../src/starlark/values/ops.js';
import { StarList, StarTuple } from '../../../src/starlark/values/list.js';
import { StarDict, StarSet } from '../../../src/starlark/values/dict.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarBytes } from '../../../src/starlark/values/bytes.js';
import { fromBytes, toBytes } from '../../../src/starlark/values/utf8.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';
import { method } from './helpers.js';

const list = (...e: Value[]) => new StarList(e);
const tup = (...e: Value[]) => new StarTuple(e);
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));
const m = (recv: Value, name: string, ...args: Value[]) => repr(method(recv, name, args));

test('string search methods', () => {
  assert.equal(method('hello', 'find', ['l']), 2);
  assert.equal(method('hello', 'rfind', ['l']), 3);
  assert.equal(method('hello', 'find', ['l', 3]), 3);
  assert.equal(method('hello', 'find', ['l', 0, 2]), -1);
  assert.equal(method('hello', 'find', ['z']), -1);
  assert.equal(method('hello', 'count', ['l']), 2);
  assert.equal(method('aaaa', 'count', ['aa']), 2);
  assert.equal(method('hello', 'index', ['e']), 1);
  throwsMsg(() => method('hello', 'index', ['z']), /substring not found/);
  assert.equal(method('hello', 'startswith', ['he']), true);
  assert.equal(method('hello', 'endswith', [tup('x', 'lo')]), true);
  assert.equal(method('hello', 'startswith', ['ll', 2]), true);
  assert.equal(method('abc', 'endswith', ['ab', null, -1]), true);
  assert.equal(method('foofoo', 'rfind', ['']), 6);
  throwsMsg(() => method('123', 'startswith', [tup(1, 2)]), /got int, for element 0/);
  throwsMsg(() => method('123', 'startswith', [list('3')]), /got list/);
});

test('string case and predicates', () => {
  assert.equal(method('hello world', 'title'), 'Hello World');
  assert.equal(method('hELLO', 'capitalize'), 'Hello');
  assert.equal(method('Hello World', 'istitle'), true);
  assert.equal(method('Hello world', 'istitle'), false);
  assert.equal(method('abc1', 'isalnum'), true);
  assert.equal(method('abc', 'isalpha'), true);
  assert.equal(method('123', 'isdigit'), true);
  assert.equal(method('', 'isdigit'), false);
  assert.equal(method(' \t', 'isspace'), true);
  assert.equal(method('abc1', 'islower'), true);
  assert.equal(method('ABC', 'isupper'), true);
  assert.equal(method('MiXed', 'upper'), 'MIXED');
  assert.equal(method('MiXed', 'lower'), 'mixed');
});

test('split, rsplit, splitlines, partition, strip, join, replace', () => {
  assert.equal(m('  a  b c ', 'split'), '["a", "b", "c"]');
  assert.equal(m('a,b,,c', 'split', ','), '["a", "b", "", "c"]');
  assert.equal(m('a,b,c', 'split', ',', 1), '["a", "b,c"]');
  assert.equal(m('a,b,c', 'rsplit', ',', 1), '["a,b", "c"]');
  assert.equal(m('  a b  c  ', 'rsplit', null, 1), '["  a b", "c"]');
  assert.equal(m('a\nb\r\nc', 'splitlines'), '["a", "b\\r", "c"]'); // starlark-go splits at \n only
  assert.equal(repr(method('a\nb\n', 'splitlines', [true], null)), '["a\\n", "b\\n"]');
  throwsMsg(() => method('a', 'split', ['']), /empty separator/);
  assert.equal(m('k=v=w', 'partition', '='), '("k", "=", "v=w")');
  assert.equal(m('k=v=w', 'rpartition', '='), '("k=v", "=", "w")');
  assert.equal(m('abc', 'partition', '='), '("abc", "", "")');
  assert.equal(method('  x  ', 'strip'), 'x');
  assert.equal(method('xxhixx', 'strip', ['x']), 'hi');
  assert.equal(method(' \tfoo\n ', 'strip', ['']), 'foo'); // empty cutset = whitespace
  assert.equal(method('blah.h', 'rstrip', ['b.h']), 'bla');
  assert.equal(m(' a bc\n  def \t  ghi ', 'split', null, 1), '["a", "bc\\n  def \\t  ghi "]');
  assert.equal(m(' a bc\n  def \t  ghi ', 'rsplit', null, 0), '[" a bc\\n  def \\t  ghi"]');
  assert.equal(m('--aa--bb--cc--', 'rsplit', '-', 1), '["--aa--bb--cc-", ""]');
  assert.equal(method('  x  ', 'lstrip'), 'x  ');
  assert.equal(method(', ', 'join', [list('a', 'b')]), 'a, b');
  throwsMsg(() => method(',', 'join', [list('a', 1)]), /join: in list, want string, got int/);
  assert.equal(method('aaa', 'replace', ['a', 'b']), 'bbb');
  assert.equal(method('aaa', 'replace', ['a', 'b', 2]), 'bba');
  assert.equal(method('abc', 'replace', ['', '-']), '-a-b-c-');
  assert.equal(method('abc', 'replace', ['', '-', 2]), '-a-bc');
  assert.equal(method('prefix-x', 'removeprefix', ['prefix-']), 'x');
  assert.equal(method('x.yaml', 'removesuffix', ['.yaml']), 'x');
});

test('string iteration views', () => {
  assert.equal(repr(new StarList(toArray(method('ab', 'elems')))), '["a", "b"]');
  assert.equal(repr(new StarList(toArray(method('ab', 'elem_ords')))), '[97, 98]');
  assert.equal(fromBytes(repr(new StarList(toArray(method(toBytes('a😀'), 'codepoints'))))), '["a", "😀"]');
  assert.equal(repr(new StarList(toArray(method(toBytes('a😀'), 'codepoint_ords')))), '[97, 128512]');
  assert.equal(repr(new StarList(toArray(method(toBytes('é'), 'elems')))), '["\\xc3", "\\xa9"]'); // strings are UTF-8 bytes
  assert.equal(repr(new StarList(toArray(method('\xe6a', 'codepoints')))), '["\\xe6", "a"]'); // an invalid byte is its own code point
  assert.equal(repr(new StarList(toArray(method('\xe6a', 'codepoint_ords')))), '[65533, 97]');
  assert.equal(repr(method('ab', 'elems')), '"ab".elems()');
  assert.equal(typeName(method('ab', 'elems')), 'elems');
  assert.equal(typeName(method('ab', 'codepoint_ords')), 'codepoints');
});

test('str.format', () => {
  assert.equal(method('{} and {}', 'format', ['a', 1]), 'a and 1');
  assert.equal(method('{1}{0}', 'format', ['a', 'b']), 'ba');
  assert.equal(method('{name}!', 'format', [], [['name', 'x']]), 'x!');
  assert.equal(method('{0!r} {0!s}', 'format', ['q']), '"q" q');
  assert.equal(method('{!r}', 'format', [new StarList([1, 'a'])]), '[1, "a"]');
  assert.equal(method('{{}} {}', 'format', [1]), '{} 1');
  throwsMsg(() => method('{} {0}', 'format', [1]), /cannot switch from automatic field numbering to manual/);
  throwsMsg(() => method('{', 'format', []), /unmatched '\{'/);
  throwsMsg(() => method('}', 'format', []), /single '\}'/);
  throwsMsg(() => method('{x!}', 'format', [], [['x', 1]]), /unknown conversion/);
  throwsMsg(() => method('{x!:}', 'format', [], [['x', 1]]), /unknown conversion/);
  throwsMsg(() => method('{a.b}', 'format', [1]), /syntax x.y is not supported/);
  throwsMsg(() => method('{a[0]}', 'format', [1]), /syntax a\[i\] is not supported/);
  throwsMsg(() => method('{ {} }', 'format', [1]), /nested replacement fields not supported/);
  throwsMsg(() => method('{:d}', 'format', [1]), /format spec/);
  assert.equal(method('a{010}b', 'format', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'a10b');
  throwsMsg(() => method('{x}', 'format', []), /keyword x not found/);
});

test('list methods', () => {
  const l = list(1, 2);
  method(l, 'append', [3]);
  method(l, 'extend', [tup(4, 5)]);
  method(l, 'insert', [0, 0]);
  method(l, 'insert', [-1, 'x']);
  assert.equal(repr(l), '[0, 1, 2, 3, 4, "x", 5]');
  assert.equal(method(l, 'pop'), 5);
  assert.equal(method(l, 'pop', [0]), 0);
  method(l, 'remove', ['x']);
  assert.equal(method(l, 'index', [3]), 2);
  throwsMsg(() => method(l, 'index', [99]), /value not in list/);
  throwsMsg(() => method(l, 'remove', [99]), /element not found/);
  throwsMsg(() => method(l, 'pop', [10]), /pop: list index 10 out of range/);
  method(l, 'clear');
  assert.equal(repr(l), '[]');
  l.freeze();
  throwsMsg(() => method(l, 'append', [1]), /^append: cannot append to frozen list$/);
  throwsMsg(() => method(l, 'append', [1, 2]), /append: got 2 arguments, want 1/);
});

test('dict methods keep insertion order', () => {
  const d = new StarDict();
  d.set('b', 1);
  d.set('a', 2);
  assert.equal(m(d, 'keys'), '["b", "a"]');
  assert.equal(m(d, 'values'), '[1, 2]');
  assert.equal(m(d, 'items'), '[("b", 1), ("a", 2)]');
  assert.equal(method(d, 'get', ['zz']), null);
  assert.equal(method(d, 'get', ['zz', 5]), 5);
  assert.equal(method(d, 'setdefault', ['c', 3]), 3);
  assert.equal(method(d, 'setdefault', ['c', 4]), 3);
  assert.equal(method(d, 'pop', ['b']), 1);
  assert.equal(method(d, 'pop', ['b', 'dflt']), 'dflt');
  throwsMsg(() => method(d, 'pop', ['b']), /missing key/);
  assert.equal(m(d, 'popitem'), '("a", 2)');
  method(d, 'update', [list(tup('x', 1))], [['y', 2]]);
  assert.equal(repr(d), '{"c": 3, "x": 1, "y": 2}');
  d.set('c', 9); // overwrite keeps position
  assert.equal(repr(d), '{"c": 9, "x": 1, "y": 2}');
  method(d, 'clear');
  throwsMsg(() => method(d, 'popitem'), /popitem: empty dict/);
});

test('dict keys: int/float unify, tuples work, lists are unhashable', () => {
  const d = new StarDict();
  d.set(1, 'int');
  d.set(new StarFloat(1), 'float');
  assert.equal(d.get(1), 'float');
  assert.equal(repr(d), '{1: "float"}'); // the first-inserted key is kept
  d.set(tup(1, 'a'), 't');
  assert.equal(d.get(tup(1, 'a')), 't');
  assert.equal(d.get(tup(new StarFloat(1), 'a')), 't');
  d.set(2n ** 70n, 'big');
  assert.equal(d.get(2n ** 70n), 'big');
  assert.equal(d.size, 3);
  throwsMsg(() => d.set(list(), 1), /unhashable type: list/);
  assert.equal(method(d, 'pop', [tup(1, 'a')]), 't');
  assert.equal(d.get(tup(1, 'a')), undefined);
});

test('set methods', () => {
  const s = StarSet.of([1, 2, 3]);
  method(s, 'add', [4]);
  method(s, 'discard', [1]);
  method(s, 'discard', [99]);
  assert.equal(repr(s), 'set([2, 3, 4])');
  assert.equal(m(s, 'union', list(5)), 'set([2, 3, 4, 5])');
  assert.equal(m(s, 'intersection', list(3, 4, 9)), 'set([3, 4])');
  assert.equal(m(s, 'difference', list(3)), 'set([2, 4])');
  assert.equal(m(s, 'symmetric_difference', list(4, 7)), 'set([2, 3, 7])');
  assert.equal(method(s, 'issubset', [list(2, 3, 4, 5)]), true);
  assert.equal(method(s, 'issuperset', [list(2)]), true);
  assert.equal(method(s, 'pop'), 2);
  method(s, 'remove', [3]);
  throwsMsg(() => method(s, 'remove', [3]), /missing key/);
  method(s, 'update', [list(8, 9)]);
  assert.equal(repr(s), 'set([4, 8, 9])');
  throwsMsg(() => method(s, 'union', [1]), /^union: for parameter 1: got int, want iterable$/);
  throwsMsg(() => method(s, 'add', [list()]), /^add: unhashable type: list$/);
  throwsMsg(() => method(s, 'symmetric_difference', [list(1), list(2)]), /^symmetric_difference: got 2 arguments, want 1$/);
  s.freeze();
  throwsMsg(() => method(s, 'add', [4]), /^add: cannot insert into frozen hash table$/); // even a no-op
  throwsMsg(() => method(s, 'discard', [99]), /^discard: cannot delete from frozen hash table$/);
  throwsMsg(() => method(s, 'update', []), /^update: cannot insert into frozen hash table$/);
  const empty = new StarSet();
  empty.freeze();
  assert.equal(method(empty, 'clear'), null); // clearing an empty frozen set is not a mutation
});

test('bytes', () => {
  const b = new StarBytes(toBytes('hé'));
  assert.equal(b.length, 3);
  assert.equal(fromBytes(repr(b)), 'b"hé"');
  assert.equal(repr(new StarList(toArray(method(b, 'elems')))), '[104, 195, 169]');
  assert.equal(fromBytes(b.decode()), 'hé');
  const hello = new StarBytes(toBytes('hello, 世界\t\u200d'));
  assert.equal(fromBytes(repr(hello)), 'b"hello, 世界\\t\\u200d"');
  assert.equal(repr(new StarBytes(hello.data.slice(0, 9))), 'b"hello, \\xe4\\xb8"'); // incomplete UTF-8
  assert.equal(repr(getIndex(hello, 0)), 'b"h"'); // starlark-go: a 1-byte bytes
  assert.equal(hashValue(new StarBytes('')), 0x811c9dc5);
  assert.equal(hashValue(new StarBytes('abc')), 0x1a47e90b);
  assert.equal(fromBytes(repr(method(hello, 'elems'))), 'b"hello, 世界\\t\\u200d".elems()');
  assert.equal(compare('<', new StarBytes('\x7f'), new StarBytes('\x80')), true);
});

test('string repr escapes non-printable code points like Go', () => {
  assert.equal(repr(toBytes('世界😿')), toBytes('"世界😿"'));
  assert.equal(repr(toBytes('a\u200db\u00a0')), '"a\\u200db\\u00a0"');
  assert.equal(repr('\x7f\xed\xa0\x80'), '"\\x7f\\xed\\xa0\\x80"'); // an encoded surrogate is three invalid bytes, as Go
});
