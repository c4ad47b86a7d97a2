// Starts a real, single-member etcd for tests and benchmarks: loopback only,
// random free ports, a fresh temp data dir, and always stopped (also when the
// test process exits early, through an exit hook). `restart()` kills the
// process and starts it again on the same ports and data dir, so clients see a
// connection drop and then the same cluster with the same revisions.
//
// Trade-off: free ports are found by binding port 0 and closing it before etcd
// binds, a small race accepted in exchange for not parsing etcd's logs.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EtcdServer {
  /** "127.0.0.1:<port>", the form `etcd://` store specs and EtcdStore take. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running etcd's process id (undefined while it is down): benchmarks read its CPU time from /proc. */
  readonly pid: number | undefined;
  /** Kills etcd (SIGKILL) and starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Kills etcd (SIGKILL) without starting it again; `start()` brings it back. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops etcd and removes the data dir; idempotent. */
  stop(): Promise<void>;
}

/** True when an `etcd` binary is on PATH. */
export function etcdInstalled(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether etcd tests should be skipped: a string reason when etcd is absent
 * outside CI, false otherwise. In CI (CI set) a missing etcd is not a reason to
 * skip: scripts/setup-ci.sh installs it, so its absence must fail the tests.
 */
export function skipWithoutEtcd(): string | false {
  if (etcdInstalled()) return false;
  if (process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase())) return false;
  return 'etcd is not installed (apt-get install -y etcd-server, or run scripts/setup-ci.sh); skipping etcd tests';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

/** `extraArgs`: more etcd flags (e.g. a lower --max-request-bytes). */
export async function startEtcd(extraArgs: string[] = []): Promise<EtcdServer> {
  installExitHook();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'test',
    '--data-dir', path.join(dataDir, 'data'),
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `test=${peerUrl}`,
    '--logger', 'zap',
    '--log-level', 'error',
    ...extraArgs,
  ];
  let proc: ChildProcess | undefined;
  let stderrTail = '';

  const launch = async () => {
    stderrTail = '';
    const p = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    live.add(p);
    p.stderr!.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-2000);
    });
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.once('exit', () => live.delete(p));
    const spawnError = new Promise<never>((_, reject) =>
      p.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? "etcd is not on PATH: install Debian's etcd-server (scripts/setup-ci.sh does in CI)" : `cannot start etcd: ${err.message}`;
        reject(new Error(why));
      }),
    );
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = await Promise.race([
        fetch(`${clientUrl}/health`).then((r) => r.json() as Promise<{ health?: string }>).then((h) => h.health === 'true', () => false),
        exited.then(() => {
          throw new Error(`etcd exited during startup: ${stderrTail.trim()}`);
        }),
        spawnError,
      ]);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy within 15 s: ${stderrTail.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const killProc = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGKILL');
    await exited;
  };

  await launch();
  let stopped = false;
  return {
    endpoint: `127.0.0.1:${clientPort}`,
    dataDir,
    get pid() {
      return proc?.pid;
    },
    async restart() {
      await killProc();
      await launch();
    },
    kill: killProc,
    start: launch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killProc();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TcpProxy {
  /** "127.0.0.1:<port>" to dial instead of the target. */
  readonly endpoint: string;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** The connections open now go silent both ways (stay open, forward nothing, as after a lost route); new ones work. */
  blackhole(): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of `target` ("host:port"), to drop one client's
 * connections on demand while etcd itself stays up for everyone else. With
 * `delayMs`, every chunk towards the target is held that long (in order): a
 * slow etcd, e.g. one whose disk takes long to sync each write.
 */
export async function startTcpProxy(target: string, opts: { delayMs?: number } = {}): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let open = true;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    track(upstream);
    const delay = opts.delayMs ?? 0;
    if (delay > 0) client.on('data', (d) => setTimeout(() => upstream.writable && upstream.write(d), delay));
    else client.pipe(upstream);
    upstream.pipe(client);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    blackhole() {
      for (const [client, upstream] of pairs) {
        client.unpipe();
        upstream.unpipe();
        client.removeAllListeners('data');
        client.on('data', () => {});
        upstream.on('data', () => {});
      }
      pairs.clear();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
