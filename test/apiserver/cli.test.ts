// `choreoctl server start` as a user runs it: a foreground process that writes
// a kubeconfig kubectl can use without flags, on the file store, and exits
// cleanly on SIGTERM.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { kubectlBin } from './helpers.js';

// The server command as choreoctl registers it (see servecmd.ts).
const main = fileURLToPath(new URL('./servecmd.js', import.meta.url));

describe('choreoctl server start', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-server-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves kubectl through the kubeconfig it writes and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kc');
    const child = spawn(process.execPath, [main, 'server', 'start', '--port', '0', '--store', `file:${join(dir, 'data')}`, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('kubeconfig:')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
      });
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(kubectlBin, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'namespaces'], { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 15_000 }, (err, out, errOut) =>
          err ? reject(new Error(String(errOut))) : resolve(out),
        ),
      );
      assert.match(stdout, /default\s+Active/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });

  it('rejects a malformed --store', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [main, 'server', 'start', '--store', 'bogus:x', '--kubeconfig', join(dir, 'kc2')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.once('exit', (code) => resolve({ code, stderr }));
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown store "bogus:x": want memory, file:<dir> or etcd:\/\//);
  });
});
