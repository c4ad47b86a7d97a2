// Hostile YAML in project files: `choreoctl run once` on a YAML alias bomb or
// a deeply nested file fails quickly with a load error naming file:line:col,
// instead of a bare exception or seconds of parsing.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

function runOnce(dir: string): Promise<{ code: number; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'run', 'once', dir, '--timeout', '20'], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}`, ms: Date.now() - t0 });
    });
  });
}

/** examples/hello plus one extra file in in/. */
async function projectWith(file: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-yaml-'));
  await cp(join(repo, 'examples/hello'), dir, { recursive: true });
  await rm(join(dir, 'expected'), { recursive: true, force: true });
  await writeFile(join(dir, 'in', file), text);
  return dir;
}

describe('hostile YAML in project files', { timeout: 90_000 }, () => {
  it('run once on a YAML alias bomb fails naming the file', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const dir = await projectWith('bomb.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
    try {
      const r = await runOnce(dir);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /in\/bomb\.yaml:1:1: invalid YAML: .*alias/i);
      assert.doesNotMatch(r.out, /^Error:/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const [shape, text] of [
    ['flow', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`],
    ['block', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(4 + i)}k${i}:`).join('\n')} 1\n`],
  ] as const) {
    it(`run once on a deeply nested (${shape}) file fails quickly naming file:line:col`, async () => {
      const dir = await projectWith('deep.yaml', text);
      try {
        const r = await runOnce(dir);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /in\/deep\.yaml:\d+:\d+: invalid YAML: nested deeper than 200 levels/);
        assert.ok(r.ms < 5000, `took ${r.ms} ms`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
