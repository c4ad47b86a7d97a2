import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, createMergePatch, applyJsonPatch, parsePointer, formatPointer } from '../../src/api/patch.js';
import { isApiError } from '../../src/api/errors.js';

test('merge patch: RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify([doc, patch]));
});

test('merge patch does not mutate its inputs', () => {
  const doc = { spec: { a: 1, b: { c: 2 } } };
  const before = JSON.stringify(doc);
  applyMergePatch(doc, { spec: { b: { c: null }, a: 5 } });
  assert.equal(JSON.stringify(doc), before);
});

test('createMergePatch round-trips', () => {
  const from = { a: 1, b: { c: 2, d: 3 }, e: [1] };
  const to = { a: 1, b: { c: 5 }, e: [2], f: 'x' };
  const p = createMergePatch(from, to);
  assert.deepEqual(p, { b: { c: 5, d: null }, e: [2], f: 'x' });
  assert.deepEqual(applyMergePatch(from, p), to);
});

test('JSON pointer escaping', () => {
  assert.deepEqual(parsePointer('/metadata/labels/example.com~1app'), ['metadata', 'labels', 'example.com/app']);
  assert.deepEqual(parsePointer('/a~0b/~01'), ['a~b', '~1']);
  assert.equal(formatPointer(['a/b', 'c~d']), '/a~1b/c~0d');
  assert.throws(() => parsePointer('a/b'), /must start with/);
});

test('JSON patch operations', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { items: ['x', 'y'], n: 1 } };
  const cases: [unknown[], unknown][] = [
    [[{ op: 'add', path: '/metadata/labels/example.com~1b', value: '2' }], { metadata: { labels: { a: '1', 'example.com/b': '2' } }, spec: doc.spec }],
    [[{ op: 'add', path: '/spec/items/1', value: 'z' }], { ...doc, spec: { items: ['x', 'z', 'y'], n: 1 } }],
    [[{ op: 'add', path: '/spec/items/-', value: 'z' }], { ...doc, spec: { items: ['x', 'y', 'z'], n: 1 } }],
    [[{ op: 'remove', path: '/spec/items/0' }], { ...doc, spec: { items: ['y'], n: 1 } }],
    [[{ op: 'replace', path: '/spec/n', value: 7 }], { ...doc, spec: { items: ['x', 'y'], n: 7 } }],
    [[{ op: 'move', from: '/spec/n', path: '/spec/m' }], { ...doc, spec: { items: ['x', 'y'], m: 1 } }],
    [[{ op: 'copy', from: '/spec/items', path: '/spec/copy' }], { ...doc, spec: { items: ['x', 'y'], n: 1, copy: ['x', 'y'] } }],
    [[{ op: 'test', path: '/spec/n', value: 1 }, { op: 'replace', path: '/spec/n', value: 2 }], { ...doc, spec: { items: ['x', 'y'], n: 2 } }],
    [[{ op: 'replace', path: '', value: { whole: true } }], { whole: true }],
  ];
  for (const [ops, want] of cases) assert.deepEqual(applyJsonPatch(doc, ops), want, JSON.stringify(ops));
  assert.deepEqual(doc.spec.items, ['x', 'y'], 'input not mutated');
});

test('JSON patch errors name the operation index and path', () => {
  const doc = { spec: { n: 1, items: ['x'] } };
  const cases: [unknown, string, RegExp][] = [
    [[{ op: 'test', path: '/spec/n', value: 1 }, { op: 'test', path: '/spec/n', value: 2 }], 'Invalid', /^json patch operation 1 \(test \/spec\/n\): test failed: value at \/spec\/n is 1, not 2$/],
    [[{ op: 'remove', path: '/spec/missing' }], 'Invalid', /operation 0 \(remove \/spec\/missing\): path \/spec\/missing does not exist/],
    [[{ op: 'replace', path: '/spec/missing', value: 1 }], 'Invalid', /path \/spec\/missing does not exist/],
    [[{ op: 'add', path: '/nope/x', value: 1 }], 'Invalid', /path \/nope does not exist/],
    [[{ op: 'add', path: '/spec/items/5', value: 1 }], 'Invalid', /out of bounds/],
    [[{ op: 'frobnicate', path: '/a' }], 'BadRequest', /unknown op "frobnicate"/],
    [[{ op: 'add', path: '/a' }], 'BadRequest', /missing "value"/],
    [[{ op: 'move', path: '/a' }], 'BadRequest', /missing "from"/],
    [{ op: 'add' }, 'BadRequest', /must be an array/],
  ];
  for (const [ops, reason, re] of cases) {
    assert.throws(
      () => applyJsonPatch(doc, ops),
      (e: unknown) => isApiError(e) && e.reason === reason && re.test(e.message),
      JSON.stringify(ops),
    );
  }
});
