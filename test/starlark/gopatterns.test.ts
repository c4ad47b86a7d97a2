// Patterns in Starlark test files (`### "regex"` expectations and
// assert.fails) are Go regular expressions, as in go.starlark.net: RE2 syntax
// (\z, (?P<name>), POSIX classes) and linear-time matching of hostile patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChunkedFile } from '../../src/starlark/testing/chunks.js';
import { runChunkedText } from '../../src/starlark/testing/runner.js';

test('### expectations use Go syntax and match in linear time', () => {
  const { chunks, problems } = parseChunkedFile('x = 1 // 0 ### `zero\\z`\n---\ny = 1 ### `[[:digit:]]+`\n---\nz = 1 ### `(a)\\1`\n');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /invalid escape sequence: `\\1`/);
  assert.ok(chunks[0]!.expected[0]!.pattern.test('floored division by zero'));
  assert.ok(!chunks[0]!.expected[0]!.pattern.test('zero!'));
  assert.ok(chunks[1]!.expected[0]!.pattern.test('42'));
  assert.ok(!chunks[1]!.expected[0]!.pattern.test(':dig'));

  const t0 = performance.now();
  const report = runChunkedText('t.star', `fail("${'a'.repeat(40)}!") ### \`^(a+)+$\`\n`);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(report.failed, 1);
});

test('assert.fails takes a Go pattern', () => {
  const src = 'load("assert.star", "assert")\ndef f():\n  fail("code 42 at end")\nassert.fails(f, "(?P<what>code) [[:digit:]]+ at end\\\\z")\n';
  const report = runChunkedText('t.star', src);
  assert.deepEqual(report.failures, []);
  assert.equal(report.failed, 0);
});
