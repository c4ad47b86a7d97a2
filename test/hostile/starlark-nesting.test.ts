// Deep nesting anywhere in the Starlark pipeline (issue 18, item 10): source
// nested 100k deep must give a positioned syntax error, and deeply nested
// values must give a Starlark error when printed, compared, hashed or encoded —
// never a JS stack overflow reported at 1:1 or a crashed process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile, StarlarkSyntaxError } from '../../src/starlark/index.js';
import { starRun as run } from './starlark-util.js';
import { ManualClock } from '../../src/controller/index.js';
import { forKind, obj, start } from '../reconciler/harness.js';

const starRun = (src: string) => run(src, [], 'deep.star');

test('star run: a file with 100k nested brackets is a positioned syntax error, not a stack overflow at 1:1', async () => {
  const n = 100_000;
  const r = await starRun(`x = ${'['.repeat(n)}${']'.repeat(n)}\n`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /deep\.star:1:(\d+): .*nest/);
  const col = Number(/deep\.star:1:(\d+)/.exec(r.stderr)![1]);
  assert.ok(col > 1, r.stderr);
  assert.doesNotMatch(r.stderr, /call stack|RangeError|internal error/);
});

for (const [what, src] of [
  ['parentheses', `x = ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`],
  ['braces', `x = ${'{1: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`],
  ['unary minus', `x = ${'-'.repeat(100_000)}1\n`],
  ['not', `x = ${'not '.repeat(100_000)}True\n`],
  ['a binary chain', `x = 1${' + 1'.repeat(100_000)}\n`],
  ['a chain of calls', `x = f${'()'.repeat(100_000)}\n`],
  ['a chain of attributes', `x = a${'.b'.repeat(100_000)}\n`],
  ['nested if blocks', Array.from({ length: 20_000 }, (_, i) => `${' '.repeat(i)}if True:`).join('\n') + `\n${' '.repeat(20_000)}pass\n`],
  ['a conditional chain', `x = 1${' if True else 1'.repeat(100_000)}\n`],
  ['nested lambdas', `x = ${'lambda: '.repeat(100_000)}1\n`],
] as const) {
  test(`deeply nested ${what} is a positioned syntax error`, () => {
    assert.throws(() => compileFile('deep.star', src, { predeclared: ['f', 'a'] }), (e: unknown) => {
      assert.ok(e instanceof StarlarkSyntaxError, `got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      const first = e.errors[0]!;
      assert.match(first.msg, /nest/);
      assert.ok(first.line > 1 || first.col > 1, `at ${first.line}:${first.col}`);
      return true;
    });
  });
}

test('moderately nested code still compiles and runs', async () => {
  const r = await starRun(`x = ${'['.repeat(300)}1${']'.repeat(300)}\ny = ${'-'.repeat(300)}1\nz = 1${' + 1'.repeat(300)}\nprint(y, z)\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1 301');
});

for (const [what, expr] of [
  ['printing', 'str(x)'],
  ['comparing', 'x == y'],
  ['ordering', 'x < y'],
  ['hashing', 'hash(t)'],
  ['using as a dict key', '{t: 1}'],
  ['JSON encoding', 'json.encode(x)'],
] as const) {
  test(`${what} a value nested 100k deep is a Starlark error`, async () => {
    const r = await starRun(`load("json.star", "json")
def main():
    x = []
    y = []
    t = ()
    for i in range(100000):
        x = [x]
        y = [y]
        t = (t,)
    return ${expr}
main()
`);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /deep\.star:10:\d+/);
    assert.doesNotMatch(r.stderr, /internal error|RangeError|Maximum call stack/);
  });
}

test('a reconcile that returns a value nested 100k deep fails with a clear message, the engine stays up', async () => {
  const code = `def reconcile(self):\n    x = []\n    for i in range(100000):\n        x = [x]\n    self.setdefault("status", {})["deep"] = x\n    return reconcile_result(self, False, 0, "", False)\n`;
  const r = await start({ crds: [{ kind: 'Job', plural: 'jobs' }], reconcilers: { jobs: { spec: forKind('Job'), code } }, inputs: [obj('Job', 'j')] }, { clock: new ManualClock(1_000_000) });
  try {
    const c = (await r.condition('Job', 'j'))!;
    assert.equal(c.status, 'False');
    assert.match(c.message, /nested too deeply/);
  } finally {
    await r.close();
  }
});
