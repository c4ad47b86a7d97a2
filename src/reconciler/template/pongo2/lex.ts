// pongo2's lexer (flosch/pongo2 v6 lexer.go): template text becomes HTML
// tokens and, inside {{ }} and {% %}, identifiers, keywords, numbers,
// strings and symbols, each with its file, line and column (1-based) so every
// later error can name file:line:col.
//
// Rules kept from pongo2 because templates written for it depend on them:
// a tag or variable must fit on one line; `{# #}` comments too; strings use
// " or ' and know only the escapes \" and \\; a number is digits only (the
// parser joins `5.5`); `{{-` / `-}}` / `{%-` / `-%}` trim the whitespace of
// the neighbouring text; `{% verbatim %}...{% endverbatim %}` is text.

export type TokenType = 'html' | 'keyword' | 'identifier' | 'string' | 'number' | 'symbol';

export interface Token {
  file: string;
  type: TokenType;
  val: string;
  line: number;
  col: number;
  /** A {{- -}} {%- -%} symbol (stored without the dash). */
  trim?: boolean;
}

/** A template problem with its position: "file:line:col: message". */
export class Pongo2Error extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}:${col}: ${detail}` : `${file}: ${detail}`);
    this.name = 'Pongo2Error';
  }
}

const symbols = ['{{-', '-}}', '{%-', '-%}', '==', '>=', '<=', '&&', '||', '{{', '}}', '{%', '%}', '!=', '<>', '(', ')', '+', '-', '*', '<', '>', '/', '^', ',', '.', '!', '|', ':', '=', '%', '[', ']'];
const keywords = new Set(['in', 'and', 'or', 'not', 'true', 'false', 'as', 'export']);
const isIdentStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isIdent = (c: string | undefined) => c !== undefined && /[A-Za-z_0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

export function lex(file: string, src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let col = 1;
  // Start of the pending HTML text.
  let start = 0;
  let startLine = 1;
  let startCol = 1;
  const fail = (msg: string, l = line, c = col): never => {
    throw new Pongo2Error(file, l, c, msg);
  };
  const advance = (n: number) => {
    for (let i = 0; i < n; i++) {
      if (src[pos] === '\n') {
        line++;
        col = 1;
      } else col++;
      pos++;
    }
  };
  const mark = () => {
    start = pos;
    startLine = line;
    startCol = col;
  };
  const emitHtml = () => {
    if (pos > start) tokens.push({ file, type: 'html', val: src.slice(start, pos), line: startLine, col: startCol });
    mark();
  };

  /** Lexes one {{ ... }} or {% ... %}; returns when the closing symbol is read or at a character pongo2 does not know (the rest is text). */
  const code = () => {
    for (;;) {
      const c = src[pos];
      if (c === undefined) return;
      if (c === ' ' || c === '\t' || c === '\r') {
        advance(1);
        continue;
      }
      if (c === '\n') fail('Newline not allowed within tag/variable.');
      const l = line;
      const k = col;
      if (isIdentStart(c) || isDigit(c)) {
        let e = pos;
        while (isDigit(src[e])) e++;
        const ident = !isDigit(c) || isIdent(src[e]);
        if (ident) while (isIdent(src[e])) e++;
        const val = src.slice(pos, e);
        advance(e - pos);
        tokens.push({ file, type: !ident ? 'number' : keywords.has(val) ? 'keyword' : 'identifier', val, line: l, col: k });
        continue;
      }
      if (c === '"' || c === "'") {
        let e = pos + 1;
        let val = '';
        for (;;) {
          const d = src[e];
          if (d === undefined) fail('Unexpected EOF, string not closed.', l, k);
          if (d === '\n') fail('Newline in string is not allowed.', l, k);
          if (d === c) break;
          if (d === '\\') {
            const n = src[e + 1];
            if (n !== '"' && n !== '\\') fail(`Unknown escape sequence: \\${n ?? ''}`, l, k);
            val += n;
            e += 2;
            continue;
          }
          val += d;
          e++;
        }
        advance(e + 1 - pos);
        tokens.push({ file, type: 'string', val, line: l, col: k });
        continue;
      }
      const sym = symbols.find((s) => src.startsWith(s, pos));
      if (!sym) return;
      advance(sym.length);
      const trim = sym.length === 3;
      tokens.push({ file, type: 'symbol', val: trim ? sym.replace('-', '') : sym, line: l, col: k, ...(trim ? { trim } : {}) });
      if (sym.endsWith('}}') || sym.endsWith('%}')) return;
    }
  };

  while (pos < src.length) {
    if (src.startsWith('{% verbatim %}', pos)) {
      emitHtml();
      advance('{% verbatim %}'.length);
      mark();
      const end = src.indexOf('{% endverbatim %}', pos);
      if (end < 0) fail('verbatim-tag not closed, got EOF.');
      advance(end - pos);
      emitHtml();
      advance('{% endverbatim %}'.length);
      mark();
      continue;
    }
    if (src.startsWith('{#', pos)) {
      emitHtml();
      const l = line;
      const k = col;
      const end = src.indexOf('#}', pos + 2);
      const nl = src.indexOf('\n', pos + 2);
      if (end < 0 && nl < 0) fail('Single-line comment not closed.', l, k);
      if (nl >= 0 && (end < 0 || nl < end)) fail('Newline not permitted in a single-line comment.', l, k);
      advance(end + 2 - pos);
      mark();
      continue;
    }
    if (src.startsWith('{{', pos) || src.startsWith('{%', pos)) {
      emitHtml();
      code();
      mark();
      continue;
    }
    advance(1);
  }
  emitHtml();
  return tokens;
}
