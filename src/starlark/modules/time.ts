// The `time` module (starlark-go lib/time): now, time(...), parse_time,
// from_timestamp, parse_duration, is_valid_timezone, and the duration
// constants. Values: `time.duration` (int64 nanoseconds, held as bigint) and
// `time.time` (nanoseconds since the Unix epoch plus a zone), with the same
// attributes, methods (format, in_location) and operators as starlark-go:
// time ± duration, time - time, duration arithmetic, ordering.
// Gaps: layouts support the common Go elements (see timefmt.ts); zone
// abbreviations come from Intl; time.String omits Go's monotonic clock suffix.

import { StarFloat } from '../values/float.js';
import { normBig } from '../values/int.js';
import { StarModule } from '../values/struct.js';
import { StarBuiltin, builtin, checkPositional, unpackArgs, wantInt, wantString, type Kwargs } from '../values/builtin.js';
import { typeName } from '../values/compare.js';
import { hashBigInt } from '../values/float.js';
import { StarlarkError, type HasAttrs, type HasBinary, type Ordered, type StarObject, type Thread, type Value } from '../values/value.js';
import {
  NS_PER_S, UTC, durationString, formatTime, loadLocation, parseDuration, parseTime, wallToEpochMs, zoneAt,
  type Fields, type Zone,
} from './timefmt.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int64(v: Value, what = 'int value'): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw new StarlarkError(`${what} out of range (want signed 64-bit value)`);
    return v;
  }
  throw new StarlarkError(`got ${typeName(v)}, want int`);
}

export class StarDuration implements HasAttrs, HasBinary, Ordered {
  constructor(readonly ns: bigint) {}
  get typeName(): string {
    return 'time.duration';
  }
  freeze(): void {}
  truth(): boolean {
    return this.ns !== 0n;
  }
  hash(): number {
    return hashBigInt(this.ns);
  }
  repr(out: string[]): void {
    out.push(durationString(this.ns));
  }
  cmp(y: StarObject): number {
    const o = (y as StarDuration).ns;
    return this.ns < o ? -1 : this.ns > o ? 1 : 0;
  }
  attr(name: string): Value | undefined {
    const ns = this.ns;
    switch (name) {
      case 'hours': return new StarFloat(Number(ns) / 3.6e12);
      case 'minutes': return new StarFloat(Number(ns) / 6e10);
      case 'seconds': return new StarFloat(Number(ns) / 1e9);
      case 'milliseconds': return normBig(ns / 1_000_000n);
      case 'microseconds': return normBig(ns / 1000n);
      case 'nanoseconds': return normBig(ns);
    }
    return undefined;
  }
  attrNames(): string[] {
    return ['hours', 'microseconds', 'milliseconds', 'minutes', 'nanoseconds', 'seconds'];
  }
  binaryOp(op: string, y: Value, side: 'left' | 'right'): Value | undefined {
    const x = this.ns;
    const zero = (): never => {
      throw new StarlarkError('time.duration division by zero');
    };
    switch (op) {
      case '+':
        if (y instanceof StarDuration) return new StarDuration(x + y.ns);
        if (y instanceof StarTime) return new StarTime(y.ns + x, y.zone);
        break;
      case '-':
        if (y instanceof StarDuration) return new StarDuration(side === 'left' ? x - y.ns : y.ns - x);
        break;
      case '/':
        if (y instanceof StarDuration) {
          if (y.ns === 0n) zero();
          return new StarFloat(side === 'left' ? Number(x) / Number(y.ns) : Number(y.ns) / Number(x));
        }
        if (typeof y === 'number' || typeof y === 'bigint') {
          if (side === 'right') throw new StarlarkError('unsupported operation');
          const i = int64(y);
          if (i === 0n) zero();
          return new StarDuration(x / i);
        }
        if (y instanceof StarFloat) {
          if (side === 'right') throw new StarlarkError('unsupported operation');
          if (y.value === 0) zero();
          return new StarDuration(BigInt(Math.trunc(Number(x) / y.value)));
        }
        break;
      case '//':
        if (y instanceof StarDuration) {
          if (y.ns === 0n) zero();
          return normBig(side === 'left' ? x / y.ns : y.ns / x);
        }
        if ((typeof y === 'number' || typeof y === 'bigint') && side === 'left') {
          const i = int64(y);
          if (i === 0n) zero();
          return new StarDuration(x / i);
        }
        break;
      case '*':
        if (typeof y === 'number' || typeof y === 'bigint') return new StarDuration(x * int64(y));
        break;
    }
    return undefined;
  }
}

const timeMethods = new Map<string, (t: StarTime, args: Value[], kwargs: Kwargs) => Value>([
  ['format', (t, args, kwargs) => {
    checkPositional('format', args, kwargs, 1, 1);
    return formatTime(t.fields(), wantString('format', 1, args[0]));
  }],
  ['in_location', (t, args, kwargs) => {
    checkPositional('in_location', args, kwargs, 1, 1);
    return new StarTime(t.ns, loadLocation(wantString('in_location', 1, args[0])));
  }],
]);

export class StarTime implements HasAttrs, HasBinary, Ordered {
  constructor(
    /** Nanoseconds since 1970-01-01T00:00:00Z. */
    readonly ns: bigint,
    readonly zone: Zone,
  ) {}
  get typeName(): string {
    return 'time.time';
  }
  freeze(): void {}
  truth(): boolean {
    return true;
  }
  hash(): number {
    return hashBigInt(this.ns);
  }
  /** Broken-down wall-clock fields in this time's zone. */
  fields(): Fields {
    const secs = floorDiv(this.ns, NS_PER_S);
    const nanos = Number(this.ns - secs * NS_PER_S);
    const epochMs = Number(secs) * 1000;
    const { offset, abbrev } = zoneAt(this.zone, epochMs);
    const d = new Date(epochMs + offset * 1000);
    const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(),
      minute: d.getUTCMinutes(), second: d.getUTCSeconds(), nanos, weekday: d.getUTCDay(),
      yday: Math.floor((d.getTime() - startOfYear) / 86400000) + 1, offset, abbrev,
    };
  }
  repr(out: string[]): void {
    out.push(formatTime(this.fields(), '2006-01-02 15:04:05.999999999 -0700 MST'));
  }
  cmp(y: StarObject): number {
    const o = (y as StarTime).ns;
    return this.ns < o ? -1 : this.ns > o ? 1 : 0;
  }
  attr(name: string): Value | undefined {
    switch (name) {
      case 'year': case 'month': case 'day': case 'hour': case 'minute': case 'second':
        return this.fields()[name];
      case 'nanosecond': return this.fields().nanos;
      case 'unix': return normBig(floorDiv(this.ns, NS_PER_S));
      case 'unix_nano': return normBig(this.ns);
    }
    const m = timeMethods.get(name);
    if (m !== undefined) return new StarBuiltin(name, (_t, args, kwargs, recv) => m(recv as StarTime, args, kwargs), this);
    return undefined;
  }
  attrNames(): string[] {
    return ['day', 'format', 'hour', 'in_location', 'minute', 'month', 'nanosecond', 'second', 'unix', 'unix_nano', 'year'];
  }
  binaryOp(op: string, y: Value, side: 'left' | 'right'): Value | undefined {
    if (op === '+' && y instanceof StarDuration) return new StarTime(this.ns + y.ns, this.zone);
    if (op === '-' && side === 'left') {
      if (y instanceof StarDuration) return new StarTime(this.ns - y.ns, this.zone);
      if (y instanceof StarTime) return new StarDuration(this.ns - y.ns);
    }
    return undefined;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Deterministic clocks can be installed by hosts (tests, replay). */
export let nowFunc: () => bigint = () => BigInt(Date.now()) * 1_000_000n;
export function setNowFunc(f: () => bigint): void {
  nowFunc = f;
}

function fromWall(p: { year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number }, zone: Zone): StarTime {
  // Date.UTC normalises out-of-range fields like Go's time.Date (month 13 → next January).
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const d = new Date(wall);
  if (p.year >= 0 && p.year < 100) d.setUTCFullYear(p.year);
  const epochMs = wallToEpochMs(zone, d.getTime());
  return new StarTime(BigInt(epochMs) * 1_000_000n + BigInt(p.nanos), zone);
}

function asDuration(fn: string, v: Value | undefined): StarDuration {
  if (v instanceof StarDuration) return v;
  if (typeof v === 'string') return new StarDuration(parseDuration(v));
  throw new StarlarkError(`${fn}: for parameter 1: got ${typeName(v ?? null)}, want a duration, string, or int`);
}

const DUR = (ns: bigint) => new StarDuration(ns);

export const timeModule = new StarModule(
  'time',
  new Map<string, Value>([
    ['now', builtin('now', (_t: Thread, args: Value[], kwargs: Kwargs) => {
      checkPositional('now', args, kwargs, 0, 0);
      return new StarTime(nowFunc(), loadLocation('Local'));
    })],
    ['time', builtin('time', (_t, args, kwargs) => {
      const [y, mo, d, h, mi, s, ns, loc] = unpackArgs('time', args, kwargs,
        ['year?', 'month?', 'day?', 'hour?', 'minute?', 'second?', 'nanosecond?', 'location?']);
      const n = (v: Value | undefined, name: string) => (v === undefined ? 0 : wantInt('time', name, v));
      const zone = loadLocation(loc === undefined ? '' : wantString('time', 'location', loc));
      const nanos = n(ns, 'nanosecond');
      const extraSec = Math.floor(nanos / 1e9);
      return fromWall({
        year: n(y, 'year'), month: n(mo, 'month'), day: n(d, 'day'), hour: n(h, 'hour'), minute: n(mi, 'minute'),
        second: n(s, 'second') + extraSec, nanos: nanos - extraSec * 1e9,
      }, zone);
    })],
    ['parse_time', builtin('parse_time', (_t, args, kwargs) => {
      const [x, format, location] = unpackArgs('parse_time', args, kwargs, ['x', 'format?', 'location?']);
      const layout = format === undefined ? '2006-01-02T15:04:05Z07:00' : wantString('parse_time', 'format', format);
      const zone = loadLocation(location === undefined ? 'UTC' : wantString('parse_time', 'location', location));
      const p = parseTime(layout, wantString('parse_time', 'x', x));
      if (p.offset === null) return fromWall(p, zone);
      const fixed: Zone = p.offset === 0 && zone.kind === 'utc' ? UTC : { kind: 'fixed', offset: p.offset, name: '' };
      return fromWall(p, fixed);
    })],
    ['from_timestamp', builtin('from_timestamp', (_t, args, kwargs) => {
      checkPositional('from_timestamp', args, kwargs, 1, 2);
      const sec = int64(args[0]!);
      const nsec = args.length > 1 ? int64(args[1]!) : 0n;
      return new StarTime(sec * NS_PER_S + nsec, loadLocation('Local'));
    })],
    ['parse_duration', builtin('parse_duration', (_t, args, kwargs) => {
      checkPositional('parse_duration', args, kwargs, 1, 1);
      return asDuration('parse_duration', args[0]);
    })],
    ['is_valid_timezone', builtin('is_valid_timezone', (_t, args, kwargs) => {
      checkPositional('is_valid_timezone', args, kwargs, 1, 1);
      try {
        loadLocation(wantString('is_valid_timezone', 1, args[0]));
        return true;
      } catch {
        return false;
      }
    })],
    ['nanosecond', DUR(1n)],
    ['microsecond', DUR(1000n)],
    ['millisecond', DUR(1_000_000n)],
    ['second', DUR(NS_PER_S)],
    ['minute', DUR(60n * NS_PER_S)],
    ['hour', DUR(3600n * NS_PER_S)],
  ]),
);
