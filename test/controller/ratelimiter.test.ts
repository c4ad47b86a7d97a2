import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/controller/clock.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, controllerRateLimiters } from '../../src/controller/ratelimiter.js';

test('item exponential: 5 s, 10 s, 20 s … capped at 5 min, per key, reset by forget', () => {
  const l = new ItemExponentialFailureRateLimiter(5000, 300_000);
  const seq = Array.from({ length: 9 }, () => l.when('a'));
  assert.deepEqual(seq, [5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000]);
  assert.equal(l.when('b'), 5000, 'keys back off independently');
  l.forget('a');
  assert.equal(l.when('a'), 5000);
  for (let i = 0; i < 2000; i++) l.when('a');
  assert.equal(l.when('a'), 300_000, 'no overflow to NaN after many failures');
});

test('token bucket: burst passes at once, then one token per 1/qps', () => {
  const clock = new ManualClock();
  const b = new BucketRateLimiter(10, 3, clock);
  assert.deepEqual([b.when('x'), b.when('y'), b.when('z')], [0, 0, 0]);
  assert.equal(b.when('x'), 100);
  assert.equal(b.when('x'), 200, 'reservations queue up');
  clock.advance(1000);
  assert.equal(b.when('x'), 0, 'refilled after a second');
});

test('max-of takes the longest delay and every member records the failure', () => {
  const clock = new ManualClock();
  const exp = new ItemExponentialFailureRateLimiter(5, 1000);
  const m = new MaxOfRateLimiter(exp, new BucketRateLimiter(1, 1, clock));
  assert.equal(m.when('k'), 5);
  assert.equal(m.when('k'), 1000, 'bucket empty: 1 s');
  assert.equal(exp.numRequeues('k'), 2);
  m.forget('k');
  assert.equal(m.numRequeues('k'), 0);
});

test('controller limiters: errors 5 s → 5 min, requeue 5 ms → 1 s, defaults generous enough for bursts', () => {
  const clock = new ManualClock();
  const { error, requeue } = controllerRateLimiters({}, clock);
  assert.equal(error.when('a'), 5000);
  const r = Array.from({ length: 10 }, () => requeue.when('a'));
  assert.deepEqual(r, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
  // 5000 distinct failing keys in one instant are not throttled by the bucket.
  for (let i = 0; i < 5000; i++) assert.equal(error.when(`k${i}`), 5000);
});
