// Issue 18 item 8: recovering the file store from a torn log tail is reported.
// A real `run start` writes, stops; its log is cut in the middle of the last
// record (what a crash during an append leaves); the next `run start` must say
// in choreo.log what it dropped — bytes, records, the last good resourceVersion
// — and `server start --store file:` must say it on its output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');
const env = { ...process.env, NODE_TEST_CONTEXT: undefined };

async function choreoctl(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cli, ...args], { timeout: 60_000, env })).stdout;
}

/** Cuts the log in the middle of its last record; returns the bytes cut, that record's revision and the one before. */
async function cutLastRecord(logFile: string): Promise<{ cut: number; lostRev: number; lastGood: number }> {
  const log = await readFile(logFile);
  const starts: number[] = [];
  for (let off = 0; off < log.length; off += 8 + log.readUInt32BE(off)) starts.push(off);
  const last = starts.at(-1)!;
  const lostRev = JSON.parse(log.subarray(last + 8).toString('utf8')).rev as number;
  const keep = last + 8 + Math.floor(log.readUInt32BE(last) / 2);
  await truncate(logFile, keep);
  return { cut: keep - last, lostRev, lastGood: lostRev - 1 };
}

test('run start reports a torn log tail it cut in choreo.log: bytes, records, last good resourceVersion', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-recovery-'));
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true, filter: (src) => !src.includes('expected') });
    await choreoctl('run', 'start', dir);
    const kubeconfig = join(dir, '.choreo/kubeconfig');
    // Wait for the reconciles to settle so the last record is our write, then stop cleanly.
    for (let i = 0; i < 100; i++) {
      const names = (await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'greetings', '-o', 'name'], { env })).stdout;
      if (names.trim().split('\n').length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await choreoctl('run', 'stop', dir);
    const logFile = join(dir, '.choreo/store/log');
    const { cut, lostRev, lastGood } = await cutLastRecord(logFile);
    assert.ok(cut > 8, 'part of the last record stays on disk');

    await choreoctl('run', 'start', dir);
    await choreoctl('run', 'stop', dir);
    const logged = await readFile(join(dir, '.choreo/choreo.log'), 'utf8');
    const line = logged.split('\n').find((l) => /torn|cut|dropped/.test(l));
    assert.ok(line, `choreo.log reports the recovery:\n${logged}`);
    assert.match(line, new RegExp(`dropped ${cut} bytes? \\(1 incomplete record, resourceVersion ${lostRev}\\)`));
    assert.match(line, new RegExp(`last intact resourceVersion ${lastGood}\\b`));
    assert.match(line, /record at byte \d+ is cut short/);
  } finally {
    await choreoctl('run', 'stop', dir).catch(() => '');
    await rm(dir, { recursive: true, force: true });
  }
});

test('server start --store file: reports a torn tail on its output; a clean start says nothing about recovery', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-recovery-'));
  const start = async (): Promise<string> => {
    const child = spawn(process.execPath, [cli, 'server', 'start', '--port', '0', '--store', `file:${join(dir, 'store')}`, '--kubeconfig', join(dir, 'kubeconfig')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!/listening on (\S+)/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (\S+)/.exec(out)?.[1];
    if (url) {
      // One write, so the log has a record to cut.
      await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-' } }) });
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return out;
  };
  try {
    const first = await start();
    assert.match(first, /listening on/);
    assert.doesNotMatch(first, /dropped|torn/);
    const { cut, lostRev, lastGood } = await cutLastRecord(join(dir, 'store', 'log'));
    const second = await start();
    assert.match(second, new RegExp(`dropped ${cut} bytes? \\(1 incomplete record, resourceVersion ${lostRev}\\).*last intact resourceVersion ${lastGood}\\b`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
