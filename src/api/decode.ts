// Decoding untrusted JSON and YAML text within bounds, for API request bodies
// and project files alike. Objects nest a few dozen levels; far deeper input
// is an attack on the recursive code behind every decoder, copier and
// validator, and a YAML parser left alone builds its whole syntax tree first
// (a 3 MB body of `[[[[…` took seconds and a gigabyte before any check).
//
// Key idea: measure nesting before or while parsing, never after. JSON gets a
// one-pass bracket count over the text (strings skipped). YAML is driven
// lexeme by lexeme through the `yaml` package's own Lexer, Parser and Composer
// (what its parseDocument does) and stopped as soon as the parser's stack of
// open collections passes the limit; the stack is at most about two entries
// per level of nesting, so the exact depth is checked again on the result.
// Alias expansion is bounded by the package's maxAliasCount when converting.
// kube-apiserver's decoders allow 10,000 levels (Go's encoding/json and
// go-yaml); ours are recursive JavaScript, so the limit is lower.
//
// Flat input costs too: the YAML package builds a node of about a kilobyte
// per scalar, so a 3 MB flow sequence `[1,1,1,…]` took half a minute and a
// gigabyte. Callers decoding untrusted text pass a token budget (lexemes:
// scalars, indicators, spaces), checked the same way; text that is JSON is
// best given to JSON.parse first (yamlOrJson), which is fast at any size.

import { Composer, Lexer, Parser, type Document, type LineCounter } from 'yaml';

/** The deepest nesting accepted in a decoded value. */
export const maxNesting = 200;

/** Input past a decoding limit (nesting, or the token budget), found at `offset`; the message completes "the input is …". */
export class DecodeLimitError extends Error {
  constructor(
    readonly offset: number,
    message = `nested deeper than ${maxNesting} levels`,
  ) {
    super(message);
    this.name = 'DecodeLimitError';
  }
}

/** The deepest bracket nesting of a JSON text (strings skipped), in one pass without parsing. */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** The nesting depth of a decoded value, counted only up to just past the limit. */
export function valueDepth(v: unknown, d = 0): number {
  if (d > maxNesting || v === null || typeof v !== 'object') return d;
  let m = d;
  for (const x of Object.values(v as object)) m = Math.max(m, valueDepth(x, d + 1));
  return m;
}

/**
 * Every document of a YAML stream, as `parseAllDocuments` gives them (syntax
 * errors in `doc.errors`), but throwing a DecodeLimitError as soon as the
 * input nests too deep or passes `maxTokens` lexemes. `lineCounter` receives
 * line starts for positions.
 */
export function parseYamlDocuments(text: string, opts: { lineCounter?: LineCounter; maxTokens?: number } = {}): Document.Parsed[] {
  const parser = new Parser(opts.lineCounter?.addNewLine);
  opts.lineCounter?.addNewLine(0);
  const limit = 2 * maxNesting + 4;
  const budget = opts.maxTokens ?? Infinity;
  function* tokens() {
    let n = 0;
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length > limit) throw new DecodeLimitError(parser.offset);
      if (++n > budget) throw new DecodeLimitError(parser.offset, `more than ${budget} YAML tokens long`);
    }
    yield* parser.end();
  }
  return Array.from(new Composer({}).compose(tokens(), true, text.length));
}
