// Test harness for choreoctl's client commands: a real API server on port 0
// over a memory store (via the API server tests' Harness, which also runs the
// real kubectl for comparisons) and the real choreoctl binary, run with a
// private HOME so no user kubeconfig can leak in. Every run is bounded.

import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually, Harness } from '../apiserver/helpers.js';

export const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Omit the --kubeconfig flag (tests of KUBECONFIG and defaults). */
  noKubeconfigFlag?: boolean;
}

export class CliHarness {
  private constructor(readonly h: Harness) {}

  static async start(opts: { token?: string; address?: string } = {}): Promise<CliHarness> {
    return new CliHarness(await Harness.start(opts));
  }

  get kubeconfig(): string {
    return this.h.kubeconfig;
  }

  get dir(): string {
    return this.h.dir;
  }

  file(name: string, content: string): string {
    return this.h.file(name, content);
  }

  /** Runs choreoctl; never throws on a non-zero exit. */
  choreoctl(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    const flags = opts.noKubeconfigFlag ? [] : ['--kubeconfig', this.kubeconfig];
    return new Promise((resolve) => {
      const child = execFile(process.execPath, [cli, ...args, ...flags], { env: this.env(opts.env), timeout: opts.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 124) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin?.end(opts.input ?? '');
    });
  }

  /** choreoctl that must succeed; returns stdout. */
  async ok(args: string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.choreoctl(args, opts);
    if (r.code !== 0) throw new Error(`choreoctl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** A long-running choreoctl (get -w): waitFor(re) resolves once stdout matches; `exited` gives its exit code; stop() interrupts it. */
  stream(args: string[]): { waitFor(re: RegExp, timeoutMs?: number): Promise<string>; exited: Promise<number | null>; stop(): Promise<{ stdout: string; code: number | null }> } {
    const child = spawn(process.execPath, [cli, ...args, '--kubeconfig', this.kubeconfig], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    void exited.then(() => clearTimeout(killer));
    return {
      waitFor: (re, timeoutMs = 10_000) => eventually(async () => re.test(out) && out, timeoutMs, `choreoctl ${args.join(' ')} to print ${re} (stdout: ${out} stderr: ${err})`),
      exited,
      stop: async () => {
        clearTimeout(killer);
        child.kill('SIGINT');
        const code = await exited;
        return { stdout: out, code };
      },
    };
  }

  kubectl(args: string[], opts: { input?: string } = {}): ReturnType<Harness['kubectl']> {
    return this.h.kubectl(args, opts);
  }

  private env(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? '', HOME: this.h.dir, ...extra };
  }

  close(): Promise<void> {
    return this.h.close();
  }
}

export { eventually };
