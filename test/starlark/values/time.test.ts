import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, callValue, compare, getAttr, repr } from '../../../src/starlark/values/ops.js';
import { timeModule, setNowFunc } from '../../../src/starlark/modules/time.js';
import { durationString, parseDuration } from '../../../src/starlark/modules/timefmt.js';
import { StarlarkError, type Value } from '../../../src/starlark/values/value.js';
import { newThread } from './helpers.js';

const thread = newThread();
const t = (name: string, args: Value[] = [], kwargs: Array<[string, Value]> | null = null) =>
  callValue(thread, getAttr(timeModule, name), args, kwargs);
const throwsMsg = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StarlarkError && re.test(e.message));

test('durations print and parse like Go', () => {
  assert.deepEqual(
    ['1h', '1m30s', '1.5s', '1500us', '100ms', '2h45m', '-3s', '0', '1ns', '1.000000001s'].map((s) => durationString(parseDuration(s))),
    ['1h0m0s', '1m30s', '1.5s', '1.5ms', '100ms', '2h45m0s', '-3s', '0s', '1ns', '1.000000001s'],
  );
  throwsMsg(() => parseDuration('abc'), /time: invalid duration "abc"/);
  throwsMsg(() => parseDuration('1'), /missing unit/);
  throwsMsg(() => parseDuration('1x'), /unknown unit "x"/);
});

test('duration arithmetic and attributes', () => {
  const d = t('parse_duration', ['90m']);
  assert.equal(repr(d), '1h30m0s');
  assert.equal(repr(getAttr(d, 'hours')), '1.5');
  assert.equal(getAttr(d, 'milliseconds'), 5400000);
  const sec = getAttr(timeModule, 'second');
  assert.equal(repr(binary('*', sec, 3)), '3s');
  assert.equal(repr(binary('*', 3, sec)), '3s');
  assert.equal(repr(binary('+', d, sec)), '1h30m1s');
  assert.equal(repr(binary('/', d, getAttr(timeModule, 'minute'))), '90.0');
  assert.equal(binary('//', d, getAttr(timeModule, 'hour')), 1);
  assert.equal(repr(binary('/', d, 2)), '45m0s');
  assert.equal(compare('<', sec, d), true);
  throwsMsg(() => binary('/', d, 0), /time.duration division by zero/);
  throwsMsg(() => binary('//', d, 0), /division by zero/);
  assert.equal(repr(t('parse_duration', ['10h01s'])), '10h0m1s');
});

test('time construction, attributes, formatting, arithmetic', () => {
  const x = t('time', [], [['year', 2021], ['month', 3], ['day', 22], ['hour', 23], ['minute', 20], ['second', 50], ['nanosecond', 520000000]]);
  assert.equal(repr(x), '2021-03-22 23:20:50.52 +0000 UTC');
  assert.equal(getAttr(x, 'year'), 2021);
  assert.equal(getAttr(x, 'unix'), 1616455250);
  assert.equal(callValue(thread, getAttr(x, 'format'), ['2006-01-02T15:04:05Z07:00'], null), '2021-03-22T23:20:50Z');
  assert.equal(callValue(thread, getAttr(x, 'format'), ['Mon Jan _2 3:04PM 2006'], null), 'Mon Mar 22 11:20PM 2021');
  const t1 = t('time', [2009, 6, 12, 12, 6, 10, 99, 'US/Eastern']);
  assert.equal(getAttr(t1, 'unix_nano'), 1244822770000000099n);
  assert.equal(compare('==', t1, t('parse_time', ['2009-06-12T12:06:10.000000099'], [['format', '2006-01-02T15:04:05.999999999'], ['location', 'US/Eastern']])), true);
  const t2 = t('parse_time', ['2000-01-02T03:04:05Z']);
  assert.equal(callValue(thread, getAttr(callValue(thread, getAttr(t2, 'in_location'), ['US/Eastern'], null), 'format'), ['3 04 PM'], null), '10 04 PM');
  const later = binary('+', x, getAttr(timeModule, 'hour'));
  assert.equal(getAttr(later, 'day'), 23);
  assert.equal(repr(binary('-', later, x)), '1h0m0s');
  assert.equal(compare('<', x, later), true);
  assert.equal(compare('==', x, t('from_timestamp', [1616455250, 520000000])), true);
});

test('parse_time with RFC3339 default, offsets and custom layouts', () => {
  const p = t('parse_time', ['2021-03-22T23:20:50.52Z']);
  assert.equal(getAttr(p, 'nanosecond'), 520000000);
  const q = t('parse_time', ['2021-03-22T23:20:50+01:00']);
  assert.equal(getAttr(q, 'unix'), 1616451650);
  assert.equal(getAttr(q, 'hour'), 23);
  const r = t('parse_time', ['22/03/2021 10:00'], [['format', '02/01/2006 15:04']]);
  assert.equal(getAttr(r, 'month'), 3);
  throwsMsg(() => t('parse_time', ['garbage']), /parsing time "garbage"/);
  const ny = t('parse_time', ['2021-07-01 12:00'], [['format', '2006-01-02 15:04'], ['location', 'America/New_York']]);
  assert.equal(getAttr(ny, 'unix'), 1625155200); // EDT, UTC-4
  assert.equal(t('is_valid_timezone', ['Europe/Paris']), true);
  assert.equal(t('is_valid_timezone', ['Nowhere/Land']), false);
});

test('now() uses the installable clock', () => {
  setNowFunc(() => 1_000_000_000_000_000_000n);
  assert.equal(getAttr(t('now'), 'unix'), 1_000_000_000);
  setNowFunc(() => BigInt(Date.now()) * 1_000_000n);
  assert.ok((getAttr(t('now'), 'year') as number) >= 2024);
});
