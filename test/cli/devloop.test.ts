// The development loop through the real choreoctl: `init` writes a project
// that `run once` and `test` pass at once; golden tests fail with a unified
// diff and the exact last line, `--update` repairs them, `-k` filters; and the
// polish around it: `version` / `-V`, number flags refused with exit 2, report
// colours on a terminal only (NO_COLOR respected), the warning for a status
// schema that prunes the conditions the reconciler writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { choreoctl, repo } from '../compat/cli.js';
import { reconcilerConfig, writeProjectFiles } from '../helpers/project.js';
import { buildCRD } from '../../src/api/crd.js';

const lastLine = (s: string) => s.trimEnd().split('\n').pop();

async function newProject(...flags: string[]): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'choreo-init-')), 'proj');
  const r = await choreoctl(['init', dir, ...flags]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return dir;
}

test('init writes a project that run once and test pass at once, and refuses to overwrite it', async () => {
  const dir = await newProject('--group', 'net.example.org', '--kind', 'Network');
  try {
    assert.match(await readFile(join(dir, 'crds/net.example.org_networks.yaml'), 'utf8'), /subresources:\n\s+status: \{\}[\s\S]*conditions:/);
    const once = await choreoctl(['run', 'once', dir]);
    assert.equal(once.code, 0, once.stdout + once.stderr);
    assert.match(once.stdout, /run succeeded: all objects ready/);
    await rm(join(dir, '.choreo'), { recursive: true, force: true });
    const t = await choreoctl(['test', dir]);
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /^PASS basic/m);
    assert.equal(lastLine(t.stdout), '1 passed, 0 failed');
    // The cases leave the project alone: no .choreo/ (last-run) written by test.
    assert.equal(existsSync(join(dir, '.choreo')), false);
    const star = await readFile(join(dir, 'reconcilers/network/reconciler.star'), 'utf8');
    const again = await choreoctl(['init', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds a project \(crds, reconcilers, in, tests/);
    assert.equal(await readFile(join(dir, 'reconcilers/network/reconciler.star'), 'utf8'), star);
    const bad = await choreoctl(['init', join(dir, '..', 'other'), '--kind', 'not-a-kind']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /want a kind in UpperCamelCase/);
  } finally {
    await rm(join(dir, '..'), { recursive: true, force: true });
  }
});

test('test: a broken expected file fails with a unified diff; --update repairs it; -k filters the cases', async () => {
  const dir = await newProject();
  try {
    const expectedFile = join(dir, 'tests/basic/expected/core_configmaps.yaml');
    const good = await readFile(expectedFile, 'utf8');
    await writeFile(expectedFile, good.replace('message: hi', 'message: bye'));
    const failed = await choreoctl(['test', dir]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /^FAIL basic/m);
    assert.match(failed.stdout, /^--- a\/core_configmaps\.yaml\n\+\+\+ b\/core_configmaps\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@/m);
    assert.match(failed.stdout, /^-  message: bye\n\+  message: hi$/m);
    assert.equal(lastLine(failed.stdout), '0 passed, 1 failed');

    // A second case whose run fails (input of a kind no CRD defines): the run's report is printed.
    await cp(join(dir, 'tests/basic'), join(dir, 'tests/broken'), { recursive: true });
    const brokenExpected = await readFile(join(dir, 'tests/broken/expected/core_configmaps.yaml'), 'utf8');
    await writeFile(join(dir, 'tests/broken/in/extra.yaml'), 'apiVersion: nowhere.example.com/v1\nkind: Ghost\nmetadata: {name: g, namespace: default}\n');
    const filtered = await choreoctl(['test', dir, '--update', '-k', 'bas']);
    assert.equal(filtered.code, 0, filtered.stdout + filtered.stderr);
    assert.match(filtered.stdout, /^UPDATED basic/m);
    assert.doesNotMatch(filtered.stdout, /broken/);
    assert.equal(lastLine(filtered.stdout), '1 passed, 0 failed');
    assert.equal(await readFile(expectedFile, 'utf8'), good);

    const both = await choreoctl(['test', dir]);
    assert.equal(both.code, 1);
    assert.match(both.stdout, /^PASS basic/m);
    assert.match(both.stdout, /^FAIL broken[\s\S]*run failed: 1 load error\(s\)[\s\S]*unknown kind Ghost/m);
    assert.equal(lastLine(both.stdout), '1 passed, 1 failed');
    // --update does not write expected/ from a failed run.
    const upd = await choreoctl(['test', dir, '--update', '-k', 'broken']);
    assert.equal(upd.code, 1);
    assert.equal(lastLine(upd.stdout), '0 passed, 1 failed');
    assert.equal(await readFile(join(dir, 'tests/broken/expected/core_configmaps.yaml'), 'utf8'), brokenExpected);

    const none = await choreoctl(['test', dir, '-k', 'nothing-matches']);
    assert.equal(none.code, 1);
    assert.equal(lastLine(none.stdout), '0 passed, 0 failed');
    assert.match(none.stderr, /no test cases matching "nothing-matches"/);
  } finally {
    await rm(join(dir, '..'), { recursive: true, force: true });
  }
});

test('version and -V print the version from package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['version'], ['-V'], ['--version']]) {
    const r = await choreoctl(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('number flags are checked: a bad value exits 2 naming the flag', async () => {
  for (const [args, flag] of [
    [['run', 'once', '.', '--workers', 'abc'], '--workers'],
    [['run', 'once', '.', '--timeout', '-1'], '--timeout'],
    [['run', 'once', '.', '--workers', '1.5'], '--workers'],
    [['run', 'start', '.', '--port', '70000'], '--port'],
    [['server', 'start', '--port', 'x'], '--port'],
    [['test', '.', '--timeout', 'soon'], '--timeout'],
    [['delete', 'widgets', 'w', '--timeout', '-3'], '--timeout'],
    [['apply', '-f', 'x.yaml', '--crd-timeout', 'NaN'], '--crd-timeout'],
    [['run', 'once', '.', '--max-steps', '0'], '--max-steps'],
  ] as const) {
    const r = await choreoctl([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`option '${flag} [^']*' argument '[^']*' is invalid\\. ${flag}: want `), args.join(' '));
  }
});

test('the report is coloured on a terminal only, and never with NO_COLOR', { skip: !existsSync('/usr/bin/script') && 'no script(1) for a pseudo-terminal' }, async () => {
  const dir = await newProject();
  try {
    const cli = join(repo, 'dist/src/cli/main.js');
    const onTty = (env: NodeJS.ProcessEnv) => spawnSync('script', ['-qec', `${process.execPath} ${cli} run once ${dir}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm', ...env } });
    const tty = onTty({ NO_COLOR: '' });
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    assert.match(tty.stdout, /\x1b\[32mrun succeeded\x1b\[0m/);
    const plain = onTty({ NO_COLOR: '1' });
    assert.match(plain.stdout, /run succeeded/);
    assert.doesNotMatch(plain.stdout, /\x1b\[3\dm/);
    const piped = await choreoctl(['run', 'once', dir]);
    assert.doesNotMatch(piped.stdout, /\x1b/);
  } finally {
    await rm(join(dir, '..'), { recursive: true, force: true });
  }
});

test('run once warns when the status schema would prune the conditions the reconciler writes', async () => {
  const group = 'prune.example.org';
  const schema = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', properties: { children: { type: 'integer' } } } } } as const;
  const dir = await writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: stringify(buildCRD({ group, kind: 'Widget', plural: 'widgets', version: 'v1alpha1', schema: structuredClone(schema) as never })),
    'reconcilers/w/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/w/reconciler.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n',
    'in/widgets.yaml': `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {}\n`,
  });
  try {
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Warnings:\n {2}reconciler w: the schema of Widget \(prune\.example\.org\/v1alpha1\) does not declare status\.conditions, so the API server drops the Ready condition/);
    assert.match(r.stdout, /condition Ready never set/);
    const json = await choreoctl(['run', 'once', dir, '--timeout', '20', '-o', 'json']);
    assert.equal((JSON.parse(json.stdout) as { warnings: string[] }).warnings.length, 1);
    // run start logs it too.
    const up = await choreoctl(['run', 'start', dir]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    try {
      assert.match(await readFile(join(dir, '.choreo', 'choreo.log'), 'utf8'), /warning: reconciler w: the schema of Widget .* drops the Ready condition/);
    } finally {
      await choreoctl(['run', 'stop', dir]);
    }
    // A schema that keeps them (the init scaffold) has no warning.
    const ok = await newProject();
    try {
      const clean = await choreoctl(['run', 'once', ok]);
      assert.doesNotMatch(clean.stdout, /Warnings/);
    } finally {
      await rm(join(ok, '..'), { recursive: true, force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every command and subcommand has --help with examples', async () => {
  const top = await choreoctl(['--help']);
  const names = [...top.stdout.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  assert.ok(names.includes('init') && names.includes('test') && names.includes('completion') && names.includes('version'), names.join(' '));
  const missing: string[] = [];
  for (const name of names) {
    const h = await choreoctl([name, '--help']);
    const subs = [...h.stdout.matchAll(/^Commands:\n([\s\S]*?)(?:\n\n|(?![\s\S]))/gm)].flatMap((m) => [...m[1]!.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((s) => s[1]!)).filter((s) => s !== 'help');
    if (subs.length === 0 && !/\nExamples:\n/.test(h.stdout)) missing.push(name);
    for (const sub of subs) {
      const sh = await choreoctl([name, sub, '--help']);
      if (!/\nExamples:\n/.test(sh.stdout)) missing.push(`${name} ${sub}`);
    }
  }
  assert.deepEqual(missing, []);
});
