// The Starlark conformance corpus: every chunked file in test/starlark/ is run
// through the real `choreoctl star test` binary, one node:test test per file
// and backend, and must report 0 failed chunks. Both backends run it: the
// default one (JavaScript generated per function) and the closures one, which
// the interpreter falls back to where Node forbids code generation from
// strings — the test gets it the same way, by running the binary under
// `--disallow-code-generation-from-strings`. Files in test/starlark/pending/ (when there
// are any) hold chunks that fail because of a known interpreter bug, each with a
// comment naming the bug; they are not run here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
// dist/test/starlark → the source tree's test/starlark, where the .star files live
const corpus = fileURLToPath(new URL('../../../test/starlark/', import.meta.url));

const files = readdirSync(corpus).filter((f) => f.endsWith('.star')).sort();

test('the corpus is not empty', () => {
  assert.ok(files.length >= 20, `found only ${files.length} .star files in ${corpus}`);
});

const backends: [string, string[]][] = [
  ['codegen', []],
  ['closures', ['--disallow-code-generation-from-strings']],
];

for (const [backend, nodeFlags] of backends) {
  for (const name of files) {
    test(`conformance (${backend}): ${name}`, () => {
      const r = spawnSync(process.execPath, [...nodeFlags, cli, 'star', 'test', join(corpus, name)], { encoding: 'utf8', timeout: 120_000 });
      const summary = /(\d+) passed, (\d+) failed\n$/.exec(r.stdout);
      assert.ok(summary, `no summary line; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      assert.equal(summary[2], '0', r.stdout);
      assert.ok(Number(summary[1]) > 0, 'at least one chunk ran');
      assert.equal(r.status, 0, r.stderr);
    });
  }
}
