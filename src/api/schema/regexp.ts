// Go regular expressions for user-supplied patterns (CRD `pattern`, Starlark
// test expectations): RE2 syntax and RE2 semantics, matched in linear time.
//
// Kubernetes compiles schema patterns with Go's regexp (RE2): no
// backreferences or lookaround, and a match never backtracks, so a hostile
// `^(a+)+$` costs what `^a+$` costs. JavaScript's RegExp backtracks (minutes
// for a 34-character string), so user patterns never reach it: they go through
// re2js, a pure-JS port of RE2 whose parser gives Go's error messages verbatim
// ("error parsing regexp: invalid escape sequence: `\1`").
//
// Exported API:
//   compileGoRegexp(pattern) → GoRegexp | GoRegexpError   (cached per pattern)
//   GoRegexp.test(s)         unanchored search, as Go's MatchString
//   GoRegexp.findAll(s, n)   Go's FindAllString (CEL find/findAll)
//
// Trade-off: re2js is slower than V8's RegExp on benign patterns (see
// bench/api/regexp.ts for the ratio), but its cost is bounded by the input
// length; compiled patterns are cached (bounded) so schemas recompiled on
// every CRD write do not recompile their patterns. re2js (260 kB) is loaded
// on the first compile, not at import: most processes (`choreoctl star run`,
// a schema without patterns) never need it.

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

let engine: typeof RE2JS | undefined;
function re2(): typeof RE2JS {
  return (engine ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS);
}

export interface GoRegexp {
  readonly source: string;
  /** Whether the pattern matches anywhere in `s` (Go's MatchString). */
  test(s: string): boolean;
  /** The successive non-overlapping matches, at most `limit` (negative: all), as Go's FindAllString. */
  findAll(s: string, limit: number): string[];
}

export interface GoRegexpError {
  readonly source: string;
  /** Go's message, e.g. "error parsing regexp: missing closing ]: `[a-z`". */
  readonly error: string;
}

const cacheLimit = 2048;
const cache = new Map<string, GoRegexp | GoRegexpError>();

/** Compiles a Go (RE2) pattern; the result is cached per pattern text. */
export function compileGoRegexp(pattern: string): GoRegexp | GoRegexpError {
  let c = cache.get(pattern);
  if (c !== undefined) return c;
  c = compile(pattern);
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, c);
  return c;
}

export function isGoRegexpError(r: GoRegexp | GoRegexpError): r is GoRegexpError {
  return (r as GoRegexpError).error !== undefined;
}

function compile(pattern: string): GoRegexp | GoRegexpError {
  let re: RE2JS;
  try {
    re = re2().compile(pattern);
  } catch (err) {
    return { source: pattern, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    source: pattern,
    test: (s) => re.test(s),
    findAll(s, limit) {
      const out: string[] = [];
      if (limit === 0) return out;
      const m = re.matcher(s);
      while ((limit < 0 || out.length < limit) && m.find()) out.push(m.group() ?? '');
      return out;
    },
  };
}
