// String formatting: the `%` operator (percentFormat) and str.format.
// Both follow starlark-go: `%` supports %s %r %d %i %o %x %X %e %E %f %F %g %G
// %c %% with a single value, a tuple of values, or `%(key)s` lookups in a dict;
// str.format supports {} {0} {name}, !s / !r conversions and {{ }} escapes but
// no format specs.

import { StarDict } from './dict.js';
import { StarFloat, formatFloat } from './float.js';
import { typeName } from './compare.js';
import { StarTuple } from './list.js';
import { repr, str } from './repr.js';
import { quoteString } from './quote.js';
import { decodeRune, encodeRune, runeWidth } from './utf8.js';
import { StarlarkError, type Value } from './value.js';

function asFloat(v: Value, c: string): number {
  if (v instanceof StarFloat) return v.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new StarlarkError(`%${c} format requires float, not ${typeName(v)}`);
}

function asInt(v: Value, c: string): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof StarFloat) {
    // starlark-go: "%d format requires integer: " and NumberToInt's error
    if (Number.isNaN(v.value)) throw new StarlarkError(`%${c} format requires integer: cannot convert float NaN to integer`);
    if (!Number.isFinite(v.value)) throw new StarlarkError(`%${c} format requires integer: cannot convert float infinity to integer`);
    const t = Math.trunc(v.value);
    return Number.isSafeInteger(t) ? t : BigInt(t);
  }
  throw new StarlarkError(`%${c} format requires integer: cannot convert ${typeName(v)} to int`);
}

/** format % x */
export function percentFormat(format: string, x: Value): string {
  let args: readonly Value[];
  let mapping: StarDict | null = null;
  if (x instanceof StarTuple) args = x.elems;
  else {
    args = [x];
    if (x instanceof StarDict) mapping = x;
  }
  let argi = 0;
  let usedMapping = false;
  let out = '';
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= n) throw new StarlarkError('incomplete format');
    let arg: Value;
    let c = format[i]!;
    if (c === '%') {
      out += '%';
      i++;
      continue;
    }
    if (c === '(') {
      const close = format.indexOf(')', i);
      if (close < 0) throw new StarlarkError('incomplete format key');
      const key = format.slice(i + 1, close);
      if (mapping === null) throw new StarlarkError('format requires a mapping');
      const v = mapping.get(key);
      if (v === undefined) throw new StarlarkError(`key ${repr(key)} not in dict`);
      arg = v;
      usedMapping = true;
      i = close + 1;
      if (i >= n) throw new StarlarkError('incomplete format');
      c = format[i]!;
    } else {
      if (argi >= args.length) throw new StarlarkError('not enough arguments for format string');
      arg = args[argi++]!;
    }
    i++;
    switch (c) {
      case 's':
        out += str(arg);
        break;
      case 'r':
        out += repr(arg);
        break;
      case 'd':
      case 'i':
        out += String(asInt(arg, c));
        break;
      case 'o':
        out += asInt(arg, c).toString(8);
        break;
      case 'x':
        out += asInt(arg, c).toString(16);
        break;
      case 'X':
        out += asInt(arg, c).toString(16).toUpperCase();
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
        out += formatFloat(asFloat(arg, c), c, 6);
        break;
      case 'g':
      case 'G':
        out += formatFloat(asFloat(arg, c), c, -1);
        break;
      case 'c':
        if (typeof arg === 'number') {
          if (arg < 0 || arg > 0x10ffff) throw new StarlarkError(`%c format requires a valid Unicode code point, got ${arg}`);
          out += encodeRune(arg); // a surrogate encodes U+FFFD, as Go
        } else if (typeof arg === 'string') {
          if (arg.length === 0 || (decodeRune(arg, 0), runeWidth !== arg.length)) throw new StarlarkError(`%c format requires a single-character string`);
          out += arg;
        } else throw new StarlarkError(`%c format requires int or single-character string, not ${typeName(arg)}`);
        break;
      default:
        throw new StarlarkError(`unknown conversion %${c}`);
    }
  }
  // A mapping may go unused (starlark-go since 2023-11, in the original's pin): "A" % {"k": 1} == "A".
  if (!usedMapping && mapping === null && argi < args.length) throw new StarlarkError('too many arguments for format string');
  return out;
}

/** str.format(*args, **kwargs) */
export function strFormat(format: string, args: readonly Value[], kwargs: Array<[string, Value]> | null): string {
  let out = '';
  let auto = 0;
  let mode: 'none' | 'auto' | 'manual' = 'none';
  const n = format.length;
  let i = 0;
  while (i < n) {
    const c = format[i]!;
    if (c === '}') {
      if (format[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new StarlarkError("format: single '}' in format");
    }
    if (c !== '{') {
      const next = nextBrace(format, i);
      out += format.slice(i, next);
      i = next;
      continue;
    }
    if (format[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    const close = format.indexOf('}', i);
    if (close < 0) throw new StarlarkError("format: unmatched '{' in format");
    // As starlark-go: "name", "name:spec", "name!conv" or "name!conv:spec";
    // the argument is resolved before the spec and the conversion are checked.
    let field = format.slice(i + 1, close);
    i = close + 1;
    let conv = 's';
    let spec = '';
    const bang = field.indexOf('!');
    if (bang < 0) {
      const colon = field.indexOf(':');
      if (colon >= 0) [field, spec] = [field.slice(0, colon), field.slice(colon + 1)];
    } else {
      const rest = field.slice(bang + 1);
      field = field.slice(0, bang);
      const colon = rest.indexOf(':');
      if (colon < 0) conv = rest;
      else [conv, spec] = [rest.slice(0, colon), rest.slice(colon + 1)];
    }
    let arg: Value;
    if (field === '') {
      if (mode === 'manual') throw new StarlarkError('format: cannot switch from manual field specification to automatic field numbering');
      mode = 'auto';
      if (auto >= args.length) throw new StarlarkError('format: tuple index out of range');
      arg = args[auto++]!;
    } else if (/^[0-9]+$/.test(field)) {
      if (mode === 'auto') throw new StarlarkError('format: cannot switch from automatic field numbering to manual field specification');
      mode = 'manual';
      const k = parseInt(field, 10);
      if (k >= args.length) throw new StarlarkError('format: tuple index out of range');
      arg = args[k]!;
    } else {
      const kv = kwargs?.find((p) => p[0] === field);
      if (kv === undefined) {
        if (field.includes('.')) throw new StarlarkError(`format: attribute syntax x.y is not supported in replacement fields: ${field}`);
        if (field.includes('[')) throw new StarlarkError(`format: element syntax a[i] is not supported in replacement fields: ${field}`);
        if (field.includes('{')) throw new StarlarkError('format: nested replacement fields not supported');
        throw new StarlarkError(`format: keyword ${field} not found`);
      }
      arg = kv[1];
    }
    if (spec !== '') throw new StarlarkError(`format spec features not supported in replacement fields: ${spec}`);
    if (conv !== 's' && conv !== 'r') throw new StarlarkError(`format: unknown conversion ${quoteString(conv)}`);
    out += conv === 'r' ? repr(arg) : str(arg);
  }
  return out;
}

function nextBrace(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 123 || c === 125) return j;
  }
  return s.length;
}
