// CRD schemas checked as kube-apiserver checks them: the Go types of every
// keyword (a decode error, 400, first mismatch with Go's field path), then the
// structural-schema rules and the OpenAPI rules with kube-apiserver's field
// paths (spec.validation.openAPIV3Schema when every version has the same
// schema, spec.versions[i].schema.openAPIV3Schema otherwise) and wording.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCRDError } from '../../src/api/crddecode.js';
import { validateCRD, type CustomResourceDefinition } from '../../src/api/crd.js';
import { fieldErrorString } from '../../src/api/fielderrors.js';

function crdWith(schema: unknown, versions = 1): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' },
      versions: Array.from({ length: versions }, (_, i) => ({
        name: `v${i + 1}`,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: JSON.parse(JSON.stringify(schema)) },
      })),
    },
  } as CustomResourceDefinition;
}

const spec = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties: { spec: { type: 'object', properties: props, ...extra } } });
const prefix = 'json: cannot unmarshal';

test('keywords of the wrong JSON type are decode errors with Go\'s message and field path', () => {
  const cases: [unknown, string][] = [
    [spec({ size: { type: 'string', enum: 'notalist' } }), `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.enum of type []v1.JSON`],
    [{ type: 'object', required: 'spec', properties: { spec: { type: 'object' } } }, `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.required of type []string`],
    [spec({ s: { type: 'string', maxLength: 1.5 } }), `${prefix} number 1.5 into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.maxLength of type int64`],
    [spec({ s: { type: 'string', maxLength: '5' } }), `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.maxLength of type int64`],
    [spec({ s: { type: 5 } }), `${prefix} number into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.type of type string`],
    [spec({ s: { type: 'string', nullable: 'yes' } }), `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.nullable of type bool`],
    [spec({ s: { type: 'object', properties: ['a'] } }), `${prefix} array into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.properties of type map[string]v1.JSONSchemaProps`],
    [spec({ s: { type: 'string', 'x-kubernetes-validations': { rule: 'true' } } }), `${prefix} object into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.x-kubernetes-validations of type v1.ValidationRules`],
    // additionalProperties has its own UnmarshalJSON: a wrong kind is its own message, a nested mismatch is re-labelled.
    [spec({ m: { type: 'object', additionalProperties: 'x' } }), 'boolean or JSON schema expected'],
    [spec({ m: { type: 'object', additionalProperties: { type: 'string', required: 'a' } } }), `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.additionalProperties of type []string`],
    // The first mismatch in document order is the one reported.
    [spec({ a: { type: 'string', minLength: 'x' }, b: { type: 'string', enum: 'y' } }), `${prefix} string into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.minLength of type int64`],
  ];
  for (const [schema, want] of cases) assert.equal(decodeCRDError(crdWith(schema)), want, JSON.stringify(schema));

  const names = crdWith(spec({}));
  (names.spec.names as unknown as Record<string, unknown>).kind = 5;
  assert.equal(decodeCRDError(names), `${prefix} number into Go struct field CustomResourceDefinitionNames.spec.names.kind of type string`);
  const versions = crdWith(spec({}));
  (versions.spec as unknown as Record<string, unknown>).versions = { name: 'v1' };
  assert.equal(decodeCRDError(versions), `${prefix} object into Go struct field CustomResourceDefinitionSpec.spec.versions of type []v1.CustomResourceDefinitionVersion`);
  assert.equal(decodeCRDError(crdWith(spec({ s: { type: 'string', enum: ['a', null, 1] } }))), undefined);
});

test('decoding normalizes what the Go types cannot hold, then validation sees kube-apiserver\'s object', () => {
  const c = crdWith(spec({ a: null, l: { type: 'array', items: 'x' }, s: { type: 'string', default: null } }));
  assert.equal(decodeCRDError(c), undefined);
  const props = c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!;
  assert.deepEqual(props.a, {});
  assert.deepEqual(props.l, { type: 'array' });
  assert.deepEqual(props.s, { type: 'string' });
  assert.deepEqual(validateCRD(c).map(fieldErrorString), [
    'spec.validation.openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields',
    'spec.validation.openAPIV3Schema.properties[spec].properties[l].items: Required value: must be specified',
  ]);
});

test('structural and OpenAPI rules report kube-apiserver\'s paths and wording', () => {
  const p = 'spec.validation.openAPIV3Schema';
  const cases: [unknown, string[]][] = [
    [spec({ a: { type: 'string' } }), []],
    [{ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }, [`${p}.properties[spec].type: Required value: must not be empty for specified object fields`]],
    [spec({ l: { type: 'array', items: { properties: {} } } }), [`${p}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`]],
    [{ properties: { spec: { type: 'object' } } }, [`${p}.type: Required value: must not be empty at the root`]],
    [spec({ a: { type: 'object', additionalProperties: false } }), []],
    [spec({ a: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: false } }), [`${p}.properties[spec].properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
    [{ type: 'object', additionalProperties: { type: 'string' } }, [`${p}.additionalProperties: Forbidden: must not be used at the root`]],
    [spec({ t: { type: 'array', items: { type: 'string' }, uniqueItems: true } }), [`${p}.properties[spec].properties[t].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    [spec({ t: { type: 'null' } }), [`${p}.properties[spec].properties[t].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`, `${p}.properties[spec].properties[t].type: Forbidden: type cannot be set to null, use nullable as an alternative`]],
    [spec({ a: { type: 'string', $ref: '#/x' } }), [`${p}.properties[spec].properties[a].$ref: Forbidden: $ref is not supported`]],
    [spec({}, { anyOf: [{ type: 'string' }] }), [`${p}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
    [spec({}, { anyOf: [{ description: 'x', required: ['a'] }] }), [`${p}.properties[spec].anyOf[0].description: Forbidden: must be empty to be structural`]],
    [spec({ p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } }), []],
    [{ type: 'object', anyOf: [{ properties: { spec: { required: ['a'] } } }], properties: {} }, [`${p}.properties[spec]: Required value: because it is defined in ${p}.anyOf[0].properties[spec]`]],
    [{ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, [`${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    [{ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } } }, []],
    [{ type: 'object', properties: { kind: { type: 'integer' } } }, [`${p}.properties[kind].type: Invalid value: "integer": must be string`]],
    [spec({ n: { type: 'integer', default: 'x' } }), [`${p}.properties[spec].properties[n].default: Invalid value: "string": ${p}.properties[spec].properties[n].default in body must be of type integer: "string"`]],
    [spec({ o: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 1 } } }), [`${p}.properties[spec].properties[o].default: Invalid value: {"a":"x","b":1}: must not have unknown fields`]],
    [spec({ e: { type: 'object', 'x-kubernetes-embedded-resource': true } }), [`${p}.properties[spec].properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`]],
    [spec({ x: { type: 'string', 'x-kubernetes-preserve-unknown-fields': false } }), [`${p}.properties[spec].properties[x].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
    [spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { k: { type: 'string' } } } } }), [`${p}.properties[spec].properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`]],
    [spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } } }), [`${p}.properties[spec].properties[l].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
    [spec({ l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object' } } }), [`${p}.properties[spec].properties[l].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`]],
    [spec({ l: { type: 'string', 'x-kubernetes-list-type': 'atomic' } }), [`${p}.properties[spec].properties[l].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`]],
    [spec({ l: { type: 'string', 'x-kubernetes-validations': [{ rule: ' ' }] } }), [`${p}.properties[spec].properties[l].x-kubernetes-validations[0].rule: Required value: rule is not specified`]],
    [spec({ l: { type: 'string', 'x-kubernetes-validations': [{ rule: 'true', reason: 'Nope' }] } }), [`${p}.properties[spec].properties[l].x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`]],
  ];
  for (const [schema, want] of cases) {
    const c = crdWith(schema);
    assert.equal(decodeCRDError(c), undefined);
    assert.deepEqual(validateCRD(c).map(fieldErrorString), want, JSON.stringify(schema));
  }
});

test('versions with different schemas are reported per version; the status subresource restricts the root', () => {
  const c = crdWith(spec({ a: { type: 'string' } }), 2);
  c.spec.versions[1].schema!.openAPIV3Schema!.properties!.spec.properties = { a: {} };
  assert.deepEqual(validateCRD(c).map(fieldErrorString), ['spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields']);

  const s = crdWith({ ...spec({}), nullable: true, minProperties: 1 });
  s.spec.versions[0].subresources = { status: {} };
  const got = validateCRD(s).map(fieldErrorString);
  assert.equal(got.length, 2, JSON.stringify(got));
  assert.match(got[0], /^spec\.validation\.openAPIV3Schema: Invalid value: .*: only \[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/);
  assert.equal(got[1], 'spec.validation.openAPIV3Schema.nullable: Forbidden: nullable cannot be true at the root');
});
