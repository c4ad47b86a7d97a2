import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, compileValidator, structuralErrors, type JSONSchemaProps } from '../../src/api/schema/index.js';
import { fieldErrorString, invalidError, toCause } from '../../src/api/fielderrors.js';

const widget: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        size: { type: 'string', enum: ['small', 'large'] },
        name: { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 5 },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, multipleOf: 0.5 },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2, uniqueItems: true },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2, minProperties: 1 },
        ip: { type: 'string', format: 'ipv4' },
        prefix: { type: 'string', format: 'cidr' },
        when: { type: 'string', format: 'date-time' },
        maybe: { type: 'string', nullable: true },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' }, name: { type: 'string' } } },
        },
        finalizers: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        strategy: {
          type: 'object',
          default: { type: 'Rolling' },
          properties: { type: { type: 'string' }, maxSurge: { type: 'integer', default: 25 } },
        },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

const compiled = compileSchema(widget);

function errorsOf(spec: Record<string, unknown>): string[] {
  return compiled.validate({ apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'small', ...spec } }).map(fieldErrorString);
}

test('validation messages read like kube-apiserver', () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{}, []],
    [{ replicas: 'string' }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    [{ replicas: 1.5 }, ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']],
    [{ replicas: 0 }, ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']],
    [{ replicas: 11 }, ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']],
    [{ size: 'medium' }, ['spec.size: Unsupported value: "medium": supported values: "small", "large"']],
    [{ size: undefined }, ['spec.size: Required value']],
    [{ name: 'Abc' }, ["spec.name: Invalid value: \"Abc\": spec.name in body should match '^[a-z]+$'"]],
    [{ name: 'a' }, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']],
    [{ name: 'abcdef' }, ['spec.name: Too long: may not be more than 5 bytes']],
    [{ ratio: 0 }, ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']],
    [{ ratio: 0.7 }, ['spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5']],
    [{ port: 80 }, []],
    [{ port: 'http' }, []],
    [{ port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    [{ tags: [] }, ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']],
    [{ tags: ['a', 'b', 'c'] }, ['spec.tags: Too many: 3: must have at most 2 items']],
    [{ tags: ['a', 'a'] }, ['spec.tags: Invalid value: "": spec.tags in body shouldn\'t contain duplicates']],
    [{ tags: ['a', 1] }, ['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']],
    [{ labels: { a: 'x', b: 1 } }, ['spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"']],
    [{ labels: {} }, ['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties']],
    [{ labels: { a: 'x', b: 'y', c: 'z' } }, ['spec.labels: Too many: 3: must have at most 2 items']],
    [{ ip: '10.0.0.256' }, ['spec.ip: Invalid value: "10.0.0.256": spec.ip in body must be of type ipv4: "10.0.0.256"']],
    [{ ip: '10.0.0.1', prefix: '2001:db8::/32', when: '2024-02-29T10:00:00Z' }, []],
    [{ prefix: '10.0.0.0/33' }, ['spec.prefix: Invalid value: "10.0.0.0/33": spec.prefix in body must be of type cidr: "10.0.0.0/33"']],
    [{ when: '2023-02-29T10:00:00Z' }, ['spec.when: Invalid value: "2023-02-29T10:00:00Z": spec.when in body must be of type date-time: "2023-02-29T10:00:00Z"']],
    [{ maybe: null }, []],
    [{ name: null }, ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"']],
    [{ ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }] }, []],
    [{ ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }] }, ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    [{ ports: [{ protocol: 'TCP' }] }, ['spec.ports[0].port: Required value']],
    [{ finalizers: ['a', 'b', 'a'] }, ['spec.finalizers[2]: Duplicate value: "a"']],
    [{ template: { metadata: { name: 'x' } } }, ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty']],
  ];
  for (const [spec, want] of cases) assert.deepEqual(errorsOf(spec), want, JSON.stringify(spec));
});

test('all errors are collected and become a 422 Status with causes', () => {
  const errs = compiled.validate({ spec: { replicas: 'x', size: 'huge', name: 'ABC' } });
  assert.equal(errs.length, 3);
  const e = invalidError('Widget', 'example.com', 'w1', errs);
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.match(e.message, /^Widget\.example\.com "w1" is invalid: \[spec\.replicas: Invalid value: "string"/);
  assert.deepEqual(e.details?.causes?.map((c) => c.field), ['spec.replicas', 'spec.size', 'spec.name']);
  assert.deepEqual(toCause(errs[1]), { reason: 'FieldValueNotSupported', field: 'spec.size', message: 'Unsupported value: "huge": supported values: "small", "large"' });
});

test('defaulting: missing fields, nested defaults inside defaulted objects, list-map keys, nulls', () => {
  const obj = { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'small', ports: [{ port: 80 }], name: null, maybe: null } };
  compiled.default(obj);
  assert.deepEqual(obj.spec, {
    size: 'small',
    replicas: 1,
    ports: [{ port: 80, protocol: 'TCP' }],
    maybe: null,
    strategy: { type: 'Rolling', maxSurge: 25 },
  });
  // a present value is never overwritten; a partially given object gets its nested defaults
  const obj2 = { spec: { size: 'small', replicas: 3, strategy: { type: 'Recreate' } } };
  compiled.default(obj2);
  assert.deepEqual(obj2.spec, { size: 'small', replicas: 3, strategy: { type: 'Recreate', maxSurge: 25 } });
});

test('pruning: unknown fields removed and reported; preserve-unknown-fields and embedded resources respected', () => {
  const obj = {
    apiVersion: 'x/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: 'b' } },
    extra: 1,
    spec: {
      size: 'small',
      bogus: true,
      ports: [{ port: 80, junk: 'x' }],
      labels: { anything: 'goes' },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', junk: 1 }, spec: { free: 'form' } },
      config: { free: { deep: 1 }, known: { a: 'x', b: 'pruned' } },
    },
    status: { phase: 'Ready', other: 1 },
  };
  const pruned = compiled.prune(obj);
  assert.deepEqual(pruned.sort(), ['extra', 'spec.bogus', 'spec.config.known.b', 'spec.ports[0].junk', 'spec.template.metadata.junk', 'status.other']);
  assert.deepEqual(obj.metadata, { name: 'w', labels: { a: 'b' } });
  assert.deepEqual(obj.spec.template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { free: 'form' } });
  assert.deepEqual(obj.spec.config, { free: { deep: 1 }, known: { a: 'x' } });
  assert.deepEqual(obj.status, { phase: 'Ready' });
});

test('Go-style patterns compile: legacy escapes and (?i)', () => {
  const v = compileValidator({ type: 'object', properties: { a: { type: 'string', pattern: '^foo\\-bar$' }, b: { type: 'string', pattern: '(?i)^abc$' } } });
  assert.deepEqual(v({ a: 'foo-bar', b: 'ABC' }), []);
  assert.equal(v({ a: 'foobar', b: 'abd' }).length, 2);
});

test('composition: anyOf / oneOf / not / allOf', () => {
  const v = compileValidator({
    type: 'object',
    properties: { a: { type: 'integer' }, b: { type: 'string' } },
    anyOf: [{ required: ['a'] }, { required: ['b'] }],
    not: { required: ['c'] },
    allOf: [{ properties: { a: { minimum: 0 } } }],
  });
  assert.deepEqual(v({ a: 1 }).map(fieldErrorString), []);
  assert.deepEqual(v({}).map(fieldErrorString), ['Invalid value: {}: . in body must validate at least one schema (anyOf)']);
  assert.deepEqual(v({ a: -1, c: 1 }, 'spec').map(fieldErrorString), ['spec.a: Invalid value: -1: spec.a in body should be greater than or equal to 0', 'spec: Invalid value: {"a":-1,"c":1}: spec in body must not validate the schema (not)']);
  const one = compileValidator({ type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] });
  assert.deepEqual(one({ a: 1 }), []);
  assert.match(fieldErrorString(one({ a: 1, b: 2 })[0]), /must validate one and only one schema \(oneOf\)/);
});

test('structural schema rules with CRD field paths, in kube-apiserver\'s wording', () => {
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  const cases: [JSONSchemaProps, string[]][] = [
    [widget, [`${p}.properties[spec].properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    [{ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }, [`${p}.properties[spec].type: Required value: must not be empty for specified object fields`]],
    [{ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } } }, [`${p}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
    [{ type: 'object', properties: { spec: { type: 'object', anyOf: [{ type: 'string' }] } } }, [`${p}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
    [{ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { k: { type: 'string' } } } } } }, [`${p}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`]],
    [{ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } } } }, [`${p}.properties[l].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
    [{ type: 'object', properties: { n: { type: 'integer', default: 'x' } } }, [`${p}.properties[n].default: Invalid value: "string": ${p}.properties[n].default in body must be of type integer: "string"`]],
    [{ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, [`${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    [{ type: 'object', properties: { s: { type: 'string', pattern: '([' } } }, [`${p}.properties[s].pattern: Invalid value: "([": must be a valid regular expression, but isn't: error parsing regexp: `]],
    [undefined as unknown as JSONSchemaProps, [`${p}: Required value`]],
  ];
  for (const [schema, want] of cases) {
    const got = structuralErrors(schema, p).map(fieldErrorString);
    assert.equal(got.length, want.length, `${JSON.stringify(schema)}: ${JSON.stringify(got)}`);
    got.forEach((g, i) => assert.ok(g.startsWith(want[i]), `${g}\n  !startsWith\n${want[i]}`));
  }
});

test('validating a typical object takes microseconds', () => {
  const obj = { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'small', replicas: 3, name: 'abc', tags: ['a', 'b'], labels: { a: 'b' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }], ip: '10.0.0.1' } };
  for (let i = 0; i < 2000; i++) compiled.validate(obj);
  const n = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) compiled.validate(obj);
  const perOp = Number(process.hrtime.bigint() - t0) / n / 1000;
  assert.ok(perOp < 50, `validate took ${perOp.toFixed(2)}µs per object`);
});

test('pruning never touches the root metadata, even when the schema declares metadata: {type: object} (kubebuilder CRDs)', () => {
  const s = compileSchema({ type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties: { a: { type: 'string' } } } } });
  const obj = { apiVersion: 'x/v1', kind: 'W', metadata: { name: 'w', namespace: 'default', labels: { a: 'b' } }, spec: { a: 'x', junk: 1 } };
  const { pruned, errors } = s.admit(obj);
  assert.deepEqual(errors, []);
  assert.deepEqual(pruned, ['spec.junk']);
  assert.deepEqual(obj.metadata, { name: 'w', namespace: 'default', labels: { a: 'b' } });
});
