// go-yaml v2 emission, one behaviour per case. Every expected text below is
// what `kubectl get -o yaml` printed for the same value (recorded against
// kubectl v1.32; commands.test.ts re-checks the whole set live).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goYaml, resolvesAsString } from '../../src/client/goyaml.js';

const item = (v: unknown) => goYaml({ k: [v] });

test('strings that would read back as another type are double-quoted', () => {
  for (const s of ['yes', 'y', 'No', 'off', '~', 'null', 'Null', '', '0x1F', '0o17', '017', '08', '1_000', '+5', '1.5', '1e3', '.5', '+.5', '-.inf', '.NaN', '1:20', '12:30:00', '2026-01-01', '2026-1-2T3:04:05Z', '2026-01-02 03:04:05', '0b101', '-0b11', '9999999999999999999999']) {
    assert.equal(resolvesAsString(s), false, s);
    assert.equal(item(s), `k:\n- "${s}"\n`, s);
  }
  for (const s of ['2026-13-01', '<<', '1e400', '123abc', '.x', 'plain']) {
    assert.equal(resolvesAsString(s), true, s);
    assert.equal(item(s), `k:\n- ${s}\n`, s);
  }
});

test('strings with indicator characters are single-quoted; control characters force double quotes', () => {
  assert.equal(item('a: b'), "k:\n- 'a: b'\n");
  assert.equal(item('a:b'), 'k:\n- a:b\n');
  assert.equal(item('#x'), "k:\n- '#x'\n");
  assert.equal(item('x #y'), "k:\n- 'x #y'\n");
  assert.equal(item('x#y'), 'k:\n- x#y\n');
  assert.equal(item(' lead'), "k:\n- ' lead'\n");
  assert.equal(item('- x'), "k:\n- '- x'\n");
  assert.equal(item('-x'), 'k:\n- -x\n');
  assert.equal(item("it's"), "k:\n- it's\n");
  assert.equal(item("'q'"), "k:\n- '''q'''\n");
  assert.equal(item('tab\there'), 'k:\n- "tab\\there"\n');
  assert.equal(item('ctl\u0001x'), 'k:\n- "ctl\\x01x"\n');
  assert.equal(item('emoji \u{1F600}'), 'k:\n- "emoji \\U0001F600"\n');
  assert.equal(item('ünïcödé'), 'k:\n- ünïcödé\n');
});

test('multi-line strings are literal blocks with go-yaml chomping and indentation hints', () => {
  assert.equal(item('line1\nline2'), 'k:\n- |-\n  line1\n  line2\n');
  assert.equal(item('line1\nline2\n'), 'k:\n- |\n  line1\n  line2\n');
  assert.equal(item('a\n\nb\n\n'), 'k:\n- |+\n  a\n\n  b\n\n');
  assert.equal(item('\nlead'), 'k:\n- |2-\n\n  lead\n');
  assert.equal(item(' lead\nspace'), 'k:\n- |2-\n   lead\n  space\n');
  assert.equal(item('trail \nbreak'), 'k:\n- "trail \\nbreak"\n');
  assert.equal(goYaml({ a: { note: 'first\nsecond\n' }, b: 1 }), 'a:\n  note: |\n    first\n    second\nb: 1\n');
});

test('long values fold at the first space after column 80; keys never fold', () => {
  const long = 'a long string that goes on and on and on and on and on and on and on and on and on and on and on forever more';
  assert.equal(goYaml({ spec: { items: [long] } }), 'spec:\n  items:\n  - a long string that goes on and on and on and on and on and on and on and on and\n    on and on and on forever more\n');
  assert.equal(
    item("a very long string with 'single quotes' that needs quoting: because of colon space and goes on past eighty columns"),
    "k:\n- 'a very long string with ''single quotes'' that needs quoting: because of colon\n  space and goes on past eighty columns'\n",
  );
  const word = 'x'.repeat(100);
  assert.equal(item(`${word} y`), `k:\n- ${word}\n  y\n`);
  assert.equal(goYaml({ [long]: 1 }), `${long}: 1\n`);
});

test('collections: indentless sequences under keys, nested sequences, empty flow collections, complex keys', () => {
  assert.equal(goYaml({ list: [[1, 2], [], {}, [{ a: 1, b: [] }], { c: { d: 'e' } }] }), 'list:\n- - 1\n  - 2\n- []\n- {}\n- - a: 1\n    b: []\n- c:\n    d: e\n');
  assert.equal(goYaml({ 'multi\nkey': 'v', '': 'empty' }), '"": empty\n? |-\n  multi\n  key\n: v\n');
  assert.equal(goYaml({}), '{}\n');
  assert.equal(goYaml({ b: 1, '10': 2, '2': 3, a: 4, 'a-1': 5, 'a.b': 6, a10: 7, a9: 8 }), '"2": 3\n"10": 2\na: 4\na-1: 5\na.b: 6\na9: 8\na10: 7\nb: 1\n', "go-yaml's natural key order");
});

test('numbers print as Go prints int64 and float64', () => {
  assert.equal(goYaml({ f: [0.5, 1234567.5, 0.00001, 123456.5, -0.25, 1e21, 3.0, 7, null, true] }), 'f:\n- 0.5\n- 1.2345675e+06\n- 1e-05\n- 123456.5\n- -0.25\n- 1e+21\n- 3\n- 7\n- null\n- true\n');
});
