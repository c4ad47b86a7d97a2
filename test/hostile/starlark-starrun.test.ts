// `choreoctl star run` has the step and memory limits of a reconcile (issue 18,
// item 10), with flags to raise them: a memory bomb or an endless loop ends with
// a clear error and exit code 1 instead of exhausting the heap or running on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bomb, starRun } from './starlark-util.js';

const bombMain = `def main():\n${bomb()}main()\n`;

test('star run: the memory bomb stops at the default memory limit of a reconcile', async () => {
  const r = await starRun(bombMain);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /main\.star:6:\d+: in main/);
  assert.match(r.stderr, /exceeded its memory limit of 256 MiB/);
  assert.match(r.stderr, /--max-memory/);
});

test('star run --max-memory raises the memory limit', async () => {
  const src = 'def main():\n    l = [0] * 40000000\n    print(len(l))\nmain()\n';
  const low = await starRun(src);
  assert.equal(low.code, 1);
  assert.match(low.stderr, /exceeded its memory limit of 256 MiB/);
  const high = await starRun(src, ['--max-memory', '512']);
  assert.equal(high.code, 0, high.stderr);
  assert.equal(high.stdout.trim(), '40000000');
});

test('star run: an endless loop stops at the step budget of a reconcile; --max-steps raises it', async () => {
  const src = 'def main():\n    n = 0\n    for i in range(20000000):\n        n += 1\n    print(n)\nmain()\n';
  const low = await starRun(src);
  assert.equal(low.code, 1);
  assert.match(low.stderr, /too many steps/);
  assert.match(low.stderr, /--max-steps/);
  const high = await starRun(src, ['--max-steps', '30000000']);
  assert.equal(high.code, 0, high.stderr);
  assert.equal(high.stdout.trim(), '20000000');
});
