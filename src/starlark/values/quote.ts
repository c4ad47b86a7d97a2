// Starlark string and bytes literals for repr(): double-quoted, with the escapes
// starlark-go's syntax.Quote produces (\n \t \" \\ ..., \xNN for other control
// characters and invalid bytes, \uXXXX for non-printable code points).
// Key idea: scan once and return the input untouched in the common case where
// nothing needs escaping; only non-ASCII characters pay for the Unicode
// printability test. Strings and bytes are both UTF-8 byte strings (utf8.ts),
// so one loop quotes both.

import { decodeRune, runeWidth } from './utf8.js';

function needsEscape(c: number): boolean {
  return c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f;
}

/** repr of a string (a UTF-8 byte string, utf8.ts). */
export function quoteString(s: string): string {
  let i = 0;
  const n = s.length;
  while (i < n && !needsEscape(s.charCodeAt(i))) i++;
  if (i === n) return '"' + s + '"';
  return quoteFrom('"' + s.slice(0, i), s, i);
}

/**
 * repr of a bytes value (a binary string): b"..." where valid UTF-8 sequences
 * of printable characters appear as text and every other byte as \xNN.
 */
export function quoteBytes(b: string): string {
  return quoteFrom('b"', b, 0);
}

/** Quotes s from byte i on, after `out`: printable runes as themselves (UTF-8 bytes), others escaped. */
function quoteFrom(out: string, s: string, i: number): string {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += escapeAscii(c);
      i++;
      continue;
    }
    const cp = decodeRune(s, i);
    if (cp < 0) {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
      continue;
    }
    out += escapeRune(cp, s.slice(i, i + runeWidth));
    i += runeWidth;
  }
  return out + '"';
}

function escapeAscii(c: number): string {
  switch (c) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
  }
  if (c < 0x20 || c === 0x7f) return '\\x' + c.toString(16).padStart(2, '0');
  return String.fromCharCode(c);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** A non-ASCII code point as Go's strconv.Quote writes it: itself (its UTF-8 bytes) if printable, else \uXXXX / \UXXXXXXXX. */
function escapeRune(cp: number, bytes: string): string {
  if (PRINTABLE.test(String.fromCodePoint(cp))) return bytes;
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}
