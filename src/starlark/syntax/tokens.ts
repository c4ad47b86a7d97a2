// Token kinds and the token record produced by the scanner.
//
// Kinds are small integers (a const enum-like object) so the parser compares
// numbers, not strings; `tokenName` gives the spelling used in error messages
// ("got newline, want ':'"), matching starlark-go's wording.

export const T = {
  EOF: 0,
  NEWLINE: 1,
  INDENT: 2,
  OUTDENT: 3,
  IDENT: 4,
  INT: 5,
  FLOAT: 6,
  STRING: 7,
  BYTES: 8,
  // punctuation
  PLUS: 10, MINUS: 11, STAR: 12, SLASH: 13, SLASHSLASH: 14, PERCENT: 15,
  AMP: 16, PIPE: 17, CIRCUMFLEX: 18, LTLT: 19, GTGT: 20, TILDE: 21,
  DOT: 22, COMMA: 23, EQ: 24, SEMI: 25, COLON: 26,
  LPAREN: 27, RPAREN: 28, LBRACK: 29, RBRACK: 30, LBRACE: 31, RBRACE: 32,
  LT: 33, GT: 34, GE: 35, LE: 36, EQL: 37, NEQ: 38,
  PLUS_EQ: 39, MINUS_EQ: 40, STAR_EQ: 41, SLASH_EQ: 42, SLASHSLASH_EQ: 43, PERCENT_EQ: 44,
  AMP_EQ: 45, PIPE_EQ: 46, CIRCUMFLEX_EQ: 47, LTLT_EQ: 48, GTGT_EQ: 49,
  STARSTAR: 50,
  // keywords
  AND: 60, BREAK: 61, CONTINUE: 62, DEF: 63, ELIF: 64, ELSE: 65, FOR: 66, IF: 67,
  IN: 68, LAMBDA: 69, LOAD: 70, NOT: 71, NOT_IN: 72, OR: 73, PASS: 74, RETURN: 75, WHILE: 76,
} as const;

export type TokenKind = (typeof T)[keyof typeof T];

/** A Map, not an object literal: `constructor` or `__proto__` must not look like keywords. */
export const keywords = new Map<string, TokenKind>([
  ['and', T.AND], ['break', T.BREAK], ['continue', T.CONTINUE], ['def', T.DEF], ['elif', T.ELIF],
  ['else', T.ELSE], ['for', T.FOR], ['if', T.IF], ['in', T.IN], ['lambda', T.LAMBDA], ['load', T.LOAD],
  ['not', T.NOT], ['or', T.OR], ['pass', T.PASS], ['return', T.RETURN], ['while', T.WHILE],
]);

/**
 * Python keywords that Starlark reserves; using one is a syntax error. `assert`
 * is deliberately absent: starlark-go accepts it as an identifier and test
 * suites use `load("assert.star", "assert")`.
 */
export const reserved = new Set([
  'as', 'async', 'await', 'class', 'del', 'except', 'finally', 'from', 'global',
  'import', 'is', 'nonlocal', 'raise', 'try', 'with', 'yield',
]);

const names: Record<number, string> = {
  [T.EOF]: 'end of file', [T.NEWLINE]: 'newline', [T.INDENT]: 'indent', [T.OUTDENT]: 'outdent',
  [T.IDENT]: 'identifier', [T.INT]: 'int literal', [T.FLOAT]: 'float literal',
  [T.STRING]: 'string literal', [T.BYTES]: 'bytes literal',
  [T.PLUS]: '+', [T.MINUS]: '-', [T.STAR]: '*', [T.SLASH]: '/', [T.SLASHSLASH]: '//', [T.PERCENT]: '%',
  [T.AMP]: '&', [T.PIPE]: '|', [T.CIRCUMFLEX]: '^', [T.LTLT]: '<<', [T.GTGT]: '>>', [T.TILDE]: '~',
  [T.DOT]: '.', [T.COMMA]: ',', [T.EQ]: '=', [T.SEMI]: ';', [T.COLON]: ':',
  [T.LPAREN]: '(', [T.RPAREN]: ')', [T.LBRACK]: '[', [T.RBRACK]: ']', [T.LBRACE]: '{', [T.RBRACE]: '}',
  [T.LT]: '<', [T.GT]: '>', [T.GE]: '>=', [T.LE]: '<=', [T.EQL]: '==', [T.NEQ]: '!=',
  [T.PLUS_EQ]: '+=', [T.MINUS_EQ]: '-=', [T.STAR_EQ]: '*=', [T.SLASH_EQ]: '/=', [T.SLASHSLASH_EQ]: '//=',
  [T.PERCENT_EQ]: '%=', [T.AMP_EQ]: '&=', [T.PIPE_EQ]: '|=', [T.CIRCUMFLEX_EQ]: '^=', [T.LTLT_EQ]: '<<=',
  [T.GTGT_EQ]: '>>=', [T.STARSTAR]: '**',
  [T.AND]: 'and', [T.BREAK]: 'break', [T.CONTINUE]: 'continue', [T.DEF]: 'def', [T.ELIF]: 'elif',
  [T.ELSE]: 'else', [T.FOR]: 'for', [T.IF]: 'if', [T.IN]: 'in', [T.LAMBDA]: 'lambda', [T.LOAD]: 'load',
  [T.NOT]: 'not', [T.NOT_IN]: 'not in', [T.OR]: 'or', [T.PASS]: 'pass', [T.RETURN]: 'return', [T.WHILE]: 'while',
};

/** Punctuation and keywords in quotes ('='), other kinds by description (newline, identifier). */
export function quotedTokenName(kind: number): string {
  return kind >= T.PLUS ? `'${tokenName(kind)}'` : tokenName(kind);
}

export function tokenName(kind: number): string {
  return names[kind] ?? `token(${kind})`;
}

/**
 * One token. `value` holds the decoded literal: identifier name, int (number or
 * bigint), float (JS number), string (JS string) or bytes (Uint8Array).
 */
export interface Token {
  kind: TokenKind;
  line: number;
  col: number;
  value: string | number | bigint | Uint8Array | null;
  /** For FLOAT tokens: the literal spelling (for error messages). */
  raw?: string;
}
