// UpstreamRef resolution (src/runner/refs) against real git repositories made with `git init`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { discoverProject } from '../../src/runner/project/discover.js';
import { RefNotFoundError, resolveRef, urlKey } from '../../src/runner/refs/resolve.js';
import { globMatch, parseUpstreamRef, type UpstreamRef } from '../../src/runner/refs/upstreamref.js';
import { choreoctl, fixtures, git } from './cli.js';

const pos = { file: 'refs/r.yaml', line: 1, col: 1 };
const ref = (spec: Record<string, unknown>, name = 'up'): UpstreamRef => parseUpstreamRef({ object: { apiVersion: 'choreo.kform.dev/v1alpha1', kind: 'UpstreamRef', metadata: { name }, spec }, pos });

/** A repository holding fixtures/upstream under `lib/` at tag v1, then a second commit changing the notes library. */
async function makeRepo(root: string): Promise<{ repo: string; v1: string; v2: string }> {
  const repo = join(root, 'upstream');
  await mkdir(repo);
  await git(repo, 'init', '-q');
  await cp(join(fixtures, 'upstream'), join(repo, 'lib'), { recursive: true });
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-q', '-m', 'v1');
  await git(repo, 'tag', 'v1');
  const v1 = await git(repo, 'rev-parse', 'HEAD');
  const lib = join(repo, 'lib/in/choreo.kform.dev.library.lab.example.org.notes.star.yaml');
  await writeFile(lib, (await readFile(lib, 'utf8')).replace('return "hello " + spec.get("to", "world")', 'return "v2: hello " + spec.get("to", "world")'));
  await git(repo, 'commit', '-q', '-am', 'v2');
  return { repo, v1, v2: await git(repo, 'rev-parse', 'HEAD') };
}

test('UpstreamRef parsing applies the defaults and reports every problem with its field path', () => {
  const r = ref({ url: 'https://github.com/a/b.git', ref: { name: 'abc' } });
  assert.deepEqual([r.ref.type, r.type, r.directory], ['hash', 'all', '']);
  assert.throws(() => ref({ ref: { type: 'branch', name: 'x' }, type: 'some' }), /UpstreamRef up: spec\.url: Required value; spec\.ref\.type: Unsupported value: "branch".*; spec\.type: Unsupported value: "some"/);
  assert.equal(urlKey('https://github.com/kform-dev/choreo-examples.git'), 'github.com/kform-dev/choreo-examples');
  assert.equal(urlKey('git@github.com:org/repo.git'), 'github.com/org/repo');
  assert.ok(globMatch('crds/*.yaml', 'crds/a_b.yaml') && !globMatch('crds/*.yaml', 'crds/x/a.yaml') && globMatch('**/*.star', 'a/b/c.star'));
});

test('a tag and a hash resolve from a local git repository to exactly that commit; the repository is left untouched', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const { repo, v1, v2 } = await makeRepo(root);
    const libText = async (r: UpstreamRef) => {
      const resolved = await resolveRef(r, root);
      try {
        return await readFile(join(resolved.dir, 'in/choreo.kform.dev.library.lab.example.org.notes.star.yaml'), 'utf8');
      } finally {
        await resolved.cleanup();
      }
    };
    const url = pathToFileURL(repo).href;
    assert.doesNotMatch(await libText(ref({ url, ref: { type: 'tag', name: 'v1' }, directory: 'lib' })), /v2: /);
    assert.match(await libText(ref({ url, ref: { type: 'hash', name: v2 }, directory: 'lib' })), /v2: /);
    assert.doesNotMatch(await libText(ref({ url: './upstream', ref: { type: 'hash', name: v1.slice(0, 10) }, directory: 'lib' })), /v2: /);
    assert.equal(await git(repo, 'status', '--porcelain'), '');
    assert.equal(await git(repo, 'rev-parse', 'HEAD'), v2);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a missing ref is an error naming the ref and each place looked at', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const { repo } = await makeRepo(root);
    await assert.rejects(resolveRef(ref({ url: pathToFileURL(repo).href, ref: { type: 'tag', name: 'v9' } }), root), (err: unknown) => {
      assert.ok(err instanceof RefNotFoundError);
      assert.equal(err.message, `upstream ref up (${pathToFileURL(repo).href} tag v9) not found; looked in:\n  - ${repo} (git repository without tag v9)`);
      return true;
    });
    await assert.rejects(resolveRef(ref({ url: 'https://example.com/x/y.git', ref: { name: 'v1', type: 'tag' } }), root, { CHOREO_CACHE: join(root, 'cache') }), (err: unknown) => {
      assert.ok(err instanceof RefNotFoundError);
      assert.match(err.message, new RegExp(`looked in:\\n  - ${root}/cache/refs/example\\.com/x/y@v1 \\(unpacked tree, missing\\)\\n  - ${root}/cache/refs/example\\.com/x/y\\.git \\(no git repository\\)\\n  - ${root}/cache/refs/example\\.com/x/y \\(no git repository\\)$`));
      return true;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the cache serves an https ref from a bare clone (refs/<host>/<path>.git) at the pinned commit', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const { repo, v1 } = await makeRepo(root);
    const cache = join(root, 'cache');
    await mkdir(join(cache, 'refs/github.com/org'), { recursive: true });
    await git(root, 'clone', '-q', '--bare', repo, join(cache, 'refs/github.com/org/upstream.git'));
    const resolved = await resolveRef(ref({ url: 'https://github.com/org/upstream.git', ref: { type: 'hash', name: v1 }, directory: 'lib' }), root, { CHOREO_CACHE: cache });
    try {
      assert.match(resolved.source, /^git repository .*cache\/refs\/github\.com\/org\/upstream\.git at [0-9a-f]{12}$/);
      assert.doesNotMatch(await readFile(join(resolved.dir, 'in/choreo.kform.dev.library.lab.example.org.notes.star.yaml'), 'utf8'), /v2: /);
    } finally {
      await resolved.cleanup();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('type crd brings only CRDs and libraries, includes narrow the files, the project wins on a name clash', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const { repo } = await makeRepo(root);
    const project = join(root, 'project');
    await mkdir(join(project, 'refs'), { recursive: true });
    await mkdir(join(project, 'libs'), { recursive: true });
    await writeFile(join(project, 'libs/lab.example.org.notes.star'), 'def newNote(self):\n  return None\n');
    const url = pathToFileURL(repo).href;
    await writeFile(join(project, 'refs/a.yaml'), `apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: apis}\nspec:\n  url: ${url}\n  directory: lib\n  type: crd\n  ref: {type: tag, name: v1}\n  includes: ["crds/*greeters*", "*.star.yaml"]\n`);
    const p = await discoverProject(project);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.crds.map((c) => [c.object.metadata.name, c.origin, c.pos.file]), [['greeters.lab.example.org', 'apis', 'apis@v1/crds/lab.example.org_greeters.yaml']]);
    assert.deepEqual(p.libraries.map((l) => [l.names[0], l.origin ?? '(project)']), [['lab.example.org.notes.star', '(project)'], ['lab.object.star', 'apis']]);
    assert.deepEqual(p.reconcilers, []);
    assert.deepEqual(p.refs.map((r) => [r.ref.name, r.supplied]), [['apis', { crds: ['greeters.lab.example.org'], libraries: ['lab.object.star'], reconcilers: [], inputs: [] }]]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('run once: a project whose CRDs, libraries and reconciler come from a file:// ref (type all) runs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const { repo, v2 } = await makeRepo(root);
    const project = join(root, 'project');
    await cp(join(fixtures, 'ref-user/in'), join(project, 'in'), { recursive: true });
    await mkdir(join(project, 'refs'));
    await writeFile(join(project, 'refs/lab.yaml'), `apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: lab}\nspec:\n  url: ${pathToFileURL(repo).href}\n  directory: lib\n  ref: {type: hash, name: ${v2}}\n`);
    const out = join(root, 'out');
    const r = await choreoctl(['run', 'once', project, '--out', out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(await readFile(join(out, 'lab.example.org_notes.yaml'), 'utf8'), /text: "v2: hello choreo"/);
    const deps = await choreoctl(['run', 'deps', '--refs', project, '-o', 'json']);
    const d = JSON.parse(deps.stdout) as { refs: Array<{ name: string; resolvedFrom: string }>; rows: Array<{ source: string; kind: string; name: string }> };
    assert.deepEqual(d.refs.map((x) => x.name), ['lab']);
    assert.match(d.refs[0]!.resolvedFrom, new RegExp(`^git repository ${repo} at ${v2.slice(0, 12)}$`));
    assert.deepEqual(d.rows.filter((x) => x.kind === 'Reconciler').map((x) => [x.source, x.name]), [['lab', 'lab.example.org.greeters.note']]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a type crd ref to an API repository without crds/ finds its CRDs anywhere, narrowed by includes written as file stems', async () => {
  const root = await mkdtemp(join(tmpdir(), 'choreo-refs-'));
  try {
    const repo = join(root, 'apis');
    await mkdir(join(repo, 'artifacts/crd/bases'), { recursive: true });
    const crd = await readFile(join(fixtures, 'upstream/crds/lab.example.org_greeters.yaml'), 'utf8');
    await writeFile(join(repo, 'artifacts/crd/bases/lab.example.org_greeters.yaml'), crd);
    await writeFile(join(repo, 'artifacts/crd/bases/lab.example.org_others.yaml'), crd.replaceAll('greeter', 'other').replaceAll('Greeter', 'Other'));
    await writeFile(join(repo, 'artifacts/notes.yaml'), 'kind: [');
    await git(repo, 'init', '-q');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-q', '-m', 'apis');
    const project = join(root, 'project');
    await mkdir(join(project, 'refs'), { recursive: true });
    await writeFile(join(project, 'refs/config.yaml'), `apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: config}\nspec:\n  type: crd\n  url: ${pathToFileURL(repo).href}\n  ref: {type: hash, name: ${await git(repo, 'rev-parse', 'HEAD')}}\n  includes:\n  - lab.example.org_greeters\n`);
    const p = await discoverProject(project);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.crds.map((c) => [c.object.metadata.name, c.pos.file.replace(/@[0-9a-f]{12}/, '@HASH')]), [['greeters.lab.example.org', 'config@HASH/artifacts/crd/bases/lab.example.org_greeters.yaml']]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
