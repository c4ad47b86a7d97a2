// The Starlark CPU benchmark, start-up included: each program of
// bench/starlark/programs/ runs as a whole process under our CLI
// (`choreoctl star run file.star`) and under CPython (`python3 file.star`),
// and the table shows the best wall and CPU time of N runs, the ratios
// ours/CPython and their geometric means. A first row times an empty file
// (start-up alone) against CPython and `node -e 0`.
//
// The programs are written once in the common subset of Python and Starlark,
// so both interpreters run the very same file and must print the same output
// (checked: a mismatch is flagged in the table, as a wrong answer would make
// the time meaningless). They print only ints and strings (the two languages
// quote strings inside containers differently).
//
// Fairness: the two commands alternate run by run, so a drift of the machine's
// speed hits both alike; best-of-N drops the runs that waited for a core. Wall
// time is the goal's measure; CPU time (user + system) is shown beside it
// because on a shared machine it is the steadier of the two. `star run` gets
// `-o recursion` (fib) and budgets large enough for every program.
//
// Usage: node dist/bench/starlark/run.js [--runs N] [program-name...]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimer, timerScript, type Sample } from '../proctime.js';

const programsDir = fileURLToPath(new URL('../../../bench/starlark/programs/', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'choreo-starbench-'));
const outFile = join(work, 'out');

interface Result {
  sample: Sample;
  output: string;
}

/** One timed run; a failing command is an error naming it. */
function timeOnce(argv: string[]): Result {
  const r = spawnSync('bash', ['-c', timerScript, 'bash', outFile, ...argv], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { sample: parseTimer(r.stdout), output: readFileSync(outFile, 'utf8').trimEnd() };
}

interface Best {
  wallMs: number;
  cpuMs: number;
  output: string;
}

/** Runs the commands alternately `runs` times (after one warm-up each); the best of each. */
function race(runs: number, ...cmds: string[][]): Best[] {
  const best = cmds.map((c) => ({ wallMs: Infinity, cpuMs: Infinity, output: timeOnce(c).output }));
  for (let r = 0; r < runs; r++) {
    cmds.forEach((c, i) => {
      const { sample } = timeOnce(c);
      best[i]!.wallMs = Math.min(best[i]!.wallMs, sample.wallMs);
      best[i]!.cpuMs = Math.min(best[i]!.cpuMs, sample.cpuMs);
    });
  }
  return best;
}

const ours = (file: string): string[] => [process.execPath, cli, 'star', 'run', '-o', 'recursion', '--max-steps', '1e15', '--max-memory', '1e9', file];
const python = (file: string): string[] => ['python3', file];

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, r) => s + Math.log(r), 0) / xs.length);

function main(argv: string[]): void {
  let runs = 3;
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

  process.stdout.write(`Starlark benchmark: whole processes (start-up included), best of ${runs} alternating runs\n`);
  process.stdout.write(`ours = choreoctl star run FILE, CPython = python3 FILE; ratio = ours / CPython\n\n`);
  const rows: string[][] = [['program', 'ours wall ms', 'CPython wall ms', 'wall ratio', 'ours cpu ms', 'CPython cpu ms', 'cpu ratio', 'note']];
  const fmt = (b: Best, p: Best, note: string) => [
    b.wallMs.toFixed(0), p.wallMs.toFixed(0), `${(b.wallMs / p.wallMs).toFixed(2)}x`,
    b.cpuMs.toFixed(0), p.cpuMs.toFixed(0), `${(b.cpuMs / p.cpuMs).toFixed(2)}x`, note,
  ];

  const empty = join(work, 'empty.star');
  writeFileSync(empty, '');
  const [s, p, n] = race(Math.max(runs, 5), ours(empty), python(empty), [process.execPath, '-e', '0']);
  rows.push(['(start-up)', ...fmt(s!, p!, `empty file; node -e 0: wall ${n!.wallMs.toFixed(0)} ms, cpu ${n!.cpuMs.toFixed(0)} ms; ours/node: wall ${(s!.wallMs / n!.wallMs).toFixed(2)}x, cpu ${(s!.cpuMs / n!.cpuMs).toFixed(2)}x`)]);

  const wall: number[] = [];
  const cpu: number[] = [];
  for (const f of programs) {
    const file = join(programsDir, f);
    const name = f.replace(/\.star$/, '');
    try {
      const [o, py] = race(runs, ours(file), python(file));
      wall.push(o!.wallMs / py!.wallMs);
      cpu.push(o!.cpuMs / py!.cpuMs);
      rows.push([name, ...fmt(o!, py!, o!.output === py!.output ? '' : 'OUTPUT DIFFERS')]);
    } catch (err) {
      rows.push([name, '-', '-', '-', '-', '-', '-', (err as Error).message]);
    }
  }
  process.stdout.write(`${table(rows)}\n`);
  if (wall.length > 0) {
    process.stdout.write(`\ngeometric mean over ${wall.length} programs (ours / CPython): wall ${geomean(wall).toFixed(2)}x, cpu ${geomean(cpu).toFixed(2)}x\n`);
  }
}

try {
  main(process.argv.slice(2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
