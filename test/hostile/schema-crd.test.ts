// CRD schemas validated as kube-apiserver validates them (issue 18 item 9):
// keywords of the wrong type are decode errors (400, Go's message and field
// path) instead of being stored and failing every instance with a 500; schema
// rules are reported with kube-apiserver's field paths. Real kubectl, real server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from '../apiserver/helpers.js';
import { specCrd } from './crds.js';

const crd = specCrd;

const cannot = 'CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal';

describe('CRD schemas are checked as kube-apiserver checks them', { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => (h = await Harness.start()));
  after(async () => h?.close());

  it('refuses `enum: notalist` at creation (400, Go field path); nothing is stored', async () => {
    const yaml = crd('enums', 'Enum', '            type: object\n            properties:\n              size: {type: string, enum: notalist}');
    const r = await h.kubectl(['apply', '-f', h.file('enum.yaml', yaml)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(BadRequest\): error when creating ".*enum\.yaml": CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal string into Go struct field JSONSchemaProps\.spec\.versions\.schema\.openAPIV3Schema\.properties\.properties\.enum of type \[\]v1\.JSON/);
    assert.equal((await h.kubectl(['get', 'crd', 'enums.example.com'])).code, 1);
  });

  it('refuses `required: "spec"` with one error, not one per character', async () => {
    const body = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'reqs.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'reqs', kind: 'Req' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', required: 'spec', properties: { spec: { type: 'object' } } } } }] },
    };
    const res = await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.reason, 'BadRequest');
    assert.equal(res.json.message, `${cannot} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.required of type []string`);
  });

  it('reports structural errors with kube-apiserver\'s field paths and wording', async () => {
    const r = await h.kubectl(['apply', '-f', h.file('untyped.yaml', crd('untypeds', 'Untyped', '            properties:\n              a: {type: string}'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CustomResourceDefinition "untypeds\.example\.com" is invalid: spec\.validation\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
    const u = await h.kubectl(['apply', '-f', h.file('unique.yaml', crd('uniques', 'Unique', '            type: object\n            properties:\n              tags: {type: array, items: {type: string}, uniqueItems: true}'))]);
    assert.match(u.stderr, /spec\.validation\.openAPIV3Schema\.properties\[spec\]\.properties\[tags\]\.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic/);
  });

  it('still serves a valid CRD and validates its instances', async () => {
    await h.ok(['apply', '-f', h.file('ok.yaml', crd('sizes', 'Size', '            type: object\n            properties:\n              size: {type: string, enum: [small, large]}'))]);
    const r = await h.kubectl(['apply', '-f', h.file('i.yaml', 'apiVersion: example.com/v1\nkind: Size\nmetadata: {name: s1}\nspec: {size: huge}\n')]);
    assert.match(r.stderr, /The Size "s1" is invalid: spec\.size: Unsupported value: "huge": supported values: "small", "large"/);
  });
});
