import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverProject } from '../../src/runner/project/discover.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('the hello example is discovered completely', async () => {
  const p = await discoverProject(join(repo, 'examples/hello'));
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.crds.map((m) => m.object.metadata.name).sort(), ['greetings.example.com', 'helloworlds.example.com']);
  assert.deepEqual(p.libraries.map((l) => l.names), [['example.com.greetings.star', 'example.com_greetings.star']]);
  assert.equal(p.reconcilers.length, 1);
  assert.equal(p.reconcilers[0]!.name, 'helloworld');
  assert.equal(p.reconcilers[0]!.code[0]!.kind, 'starlark');
  assert.deepEqual(p.inputs.map((m) => [m.object.metadata.name, m.pos.line]), [['world', 1], ['team', 10]]);
});

test('every broken file is reported with file:line:col and the rest still loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-discover-'));
  try {
    await mkdir(join(dir, 'in'));
    await mkdir(join(dir, 'reconcilers/noconfig'), { recursive: true });
    await writeFile(join(dir, 'in/a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\nkind: [\n');
    await writeFile(join(dir, 'in/b.yaml'), 'apiVersion: v1\nmetadata: {name: x}\n');
    await writeFile(join(dir, 'reconcilers/flat.yaml'), 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec: {}\n');
    await writeFile(join(dir, 'reconcilers/flat.star'), 'def reconcile(self):\n    pass\n');
    await writeFile(join(dir, 'reconcilers/noconfig/x.star'), '');
    const p = await discoverProject(dir);
    assert.deepEqual(p.inputs.map((m) => m.object.metadata.name), ['ok']);
    const msgs = p.errors.map((e) => e.render().replace(dir + '/', ''));
    assert.equal(msgs.length, 3, msgs.join('\n'));
    assert.ok(msgs.some((m) => /^in\/a\.yaml:[67]:\d+: invalid YAML/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^in\/b\.yaml:1:1: object has no apiVersion or kind/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^reconcilers\/noconfig:1:1: reconciler directory has no config\.yaml/.test(m)), msgs.join('\n'));
    assert.deepEqual(p.reconcilers.map((r) => [r.name, r.code.map((c) => c.kind)]), [['flat', ['starlark']]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing directory or one without any project folder is a clear error, not an empty successful run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-notproject-'));
  try {
    await assert.rejects(discoverProject(join(dir, 'nope')), /^NotAProjectError: project directory .*nope does not exist$/);
    await writeFile(join(dir, 'file.yaml'), 'a: 1\n');
    await assert.rejects(discoverProject(join(dir, 'file.yaml')), /file\.yaml is not a directory/);
    await assert.rejects(discoverProject(dir), /is not a choreo project: it has none of crds\/, reconcilers\/, in\/, libs\/, refs\//);
    await mkdir(join(dir, 'in'));
    assert.deepEqual((await discoverProject(dir)).errors, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
