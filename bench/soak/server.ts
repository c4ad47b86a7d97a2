// The soak's server under test: a real `choreoctl run start --foreground`
// process (file store in the project's .choreo/), its output kept (last lines,
// reconcile lines counted), its RSS read from /proc, and its death noticed.
//
// Key idea: the soak must never hang on the server. start() gives up after a
// deadline, stop() escalates SIGTERM → SIGKILL, and `exited` resolves however
// the process ends, so the supervisor in run.ts can report and restart.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process's last output lines before it ended. */
  tail: string[];
}

export class SoakServer {
  url = '';
  token = '';
  kubeconfig = '';
  /** Processes started so far (a hostile case compares it to tell whether the server died meanwhile). */
  starts = 0;
  /** Reconcile lines the server logged (serve.ts logs outcomes other than Ready, and reconciles that wrote). */
  reconcileLines = 0;
  private readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exit: Exit | undefined;
  exited: Promise<Exit> = Promise.resolve({ code: null, signal: null, tail: [] });

  constructor(
    private readonly cli: string,
    readonly dir: string,
    private readonly extraArgs: string[] = [],
    private readonly nodeArgs: string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.exit ? undefined : this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** Alive and listening (after start() resolved). */
  get serving(): boolean {
    return this.alive && this.ready;
  }
  private ready = false;

  /** Last output lines (both streams). */
  tail(n = 8): string[] {
    return this.lines.slice(-n);
  }

  /** Starts the process and resolves once it serves; rejects (and kills it) if it exits or does not serve within timeoutMs. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.exit = undefined;
    this.url = '';
    this.ready = false;
    this.starts++;
    this.lines.length = 0; // tail() and Exit.tail are this process's output only
    const child = spawn(process.execPath, [...this.nodeArgs, this.cli, 'run', 'start', this.dir, '--foreground', '--port', '0', ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let partial = '';
    const onData = (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const l of parts) this.line(l);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (partial) this.line(partial);
        this.exit = { code, signal, tail: this.tail(60) };
        resolve(this.exit);
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (!this.url) {
      if (this.exit) throw new Error(`exited (${describeExit(this.exit)}) before serving`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`did not serve within ${timeoutMs / 1000} s`);
      }
      await sleep(50);
    }
    this.kubeconfig = join(this.dir, '.choreo/kubeconfig');
    const kc = parse(readFileSync(this.kubeconfig, 'utf8')) as { users?: { user?: { token?: string } }[] };
    this.token = kc.users?.[0]?.user?.token ?? '';
    this.ready = true;
  }

  private line(l: string): void {
    this.lines.push(l);
    if (this.lines.length > 400) this.lines.splice(0, 200);
    const serving = /serving (https?:\/\/\S+)/.exec(l);
    if (serving) this.url = serving[1];
    if (/^\S+ (helloworld|hazard) /.test(l)) this.reconcileLines++;
  }

  /** Resident set size in MiB (undefined when the process is gone). */
  rssMiB(): number | undefined {
    if (!this.alive) return undefined;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child!.pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  async kill(): Promise<Exit> {
    if (this.alive) this.child!.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 15_000): Promise<{ exit: Exit; graceful: boolean }> {
    if (!this.alive) return { exit: await this.exited, graceful: true };
    this.child!.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, timer])) === 'timeout') return { exit: await this.kill(), graceful: false };
    return { exit: await this.exited, graceful: true };
  }
}

export function describeExit(e: Exit): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs `fn` against `choreoctl server start` on a file store: the API without
 * reconcilers, to clean up objects whose reconcile kills or freezes `run
 * start`. Bounded: gives up after 20 s to start and kills the server after.
 */
export async function withApiOnly(cli: string, storeDir: string, kubeconfig: string, fn: (url: string, token: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [cli, 'server', 'start', '--port', '0', '--store', `file:${storeDir}`, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!(url = /listening on (\S+)/.exec(out)?.[1])) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server start did not serve: ${out.trim().split('\n').slice(-2).join(' | ')}`);
      await sleep(50);
    }
    const kc = parse(readFileSync(kubeconfig, 'utf8')) as { users?: { user?: { token?: string } }[] };
    await fn(url, kc.users?.[0]?.user?.token ?? '');
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    await exited;
  }
}
