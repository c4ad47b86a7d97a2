// Go-compatible time text for the `time` module: Duration.String /
// ParseDuration, and the reference-time layouts ("2006-01-02T15:04:05Z07:00")
// used by time.format and time.parse_time. Only the layout elements listed in
// TOKENS are understood; anything else in a layout is literal text.
// Time zones: UTC, fixed offsets, and IANA names through Intl (zone
// abbreviations come from Intl and may differ from Go's, e.g. "GMT+1").

import { quoteString } from '../values/quote.js';
import { StarlarkError } from '../values/value.js';

export const NS_PER_S = 1_000_000_000n;

const UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: NS_PER_S, m: 60n * NS_PER_S, h: 3600n * NS_PER_S,
};

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  // Fractional digits of v (the last prec decimal digits), trailing zeros dropped.
  let s = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) s = digit.toString() + s;
    v /= 10n;
  }
  return [print ? '.' + s : '', v];
}

/** Go's time.Duration.String. */
export function durationString(d: bigint): string {
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < NS_PER_S) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, rest] = fmtFrac(u, 9);
    u = rest;
    out = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

/** Go's time.ParseDuration. */
export function parseDuration(s: string): bigint {
  const orig = s;
  const invalid = (): never => {
    throw new StarlarkError(`time: invalid duration ${quoteString(orig)}`);
  };
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s)!;
    const intPart = m[1]!;
    const fracPart = m[3] ?? '';
    if (intPart === '' && fracPart === '') invalid();
    s = s.slice(m[0].length);
    const um = /^[^0-9.]+/.exec(s);
    if (um === null) throw new StarlarkError(`time: missing unit in duration ${quoteString(orig)}`);
    const unit = UNITS[um[0]];
    if (unit === undefined) throw new StarlarkError(`time: unknown unit ${quoteString(um[0])} in duration ${quoteString(orig)}`);
    s = s.slice(um[0].length);
    let v = BigInt(intPart || '0') * unit;
    if (fracPart !== '') v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += v;
  }
  if (total > 2n ** 63n - 1n) invalid();
  return neg ? -total : total;
}

/** A time zone: UTC, a fixed offset (seconds east of UTC), or an IANA name. */
export type Zone = { kind: 'utc' } | { kind: 'fixed'; offset: number; name: string } | { kind: 'iana'; name: string };

export const UTC: Zone = { kind: 'utc' };

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(name: string): Intl.DateTimeFormat {
  let f = dtfCache.get(name);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
    });
    dtfCache.set(name, f);
  }
  return f;
}

/** Resolves a location name like Go's time.LoadLocation ("" and "UTC" are UTC, "Local" is the host zone). */
export function loadLocation(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    dtf(name);
  } catch {
    throw new StarlarkError(`unknown time zone ${name}`);
  }
  return { kind: 'iana', name };
}

/** Offset (seconds east of UTC) and abbreviation of zone at the instant epochMs. */
export function zoneAt(z: Zone, epochMs: number): { offset: number; abbrev: string } {
  if (z.kind === 'utc') return { offset: 0, abbrev: 'UTC' };
  if (z.kind === 'fixed') return { offset: z.offset, abbrev: z.name || offsetName(z.offset) };
  const parts = dtf(z.name).formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const wall = Date.UTC(+get('year'), +get('month') - 1, +get('day'), +get('hour'), +get('minute'), +get('second'));
  const offset = Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 1000);
  return { offset, abbrev: get('timeZoneName') };
}

function offsetName(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return sign + pad(Math.floor(a / 3600), 2) + pad(Math.floor((a % 3600) / 60), 2);
}

/** Epoch ms of a wall-clock time (given as if UTC) in zone z. */
export function wallToEpochMs(z: Zone, wallMs: number): number {
  if (z.kind === 'utc') return wallMs;
  if (z.kind === 'fixed') return wallMs - z.offset * 1000;
  let guess = wallMs - zoneAt(z, wallMs).offset * 1000;
  guess = wallMs - zoneAt(z, guess).offset * 1000;
  return guess;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const TOKENS = [
  'January', 'Jan', 'Monday', 'Mon', 'MST', '2006', '-07:00:00', '-070000', '-07:00', '-0700', '-07',
  'Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07', '002', '01', '02', '03', '04', '05', '06', '15', '_2',
  '1', '2', '3', '4', '5', 'PM', 'pm',
];

type Chunk = { lit: string } | { tok: string };

function tokenize(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && /^[.,](0+|9+)(?![0-9])/.test(layout.slice(i)) && i > 0 && /05$/.test(layout.slice(0, i))) {
      const m = /^[.,](0+|9+)/.exec(layout.slice(i))!;
      if (lit) out.push({ lit });
      lit = '';
      out.push({ tok: m[0] });
      i += m[0].length;
      continue;
    }
    for (const t of TOKENS) {
      if (layout.startsWith(t, i)) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ tok: t });
        i += t.length;
        continue outer;
      }
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ lit });
  return out;
}

export interface Fields {
  year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number;
  weekday: number; yday: number; offset: number; abbrev: string;
}

function offsetText(tok: string, off: number): string {
  if (tok.startsWith('Z') && off === 0) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = pad(a % 60, 2);
  const t = tok.replace(/^Z/, '-');
  switch (t) {
    case '-07': return sign + hh;
    case '-0700': return sign + hh + mm;
    case '-07:00': return sign + hh + ':' + mm;
    case '-070000': return sign + hh + mm + ss;
    default: return sign + hh + ':' + mm + ':' + ss;
  }
}

/** Go's Time.Format for the supported layout elements. */
export function formatTime(f: Fields, layout: string): string {
  let out = '';
  for (const ch of tokenize(layout)) {
    if ('lit' in ch) {
      out += ch.lit;
      continue;
    }
    const t = ch.tok;
    switch (t) {
      case 'January': out += MONTHS[f.month - 1]; break;
      case 'Jan': out += MONTHS[f.month - 1]!.slice(0, 3); break;
      case 'Monday': out += DAYS[f.weekday]; break;
      case 'Mon': out += DAYS[f.weekday]!.slice(0, 3); break;
      case 'MST': out += f.abbrev; break;
      case '2006': out += pad(f.year, 4); break;
      case '06': out += pad(f.year % 100, 2); break;
      case '01': out += pad(f.month, 2); break;
      case '1': out += f.month; break;
      case '02': out += pad(f.day, 2); break;
      case '_2': out += String(f.day).padStart(2, ' '); break;
      case '2': out += f.day; break;
      case '002': out += pad(f.yday, 3); break;
      case '15': out += pad(f.hour, 2); break;
      case '03': out += pad(f.hour % 12 || 12, 2); break;
      case '3': out += f.hour % 12 || 12; break;
      case '04': out += pad(f.minute, 2); break;
      case '4': out += f.minute; break;
      case '05': out += pad(f.second, 2); break;
      case '5': out += f.second; break;
      case 'PM': out += f.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += f.hour >= 12 ? 'pm' : 'am'; break;
      default:
        if (t[0] === '.' || t[0] === ',') {
          const digits = pad(f.nanos, 9).slice(0, t.length - 1);
          if (t[1] === '0') out += t[0] + digits;
          else {
            const trimmed = digits.replace(/0+$/, '');
            if (trimmed) out += t[0] + trimmed;
          }
        } else out += offsetText(t, f.offset);
    }
  }
  return out;
}

export interface Parsed {
  year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number;
  /** Parsed zone offset in seconds, or null if the value had none. */
  offset: number | null;
}

/** Go's time.Parse for the supported layout elements. */
export function parseTime(layout: string, value: string): Parsed {
  const p: Parsed = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0, offset: null };
  let v = value;
  let pm: boolean | null = null;
  const bad = (elem: string): never => {
    throw new StarlarkError(`parsing time ${quoteString(value)} as ${quoteString(layout)}: cannot parse ${quoteString(v)} as ${quoteString(elem)}`);
  };
  const num = (elem: string, min: number, max: number): number => {
    const m = new RegExp(`^[0-9]{${min},${max}}`).exec(v);
    if (m === null) return bad(elem);
    v = v.slice(m[0].length);
    return parseInt(m[0], 10);
  };
  const chunks = tokenize(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const ch = chunks[ci]!;
    if ('lit' in ch) {
      if (!v.startsWith(ch.lit)) bad(ch.lit);
      v = v.slice(ch.lit.length);
      continue;
    }
    const t = ch.tok;
    switch (t) {
      case 'January':
      case 'Jan': {
        const i = MONTHS.findIndex((m) => v.startsWith(t === 'Jan' ? m.slice(0, 3) : m));
        if (i < 0) bad(t);
        v = v.slice(t === 'Jan' ? 3 : MONTHS[i]!.length);
        p.month = i + 1;
        break;
      }
      case 'Monday':
      case 'Mon': {
        const i = DAYS.findIndex((d) => v.startsWith(t === 'Mon' ? d.slice(0, 3) : d));
        if (i < 0) bad(t);
        v = v.slice(t === 'Mon' ? 3 : DAYS[i]!.length);
        break;
      }
      case 'MST': {
        const m = /^[A-Z]{3,5}/.exec(v);
        if (m === null) bad(t);
        v = v.slice(m![0].length);
        if (m![0] === 'UTC' || m![0] === 'GMT') p.offset ??= 0;
        break;
      }
      case '2006': p.year = num(t, 4, 4); break;
      case '06': p.year = 2000 + num(t, 2, 2); if (p.year >= 2069) p.year -= 100; break;
      case '01': case '1': p.month = num(t, t.length === 2 ? 2 : 1, 2); if (p.month < 1 || p.month > 12) bad(t); break;
      case '02': case '2': p.day = num(t, t.length === 2 ? 2 : 1, 2); break;
      case '_2': if (v[0] === ' ') v = v.slice(1); p.day = num(t, 1, 2); break;
      case '002': num(t, 3, 3); break;
      case '15': p.hour = num(t, 2, 2); break;
      case '03': case '3': p.hour = num(t, t.length, 2) % 12; break;
      case '04': case '4': p.minute = num(t, t.length, 2); break;
      case '05': case '5': {
        p.second = num(t, t.length, 2);
        // Go accepts a fractional second after the seconds even if the layout has none.
        const next = chunks[ci + 1];
        if (!(next && 'tok' in next && (next.tok[0] === '.' || next.tok[0] === ','))) {
          const m = /^[.,]([0-9]+)/.exec(v);
          if (m) {
            p.nanos = parseInt(m[1]!.slice(0, 9).padEnd(9, '0'), 10);
            v = v.slice(m[0].length);
          }
        }
        break;
      }
      case 'PM': case 'pm': {
        const s = v.slice(0, 2).toUpperCase();
        if (s !== 'AM' && s !== 'PM') bad(t);
        pm = s === 'PM';
        v = v.slice(2);
        break;
      }
      default:
        if (t[0] === '.' || t[0] === ',') {
          const m = /^[.,]([0-9]+)/.exec(v);
          if (m === null) {
            if (t[1] === '9') break;
            bad(t);
          }
          p.nanos = parseInt(m![1]!.slice(0, 9).padEnd(9, '0'), 10);
          v = v.slice(m![0].length);
        } else {
          if (t[0] === 'Z' && v[0] === 'Z') {
            v = v.slice(1);
            p.offset = 0;
            break;
          }
          const m = /^([+-])([0-9]{2}):?([0-9]{2})?(?::?([0-9]{2}))?/.exec(v);
          if (m === null) bad(t);
          const sec = parseInt(m![2]!, 10) * 3600 + parseInt(m![3] ?? '0', 10) * 60 + parseInt(m![4] ?? '0', 10);
          p.offset = m![1] === '-' ? -sec : sec;
          v = v.slice(m![0].length);
        }
    }
  }
  if (v !== '') throw new StarlarkError(`parsing time ${quoteString(value)}: extra text: ${quoteString(v)}`);
  if (pm !== null && pm) p.hour += 12;
  if (p.day < 1 || p.day > 31 || p.hour > 23 || p.minute > 59 || p.second > 59) {
    throw new StarlarkError(`parsing time ${quoteString(value)}: field out of range`);
  }
  return p;
}
