// The scanner: Starlark source text → an array of tokens.
//
// Key idea: one pass of plain loops over char codes (acorn-style), producing the
// whole token array up front so the parser can peek freely. Python-style layout
// is resolved here: the scanner emits NEWLINE at the end of each logical line and
// INDENT/OUTDENT when the indentation changes, and suppresses both inside (), []
// and {} (implicit line joining) and after a backslash continuation. Literals are
// decoded here too: ints become numbers or bigints (arbitrary precision), strings
// have their escapes applied and become UTF-8 byte strings (values/utf8.ts),
// bytes become Uint8Arrays.
//
// Trade-off: tokenising the whole file first costs memory proportional to the
// file, which for configuration-sized programs is nothing, and keeps the parser
// free of scanner state.

import { StarlarkSyntaxError, sourceLineOf } from './errors.js';
import { T, Token, TokenKind, keywords, reserved } from './tokens.js';
import { toBytes } from '../values/utf8.js';

const enc = new TextEncoder();

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
/** starlark-go's hint for a non-ASCII \x or octal escape in a string literal. */
function nonAsciiHint(v: number): string {
  const hex = v.toString(16).toUpperCase().padStart(4, '0');
  return `\\u${hex} for the UTF-8 encoding of U+${hex}`;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function scan(file: string, src: string): Token[] {
  return new Scanner(file, src).run();
}

class Scanner {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0; // bracket nesting
  private indents: number[] = [0];
  private toks: Token[] = [];

  constructor(private readonly file: string, private readonly src: string) {}

  error(msg: string, line = this.line, col = this.i - this.lineStart + 1): never {
    throw new StarlarkSyntaxError(this.file, line, col, msg, sourceLineOf(this.src, line));
  }

  private push(kind: TokenKind, line: number, col: number, value: Token['value'] = null): void {
    this.toks.push({ kind, line, col, value });
  }

  private newline(): void {
    this.line++;
    this.lineStart = this.i;
  }

  run(): Token[] {
    const src = this.src;
    const n = src.length;
    let atLineStart = true;
    while (true) {
      if (atLineStart && this.depth === 0) {
        atLineStart = false;
        if (this.layout()) { atLineStart = true; continue; }
      }
      if (this.i >= n) break;
      const c = src.charCodeAt(this.i);
      // whitespace
      if (c === 32 || c === 9 || c === 13 || c === 12) {
        this.i++;
        continue;
      }
      if (c === 10) {
        if (this.depth === 0) {
          this.endLine();
          atLineStart = true;
        }
        this.i++;
        this.newline();
        continue;
      }
      if (c === 35) { // '#': comment to end of line
        while (this.i < n && src.charCodeAt(this.i) !== 10) this.i++;
        continue;
      }
      if (c === 92) { // '\': line continuation
        const nx = src.charCodeAt(this.i + 1);
        if (nx === 10) {
          this.i += 2;
          this.newline();
          continue;
        }
        if (nx === 13 && src.charCodeAt(this.i + 2) === 10) {
          this.i += 3;
          this.newline();
          continue;
        }
        this.error('stray backslash in program');
      }
      this.token(c);
    }
    // End of file: close the last logical line and all open blocks.
    // An unclosed bracket is left to the parser, which reports the first token
    // that does not fit (usually earlier and clearer than "end of file").
    this.endLine();
    const col = this.i - this.lineStart + 1;
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push(T.OUTDENT, this.line, col);
    }
    this.push(T.EOF, this.line, col);
    return this.toks;
  }

  /** Emits NEWLINE if the current logical line had any token. */
  private endLine(): void {
    const last = this.toks.length ? this.toks[this.toks.length - 1].kind : T.NEWLINE;
    if (last !== T.NEWLINE && last !== T.INDENT && last !== T.OUTDENT) {
      this.push(T.NEWLINE, this.line, this.i - this.lineStart + 1);
    }
  }

  /**
   * At the start of a line outside brackets: measure indentation and emit
   * INDENT/OUTDENT. Blank and comment-only lines are skipped entirely.
   * Returns true if it consumed a blank line (caller loops again).
   */
  private layout(): boolean {
    const src = this.src;
    let col = 0;
    let j = this.i;
    for (; j < src.length; j++) {
      const c = src.charCodeAt(j);
      if (c === 32) col++;
      else if (c === 9) col += 8 - (col % 8);
      else if (c === 12 || c === 13) { /* ignore */ }
      else break;
    }
    const c = j < src.length ? src.charCodeAt(j) : -1;
    if (c === 10 || c === 35 || c === -1) {
      // Blank or comment-only line: no layout effect.
      if (c === 35) while (j < src.length && src.charCodeAt(j) !== 10) j++;
      this.i = j;
      if (j < src.length) {
        this.i++;
        this.newline();
        return true;
      }
      return false;
    }
    if (c === 92 && (src.charCodeAt(j + 1) === 10)) {
      // A line that starts with a continuation joins the next one; layout as-is.
    }
    this.i = j;
    const top = this.indents[this.indents.length - 1];
    const tokCol = j - this.lineStart + 1;
    if (col > top) {
      if (this.toks.length === 0) this.error('unexpected indent', this.line, tokCol);
      this.indents.push(col);
      this.push(T.INDENT, this.line, tokCol);
    } else if (col < top) {
      while (this.indents.length > 1 && col < this.indents[this.indents.length - 1]) {
        this.indents.pop();
        this.push(T.OUTDENT, this.line, tokCol);
      }
      if (col !== this.indents[this.indents.length - 1]) this.error('unindent does not match any outer indentation level', this.line, tokCol);
    }
    return false;
  }

  private token(c: number): void {
    const src = this.src;
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    if (isIdentStart(c)) {
      // String prefixes r, b, rb, br (any case).
      const c1 = src.charCodeAt(this.i + 1);
      const lc = c | 32;
      if ((lc === 114 || lc === 98) && (c1 === 34 || c1 === 39)) {
        this.i++;
        this.string(line, col, lc === 114, lc === 98);
        return;
      }
      if ((lc === 114 || lc === 98) && ((c1 | 32) === 114 || (c1 | 32) === 98) && (c1 | 32) !== lc) {
        const c2 = src.charCodeAt(this.i + 2);
        if (c2 === 34 || c2 === 39) {
          this.i += 2;
          this.string(line, col, true, true);
          return;
        }
      }
      const start = this.i;
      while (this.i < src.length && isIdentPart(src.charCodeAt(this.i))) this.i++;
      const word = src.slice(start, this.i);
      const kw = keywords.get(word);
      if (kw !== undefined) {
        // `not in` is one operator token.
        if (kw === T.IN) {
          const prev = this.toks[this.toks.length - 1];
          if (prev && prev.kind === T.NOT && prev.line === line) {
            prev.kind = T.NOT_IN;
            return;
          }
        }
        this.push(kw, line, col);
      } else if (reserved.has(word)) {
        this.error(`keyword ${word} is reserved`, line, col);
      } else {
        this.push(T.IDENT, line, col, toBytes(word)); // identifiers are UTF-8 byte strings too, as Go strings (values/utf8.ts)
      }
      return;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(this.i + 1)))) {
      this.number(line, col);
      return;
    }
    if (c === 34 || c === 39) {
      this.string(line, col, false, false);
      return;
    }
    this.i++;
    const nx = src.charCodeAt(this.i);
    let kind: TokenKind;
    switch (c) {
      case 40: kind = T.LPAREN; this.depth++; break;
      case 41: kind = T.RPAREN; this.depth--; break;
      case 91: kind = T.LBRACK; this.depth++; break;
      case 93: kind = T.RBRACK; this.depth--; break;
      case 123: kind = T.LBRACE; this.depth++; break;
      case 125: kind = T.RBRACE; this.depth--; break;
      case 44: kind = T.COMMA; break;
      case 59: kind = T.SEMI; break;
      case 58: kind = T.COLON; break;
      case 46: kind = T.DOT; break;
      case 126: kind = T.TILDE; break;
      case 43: kind = this.eq(nx, T.PLUS, T.PLUS_EQ); break;
      case 45: kind = this.eq(nx, T.MINUS, T.MINUS_EQ); break;
      case 37: kind = this.eq(nx, T.PERCENT, T.PERCENT_EQ); break;
      case 38: kind = this.eq(nx, T.AMP, T.AMP_EQ); break;
      case 124: kind = this.eq(nx, T.PIPE, T.PIPE_EQ); break;
      case 94: kind = this.eq(nx, T.CIRCUMFLEX, T.CIRCUMFLEX_EQ); break;
      case 61: kind = this.eq(nx, T.EQ, T.EQL); break;
      case 42:
        if (nx === 42) { this.i++; kind = T.STARSTAR; } else kind = this.eq(nx, T.STAR, T.STAR_EQ);
        break;
      case 47:
        if (nx === 47) { this.i++; kind = this.eq(src.charCodeAt(this.i), T.SLASHSLASH, T.SLASHSLASH_EQ); } else kind = this.eq(nx, T.SLASH, T.SLASH_EQ);
        break;
      case 60:
        if (nx === 60) { this.i++; kind = this.eq(src.charCodeAt(this.i), T.LTLT, T.LTLT_EQ); } else kind = this.eq(nx, T.LT, T.LE);
        break;
      case 62:
        if (nx === 62) { this.i++; kind = this.eq(src.charCodeAt(this.i), T.GTGT, T.GTGT_EQ); } else kind = this.eq(nx, T.GT, T.GE);
        break;
      case 33:
        if (nx === 61) { this.i++; kind = T.NEQ; break; }
        this.error(`unexpected input character '!'`, line, col);
      default:
        this.error(`unexpected input character '${String.fromCharCode(c)}'`, line, col);
    }
    if (this.depth < 0) this.error(`unexpected '${String.fromCharCode(c)}'`, line, col);
    this.push(kind, line, col);
  }

  private eq(nx: number, plain: TokenKind, withEq: TokenKind): TokenKind {
    if (nx === 61) {
      this.i++;
      return withEq;
    }
    return plain;
  }

  private number(line: number, col: number): void {
    const src = this.src;
    const start = this.i;
    const c0 = src.charCodeAt(this.i);
    const c1 = src.charCodeAt(this.i + 1) | 32;
    if (c0 === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      // 0x / 0o / 0b
      this.i += 2;
      const ds = this.i;
      while (this.i < src.length && isIdentPart(src.charCodeAt(this.i))) this.i++;
      const digits = src.slice(ds, this.i);
      const base = c1 === 120 ? 16 : c1 === 111 ? 8 : 2;
      const ok = digits.length > 0 && [...digits].every((d) => { const v = hexVal(d.charCodeAt(0)); return v >= 0 && v < base; });
      if (!ok) this.error(`invalid int literal: ${src.slice(start, this.i)}`, line, col);
      const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '0b';
      this.pushInt(BigInt(prefix + digits), line, col);
      return;
    }
    let isFloat = false;
    while (isDigit(src.charCodeAt(this.i))) this.i++;
    if (src.charCodeAt(this.i) === 46) {
      isFloat = true;
      this.i++;
      while (isDigit(src.charCodeAt(this.i))) this.i++;
    }
    if ((src.charCodeAt(this.i) | 32) === 101) {
      const save = this.i;
      this.i++;
      const s = src.charCodeAt(this.i);
      if (s === 43 || s === 45) this.i++;
      if (isDigit(src.charCodeAt(this.i))) {
        isFloat = true;
        while (isDigit(src.charCodeAt(this.i))) this.i++;
      } else {
        this.i = save;
      }
    }
    if (isIdentPart(src.charCodeAt(this.i))) {
      while (isIdentPart(src.charCodeAt(this.i))) this.i++;
      this.error(`invalid numeric literal: ${src.slice(start, this.i)}`, line, col);
    }
    const text = src.slice(start, this.i);
    if (isFloat) {
      this.toks.push({ kind: T.FLOAT, line, col, value: Number(text), raw: text });
      return;
    }
    if (text.length > 1 && text.charCodeAt(0) === 48) {
      if (/^0+$/.test(text)) {
        this.pushInt(0n, line, col);
        return;
      }
      this.error(`obsolete form of octal literal; use 0o${text.replace(/^0+/, '')}`, line, col);
    }
    this.pushInt(text.length < 16 ? Number(text) : BigInt(text), line, col);
  }

  private pushInt(v: number | bigint, line: number, col: number): void {
    if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) v = Number(v);
    this.push(T.INT, line, col, v);
  }

  /** starlark-go's error for an escape (\\x, \\u) cut short by the end of the literal; this.i is after its letter. */
  private truncatedEscape(q: number, digits: number, line: number, col: number): void {
    let t = this.i;
    while (t < this.i + digits && t < this.src.length && this.src.charCodeAt(t) !== q && this.src.charCodeAt(t) !== 10) t++;
    if (t < this.i + digits) this.error(`truncated escape sequence ${this.src.slice(this.i - 2, t)}`, line, col);
  }

  /** Scans a string or bytes literal; this.i is at the opening quote. */
  private string(line: number, col: number, raw: boolean, bytes: boolean): void {
    const src = this.src;
    const q = src.charCodeAt(this.i);
    const triple = src.charCodeAt(this.i + 1) === q && src.charCodeAt(this.i + 2) === q;
    this.i += triple ? 3 : 1;
    let out = ''; // for strings
    const buf: number[] = []; // for bytes
    let chunk = this.i; // start of pending literal text
    const flush = (end: number) => {
      if (end > chunk) {
        const text = src.slice(chunk, end);
        if (bytes) for (const b of enc.encode(text)) buf.push(b);
        else out += text;
      }
    };
    const emitCode = (cp: number, isByteEscape: boolean) => {
      if (bytes) {
        if (isByteEscape) buf.push(cp);
        else for (const b of enc.encode(String.fromCodePoint(cp))) buf.push(b);
      } else {
        out += String.fromCodePoint(cp);
      }
    };
    while (true) {
      if (this.i >= src.length) this.error('unexpected end of file in string literal', line, col);
      const c = src.charCodeAt(this.i);
      if (c === q) {
        if (!triple) break;
        if (src.charCodeAt(this.i + 1) === q && src.charCodeAt(this.i + 2) === q) break;
        this.i++;
        continue;
      }
      if (c === 10) {
        if (!triple) this.error('unexpected newline in string', line, col);
        this.i++;
        this.newline();
        continue;
      }
      if (c === 13) {
        // A carriage return (of CRLF too) in a literal is a newline, as starlark-go's unquote.
        if (!triple) this.error('unexpected newline in string', line, col);
        flush(this.i);
        if (bytes) buf.push(10);
        else out += '\n';
        this.i++;
        if (src.charCodeAt(this.i) === 10) {
          this.i++;
          this.newline();
        }
        chunk = this.i;
        continue;
      }
      if (c !== 92) {
        this.i++;
        continue;
      }
      // Backslash.
      if (raw) {
        // In raw strings a backslash is kept but still protects the next char (quote or newline).
        const nx = src.charCodeAt(this.i + 1);
        if (nx === 13) {
          // a protected CR is still a newline in the value (CRLF: one)
          flush(this.i + 1);
          if (bytes) buf.push(10);
          else out += '\n';
          this.i += 2;
          if (triple && src.charCodeAt(this.i) === 10) {
            this.i++;
            this.newline();
          }
          chunk = this.i;
          continue;
        }
        this.i += 2;
        if (nx === 10) this.newline();
        continue;
      }
      flush(this.i);
      const escLine = this.line;
      const escCol = this.i - this.lineStart + 1;
      const e = src.charCodeAt(this.i + 1);
      this.i += 2;
      switch (e) {
        case 10: this.newline(); break; // escaped newline: line continuation inside the literal
        case 97: emitCode(7, false); break; // \a
        case 98: emitCode(8, false); break; // \b
        case 102: emitCode(12, false); break; // \f
        case 110: emitCode(10, false); break; // \n
        case 114: emitCode(13, false); break; // \r
        case 116: emitCode(9, false); break; // \t
        case 118: emitCode(11, false); break; // \v
        case 92: case 39: case 34: emitCode(e, false); break;
        case 120: { // \xhh
          const h1 = hexVal(src.charCodeAt(this.i));
          const h2 = hexVal(src.charCodeAt(this.i + 1));
          this.truncatedEscape(q, 2, escLine, escCol);
          const text = src.slice(this.i - 2, this.i + 2);
          if (h1 < 0 || h2 < 0) this.error(`invalid escape sequence ${text}`, escLine, escCol);
          this.i += 2;
          const v = h1 * 16 + h2;
          if (!bytes && v > 127) this.error(`non-ASCII hex escape ${text} (use ${nonAsciiHint(v)})`, escLine, escCol);
          emitCode(v, true);
          break;
        }
        case 117: case 85: { // \uXXXX \UXXXXXXXX
          const nd = e === 117 ? 4 : 8;
          this.truncatedEscape(q, nd, escLine, escCol);
          let cp = 0;
          for (let k = 0; k < nd; k++) {
            const h = hexVal(src.charCodeAt(this.i + k));
            if (h < 0) this.error(`invalid escape sequence ${src.slice(this.i - 2, this.i + nd)}`, escLine, escCol);
            cp = cp * 16 + h;
          }
          this.i += nd;
          if (cp > 0x10ffff) this.error(`code point out of range: ${src.slice(this.i - nd - 2, this.i)} (max \\U0010ffff)`, escLine, escCol);
          if (cp >= 0xd800 && cp < 0xe000) this.error(`invalid Unicode code point U+${cp.toString(16).toUpperCase()}`, escLine, escCol);
          emitCode(cp, false);
          break;
        }
        default:
          if (e >= 48 && e <= 55) { // octal \o \oo \ooo
            let v = e - 48;
            for (let k = 0; k < 2; k++) {
              const d = src.charCodeAt(this.i);
              if (d >= 48 && d <= 55) { v = v * 8 + d - 48; this.i++; } else break;
            }
            if (!bytes && v > 127) this.error(`non-ASCII octal escape \\${v.toString(8)} (use ${nonAsciiHint(v)})`, escLine, escCol);
            if (v > 255) this.error(`invalid escape sequence \\${v.toString(8).padStart(3, '0')}`, escLine, escCol);
            emitCode(v, true);
            break;
          }
          if (e === 13 && src.charCodeAt(this.i) === 10) { this.i++; this.newline(); break; }
          this.error(`invalid escape sequence \\${String.fromCharCode(e)}`, escLine, escCol);
      }
      chunk = this.i;
    }
    flush(this.i);
    this.i += triple ? 3 : 1;
    if (bytes) this.push(T.BYTES, line, col, Uint8Array.from(buf));
    else this.push(T.STRING, line, col, toBytes(out)); // Starlark strings are UTF-8 byte strings (values/utf8.ts)
  }
}
