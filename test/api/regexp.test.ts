// Schema `pattern`s are Go (RE2) regular expressions: linear-time matching
// (no ReDoS), Go's syntax (what Go accepts and what it rejects) and Go's
// compile errors at CRD creation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileValidator, structuralErrors } from '../../src/api/schema/index.js';
import { compileGoRegexp, isGoRegexpError } from '../../src/api/schema/regexp.js';
import { fieldErrorString } from '../../src/api/fielderrors.js';

test('a catastrophic-backtracking pattern is matched in linear time', () => {
  const v = compileValidator({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
  const t0 = process.hrtime.bigint();
  const errs = v({ s: 'a'.repeat(33) + '!' }, 'spec');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.deepEqual(errs.map(fieldErrorString), [`spec.s: Invalid value: "${'a'.repeat(33)}!": spec.s in body should match '^(a+)+$'`]);
  assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  // The same pattern on a 1 MB value stays bounded too.
  const t1 = process.hrtime.bigint();
  assert.equal(v({ s: 'a'.repeat(1 << 20) + '!' }).length, 1);
  assert.ok(Number(process.hrtime.bigint() - t1) / 1e6 < 2000);
});

test('patterns follow Go syntax: POSIX classes, \\z, (?P<name>), \\Q..\\E', () => {
  const cases: [string, string, boolean][] = [
    ['^[[:digit:]]+$', '123', true],
    ['^[[:digit:]]+$', ':dig', false],
    ['^ab\\z', 'ab', true],
    ['^(?P<x>a)b$', 'ab', true],
    ['^\\Qa.b\\E$', 'a.b', true],
    ['^\\Qa.b\\E$', 'axb', false],
    ['^foo\\-bar$', 'foo-bar', true],
    ['(?i)^abc$', 'ABC', true],
    ['^.$', '😀', true],
  ];
  for (const [pattern, value, ok] of cases) {
    const v = compileValidator({ type: 'string', pattern });
    assert.equal(v(value).length === 0, ok, `${pattern} on ${value}`);
    assert.deepEqual(structuralErrors({ type: 'object', properties: { s: { type: 'string', pattern } } }, 'x'), [], pattern);
  }
});

test('patterns Go rejects are rejected at CRD creation with Go\'s message', () => {
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  const cases: [string, string][] = [
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['^(?=x)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(?<!a)b', 'error parsing regexp: invalid named capture: `(?<!a)b`'],
    ['a\\Z', 'error parsing regexp: invalid escape sequence: `\\Z`'],
    ['[a-z', 'error parsing regexp: missing closing ]: `[a-z`'],
    ['a{2000}', 'error parsing regexp: invalid repeat count: `{2000}`'],
  ];
  for (const [pattern, goErr] of cases) {
    const got = structuralErrors({ type: 'object', properties: { s: { type: 'string', pattern } } }, p).map(fieldErrorString);
    assert.deepEqual(got, [`${p}.properties[s].pattern: Invalid value: ${JSON.stringify(pattern)}: must be a valid regular expression, but isn't: ${goErr}`]);
  }
});

test('compiled patterns are cached per pattern text', () => {
  const a = compileGoRegexp('^[a-z]+$');
  assert.equal(compileGoRegexp('^[a-z]+$'), a);
  assert.ok(!isGoRegexpError(a) && a.test('abc'));
  const bad = compileGoRegexp('(');
  assert.ok(isGoRegexpError(bad));
  assert.equal(bad.error, 'error parsing regexp: missing closing ): `(`');
});
