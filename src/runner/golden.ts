// Golden tests of a project (`choreoctl test`). A case is a folder
// tests/<case>/ holding in/ (input objects, used instead of the project's in/)
// and expected/ (the tree `run once --out` writes). A case passes when its run
// succeeds and its result tree equals expected/ byte for byte; `update`
// (re)writes expected/ from a successful run instead of comparing.
//
// Key idea: a case is exactly `run once --input tests/<case>/in --out <tmp>`,
// so what a test checks is what a user reviews after `run once --out`, and
// the comparison is `run diff`'s (treePatches): unified diffs per file.
// Cases run side by side in this process (each its own memory store and
// engine), at most `concurrency` at once; a run spends much of its time
// waiting for quiescence, so overlapping them is what shortens a suite. They
// leave the project alone (no .choreo/last-run.json).

import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runOnce } from './runonce.js';
import { readOut } from './output.js';
import { treePatches } from './diff.js';
import type { RunReport } from './observer.js';

export const testsDir = 'tests';

export interface CaseResult {
  name: string;
  passed: boolean;
  /** expected/ was (re)written (update mode). */
  updated: boolean;
  /** Unified diffs from expected/ to the run's result, one per differing file. */
  patches: string[];
  /** Why the case failed without a comparison (no in/, no expected/); undefined otherwise. */
  problem?: string;
  report?: RunReport;
}

export interface GoldenOptions {
  /** Only cases whose name contains this (`-k`). */
  pattern?: string;
  /** (Re)write expected/ from each successful run. */
  update?: boolean;
  /** Cases at once (default: the core count). */
  concurrency?: number;
  /** Per-run deadline (default run once's). */
  timeoutMs?: number;
  /** Each result in case order, as soon as it and the cases before it have ended (a stable log). */
  onResult?: (r: CaseResult) => void;
}

const isDir = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);

/** The project's case names, sorted, filtered by `pattern`. */
export async function listCases(dir: string, pattern?: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(join(dir, testsDir), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => pattern === undefined || n.includes(pattern)).sort();
}

/** Runs one case: `run once` of the project with the case's in/, compared with (or written to) its expected/. */
export async function runCase(dir: string, name: string, opts: Pick<GoldenOptions, 'update' | 'timeoutMs'> = {}): Promise<CaseResult> {
  const caseDir = join(resolve(dir), testsDir, name);
  const input = join(caseDir, 'in');
  const expected = join(caseDir, 'expected');
  const result: CaseResult = { name, passed: false, updated: false, patches: [] };
  if (!(await isDir(input))) return { ...result, problem: `${join(testsDir, name, 'in')}/ is missing: a case's input objects go there` };
  if (!opts.update && !(await isDir(expected))) return { ...result, problem: `${join(testsDir, name, 'expected')}/ is missing: write it with choreoctl test ${dir} --update -k ${name}` };
  const scratch = await mkdtemp(join(tmpdir(), 'choreo-test-'));
  try {
    const { report } = await runOnce({ dir, paths: { input }, out: scratch, record: false, timeoutMs: opts.timeoutMs });
    result.report = report;
    if (!report.success) return result;
    const actual = await readOut(scratch);
    if (opts.update) {
      await writeTree(expected, actual);
      return { ...result, passed: true, updated: true };
    }
    result.patches = treePatches(await readOut(expected), actual);
    return { ...result, passed: result.patches.length === 0 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Replaces expected/'s YAML files with the result tree (as writeOut does: other files are left alone). */
async function writeTree(dir: string, files: Map<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) if (f.endsWith('.yaml') && !files.has(f)) await rm(join(dir, f));
  for (const [f, text] of files) await writeFile(join(dir, f), text);
}

/** Runs the cases, at most `concurrency` at once; results in case order. */
export async function runCases(dir: string, opts: GoldenOptions = {}): Promise<CaseResult[]> {
  const names = await listCases(dir, opts.pattern);
  const results: CaseResult[] = new Array(names.length);
  let next = 0;
  let reported = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      results[i] = await runCase(dir, names[i]!, opts);
      while (reported < names.length && results[reported]) opts.onResult?.(results[reported++]!);
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), names.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
