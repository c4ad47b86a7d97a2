// Projects in the original choreo's layouts (test/compat/fixtures, see its README) run unchanged
// through `choreoctl run once`; their --out trees are asserted against expected/, and
// `run deps` / `run result` print the last run as the original does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readOut } from '../../src/runner/output.js';
import type { KObject } from '../../src/api/object.js';
import { choreoctl, copyFixture, crdYaml, fixtures } from './cli.js';

/** Runs a fixture (copied to a temp dir) once with --out; the copy stays for `run deps` / `run result`. */
async function runFixture(name: string, env: NodeJS.ProcessEnv = {}) {
  const dir = await copyFixture(name);
  const out = join(dir, '.test-out');
  const r = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', '30'], env);
  const files = await readOut(out).catch(() => new Map<string, string>());
  const objects = (file: string): KObject[] => parseAllDocuments(files.get(file) ?? '').map((d) => d.toJS() as KObject);
  return { ...r, dir, files, objects, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function assertOut(files: Map<string, string>, expectedDir: string, label: string): Promise<void> {
  const want = await readOut(join(fixtures, expectedDir, 'expected'));
  assert.ok(want.size > 0, `${expectedDir}/expected is empty`);
  assert.deepEqual([...files.keys()], [...want.keys()], label);
  for (const [file, text] of want) assert.equal(files.get(file), text, `${label}: ${file} differs from ${expectedDir}/expected`);
}

test('legacy flat layout: reconcilers/<name>.yaml + .star, a CRD-side library loading libs/, legacy reconcile_result; deps and result after run once', async () => {
  const r = await runFixture('legacy-flat');
  try {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await assertOut(r.files, 'legacy-flat', 'legacy-flat');
    const deps = await choreoctl(['run', 'deps', r.dir]);
    assert.equal(deps.code, 0, deps.stderr);
    assert.equal(
      deps.stdout,
      [
        'Team.lab.example.org/v1alpha1 core',
        '+-Badge.lab.example.org/v1alpha1 core-ada-lovelace',
        '+-Badge.lab.example.org/v1alpha1 core-alan-turing',
        'Team.lab.example.org/v1alpha1 ops',
        '+-Badge.lab.example.org/v1alpha1 ops-grace-hopper',
        '',
      ].join('\n'),
    );
    const result = await choreoctl(['run', 'result', r.dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^execution success, time\(sec\) \d+\.\d{3}\n/);
    assert.equal(
      result.stdout.split('\n').slice(1).join('\n'),
      ['Reconciler                   Start Stop Requeue Error', 'lab.example.org.teams.badges     2    2       0     0', ''].join('\n'),
    );
  } finally {
    await r.cleanup();
  }
});

test('modern layout with in/ Reconciler and Library objects, CEL for selector and a CEL watch join', async () => {
  const r = await runFixture('modern');
  try {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await assertOut(r.files, 'modern', 'modern');
    const deps = await choreoctl(['run', 'deps', r.dir]);
    assert.equal(
      deps.stdout,
      [
        'Rack.lab.example.org/v1alpha1 r1',
        '+-RackConfig.lab.example.org/v1alpha1 r1-config',
        'Rack.lab.example.org/v1alpha1 r2',
        '+-RackConfig.lab.example.org/v1alpha1 r2-config',
        'Rack.lab.example.org/v1alpha1 r3',
        'Site.lab.example.org/v1alpha1 north',
        'Site.lab.example.org/v1alpha1 south',
        '',
      ].join('\n'),
    );
    const result = await choreoctl(['run', 'result', r.dir, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const counts = (JSON.parse(result.stdout) as { reconcilers: Record<string, { start: number; stop: number; requeue: number; error: number }> }).reconcilers;
    // Each site needs one survey pass (a requeue) before it is Ready.
    assert.deepEqual(counts['lab.example.org.sites.survey'], { start: 4, stop: 2, requeue: 2, error: 0 });
    // Only the two enabled racks are reconciled, each ends once (stop); a wait for its site counts as a requeue, as in the original.
    const rack = counts.rack!;
    assert.ok(rack.stop === 2 && rack.start === rack.stop + rack.requeue && rack.error === 0, JSON.stringify(rack));
  } finally {
    await r.cleanup();
  }
});

test('without the CEL watch the racks still converge: a waiting message requeues them through the rate limiter, as in the original', async () => {
  const dir = await copyFixture('modern');
  try {
    const cfg = join(dir, 'reconcilers/rack/config.yaml');
    await writeFile(cfg, (await readFile(cfg, 'utf8')).replace(/ {2}watches:[\s\S]*$/, ''));
    // The sites become ready only after a timed requeue, so every rack first sees its site not ready.
    const site = join(dir, 'in/choreo.kform.dev.reconciler.lab.example.org.sites.survey.yaml');
    await writeFile(site, (await readFile(site, 'utf8')).replace('reconcile_result(self, True, 0, "surveying", False)', 'reconcile_result(self, False, 2, "surveying", False)'));
    const r = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = await choreoctl(['run', 'result', dir, '-o', 'json']);
    const rack = (JSON.parse(result.stdout) as { reconcilers: Record<string, { start: number; stop: number; requeue: number; error: number }> }).reconcilers.rack!;
    // Each enabled rack first finds its site not ready ("site ... is not ready": a requeue), then converges.
    assert.ok(rack.requeue >= 2 && rack.stop === 2 && rack.error === 0, JSON.stringify(rack));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Go-template and Jinja2 reconcilers (files and in/ objects, define/template and pongo2 imports) render the same tree', async () => {
  for (const p of ['templates-gotemplate', 'templates-jinja2']) {
    const r = await runFixture(p);
    try {
      assert.equal(r.code, 0, `${p}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /lab\.example\.org\.switchports\.config +2 +0/);
      assert.match(r.stdout, /lab\.example\.org\.vlans\.config +1 +0/);
      await assertOut(r.files, 'templates-gotemplate', p);
      const deps = await choreoctl(['run', 'deps', r.dir]);
      assert.match(deps.stdout, /^SwitchPort\.lab\.example\.org\/v1alpha1 leaf1-p1\n\+-RenderedConfig\.lab\.example\.org\/v1alpha1 leaf1-p1\n/);
      assert.match(deps.stdout, /\nVlan\.lab\.example\.org\/v1alpha1 users\n\+-RenderedConfig\.lab\.example\.org\/v1alpha1 vlan-users\n$/);
    } finally {
      await r.cleanup();
    }
  }
});

const upstreamHash = '0123456789abcdef0123456789abcdef01234567';

test('ref-user: its UpstreamRef resolves from the cache and brings CRDs, libraries and the reconciler; run deps --refs names the sources', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'choreo-compat-cache-'));
  try {
    const tree = join(cache, `refs/git.example.org/lab/choreo-upstream@${upstreamHash}`);
    await mkdir(tree, { recursive: true });
    await cp(join(fixtures, 'upstream'), join(tree, 'upstream'), { recursive: true });
    const r = await runFixture('ref-user', { CHOREO_CACHE: cache });
    try {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await assertOut(r.files, 'ref-user', 'ref-user');
      const deps = await choreoctl(['run', 'deps', '--refs', r.dir], { CHOREO_CACHE: cache });
      assert.equal(deps.code, 0, deps.stdout + deps.stderr);
      assert.match(deps.stdout, new RegExp(`^ref lab: https://git\\.example\\.org/lab/choreo-upstream\\.git hash ${upstreamHash} \\(directory upstream, type all\\)\\n  resolved from cache `));
      assert.match(deps.stdout, /\nlab +CustomResourceDefinition +greeters\.lab\.example\.org +lab@0123456789ab\/crds\/lab\.example\.org_greeters\.yaml\n/);
      assert.match(deps.stdout, /\nlab +Library +lab\.example\.org\.notes\.star /);
      assert.match(deps.stdout, /\nlab +Reconciler +lab\.example\.org\.greeters\.note /);
      assert.match(deps.stdout, /\n\(project\) +Greeter +default\/team /);
      const tree = await choreoctl(['run', 'deps', r.dir]);
      assert.equal(tree.stdout, 'Greeter.lab.example.org/v1alpha1 team\n+-Note.lab.example.org/v1alpha1 team-note\n');
    } finally {
      await r.cleanup();
    }
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('ref-user without the ref available fails naming the ref and every place looked at; run result shows the failure', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'choreo-compat-nocache-'));
  const r = await runFixture('ref-user', { CHOREO_CACHE: cache });
  try {
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`refs/choreo\\.kform\\.dev\\.upstreamrefs\\.lab\\.yaml:1:1: upstream ref lab \\(https://git\\.example\\.org/lab/choreo-upstream\\.git hash ${upstreamHash}, directory upstream\\) not found`));
    assert.ok(r.stdout.includes(`${cache}/refs/git.example.org/lab/choreo-upstream@${upstreamHash}/upstream (unpacked tree, missing)`), r.stdout);
    assert.ok(r.stdout.includes(`${cache}/refs/git.example.org/lab/choreo-upstream.git (no git repository)`), r.stdout);
    const result = await choreoctl(['run', 'result', r.dir]);
    // The missing ref also leaves the project's Greeter without its CRD.
    assert.match(result.stdout, /^execution failed: 2 load error\(s\)\n  .*in\/greeters\.yaml:1:1: Greeter default\/team: unknown kind Greeter[\s\S]*\n  .*upstream ref lab .* not found/);
  } finally {
    await r.cleanup();
    await rm(cache, { recursive: true, force: true });
  }
});

test('invalid-name: a name with "_" is refused with the DNS-1123 message (the original refuses it too)', async () => {
  const r = await runFixture('invalid-name');
  try {
    assert.equal(r.code, 1);
    assert.match(r.stdout, /in\/claims\.yaml:2:1: Claim\.lab\.example\.org "lab\.default\.10_0_0_0__24" is invalid: metadata\.name: Invalid value: "lab\.default\.10_0_0_0__24": a lowercase RFC 1123 subdomain must consist of/);
  } finally {
    await r.cleanup();
  }
});

test('a reconciler changing its For object\'s spec is refused unless its config sets specUpdate: true', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-compat-spec-'));
  try {
    await mkdir(join(dir, 'crds'));
    await mkdir(join(dir, 'reconcilers'));
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'crds/lab.example.org_teams.yaml'), crdYaml('lab.example.org', 'teams', 'Team'));
    await writeFile(join(dir, 'in/team.yaml'), 'apiVersion: lab.example.org/v1alpha1\nkind: Team\nmetadata: {name: core, namespace: default}\nspec: {size: 2}\n');
    const config = (specUpdate: string) => `apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: lab.example.org, version: v1alpha1, kind: Team}\n${specUpdate}`;
    await writeFile(join(dir, 'reconcilers/lab.example.org.teams.motto.yaml'), config(''));
    // The current 5-argument form (the legacy 6-argument one applies the whole object, spec included, as the original did).
    await writeFile(join(dir, 'reconcilers/lab.example.org.teams.motto.star'), 'def reconcile(self):\n  self["spec"]["motto"] = "ship it"\n  return reconcile_result(self, False, 0, "", False)\n');
    const refused = await choreoctl(['run', 'once', dir, '--timeout', '20']);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /Team default\/core \(reconciler lab\.example\.org\.teams\.motto\): Fatal\n\s+reconciler lab\.example\.org\.teams\.motto changed spec\.motto of its Team; set spec\.specUpdate: true in its config to allow it/);
    const failed = await choreoctl(['run', 'result', dir]);
    assert.match(failed.stdout, /\nlab\.example\.org\.teams\.motto +1 +0 +0 +1\n/, 'a fatal result counts as an Error');

    await writeFile(join(dir, 'reconcilers/lab.example.org.teams.motto.yaml'), config('  specUpdate: true\n'));
    const out = join(dir, 'out');
    const allowed = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', '20']);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    // A field the reconciler adds; one the input file set stays the input's (server-side apply conflict).
    assert.match(await readFile(join(out, 'lab.example.org_teams.yaml'), 'utf8'), /spec:\n {2}size: 2\n {2}motto: ship it\n/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run deps and run result before any run once say so', async () => {
  const dir = await copyFixture('legacy-flat');
  try {
    for (const cmd of ['deps', 'result']) {
      const r = await choreoctl(['run', cmd, dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`no run recorded for ${dir} .*: run \`choreoctl run once ${dir}\` first`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
