// Test harness for the API server: starts a server on port 0 over a memory (or
// given) store, writes a kubeconfig into a temp dir, and runs the real kubectl
// against it with a private HOME and --cache-dir so discovery caches never
// leak between runs. Every kubectl call is bounded by a timeout.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

export const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Harness {
  private constructor(
    readonly server: ApiServer,
    readonly store: Store,
    readonly dir: string,
    readonly kubeconfig: string,
  ) {}

  static async start(opts: { store?: Store; address?: string; token?: string } = {}): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), 'choreo-apiserver-'));
    const store = opts.store ?? new MemoryStore();
    const server = await startApiServer({ store, address: opts.address, token: opts.token, watch: { bookmarkIntervalMs: 200 } });
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: server.url, token: server.token, caCert: server.caCert });
    return new Harness(server, store, dir, kubeconfig);
  }

  get url(): string {
    return this.server.url;
  }

  /** Runs kubectl; never throws on a non-zero exit (tests assert on code/stderr). */
  kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        kubectlBin,
        ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dir, 'cache'), ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: this.dir }, timeout: opts.timeoutMs ?? 20_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 124) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  }

  /**
   * Starts a long-running kubectl (e.g. `get -w`); `waitFor(re)` resolves once
   * its stdout matches, `stop()` kills it and returns everything it printed.
   */
  stream(args: string[]): { waitFor(re: RegExp, timeoutMs?: number): Promise<string>; stop(): string } {
    const child = spawn(kubectlBin, ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dir, 'cache'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: this.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    return {
      waitFor: (re, timeoutMs = 10_000) => eventually(async () => re.test(out) && out, timeoutMs, `kubectl ${args.join(' ')} to print ${re} (stdout: ${out} stderr: ${err})`),
      stop: () => {
        clearTimeout(killer);
        child.kill('SIGTERM');
        return out;
      },
    };
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  file(name: string, content: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** A raw HTTP request against the server (for status codes kubectl hides). */
  async http(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; headers: Headers }> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.server.token && !headers.Authorization) headers.Authorization = `Bearer ${this.server.token}`;
    const res = await fetch(this.url + path, { method, body: init.body, headers, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
