// Kubernetes API parity (issue 21) driven by the real kubectl: selectableFields,
// the scale subresource, and the smaller kube-apiserver behaviours kubectl users
// notice (health checks, /version, ConfigMap columns, namespaces, auth, leases).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from './helpers.js';

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
});
