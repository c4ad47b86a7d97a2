// `choreoctl star repl` through the real CLI with piped stdin: values printed
// as repr (None not), multi-line blocks, globals re-bound across inputs,
// errors printed and the session going on, exit 0 at end of input; with
// --project the project's libraries and the host API over its in/ objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

function repl(input: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'star', 'repl', ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('star repl: expressions printed as repr, None not; statements, blocks, re-binding; errors do not end it', () => {
  const r = repl(
    [
      'x = 1',
      'x = x + 1', // re-binding a global across inputs, reading the earlier value
      'x',
      'None',
      '"s"',
      'l = []',
      'l.append(3)', // values are not frozen between inputs
      'l',
      'def double(n):',
      '    return n * 2',
      '',
      'double(x)',
      'd = {',
      '  "k": [1,',
      '        2],',
      '}',
      'd',
      '"a" + 1',
      'y = 5; z = undefined_name',
      'y',
      'load("json.star", "json")',
      'print(json.encode(d))',
      'if x > 1:',
      '    w = "big"',
      'else:',
      '    w = "small"',
      '',
      'w',
    ].join('\n') + '\n',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, ['2', '"s"', '[3]', '4', '{"k": [1, 2]}', '{"k":[1,2]}', '"big"', ''].join('\n'));
  assert.match(r.stderr, /unknown binary op: string \+ int/);
  assert.match(r.stderr, /<stdin>:1:12: undefined: undefined_name/);
  // An input that does not resolve does not run at all.
  assert.match(r.stderr, /<stdin>:1:1: undefined: y/);
});

test('star repl: a runtime error keeps what the input bound before it; end of input runs a pending block', () => {
  const r = repl('a = 1\na = 7; b = 1 // 0\na\nb\nfail("boom")\nfor i in [1]:\n    print("end", a)');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /division by zero/);
  assert.match(r.stderr, /<stdin>:1:1: undefined: b/);
  assert.match(r.stderr, /fail: boom/);
  assert.equal(r.stdout, '7\nend 7\n');
});

test('star repl --project: the host API reads the loaded in/ objects, the project libraries load by name', () => {
  const r = repl(
    [
      'load("example.com.greetings.star", "new_greeting")',
      'w = client_get("world", "default", {"apiVersion": "example.com/v1alpha1", "kind": "HelloWorld"})["resource"]',
      'w["spec"]["recipients"]',
      'new_greeting(w, "Eve", "Hi")["spec"]["message"]',
      'len(client_list({"apiVersion": "example.com/v1alpha1", "kind": "HelloWorld"})["resource"]["items"])',
      'client_get("nope", "default", {"apiVersion": "example.com/v1alpha1", "kind": "HelloWorld"})["error"]',
    ].join('\n') + '\n',
    ['--project', join(repo, 'examples/hello')],
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '["Alice", "Bob"]\n"Hi, Eve!"\n2\n"helloworlds.example.com \\"nope\\" not found"\n');
});

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

test('star repl on a terminal: prompts, line editing with the history (up arrow), history kept across sessions', { skip: hasScript ? false : 'no script(1) to give the REPL a terminal' }, () => {
  const home = mkdtempSync(join(tmpdir(), 'choreo-repl-home-'));
  try {
    // util-linux script(1) runs the REPL on a pseudo-terminal and feeds it our input as typed keys.
    const session = (keys: string) =>
      spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} star repl`, '/dev/null'], { input: keys, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: home } });
    // "x = 21", then up arrow recalls it and " * 2" is typed at its end: x = 21 * 2.
    const r = session('x = 21\r\x1b[A * 2\rx\rdef f():\r    return x + 1\r\rf()\r\x04');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim());
    assert.ok(lines.includes('42'), r.stdout);
    assert.ok(lines.includes('43'), r.stdout);
    assert.match(r.stdout, /\.\.\. /); // the continuation prompt of the block
    // The next session starts with this one's history: up arrow twice reaches "x = 21 * 2"... and "x" then prints 42.
    assert.match(readFileSync(join(home, '.choreo_repl_history'), 'utf8'), /^f\(\)\n/);
    const again = session('\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\r' + 'x\r\x04');
    assert.ok(again.stdout.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()).includes('42'), again.stdout);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('star repl: non-ASCII values are printed as the text they hold (UTF-8 bytes inside, as starlark-go)', () => {
  const r = repl(['x = "日本"', 'x', 'len(x)', 'x[0]', '{"clé": x}', 'print(x)'].join('\n') + '\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, ['"日本"', '6', '"\\xe6"', '{"clé": "日本"}', '日本', ''].join('\n'));
});
