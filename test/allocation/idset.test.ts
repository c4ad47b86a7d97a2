// The hierarchical bitmap against a plain Set: random adds, deletes and range
// operations must give the same answers to has / firstFree / firstUsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdSet } from '../../src/allocation/pool/idset.js';
import { bestFreeBlock } from '../../src/allocation/blocks.js';

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

test("bestFreeBlock is netipx's RemoveFreePrefix: the smallest free aligned block that holds the request, the first of equals", () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (const base of [0, 1000, 65000]) {
    const s = new IdSet(300);
    const ref = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const v = rnd(300);
      if (rnd(3) === 0) (s.delete(v), ref.delete(v));
      else (s.add(v), ref.add(v));
      const size = [1, 2, 3, 4, 8][rnd(5)]!;
      const want = size <= 1 ? 1 : 2 ** Math.ceil(Math.log2(size));
      // The reference: every maximal free run cut into aligned blocks by brute force (absolute alignment at base).
      let best: { start: number; size: number } | undefined;
      for (let a = 0; a < 300; ) {
        if (ref.has(a)) {
          a++;
          continue;
        }
        let b = a;
        while (b + 1 < 300 && !ref.has(b + 1)) b++;
        for (let x = base + a; x <= base + b; ) {
          let blk = 1;
          while ((x % (blk * 2)) === 0 && x + blk * 2 - 1 <= base + b) blk *= 2;
          if (blk >= want && (!best || blk < best.size)) best = { start: x - base, size: blk };
          x += blk;
        }
        a = b + 1;
      }
      assert.equal(bestFreeBlock(s, BigInt(size), BigInt(base)), best === undefined ? undefined : BigInt(best.start), `size ${size} base ${base} step ${i}`);
    }
  }
});
