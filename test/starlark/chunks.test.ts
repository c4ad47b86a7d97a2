// The chunked-file format itself: splitting at `---` lines, keeping file line
// numbers, `###` expectations, `option:NAME`, malformed expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChunkedFile } from '../../src/starlark/testing/chunks.js';

test('splits at lines that are exactly --- and keeps file line numbers', () => {
  const { chunks, problems } = parseChunkedFile('a = 1\n---\nb = 2\nc = 3 ---\n---\nd = 4\n');
  assert.deepEqual(problems, []);
  assert.deepEqual(chunks.map((c) => c.startLine), [1, 3, 6]);
  // each chunk is padded with newlines so its lines are the file's lines
  assert.equal(chunks[1]!.source, '\n\nb = 2\nc = 3 ---\n');
  assert.equal(chunks[2]!.source.split('\n')[5], 'd = 4');
});

test('### "regex" is an expectation at its own line', () => {
  const { chunks } = parseChunkedFile('x = 1\n---\ny = 1 // 0 ### "division by (zero)"\nz = `raw` ### `a\\d+`\n');
  assert.equal(chunks[0]!.expected.length, 0);
  const exp = chunks[1]!.expected;
  assert.deepEqual(exp.map((e) => e.line), [3, 4]);
  assert.ok(exp[0]!.pattern.test('floored division by zero'));
  assert.ok(exp[1]!.pattern.test('a42'), 'back-quoted patterns are raw');
});

test('option:NAME enables only known dialect options, per chunk', () => {
  const { chunks } = parseChunkedFile('# option:while option:recursion option:bogus\n---\nx = 1\n');
  assert.deepEqual([...chunks[0]!.options].sort(), ['recursion', 'while']);
  assert.equal(chunks[1]!.options.size, 0);
});

test('a malformed expectation is reported as a problem of the file', () => {
  const { problems } = parseChunkedFile('x = 1 ### not quoted\n---\ny = 2 ### "unclosed (group"\n');
  assert.deepEqual(problems.map((p) => p.line), [1, 3]);
  assert.match(problems[0]!.message, /not a quoted regexp/);
  assert.match(problems[1]!.message, /bad regexp/);
});
