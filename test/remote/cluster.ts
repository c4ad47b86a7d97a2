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
