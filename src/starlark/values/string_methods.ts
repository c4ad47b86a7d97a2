// Methods of string values (spec "Built-in methods: string·*"), with Python /
// starlark-go semantics for defaults, negative indices and whitespace handling.
// Strings are UTF-8 byte strings (utf8.ts): offsets count bytes and elems()
// yields bytes; codepoints(), case mapping, the is* tests and whitespace or
// cutset stripping work per rune (decoded, as Go's strings and unicode
// packages), with an ASCII fast path.

import { StarList, StarTuple } from './list.js';
import { typeName } from './compare.js';
import { badArg, checkPositional, unpackArgs, wantInt, wantString, type BuiltinFn, type Kwargs } from './builtin.js';
import { strFormat } from './format.js';
import { quoteString } from './quote.js';
import { ElemsView } from './views.js';
import { StarlarkError, type Value } from './value.js';
import { clampRange } from './collection_methods.js';
import { toArray } from './iterable.js';
import { chargeScan, chargeResult, fits, work } from './meter.js';
import { decodeRune, fromBytes, isAscii, mapText, runeCount, runeWidth, runes } from './utf8.js';

type M = (s: string, args: Value[], kwargs: Kwargs) => Value;
/**
 * Every method is charged (meter.ts) a scan of its receiver and the string it
 * returns; lists of parts are charged when they are built. join and replace,
 * whose result can be far longer than their inputs, check it before building.
 */
function table(entries: Record<string, M>): Map<string, BuiltinFn> {
  const m = new Map<string, BuiltinFn>();
  for (const [name, f] of Object.entries(entries)) {
    m.set(name, (_t, args, kwargs, recv) => {
      const s = recv as string;
      chargeScan(s);
      return chargeResult(s, f(s, args, kwargs));
    });
  }
  return m;
}

/** Go's unicode.IsSpace of one rune, given as its UTF-8 bytes (an invalid byte is no space). */
function isSpace(r: string): boolean {
  const c = r.charCodeAt(0);
  if (c < 0x80) return c === 32 || (c >= 9 && c <= 13);
  if (r.length === 1) return false;
  const cp = decodeRune(r, 0);
  return cp === 0x85 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}
/** The units the per-rune algorithms below walk: the string itself when ASCII, else its runes. */
function unitsOf(s: string): ArrayLike<string> {
  return isAscii(s) ? s : runes(s);
}
function cut(u: ArrayLike<string>, i: number, j: number): string {
  return typeof u === 'string' ? u.slice(i, j) : (u as string[]).slice(i, j).join('');
}

// Letter categories and case mapping per code point, as Go's unicode package
// (starlark-go): simple 1:1 mappings, never JS's context-sensitive or
// expanding ones ("ß".upper() == "ß", "İ".lower() == "i", final sigma ignored).
const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const TITLE = /^\p{Lt}$/u;
function isUpper(c: string): boolean {
  return UPPER.test(c);
}
function isLower(c: string): boolean {
  return LOWER.test(c);
}
/**
 * starlark-go's isCasedRune: an ASCII letter or a rune with a case-folding
 * partner (unicode.SimpleFold(r) != r) — a rune with a simple case mapping,
 * except Turkish İ and ı (folded to themselves), plus ß (partner of ẞ).
 */
function isCased(c: string): boolean {
  if (c === '\u0130' || c === '\u0131') return false;
  return c === '\u00df' || lowerRune(c) !== c || upperRune(c) !== c;
}
/** Simple (1:1) mappings JS's full mappings hide: only the lowercase of U+0130 has one. */
const SIMPLE_LOWER: Record<string, string> = { '\u0130': 'i' };
/** Go's unicode.ToTitle differs from ToUpper for the Latin digraphs. */
const TITLE_OF: Record<string, string> = {
  'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ',
};
function upperRune(c: string): string {
  const u = c.toUpperCase();
  return u.length === c.length || [...u].length === 1 ? u : c; // an expansion ("SS") means no simple mapping
}
function lowerRune(c: string): string {
  const l = SIMPLE_LOWER[c] ?? c.toLowerCase();
  return l.length === c.length || [...l].length === 1 ? l : c;
}
function titleRune(c: string): string {
  return TITLE_OF[c] ?? upperRune(c);
}
// Fast paths: JS's full mapping equals the simple one unless it expands a
// character (the length changes) or applies the final-sigma rule (Σ).
export function upperString(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = '';
  for (const c of s) out += upperRune(c);
  return out;
}
export function lowerString(s: string): string {
  const l = s.toLowerCase();
  if (l.length === s.length && !s.includes('Σ')) return l;
  let out = '';
  for (const c of s) out += lowerRune(c);
  return out;
}
const ASCII = /^[\x00-\x7f]*$/;

/** starlark-go's isCasedString: some rune is cased (an invalid byte, U+FFFD, is not). */
function isCasedString(s: string): boolean {
  for (const c of fromBytes(s)) if (isCased(c)) return true;
  return false;
}

function allChars(s: string, pred: (c: string) => boolean): boolean {
  if (s.length === 0) return false;
  for (const c of fromBytes(s)) if (!pred(c)) return false; // an invalid byte is U+FFFD: neither letter, digit nor space
  return true;
}

function findImpl(fn: string, s: string, args: Value[], kwargs: Kwargs, last: boolean): number {
  const [sub, start, end] = unpackArgs(fn, args, kwargs, ['sub', 'start?', 'end?']);
  const needle = wantString(fn, 'sub', sub);
  const [st, en] = clampRange(fn, s.length, start, end);
  if (en - st < needle.length) return -1;
  if (last) {
    const i = s.lastIndexOf(needle, en - needle.length);
    return i >= st ? i : -1;
  }
  const i = s.indexOf(needle, st);
  return i >= 0 && i + needle.length <= en ? i : -1;
}

function stripChars(fn: string, args: Value[], kwargs: Kwargs): string | null {
  checkPositional(fn, args, kwargs, 0, 1);
  if (args.length === 0) return null;
  const cutset = wantString(fn, 1, args[0]); // None is rejected, as starlark-go
  return cutset === '' ? null : cutset; // starlark-go: an empty cutset strips whitespace
}

/** Whether rune r is stripped: whitespace, or one of the cutset's runes (Go's strings.Trim*). */
function stripped(r: string, chars: string[] | string | null): boolean {
  return chars === null ? isSpace(r) : chars.includes(r); // an ASCII cutset is a string: no rune of s is a part of it
}
function cutsetOf(chars: string | null): string[] | string | null {
  return chars === null || isAscii(chars) ? chars : runes(chars);
}
// Both walk runes from their end (Go's strings.Trim*): no scan of the untouched middle.
export function lstrip(s: string, chars: string | null): string {
  const set = cutsetOf(chars);
  let i = 0;
  while (i < s.length) {
    const w = s.charCodeAt(i) < 0x80 ? 1 : (decodeRune(s, i), runeWidth);
    if (!stripped(w === 1 ? s[i]! : s.slice(i, i + w), set)) break;
    i += w;
  }
  return i === 0 ? s : s.slice(i);
}
export function rstrip(s: string, chars: string | null): string {
  const set = cutsetOf(chars);
  let j = s.length;
  while (j > 0) {
    const k = s.charCodeAt(j - 1) < 0x80 ? j - 1 : lastRuneStart(s, j);
    if (!stripped(k === j - 1 ? s[k]! : s.slice(k, j), set)) break;
    j = k;
  }
  return j === s.length ? s : s.slice(0, j);
}
/** Start of the rune that ends at byte j (j - 1 for an invalid byte), as Go's utf8.DecodeLastRuneInString. */
function lastRuneStart(s: string, j: number): number {
  const lim = Math.max(j - 4, 0);
  let k = j - 1;
  while (k > lim && (s.charCodeAt(k) & 0xc0) === 0x80) k--;
  decodeRune(s, k);
  return k + runeWidth === j ? k : j - 1;
}

function affixMatch(fn: string, s: string, args: Value[], kwargs: Kwargs, suffix: boolean): boolean {
  if (kwargs === null && args.length === 1 && typeof args[0] === 'string') {
    return suffix ? s.endsWith(args[0]) : s.startsWith(args[0]); // fast path
  }
  const [x, start, end] = unpackArgs(fn, args, kwargs, [suffix ? 'suffix' : 'prefix', 'start?', 'end?']);
  const [st, en] = clampRange(fn, s.length, start, end);
  const sub = s.slice(st, Math.max(st, en));
  const test = (p: string): boolean => (suffix ? sub.endsWith(p) : sub.startsWith(p));
  if (typeof x === 'string') return test(x);
  if (x instanceof StarTuple) {
    return x.elems.some((p, i) => {
      if (typeof p !== 'string') throw new StarlarkError(`${fn}: got ${typeName(p)}, for element ${i}`);
      return test(p);
    });
  }
  throw new StarlarkError(`${fn}: got ${typeName(x!)}, want string or tuple of string`); // sic: starlark-go's wording
}

/** Splits on runs of whitespace, Python-style, from the left (maxsplit < 0 = unlimited). */
function splitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  const u = unitsOf(s);
  let i = 0;
  const n = u.length;
  while (true) {
    while (i < n && isSpace(u[i]!)) i++;
    if (i >= n) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(cut(u, i, n));
      break;
    }
    let j = i;
    while (j < n && !isSpace(u[j]!)) j++;
    out.push(cut(u, i, j));
    i = j;
  }
  return out;
}

function rsplitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  const u = unitsOf(s);
  let j = u.length;
  while (true) {
    while (j > 0 && isSpace(u[j - 1]!)) j--;
    if (j <= 0) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(cut(u, 0, j));
      break;
    }
    let i = j;
    while (i > 0 && !isSpace(u[i - 1]!)) i--;
    out.push(cut(u, i, j));
    j = i;
  }
  return out.reverse();
}

function splitArgs(fn: string, args: Value[], kwargs: Kwargs): [string | null, number] {
  const [sep, maxsplit] = unpackArgs(fn, args, kwargs, ['sep?', 'maxsplit?']);
  const sp = sep === undefined || sep === null ? null : wantString(fn, 'sep', sep);
  if (sp === '') throw new StarlarkError('split: empty separator'); // rsplit too, as starlark-go
  const max = maxsplit === undefined || maxsplit === null ? -1 : wantInt(fn, 'maxsplit', maxsplit);
  return [sp, max];
}

/** Replaces every occurrence of a non-empty `old`; returns s itself when there is none. */
/** Fails before building a replacement result that would not fit the memory budget. */
function checkReplace(s: string, old: string, nw: string, count: number): void {
  if (nw.length <= old.length) return;
  // The result is at most len(s) plus (len(nw) - len(old)) per match; count matches only when that bound is large.
  const most = old === '' ? s.length + 1 : Math.floor(s.length / old.length);
  if (Math.min(most, count) * (nw.length - old.length) < 1 << 20) return;
  let matches = 0;
  if (old === '') matches = runeCount(s) + 1;
  else for (let j = s.indexOf(old); j >= 0 && matches < count; j = s.indexOf(old, j + old.length)) matches++;
  fits(s.length + Math.min(matches, count) * (nw.length - old.length));
}

export function replaceAllOf(s: string, old: string, nw: string): string {
  checkReplace(s, old, nw, Infinity);
  let j = s.indexOf(old);
  if (j < 0) return s;
  let out = '';
  let i = 0;
  let matches = 0;
  do {
    out += s.slice(i, j) + nw;
    i = j + old.length;
    j = s.indexOf(old, i);
    if (++matches === 64 && j >= 0) {
      // Many matches: V8's split/join is several times faster than a rope of slices.
      const parts = s.slice(j).split(old);
      work((matches + parts.length) * 8); // ~2 steps per match
      return out + s.slice(i, j) + parts.join(nw);
    }
  } while (j >= 0);
  work(matches * 8);
  return out + s.slice(i);
}

/**
 * s.split(sep) for a non-empty sep. An indexOf loop is several times faster
 * than V8's String.prototype.split for the short strings scripts split.
 */
export function splitOn(s: string, sep: string): Value[] {
  const out: Value[] = [];
  const n = sep.length;
  let i = 0;
  for (;;) {
    const j = s.indexOf(sep, i);
    if (j < 0) {
      out.push(i === 0 ? s : s.slice(i));
      return out;
    }
    out.push(s.slice(i, j));
    i = j + n;
  }
}

/** sep.join(items): every item must be a str; the result is checked against the memory budget before it is built. */
export function joinStrings(sep: string, items: readonly Value[]): string {
  let n = sep.length * Math.max(items.length - 1, 0);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (typeof it !== 'string') throw new StarlarkError(`join: in list, want string, got ${typeName(it!)}`);
    n += it.length;
  }
  work(items.length);
  fits(n);
  return (items as string[]).join(sep);
}

function strList(a: Value[]): StarList {
  return new StarList(a);
}

function titleCase(s: string): string {
  // ASCII: the cased characters are the letters
  if (ASCII.test(s)) return s.toLowerCase().replace(/(?<![a-z])[a-z]/g, (c) => c.toUpperCase());
  let out = '';
  let prevCased = false;
  for (const c of s) {
    const r = prevCased ? lowerRune(c) : titleRune(c);
    out += r;
    prevCased = isCased(r);
  }
  return out;
}

export const stringMethods = table({
  capitalize(s, args, kwargs) {
    checkPositional('capitalize', args, kwargs, 0, 0);
    if (s.length === 0) return s;
    return mapText(s, (t) => {
      const first = String.fromCodePoint(t.codePointAt(0)!);
      return titleRune(first) + lowerString(t.slice(first.length));
    });
  },
  count(s, args, kwargs) {
    const [sub, start, end] = unpackArgs('count', args, kwargs, ['sub', 'start?', 'end?']);
    const needle = wantString('count', 'sub', sub);
    const [st, en] = clampRange('count', s.length, start, end);
    const hay = s.slice(st, Math.max(st, en));
    if (needle.length === 0) return runeCount(hay) + 1; // Go's strings.Count: one more than the runes
    let n = 0;
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
    return n;
  },
  elems(s, args, kwargs) {
    checkPositional('elems', args, kwargs, 0, 0);
    return new ElemsView('elems', quoteString(s) + '.elems()', () => stringIter(s, false, false));
  },
  elem_ords(s, args, kwargs) {
    checkPositional('elem_ords', args, kwargs, 0, 0);
    return new ElemsView('elems', quoteString(s) + '.elem_ords()', () => stringIter(s, false, true));
  },
  codepoints(s, args, kwargs) {
    checkPositional('codepoints', args, kwargs, 0, 0);
    return new ElemsView('codepoints', quoteString(s) + '.codepoints()', () => stringIter(s, true, false));
  },
  codepoint_ords(s, args, kwargs) {
    checkPositional('codepoint_ords', args, kwargs, 0, 0);
    return new ElemsView('codepoints', quoteString(s) + '.codepoint_ords()', () => stringIter(s, true, true));
  },
  endswith(s, args, kwargs) {
    return affixMatch('endswith', s, args, kwargs, true);
  },
  startswith(s, args, kwargs) {
    return affixMatch('startswith', s, args, kwargs, false);
  },
  find(s, args, kwargs) {
    return findImpl('find', s, args, kwargs, false);
  },
  rfind(s, args, kwargs) {
    return findImpl('rfind', s, args, kwargs, true);
  },
  index(s, args, kwargs) {
    const i = findImpl('index', s, args, kwargs, false);
    if (i < 0) throw new StarlarkError('index: substring not found');
    return i;
  },
  rindex(s, args, kwargs) {
    const i = findImpl('rindex', s, args, kwargs, true);
    if (i < 0) throw new StarlarkError('rindex: substring not found');
    return i;
  },
  format(s, args, kwargs) {
    return strFormat(s, args, kwargs);
  },
  isalnum(s, args, kwargs) {
    checkPositional('isalnum', args, kwargs, 0, 0);
    return allChars(s, (c) => /[\p{L}\p{N}]/u.test(c));
  },
  isalpha(s, args, kwargs) {
    checkPositional('isalpha', args, kwargs, 0, 0);
    return allChars(s, (c) => /\p{L}/u.test(c));
  },
  isdigit(s, args, kwargs) {
    checkPositional('isdigit', args, kwargs, 0, 0);
    return allChars(s, (c) => /\p{Nd}/u.test(c));
  },
  isspace(s, args, kwargs) {
    checkPositional('isspace', args, kwargs, 0, 0);
    return allChars(s, isSpace);
  },
  // As starlark-go: some rune is cased and the string is its own lower (upper) case, byte for byte
  // (so an invalid byte, which case mapping turns into U+FFFD, makes both false).
  islower(s, args, kwargs) {
    checkPositional('islower', args, kwargs, 0, 0);
    return isCasedString(s) && mapText(s, lowerString) === s;
  },
  isupper(s, args, kwargs) {
    checkPositional('isupper', args, kwargs, 0, 0);
    return isCasedString(s) && mapText(s, upperString) === s;
  },
  istitle(s, args, kwargs) {
    checkPositional('istitle', args, kwargs, 0, 0);
    // Uppercase letters may only follow uncased characters, lowercase only cased ones.
    let prevCased = false;
    let cased = false;
    for (const c of fromBytes(s)) {
      // As starlark-go, quirk included: a non-ASCII uppercase letter makes it false.
      if ((c >= 'A' && c <= 'Z') || TITLE.test(c)) {
        if (prevCased) return false;
        prevCased = true;
        cased = true;
      } else if (isLower(c)) {
        if (!prevCased) return false;
        prevCased = true;
        cased = true;
      } else if (isUpper(c)) return false;
      else prevCased = false;
    }
    return cased;
  },
  join(s, args, kwargs) {
    checkPositional('join', args, kwargs, 1, 1);
    const x = args[0]!;
    // Lists and tuples are read in place; join does not mutate them.
    return joinStrings(s, x instanceof StarList || x instanceof StarTuple ? x.elems : toArray(x, 'join'));
  },
  lower(s, args, kwargs) {
    checkPositional('lower', args, kwargs, 0, 0);
    return mapText(s, lowerString);
  },
  upper(s, args, kwargs) {
    checkPositional('upper', args, kwargs, 0, 0);
    return mapText(s, upperString);
  },
  lstrip(s, args, kwargs) {
    return lstrip(s, stripChars('lstrip', args, kwargs));
  },
  rstrip(s, args, kwargs) {
    return rstrip(s, stripChars('rstrip', args, kwargs));
  },
  strip(s, args, kwargs) {
    const chars = stripChars('strip', args, kwargs);
    return rstrip(lstrip(s, chars), chars);
  },
  partition(s, args, kwargs) {
    checkPositional('partition', args, kwargs, 1, 1);
    const sep = wantString('partition', 1, args[0]);
    if (sep === '') throw new StarlarkError('partition: empty separator');
    const i = s.indexOf(sep);
    if (i < 0) return new StarTuple([s, '', '']);
    return new StarTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition(s, args, kwargs) {
    checkPositional('rpartition', args, kwargs, 1, 1);
    const sep = wantString('rpartition', 1, args[0]);
    if (sep === '') throw new StarlarkError('rpartition: empty separator');
    const i = s.lastIndexOf(sep);
    if (i < 0) return new StarTuple(['', '', s]);
    return new StarTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  removeprefix(s, args, kwargs) {
    checkPositional('removeprefix', args, kwargs, 1, 1);
    const p = wantString('removeprefix', 1, args[0]);
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix(s, args, kwargs) {
    checkPositional('removesuffix', args, kwargs, 1, 1);
    const p = wantString('removesuffix', 1, args[0]);
    return p.length > 0 && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  replace(s, args, kwargs) {
    if (kwargs === null && args.length === 2) {
      const o = args[0];
      const n = args[1];
      if (typeof o === 'string' && typeof n === 'string' && o !== '') return replaceAllOf(s, o, n); // fast path
    }
    const [o, n, c] = unpackArgs('replace', args, kwargs, ['old', 'new', 'count?']);
    const old = wantString('replace', 'old', o);
    const nw = wantString('replace', 'new', n);
    let count = c === undefined || c === null ? -1 : wantInt('replace', 'count', c);
    if (count < 0) {
      if (old !== '') return replaceAllOf(s, old, nw);
      count = Infinity; // an empty `old` matches at every position, both ends included
    }
    checkReplace(s, old, nw, count);
    let out = '';
    let i = 0;
    let done = 0;
    if (old === '') {
      // Insert `new` before each of the first `count` runes and at the end, as Go's strings.Replace.
      const chars = runes(s);
      for (let k = 0; k <= chars.length; k++) {
        if (done < count) {
          out += nw;
          done++;
        }
        if (k < chars.length) out += chars[k];
      }
      return out;
    }
    while (done < count) {
      const j = s.indexOf(old, i);
      if (j < 0) break;
      out += s.slice(i, j) + nw;
      i = j + old.length;
      done++;
    }
    return out + s.slice(i);
  },
  split(s, args, kwargs) {
    if (kwargs === null && args.length === 1 && typeof args[0] === 'string' && args[0] !== '') {
      return new StarList(splitOn(s, args[0])); // fast path: split(sep)
    }
    const [sep, max] = splitArgs('split', args, kwargs);
    if (sep === null) return strList(splitWhitespace(s, max));
    if (max < 0) return strList(splitOn(s, sep));
    const out: string[] = [];
    let i = 0;
    while (out.length < max) {
      const j = s.indexOf(sep, i);
      if (j < 0) break;
      out.push(s.slice(i, j));
      i = j + sep.length;
    }
    out.push(s.slice(i));
    return strList(out);
  },
  rsplit(s, args, kwargs) {
    const [sep, max] = splitArgs('rsplit', args, kwargs);
    if (sep === null) return strList(rsplitWhitespace(s, max));
    if (max < 0) return strList(splitOn(s, sep));
    const out: string[] = [];
    let j = s.length;
    while (out.length < max) {
      const i = j - sep.length < 0 ? -1 : s.lastIndexOf(sep, j - sep.length);
      if (i < 0) break;
      out.push(s.slice(i + sep.length, j));
      j = i;
    }
    out.push(s.slice(0, j));
    return strList(out.reverse());
  },
  splitlines(s, args, kwargs) {
    // starlark-go splits at "\n" only ("a\r\nb" -> ["a\r", "b"]); keepends must be a bool.
    checkPositional('splitlines', args, kwargs, 0, 1);
    if (args.length === 1 && typeof args[0] !== 'boolean') throw badArg('splitlines', 1, args[0]!, 'bool');
    const keep = args[0] === true;
    const out: string[] = [];
    let i = 0;
    const n = s.length;
    while (i < n) {
      let j = s.indexOf('\n', i);
      if (j < 0) j = n;
      out.push(keep && j < n ? s.slice(i, j + 1) : s.slice(i, j));
      i = j + 1;
    }
    return strList(out);
  },
  title(s, args, kwargs) {
    checkPositional('title', args, kwargs, 0, 0);
    return mapText(s, titleCase);
  },
});

/** elems: one byte at a time; codepoints: one rune (an invalid byte alone, whose ord is U+FFFD), as starlark-go. */
function stringIter(s: string, codepoints: boolean, ords: boolean): Iterator<Value> {
  let i = 0;
  return {
    next(): IteratorResult<Value> {
      if (i >= s.length) return { value: undefined, done: true };
      if (codepoints) {
        const cp = decodeRune(s, i);
        const w = runeWidth;
        const v: Value = ords ? (cp < 0 ? 0xfffd : cp) : s.slice(i, i + w);
        i += w;
        return { value: v, done: false };
      }
      const v: Value = ords ? s.charCodeAt(i) : s[i]!;
      i++;
      return { value: v, done: false };
    },
  };
}
