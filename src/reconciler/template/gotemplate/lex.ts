// Lexing Go text/template source into text runs and actions.
//
// The source is split at `{{` / `}}`. A text run is kept verbatim, except for
// the trim markers: `{{- ` removes the whitespace before the action and ` -}}`
// the whitespace after it (the marker needs a space next to it, as in Go, so
// `{{-3}}` is the number -3). Each action becomes a list of tokens with their
// line and column; comments `{{/* ... */}}` vanish. Tokens remember whether
// whitespace preceded them, which is how `$x.a` (a chain) differs from
// `$x .a` (two arguments) — the same rule Go's lexer applies.

export type TokenKind = 'ident' | 'field' | 'dot' | 'var' | 'string' | 'number' | 'lparen' | 'rparen' | 'pipe' | 'declare' | 'assign' | 'comma';

export interface Token {
  kind: TokenKind;
  /** ident / field name (without the dot) / variable name (with `$`) / string value / number text. */
  text: string;
  value?: number;
  spaceBefore: boolean;
  line: number;
  /** 1-based column of the token's first character. */
  col: number;
}

export type Item = { kind: 'text'; text: string; line: number } | { kind: 'action'; tokens: Token[]; line: number };

export class TemplateSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

export function lex(file: string, src: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let trimNext = false;
  /** Counts the newlines of src[from, to). */
  const countLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (src[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
  };
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    const textLine = line;
    countLines(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) items.push({ kind: 'text', text, line: textLine });
      break;
    }
    const trimLeft = src[open + 2] === '-' && isSpace(src[open + 3]);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) items.push({ kind: 'text', text, line: textLine });
    let p = open + 2 + (trimLeft ? 2 : 0);
    const actionLine = line;
    // Comment: {{/* ... */}} (with optional trim markers).
    let q = p;
    while (isSpace(src[q])) q++;
    if (src.startsWith('/*', q)) {
      const end = src.indexOf('*/', q + 2);
      if (end < 0) throw new TemplateSyntaxError(file, actionLine, 'unclosed comment');
      countLines(p, end + 2);
      let r = end + 2;
      if (src.startsWith(' -}}', r)) {
        r += 4;
        trimNext = true;
      } else if (src.startsWith('}}', r)) {
        r += 2;
        trimNext = false;
      } else throw new TemplateSyntaxError(file, actionLine, 'comment ends before closing delimiter');
      pos = r;
      continue;
    }
    const tokens: Token[] = [];
    let space = true;
    for (;;) {
      if (p >= src.length) throw new TemplateSyntaxError(file, actionLine, 'unclosed action');
      const c = src[p]!;
      if (isSpace(c)) {
        if (src.startsWith('-}}', p + 1)) {
          countLines(p, p + 1);
          p += 4;
          trimNext = true;
          break;
        }
        countLines(p, p + 1);
        p++;
        space = true;
        continue;
      }
      if (src.startsWith('}}', p)) {
        p += 2;
        trimNext = false;
        break;
      }
      const tok = (kind: TokenKind, text: string, len: number, value?: number) => {
        tokens.push({ kind, text, value, spaceBefore: space, line, col: p - lineStart + 1 });
        p += len;
        space = false;
      };
      if (c === '(') tok('lparen', c, 1);
      else if (c === ')') tok('rparen', c, 1);
      else if (c === '|') tok('pipe', c, 1);
      else if (c === ',') tok('comma', c, 1);
      else if (c === ':' && src[p + 1] === '=') tok('declare', ':=', 2);
      else if (c === '=') tok('assign', '=', 1);
      else if (c === '"') {
        let r = p + 1;
        let s = '';
        while (r < src.length && src[r] !== '"') {
          if (src[r] === '\n') throw new TemplateSyntaxError(file, line, 'unterminated quoted string');
          if (src[r] === '\\') {
            const e = src[r + 1];
            const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };
            if (e === 'u' || e === 'x') {
              const len = e === 'u' ? 4 : 2;
              s += String.fromCharCode(parseInt(src.slice(r + 2, r + 2 + len), 16));
              r += 2 + len;
              continue;
            }
            s += map[e ?? ''] ?? e ?? '';
            r += 2;
            continue;
          }
          s += src[r];
          r++;
        }
        if (r >= src.length) throw new TemplateSyntaxError(file, line, 'unterminated quoted string');
        tok('string', s, r + 1 - p);
      } else if (c === '`') {
        const end = src.indexOf('`', p + 1);
        if (end < 0) throw new TemplateSyntaxError(file, line, 'unterminated raw quoted string');
        const from = p + 1;
        tok('string', src.slice(from, end), end + 1 - p);
        countLines(from, end);
      } else if (c === "'") {
        const m = /^'(\\.|[^'\\])'/.exec(src.slice(p));
        if (!m) throw new TemplateSyntaxError(file, line, 'invalid character constant');
        const ch = m[1]!.length === 2 ? ({ n: '\n', t: '\t' } as Record<string, string>)[m[1]![1]!] ?? m[1]![1]! : m[1]!;
        tok('number', m[0], m[0].length, ch.codePointAt(0));
      } else if (c === '.' && isAlnum(src[p + 1]) && !/[0-9]/.test(src[p + 1]!)) {
        const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p))!;
        tok('field', m[0].slice(1), m[0].length);
      } else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) tok('dot', '.', 1);
      else if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(p))!;
        tok('var', m[0], m[0].length);
      } else if (/[0-9.+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(p));
        const text = m?.[0] ?? '';
        const value = Number(text.replaceAll('_', ''));
        if (!text || text === '+' || text === '-' || Number.isNaN(value)) throw new TemplateSyntaxError(file, line, `bad number syntax: ${JSON.stringify(src.slice(p, p + 10))}`);
        tok('number', text, text.length, value);
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p))!;
        tok('ident', m[0], m[0].length);
      } else throw new TemplateSyntaxError(file, line, `unexpected ${JSON.stringify(c)} in action`);
    }
    items.push({ kind: 'action', tokens, line: actionLine });
    pos = p;
  }
  return items;
}
