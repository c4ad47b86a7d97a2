import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentName, crdComponentSchemas, standardSchemas, metaRef } from '../../src/api/openapi.js';
import type { CustomResourceDefinition } from '../../src/api/crd.js';

const crd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                description: 'desired state',
                properties: { port: { 'x-kubernetes-int-or-string': true }, template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        },
      },
    ],
  },
};

test('CRD versions become component schemas with GVK and ObjectMeta refs', () => {
  assert.equal(componentName({ group: 'example.com', version: 'v1', kind: 'Widget' }), 'com.example.v1.Widget');
  assert.equal(componentName({ group: '', version: 'v1', kind: 'ConfigMap' }), 'io.k8s.api.core.v1.ConfigMap');
  const s = crdComponentSchemas(crd, 'v1');
  assert.deepEqual(Object.keys(s), ['com.example.v1.Widget', 'com.example.v1.WidgetList']);
  const kind = s['com.example.v1.Widget'] as { properties: Record<string, any>; 'x-kubernetes-group-version-kind': unknown };
  assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
  assert.deepEqual(kind.properties.metadata.allOf, [{ $ref: metaRef('ObjectMeta') }]);
  assert.equal(kind.properties.spec.description, 'desired state');
  assert.deepEqual(kind.properties.spec.properties.port.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(kind.properties.spec.properties.template.properties.metadata.allOf, [{ $ref: metaRef('ObjectMeta') }]);
  const list = s['com.example.v1.WidgetList'] as { properties: Record<string, any>; 'x-kubernetes-group-version-kind': unknown };
  assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/com.example.v1.Widget' });
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'WidgetList' }]);
});

test('standard definitions resolve every meta reference they use', () => {
  const std = standardSchemas();
  const refs = JSON.stringify(std).match(/#\/components\/schemas\/[A-Za-z0-9.]+/g) ?? [];
  assert.ok(refs.length > 5);
  for (const r of new Set(refs)) assert.ok(std[r.slice('#/components/schemas/'.length)], `unresolved ${r}`);
  assert.deepEqual(std['io.k8s.apimachinery.pkg.apis.meta.v1.Status']['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Status' }]);
});
