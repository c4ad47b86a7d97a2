// A node child process running an ES module script, for tests that kill it
// (kill -9 durability tests): its output collected, and a wait for N lines.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/** Starts `node --input-type=module -e script`, collecting stdout and stderr. */
export function child(script: string) {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return {
    proc,
    exited,
    output: () => out,
    errors: () => err,
    /** Waits until the child printed `n` lines; fails if it exits or `timeoutMs` passes first. */
    async waitForLines(n: number, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (out.split('\n').length - 1 < n) {
        if (Date.now() > deadline || proc.exitCode !== null) assert.fail(`child printed ${out.length} bytes; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
