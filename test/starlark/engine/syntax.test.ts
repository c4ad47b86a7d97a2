// Scanner and parser: what a user sees for malformed programs (position,
// message, caret rendering) and how literals and layout are read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile, newThread, repr, StarlarkSyntaxError, type Value } from '../../../src/starlark/index.js';
import { toBytes } from '../../../src/starlark/values/utf8.js';

function syntaxError(src: string, opts = {}): StarlarkSyntaxError {
  try {
    compileFile('s.star', src, opts);
  } catch (e) {
    if (e instanceof StarlarkSyntaxError) return e;
    throw e;
  }
  assert.fail('expected a syntax error');
}

function run(src: string): { globals: Map<string, Value>; out: string[] } {
  const out: string[] = [];
  const thread = newThread({ print: (_t, m) => out.push(m) });
  const globals = compileFile('s.star', src).init(thread);
  return { globals, out };
}

test('a syntax error names file:line:col and renders the source line with a caret', () => {
  const e = syntaxError('x = 1\ny = (1 +\n  2\n  z = 3)\n');
  assert.equal(e.file, 's.star');
  assert.equal(e.line, 4);
  assert.equal(e.col, 3);
  assert.equal(e.msg, "got identifier, want ')'");
  assert.equal(e.format(), "s.star:4:3: got identifier, want ')'\n  z = 3)\n  ^");
});

test('missing colon and bad indentation are reported at the offending token', () => {
  let e = syntaxError('def f()\n    return 1\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, "1:8 got newline, want ':'");
  e = syntaxError('def f():\n        x = 1\n    y = 2\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '3:5 unindent does not match any outer indentation level');
  e = syntaxError('  x = 1\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '1:3 unexpected indent');
});

test('chained comparisons are rejected, as the spec requires', () => {
  const e = syntaxError('x = 1 < 2 < 3\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '1:11 < does not associate with < (use parens)');
  // Parenthesised comparisons are fine.
  assert.equal(run('x = (1 < 2) == True\n').globals.get('x'), true);
});

test('Python keywords that Starlark reserves are syntax errors', () => {
  const e = syntaxError('x = 1\nif x is None:\n  pass\n', { toplevelcontrol: true });
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '2:6 keyword is is reserved');
});

test('string literal errors point at the escape or the opening quote', () => {
  let e = syntaxError('s = "abc\\q"\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '1:9 invalid escape sequence \\q');
  e = syntaxError('s = "abc\n');
  assert.equal(`${e.line}:${e.col} ${e.msg}`, '1:5 unexpected newline in string');
  e = syntaxError('s = """abc\n');
  assert.equal(e.msg, 'unexpected end of file in string literal');
});

test('literals: ints of any size and base, floats, escapes, raw, triple-quoted and bytes', () => {
  const { globals } = run([
    'a = 0x1F + 0o17 + 0b101',
    'b = 123456789012345678901234567890',
    'c = "\\x41\\u00e9\\U0001F600\\101\\t|"',
    "d = r'\\n\\''",
    'e = """two',
    'lines"""',
    'f = len(b"\\xff\\u00e9a")',
    'g = 1.5e3',
    '',
  ].join('\n'));
  assert.equal(globals.get('a'), 31 + 15 + 5);
  assert.equal(globals.get('b'), 123456789012345678901234567890n);
  assert.equal(globals.get('c'), toBytes('Aé😀A\t|')); // a string value is its UTF-8 bytes (values/utf8.ts)
  assert.equal(globals.get('d'), "\\n\\'");
  assert.equal(globals.get('e'), 'two\nlines');
  assert.equal(globals.get('f'), 4); // \xff is one byte, é is two in UTF-8, a is one
  assert.equal(repr(globals.get('g')!), '1500.0');
});

test('a carriage return in a string literal is a newline, as in starlark-go; outside triple quotes it ends the line', () => {
  const { globals } = run('a = """x\r\ny\rz"""\r\nb = r"""p\\\r\nq"""\r\nc = b"""\r"""\r\nd = 1\r\n');
  assert.equal(globals.get('a'), 'x\ny\nz');
  assert.equal(globals.get('b'), 'p\\\nq');
  assert.equal(repr(globals.get('c')!), 'b"\\n"');
  assert.equal(syntaxError('s = "a\rb"\n').msg, 'unexpected newline in string');
});

test('implicit line joining in brackets and backslash continuation', () => {
  const { globals } = run('x = (1 +\n     2) * \\\n    3\ny = [\n  1,\n\n  2,  # comment\n]\n');
  assert.equal(globals.get('x'), 9);
  assert.equal(repr(globals.get('y')!), '[1, 2]');
});

test('simple statements on one line, one-line suites, and nested comprehensions parse', () => {
  const { globals } = run([
    'def f(x): return x + 1',
    'a = 1; b = f(a);',
    'c = [(i, j) for i in range(3) if i for j in range(i) if j >= 0]',
    'd = {k: v for k, v in [("x", 1)]}',
    'e = (lambda x, y=2: x * y)(3)',
    'g = [1, 2, 3, 4, 5][::2]',
    '',
  ].join('\n'));
  assert.equal(globals.get('b'), 2);
  assert.equal(repr(globals.get('c')!), '[(1, 0), (2, 0), (2, 1)]');
  assert.equal(repr(globals.get('d')!), '{"x": 1}');
  assert.equal(globals.get('e'), 6);
  assert.equal(repr(globals.get('g')!), '[1, 3, 5]');
});
