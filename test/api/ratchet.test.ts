// Validation ratcheting (kube's CRDValidationRatcheting): on update, errors at
// values unchanged from the old object are dropped; the schema and rules are
// compiled as the server compiles them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, type JSONSchemaProps } from '../../src/api/schema/index.js';
import { fieldErrorString } from '../../src/api/fielderrors.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['owner'],
      properties: {
        owner: { type: 'string' },
        name: { type: 'string', maxLength: 3, 'x-kubernetes-validations': [{ rule: "self.startsWith('a')", message: 'must start with a' }] },
        replicas: { type: 'integer', minimum: 1, 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'may not decrease' }] },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 100, 'x-kubernetes-validations': [{ rule: 'self != 13', message: 'unlucky' }] } } },
        },
        tags: { type: 'array', items: { type: 'string', enum: ['x', 'y'] } },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 2 } },
      },
    },
  },
};
const c = compileSchema(schema);
const obj = (spec: Record<string, unknown>, labels?: Record<string, string>) => ({ apiVersion: 'e.com/v1', kind: 'W', metadata: { name: 'w', ...(labels ? { labels } : {}) }, spec });
const errs = (next: unknown, old?: unknown) => c.validate(next, old).map(fieldErrorString);
// kube skips the rules after a blocking (TooLong, Unsupported, Required …) error and says so.
const blocked = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

describe('validation ratcheting', () => {
  // Written before the schema tightened (what the store holds).
  const legacy = { owner: 'o', name: 'bbbb', replicas: 0, ports: [{ name: 'p', port: 500 }, { name: 'q', port: 13 }], tags: ['z'], labels: { k: 'long' } };

  it('a create reports every error', () => {
    assert.deepEqual(errs(obj(legacy)), [
      'spec.name: Too long: may not be more than 3 bytes',
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.ports[0].port: Invalid value: 500: spec.ports[0].port in body should be less than or equal to 100',
      'spec.tags[0]: Unsupported value: "z": supported values: "x", "y"',
      'spec.labels.k: Too long: may not be more than 2 bytes',
      blocked,
    ]);
  });

  it('an update that leaves the invalid values alone is accepted', () => {
    assert.deepEqual(errs(obj(legacy, { changed: 'yes' }), obj(legacy)), []);
  });

  it('an invalid value that changes is reported, also by schema keyword and by rule', () => {
    assert.deepEqual(errs(obj({ ...legacy, name: 'bbbbb' }), obj(legacy)), ['spec.name: Too long: may not be more than 3 bytes', blocked]);
    assert.deepEqual(errs(obj({ ...legacy, name: 'bbb' }), obj(legacy)), ['spec.name: Invalid value: "string": must start with a']);
  });

  it('map-list items correlate by key: a changed item is checked, its unchanged sibling is not', () => {
    const next = { ...legacy, ports: [{ name: 'q', port: 13 }, { name: 'p', port: 501 }] };
    assert.deepEqual(errs(obj(next), obj(legacy)), ['spec.ports[1].port: Invalid value: 501: spec.ports[1].port in body should be less than or equal to 100']);
  });

  it('atomic-list items do not correlate: changing the list re-checks every item', () => {
    assert.deepEqual(errs(obj({ ...legacy, tags: ['z', 'x'] }), obj(legacy)), ['spec.tags[0]: Unsupported value: "z": supported values: "x", "y"', blocked]);
  });

  it('additionalProperties values correlate by key', () => {
    assert.deepEqual(errs(obj({ ...legacy, labels: { k: 'long', n: 'ok' } }), obj(legacy)), []);
    assert.deepEqual(errs(obj({ ...legacy, labels: { k: 'long', n: 'longer' } }), obj(legacy)), ['spec.labels.n: Too long: may not be more than 2 bytes', blocked]);
  });

  it('a missing required field belongs to its object: reported once that object changes', () => {
    const { owner: _o, ...noOwner } = legacy;
    assert.deepEqual(errs(obj(noOwner, { a: 'b' }), obj(noOwner)), []);
    assert.deepEqual(errs(obj({ ...noOwner, name: 'abc' }), obj(noOwner)), ['spec.owner: Required value', blocked]);
  });

  it('transition rules (oldSelf) are never ratcheted', () => {
    const old = { ...legacy, replicas: 5 };
    assert.deepEqual(errs(obj({ ...old, replicas: 4 }), obj(old)), ['spec.replicas: Invalid value: "integer": may not decrease']);
  });
});
