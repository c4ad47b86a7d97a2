// pongo2's builtin filters (flosch/pongo2 v6 filters_builtin.go), the full
// set, with pongo2's semantics rather than Jinja2's or Django's where they
// differ: `default` replaces any false value, `length` counts runes,
// `integer`/`float` convert as Value.Integer()/Float() (unparsable → 0),
// `stringformat` is Go's fmt.Sprintf, `title` is Go's strings.Title of the
// lowercased string, `first`/`last` of a non-sequence are "". A filter is
// called with its input and its one (colon) argument, nil when absent.
// `date`/`time` need a Go time.Time, which JSON data never holds: they fail
// as they do in pongo2 for any other input.

import { sprintf } from '../gotemplate/funcs.js';
import { asFloat, canSlice, float, GoFloat, index, integer, isBool, isFloat, isNil, isNumber, isString, isTrue, len, plain, SafeString, slice, str, stringLists } from './value.js';

/** A filter's own failure; the caller adds the filter's position. */
export class FilterError extends Error {}

export type Filter = (input: unknown, param: unknown) => unknown;

const strList = (xs: string[]): string[] => {
  stringLists.add(xs);
  return xs;
};

/** Go's strings.Fields: split on Unicode whitespace. */
const fields = (s: string): string[] => s.split(/\s+/u).filter((w) => w !== '');

/** Go's url.QueryEscape: unreserved characters stay, space becomes '+', the rest %XX (UTF-8). */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const escapeHtml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('>', '&gt;').replaceAll('<', '&lt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** Go's strings.Title: upper-cases each character that follows a separator (ASCII other than letters, digits and _, or a space). */
function title(s: string): string {
  const isSeparator = (c: string) => (c <= '\x7f' ? !/[A-Za-z0-9_]/.test(c) : /\s/u.test(c));
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSeparator(prev) ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

const truncateChars = (s: string, n: number): string => {
  const runes = [...s];
  if (n < runes.length) return n >= 3 ? `${runes.slice(0, n - 3).join('')}...` : runes.slice(0, n).join('');
  return s;
};

/**
 * The truncate*_html filters: copies HTML, tags as they are, text through
 * `step` (which returns the next index and how much it counted) until
 * `limit` is counted; `ellipsis(count)` says whether "..." follows; the tags
 * left open are closed. The result is safe (pongo2's AsSafeValue).
 */
function truncateHtml(value: string, limit: number, step: (idx: number, out: string[]) => [number, number], ellipsis: (count: number) => boolean): SafeString {
  const out: string[] = [];
  const stack: string[] = [];
  let count = 0;
  let idx = 0;
  while (idx < value.length && count < limit) {
    const c = value[idx]!;
    if (c === '<') {
      out.push(c);
      idx++;
      if (idx + 1 < value.length) {
        if (value[idx] === '/') {
          out.push('/');
          idx++;
          let tag = '';
          while (idx < value.length) {
            const c2 = value[idx]!;
            if (c2 === '>') {
              idx++;
              break;
            }
            tag += c2;
            idx++;
          }
          const at = stack.lastIndexOf(tag);
          if (at >= 0) {
            stack[at] = stack[stack.length - 1]!;
            stack.pop();
          }
          out.push(tag, '>');
        } else {
          let tag = '';
          let params = false;
          while (idx < value.length) {
            const c2 = value[idx]!;
            out.push(c2);
            if (c2 === '>') {
              idx++;
              break;
            }
            if (!params) {
              if (c2 === ' ') params = true;
              else tag += c2;
            }
            idx++;
          }
          stack.push(tag);
        }
      }
    } else {
      const [next, counted] = step(idx, out);
      idx = next;
      count += counted;
    }
  }
  if (ellipsis(count)) out.push('...');
  for (let i = stack.length - 1; i >= 0; i--) out.push(`</${stack[i]}>`);
  return new SafeString(out.join(''));
}

const urlRegexp = /((((http|https):\/\/)|www\.|((^|[ ])[0-9A-Za-z_-]+(\.com|\.net|\.org|\.info|\.biz|\.de))))(.*?)([ ]+|$)/g;
const emailRegexp = /(\w+@\w+\.\w{2,4})/g;

function urlize(input: string, autoescape: boolean, trunc: number): string {
  const out = input.replace(urlRegexp, (raw: string) => {
    const prefix = raw.startsWith(' ') ? ' ' : '';
    const suffix = raw.endsWith(' ') ? ' ' : '';
    raw = raw.trim();
    let url = iriencode(raw);
    if (!url.startsWith('http')) url = `http://${url}`;
    let t = raw;
    if (trunc > 3 && t.length > trunc) t = `${t.slice(0, trunc - 3)}...`;
    if (autoescape) t = escapeHtml(t);
    return `${prefix}<a href="${url}" rel="nofollow">${t}</a>${suffix}`;
  });
  return out.replace(emailRegexp, (mail: string) => {
    let t = mail;
    if (trunc > 3 && t.length > trunc) t = `${t.slice(0, trunc - 3)}...`;
    return `<a href="mailto:${mail}">${t}</a>`;
  });
}

const iriChars = "/#%[]=:;$&()+,!?*@'~";
const iriencode = (s: string): string => [...s].map((c) => (iriChars.includes(c) ? c : queryEscape(c))).join('');

const phone: Record<string, string> = { a: '2', b: '2', c: '2', d: '3', e: '3', f: '3', g: '4', h: '4', i: '4', j: '5', k: '5', l: '5', m: '6', n: '6', o: '6', p: '7', q: '7', r: '7', s: '7', t: '8', u: '8', v: '8', w: '9', x: '9', y: '9', z: '9' };

const dateFilter: Filter = () => {
  throw new FilterError("filter input argument must be of type 'time.Time'");
};

export const filters: Record<string, Filter> = {
  escape: (v) => escapeHtml(str(v)),
  e: (v) => escapeHtml(str(v)),
  safe: (v) => v,
  escapejs(v) {
    const s = str(v);
    let out = '';
    for (let i = 0; i < s.length; ) {
      const c = s.codePointAt(i)!;
      const ch = String.fromCodePoint(c);
      if (ch === '\\' && (s[i + 1] === 'r' || s[i + 1] === 'n')) {
        out += s[i + 1] === 'r' ? '\\u000D' : '\\u000A';
        i += 2;
        continue;
      }
      out += /[a-zA-Z /]/.test(ch) ? ch : `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
      i += ch.length;
    }
    return out;
  },
  add(v, p) {
    if (isNumber(v) && isNumber(p)) return isFloat(v) || isFloat(p) ? asFloat(float(v) + float(p)) : integer(v) + integer(p);
    return str(v) + str(p);
  },
  addslashes: (v) => str(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll("'", "\\'"),
  capfirst(v) {
    if (len(v) <= 0) return '';
    const [first = '', ...rest] = [...str(v)];
    return first.toUpperCase() + rest.join('');
  },
  center(v, p) {
    const width = integer(p);
    const n = len(v);
    if (width <= n) return v;
    const spaces = width - n;
    return ' '.repeat(Math.floor(spaces / 2) + (spaces % 2)) + str(v) + ' '.repeat(Math.floor(spaces / 2));
  },
  cut: (v, p) => str(v).replaceAll(str(p), ''),
  date: dateFilter,
  time: dateFilter,
  default: (v, p) => (isTrue(v) ? v : p),
  default_if_none: (v, p) => (isNil(v) ? p : v),
  divisibleby: (v, p) => (integer(p) === 0 ? false : integer(v) % integer(p) === 0),
  first: (v) => (canSlice(v) && len(v) > 0 ? index(v, 0) : ''),
  floatformat(v, p) {
    const val = float(v);
    let decimals = isNil(p) ? -1 : integer(p);
    let trim = !isNumber(p);
    if (decimals <= 0) {
      decimals = -decimals;
      trim = true;
    }
    if (trim && Math.trunc(val) === val) return integer(v);
    return val.toFixed(decimals);
  },
  get_digit(v, p) {
    const i = integer(p);
    const s = Buffer.from(str(v), 'utf8');
    if (i <= 0 || i > s.length) return v;
    return (s[s.length - i]! - 48) & 0xff;
  },
  iriencode: (v) => iriencode(str(v)),
  join(v, p) {
    if (!canSlice(v)) return v;
    const sep = str(p);
    const out: string[] = [];
    for (let i = 0; i < len(v); i++) out.push(str(index(v, i)));
    return out.join(sep);
  },
  last: (v) => (canSlice(v) && len(v) > 0 ? index(v, len(v) - 1) : ''),
  length: (v) => len(v),
  length_is: (v, p) => len(v) === integer(p),
  linebreaks(v) {
    if (len(v) === 0) return v;
    const lines = str(v).split('\n');
    let out = '';
    let opened = false;
    lines.forEach((line, i) => {
      if (!opened) {
        out += '<p>';
        opened = true;
      }
      out += line;
      if (i < lines.length - 1 && line.trim() !== '') {
        if (lines[i + 1]!.trim() === '') {
          out += '</p>';
          opened = false;
        } else out += '<br />';
      }
    });
    return opened ? out + '</p>' : out;
  },
  linebreaksbr: (v) => str(v).replaceAll('\n', '<br />'),
  linenumbers: (v) =>
    str(v)
      .split('\n')
      .map((l, i) => `${i + 1}. ${l}`)
      .join('\n'),
  ljust: (v, p) => str(v) + ' '.repeat(Math.max(0, integer(p) - len(v))),
  lower: (v) => str(v).toLowerCase(),
  make_list: (v) => strList([...str(v)]),
  phone2numeric: (v) => [...str(v)].map((c) => phone[c.toLowerCase()] ?? c).join(''),
  pluralize(v, p) {
    if (!isNumber(v)) throw new FilterError("filter 'pluralize' does only work on numbers");
    const one = integer(v) === 1;
    if (len(p) > 0) {
      const endings = str(p).split(',');
      if (endings.length > 2) throw new FilterError("you cannot pass more than 2 arguments to filter 'pluralize'");
      if (endings.length === 1) return one ? '' : endings[0];
      return one ? endings[0] : endings[1];
    }
    return one ? '' : 's';
  },
  random: (v) => (!canSlice(v) || len(v) <= 0 ? v : index(v, Math.floor(Math.random() * len(v)))),
  removetags(v, p) {
    let s = str(v);
    for (const tag of str(p).split(',')) s = s.replace(new RegExp(`</?${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?>`, 'g'), '');
    return s.trim();
  },
  rjust(v, p) {
    const w = integer(p);
    const s = str(v);
    const pad = ' '.repeat(Math.max(0, Math.abs(w) - [...s].length));
    return w < 0 ? s + pad : pad + s;
  },
  slice(v, p) {
    const comp = str(p).split(':');
    if (comp.length !== 2) throw new FilterError("Slice string must have the format 'from:to' [from/to can be omitted, but the ':' is required]");
    if (!canSlice(v)) return v;
    const n = len(v);
    let from = integer(comp[0]);
    let to = n;
    if (from < 0) from = Math.max(n + from, 0);
    if (from > to) from = to;
    let vto = comp[1]!.trim() === '' ? n : integer(comp[1]);
    if (vto < 0) vto = Math.max(n + vto, 0);
    if (vto < from) vto = from;
    if (vto >= from && vto <= n) to = vto;
    return slice(v, from, to);
  },
  split: (v, p) => strList(str(v).split(str(p))),
  stringformat: (v, p) => sprintf(str(p), plain(v)),
  striptags: (v) => str(v).replace(/<[^>]*?>/g, '').trim(),
  title: (v) => (isString(v) ? title(str(v).toLowerCase()) : ''),
  truncatechars: (v, p) => truncateChars(str(v), integer(p)),
  truncatechars_html(v, p) {
    const value = str(v);
    const limit = Math.max(integer(p) - 3, 0);
    const char = (idx: number, out: string[]): [number, number] => {
      const ch = String.fromCodePoint(value.codePointAt(idx)!);
      out.push(ch);
      return [idx + ch.length, 1];
    };
    return truncateHtml(value, limit, char, (count) => count >= limit && count < value.length);
  },
  truncatewords(v, p) {
    const words = fields(str(v));
    const n = integer(p);
    if (n <= 0) return '';
    const out = words.slice(0, Math.min(words.length, n));
    if (n < words.length) out.push('...');
    return out.join(' ');
  },
  truncatewords_html(v, p) {
    const value = str(v);
    const limit = Math.max(integer(p), 0);
    const word = (idx: number, out: string[]): [number, number] => {
      let found = false;
      while (idx < value.length) {
        const c = value[idx]!;
        if (c === '<') return [idx, 0]; // a tag starts: the word is not counted (as in pongo2)
        out.push(c);
        idx++;
        if (c === ' ' || c === '.' || c === ',' || c === ';') break;
        found = true;
      }
      return [idx, found ? 1 : 0];
    };
    return truncateHtml(value, limit, word, (count) => count >= limit);
  },
  upper: (v) => str(v).toUpperCase(),
  urlencode: (v) => queryEscape(str(v)),
  urlize: (v, p) => urlize(str(v), isBool(p) ? (p as boolean) : true, -1),
  urlizetrunc: (v, p) => urlize(str(v), true, integer(p)),
  wordcount: (v) => fields(str(v)).length,
  wordwrap(v, p) {
    const words = fields(str(v));
    const at = integer(p);
    if (at <= 0) return v;
    const lines: string[] = [];
    const count = Math.floor(words.length / at) + (words.length % at);
    for (let i = 0; i < count; i++) lines.push(words.slice(at * i, Math.min(at * (i + 1), words.length)).join(' '));
    return lines.join('\n');
  },
  yesno(v, p) {
    const choices = ['yes', 'no', 'maybe'];
    const ps = str(p);
    const custom = ps.split(',');
    if (ps.length > 0) {
      if (custom.length > 3) throw new FilterError(`you cannot pass more than 3 options to the 'yesno'-filter (got: '${ps}')`);
      if (custom.length < 2) throw new FilterError(`you must either pass no or at least 2 arguments to the 'yesno'-filter (got: '${ps}')`);
      choices[0] = custom[0]!;
      choices[1] = custom[1]!;
      if (custom.length === 3) choices[2] = custom[2]!;
    }
    if (isNil(v)) return choices[2];
    return isTrue(v) ? choices[0] : choices[1];
  },
  float: (v) => new GoFloat(float(v)),
  integer: (v) => integer(v),
};
