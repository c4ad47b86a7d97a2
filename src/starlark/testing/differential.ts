// Differential testing of our Starlark interpreter against starlark-go.
//
// Key idea: the same program runs under both interpreters with the same
// dialect options, and what a user sees must be the same: the print() output,
// whether it failed, and starlark-go's error message. Ours runs in-process
// through the public API with the `star` host's dialect and modules
// (host.ts); the reference (scripts/starlark-ref, built by
// scripts/build-starlark-ref.sh) runs a whole batch of programs in one process
// so thousands of programs take seconds. A mismatch is minimised by deleting
// body lines of the generated program while it still mismatches.
//
// Trade-off: deliberate differences are matched by an explicit allowlist
// (ALLOWED) of (reason, predicate) pairs rather than hidden; every entry says
// why it is deliberate or why the reference is wrong.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFile, EvalError, makeLoader, newThread, StarlarkSyntaxError } from '../index.js';
import type { DialectOption } from './chunks.js';
import { dialectOf, standardModule } from './host.js';

/** What one run produced. `err` is the message alone (no position), as the interpreter words it. */
export interface RunResult {
  out: string;
  err?: string;
  kind?: 'syntax' | 'eval' | 'panic' | 'usage' | 'crash';
}

export interface Job {
  src: string;
  options: DialectOption[];
}

const MAX_STEPS = 50_000_000;

/** Runs a program under our interpreter with the reference's host: no predeclared names, json.star loadable. */
export function runOurs(job: Job): RunResult {
  const dialect = { ...dialectOf(new Set(job.options), false), struct: false }; // the reference predeclares no struct, as the original choreo
  let out = '';
  const load = makeLoader({ ...dialect, find: (m) => standardModule(m) });
  try {
    const program = compileFile('prog.star', job.src, dialect);
    program.init(newThread({ name: 'main', print: (_t, msg) => (out += `${msg}\n`), maxSteps: MAX_STEPS }), undefined, load);
    return { out };
  } catch (err) {
    if (err instanceof StarlarkSyntaxError) return { out, err: err.errors[0]!.msg, kind: 'syntax' };
    if (err instanceof EvalError) return { out, err: err.msg, kind: 'eval' };
    return { out, err: `interpreter crashed: ${err instanceof Error ? err.message : String(err)}`, kind: 'crash' };
  }
}

const buildScript = fileURLToPath(new URL('../../../../scripts/build-starlark-ref.sh', import.meta.url));

/** Builds (or finds) the reference binary; returns its path, or the reason it cannot be built. */
export function referenceBinary(): { path: string } | { reason: string } {
  if (!existsSync(buildScript)) return { reason: `${buildScript} not found` };
  const r = spawnSync('bash', [buildScript], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { reason: (r.stderr || r.error?.message || 'build failed').trim() };
  return { path: r.stdout.trim() };
}

/**
 * Runs a batch of programs under the reference, in one process. A program
 * that kills the Go process (a fatal stack overflow cannot be recovered) is
 * found by splitting the batch and reported with kind 'panic'.
 */
export function runReference(bin: string, jobs: Job[]): RunResult[] {
  if (jobs.length === 0) return [];
  const r = spawnSync(bin, ['-batch'], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  if (r.status !== 0 || lines.length !== jobs.length) {
    if (jobs.length === 1) return [{ out: '', err: `starlark-ref died: ${(r.stderr ?? '').split('\n')[0]}`, kind: 'panic' }];
    const half = jobs.length >> 1;
    return [...runReference(bin, jobs.slice(0, half)), ...runReference(bin, jobs.slice(half))];
  }
  return lines.map((l) => {
    const j = JSON.parse(l) as { out: string; err?: string; kind?: RunResult['kind'] };
    return j.err === undefined ? { out: j.out } : { out: j.out, err: j.err, kind: j.kind };
  });
}

/** How two results differ, in words; null when they agree. */
export function difference(ours: RunResult, ref: RunResult): string | null {
  if (ref.kind === 'panic') return null; // the reference cannot judge it
  if (ours.out !== ref.out) {
    const a = ours.out.split('\n');
    const b = ref.out.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return `stdout line ${i + 1}: ours ${JSON.stringify(a[i] ?? '<end>')}, starlark-go ${JSON.stringify(b[i] ?? '<end>')}`;
  }
  if ((ours.err === undefined) !== (ref.err === undefined)) {
    return ours.err === undefined ? `starlark-go fails (${ref.err}), ours succeeds` : `ours fails (${ours.err}), starlark-go succeeds`;
  }
  if (ours.err !== ref.err) return `error: ours ${JSON.stringify(ours.err)}, starlark-go ${JSON.stringify(ref.err)}`;
  return null;
}

/** A deliberate, documented difference: why, and which mismatches it covers. */
export interface Allowed {
  readonly reason: string;
  readonly matches: (ours: RunResult, ref: RunResult, src: string) => boolean;
}

/**
 * Deliberate differences. Each is either a drift of the 2021 reference from
 * the 2024 starlark-go the original pins (we follow 2024), or a documented
 * extension. Keep this list short and specific.
 */
export const ALLOWED: readonly Allowed[] = [];

export function allowedReason(ours: RunResult, ref: RunResult, src: string): string | null {
  for (const a of ALLOWED) if (a.matches(ours, ref, src)) return a.reason;
  return null;
}

/**
 * Deletes body lines of a generated program while it still mismatches (both
 * interpreters rerun per attempt: the reference in one batch per round).
 */
export function minimise(bin: string, header: string, body: string[], footer: string, options: DialectOption[]): string[] {
  const text = (b: string[]) => `${header}\n${b.map((l) => `    ${l}`).join('\n')}\n${footer}\n`;
  let cur = body;
  let changed = true;
  while (changed && cur.length > 1) {
    changed = false;
    const candidates = cur.map((_, i) => cur.filter((_l, j) => j !== i));
    const jobs = candidates.map((b) => ({ src: text(b), options }));
    const refs = runReference(bin, jobs);
    for (let i = 0; i < candidates.length; i++) {
      const ours = runOurs(jobs[i]!);
      if (difference(ours, refs[i]!) !== null) {
        cur = candidates[i]!;
        changed = true;
        break;
      }
    }
  }
  return cur;
}
