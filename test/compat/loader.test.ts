// The project loader and --out as older choreo projects need them: the original's path flags
// (--crds/--apis, --reconcilers, --libraries, --input, --refs), apis/ in place of crds/,
// duplicate objects and CRDs as errors naming both places, and --out with built-in kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { choreoctl, crdYaml, projectDir, repo } from './cli.js';

const exec = promisify(execFile);

const cfg = (kind: string) => `apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: ${kind}}\n  owns:\n  - {group: example.com, version: v1alpha1, kind: Greeting}\n  - {group: '', version: v1, kind: ConfigMap}\n`;
const code = `
load("names.star", "child")

def reconcile(self):
    n = self["metadata"]["name"]
    client_create({"apiVersion": "example.com/v1alpha1", "kind": "Greeting", "metadata": {"name": child(n)}, "spec": {"text": "hello " + n}})
    client_create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": child(n)}, "data": {"text": "hello " + n}})
    return reconcile_result(self, False, 0, "", False)
`;
const hello = (name: string) => `apiVersion: example.com/v1alpha1\nkind: Hello\nmetadata: {name: ${name}, namespace: default}\nspec: {}\n`;

async function readKinds(out: string): Promise<Record<string, string[]>> {
  const kinds: Record<string, string[]> = {};
  for (const f of (await readdir(out)).sort()) {
    kinds[f] = parseAllDocuments(await readFile(join(out, f), 'utf8')).map((d) => (d.toJS() as KObject).metadata.name!);
  }
  return kinds;
}

test('run once --out writes every object of the run, built-in kinds included (not Events, not the CRDs)', async () => {
  const dir = await projectDir({
    'crds/example.com_hellos.yaml': crdYaml('example.com', 'hellos', 'Hello'),
    'crds/example.com_greetings.yaml': crdYaml('example.com', 'greetings', 'Greeting'),
    'libs/names.star': 'def child(n):\n    return n + "-greeting"\n',
    'reconcilers/hello/config.yaml': cfg('Hello'),
    'reconcilers/hello/reconciler.star': code,
    'in/hellos.yaml': hello('a'),
    'in/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: default}\nstringData: {token: x}\n',
  }, 'out');
  try {
    const out = join(dir, 'out');
    const r = await choreoctl(['run', 'once', dir, '--out', out, '--timeout', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await readKinds(out), {
      'core_configmaps.yaml': ['a-greeting'],
      'core_secrets.yaml': ['token'],
      'example.com_greetings.yaml': ['a-greeting'],
      'example.com_hellos.yaml': ['a'],
    });
    const cm = parseAllDocuments(await readFile(join(out, 'core_configmaps.yaml'), 'utf8'))[0]!.toJS() as KObject;
    assert.deepEqual(cm.data, { text: 'hello a' });
    assert.equal((cm.metadata.ownerReferences as Array<{ kind: string }>)[0]!.kind, 'Hello');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once: the original\'s path flags (--apis/--crds, --reconcilers, --libraries, --input) and apis/ when there is no crds/', async () => {
  const dir = await projectDir({
    'apis/example.com_hellos.yaml': crdYaml('example.com', 'hellos', 'Hello'),
    'apis/example.com_greetings.yaml': crdYaml('example.com', 'greetings', 'Greeting'),
    'starlark/names.star': 'def child(n):\n    return n + "-greeting"\n',
    'logic/hello/config.yaml': cfg('Hello'),
    'logic/hello/reconciler.star': code,
    'data/hellos.yaml': hello('a'),
    'other/hellos.yaml': hello('b'),
  }, 'paths');
  try {
    const out = join(dir, 'out');
    const r = await choreoctl(['run', 'once', dir, '--reconcilers', 'logic', '--libraries', 'starlark', '--input', 'data', '--out', out, '--timeout', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((await readKinds(out))['example.com_greetings.yaml'], ['a-greeting'], 'apis/ read in place of crds/');
    for (const flag of ['--apis', '--crds']) {
      const again = await choreoctl(['run', 'once', dir, flag, 'apis', '--reconcilers', 'logic', '--libraries', 'starlark', '--input', 'other', '--out', out, '--timeout', '20']);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.deepEqual((await readKinds(out))['example.com_hellos.yaml'], ['b'], flag);
    }
    const missing = await choreoctl(['run', 'once', dir, '--input', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr + missing.stdout, /--input: .*nope does not exist/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once: the same object twice in in/, or the same CRD twice, is an error naming both places', async () => {
  const dir = await projectDir({
    'crds/example.com_hellos.yaml': crdYaml('example.com', 'hellos', 'Hello'),
    'crds/more.yaml': '# the same CRD again\n' + crdYaml('example.com', 'hellos', 'Hello'),
    'in/a.yaml': hello('x') + '---\n' + hello('y'),
    'in/b.yaml': '# again\n\n' + hello('y').replace('namespace: default', 'namespace: default, labels: {v: "2"}'),
    'in/c.yaml': 'apiVersion: example.com/v1alpha1\nkind: Hello\nmetadata: {name: x}\n',
  }, 'dups');
  try {
    const r = await choreoctl(['run', 'once', dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /crds\/more\.yaml:2:1: CustomResourceDefinition hellos\.example\.com is defined twice: also at .*crds\/example\.com_hellos\.yaml:1:1/);
    assert.match(r.stdout, /in\/b\.yaml:3:1: Hello default\/y is defined twice: also at .*in\/a\.yaml:6:1/);
    assert.match(r.stdout, /in\/c\.yaml:1:1: Hello x is defined twice: also at .*in\/a\.yaml:1:1/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run start takes the same path flags (forwarded to the background process)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-start-paths-'));
  const kubeconfig = join(dir, '.choreo/kubeconfig');
  try {
    await cp(join(repo, 'examples/hello/crds'), join(dir, 'apis'), { recursive: true });
    await cp(join(repo, 'examples/hello/reconcilers'), join(dir, 'logic'), { recursive: true });
    await cp(join(repo, 'examples/hello/in'), join(dir, 'data'), { recursive: true });
    const started = await choreoctl(['run', 'start', dir, '--reconcilers', 'logic', '--input', 'data']);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    const greetings = async () => (await exec('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubecache'), 'get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout;
    const deadline = Date.now() + 20_000;
    let names = await greetings();
    while (names.split(' ').length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      names = await greetings();
    }
    assert.equal(names, 'team-carol world-alice world-bob');
  } finally {
    await choreoctl(['run', 'stop', dir]);
    await rm(dir, { recursive: true, force: true });
  }
});
