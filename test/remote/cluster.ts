// A "cluster" for the kubeconfig-mode tests: a real `choreoctl server start
// --store memory` child process (with --token: HTTPS with its self-signed
// certificate), its kubeconfig, and kubectl against it.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = join(repo, 'dist/src/cli/main.js');
export const examples = join(repo, 'examples');

export const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_TEST_CONTEXT: undefined, KUBECONFIG: undefined });

export async function sh(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const p = run(cmd, args, { timeout: 60_000, env: opts.env ?? childEnv() });
  if (opts.input !== undefined) p.child.stdin!.end(opts.input);
  return (await p).stdout;
}

export const choreoctl = (...args: string[]) => sh(process.execPath, [cli, ...args]);

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((e: unknown) => e as T);
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Cluster {
  url: string;
  kubeconfig: string;
  kubectl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `choreoctl server start --store memory` writing its kubeconfig into `dir`. */
export async function startCluster(dir: string, opts: { token?: string } = {}): Promise<Cluster> {
  const kubeconfig = join(dir, 'cluster.kubeconfig');
  const args = [cli, 'server', 'start', '--store', 'memory', '--port', '0', '--kubeconfig', kubeconfig, ...(opts.token ? ['--token', opts.token] : [])];
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  const cache = join(dir, 'kubecache');
  return {
    url,
    kubeconfig,
    kubectl: (...a: string[]) => sh('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...a]),
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A foreground `run start --kubeconfig` child process and its log lines. */
export interface Runner {
  proc: ChildProcess;
  lines: string[];
  /** performance.now() when the line matching re was logged, once it is. */
  when(re: RegExp, timeoutMs?: number): Promise<number>;
}

/** Starts `run start <dir> --foreground --kubeconfig` with short leader-election timings (renew deadline 2 s). */
export function startRunner(dir: string, kubeconfig: string, timings: { leaseMs: number; retryMs: number }): Runner {
  const proc = spawn(process.execPath, [cli, 'run', 'start', dir, '--foreground', '--kubeconfig', kubeconfig, '--lease-duration', `${timings.leaseMs}ms`, '--renew-deadline', '2s', '--retry-period', `${timings.retryMs}ms`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  const lines: string[] = [];
  const seen: Array<{ re: RegExp; resolve: (t: number) => void }> = [];
  const take = (d: Buffer) => {
    for (const l of d.toString().split('\n').filter(Boolean)) {
      lines.push(l);
      for (const w of seen.splice(0)) (w.re.test(l) ? w.resolve(performance.now()) : seen.push(w));
    }
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  return {
    proc,
    lines,
    when: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        if (lines.some((l) => re.test(l))) return resolve(performance.now());
        seen.push({ re, resolve });
        setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs).unref();
      }),
  };
}
