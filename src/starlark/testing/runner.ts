// Runs chunked Starlark test files (see chunks.ts) and reports each chunk as
// passed or failed, in the manner of starlark-go's starlark/eval_test.go.
//
// Each chunk is compiled and executed on its own, in a fresh thread, with its
// own dialect options. Every error it produces is attributed to a line: a
// static error to its own position; a runtime error to the innermost frame of
// the call stack that lies in the test file, unless another frame of that file
// sits on a line with an expectation (so `f() ### "..."` works whether the
// error arises in `f` or at the call). Each error must match the `###`
// expectation on its line; each expectation must be met by an error.
//
// Trade-off: a chunk stops at its first runtime error, so one chunk checks at
// most one runtime expectation (several static errors can be checked at once).

import { parseChunkedFile, type Chunk } from './chunks.js';
import { runChunkSource, type ChunkError } from './host.js';

export interface ChunkFailure {
  /** 1-based line in the file the failure is about. */
  readonly line: number;
  readonly message: string;
}

export interface FileReport {
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  /** One entry per problem, in line order; a failed chunk has at least one. */
  readonly failures: ChunkFailure[];
}

export interface RunOptions {
  /** Where print() output of the chunks goes; discarded if absent. */
  print?: (msg: string) => void;
}

/** Runs every chunk of one chunked file (already read) and reports the outcome. */
export function runChunkedText(file: string, text: string, opts: RunOptions = {}): FileReport {
  const parsed = parseChunkedFile(text);
  const failures: ChunkFailure[] = [];
  let passed = 0;
  let failed = 0;
  for (const chunk of parsed.chunks) {
    const problems = parsed.problems.filter((p) => p.line >= chunk.startLine && p.line < chunk.startLine + countLines(chunk));
    const chunkFailures = [...problems, ...checkChunk(file, chunk, opts)];
    if (chunkFailures.length === 0) passed++;
    else {
      failed++;
      failures.push(...chunkFailures);
    }
  }
  failures.sort((a, b) => a.line - b.line);
  return { file, passed, failed, failures };
}

function countLines(chunk: Chunk): number {
  return chunk.source.split('\n').length - chunk.startLine;
}

/** Runs one chunk and compares the errors it produced with its expectations. */
function checkChunk(file: string, chunk: Chunk, opts: RunOptions): ChunkFailure[] {
  const wanted = new Map(chunk.expected.map((e) => [e.line, e.pattern]));
  const errors = runChunkSource(file, chunk.source, chunk.options, opts.print ?? (() => {}));
  const failures: ChunkFailure[] = [];
  for (const err of errors) {
    const line = attributeLine(err, wanted, chunk.startLine);
    const rx = wanted.get(line);
    if (rx === undefined) {
      failures.push({ line, message: `unexpected error: ${err.message}` });
      continue;
    }
    wanted.delete(line);
    if (!rx.test(err.message)) failures.push({ line, message: `error ${JSON.stringify(err.message)} does not match pattern /${rx.source}/` });
  }
  for (const [line, rx] of wanted) failures.push({ line, message: `expected error matching /${rx.source}/` });
  return failures;
}

/** The file line an error is reported at (see the module comment). */
function attributeLine(err: ChunkError, wanted: Map<number, unknown>, fallback: number): number {
  if (err.lines.length === 0) return fallback;
  return err.lines.find((l) => wanted.has(l)) ?? err.lines[0]!;
}

/** `N passed, N failed` over several reports. */
export function summary(reports: FileReport[]): string {
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    passed += r.passed;
    failed += r.failed;
  }
  return `${passed} passed, ${failed} failed`;
}
