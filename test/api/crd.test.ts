import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCRD, validateCRDUpdate, defaultCRD, crdStorageVersion, crdResourceInfo, compiledCRDSchema, type CustomResourceDefinition } from '../../src/api/crd.js';
import { fieldErrorString } from '../../src/api/fielderrors.js';

function crd(over: (c: CustomResourceDefinition) => void = () => {}): CustomResourceDefinition {
  const c: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      versions: [
        { name: 'v1alpha1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } },
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 } } } } } },
        },
      ],
    },
  };
  over(c);
  return c;
}

test('a well-formed CRD validates and defaults listKind/singular', () => {
  assert.deepEqual(validateCRD(crd()).map(fieldErrorString), []);
  const d = defaultCRD(crd());
  assert.equal(d.spec.names.listKind, 'WidgetList');
  assert.equal(d.spec.names.singular, 'widget');
  assert.deepEqual(d.spec.conversion, { strategy: 'None' });
  assert.equal(crdStorageVersion(d), 'v1');
  assert.deepEqual(crdResourceInfo(d), { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true, subresources: { status: true } });
  assert.deepEqual(crdResourceInfo(d, 'v1alpha1').subresources, { status: false });
});

test('CRD validation errors name the field', () => {
  const cases: [(c: CustomResourceDefinition) => void, string[]][] = [
    [(c) => (c.metadata.name = 'widgets.other.com'), ['metadata.name: Invalid value: "widgets.other.com": must be spec.names.plural+"."+spec.group']],
    [(c) => { c.spec.group = 'example'; c.metadata.name = 'widgets.example'; }, ['spec.group: Invalid value: "example": should be a domain with at least one dot']],
    [(c) => (c.spec.scope = 'Global' as 'Cluster'), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']],
    [(c) => { c.spec.names.plural = 'Widgets'; c.metadata.name = 'Widgets.example.com'; }, ['spec.names.plural: Invalid value: "Widgets": a lowercase RFC 1123 label']],
    [(c) => (c.spec.names.kind = ''), ['spec.names.kind: Required value']],
    [(c) => (c.spec.names.listKind = 'Widget'), ['spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same']],
    [(c) => (c.spec.names.shortNames = ['ok', 'Not_OK']), ['spec.names.shortNames[1]: Invalid value: "Not_OK"']],
    [(c) => (c.spec.versions[0].storage = true), ['spec.versions: Invalid value: ["v1alpha1","v1"]: must have exactly one version marked as storage version']],
    [(c) => (c.spec.versions[1].storage = false), ['spec.versions: Invalid value: ["v1alpha1","v1"]: must have exactly one version marked as storage version']],
    [(c) => c.spec.versions.forEach((v) => (v.served = false)), ['spec.versions: Invalid value: ["v1alpha1","v1"]: must have at least one version marked as served']],
    [(c) => (c.spec.versions[0].name = 'v1'), ['spec.versions[1].name: Duplicate value: "v1"']],
    [(c) => delete c.spec.versions[0].schema, ['spec.versions[0].schema.openAPIV3Schema: Required value']],
    [(c) => (c.spec.versions[1].schema!.openAPIV3Schema!.properties!.spec.properties!.replicas = { default: 1 }), ['spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[replicas].type: Required value: must not be empty for specified object fields']],
  ];
  for (const [mut, want] of cases) {
    const got = validateCRD(crd(mut)).map(fieldErrorString);
    assert.equal(got.length, want.length, JSON.stringify(got));
    got.forEach((g, i) => assert.ok(g.startsWith(want[i]), `${g}\n  !startsWith\n${want[i]}`));
  }
});

test('compiled schema per version is cached and used for defaulting', () => {
  const c = crd();
  const s1 = compiledCRDSchema(c, 'v1');
  assert.equal(compiledCRDSchema(c, 'v1'), s1);
  const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { junk: 1 } };
  const r = s1.admit(obj);
  assert.deepEqual(r, { pruned: ['spec.junk'], errors: [] });
  assert.deepEqual(obj.spec, { replicas: 1 });
  const obj2 = { spec: { junk: 1 } };
  assert.deepEqual(compiledCRDSchema(c, 'v1alpha1').admit(obj2).pruned, []);
});

test('CRD updates keep scope, group and stored versions', () => {
  const old = crd((c) => (c.status = { storedVersions: ['v1alpha1', 'v1'] }));
  assert.deepEqual(validateCRDUpdate(crd(), old).map(fieldErrorString), []);
  assert.deepEqual(validateCRDUpdate(crd((c) => (c.spec.scope = 'Cluster')), old).map(fieldErrorString), ['spec.scope: Invalid value: "Cluster": field is immutable']);
  assert.deepEqual(validateCRDUpdate(crd((c) => c.spec.versions.shift()), old).map(fieldErrorString), ['status.storedVersions: Invalid value: ["v1alpha1","v1"]: must appear in spec.versions: v1alpha1']);
});
