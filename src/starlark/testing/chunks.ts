// Chunked test files, in the convention of starlark-go's starlark/testdata.
//
// A file is split into independent chunks at lines that are exactly `---`.
// Each chunk is run on its own, but keeps the line numbers of the whole file:
// it is padded with empty lines so that an error reported at line N of the
// chunk is line N of the file, and a message `FILE:LINE:` points at the real
// place. A line containing `### "regex"` (a quoted string after `###`) says the
// chunk must fail with an error reported at that line whose message matches the
// regex. `option:NAME` anywhere in a chunk enables a non-default dialect feature.
//
// Trade-off: the pattern is written as a double-quoted (JSON-style escapes) or
// back-quoted (raw) string and compiled as a Go (RE2) regular expression, as
// go.starlark.net does: Go's syntax (`\z`, `(?P<x>)`) and linear-time matching.

import { compileGoRegexp, isGoRegexpError, type GoRegexp } from '../../api/schema/regexp.js';
import { DIALECT_OPTIONS, type DialectOption } from './dialectoptions.js';

export { DIALECT_OPTIONS, type DialectOption };

export interface ExpectedError {
  /** 1-based line in the file where the error must be reported. */
  readonly line: number;
  readonly pattern: GoRegexp;
}

export interface Chunk {
  /** 1-based line of the chunk's first line in the file. */
  readonly startLine: number;
  /** The chunk's source, padded with newlines so its line numbers are the file's. */
  readonly source: string;
  readonly expected: ExpectedError[];
  readonly options: Set<DialectOption>;
}

/** A malformed `###` line: the file itself is wrong, not the interpreter. */
export interface ChunkFileProblem {
  readonly line: number;
  readonly message: string;
}

export interface ChunkedFile {
  readonly chunks: Chunk[];
  readonly problems: ChunkFileProblem[];
}

/** Splits a chunked test file into chunks with their expectations. */
export function parseChunkedFile(text: string): ChunkedFile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const chunks: Chunk[] = [];
  const problems: ChunkFileProblem[] = [];
  let start = 0; // index of the current chunk's first line
  const flush = (end: number): void => {
    const body = lines.slice(start, end);
    const expected: ExpectedError[] = [];
    body.forEach((line, i) => {
      const at = line.indexOf('###');
      if (at < 0) return;
      const lineNo = start + i + 1;
      const parsed = parsePattern(line.slice(at + 3).trim());
      if (typeof parsed === 'string') problems.push({ line: lineNo, message: parsed });
      else expected.push({ line: lineNo, pattern: parsed });
    });
    const source = '\n'.repeat(start) + body.join('\n') + '\n';
    const options = new Set<DialectOption>();
    for (const name of DIALECT_OPTIONS) if (source.includes(`option:${name}`)) options.add(name);
    chunks.push({ startLine: start + 1, source, expected, options });
  };
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '---') {
      flush(i);
      start = i + 1;
    }
  }
  // A trailing newline yields one empty last line; it is not a line of the chunk.
  const end = lines.length > start && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  flush(end);
  return { chunks, problems };
}

/** Parses the quoted regex after `###`; returns an error message if it is not one. */
function parsePattern(rest: string): GoRegexp | string {
  let body: string;
  if (rest.length >= 2 && rest.startsWith('`') && rest.endsWith('`')) {
    body = rest.slice(1, -1);
  } else if (rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"')) {
    try {
      body = JSON.parse(rest) as string;
    } catch {
      return `not a quoted regexp: ${rest}`;
    }
  } else {
    return `not a quoted regexp: ${rest}`;
  }
  const re = compileGoRegexp(body);
  return isGoRegexpError(re) ? `bad regexp ${rest}: ${re.error}` : re;
}
