import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, compare, repr } from '../../../src/starlark/values/ops.js';
import { parseIntString } from '../../../src/starlark/values/int.js';
import type { Value } from '../../../src/starlark/values/value.js';

// Property test: int arithmetic on the number/bigint dual representation must
// agree with exact BigInt arithmetic everywhere, especially around ±2^53.

let seed = 12345;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function sample(): bigint {
  const r = rand();
  const sign = rand() < 0.5 ? -1n : 1n;
  if (r < 0.3) return sign * BigInt(Math.floor(rand() * 100));
  if (r < 0.5) return sign * BigInt(Math.floor(rand() * 2 ** 31));
  if (r < 0.8) return sign * (2n ** 53n - BigInt(Math.floor(rand() * 3)) + BigInt(Math.floor(rand() * 3)) - 1n);
  return sign * (BigInt(Math.floor(rand() * 2 ** 50)) * BigInt(Math.floor(rand() * 2 ** 50)) + 1n);
}

/** The Starlark representation of an exact integer. */
function starInt(b: bigint): Value {
  return b >= -(2n ** 53n - 1n) && b <= 2n ** 53n - 1n ? Number(b) : b;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

test('int + - * // % & | ^ agree with BigInt and stay normalised', () => {
  for (let i = 0; i < 3000; i++) {
    const a = sample();
    const b = sample();
    const x = starInt(a);
    const y = starInt(b);
    const expect: Array<[string, bigint]> = [['+', a + b], ['-', a - b], ['*', a * b], ['&', a & b], ['|', a | b], ['^', a ^ b]];
    if (b !== 0n) expect.push(['//', floorDiv(a, b)], ['%', a - floorDiv(a, b) * b]);
    for (const [op, want] of expect) {
      const got = binary(op, x, y);
      assert.deepEqual(got, starInt(want), `${a} ${op} ${b}`);
    }
    assert.equal(compare('<', x, y), a < b);
    assert.equal(compare('==', x, y), a === b);
  }
});

test('shifts agree with BigInt', () => {
  for (let i = 0; i < 1000; i++) {
    const a = sample();
    const n = BigInt(Math.floor(rand() * 80));
    assert.deepEqual(binary('<<', starInt(a), Number(n)), starInt(a << n), `${a} << ${n}`);
    assert.deepEqual(binary('>>', starInt(a), Number(n)), starInt(a >> n), `${a} >> ${n}`);
  }
});

test('int parsing and printing round-trip in every base', () => {
  for (let i = 0; i < 500; i++) {
    const a = sample();
    for (const base of [2, 8, 10, 16, 36]) {
      const text = a.toString(base);
      assert.deepEqual(parseIntString(text, base), starInt(a), `${text} base ${base}`);
    }
    assert.equal(repr(starInt(a)), a.toString());
  }
});
