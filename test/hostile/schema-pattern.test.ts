// ReDoS through a CRD `pattern` (issue 18 item 3): kube-apiserver matches
// schema patterns with Go's RE2 (linear time) and rejects patterns RE2 cannot
// compile. Over HTTP and with the real kubectl against a real server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from '../apiserver/helpers.js';
import { specCrd } from './crds.js';

const crd = (plural: string, kind: string, pattern: string) => specCrd(plural, kind, `            type: object\n            properties:\n              s: {type: string, pattern: '${pattern}'}`);

describe('CRD patterns are RE2: linear time, Go syntax', { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
    await h.ok(['apply', '-f', h.file('crd.yaml', crd('backtracks', 'Backtrack', '^(a+)+$'))]);
  });
  after(async () => h?.close());

  it('answers a 34-character value against ^(a+)+$ in milliseconds, and stays healthy', async () => {
    const value = 'a'.repeat(33) + '!';
    const body = JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Backtrack', metadata: { name: 'x' }, spec: { s: value } });
    const t0 = performance.now();
    const health = h.http('GET', '/healthz');
    const res = await h.http('POST', '/apis/example.com/v1/namespaces/default/backtracks', { body, headers: { 'content-type': 'application/json' } });
    const ms = performance.now() - t0;
    assert.equal(res.status, 422);
    assert.equal(res.json.message, `Backtrack.example.com "x" is invalid: spec.s: Invalid value: "${value}": spec.s in body should match '^(a+)+$'`);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    assert.equal((await health).status, 200);

    const r = await h.kubectl(['apply', '-f', h.file('x.yaml', `apiVersion: example.com/v1\nkind: Backtrack\nmetadata: {name: slow}\nspec: {s: "${value}"}\n`)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Backtrack "slow" is invalid: spec\.s: Invalid value: "a{33}!": spec\.s in body should match '\^\(a\+\)\+\$'/);
    await h.ok(['apply', '-f', h.file('ok.yaml', `apiVersion: example.com/v1\nkind: Backtrack\nmetadata: {name: fine}\nspec: {s: "${'a'.repeat(34)}"}\n`)]);
  });

  it('rejects a CRD whose pattern Go cannot compile, with Go\'s message and the field path', async () => {
    const r = await h.kubectl(['apply', '-f', h.file('bad.yaml', crd('backrefs', 'Backref', '(a)\\1'))]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The CustomResourceDefinition "backrefs\.example\.com" is invalid: spec\.validation\.openAPIV3Schema\.properties\[spec\]\.properties\[s\]\.pattern: Invalid value: "\(a\)\\\\1": must be a valid regular expression, but isn't: error parsing regexp: invalid escape sequence: `\\1`/,
    );
    const look = await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'lookaheads.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'lookaheads', kind: 'Lookahead' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)' } } } } }] } }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(look.status, 422);
    assert.deepEqual(look.json.details.causes, [{ reason: 'FieldValueInvalid', field: 'spec.validation.openAPIV3Schema.properties[s].pattern', message: 'Invalid value: "^(?=a)": must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?=`' }]);
    assert.equal((await h.kubectl(['get', 'crd', 'backrefs.example.com'])).code, 1);
  });
});
