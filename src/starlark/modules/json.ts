// The `json` module (starlark-go lib/json): encode, decode, indent, and
// encode_indent. Encoding sorts dict keys and struct fields, writes floats in
// Starlark's %g form (always with '.' or 'e'), and rejects non-string dict
// keys and non-finite floats. Decoding is a hand-written parser so that
// integers stay ints (arbitrary precision) and numbers with '.', 'e' become
// floats; errors read "json.decode: at offset N, <problem>".

import { StarBytes } from '../values/bytes.js';
import { StarDict } from '../values/dict.js';
import { StarFloat, formatFloat } from '../values/float.js';
import { bigToString, normBig } from '../values/int.js';
import { alloc, piece } from '../values/meter.js';
import { StarList, StarTuple } from '../values/list.js';
import { StarModule } from '../values/struct.js';
import { builtin, checkPositional, unpackArgs, wantString, type Kwargs } from '../values/builtin.js';
import { typeName } from '../values/compare.js';
import { isIterable, toArray, repr } from '../values/ops.js';
import { StarlarkError, type HasAttrs, type StarObject, type Value } from '../values/value.js';
import { decodeRune, runeWidth, toBytes } from '../values/utf8.js';

function isPrintableASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** Quotes a string as Go's encoding/json does (HTML-safe escapes for non-trivial strings). */
export function jsonQuote(s: string): string {
  if (isPrintableASCII(s)) {
    if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) return '"' + s + '"';
    return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  }
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x3c: case 0x3e: case 0x26:
        out += '\\u' + c.toString(16).padStart(4, '0');
        break;
      default:
        if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
        else if (c < 0x80) out += s[i];
        else {
          // A rune of the UTF-8 byte string (utf8.ts): itself, except U+2028/9 escaped and an invalid byte as \ufffd, as Go.
          const cp = decodeRune(s, i);
          if (cp < 0) out += '\\ufffd';
          else if (cp === 0x2028 || cp === 0x2029) out += '\\u' + cp.toString(16);
          else out += s.slice(i, i + runeWidth);
          i += runeWidth - 1;
        }
    }
  }
  return out + '"';
}

/** Encodes a Starlark value as compact JSON (the json.encode algorithm). */
export function encodeJSON(x: Value): string {
  const out: string[] = [];
  const path: StarObject[] = [];
  const emit = (v: Value): void => {
    // Each piece is charged (meter.ts): shared sub-values can make the output exponentially long.
    piece(typeof v === 'object' && v !== null ? 8 : 1);
    switch (typeof v) {
      case 'string': {
        const q = jsonQuote(v);
        alloc(q.length);
        out.push(q);
        return;
      }
      case 'number':
        out.push(String(v));
        return;
      case 'bigint':
        out.push(bigToString(v));
        return;
      case 'boolean':
        out.push(v ? 'true' : 'false');
        return;
    }
    if (v === null) {
      out.push('null');
      return;
    }
    if (v instanceof StarFloat) {
      if (!Number.isFinite(v.value)) throw new StarlarkError(`cannot encode non-finite float ${v}`);
      out.push(formatFloat(v.value, 'g', -1));
      return;
    }
    if (path.includes(v)) throw new StarlarkError('cycle in JSON structure');
    path.push(v);
    try {
      if (v instanceof StarDict) {
        const items = v.entries();
        for (const [k] of items) {
          if (typeof k !== 'string') throw new StarlarkError(`dict has ${typeName(k)} key, want string`);
        }
        items.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : (a[0] as string) > (b[0] as string) ? 1 : 0));
        out.push('{');
        items.forEach(([k, val], i) => {
          if (i > 0) out.push(',');
          out.push(jsonQuote(k as string), ':');
          try {
            emit(val);
          } catch (e) {
            throw rewrap(e, `in dict key ${repr(k)}: `);
          }
        });
        out.push('}');
        return;
      }
      if (isIterable(v) && !(v instanceof StarBytes)) {
        const elems = v instanceof StarList || v instanceof StarTuple ? v.elems : toArray(v);
        out.push('[');
        for (let i = 0; i < elems.length; i++) {
          if (i > 0) out.push(',');
          try {
            emit(elems[i]!);
          } catch (e) {
            throw rewrap(e, `at ${typeName(v)} index ${i}: `);
          }
        }
        out.push(']');
        return;
      }
      const ha = v as Partial<HasAttrs>;
      if (typeof ha.attrNames === 'function' && typeof ha.attr === 'function' && v.typeName !== 'module') {
        const names = ha.attrNames().slice().sort();
        out.push('{');
        names.forEach((name, i) => {
          if (i > 0) out.push(',');
          out.push(jsonQuote(name), ':');
          try {
            emit(ha.attr!(name)!);
          } catch (e) {
            throw rewrap(e, `in field .${name}: `);
          }
        });
        out.push('}');
        return;
      }
      throw new StarlarkError(`cannot encode ${typeName(v)} as JSON`);
    } finally {
      path.pop();
    }
  };
  emit(x);
  return out.join('');
}

function rewrap(e: unknown, prefix: string): unknown {
  if (e instanceof StarlarkError) return new StarlarkError(prefix + e.message);
  return e;
}

class DecodeFailure {
  constructor(readonly msg: string) {}
}

function goQuoteChar(c: string): string {
  return "'" + (c === "'" ? "\\'" : c) + "'";
}

/** Decodes JSON text into Starlark values (json.decode). */
export function decodeJSON(s: string): Value {
  let i = 0;
  const n = s.length;
  const fail = (msg: string): never => {
    throw new DecodeFailure(msg);
  };
  const skipSpace = (): boolean => {
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return true;
    }
    return false;
  };
  const next = (): string => {
    if (skipSpace()) return s[i]!;
    return fail('unexpected end of file');
  };
  const parse = (): Value => {
    const b = next();
    switch (b) {
      case '"': {
        let j = i + 1;
        let safe = true;
        let closed = false;
        for (; j < n; j++) {
          const c = s.charCodeAt(j);
          if (c === 92) {
            safe = false;
            j++;
          } else if (c === 34) {
            closed = true;
            j++;
            break;
          } else if (c < 0x20 || c >= 0x80) safe = false; // non-ASCII: invalid bytes become U+FFFD
        }
        if (!closed) fail('unclosed string literal');
        const lit = s.slice(i, j);
        i = j;
        if (safe) return lit.slice(1, -1);
        return unquote(lit, fail);
      }
      case 'n':
        if (s.startsWith('null', i)) {
          i += 4;
          return null;
        }
        break;
      case 't':
        if (s.startsWith('true', i)) {
          i += 4;
          return true;
        }
        break;
      case 'f':
        if (s.startsWith('false', i)) {
          i += 5;
          return false;
        }
        break;
      case '[': {
        const elems: Value[] = [];
        i++;
        if (next() !== ']') {
          for (;;) {
            elems.push(parse());
            const c = next();
            if (c !== ',') {
              if (c !== ']') fail(`got ${goQuoteChar(c)}, want ',' or ']'`);
              break;
            }
            i++;
          }
        }
        i++;
        return new StarList(elems);
      }
      case '{': {
        const d = new StarDict();
        i++;
        if (next() !== '}') {
          for (;;) {
            const key = parse();
            if (typeof key !== 'string') fail(`got ${typeName(key)} for object key, want string`);
            if (next() !== ':') fail(`after object key, got ${goQuoteChar(s[i]!)}, want ':' `);
            i++;
            const value = parse();
            d.setStr(key as string, value);
            const c = next();
            if (c !== ',') {
              if (c !== '}') fail(`in object, got ${goQuoteChar(c)}, want ',' or '}'`);
              break;
            }
            i++;
          }
        }
        i++;
        return d;
      }
      default: {
        const c0 = b.charCodeAt(0);
        if ((c0 >= 48 && c0 <= 57) || b === '-') {
          let isFloat = false;
          let j = i + 1;
          for (; j < n; j++) {
            const c = s[j]!;
            if (c >= '0' && c <= '9') continue;
            if (c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-') isFloat = true;
            else break;
          }
          const num = s.slice(i, j);
          i = j;
          const digits = num[0] === '-' ? num.slice(1) : num;
          if (digits === '' || (digits[0] === '0' && digits.length > 1 && digits[1]! >= '0' && digits[1]! <= '9')) {
            fail(`invalid number: ${num}`);
          }
          if (isFloat) {
            if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(num)) fail(`invalid number: ${num}`);
            const f = parseFloat(num);
            if (!Number.isFinite(f)) fail(`invalid number: ${num}`); // Go's ParseFloat: out of range
            return new StarFloat(f);
          }
          if (!/^-?\d+$/.test(num)) fail(`invalid number: ${num}`);
          if (num.length < 16) return parseInt(num, 10) + 0; // + 0: "-0" is the int 0
          return normBig(BigInt(num));
        }
      }
    }
    return fail(`unexpected character ${goQuoteChar(b)}`);
  };
  try {
    const x = parse();
    if (skipSpace()) fail(`unexpected character ${goQuoteChar(s[i]!)} after value`);
    return x;
  } catch (e) {
    if (e instanceof DecodeFailure) throw new StarlarkError(`json.decode: at offset ${i}, ${e.msg}`);
    throw e;
  }
}

/**
 * Decodes the body of a JSON string literal (with its quotes), per RFC 8259
 * escapes, to a UTF-8 byte string (utf8.ts). As Go's encoding/json, an invalid
 * byte and a lone surrogate escape become U+FFFD. Builds Unicode text first so
 * that \u surrogate pairs join.
 */
function unquote(lit: string, fail: (msg: string) => never): string {
  let out = '';
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i]!;
    const code = c.charCodeAt(0);
    if (code < 0x20) fail(`invalid character ${goQuoteChar(c)} in string literal`);
    if (code >= 0x80) {
      const cp = decodeRune(lit, i);
      out += cp < 0 ? '\ufffd' : String.fromCodePoint(cp);
      i += runeWidth - 1;
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = lit[++i]!;
    switch (e) {
      case '"': case '\\': case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const hex = lit.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`invalid character in \\u hexadecimal character escape`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        fail(`invalid character ${goQuoteChar(e)} in string escape code`);
    }
  }
  return toBytes(out); // a lone surrogate encodes as U+FFFD
}

/** Re-indents valid JSON text like Go's json.Indent. */
export function indentJSON(src: string, prefix: string, indent: string): string {
  try {
    decodeJSON(src);
  } catch (e) {
    const m = /at offset (\d+)/.exec((e as Error).message);
    throw new StarlarkError(`json.indent: invalid character at offset ${m ? m[1] : 0}: ${(e as Error).message.replace(/^json\.decode: at offset \d+, /, '')}`);
  }
  let out = '';
  let depth = 0;
  const newline = (): string => {
    // Charged: a long prefix or indent is repeated on every line (meter.ts).
    const nl = '\n' + prefix + indent.repeat(depth);
    alloc(nl.length);
    return nl;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '"') {
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '"') break;
      }
      out += src.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      // Empty containers stay compact.
      let j = i + 1;
      while (j < src.length && ' \t\n\r'.includes(src[j]!)) j++;
      const close = c === '{' ? '}' : ']';
      if (src[j] === close) {
        out += c + close;
        i = j;
        continue;
      }
      depth++;
      out += c + newline();
      continue;
    }
    if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
      continue;
    }
    if (c === ',') {
      out += ',' + newline();
      continue;
    }
    if (c === ':') {
      out += ': ';
      continue;
    }
    out += c;
  }
  return out;
}

function indentKwargs(fn: string, kwargs: Kwargs): [string, string] {
  const [prefix, indent] = unpackArgs(fn, [], kwargs, ['prefix?', 'indent?']);
  return [
    prefix === undefined ? '' : wantString(fn, 'prefix', prefix),
    indent === undefined ? '\t' : wantString(fn, 'indent', indent),
  ];
}

function prefixed(fn: string, f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    if (e instanceof StarlarkError && !e.message.startsWith(fn)) throw new StarlarkError(`${fn}: ${e.message}`);
    throw e;
  }
}

export const jsonModule = new StarModule(
  'json',
  new Map<string, Value>([
    ['encode', builtin('json.encode', (_t, args, kwargs) => {
      checkPositional('json.encode', args, kwargs, 1, 1);
      return prefixed('json.encode', () => encodeJSON(args[0]!));
    })],
    ['decode', builtin('json.decode', (_t, args, kwargs) => {
      // starlark-go: x is positional only ("def decode(x, *, default)")
      if (args.length < 1 && kwargs !== null && kwargs.some(([k]) => k === 'x')) throw new StarlarkError('json.decode: unexpected keyword argument x');
      const [x, dflt] = unpackArgs('json.decode', args, kwargs, ['x', 'default?']);
      const s = wantString('json.decode', 'x', x);
      if (dflt === undefined) return decodeJSON(s);
      try {
        return decodeJSON(s);
      } catch (e) {
        if (e instanceof StarlarkError) return dflt;
        throw e;
      }
    })],
    ['indent', builtin('json.indent', (_t, args, kwargs) => {
      const [prefix, indent] = indentKwargs('json.indent', kwargs);
      checkPositional('json.indent', args, null, 1, 1);
      return indentJSON(wantString('json.indent', 1, args[0]), prefix, indent);
    })],
    ['encode_indent', builtin('json.encode_indent', (_t, args, kwargs) => {
      const [prefix, indent] = indentKwargs('json.encode_indent', kwargs);
      checkPositional('json.encode_indent', args, null, 1, 1);
      return prefixed('json.encode_indent', () => indentJSON(encodeJSON(args[0]!), prefix, indent));
    })],
  ]),
);

