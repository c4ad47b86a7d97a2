// `__proto__`, `constructor` and `prototype` are ordinary keys on every path a
// user's data takes: request bodies (JSON and YAML), merge patches, JSON
// patches, server-side apply, store copies, and objects a Starlark reconciler
// returns. Validation then applies as for any key: a required field is not
// "found" behind a `__proto__` key, `metadata.__proto__` does not change the
// namespace check, a data key `__proto__` is kept, an invalid label key is 422.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Harness } from '../apiserver/helpers.js';
import { crdYaml } from '../helpers/crd.js';
import { buildCRD } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import { FileStore } from '../../src/store/file.js';

const json = { 'Content-Type': 'application/json' };
const cms = '/api/v1/namespaces/default/configmaps';
const things = '/apis/ex.com/v1/namespaces/default/things';

const thingCrd = buildCRD({
  group: 'ex.com',
  kind: 'Thing',
  plural: 'things',
  statusSubresource: false,
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
      byName: { type: 'object', additionalProperties: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      named: {
        type: 'object',
        required: ['constructor'],
        // Typed as schemas explicitly: TypeScript reads constructor/toString/valueOf keys of a literal against Object's members.
        properties: { constructor: { type: 'string' } as JSONSchemaProps, toString: { type: 'string', default: 'dflt' } as JSONSchemaProps, valueOf: { type: 'integer' } as JSONSchemaProps },
      },
    },
  },
});

/** The own keys of a parsed JSON object, in order (`__proto__` included). */
const keys = (o: object) => Object.keys(o);

describe('__proto__, constructor and prototype as ordinary keys', { timeout: 60_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
    const r = await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: JSON.stringify(thingCrd), headers: json });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  });
  after(async () => h?.close());

  it('a required field behind a __proto__ key is still missing (422), and a map entry named __proto__ is validated like any other', async () => {
    const r = await h.http('POST', things, { body: '{"apiVersion":"ex.com/v1","kind":"Thing","metadata":{"name":"a"},"spec":{"__proto__":{"message":"x"}}}', headers: json });
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.match(r.json.message, /spec\.message: Required value/);

    const m = await h.http('POST', things, { body: '{"apiVersion":"ex.com/v1","kind":"Thing","metadata":{"name":"b"},"spec":{"message":"m"},"byName":{"__proto__":{"other":"x"},"constructor":{"message":"c"}}}', headers: json });
    assert.equal(m.status, 422, JSON.stringify(m.json));
    assert.deepEqual(m.json.details.causes.map((c: { field: string }) => c.field), ['byName.__proto__.message']);

    const ok = await h.http('POST', things, { body: '{"apiVersion":"ex.com/v1","kind":"Thing","metadata":{"name":"c"},"spec":{"message":"m"},"byName":{"__proto__":{"message":"p"},"constructor":{"message":"c"}},"free":{"__proto__":{"x":1},"prototype":2}}', headers: json });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    const got = (await h.http('GET', `${things}/c`)).json;
    assert.deepEqual(keys(got.byName), ['__proto__', 'constructor']);
    assert.deepEqual(got.byName.__proto__, { message: 'p' });
    assert.deepEqual(keys(got.free), ['__proto__', 'prototype']);
    assert.deepEqual(got.free.__proto__, { x: 1 });
  });

  it('schema properties named constructor / toString / valueOf are looked up as own keys (required, defaults, types)', async () => {
    const body = (name: string, named: string) => `{"apiVersion":"ex.com/v1","kind":"Thing","metadata":{"name":"${name}"},"spec":{"message":"m"},"named":${named}}`;
    const missing = await h.http('POST', things, { body: body('n1', '{}'), headers: json });
    assert.equal(missing.status, 422, JSON.stringify(missing.json));
    assert.deepEqual(missing.json.details.causes.map((c: { field: string; reason: string }) => `${c.field} ${c.reason}`), ['named.constructor FieldValueRequired']);
    const wrong = await h.http('POST', things, { body: body('n2', '{"constructor":"c","valueOf":"x"}'), headers: json });
    assert.equal(wrong.status, 422, JSON.stringify(wrong.json));
    assert.deepEqual(wrong.json.details.causes.map((c: { field: string }) => c.field), ['named.valueOf']);
    const ok = await h.http('POST', things, { body: body('n3', '{"constructor":"c"}'), headers: json });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.deepEqual(ok.json.named, { constructor: 'c', toString: 'dflt' });
  });

  it('metadata.__proto__.namespace does not change the namespace check', async () => {
    const r = await h.http('POST', cms, { body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ns","__proto__":{"namespace":"other"}},"data":{}}', headers: json });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.metadata.namespace, 'default');
  });

  it('keeps data keys named __proto__ / constructor and refuses __proto__ as a label key (422), over JSON and YAML', async () => {
    const r = await h.http('POST', cms, { body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","labels":{"constructor":"yes","prototype":"p"}},"data":{"__proto__":"y","constructor":"z","toString":"t"}}', headers: json });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(keys(r.json.data), ['__proto__', 'constructor', 'toString']);
    assert.deepEqual(keys(r.json.metadata.labels), ['constructor', 'prototype']);
    const y = await h.http('POST', cms, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dy\ndata:\n  __proto__: y\n', headers: { 'Content-Type': 'application/yaml' } });
    assert.equal(y.status, 201, JSON.stringify(y.json));
    assert.deepEqual(y.json.data, JSON.parse('{"__proto__":"y"}'));
    const bad = await h.http('POST', cms, { body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"e","labels":{"__proto__":"x"}}}', headers: json });
    assert.equal(bad.status, 422, JSON.stringify(bad.json));
    assert.match(bad.json.message, /metadata\.labels: Invalid value: "__proto__"/);
  });

  it('kubectl create configmap (a protobuf body) keeps __proto__ and constructor keys', async () => {
    await h.ok(['create', 'configmap', 'pb', '--from-literal=__proto__=x', '--from-literal=constructor=y']);
    const cm = JSON.parse(await h.ok(['get', 'configmap', 'pb', '-o', 'json']));
    assert.deepEqual(cm.data, JSON.parse('{"__proto__":"x","constructor":"y"}'));
  });

  it('merge patch, JSON patch and server-side apply set and remove __proto__ / constructor keys (kubectl)', async () => {
    await h.ok(['create', 'configmap', 'p', '--from-literal=a=1']);
    await h.ok(['patch', 'configmap', 'p', '--type=merge', '-p', '{"data":{"__proto__":"m","constructor":"c"}}']);
    let cm = JSON.parse(await h.ok(['get', 'configmap', 'p', '-o', 'json']));
    assert.deepEqual(keys(cm.data).sort(), ['__proto__', 'a', 'constructor']); // kubectl prints maps sorted
    assert.equal(cm.data.__proto__, 'm');

    await h.ok(['patch', 'configmap', 'p', '--type=json', '-p', '[{"op":"replace","path":"/data/__proto__","value":"j"},{"op":"add","path":"/data/prototype","value":"q"}]']);
    cm = JSON.parse(await h.ok(['get', 'configmap', 'p', '-o', 'json']));
    assert.equal(cm.data.__proto__, 'j');
    assert.equal(cm.data.prototype, 'q');

    // Removing `constructor` by merge patch (null) must remove the own key, not look at Object.prototype.
    await h.ok(['patch', 'configmap', 'p', '--type=merge', '-p', '{"data":{"constructor":null,"__proto__":null}}']);
    cm = JSON.parse(await h.ok(['get', 'configmap', 'p', '-o', 'json']));
    assert.deepEqual(keys(cm.data).sort(), ['a', 'prototype']);

    const applied = h.file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  namespace: default\ndata:\n  __proto__: ssa\n  constructor: c\n');
    await h.ok(['apply', '--server-side', '--field-manager', 'me', '-f', applied]);
    cm = JSON.parse(await h.ok(['get', 'configmap', 's', '-o', 'json', '--show-managed-fields']));
    assert.deepEqual(keys(cm.data).sort(), ['__proto__', 'constructor']);
    const fields = cm.metadata.managedFields.find((m: { manager: string }) => m.manager === 'me').fieldsV1;
    assert.deepEqual(keys(fields['f:data']).sort(), ['f:__proto__', 'f:constructor']);
    // Applying again without the keys removes them (the manager owned them).
    await h.ok(['apply', '--server-side', '--field-manager', 'me', '-f', h.file('ssa2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  namespace: default\ndata:\n  other: o\n')]);
    cm = JSON.parse(await h.ok(['get', 'configmap', 's', '-o', 'json']));
    assert.deepEqual(cm.data, { other: 'o' });
  });
});

describe('__proto__ keys in the file store', { timeout: 60_000 }, () => {
  it('survive a write (adopted and copied forms) and a restart, and stay own keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'choreo-proto-store-'));
    try {
      let h = await Harness.start({ store: await FileStore.open(dir) });
      const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f","annotations":{"constructor":"a"}},"data":{"__proto__":"x","constructor":"y"}}';
      assert.equal((await h.http('POST', cms, { body, headers: json })).status, 201);
      assert.equal((await h.http('PATCH', `${cms}/f`, { body: '{"data":{"prototype":"z"}}', headers: { 'Content-Type': 'application/merge-patch+json' } })).status, 200);
      await h.close();
      h = await Harness.start({ store: await FileStore.open(dir) });
      try {
        const cm = (await h.http('GET', `${cms}/f`)).json;
        assert.deepEqual(cm.data, JSON.parse('{"__proto__":"x","constructor":"y","prototype":"z"}'));
        assert.deepEqual(cm.metadata.annotations, { constructor: 'a' });
        const stored = (await h.store.get({ resource: 'core/configmaps', namespace: 'default', name: 'f' }))!.data as object;
        assert.equal(Object.getPrototypeOf(stored), Object.prototype);
        assert.deepEqual(Object.keys(stored), ['__proto__', 'constructor', 'prototype']);
      } finally {
        await h.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('__proto__ keys in objects a Starlark reconciler returns', { timeout: 90_000 }, () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  it('are ordinary keys of the child (kept in spec), and a __proto__ child field does not merge into the object; the same in project YAML files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'choreo-proto-'));
    const out = await mkdtemp(join(tmpdir(), 'choreo-proto-out-'));
    try {
      await cp(join(repo, 'examples/hello'), dir, { recursive: true });
      await rm(join(dir, 'expected'), { recursive: true, force: true });
      const config = await readFile(join(dir, 'reconcilers/helloworld/config.yaml'), 'utf8');
      await writeFile(join(dir, 'crds/example.com_boxes.yaml'), crdYaml('example.com', 'boxes', 'Box'));
      await writeFile(join(dir, 'in/box.yaml'), 'apiVersion: example.com/v1alpha1\nkind: Box\nmetadata:\n  name: fromfile\n  namespace: default\nspec:\n  __proto__: {kept: yes}\n  constructor: c\n');
      await writeFile(join(dir, 'reconcilers/helloworld/config.yaml'), `${config.trimEnd()}\n  - group: example.com\n    version: v1alpha1\n    kind: Box\n`);
      await writeFile(
        join(dir, 'reconcilers/helloworld/reconciler.star'),
        [
          'def reconcile(self):',
          '    ns = self["metadata"].get("namespace", "default")',
          '    cm = {"apiVersion": "example.com/v1alpha1", "kind": "Box", "metadata": {"name": "keys-" + self["metadata"]["name"], "namespace": ns}, "spec": {"__proto__": "p", "constructor": "c", "plain": "x"}}',
          '    rsp = client_create(cm)',
          '    if rsp["error"] != None:',
          '        return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])',
          '    cm2 = {"apiVersion": "example.com/v1alpha1", "kind": "Box", "metadata": {"name": "merged-" + self["metadata"]["name"], "namespace": ns}, "spec": {"own": "o"}, "__proto__": {"spec": {"inherited": "yes"}, "status": {"s": 1}}}',
          '    rsp = client_create(cm2)',
          '    if rsp["error"] != None:',
          '        return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])',
          '    return reconcile_result(self, False, 0, "", False)',
          '',
        ].join('\n'),
      );
      const r = await new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, [join(repo, 'dist/src/cli/main.js'), 'run', 'once', dir, '--out', out, '--timeout', '20'], { timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? 1 : 0, out: stdout + stderr }),
        ),
      );
      assert.equal(r.code, 0, r.out);
      const text = await readFile(join(out, 'example.com_boxes.yaml'), 'utf8');
      assert.match(text, /name: keys-[\s\S]*spec:\n\s+__proto__: p\n\s+constructor: c\n\s+plain: x/);
      assert.match(text, /name: merged-/);
      assert.match(text, /name: fromfile\n[\s\S]*?spec:\n\s+__proto__:\n\s+kept: yes\n\s+constructor: c/);
      assert.doesNotMatch(text, /inherited|status/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
  });
});
