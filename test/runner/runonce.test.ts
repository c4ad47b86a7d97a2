import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, cp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readOut } from '../../src/runner/output.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'dist/src/cli/main.js');

async function choreoctl(args: string[], cwd = repo): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

for (const example of ['hello', 'topology']) {
  test(`run once examples/${example} succeeds and produces the expected --out tree`, async () => {
    const out = await mkdtemp(join(tmpdir(), `choreo-out-${example}-`));
    try {
      const r = await choreoctl(['run', 'once', `examples/${example}`, '--out', out]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^run succeeded: all objects ready/);
      const got = await readOut(out);
      const want = await readOut(join(repo, 'examples', example, 'expected'));
      assert.deepEqual([...got.keys()], [...want.keys()]);
      for (const [file, text] of want) assert.equal(got.get(file), text, `${file} differs from examples/${example}/expected`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
}

test('run once -o json gives a machine-readable report', async () => {
  const r = await choreoctl(['run', 'once', 'examples/hello', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.success, true);
  assert.deepEqual(report.reconcilers.map((s: { reconciler: string }) => s.reconciler), ['helloworld']);
  assert.deepEqual(report.writes, [{ kind: 'Greeting', created: 3, updated: 0, deleted: 0 }]);
});

test('a failing reconciler makes run once exit 1 naming the object, the message and the Starlark line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-fail-'));
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true });
    await rm(join(dir, 'expected'), { recursive: true, force: true });
    await writeFile(
      join(dir, 'reconcilers/helloworld/reconciler.star'),
      'def reconcile(self):\n    n = len(self["spec"]["recipients"])\n    return reconcile_result(self, False, 0, "", 1 // (n - 1) == 0)\n',
    );
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^run failed: 1 object\(s\) not ready/);
    assert.match(r.stdout, /HelloWorld default\/team \(reconciler helloworld\): Error/);
    assert.match(r.stdout, /reconciler\.star:3:\d+: in reconcile/);
    assert.match(r.stdout, /Error: floored division by zero/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('load errors are all listed with file:line:col and nothing runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-load-'));
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true });
    await writeFile(join(dir, 'in/bad.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: bad\nspec:\n  recipients: 3\n---\napiVersion: example.com/v1alpha1\nkind: Nope\nmetadata:\n  name: x\n');
    await mkdir(join(dir, 'reconcilers/broken'));
    await writeFile(join(dir, 'reconcilers/broken/config.yaml'), 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: Greeting}\n');
    await writeFile(join(dir, 'reconcilers/broken/reconciler.star'), 'def reconcile(self):\n    return reconcile_result(self, False, 0, "", False\n');
    const r = await choreoctl(['run', 'once', dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /run failed: 3 load error\(s\)/);
    assert.match(r.stdout, new RegExp(`\n  ${dir}/in/bad\\.yaml:1:1: HelloWorld\\.example\\.com "bad" is invalid: spec\\.recipients: Invalid value: "integer": spec\\.recipients in body must be of type array`));
    assert.match(r.stdout, new RegExp(`\n  ${dir}/in/bad\\.yaml:8:1: Nope x: unknown kind Nope in example\\.com/v1alpha1`));
    assert.match(r.stdout, new RegExp(`\n  ${dir}/reconcilers/broken/reconciler\\.star:3:1: reconciler broken: got newline, want ','\n`));
    assert.doesNotMatch(r.stdout, /RECONCILES\s*\n.*helloworld\s+[1-9]/, 'nothing ran');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run diff shows what a project change does to the last --out, and nothing when unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-diff-'));
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true });
    const out = join(dir, 'reviewed');
    assert.equal((await choreoctl(['run', 'once', dir, '--out', out])).code, 0);
    const same = await choreoctl(['run', 'diff', dir]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /^no changes against /);
    await writeFile(join(dir, 'in/helloworlds.yaml'), (await readFile(join(dir, 'in/helloworlds.yaml'), 'utf8')).replace('recipients: [Carol]', 'recipients: [Carol, Erin]'));
    const changed = await choreoctl(['run', 'diff', dir]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /--- a\/example\.com_greetings\.yaml\n\+\+\+ b\/example\.com_greetings\.yaml/);
    assert.match(changed.stdout, /\n\+  name: team-erin\n/);
    assert.match(changed.stdout, /\n-  greetings: 1\n\+  greetings: 2\n/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('objects requeueing forever or waiting on a dependency are reported as stuck, and run once still ends', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-stuck-'));
  try {
    await cp(join(repo, 'examples/hello'), dir, { recursive: true });
    await writeFile(
      join(dir, 'reconcilers/helloworld/reconciler.star'),
      [
        'def reconcile(self):',
        '    if self["metadata"]["name"] == "world":',
        '        return reconcile_result(self, True, 0, "still converging", False)',
        '    rsp = client_get("missing", "", get_resource("example.com/v1alpha1", "Greeting")["resource"])',
        '    if rsp["error"] != None:',
        '        return reconcile_result(self, False, 0, "waiting for greeting missing", False)',
        '    return reconcile_result(self, False, 0, "", False)',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const r = await choreoctl(['run', 'once', dir, '--timeout', '30']);
    assert.ok(Date.now() - started < 20_000, 'ends well before the timeout');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /run failed: 2 object\(s\) not ready/);
    assert.match(r.stdout, /HelloWorld default\/world \(reconciler helloworld\): Requeue after \d+ attempts\n\s+still converging/);
    assert.match(r.stdout, /HelloWorld default\/team \(reconciler helloworld\): Waiting after \d+ attempts\n\s+waiting for greeting missing/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
