// Operator tables of the grammar: the precedence of each binary operator
// (precedence climbing in parser.ts; higher binds tighter) and the operator
// behind each augmented assignment token. Same levels as starlark-go's
// syntax/parse.go precedence table.
import { T } from './tokens.js';

export const binPrec: Partial<Record<number, number>> = {
  [T.OR]: 1, [T.AND]: 2,
  [T.EQL]: 4, [T.NEQ]: 4, [T.LT]: 4, [T.GT]: 4, [T.LE]: 4, [T.GE]: 4, [T.IN]: 4, [T.NOT_IN]: 4,
  [T.PIPE]: 5, [T.CIRCUMFLEX]: 6, [T.AMP]: 7, [T.LTLT]: 8, [T.GTGT]: 8,
  [T.PLUS]: 9, [T.MINUS]: 9, [T.STAR]: 10, [T.SLASH]: 10, [T.SLASHSLASH]: 10, [T.PERCENT]: 10,
};
/** `not x` binds looser than comparisons, tighter than `and`. */
export const NOT_PREC = 3;
/** Comparisons: non-associative (`a < b < c` is an error). */
export const COMPARE_PREC = 4;

export const augOps: Partial<Record<number, string>> = {
  [T.PLUS_EQ]: '+', [T.MINUS_EQ]: '-', [T.STAR_EQ]: '*', [T.SLASH_EQ]: '/', [T.SLASHSLASH_EQ]: '//',
  [T.PERCENT_EQ]: '%', [T.AMP_EQ]: '&', [T.PIPE_EQ]: '|', [T.CIRCUMFLEX_EQ]: '^', [T.LTLT_EQ]: '<<', [T.GTGT_EQ]: '>>',
};
