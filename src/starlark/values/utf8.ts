// Starlark strings are UTF-8 byte sequences (as in starlark-go): len, indexing,
// slicing, find offsets, hashing and ordering all count bytes. We hold a
// Starlark string as a JS "byte string": one char per byte, codes 0..255 (the
// representation StarBytes uses too), so every byte operation is a native JS
// string operation. ASCII text is the same in both encodings, so the common
// case costs nothing; only non-ASCII text is transcoded, at the boundaries:
// source literals (scanner), host data (convert.ts, the reconciler's host
// API), print() output and error messages (decoded back to Unicode text).
//
// Decoding follows Go's unicode/utf8: an invalid byte (bad lead, bad or
// missing continuation, overlong form, surrogate, > U+10FFFF) is one error of
// width 1, rendered as U+FFFD — one per bad byte.

/**
 * True if every char is < 0x80 (the text is its own UTF-8 encoding). Runs at
 * every host crossing of every string: a JS loop for short strings, Node's
 * native (SIMD) UTF-8 length for longer ones, where it is several times faster.
 */
export function isAscii(s: string): boolean {
  if (s.length < 16) {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
    return true;
  }
  return Buffer.byteLength(s, 'utf8') === s.length;
}

/** Unicode text (a JS string) → its UTF-8 byte string. Lone surrogates become U+FFFD. */
export function toBytes(text: string): string {
  if (isAscii(text)) return text;
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A UTF-8 byte string → Unicode text; each invalid byte becomes U+FFFD. */
export function fromBytes(s: string): string {
  if (isAscii(s)) return s;
  let out = '';
  let start = 0; // start of a pending run of ASCII
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    if (i > start) out += s.slice(start, i);
    const cp = decodeRune(s, i);
    out += cp < 0 ? '\ufffd' : String.fromCodePoint(cp);
    i += runeWidth;
    start = i;
  }
  return out + s.slice(start);
}

/** Width in bytes of the rune decoded by the last decodeRune call (1 for an invalid byte). */
export let runeWidth = 1;

/**
 * Decodes the rune starting at byte i of s (i < s.length): its code point, or
 * -1 for an invalid byte (then runeWidth is 1). Sets runeWidth.
 */
export function decodeRune(s: string, i: number): number {
  const c = s.charCodeAt(i);
  runeWidth = 1;
  if (c < 0x80) return c;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  let cp: number;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f; // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f; // ≤ U+10FFFF
  } else return -1;
  if (i + n > s.length) return -1;
  const d = s.charCodeAt(i + 1);
  if (d < lo || d > hi) return -1;
  cp = (cp << 6) | (d & 0x3f);
  for (let k = 2; k < n; k++) {
    const e = s.charCodeAt(i + k);
    if ((e & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (e & 0x3f);
  }
  runeWidth = n;
  return cp;
}

/** The UTF-8 byte string of one code point; surrogates and out-of-range values encode U+FFFD, as Go. */
export function encodeRune(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) cp = 0xfffd;
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** The runes of a byte string as byte-string pieces (an invalid byte is its own piece), for per-rune algorithms. */
export function runes(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    if (s.charCodeAt(i) < 0x80) {
      out.push(s[i++]!);
      continue;
    }
    decodeRune(s, i);
    out.push(s.slice(i, i + runeWidth));
    i += runeWidth;
  }
  return out;
}

/** Number of runes (invalid bytes count one each), as utf8.RuneCountInString. */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; n++) {
    if (s.charCodeAt(i) < 0x80) i++;
    else {
      decodeRune(s, i);
      i += runeWidth;
    }
  }
  return n;
}

/**
 * Applies a Unicode text transformation to a byte string; invalid bytes reach
 * `f` as U+FFFD (as Go's strings.Map, used by ToUpper/ToLower, replaces them).
 */
export function mapText(s: string, f: (text: string) => string): string {
  return isAscii(s) ? f(s) : toBytes(f(fromBytes(s)));
}
