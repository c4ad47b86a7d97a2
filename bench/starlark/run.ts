// The Starlark CPU benchmark: runs each program of bench/starlark/programs/
// under our interpreter and under CPython (python3) and prints a table of the
// best wall time of N runs, the ratio ours/CPython, and the geometric mean of
// the ratios.
//
// The programs are written once in the common subset of Python and Starlark,
// so both interpreters run the very same file and must print the same output
// (checked: a mismatch is flagged in the table, as a wrong answer would make
// the time meaningless).
//
// Fairness: each interpreter runs every program in its own fresh process
// (so one program's JIT feedback cannot help or hurt another's), repeats it N
// times in that process and reports the best run. A run includes compiling
// the source (CPython: compile(); ours: parse + resolve + compile to closures)
// and executing it with fresh globals; neither includes process start-up.
// print() output is captured, not written, in both.
//
// Usage: node dist/bench/starlark/run.js [--runs N] [program-name...]

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { compileFile, newThread } from '../../src/starlark/index.js';
import { renderError } from '../../src/starlark/testing/host.js';

const programsDir = fileURLToPath(new URL('../../../bench/starlark/programs/', import.meta.url));

interface Measurement {
  bestMs: number;
  /** The first run: for ours it includes JIT warm-up, which best-of-N hides. */
  firstMs: number;
  output: string;
}

/** Child mode: run one program under our interpreter N times, print a Measurement as JSON. */
function measureOurs(file: string, runs: number): Measurement {
  const src = readFileSync(file, 'utf8');
  let best = Number.POSITIVE_INFINITY;
  let first = 0;
  let output = '';
  for (let i = 0; i < runs; i++) {
    const lines: string[] = [];
    const t0 = performance.now();
    const program = compileFile(basename(file), src, { recursion: true });
    program.init(newThread({ name: 'bench', print: (_t, msg) => lines.push(msg) }));
    const ms = performance.now() - t0;
    if (i === 0) first = ms;
    if (ms < best) best = ms;
    output = lines.join('\n');
  }
  return { bestMs: best, firstMs: first, output };
}

const pythonHarness = `
import io, json, sys, time, contextlib
path, runs = sys.argv[1], int(sys.argv[2])
src = open(path).read()
best, first, out = float("inf"), 0.0, ""
for i in range(runs):
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        exec(compile(src, path, "exec"), {"__name__": "__bench__"})
    t = time.perf_counter() - t0
    first = t if i == 0 else first
    best = min(best, t)
    out = buf.getvalue().rstrip("\\n")
print(json.dumps({"bestMs": best * 1000, "firstMs": first * 1000, "output": out}))
`;

function runChild(cmd: string, args: string[]): Measurement | string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
  } catch {
    return `unparseable output: ${r.stdout.slice(0, 200)}`;
  }
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function main(argv: string[]): void {
  if (argv[0] === '--child') {
    try {
      const m = measureOurs(argv[1]!, Number(argv[2]));
      process.stdout.write(`${JSON.stringify(m)}\n`);
    } catch (err) {
      process.stderr.write(`${renderError(err)}\n`);
      process.exitCode = 1;
    }
    return;
  }
  let runs = 5;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else only.push(argv[i]!.replace(/\.star$/, ''));
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs wants a positive integer');
  const programs = readdirSync(programsDir)
    .filter((f) => f.endsWith('.star') && (only.length === 0 || only.includes(f.replace(/\.star$/, ''))))
    .sort();
  if (programs.length === 0) throw new Error(`no programs matched in ${programsDir}`);

  const self = fileURLToPath(import.meta.url);
  process.stdout.write(`Starlark benchmark: best of ${runs} runs, compile included, fresh process per program\n\n`);
  const header = `${pad('program', 16)}${pad('ours (ms)', 12, true)}${pad('CPython (ms)', 15, true)}${pad('ratio', 9, true)}${pad('ours 1st run', 15, true)}  note`;
  process.stdout.write(`${header}\n${'-'.repeat(header.length + 8)}\n`);
  const ratios: number[] = [];
  for (const f of programs) {
    const file = join(programsDir, f);
    const ours = runChild(process.execPath, [self, '--child', file, String(runs)]);
    const py = runChild('python3', ['-c', pythonHarness, file, String(runs)]);
    const name = f.replace(/\.star$/, '');
    const o = typeof ours === 'string' ? '-' : ours.bestMs.toFixed(1);
    const o1 = typeof ours === 'string' ? '-' : ours.firstMs.toFixed(1);
    const p = typeof py === 'string' ? '-' : py.bestMs.toFixed(1);
    let ratio = '-';
    let note = '';
    if (typeof ours === 'string') note = `ours failed: ${ours}`;
    else if (typeof py === 'string') note = `python3 failed: ${py}`;
    else {
      const r = ours.bestMs / py.bestMs;
      ratios.push(r);
      ratio = `${r.toFixed(2)}x`;
      if (ours.output !== py.output) note = 'OUTPUT DIFFERS';
    }
    process.stdout.write(`${pad(name, 16)}${pad(o, 12, true)}${pad(p, 15, true)}${pad(ratio, 9, true)}${pad(o1, 15, true)}  ${note}\n`);
  }
  if (ratios.length > 0) {
    const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    process.stdout.write(`\ngeometric-mean ratio (ours / CPython): ${geo.toFixed(2)}x over ${ratios.length} programs\n`);
  }
}

main(process.argv.slice(2));
