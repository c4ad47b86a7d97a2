import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('choreoctl --help lists the program and its description', () => {
  const out = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.match(out, /Usage: choreoctl/);
  assert.match(out, /reconciliation engine/);
});

test('choreoctl rejects an unknown command with exit code 1', () => {
  assert.throws(() => execFileSync(process.execPath, [cli, 'no-such-command'], { encoding: 'utf8', stdio: 'pipe' }), (err: { status?: number }) => err.status === 1);
});
