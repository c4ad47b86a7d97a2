// Runner processes for the scale-out tests and benchmark: real
// `choreoctl run start --foreground --store etcd://…` child processes, each on
// its own copy of the project (the pid file lives in the project's .choreo/),
// with their timestamped logs kept in memory and parsed into reconcile
// intervals (see project.ts: the reconciler prints start/end; the runner's
// report line, written after the reconcile's writes, extends the interval).

import { spawn, type ChildProcess } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = join(repo, 'dist/src/cli/main.js');

export interface Interval {
  runner: string;
  key: string;
  start: number;
  end: number;
  /** The runner died before it logged the end (end = time of death). */
  cut: boolean;
}

export interface Runner {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Log lines so far. */
  lines(): string[];
  /** Resolves when the runner logs "serving". */
  ready: Promise<void>;
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  exited(): boolean;
  killedAt?: number;
}

/** Starts a runner on `store` ("etcd://…", "file:…") with a private copy of the project in `projectDir`. */
export async function startRunner(name: string, projectDir: string, workDir: string, store: string, extraArgs: string[] = []): Promise<Runner> {
  const dir = join(workDir, name);
  await cp(projectDir, dir, { recursive: true });
  const proc = spawn(process.execPath, [cli, 'run', 'start', dir, '--foreground', '--store', store, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  const lines: string[] = [];
  let partial = '';
  let onServing: (() => void) | undefined;
  let onExit: ((err: Error) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onServing = resolve;
    onExit = reject;
  });
  const take = (d: Buffer) => {
    const text = partial + d.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      if (/ serving http/.test(l)) onServing?.();
    }
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter((l) => l !== '').map((l) => `stderr: ${l}`)));
  let exitCode: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code) => {
      exitCode = code;
      onExit?.(new Error(`runner ${name} exited (${code}) before serving:\n${lines.slice(-10).join('\n')}`));
      resolve();
    }),
  );
  const r: Runner = {
    name,
    proc,
    lines: () => lines,
    ready,
    exited: () => exitCode !== undefined,
    async kill9() {
      r.killedAt = Date.now();
      proc.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (exitCode !== undefined) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(t);
    },
  };
  return r;
}

const printRe = /^(\S+) \[parents\] (start|end) (\S+)$/;
const reportRe = /^(\S+) parents Parent (\S+): /;

/** Reconcile intervals of `runner` from its log. */
export function intervals(runner: Runner): Interval[] {
  const out: Interval[] = [];
  const open = new Map<string, Interval>();
  for (const l of runner.lines()) {
    const p = printRe.exec(l);
    if (p) {
      const t = Date.parse(p[1]);
      if (p[2] === 'start') {
        const iv: Interval = { runner: runner.name, key: p[3], start: t, end: Number.POSITIVE_INFINITY, cut: false };
        out.push(iv);
        open.set(p[3], iv);
      } else {
        const iv = open.get(p[3]);
        if (iv) iv.end = t;
      }
      continue;
    }
    const rep = reportRe.exec(l);
    if (rep) {
      const iv = open.get(rep[2]);
      if (iv) iv.end = Math.max(iv.end === Number.POSITIVE_INFINITY ? 0 : iv.end, Date.parse(rep[1]));
    }
  }
  for (const iv of out) {
    if (iv.end === Number.POSITIVE_INFINITY) {
      iv.cut = true;
      iv.end = runner.killedAt ?? Date.now();
    }
  }
  return out;
}

/** Pairs of intervals of one key on different runners that overlap in time. */
export function overlaps(all: Interval[]): Array<[Interval, Interval]> {
  const byKey = new Map<string, Interval[]>();
  for (const iv of all) {
    const l = byKey.get(iv.key) ?? [];
    l.push(iv);
    byKey.set(iv.key, l);
  }
  const bad: Array<[Interval, Interval]> = [];
  for (const l of byKey.values()) {
    l.sort((a, b) => a.start - b.start);
    for (let i = 0; i < l.length; i++)
      for (let j = i + 1; j < l.length && l[j].start < l[i].end; j++) if (l[j].runner !== l[i].runner) bad.push([l[i], l[j]]);
  }
  return bad;
}
