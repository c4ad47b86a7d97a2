import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callValue, getAttr, repr } from '../../../src/starlark/values/ops.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarList, StarTuple } from '../../../src/starlark/values/list.js';
import { StarDict } from '../../../src/starlark/values/dict.js';
import { StarStruct } from '../../../src/starlark/values/struct.js';
import { jsonModule } from '../../../src/starlark/modules/json.js';
import { mathModule } from '../../../src/starlark/modules/math.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';
import { newThread } from './helpers.js';
import { fromBytes, toBytes } from '../../../src/starlark/values/utf8.js';

const f = (n: number) => new StarFloat(n);
const thread = newThread();
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));
const json = (name: string, args: Value[], kwargs: Array<[string, Value]> | null = null) =>
  callValue(thread, getAttr(jsonModule, name), args, kwargs);
const math = (name: string, ...args: Value[]) => callValue(thread, getAttr(mathModule, name), args, null);

test('json.encode: sorted keys, floats, strings, structs', () => {
  const d = new StarDict();
  d.set('b', new StarList([1, f(2), null, true]));
  d.set('a', 'x"<y>\n');
  assert.equal(json('encode', [d]), '{"a":"x\\"\\u003cy\\u003e\\n","b":[1,2.0,null,true]}');
  assert.equal(json('encode', ['plain <ascii>']), '"plain <ascii>"');
  assert.equal(json('encode', [new StarTuple([f(1e100), 2n ** 70n])]), '[1e+100,1180591620717411303424]');
  assert.equal(fromBytes(json('encode', [new StarStruct([['z', 1], ['a', toBytes('é')]])]) as string), '{"a":"é","z":1}');
  const bad = new StarDict();
  bad.set(1, 2);
  throwsMsg(() => json('encode', [bad]), /^json.encode: dict has int key, want string$/);
  throwsMsg(() => json('encode', [f(NaN)]), /cannot encode non-finite float nan/);
  throwsMsg(() => json('encode', [mathModule]), /cannot encode module as JSON/);
  const cyc = new StarList([]);
  cyc.elems.push(cyc);
  throwsMsg(() => json('encode', [cyc]), /^json.encode: at list index 0: cycle in JSON structure$/);
  const nested = new StarStruct([['x', new StarList([1, d])]]);
  d.set('f', getAttr(mathModule, 'sqrt'));
  throwsMsg(() => json('encode', [nested]), /^json.encode: in field .x: at list index 1: in dict key "f": cannot encode builtin_function_or_method as JSON$/);
  assert.equal(json('encode', ['\xff']), '"\\ufffd"'); // an invalid UTF-8 byte, as Go
  assert.equal(json('encode', [toBytes('\u2028')]), '"\\u2028"');
});

test('json.decode: ints stay ints, floats, nesting, errors with offsets', () => {
  const v = json('decode', ['{"a": [1, 2.5, -3e2, true, null, "s\\u00e9"], "big": 123456789012345678901}']);
  assert.equal(fromBytes(repr(v)), '{"a": [1, 2.5, -300.0, True, None, "sé"], "big": 123456789012345678901}');
  throwsMsg(() => json('decode', ['[1,]']), /^json.decode: at offset 3, unexpected character '\]'$/);
  throwsMsg(() => json('decode', ['{"a" 1}']), /after object key/);
  throwsMsg(() => json('decode', ['01']), /invalid number: 01/);
  throwsMsg(() => json('decode', ['1 2']), /unexpected character '2' after value/);
  throwsMsg(() => json('decode', ['"abc']), /unclosed string literal/);
  throwsMsg(() => json('decode', ['"ab\\gc"']), /invalid character 'g' in string escape code/);
  throwsMsg(() => json('decode', ["'abc'"]), /unexpected character '\\''/);
  throwsMsg(() => json('decode', ['[1, 2}']), /got '\}', want ',' or '\]'/);
  assert.equal(json('decode', ['"\\ud83d\\ude39\\u0123\\n"']), toBytes('😹ģ\n')); // strings are UTF-8 bytes
  assert.equal(json('decode', ['"\\ud83d-\xe6\xe6\x97\xa5"']), toBytes('\ufffd-\ufffd日')); // lone surrogate, invalid byte
  assert.ok(!Object.is(json('decode', ['-0']), -0));
  assert.equal(json('decode', ['nope'], [['default', 'dflt']]), 'dflt');
});

test('json.indent and encode_indent', () => {
  assert.equal(json('indent', ['{"a":[1,2],"b":{}}']), '{\n\t"a": [\n\t\t1,\n\t\t2\n\t],\n\t"b": {}\n}');
  const d = new StarDict();
  d.set('k', new StarList([]));
  assert.equal(json('encode_indent', [d], [['indent', '  ']]), '{\n  "k": []\n}');
  throwsMsg(() => json('indent', ['{']), /json.indent/);
});

test('math module', () => {
  assert.equal(math('ceil', f(1.2)), 2);
  assert.equal(math('floor', f(-1.2)), -2);
  assert.equal(math('floor', 7), 7);
  assert.equal(repr(math('sqrt', 16)), '4.0');
  assert.equal(repr(math('pow', 2, 10)), '1024.0');
  assert.equal(repr(math('round', f(2.5))), '3.0');
  assert.equal(repr(math('round', f(-2.5))), '-3.0');
  assert.equal(repr(math('log', 8, 2)), '3.0');
  assert.equal(repr(math('fabs', -2)), '2.0');
  assert.equal(repr(math('gamma', 5)), '24.0');
  assert.equal(repr(getAttr(mathModule, 'pi')), '3.141592653589793');
  assert.equal(repr(mathModule), '<module "math">');
  throwsMsg(() => math('sqrt', 'x'), /math.sqrt: for parameter x: got string, want float or int/);
  throwsMsg(() => getAttr(mathModule, 'nope'), /has no .nope/);
});
