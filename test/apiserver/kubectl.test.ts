// The API server driven by the real kubectl binary: CRDs, discovery, apply,
// get in every output form, validation/defaulting/pruning, server-side apply
// conflicts, patch, finalizers, garbage collection, watch, explain and
// namespaces. One server for the whole file; each test uses its own objects.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, eventually } from './helpers.js';
import { widget, widgetCrd } from './fixtures.js';

describe('kubectl against the choreo API server', { timeout: 120_000 }, () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
    await h.ok(['apply', '-f', h.file('crd.yaml', widgetCrd)]);
  });
  after(async () => h?.close());

  it('serves an applied CRD in api-resources and get crds, with Established status', async () => {
    const resources = await h.ok(['api-resources', '--api-group=example.com']);
    assert.match(resources, /widgets\s+wd\s+example\.com\/v1\s+true\s+Widget/);
    const crds = await h.ok(['get', 'crds']);
    assert.match(crds, /widgets\.example\.com/);
    const cond = await h.ok(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    assert.equal(cond, 'True');
  });

  it('applies instances from YAML and prints them as yaml, json, table and wide', async () => {
    await h.ok(['apply', '-f', h.file('a.yaml', widget('get-a', '  size: 3\n  color: red'))]);
    const y = await h.ok(['get', 'widget', 'get-a', '-o', 'yaml']);
    assert.match(y, /kind: Widget/);
    assert.match(y, /uid: /);
    assert.match(y, /generation: 1/);
    const j = JSON.parse(await h.ok(['get', 'wd', 'get-a', '-o', 'json']));
    assert.equal(j.spec.size, 3);
    assert.match(j.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const table = await h.ok(['get', 'widgets', 'get-a']);
    assert.match(table, /^NAME\s+SIZE\s+READY\s+AGE\n/);
    assert.match(table, /get-a\s+3\s+\d+s/);
    assert.doesNotMatch(table, /COLOR/);
    const wide = await h.ok(['get', 'widgets', 'get-a', '-o', 'wide']);
    assert.match(wide, /^NAME\s+SIZE\s+COLOR\s+READY\s+AGE\n/);
    assert.match(wide, /get-a\s+3\s+red/);
    const all = await h.ok(['get', 'widgets', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME/);
    assert.match(all, /default\s+get-a/);
  });

  it('renders a status-based printer column (JSONPath filter) after a status update', async () => {
    await h.ok(['apply', '-f', h.file('s.yaml', widget('stat-a', '  size: 1'))]);
    await h.ok(['patch', 'widget', 'stat-a', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}']);
    assert.match(await h.ok(['get', 'widget', 'stat-a']), /stat-a\s+1\s+True/);
    // A status write through the main resource is ignored (status is a subresource).
    await h.ok(['patch', 'widget', 'stat-a', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}']);
    assert.match(await h.ok(['get', 'widget', 'stat-a']), /stat-a\s+1\s+True/);
  });

  it('rejects a schema violation with the field path', async () => {
    const r = await h.kubectl(['apply', '-f', h.file('bad.yaml', widget('bad-a', '  size: 0'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/);
    const missing = await h.kubectl(['apply', '-f', h.file('bad2.yaml', widget('bad-b', '  color: red'))]);
    assert.match(missing.stderr, /spec\.size: Required value/);
    assert.match((await h.kubectl(['get', 'widget', 'bad-a'])).stderr, /NotFound|not found/);
  });

  it('applies schema defaults', async () => {
    await h.ok(['apply', '-f', h.file('d.yaml', widget('def-a', '  size: 2'))]);
    assert.equal(await h.ok(['get', 'widget', 'def-a', '-o', 'jsonpath={.spec.color}']), 'blue');
  });

  it('handles unknown fields per fieldValidation: strict rejects, warn warns and prunes, ignore prunes', async () => {
    const strict = await h.kubectl(['apply', '-f', h.file('u1.yaml', widget('unk-a', '  size: 2\n  bogus: 1'))]);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "spec\.bogus"/);
    const warn = await h.kubectl(['apply', '--validate=warn', '-f', h.file('u2.yaml', widget('unk-b', '  size: 2\n  bogus: 1'))]);
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "spec\.bogus"/);
    await h.ok(['apply', '--validate=false', '-f', h.file('u3.yaml', widget('unk-c', '  size: 2\n  bogus: 1'))]);
    for (const n of ['unk-b', 'unk-c']) {
      const spec = JSON.parse(await h.ok(['get', 'widget', n, '-o', 'jsonpath={.spec}']));
      assert.deepEqual(spec, { size: 2, color: 'blue' });
    }
  });

  it('server-side apply: a second manager conflicts, --force-conflicts takes ownership', async () => {
    await h.ok(['apply', '--server-side', '--field-manager=alice', '-f', h.file('ssa1.yaml', widget('ssa-a', '  size: 3'))]);
    const conflict = await h.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', h.file('ssa2.yaml', widget('ssa-a', '  size: 4'))]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "alice"/);
    assert.match(conflict.stderr, /\.spec\.size/);
    assert.equal(await h.ok(['get', 'widget', 'ssa-a', '-o', 'jsonpath={.spec.size}']), '3');
    await h.ok(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', h.file('ssa2.yaml', widget('ssa-a', '  size: 4'))]);
    const obj = JSON.parse(await h.ok(['get', 'widget', 'ssa-a', '-o', 'json', '--show-managed-fields']));
    assert.equal(obj.spec.size, 4);
    const bob = obj.metadata.managedFields.find((m: { manager: string }) => m.manager === 'bob');
    assert.equal(bob.operation, 'Apply');
    assert.deepEqual(bob.fieldsV1, { 'f:spec': { 'f:size': {} } });
    // Re-applying the same configuration is a no-op: no new resourceVersion.
    const rv = obj.metadata.resourceVersion;
    await h.ok(['apply', '--server-side', '--field-manager=bob', '-f', h.file('ssa2.yaml', widget('ssa-a', '  size: 4'))]);
    assert.equal(await h.ok(['get', 'widget', 'ssa-a', '-o', 'jsonpath={.metadata.resourceVersion}']), rv);
  });

  it('upgrades a client-side applied object to server-side apply without conflicts', async () => {
    await h.ok(['apply', '-f', h.file('csa.yaml', widget('csa-a', '  size: 3'))]);
    const out = await h.ok(['apply', '--server-side', '-f', h.file('csa2.yaml', widget('csa-a', '  size: 4'))]);
    assert.match(out, /serverside-applied/);
    assert.equal(await h.ok(['get', 'widget', 'csa-a', '-o', 'jsonpath={.spec.size}']), '4');
    const other = await h.kubectl(['apply', '--server-side', '--field-manager=someone', '-f', h.file('csa3.yaml', widget('csa-a', '  size: 5'))]);
    assert.match(other.stderr, /conflict with "kubectl"/);
  });

  it('patch --type merge and json; generation moves only on spec changes', async () => {
    await h.ok(['apply', '-f', h.file('p.yaml', widget('patch-a', '  size: 3'))]);
    await h.ok(['patch', 'widget', 'patch-a', '--type', 'merge', '-p', '{"spec":{"size":5}}']);
    let o = JSON.parse(await h.ok(['get', 'widget', 'patch-a', '-o', 'json']));
    assert.equal(o.spec.size, 5);
    assert.equal(o.metadata.generation, 2);
    await h.ok(['label', 'widget', 'patch-a', 'tier=gold']);
    await h.ok(['patch', 'widget', 'patch-a', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/color","value":"green"}]']);
    o = JSON.parse(await h.ok(['get', 'widget', 'patch-a', '-o', 'json']));
    assert.equal(o.metadata.labels.tier, 'gold');
    assert.equal(o.spec.color, 'green');
    assert.equal(o.metadata.generation, 3);
    const smp = await h.kubectl(['patch', 'widget', 'patch-a', '--type', 'strategic', '-p', '{"spec":{"size":6}}']);
    assert.notEqual(smp.code, 0);
    assert.match(smp.stderr, /UnsupportedMediaType|unknown format|not supported/i);
    assert.equal(await h.ok(['get', 'widgets', '-l', 'tier=gold', '-o', 'name']), 'widget.example.com/patch-a\n');
    assert.equal(await h.ok(['get', 'widgets', '--field-selector', 'metadata.name=patch-a', '-o', 'name']), 'widget.example.com/patch-a\n');
  });

  it('replace with another object\'s uid is a 409 precondition failure; delete honours DeleteOptions preconditions', async () => {
    await h.ok(['apply', '-f', h.file('uid.yaml', widget('uid-a', '  size: 1'))]);
    const obj = JSON.parse(await h.ok(['get', 'widget', 'uid-a', '-o', 'json']));
    const uid: string = obj.metadata.uid;
    const foreign = '00000000-0000-4000-8000-000000000001';
    obj.spec.size = 2;
    obj.metadata.uid = foreign;
    const r = await h.kubectl(['replace', '-f', h.file('uid-put.json', JSON.stringify(obj))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Conflict/);
    assert.ok(r.stderr.includes(`Operation cannot be fulfilled on widgets.example.com "uid-a": Precondition failed: UID in precondition: ${foreign}, UID in object meta: ${uid}`), r.stderr);
    assert.equal(await h.ok(['get', 'widget', 'uid-a', '-o', 'jsonpath={.spec.size}']), '1');
    obj.metadata.uid = uid;
    await h.ok(['replace', '-f', h.file('uid-put.json', JSON.stringify(obj))]);
    assert.equal(await h.ok(['get', 'widget', 'uid-a', '-o', 'jsonpath={.spec.size}']), '2');
    // DELETE with DeleteOptions.preconditions (client-go's Delete with Preconditions; here kubectl delete --raw -f).
    const uri = '/apis/example.com/v1/namespaces/default/widgets/uid-a';
    const del = (pre: object) => h.kubectl(['delete', '--raw', uri, '-f', h.file('uid-del.json', JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: pre }))]);
    const byUid = await del({ uid: foreign });
    assert.ok(byUid.stderr.includes(`Precondition failed: UID in precondition: ${foreign}, UID in object meta: ${uid}`), byUid.stderr);
    const byRv = await del({ resourceVersion: '1' });
    assert.match(byRv.stderr, /Conflict.*Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+/);
    await h.ok(['get', 'widget', 'uid-a']);
    const rv = await h.ok(['get', 'widget', 'uid-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal((await del({ uid, resourceVersion: rv })).code, 0);
    assert.match((await h.kubectl(['get', 'widget', 'uid-a'])).stderr, /NotFound/);
  });

  it('patch changing metadata.uid is refused as an immutable field (422), the object unchanged', async () => {
    await h.ok(['apply', '-f', h.file('uidp.yaml', widget('uid-p', '  size: 1'))]);
    const uid = await h.ok(['get', 'widget', 'uid-p', '-o', 'jsonpath={.metadata.uid}']);
    const foreign = '00000000-0000-4000-8000-000000000002';
    const r = await h.kubectl(['patch', 'widget', 'uid-p', '--type', 'merge', '-p', JSON.stringify({ metadata: { uid: foreign }, spec: { size: 2 } })]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`Widget "uid-p" is invalid: metadata.uid: Invalid value: "${foreign}": field is immutable`), r.stderr);
    assert.equal(await h.ok(['get', 'widget', 'uid-p', '-o', 'jsonpath={.metadata.uid} {.spec.size}']), `${uid} 1`);
  });

  it('delete with a finalizer leaves the object terminating until the finalizer is removed', async () => {
    await h.ok(['apply', '-f', h.file('f.yaml', widget('fin-a', '  size: 1', '  finalizers: ["example.com/hold"]\n'))]);
    const first = await h.kubectl(['delete', 'widget', 'fin-a', '--wait=false']);
    assert.equal(first.code, 0, first.stderr);
    const ts = await h.ok(['get', 'widget', 'fin-a', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    assert.match(ts, /^\d{4}-/);
    let exited = false;
    const waiting = h.kubectl(['delete', 'widget', 'fin-a', '--timeout=15s', '--ignore-not-found']).finally(() => (exited = true));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(exited, false, 'kubectl delete waits while a finalizer remains');
    await h.ok(['patch', 'widget', 'fin-a', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    assert.match((await h.kubectl(['get', 'widget', 'fin-a'])).stderr, /not found/);
  });

  it('garbage-collects dependents through ownerReferences (background, foreground, orphan)', async () => {
    for (const cascade of ['background', 'foreground', 'orphan']) {
      const owner = `owner-${cascade}`;
      await h.ok(['apply', '-f', h.file('o.yaml', widget(owner, '  size: 1'))]);
      const uid = await h.ok(['get', 'widget', owner, '-o', 'jsonpath={.metadata.uid}']);
      const child = `apiVersion: v1
kind: ConfigMap
metadata:
  name: child-${cascade}
  ownerReferences:
  - {apiVersion: example.com/v1, kind: Widget, name: ${owner}, uid: ${uid}, blockOwnerDeletion: true}
data: {a: "1"}
`;
      await h.ok(['apply', '-f', h.file('c.yaml', child)]);
      await h.ok(['delete', 'widget', owner, `--cascade=${cascade}`, '--timeout=15s']);
      if (cascade === 'orphan') {
        const refs = await h.ok(['get', 'cm', `child-${cascade}`, '-o', 'jsonpath={.metadata.ownerReferences}']);
        assert.equal(refs, '');
      } else {
        await eventually(async () => (await h.kubectl(['get', 'cm', `child-${cascade}`])).code !== 0, 5000, `child of ${cascade} delete to be collected`);
      }
    }
  });

  it('get -w receives an update', async () => {
    await h.ok(['apply', '-f', h.file('w.yaml', widget('watch-a', '  size: 1'))]);
    const watching = h.stream(['get', 'widgets', 'watch-a', '-w']);
    try {
      await watching.waitFor(/watch-a\s+1\s/);
      await h.ok(['patch', 'widget', 'watch-a', '--type', 'merge', '-p', '{"spec":{"size":9}}']);
      const out = await watching.waitFor(/watch-a\s+9\s/);
      assert.equal((out.match(/^NAME/gm) ?? []).length, 1, 'header printed once');
    } finally {
      watching.stop();
    }
  });

  it('explain reads the CRD schema from OpenAPI v3', async () => {
    const out = await h.ok(['explain', 'widgets.spec']);
    assert.match(out, /KIND:\s+Widget/);
    assert.match(out, /size\s+<integer> -required-/);
    assert.match(out, /How big\./);
    const top = await h.ok(['explain', 'widget']);
    assert.match(top, /A Widget is a thing\./);
  });

  it('validates and explains built-in kinds too', async () => {
    const cm = (field: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-cm\n${field}: {a: "1"}\n`;
    const bad = await h.kubectl(['apply', '-f', h.file('cm1.yaml', cm('datta'))]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "datta"/);
    await h.ok(['apply', '-f', h.file('cm2.yaml', cm('data'))]);
    assert.match(await h.ok(['get', 'cm', 'strict-cm']), /strict-cm\s+1\s/);
    await h.ok(['create', 'secret', 'generic', 'sec', '--from-literal=user=admin']);
    assert.equal(await h.ok(['get', 'secret', 'sec', '-o', 'jsonpath={.type} {.data.user}']), `Opaque ${Buffer.from('admin').toString('base64')}`);
    assert.match(await h.ok(['explain', 'configmap.data']), /Data contains the configuration data/);
  });

  it('shows Events the registry records, aggregated, in get events and describe', async () => {
    await h.ok(['apply', '-f', h.file('e.yaml', widget('ev-a', '  size: 1'))]);
    const obj = (await h.server.registry.get({ apiVersion: 'example.com/v1', kind: 'Widget' }, 'default', 'ev-a'))!;
    for (let i = 0; i < 3; i++) await h.server.registry.events.record(obj, { type: 'Warning', reason: 'ReconcileFailed', message: 'spec.size too small', component: 'widget-reconciler' });
    const events = await h.ok(['get', 'events', '--field-selector', 'involvedObject.name=ev-a']);
    assert.match(events, /Warning\s+ReconcileFailed\s+widget\/ev-a\s+spec\.size too small/);
    assert.equal(events.trim().split('\n').length, 2, 'one aggregated event');
    const described = await h.ok(['describe', 'widget', 'ev-a']);
    assert.match(described, /Warning\s+ReconcileFailed\s+.*\(x3 over/);
  });

  it('deleting a namespace deletes its contents; creating in it is refused while it terminates', async () => {
    await h.ok(['create', 'namespace', 'doomed']);
    await h.ok(['apply', '-n', 'doomed', '-f', h.file('n.yaml', widget('in-ns', '  size: 1'))]);
    await h.ok(['create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=a=b']);
    await h.ok(['delete', 'namespace', 'doomed', '--timeout=15s']);
    assert.match((await h.kubectl(['get', 'ns', 'doomed'])).stderr, /not found/);
    const again = await h.kubectl(['apply', '-n', 'doomed', '-f', h.file('n.yaml', widget('in-ns', '  size: 1'))]);
    assert.match(again.stderr, /namespaces "doomed" not found/);
  });

  it('deleting a CRD deletes its instances and stops serving the type', async () => {
    const crd = widgetCrd.replace(/widgets/g, 'gadgets').replace(/Widget/g, 'Gadget').replace(/shortNames: \[wd\]/, 'shortNames: [gd]');
    await h.ok(['apply', '-f', h.file('g.yaml', crd)]);
    await h.ok(['apply', '-f', h.file('g1.yaml', widget('g1', '  size: 1').replace('Widget', 'Gadget'))]);
    assert.match(await h.ok(['get', 'gadgets']), /g1/);
    await h.ok(['delete', 'crd', 'gadgets.example.com', '--timeout=15s']);
    const gone = await h.kubectl(['get', 'gadgets']);
    assert.notEqual(gone.code, 0);
    // kubectl's discovery cache may still list the type; either way the server no longer serves it.
    assert.match(gone.stderr, /doesn't have a resource type "gadgets"|could not find the requested resource/);
    assert.equal((await h.store.list({ resource: 'example.com/gadgets' })).items.length, 0);
  });
});
