// `choreoctl star run` and `choreoctl star test`, run through the real CLI binary:
// output streams, exit codes, rendered syntax/runtime errors, and the chunk
// runner's own reporting (a failing chunk, an expected error that never
// happens, a message that does not match its pattern).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function choreoctl(args: string[], cwd?: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes files into a fresh temp dir, runs fn(dir), removes the dir. */
function withFiles(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-star-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('star run prints to stdout and exits 0', () => {
  withFiles({ 'hello.star': 'def greet(name):\n    return "hello, " + name\n\nprint(greet("world"), 1 + 2)\n' }, (dir) => {
    const r = choreoctl(['star', 'run', join(dir, 'hello.star')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hello, world 3\n');
    assert.equal(r.stderr, '');
  });
});

test('star run reports a runtime error with a Starlark traceback and exits 1', () => {
  const src = 'def divide(a, b):\n    return a // b\n\nprint("before")\nx = divide(1, 0)\n';
  withFiles({ 'div.star': src }, (dir) => {
    const file = join(dir, 'div.star');
    const r = choreoctl(['star', 'run', file]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'before\n');
    assert.match(r.stderr, /Traceback \(most recent call last\):/);
    // the call site at top level, then the failing expression inside divide
    assert.ok(r.stderr.includes(`${file}:5:`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:2:`), r.stderr);
    assert.match(r.stderr, /in divide/);
    assert.match(r.stderr, /Error.*division by zero/);
    assert.ok(r.stderr.indexOf(`${file}:5:`) < r.stderr.indexOf(`${file}:2:`), 'outermost frame first');
  });
});

test('star run reports a syntax error as file:line:col with the source line and a caret', () => {
  withFiles({ 'bad.star': 'x = 1\ny = [1, 2 3]\nprint(x)\n' }, (dir) => {
    const file = join(dir, 'bad.star');
    const r = choreoctl(['star', 'run', file]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '', 'nothing runs when the file does not parse');
    const lines = r.stderr.split('\n');
    assert.ok(lines[0]!.startsWith(`${file}:2:11: `), r.stderr);
    assert.equal(lines[1], 'y = [1, 2 3]');
    assert.equal(lines[2], '          ^');
  });
});

test('star run reports a static (resolve) error with its position', () => {
  withFiles({ 'undef.star': 'def f():\n    return missing_name\n' }, (dir) => {
    const file = join(dir, 'undef.star');
    const r = choreoctl(['star', 'run', file]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.startsWith(`${file}:2:12: `), r.stderr);
    assert.match(r.stderr, /undefined: missing_name/);
  });
});

test('star run loads the json module and sibling .star files', () => {
  withFiles(
    {
      'lib.star': 'def double(x):\n    return x * 2\n',
      'main.star': 'load("lib.star", "double")\nload("json.star", "json")\nprint(json.encode({"n": double(21)}))\n',
    },
    (dir) => {
      const r = choreoctl(['star', 'run', join(dir, 'main.star')]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '{"n":42}\n');
    },
  );
});

test('star run: values exported by a loaded file are frozen', () => {
  withFiles(
    {
      'config.star': 'defaults = {"replicas": 1}\n',
      'main.star': 'load("config.star", "defaults")\nprint(defaults["replicas"])\ndefaults["replicas"] = 2\n',
    },
    (dir) => {
      const file = join(dir, 'main.star');
      const r = choreoctl(['star', 'run', file]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '1\n');
      assert.ok(r.stderr.includes(`${file}:3:`), r.stderr);
      assert.match(r.stderr, /frozen/);
    },
  );
});

test('star run: an error inside a loaded file is located in that file', () => {
  withFiles(
    {
      'lib.star': 'def first(xs):\n    return xs[0]\n',
      'main.star': 'load("lib.star", "first")\nprint(first([]))\n',
    },
    (dir) => {
      const r = choreoctl(['star', 'run', join(dir, 'main.star')]);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${join(dir, 'main.star')}:2:`), r.stderr);
      assert.ok(r.stderr.includes(`${join(dir, 'lib.star')}:2:`), r.stderr);
      assert.match(r.stderr, /in first/);
      assert.match(r.stderr, /out of range/);
    },
  );
});

test('star run enables dialect options with --option', () => {
  withFiles({ 'fact.star': 'def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\n\nprint(fact(10))\n' }, (dir) => {
    const file = join(dir, 'fact.star');
    const without = choreoctl(['star', 'run', file]);
    assert.equal(without.status, 1);
    assert.match(without.stderr, /recursi/);
    const withOpt = choreoctl(['star', 'run', '--option', 'recursion', file]);
    assert.equal(withOpt.status, 0, withOpt.stderr);
    assert.equal(withOpt.stdout, '3628800\n');
    const bad = choreoctl(['star', 'run', '--option', 'nonsense', file]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown dialect option/);
  });
});

test('star run on a missing file exits 1 with a message', () => {
  withFiles({}, (dir) => {
    const r = choreoctl(['star', 'run', join(dir, 'nope.star')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nope\.star: no such file/);
  });
});

const passingChunks = `load("assert.star", a = "assert")
a.eq(1 + 1, 2)
---
x = 1 // 0 ### "division by zero"
---
# option:while
def count():
    n = 0
    while n < 3:
        n += 1
    return n
load("assert.star", a = "assert")
a.eq(count(), 3)
`;

test('star test counts passing chunks and exits 0', () => {
  withFiles({ 'ok.star': passingChunks }, (dir) => {
    const r = choreoctl(['star', 'test', join(dir, 'ok.star')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '3 passed, 0 failed\n');
  });
});

test('star test reports each failing chunk as FILE:LINE: message and exits 1', () => {
  const src = [
    'load("assert.star", a = "assert")', // 1
    'a.eq(1, 1)', // 2
    '---', // 3
    'load("assert.star", a = "assert")', // 4
    'def f():', // 5
    '    return [1, 2]', // 6
    'a.eq(f(), [2, 1])', // 7: fails
    '---', // 8
    'x = 1', // 9: expected error never happens
    'y = x + 1 ### "division by zero"', // 10
    '---', // 11
    'z = {}["k"] ### "no such thing"', // 12: wrong message
    '---', // 13
    'w = 2', // 14
  ].join('\n');
  withFiles({ 'mixed.star': src }, (dir) => {
    const file = join(dir, 'mixed.star');
    const r = choreoctl(['star', 'test', file]);
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.match(lines[0]!, new RegExp(`^${escape(file)}:7: .*\\[1, 2\\] != \\[2, 1\\]`));
    assert.match(lines[1]!, new RegExp(`^${escape(file)}:10: expected error matching /division by zero/`));
    assert.match(lines[2]!, new RegExp(`^${escape(file)}:12: error ".*" does not match pattern /no such thing/`));
    assert.equal(lines[3], '2 passed, 3 failed');
  });
});

test('star test attributes static errors to their line and checks dialect options per chunk', () => {
  const src = [
    'def f():', // 1
    '    while True: ### "while"', // 2: while is not allowed without the option
    '        pass', // 3
    '---', // 4
    'def g():', // 5
    '    while False: ### "while"', // 6: option:while (below) allows it, so this expectation fails
    '        pass', // 7
    '# option:while', // 8
  ].join('\n');
  withFiles({ 'opts.star': src }, (dir) => {
    const file = join(dir, 'opts.star');
    const r = choreoctl(['star', 'test', file]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, `${file}:6: expected error matching /while/\n1 passed, 1 failed\n`);
  });
});

test('star test sums counts over several files', () => {
  withFiles({ 'a.star': 'x = 1\n---\ny = 2\n', 'b.star': 'fail("boom")\n' }, (dir) => {
    const r = choreoctl(['star', 'test', join(dir, 'a.star'), join(dir, 'b.star')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /b\.star:1: unexpected error: .*boom/);
    assert.match(r.stdout, /\n2 passed, 1 failed\n$/);
  });
});

test('star test shows print() output only with --print', () => {
  withFiles({ 'p.star': 'print("from the chunk")\n' }, (dir) => {
    const file = join(dir, 'p.star');
    assert.equal(choreoctl(['star', 'test', file]).stdout, '1 passed, 0 failed\n');
    assert.equal(choreoctl(['star', 'test', '--print', file]).stdout, 'from the chunk\n1 passed, 0 failed\n');
  });
});

test('star --help lists run and test with examples', () => {
  const r = choreoctl(['star', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /run \[options\] <file>/);
  assert.match(r.stdout, /test \[options\] <files\.\.\.>/);
  assert.match(r.stdout, /Examples:/);
  const t = choreoctl(['star', 'test', '--help']);
  assert.match(t.stdout, /N passed, N failed/);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
