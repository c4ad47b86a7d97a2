// `choreoctl run diff`: what would change in the reviewed result tree. It runs
// the project once into a scratch directory and compares that with the last
// `--out` of the project (remembered in .choreo/last-out, or given explicitly),
// file by file, as unified diffs — the same view a reviewer gets from git.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { readOut } from './output.js';
import { runOnce } from './runonce.js';
import type { RunReport } from './observer.js';

const lastOutFile = (dir: string) => join(resolve(dir), '.choreo', 'last-out');

/** Remembers where `run once --out` wrote, for `run diff`. */
export async function rememberOut(dir: string, out: string): Promise<void> {
  await mkdir(join(resolve(dir), '.choreo'), { recursive: true });
  await writeFile(lastOutFile(dir), resolve(out) + '\n');
}

export async function lastOut(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(lastOutFile(dir), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface DiffResult {
  baseline: string;
  report: RunReport;
  /** Unified diffs, one per changed file (added and removed files included). */
  patches: string[];
}

/** Unified diffs from one result tree (file → text, readOut) to another, one per changed file (added and removed files included). */
export function treePatches(before: Map<string, string>, after: Map<string, string>): string[] {
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  const patches: string[] = [];
  for (const f of files) {
    const a = before.get(f) ?? '';
    const b = after.get(f) ?? '';
    if (a === b) continue;
    patches.push(createTwoFilesPatch(before.has(f) ? `a/${f}` : '/dev/null', after.has(f) ? `b/${f}` : '/dev/null', a, b, '', '', { context: 3 }));
  }
  return patches;
}

export async function runDiff(dir: string, baseline?: string): Promise<DiffResult> {
  const base = baseline ?? (await lastOut(dir));
  if (!base) throw new Error(`no baseline: run "choreoctl run once ${dir} --out <dir>" first, or pass --out <dir>`);
  const scratch = await mkdtemp(join(tmpdir(), 'choreo-diff-'));
  try {
    const { report } = await runOnce({ dir, out: scratch });
    const [before, after] = await Promise.all([readOut(base), readOut(scratch)]);
    return { baseline: base, report, patches: treePatches(before, after) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
