// Starlark string and bytes literals for repr(): double-quoted, with the escapes
// starlark-go's syntax.Quote produces (\n \t \" \\ ..., \xNN for other control
// characters and invalid bytes, \uXXXX for non-printable code points).
// Key idea: scan once and return the input untouched in the common case where
// nothing needs escaping; only non-ASCII characters pay for the Unicode
// printability test.

function needsEscape(c: number): boolean {
  return c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f;
}

export function quoteString(s: string): string {
  let i = 0;
  const n = s.length;
  while (i < n && !needsEscape(s.charCodeAt(i))) i++;
  if (i === n) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!needsEscape(c)) {
      out += s[i];
      continue;
    }
    if (c >= 0x80 && (c < 0xd800 || c > 0xdfff)) {
      out += escapeRune(c);
      continue;
    }
    switch (c) {
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x0b: out += '\\v'; break;
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      default:
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            out += escapeRune(s.codePointAt(i)!); // a valid surrogate pair is one code point
            i++;
            break;
          }
        }
        if (c < 0x80) out += '\\x' + c.toString(16).padStart(2, '0');
        else out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + '"';
}

/**
 * repr of a bytes value (a binary string): b"..." where valid UTF-8 sequences
 * of printable characters appear as text and every other byte as \xNN.
 */
export function quoteBytes(b: string): string {
  let out = 'b"';
  const n = b.length;
  for (let i = 0; i < n; ) {
    const c = b.charCodeAt(i);
    if (c < 0x80) {
      out += escapeAscii(c);
      i++;
      continue;
    }
    const len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    let cp = -1;
    if (len > 0 && i + len <= n) {
      cp = len === 2 ? c & 0x1f : len === 3 ? c & 0x0f : c & 0x07;
      for (let k = 1; k < len; k++) {
        const d = b.charCodeAt(i + k);
        if ((d & 0xc0) !== 0x80) {
          cp = -1;
          break;
        }
        cp = (cp << 6) | (d & 0x3f);
      }
      // Reject overlong forms, surrogates and out-of-range code points.
      if (cp >= 0 && ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))) cp = -1;
    }
    if (cp < 0) {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
      continue;
    }
    out += escapeRune(cp);
    i += len;
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

/** A non-ASCII code point as Go's strconv.Quote writes it: itself if printable, else \uXXXX / \UXXXXXXXX. */
function escapeRune(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (PRINTABLE.test(ch)) return ch;
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}
