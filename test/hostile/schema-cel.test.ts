// CRD validation rules (x-kubernetes-validations, issue 21 item 1) and ReDoS
// through CEL matches() (issue 18): real kubectl against the real server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from '../apiserver/helpers.js';
import { specCrd } from './crds.js';

const rules = `            type: object
            x-kubernetes-validations:
            - rule: "self.min <= self.max"
              message: "min must not exceed max"
            - rule: "self.replicas >= oldSelf.replicas"
              message: "replicas may not decrease"
              reason: FieldValueForbidden
            properties:
              min: {type: integer}
              max: {type: integer}
              replicas: {type: integer}
              name:
                type: string
                maxLength: 64
                x-kubernetes-validations:
                - rule: "self.matches('^(a+)+$')"
                  messageExpression: "'name ' + self + ' is not all a'"`;

const range = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Range\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('CEL validation rules with kubectl', { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
    await h.ok(['apply', '-f', h.file('crd.yaml', specCrd('ranges', 'Range', rules))]);
  });
  after(async () => h?.close());

  it('applies a valid object and refuses an invalid one with kube-apiserver\'s message', async () => {
    await h.ok(['apply', '-f', h.file('ok.yaml', range('r1', '{min: 1, max: 3, replicas: 2, name: aaa}'))]);
    const r = await h.kubectl(['apply', '-f', h.file('bad.yaml', range('r2', '{min: 5, max: 3, replicas: 2}'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Range "r2" is invalid: spec: Invalid value: "object": min must not exceed max/);
    assert.equal((await h.kubectl(['get', 'range', 'r2'])).code, 1);
  });

  it('a transition rule (oldSelf) is checked on update only', async () => {
    await h.ok(['apply', '-f', h.file('r3.yaml', range('r3', '{min: 1, max: 3, replicas: 1}'))]);
    const r = await h.kubectl(['apply', '-f', h.file('down.yaml', range('r1', '{min: 1, max: 3, replicas: 1, name: aaa}'))]);
    assert.match(r.stderr, /The Range "r1" is invalid: spec: Forbidden: replicas may not decrease/);
    await h.ok(['apply', '-f', h.file('up.yaml', range('r1', '{min: 1, max: 3, replicas: 4, name: aaa}'))]);
  });

  it('matches() is RE2: `^(a+)+$` on 34 characters answers at once, with the messageExpression', async () => {
    const t0 = Date.now();
    const r = await h.kubectl(['apply', '-f', h.file('redos.yaml', range('r4', `{min: 1, max: 2, replicas: 1, name: ${'a'.repeat(33)}b}`))]);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(r.stderr, new RegExp(`The Range "r4" is invalid: spec.name: Invalid value: "string": name ${'a'.repeat(33)}b is not all a`));
    assert.equal((await h.http('GET', '/healthz')).status, 200);
  });

  it('refuses an uncompilable rule when the CRD is created', async () => {
    const r = await h.kubectl(['apply', '-f', h.file('badcrd.yaml', specCrd('broken', 'Broken', '            type: object\n            x-kubernetes-validations:\n            - rule: "self.nope > 1"\n            properties:\n              x: {type: integer}'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CustomResourceDefinition "broken\.example\.com" is invalid: spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.nope > 1".*\}: compilation failed: ERROR: <input>:1:5: undefined field 'nope'/);
  });

  it('refuses a rule that does not type-check against the schema when the CRD is created (kube\'s compile error)', async () => {
    const r = await h.kubectl(['apply', '-f', h.file('typecrd.yaml', specCrd('mistyped', 'Mistyped', "            type: object\n            x-kubernetes-validations:\n            - rule: \"self.replicas > 'a'\"\n            properties:\n              replicas: {type: integer}"))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CustomResourceDefinition "mistyped\.example\.com" is invalid: spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.replicas > 'a'".*\}: compilation failed: ERROR: <input>:1:15: found no matching overload for '_>_' applied to '\(int, string\)'/);
    assert.equal((await h.kubectl(['get', 'crd', 'mistyped.example.com'])).code, 1);
  });

  it('ratcheting: after the schema tightens, updates that keep an invalid value pass; changing it is refused', async () => {
    const loose = "            type: object\n            properties:\n              size: {type: integer}\n              name: {type: string}\n              code: {type: string}";
    const strict = "            type: object\n            properties:\n              size: {type: integer}\n              name:\n                type: string\n                maxLength: 3\n              code:\n                type: string\n                x-kubernetes-validations:\n                - rule: \"self.startsWith('a')\"\n                  message: code must start with a";
    const w = (spec: string) => `apiVersion: example.com/v1\nkind: Ratchet\nmetadata: {name: r1, namespace: default}\nspec: ${spec}\n`;
    await h.ok(['apply', '-f', h.file('ratchet-crd.yaml', specCrd('ratchets', 'Ratchet', loose))]);
    await h.ok(['apply', '-f', h.file('r-1.yaml', w('{size: 1, name: toolong, code: bad}'))]);
    await h.ok(['apply', '-f', h.file('ratchet-crd.yaml', specCrd('ratchets', 'Ratchet', strict))]);
    // Unchanged name and code: accepted although both are now invalid.
    await h.ok(['apply', '-f', h.file('r-2.yaml', w('{size: 2, name: toolong, code: bad}'))]);
    const name = await h.kubectl(['apply', '-f', h.file('r-3.yaml', w('{size: 3, name: toolonger, code: bad}'))]);
    assert.match(name.stderr, /The Ratchet "r1" is invalid: \n\* spec\.name: Too long: may not be more than 3 bytes\n\* <nil>: Invalid value: null: some validation rules were not checked/);
    const code = await h.kubectl(['apply', '-f', h.file('r-4.yaml', w('{size: 3, name: toolong, code: worse}'))]);
    assert.match(code.stderr, /The Ratchet "r1" is invalid: spec\.code: Invalid value: "string": code must start with a/);
    // A new object gets no such grace.
    const fresh = await h.kubectl(['apply', '-f', h.file('r-5.yaml', w('{size: 1, name: toolong, code: abc}').replace('name: r1', 'name: r2'))]);
    assert.match(fresh.stderr, /The Ratchet "r2" is invalid: \n\* spec\.name: Too long: may not be more than 3 bytes/);
    assert.equal(JSON.parse((await h.ok(['get', 'ratchet', 'r1', '-o', 'json']))).spec.size, 2);
  });

  it('a rule too costly is refused at creation; one that runs too long is cut at run time', async () => {
    const loops = (plural: string, kind: string, maxItems: string) =>
      specCrd(plural, kind, `            type: object\n            properties:\n              l:\n                type: array\n${maxItems}                items: {type: integer}\n                x-kubernetes-validations:\n                - rule: "self.all(a, self.all(b, a + b >= 0))"`);
    const r = await h.kubectl(['apply', '-f', h.file('costly.yaml', loops('costlies', 'Costly', ''))]);
    assert.match(r.stderr, /spec\.validation\.openAPIV3Schema\.properties\[spec\]\.properties\[l\]\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x/);
    await h.ok(['apply', '-f', h.file('bounded.yaml', loops('boundeds', 'Bounded', '                maxItems: 1000\n'))]);
    const list = `[${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`;
    const t0 = Date.now();
    const cut = await h.kubectl(['apply', '-f', h.file('long.yaml', `apiVersion: example.com/v1\nkind: Bounded\nmetadata: {name: b1}\nspec: {l: ${list}}\n`)]);
    assert.ok(Date.now() - t0 < 15_000);
    assert.match(cut.stderr, /The Bounded "b1" is invalid: spec\.l: Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self\.all\(a, self\.all\(b, a \+ b >= 0\)\)/);
  });
});
