// Start-up benchmark of choreoctl: how long whole `choreoctl` processes take
// (start-up included, which is the point), against `node -e 0` and CPython's
// `python3 -c 0` measured in the same run.
//
// Key idea: the commands run in rounds, each round running every command once
// in turn, so a drift of the machine's speed hits all of them alike; a
// command's ratio is the median over rounds of (its time / node -e 0's time in
// that round), and its ms column is its median wall time.
// `get` needs a server: a real API server over a memory store runs in this
// process (children are spawned asynchronously so it keeps answering).
//
// Usage: node dist/bench/startup/run.js [--rounds N]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { MemoryStore } from '../../src/store/memory.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

interface Bench {
  label: string;
  argv: string[];
}

/** Wall milliseconds of one process from spawn to exit; a failure stops the benchmark (a fast error is no result). */
function timeOnce(b: Bench): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(b.argv[0]!, b.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`${b.label} exited with ${code}: ${stderr}`));
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function hasPython(): Promise<boolean> {
  return timeOnce({ label: 'python3', argv: ['python3', '-c', '0'] }).then(
    () => true,
    () => false,
  );
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 15;
  const dir = mkdtempSync(join(tmpdir(), 'choreo-startup-'));
  const store = new MemoryStore();
  const server = await startApiServer({ store, port: 0 });
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: server.url, token: server.token, caCert: server.caCert });
    const empty = join(dir, 'empty.star');
    writeFileSync(empty, '');
    const choreoctl = (...args: string[]): string[] => [process.execPath, cli, ...args];
    const node: Bench = { label: 'node -e 0', argv: [process.execPath, '-e', '0'] };
    const python: Bench | null = (await hasPython()) ? { label: 'python3 -c 0', argv: ['python3', '-c', '0'] } : null;
    const benches: Bench[] = [
      node,
      ...(python ? [python] : []),
      { label: 'choreoctl --version', argv: choreoctl('--version') },
      { label: 'choreoctl --help', argv: choreoctl('--help') },
      { label: 'choreoctl star run <empty file>', argv: choreoctl('star', 'run', empty) },
      { label: 'choreoctl get crds', argv: choreoctl('get', 'crds', '--kubeconfig', kubeconfig) },
      { label: 'choreoctl run once examples/hello', argv: choreoctl('run', 'once', join(repo, 'examples/hello')) },
    ];
    for (const b of benches) await timeOnce(b); // warm-up: file cache, and each command is checked to succeed
    const times = new Map<Bench, number[]>(benches.map((b) => [b, []]));
    for (let r = 0; r < rounds; r++) for (const b of benches) times.get(b)!.push(await timeOnce(b));

    const ratioTo = (b: Bench, ref: Bench) => median(times.get(b)!.map((t, k) => t / times.get(ref)![k]!));
    const rows = benches.map((b) => [b.label, median(times.get(b)!).toFixed(1), ratioTo(b, node).toFixed(2), python ? ratioTo(b, python).toFixed(2) : 'n/a']);
    const header = ['command', 'median ms', '× node -e 0', '× python3 -c 0'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
    const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    console.log(`choreoctl start-up: wall time of whole processes, ${rounds} interleaved rounds (ratio: median of per-round ratios)`);
    console.log(line(header));
    for (const row of rows) console.log(line(row));
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
