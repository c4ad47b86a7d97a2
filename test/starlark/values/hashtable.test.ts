import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StarDict, StarSet } from '../../../src/starlark/values/dict.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarTuple } from '../../../src/starlark/values/list.js';
import { iterate, repr } from '../../../src/starlark/values/ops.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';

const f = (n: number) => new StarFloat(n);

// Dicts switch from a linear small table to a Map past 8 entries; every
// behaviour must be the same on both sides of that boundary.
for (const n of [3, 8, 9, 40]) {
  test(`dict with ${n} entries: order, overwrite, delete, re-insert`, () => {
    const d = new StarDict();
    for (let i = 0; i < n; i++) d.set('k' + i, i);
    d.set('k0', 'again'); // overwrite keeps position
    assert.equal(d.size, n);
    assert.deepEqual(d.keys(), Array.from({ length: n }, (_, i) => 'k' + i));
    assert.equal(d.get('k0'), 'again');
    assert.equal(d.delete('k1'), 1);
    assert.equal(d.get('k1'), undefined);
    d.set('k1', 'new'); // re-inserted keys go last
    assert.equal(d.keys()[n - 1], 'k1');
    assert.equal(d.size, n);
    const seen: Value[] = [];
    const it = iterate(d);
    for (let r = it.next(); !r.done; r = it.next()) seen.push(r.value);
    assert.deepEqual(seen, d.keys());
    d.set('x', 1); // the iterator released its lock when exhausted
  });

  test(`dict with ${n} entries: mixed key types keep their identity`, () => {
    const d = new StarDict();
    for (let i = 0; i < n; i++) d.set(i, 'int' + i);
    d.set(f(1), 'float one'); // same key as int 1: value replaced, key stays int 1
    d.set(f(0.5), 'half');
    d.set(new StarTuple([1, 'a']), 'tuple');
    d.set(f(NaN), 'nan1');
    d.set(f(NaN), 'nan2'); // all NaNs are one key
    d.set(2n ** 80n, 'big');
    d.set(true, 'bool'); // True is not 1
    d.set(null, 'none');
    assert.equal(d.get(1), 'float one');
    assert.equal(d.get(f(1)), 'float one');
    assert.equal(d.get(f(0.5)), 'half');
    assert.equal(d.get(new StarTuple([f(1), 'a'])), 'tuple');
    assert.equal(d.get(f(NaN)), 'nan2');
    assert.equal(d.get(f(2 ** 80)), 'big');
    assert.equal(d.get(true), 'bool');
    assert.equal(d.get(null), 'none');
    assert.equal(d.size, n + 6); // n ints (1.0 merged into 1), 0.5, tuple, NaN, big, True, None
    assert.ok(repr(d).includes('nan: "nan2"'));
    assert.equal(d.delete(new StarTuple([1, 'a'])), 'tuple');
    assert.equal(d.get(new StarTuple([1, 'a'])), undefined);
    assert.equal(d.delete(f(0.5)), 'half');
    assert.ok(!repr(d).includes('0.5'));
  });
}

test('setNew inserts only absent keys (dict literal duplicate detection)', () => {
  for (const n of [2, 20]) {
    const d = new StarDict();
    for (let i = 0; i < n; i++) assert.equal(d.setNew('k' + i, i), true);
    assert.equal(d.setNew('k0', 'dup'), false);
    assert.equal(d.setNew(f(1), 'one'), true); // float 1.0 is not the string "k1"
    assert.equal(d.setNew(1, 'dup'), false); // but int 1 is the same key as 1.0
    assert.equal(d.get('k0'), 0);
    assert.equal(d.size, n + 1);
  }
});

test('float keys remember the first-inserted key', () => {
  const d = new StarDict();
  d.set(f(2), 'a');
  d.set(2, 'b');
  assert.equal(repr(d), '{2.0: "b"}');
  const e = new StarDict();
  e.set(2, 'a');
  e.set(f(2), 'b');
  assert.equal(repr(e), '{2: "b"}');
});

test('popitem/pop take the oldest entry in both representations', () => {
  for (const n of [2, 20]) {
    const d = new StarDict();
    for (let i = 0; i < n; i++) d.set(i, i);
    assert.deepEqual(d.ht.popFirst(), [0, 0]);
    assert.deepEqual(d.ht.popFirst(), [1, 1]);
    assert.equal(d.size, n - 2);
  }
  assert.equal(new StarDict().ht.popFirst(), undefined);
});

test('mutation during iteration and after freezing fails in both representations', () => {
  for (const n of [2, 20]) {
    const d = new StarDict();
    for (let i = 0; i < n; i++) d.set(i, i);
    const it = iterate(d);
    it.next();
    assert.throws(() => d.set(99, 1), (e: unknown) => e instanceof StarlarkError && /insert into hash table during iteration/.test(e.message));
    assert.throws(() => d.delete(0), /delete from hash table during iteration/);
    assert.throws(() => d.ht.clear(), /clear hash table during iteration/);
    it.return?.();
    d.freeze();
    assert.throws(() => d.set(0, 1), /cannot insert into frozen hash table/);
    assert.throws(() => d.delete(0), /cannot delete from frozen hash table/);
  }
});

test('sets and dicts compare by content regardless of order and representation', () => {
  const a = new StarDict();
  const b = new StarDict();
  for (let i = 0; i < 12; i++) a.set('k' + i, i);
  for (let i = 11; i >= 0; i--) b.set('k' + i, i);
  assert.ok(a.equals(b, 10));
  b.set('k3', -1);
  assert.ok(!a.equals(b, 10));
  assert.ok(StarSet.of([1, 2, 3]).equals(StarSet.of([3, f(2), 1])));
});
