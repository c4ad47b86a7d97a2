// Kubernetes API parity (issue 21) driven by the real kubectl: selectableFields,
// the scale subresource, and the smaller kube-apiserver behaviours kubectl users
// notice (health checks, /version, ConfigMap columns, namespaces, auth, leases).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, eventually } from './helpers.js';
import { MemoryStore } from '../../src/store/memory.js';

const gadgetCrd = (extraVersion = '') => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    selectableFields:
    - jsonPath: .spec.color
${extraVersion}    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string}
              size: {type: integer}
              replicas: {type: integer}
              tags: {type: array, items: {type: string}}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
`;

const gadget = (name: string, color: string, size: number, replicas = 1) => `apiVersion: example.com/v1
kind: Gadget
metadata: {name: ${name}}
spec: {color: ${color}, size: ${size}, replicas: ${replicas}}
`;

describe('Kubernetes API parity with kubectl', { timeout: 120_000 }, () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
    await h.ok(['apply', '-f', h.file('gadget-crd.yaml', gadgetCrd())]);
  });
  after(async () => h?.close());

  describe('selectableFields', () => {
    it('selects custom resources on a declared field and on metadata.name/namespace', async () => {
      await h.ok(['apply', '-f', h.file('g1.yaml', gadget('sel-red', 'red', 1) + '---\n' + gadget('sel-blue', 'blue', 2))]);
      assert.equal(await h.ok(['get', 'gadgets', '--field-selector', 'spec.color=red', '-o', 'name']), 'gadget.example.com/sel-red\n');
      assert.match(await h.ok(['get', 'gadgets', '--field-selector', 'spec.color!=red', '-o', 'name']), /sel-blue/);
      assert.equal(await h.ok(['get', 'gadgets', '--field-selector', 'metadata.name=sel-blue,metadata.namespace=default', '-o', 'name']), 'gadget.example.com/sel-blue\n');
    });

    it('rejects a field that is not declared selectable as kube-apiserver does (400, field label not supported)', async () => {
      const r = await h.kubectl(['get', 'gadgets', '--field-selector', 'spec.size=1']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /BadRequest/);
      assert.match(r.stderr, /field label not supported: spec\.size/);
      const raw = await h.http('GET', '/apis/example.com/v1/namespaces/default/gadgets?fieldSelector=spec.size%3D1');
      assert.equal(raw.status, 400);
      assert.equal(raw.json.reason, 'BadRequest');
      assert.equal(raw.json.message, 'field label not supported: spec.size');
      const watch = await h.http('GET', '/apis/example.com/v1/gadgets?watch=1&fieldSelector=status.replicas%3D1');
      assert.equal(watch.status, 400);
      assert.equal(watch.json.message, 'field label not supported: status.replicas');
      const del = await h.kubectl(['delete', 'gadgets', '--field-selector', 'spec.size=1']);
      assert.match(del.stderr, /field label not supported: spec\.size/);
      assert.match(await h.ok(['get', 'gadgets', '-o', 'name']), /sel-red/);
    });

    it('built-in kinds accept the field labels kube registers for each kind, and no other', async () => {
      await h.ok(['create', 'configmap', 'fs-a', '--from-literal=k=v']);
      assert.equal(await h.ok(['get', 'cm', '--field-selector', 'metadata.name=fs-a', '-o', 'name']), 'configmap/fs-a\n');
      const cm = await h.kubectl(['get', 'cm', '--field-selector', 'data.k=v']);
      assert.notEqual(cm.code, 0);
      assert.match(cm.stderr, /field label not supported: data\.k/);
      // Pods: kube's own list (spec.nodeName, status.phase, …) passes; other paths do not.
      assert.match((await h.kubectl(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=n1,status.phase=Running'])).stderr, /No resources found/);
      assert.match((await h.kubectl(['get', 'pods', '-A', '--field-selector', 'spec.containers=x'])).stderr, /field label not supported: spec\.containers/);
      // Nodes take metadata.name and spec.unschedulable only; Secrets add type; Events their involvedObject fields.
      assert.match((await h.kubectl(['get', 'nodes', '--field-selector', 'metadata.namespace=x'])).stderr, /field label not supported: metadata\.namespace/);
      assert.match((await h.kubectl(['get', 'nodes', '--field-selector', 'spec.unschedulable=true'])).stderr, /No resources found/);
      assert.match((await h.kubectl(['get', 'secrets', '--field-selector', 'type=Opaque'])).stderr, /No resources found/);
      assert.match((await h.kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=Pod,reason=Started'])).stderr, /No resources found/);
      const raw = await h.http('GET', '/api/v1/namespaces?fieldSelector=spec.finalizers%3Dx');
      assert.equal(raw.status, 400);
      assert.equal(raw.json.message, 'field label not supported: spec.finalizers');
      assert.equal((await h.http('GET', '/api/v1/namespaces?fieldSelector=status.phase%3DActive')).status, 200);
    });

    it('pods take spec.host as kube\'s alias of spec.nodeName (list and watch)', async () => {
      // Pods are read-only over HTTP; the in-process registry (as a reconciler would) creates them.
      const pod = (name: string, nodeName: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
      await h.server.registry.create(pod('host-a', 'n1'));
      await h.server.registry.create(pod('host-b', 'n2'));
      assert.equal(await h.ok(['get', 'pods', '--field-selector', 'spec.host=n1', '-o', 'name']), 'pod/host-a\n');
      assert.equal(await h.ok(['get', 'pods', '--field-selector', 'spec.host!=n1', '-o', 'name']), 'pod/host-b\n');
      const watch = await h.http('GET', '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&fieldSelector=spec.host%3Dn2');
      assert.equal(watch.status, 200);
      const events = typeof watch.json === 'string' ? watch.json : JSON.stringify(watch.json);
      assert.match(events, /"name":"host-b"/);
      assert.doesNotMatch(events, /"name":"host-a"/);
      for (const name of ['host-a', 'host-b']) await h.server.registry.delete({ apiVersion: 'v1', kind: 'Pod' }, 'default', name);
    });

    it('rejects invalid selectableFields in a CRD with field paths', async () => {
      const bad = gadgetCrd().replace('gadgets.example.com', 'badsels.example.com').replace('{plural: gadgets, singular: gadget, kind: Gadget}', '{plural: badsels, kind: Badsel}')
        .replace('    - jsonPath: .spec.color\n', '    - jsonPath: .spec.color\n    - jsonPath: .spec.nope\n    - jsonPath: .spec.tags\n    - jsonPath: .metadata.name\n    - jsonPath: .spec.color\n    - jsonPath: ""\n');
      const r = await h.kubectl(['apply', '-f', h.file('badsel.yaml', bad)]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /spec\.selectableFields\[1\]\.jsonPath: Invalid value: "\.spec\.nope": is an invalid path: does not refer to a valid field/);
      assert.match(r.stderr, /spec\.selectableFields\[2\]\.jsonPath: Invalid value: "\.spec\.tags": must point to a field of type string, boolean or integer/);
      assert.match(r.stderr, /spec\.selectableFields\[3\]\.jsonPath: Invalid value: "\.metadata\.name": must not point to fields in metadata/);
      assert.match(r.stderr, /spec\.selectableFields\[4\]\.jsonPath: Duplicate value: "\.spec\.color"/);
      assert.match(r.stderr, /spec\.selectableFields\[5\]\.jsonPath: Required value/);
    });
  });
  describe('scale subresource', () => {
    it('is listed in discovery with autoscaling/v1 Scale', async () => {
      const legacy = await h.http('GET', '/apis/example.com/v1');
      const scale = legacy.json.resources.find((r: { name: string }) => r.name === 'gadgets/scale');
      assert.deepEqual({ group: scale.group, version: scale.version, kind: scale.kind, verbs: scale.verbs }, { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
      const agg = await h.http('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
      const group = agg.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'example.com');
      const res = group.versions[0].resources.find((r: { resource: string }) => r.resource === 'gadgets');
      assert.deepEqual(res.subresources.map((s: { subresource: string; responseKind: { kind: string } }) => `${s.subresource}:${s.responseKind.kind}`), ['scale:Scale', 'status:Gadget']);
    });

    it('kubectl scale sets spec replicas; GET /scale reports spec, status and the label selector', async () => {
      await h.ok(['apply', '-f', h.file('sc.yaml', gadget('sc-a', 'green', 1, 2))]);
      await h.ok(['patch', 'gadget', 'sc-a', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2,"selector":"app=sc-a"}}']);
      const out = await h.ok(['scale', 'gadget', 'sc-a', '--replicas=5']);
      assert.match(out, /gadget\.example\.com\/sc-a scaled/);
      assert.equal(await h.ok(['get', 'gadget', 'sc-a', '-o', 'jsonpath={.spec.replicas}']), '5');
      const s = await h.http('GET', '/apis/example.com/v1/namespaces/default/gadgets/sc-a/scale');
      assert.equal(s.status, 200);
      assert.equal(s.json.kind, 'Scale');
      assert.equal(s.json.apiVersion, 'autoscaling/v1');
      assert.deepEqual(s.json.spec, { replicas: 5 });
      assert.deepEqual(s.json.status, { replicas: 2, selector: 'app=sc-a' });
      // --current-replicas is a precondition kubectl checks against the Scale.
      const wrong = await h.kubectl(['scale', 'gadget', 'sc-a', '--current-replicas=3', '--replicas=1']);
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /Expected replicas to be 3, was 5/);
      assert.match(await h.ok(['scale', 'gadget', 'sc-a', '--replicas=9', '--dry-run=server']), /scaled \(server dry run\)/);
      assert.equal(await h.ok(['get', 'gadget', 'sc-a', '-o', 'jsonpath={.spec.replicas}']), '5');
      assert.match(await h.ok(['get', 'gadget', 'sc-a', '--subresource=scale', '-o', 'jsonpath={.kind} {.spec.replicas} {.status.selector}']), /^Scale 5 app=sc-a$/);
      await h.ok(['scale', 'gadget', 'sc-a', '--current-replicas=5', '--replicas=0']);
      assert.equal(await h.ok(['get', 'gadget', 'sc-a', '-o', 'jsonpath={.spec.replicas}']), '0');
    });

    it('PUT and PATCH /scale: validation, resourceVersion conflicts, 404 without a scale subresource', async () => {
      await h.ok(['apply', '-f', h.file('sc2.yaml', gadget('sc-b', 'green', 1, 1))]);
      const path = '/apis/example.com/v1/namespaces/default/gadgets/sc-b/scale';
      const cur = (await h.http('GET', path)).json;
      const put = await h.http('PUT', path, { body: JSON.stringify({ ...cur, spec: { replicas: 3 } }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(put.status, 200);
      assert.equal(put.json.spec.replicas, 3);
      const stale = await h.http('PUT', path, { body: JSON.stringify({ ...cur, spec: { replicas: 4 } }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(stale.status, 409);
      const neg = await h.http('PATCH', path, { body: '{"spec":{"replicas":-1}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
      assert.equal(neg.status, 422);
      assert.equal(neg.json.message, 'Scale.autoscaling "sc-b" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
      const jp = await h.http('PATCH', path, { body: '[{"op":"replace","path":"/spec/replicas","value":7}]', headers: { 'Content-Type': 'application/json-patch+json' } });
      assert.equal(jp.json.spec.replicas, 7);
      assert.equal(await h.ok(['get', 'gadget', 'sc-b', '-o', 'jsonpath={.spec.replicas}']), '7');
      const badPaths = gadgetCrd().replace('gadgets.example.com', 'badscales.example.com').replace('{plural: gadgets, singular: gadget, kind: Gadget}', '{plural: badscales, kind: Badscale}')
        .replace('specReplicasPath: .spec.replicas', 'specReplicasPath: .status.replicas').replace('labelSelectorPath: .status.selector', 'labelSelectorPath: .metadata.labels');
      const bad = await h.kubectl(['apply', '-f', h.file('badscale.yaml', badPaths)]);
      assert.match(bad.stderr, /spec\.subresources\.scale\.specReplicasPath: Invalid value: "\.status\.replicas": should be a json path under \.spec/);
      assert.match(bad.stderr, /spec\.subresources\.scale\.labelSelectorPath: Invalid value: "\.metadata\.labels": should be a json path under either \.spec or \.status/);
      const none = await h.http('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com/scale');
      assert.equal(none.status, 404);
    });
  });

  describe('small kube-apiserver behaviours', () => {
    it('ConfigMap DATA counts data and binaryData keys', async () => {
      await h.ok(['apply', '-f', h.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-count}\ndata: {a: "1", b: "2"}\nbinaryData: {c: aGk=}\n')]);
      assert.match(await h.ok(['get', 'cm', 'cm-count']), /^NAME\s+DATA\s+AGE\ncm-count\s+3\s+/);
    });

    it('/readyz, /livez and /healthz list their checks with ?verbose and run one check by path', async () => {
      const ready = await h.ok(['get', '--raw', '/readyz?verbose']);
      assert.match(ready, /^\[\+\]ping ok\n\[\+\]store ok\n\[\+\]shutdown ok\nreadyz check passed\n$/);
      assert.match(await h.ok(['get', '--raw', '/livez?verbose']), /^\[\+\]ping ok\n\[\+\]store ok\nlivez check passed\n$/);
      assert.equal(await h.ok(['get', '--raw', '/readyz']), 'ok');
      assert.equal(await h.ok(['get', '--raw', '/livez/ping']), 'ok');
      assert.match(await h.ok(['get', '--raw', '/readyz?verbose&exclude=store']), /\[\+\]store excluded: ok/);
      assert.equal((await h.http('GET', '/readyz/nosuchcheck')).status, 404);
    });

    it('/readyz fails (500, [-]store failed) once the store is gone', async () => {
      const other = await Harness.start();
      try {
        await other.store.close();
        const r = await other.http('GET', '/readyz');
        assert.equal(r.status, 500);
        assert.match(r.json, /\[\+\]ping ok\n\[-\]store failed: reason withheld\n/);
        assert.match(r.json, /readyz check failed/);
      } finally {
        await other.close();
      }
    });

    it('/version has the fields of kube-apiserver (same keys and platform spelling as kubectl\'s own)', async () => {
      const server = JSON.parse(await h.ok(['get', '--raw', '/version']));
      const client = JSON.parse(await h.ok(['version', '--client', '-o', 'json'])).clientVersion;
      assert.deepEqual(Object.keys(server).sort(), Object.keys(client).sort());
      assert.equal(server.platform, client.platform);
      assert.match(server.gitVersion, /^v\d+\.\d+\.\d+/);
      assert.equal(server.gitVersion.slice(1).split('.').slice(0, 2).join('.'), `${server.major}.${server.minor}`);
    });
  });

  describe('namespaces', () => {
    it('the server starts with kube\'s system namespaces: default, kube-node-lease, kube-public, kube-system', async () => {
      const names = (await h.ok(['get', 'ns', '-o', 'name'])).split('\n');
      for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(`namespace/${ns}`), names.join(' '));
      assert.match(await h.ok(['get', 'ns', 'kube-system']), /^kube-system\s+Active\s+/m);
      // As kube's NamespaceLifecycle admission: default, kube-system and kube-public cannot be deleted.
      for (const ns of ['default', 'kube-system', 'kube-public']) {
        const r = await h.kubectl(['delete', 'ns', ns]);
        assert.match(r.stderr, new RegExp(`Error from server \\(Forbidden\\): namespaces "${ns}" is forbidden: this namespace may not be deleted`));
      }
      assert.match(await h.ok(['get', 'ns', 'default']), /^default\s+Active\s+/m);
    });

    it('lists a namespace that stored objects live in without a Namespace object, and deleting it deletes them', async () => {
      const store = new MemoryStore();
      const meta = { name: 'old', namespace: 'legacy', uid: 'legacy-uid-1', creationTimestamp: '2024-01-01T00:00:00Z' };
      await store.create({ resource: 'core/configmaps', namespace: 'legacy', name: 'old' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1' } });
      const other = await Harness.start({ store });
      try {
        assert.match(await other.ok(['get', 'ns']), /^legacy\s+Active\s+/m);
        assert.equal(await other.ok(['get', 'ns', 'legacy', '-o', 'jsonpath={.spec.finalizers}']), '["kubernetes"]');
        await other.ok(['delete', 'ns', 'legacy']);
        assert.match((await other.kubectl(['get', 'cm', 'old', '-n', 'legacy'])).stderr, /NotFound/);
        assert.doesNotMatch(await other.ok(['get', 'ns']), /legacy/);
      } finally {
        await other.close();
      }
    });

    it('a namespace whose content is held by a finalizer stays Terminating with finalizer kubernetes, then goes', async () => {
      await h.ok(['create', 'ns', 'term1']);
      await h.ok(['apply', '-n', 'term1', '-f', h.file('fin.yaml', gadget('held', 'red', 1).replace('metadata: {name: held}', 'metadata: {name: held, finalizers: [example.com/hold]}'))]);
      await h.ok(['delete', 'ns', 'term1', '--wait=false']);
      const ns = JSON.parse(await h.ok(['get', 'ns', 'term1', '-o', 'json']));
      assert.equal(ns.status.phase, 'Terminating');
      assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
      assert.ok(ns.metadata.deletionTimestamp);
      assert.match(await h.ok(['get', 'ns', 'term1']), /term1\s+Terminating/);
      const refused = await h.kubectl(['create', 'configmap', 'late', '-n', 'term1']);
      assert.match(refused.stderr, /because it is being terminated/);
      await h.ok(['patch', 'gadget', 'held', '-n', 'term1', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await eventually(async () => (await h.kubectl(['get', 'ns', 'term1'])).code !== 0, 5000, 'namespace term1 to go');
    });
  });

  describe('leases (coordination.k8s.io/v1)', () => {
    it('serves Leases as built-ins: api-resources, create, HOLDER column, optimistic renew as leader election does', async () => {
      assert.match(await h.ok(['api-resources', '--api-group=coordination.k8s.io']), /leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/);
      const lease = 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: leader, namespace: kube-system}\nspec: {holderIdentity: pod-a, leaseDurationSeconds: 15, acquireTime: "2026-01-01T00:00:00.000000Z", renewTime: "2026-01-01T00:00:00.000000Z"}\n';
      await h.ok(['create', 'ns', 'kube-system']).catch(() => '');
      await h.ok(['create', '-f', h.file('lease.yaml', lease)]);
      assert.match(await h.ok(['get', 'leases', '-n', 'kube-system']), /^NAME\s+HOLDER\s+AGE\nleader\s+pod-a\s+/);
      const path = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/leader';
      const cur = (await h.http('GET', path)).json;
      const renew = { ...cur, spec: { ...cur.spec, holderIdentity: 'pod-b', renewTime: '2026-01-01T00:00:10.000000Z' } };
      const ok = await h.http('PUT', path, { body: JSON.stringify(renew), headers: { 'Content-Type': 'application/json' } });
      assert.equal(ok.status, 200);
      // A second candidate writing with the same (now stale) resourceVersion loses.
      const lost = await h.http('PUT', path, { body: JSON.stringify({ ...renew, spec: { ...renew.spec, holderIdentity: 'pod-c' } }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(lost.status, 409);
      assert.equal(await h.ok(['get', 'lease', 'leader', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']), 'pod-b');
    });
  });

  describe('kubectl auth', () => {
    it('whoami and can-i answer for a loopback server without a token (anonymous, full access)', async () => {
      assert.match(await h.ok(['auth', 'whoami']), /Username\s+system:anonymous\nGroups\s+\[system:unauthenticated\]/);
      assert.equal(await h.ok(['auth', 'can-i', 'delete', 'configmaps', '-n', 'default']), 'yes\n');
      assert.equal(await h.ok(['auth', 'can-i', 'get', '/healthz']), 'yes\n');
      assert.match(await h.ok(['auth', 'can-i', '--list']), /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
      const review = await h.http('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'widgets', group: 'example.com' } } }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(review.status, 201);
      assert.equal(review.json.status.allowed, true);
      assert.equal((await h.http('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405);
    });

    it('whoami names the token user when the server requires its token', async () => {
      const secured = await Harness.start({ token: 'parity-token-123' });
      try {
        assert.match(await secured.ok(['auth', 'whoami']), /Username\s+choreo:admin\nGroups\s+\[system:masters system:authenticated\]/);
        assert.equal(await secured.ok(['auth', 'can-i', 'create', 'namespaces']), 'yes\n');
      } finally {
        await secured.close();
      }
    });
  });

  describe('cluster-info, Services and Endpoints', () => {
    it('stores Services and Endpoints and prints kubectl\'s columns', async () => {
      const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}, {port: 443, nodePort: 30443}]\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: [{addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}], ports: [{port: 8080}]}]\n';
      await h.ok(['apply', '-f', h.file('svc.yaml', svc)]);
      assert.match(await h.ok(['get', 'svc', 'web', '-o', 'wide']), /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\nweb\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP,443:30443\/TCP\s+\S+\s+app=web\n$/);
      assert.match(await h.ok(['get', 'ep', 'web']), /^NAME\s+ENDPOINTS\s+AGE\nweb\s+10\.0\.0\.1:8080,10\.0\.0\.2:8080\s+/);
      assert.equal(await h.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].protocol}']), 'TCP');
    });

    it('kubectl cluster-info prints the control plane and cluster-info dump succeeds; workload kinds are read-only and empty', async () => {
      const info = await h.ok(['cluster-info']);
      assert.match(info, new RegExp(`Kubernetes control plane.* is running at .*${h.url.replace(/[.:/]/g, '\\$&')}`));
      const dump = await h.kubectl(['cluster-info', 'dump']);
      assert.equal(dump.code, 0, dump.stderr);
      assert.match(dump.stdout, /"kind": "NodeList"/);
      assert.match(dump.stdout, /"kind": "ServiceList"/);
      assert.match(await h.ok(['get', 'pods,deployments']), /^$/);
      const create = await h.kubectl(['create', 'deployment', 'nope', '--image=x']);
      assert.match(create.stderr, /does not allow this method/);
      assert.equal((await h.http('POST', '/api/v1/namespaces/default/pods', { body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}', headers: { 'Content-Type': 'application/json' } })).status, 405);
    });
  });

  describe('/openapi/v2', () => {
    it('kubectl explain --output=plaintext-openapiv2 reads the protobuf form (custom and built-in kinds)', async () => {
      const spec = await h.ok(['explain', 'gadgets.spec', '--output=plaintext-openapiv2']);
      assert.match(spec, /KIND:\s+Gadget\nVERSION:\s+example\.com\/v1/);
      assert.match(spec, /color\t<string>/);
      assert.match(spec, /replicas\t<integer>/);
      const cm = await h.ok(['explain', 'configmaps', '--output=plaintext-openapiv2']);
      assert.match(cm, /binaryData\t<map\[string\]string>/);
      assert.match(cm, /metadata\t<Object>\n\s+Standard object's metadata/);
      const raw = await fetch(`${h.url}/openapi/v2`, { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
      assert.equal(raw.headers.get('content-type'), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      assert.equal(Buffer.from(await raw.arrayBuffer()).subarray(0, 5).toString('latin1'), '\n\x032.0');
    });

    it('serves the Swagger 2.0 JSON with definitions, group-version-kinds and body parameters', async () => {
      const doc = JSON.parse(await h.ok(['get', '--raw', '/openapi/v2']));
      assert.equal(doc.swagger, '2.0');
      const gadget = doc.definitions['com.example.v1.Gadget'];
      assert.deepEqual(gadget['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Gadget' }]);
      assert.equal(gadget.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      const post = doc.paths['/apis/example.com/v1/namespaces/{namespace}/gadgets'].post;
      assert.deepEqual(post.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/com.example.v1.Gadget' } });
      assert.ok(doc.definitions['io.k8s.api.core.v1.ConfigMap'] ?? Object.keys(doc.definitions).find((k: string) => k.endsWith('.ConfigMap')));
    });
  });

  describe('/metrics', () => {
    it('counts requests by verb/resource/code, times them, gauges open watches and stored objects', async () => {
      await h.ok(['get', 'gadgets']);
      await h.kubectl(['get', 'gadget', 'no-such-gadget']);
      const watch = h.stream(['get', 'gadgets', '-w', '--output-watch-events']);
      try {
        await eventually(async () => /apiserver_longrunning_requests\{verb="WATCH",group="example\.com",version="v1",resource="gadgets",subresource="",scope="namespace",component="apiserver"\} 1\n/.test(await h.ok(['get', '--raw', '/metrics'])), 5000, 'an open watch in /metrics');
      } finally {
        watch.stop();
      }
      const text = await h.ok(['get', '--raw', '/metrics']);
      assert.match(text, /# TYPE apiserver_request_total counter\n/);
      const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
      assert.ok(count(/apiserver_request_total\{verb="LIST",group="example\.com",version="v1",resource="gadgets",subresource="",scope="namespace",component="apiserver",code="200"\} (\d+)/) >= 1);
      assert.ok(count(/apiserver_request_total\{verb="GET",group="example\.com",version="v1",resource="gadgets",subresource="",scope="resource",component="apiserver",code="404"\} (\d+)/) >= 1);
      assert.match(text, /apiserver_request_duration_seconds_bucket\{verb="LIST",group="example\.com",version="v1",resource="gadgets",subresource="",scope="namespace",component="apiserver",le="\+Inf"\} \d+\n/);
      const stored = Number((await h.ok(['get', 'gadgets', '-A', '-o', 'name'])).trim().split('\n').filter(Boolean).length);
      assert.equal(count(/apiserver_storage_objects\{resource="gadgets\.example\.com"\} (\d+)/), stored);
    });
  });
});
