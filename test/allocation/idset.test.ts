// The hierarchical bitmap against a plain Set: random adds, deletes and range
// operations must give the same answers to has / firstFree / firstUsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdSet } from '../../src/allocation/pool/idset.js';

function lowestFree(ref: Set<number>, from: number, to: number): number | undefined {
  for (let v = from; v <= to; v++) if (!ref.has(v)) return v;
  return undefined;
}

test('IdSet agrees with a Set under random operations', () => {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (const size of [1, 31, 32, 33, 1000, 5000]) {
    const s = new IdSet(size);
    const ref = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const op = rnd(6);
      const v = rnd(size);
      if (op <= 1) assert.equal(s.add(v), !ref.has(v)), ref.add(v);
      else if (op === 2) assert.equal(s.delete(v), ref.has(v)), ref.delete(v);
      else if (op === 3) {
        const hi = Math.min(size - 1, v + rnd(70));
        s.setRange(v, hi);
        for (let x = v; x <= hi; x++) ref.add(x);
      } else if (op === 4) {
        const hi = Math.min(size - 1, v + rnd(70));
        s.clearRange(v, hi);
        for (let x = v; x <= hi; x++) ref.delete(x);
      } else {
        const to = Math.min(size - 1, v + rnd(100));
        assert.equal(s.firstFree(v, to), lowestFree(ref, v, to), `firstFree(${v}, ${to}) size ${size}`);
        const used = [...ref].filter((x) => x >= v).sort((a, b) => a - b)[0];
        assert.equal(s.firstUsed(v), used);
        assert.equal(s.isRangeFree(v, to), lowestFree(new Set([...Array(size).keys()].filter((x) => !ref.has(x))), v, to) === undefined);
      }
      assert.equal(s.count(), ref.size);
    }
  }
});

test('IdSet over a 32-bit space stays sparse and finds the lowest free value', () => {
  const s = new IdSet(4294967295);
  for (let i = 0; i < 1000; i++) assert.equal(s.firstFree(), i), s.add(i);
  s.setRange(1000, 4294967293); // everything but the last value
  assert.equal(s.firstFree(), 4294967294);
  s.add(4294967294);
  assert.equal(s.firstFree(), undefined);
  s.delete(500);
  assert.equal(s.firstFree(), 500);
  s.clearRange(100_000, 100_009);
  assert.equal(s.firstFree(501), 100_000);
  assert.equal(s.count(), 4294967295 - 11);
});
