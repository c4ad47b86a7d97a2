// `choreoctl run reconcile`: a dry run of one reconcile through the real CLI.
// It prints the outcome, the desired children, the status and condition and
// what would be created / updated / deleted, and writes nothing: the project
// tree is byte-identical afterwards and has no .choreo/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choreoctl } from '../compat/cli.js';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';

/** Every file and directory under dir with its content and mode: what "nothing written" compares. */
async function tree(dir: string, out = new Map<string, string>(), rel = ''): Promise<Map<string, string>> {
  for (const e of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(rel, e.name);
    const s = await stat(join(dir, p));
    if (e.isDirectory()) {
      out.set(`${p}/`, `${s.mode} ${s.mtimeMs}`);
      await tree(dir, out, p);
    } else out.set(p, `${s.mode} ${s.mtimeMs} ${await readFile(join(dir, p), 'base64')}`);
  }
  return out;
}

interface DryRun {
  reconciler: string;
  outcome: string;
  message: string;
  children: Array<{ kind: string; metadata: { name: string; ownerReferences: Array<{ name: string }> }; data: Record<string, string> }>;
  status: { children: number; conditions: Array<{ type: string; status: string }> };
  condition: { type: string; status: string; reason: string };
  created: Array<{ kind: string; name: string }>;
  updated: Array<{ kind: string; name: string }>;
  deleted: Array<{ kind: string; name: string }>;
}

test('run reconcile prints one reconcile (outcome, children, status, condition, writes) and writes nothing', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-dryrun-'));
  const dir = join(root, 'proj');
  try {
    assert.equal((await choreoctl(['init', dir])).code, 0);
    const before = await tree(root);
    const r = await choreoctl(['run', 'reconcile', dir, 'app/sample', '-o', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = JSON.parse(r.stdout) as DryRun;
    assert.equal(d.reconciler, 'app');
    assert.equal(d.outcome, 'Ready');
    assert.deepEqual(d.children.map((c) => `${c.kind} ${c.metadata.name} ${c.metadata.ownerReferences[0]!.name} ${c.data.message}`), ['ConfigMap sample-0 sample hello', 'ConfigMap sample-1 sample hello']);
    assert.equal(d.status.children, 2);
    assert.deepEqual([d.condition.type, d.condition.status, d.condition.reason], ['Ready', 'True', 'Ready']);
    assert.deepEqual(d.created.map((o) => `${o.kind} ${o.name}`), ['ConfigMap sample-0', 'ConfigMap sample-1']);
    assert.deepEqual(d.updated.map((o) => `${o.kind} ${o.name}`), ['App sample']);
    assert.deepEqual(d.deleted, []);

    const text = await choreoctl(['run', 'reconcile', dir, 'apps.example.com/sample']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^App default\/sample \(reconciler app\): Ready\n/);
    assert.match(text.stdout, /desired children \(2\):\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n {2}name: sample-0/);
    assert.match(text.stdout, /status:\n {2}children: 2\n/);
    assert.match(text.stdout, /condition Ready: True \(Ready\)/);
    assert.match(text.stdout, /would create:\n {2}ConfigMap default\/sample-0\n {2}ConfigMap default\/sample-1\n\nwould update:\n {2}App default\/sample\n\nwould delete: nothing/);

    // The directory tree (contents, modes, mtimes) is untouched and there is no .choreo/.
    assert.deepEqual(await tree(root), before);
    assert.equal(existsSync(join(dir, '.choreo')), false);

    const missing = await choreoctl(['run', 'reconcile', dir, 'app/nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /App default\/nope is not in the project's input \(it has default\/sample\)/);
    const unknown = await choreoctl(['run', 'reconcile', dir, 'gizmo/x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /the project serves no resource type "gizmo"/);
    const otherNs = await choreoctl(['run', 'reconcile', dir, 'app/sample', '-n', 'team-a']);
    assert.equal(otherNs.code, 1);
    assert.match(otherNs.stderr, /App team-a\/sample is not in the project's input/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('run reconcile of a failing reconcile reports the error with its Starlark position and exits 1; --reconciler picks among several', async () => {
  const group = 'dry.example.org';
  const dir = await writeProjectFiles({
    [`crds/${group}_parents.yaml`]: conditionsCrdYaml(group, 'parents', 'Parent'),
    'reconcilers/good/config.yaml': reconcilerConfig(group, 'Parent', '  conditionType: Good\n'),
    'reconcilers/good/reconciler.star': 'def reconcile(self):\n  return reconcile_result(self, False, 0, "", False)\n',
    'reconcilers/bad/config.yaml': reconcilerConfig(group, 'Parent', '  conditionType: Bad\n'),
    'reconcilers/bad/reconciler.star': 'def reconcile(self):\n  x = {}\n  return x["missing"]\n',
    'in/parents.yaml': `apiVersion: ${group}/v1alpha1\nkind: Parent\nmetadata: {name: p1, namespace: default}\nspec: {}\n`,
  });
  try {
    const before = await tree(dir);
    const ambiguous = await choreoctl(['run', 'reconcile', dir, 'parent/p1']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /2 reconcilers reconcile Parent: (bad, good|good, bad); choose one with --reconciler/);
    const bad = await choreoctl(['run', 'reconcile', dir, 'parent/p1', '--reconciler', 'bad', '-o', 'yaml']);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^outcome: Error$/m);
    assert.match(bad.stdout, /reconciler\.star:3:/);
    assert.match(bad.stdout, /type: Bad\n\s+status: "False"/);
    const good = await choreoctl(['run', 'reconcile', dir, 'parent/p1', '--reconciler', 'good']);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /condition Good: True/);
    assert.match(good.stdout, /desired children \(0\):/);
    assert.deepEqual(await tree(dir), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
