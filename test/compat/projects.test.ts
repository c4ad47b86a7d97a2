// Original-choreo projects (test/compat/fixtures, see its README) run unchanged through `choreoctl run once`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readOut } from '../../src/runner/output.js';
import type { KObject } from '../../src/api/object.js';
import { choreoctl, fixtures } from './cli.js';

async function runOnce(project: string, env: NodeJS.ProcessEnv = {}) {
  const out = await mkdtemp(join(tmpdir(), 'choreo-compat-out-'));
  const r = await choreoctl(['run', 'once', project, '--out', out, '--timeout', '30'], env);
  const files = await readOut(out).catch(() => new Map<string, string>());
  await rm(out, { recursive: true, force: true });
  const objects = (file: string): KObject[] => parseAllDocuments(files.get(file) ?? '').map((d) => d.toJS() as KObject);
  return { ...r, files, objects };
}

const ready = (o: KObject) => ((o.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

test('hello-world: legacy flat reconciler (name from the file) plus its in/ snapshot loads and runs; its spec change without specUpdate is refused clearly', async () => {
  const r = await runOnce(join(fixtures, 'hello-world'));
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /example\.com\.helloworlds\.helloworld\s+1\s+1/);
  assert.match(r.stdout, /HelloWorld default\/test \(reconciler example\.com\.helloworlds\.helloworld\): Fatal\n\s+reconciler example\.com\.helloworlds\.helloworld changed spec\.greeting of its HelloWorld; set spec\.specUpdate: true in its config to allow it/);
  const [hw] = r.objects('example.com_helloworlds.yaml');
  assert.equal(hw?.metadata.name, 'test');
  assert.ok(!ready(hw!), JSON.stringify(hw));
});

test('greeting: in/ Reconciler and Library objects (the original snapshot layout) create the owned Greeting', async () => {
  const r = await runOnce(join(fixtures, 'greeting'));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [g] = r.objects('example.com_greetings.yaml');
  assert.equal(g?.metadata.name, 'test');
  assert.equal(g?.metadata.namespace, 'default');
  assert.deepEqual(g?.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['HelloWorld', 'test', true]]);
  // The example's Greeting CRD declares spec.greeting, while its reconciler writes spec.message:
  // the API server prunes the undeclared field, as Kubernetes does.
  assert.deepEqual(g?.spec, {});
});

test('greeting-ref-example: the UpstreamRef resolves from the cache and brings CRDs, libraries and the reconciler', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'choreo-compat-cache-'));
  try {
    const tree = join(cache, 'refs/github.com/kform-dev/choreo-examples@d8a3ca6ea40d938d70de58921581c3b0448284cb');
    await mkdir(tree, { recursive: true });
    await cp(join(fixtures, 'greeting-ref'), join(tree, 'greeting-ref'), { recursive: true });
    const r = await runOnce(join(fixtures, 'greeting-ref-example'), { CHOREO_CACHE: cache });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [g] = r.objects('example.com_greetings.yaml');
    assert.equal((g?.spec as { message?: string } | undefined)?.message, 'hi choreo, i am referencing this code now');

    const deps = await choreoctl(['run', 'deps', join(fixtures, 'greeting-ref-example')], { CHOREO_CACHE: cache });
    assert.equal(deps.code, 0, deps.stdout + deps.stderr);
    assert.match(deps.stdout, /^ref greeting: https:\/\/github\.com\/kform-dev\/choreo-examples\.git hash d8a3ca6ea40d938d70de58921581c3b0448284cb \(directory greeting-ref, type all\)\n  resolved from cache /);
    assert.match(deps.stdout, /\ngreeting +CustomResourceDefinition +greetings\.example\.com +greeting@d8a3ca6ea40d\/crds\/example\.com_greetings\.yaml\n/);
    assert.match(deps.stdout, /\ngreeting +Library +example\.com\.greetings\.star /);
    assert.match(deps.stdout, /\ngreeting +Reconciler +example\.com\.helloworlds\.helloworld /);
    assert.match(deps.stdout, /\n\(project\) +HelloWorld +default\/test /);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('greeting-ref-example without the ref available fails naming the ref and every place looked at', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'choreo-compat-nocache-'));
  try {
    const r = await runOnce(join(fixtures, 'greeting-ref-example'), { CHOREO_CACHE: cache });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /refs\/choreo\.kform\.dev\.upstreamrefs\.topology\.yaml:1:1: upstream ref greeting \(https:\/\/github\.com\/kform-dev\/choreo-examples\.git hash d8a3ca6ea40d938d70de58921581c3b0448284cb, directory greeting-ref\) not found/);
    assert.ok(r.stdout.includes(`${cache}/refs/github.com/kform-dev/choreo-examples@d8a3ca6ea40d938d70de58921581c3b0448284cb/greeting-ref (unpacked tree, missing)`), r.stdout);
    assert.ok(r.stdout.includes(`${cache}/refs/github.com/kform-dev/choreo-examples.git (no git repository)`), r.stdout);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('config-gotempl and config-jinja2templ: Go-template and Jinja2 reconcilers (files and in/ objects) render the same Configs', async () => {
  const want = await readOut(join(fixtures, 'config-gotempl/expected'));
  for (const p of ['config-gotempl', 'config-jinja2templ']) {
    const r = await runOnce(join(fixtures, p));
    assert.equal(r.code, 0, `${p}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /device\.kubenet\.dev\.interfaces\.config\.nokiasrl +2 +0/);
    assert.match(r.stdout, /device\.kubenet\.dev\.subinterfaces\.config\.nokiasrl +1 +0/);
    assert.deepEqual([...r.files.keys()], [...want.keys()], p);
    for (const [file, text] of want) assert.equal(r.files.get(file), text, `${p}: ${file} differs from config-gotempl/expected`);
  }
});

test('interface-names: an IPClaim named with "_" is refused with the DNS-1123 message (the original refuses it too)', async () => {
  const r = await runOnce(join(fixtures, 'interface-names'));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /in\/ipam\.be\.kuid\.dev\.ipclaims\.kubenet\.default\.loopback\.\.yaml:1:1: IPClaim\.ipam\.be\.kuid\.dev "kubenet\.default\.10_0_0_0__24" is invalid: metadata\.name: Invalid value: "kubenet\.default\.10_0_0_0__24": a lowercase RFC 1123 subdomain/);
});
