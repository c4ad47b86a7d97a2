import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfiguration, conflictsOf, recordUpdate, ownership, fieldSetFromFieldsV1, fieldSetToFieldsV1, FieldSet, pathString, merge, typeFromSchema, type SSAOptions } from '../../src/api/managedfields/index.js';
import type { ForcedFields } from '../../src/api/client.js';
import type { KObject } from '../../src/api/object.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import { isApiError, type ApiError } from '../../src/api/errors.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        image: { type: 'string' },
        paused: { type: 'boolean' },
        args: { type: 'array', items: { type: 'string' } },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', required: ['port', 'protocol'], properties: { port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } } },
        },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' }, ready: { type: 'integer' } } },
  },
};

const opts: SSAOptions = { schema, statusSubresource: true, now: '2024-01-01T00:00:00Z' };

function w(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', ...((extra.metadata as object) ?? {}) }, spec, ...(extra.status ? { status: extra.status } : {}) };
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (isApiError(e, 'Conflict')) return e;
    throw e;
  }
  assert.fail('expected a 409 Conflict');
}

test('FieldsV1 encoding: f:, k:, v:, and "." for members with children', () => {
  const fv1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {} } }, 'f:replicas': {}, 'f:tags': { 'v:"a"': {} } },
  };
  const set = fieldSetFromFieldsV1(fv1);
  assert.deepEqual(set.paths().map(pathString).sort(), [
    '.metadata.labels',
    '.metadata.labels.app',
    '.spec.ports[port=80,protocol="TCP"]',
    '.spec.ports[port=80,protocol="TCP"].name',
    '.spec.replicas',
    '.spec.tags[="a"]',
  ]);
  assert.deepEqual(fieldSetToFieldsV1(set), fv1);
  assert.throws(() => fieldSetFromFieldsV1({ 'x:bad': {} }), /invalid FieldsV1 key/);
  const a = FieldSet.of(['f:a'], ['f:b']);
  const b = FieldSet.of(['f:b'], ['f:c']);
  assert.deepEqual(a.union(b).paths().map(pathString).sort(), ['.a', '.b', '.c']);
  assert.deepEqual(a.intersection(b).paths().map(pathString), ['.b']);
  assert.deepEqual(a.difference(b).paths().map(pathString), ['.a']);
});

test('apply on create records an Apply entry with the applied fields only', () => {
  const obj = applyConfiguration(undefined, w({ replicas: 3, ports: [{ port: 80, protocol: 'TCP', name: 'http' }] }, { metadata: { labels: { app: 'x' } } }), 'alice', false, opts);
  assert.deepEqual(obj.spec, { replicas: 3, ports: [{ port: 80, protocol: 'TCP', name: 'http' }] });
  // Compared as JSON, the form clients see: key order included (FieldsV1 keys sorted, "." first).
  assert.equal(JSON.stringify(obj.metadata.managedFields), JSON.stringify([
    {
      manager: 'alice',
      operation: 'Apply',
      apiVersion: 'example.com/v1',
      time: '2024-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {} } }, 'f:replicas': {} },
      },
    },
  ]));
});

test('two managers: disjoint fields merge, same value is shared, different value conflicts', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 3 }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ image: 'nginx' }), 'bob', false, opts);
  assert.deepEqual(obj.spec, { replicas: 3, image: 'nginx' });
  // same value: no conflict, shared ownership
  obj = applyConfiguration(obj, w({ image: 'nginx', replicas: 3 }), 'bob', false, opts);
  assert.deepEqual(ownership(obj), { 'alice/Apply': ['.spec.replicas'], 'bob/Apply': ['.spec.image', '.spec.replicas'] });
  // different value: 409
  const err = conflictOf(() => applyConfiguration(obj, w({ replicas: 5 }), 'carol', false, opts));
  assert.equal(err.code, 409);
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\nconflicts with "bob":\n- .spec.replicas');
  assert.deepEqual(err.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' },
    { reason: 'FieldManagerConflict', message: 'conflict with "bob"', field: '.spec.replicas' },
  ]);
  const single = conflictOf(() => applyConfiguration(obj, w({ image: 'httpd' }), 'carol', false, opts));
  assert.equal(single.message, 'Apply failed with 1 conflict: conflict with "bob": .spec.image');
});

test('force moves ownership to the applier', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 3, image: 'nginx' }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ replicas: 5 }), 'bob', true, opts);
  assert.equal(obj.spec && (obj.spec as { replicas: number }).replicas, 5);
  assert.deepEqual(ownership(obj), { 'alice/Apply': ['.spec.image'], 'bob/Apply': ['.spec.replicas'] });
});

test('forceFrom forces only the conflicts with the managers it accepts; `forced` and conflictsOf name whose fields they were', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 3, image: 'nginx' }), 'ctrl', false, opts);
  obj = recordUpdate(obj, { ...obj, spec: { replicas: 7, image: 'nginx' } }, 'kubectl-patch', opts);
  obj = applyConfiguration(obj, w({ paused: true }), 'peer', false, opts);
  obj = applyConfiguration(obj, w({ args: ['x'] }, { status: { phase: 'Up' } }), 'peer', false, { ...opts, subresource: 'status' });
  const clients = (m: string) => m !== 'peer';
  // With a peer among the conflicts the apply fails, listing the peer's fields only; nothing is taken.
  const taken: ForcedFields[] = [];
  const err = conflictOf(() => applyConfiguration(obj, w({ replicas: 3, image: 'nginx', paused: false }), 'ctrl', false, { ...opts, forceFrom: clients, forced: taken }));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "peer": .spec.paused');
  assert.deepEqual(taken, []);
  assert.deepEqual(conflictsOf(err), [{ manager: 'peer', operation: 'Apply', subresource: '', fields: ['.spec.paused'] }]);
  // Only clients in the way: their fields are taken, and reported.
  const after = applyConfiguration(obj, w({ replicas: 3, image: 'nginx' }), 'ctrl', false, { ...opts, forceFrom: clients, forced: taken });
  assert.equal((after.spec as { replicas: number }).replicas, 3);
  assert.deepEqual(taken, [{ manager: 'kubectl-patch', operation: 'Update', subresource: '', fields: ['.spec.replicas'] }]);
  assert.deepEqual(ownership(after), { 'ctrl/Apply': ['.spec.image', '.spec.replicas'], 'peer/Apply': ['.spec.paused'], 'peer/Apply/status': ['.status.phase'] });
  // conflictsOf reads every form kube-apiserver prints a manager in.
  const all = conflictOf(() => applyConfiguration(obj, w({ replicas: 1, paused: false }, { status: { phase: 'Down' } }), 'other', false, { ...opts, statusSubresource: false }));
  assert.deepEqual(conflictsOf(all), [
    { manager: 'kubectl-patch', operation: 'Update', subresource: '', fields: ['.spec.replicas'] },
    { manager: 'peer', operation: 'Apply', subresource: '', fields: ['.spec.paused'] },
    { manager: 'peer', operation: 'Apply', subresource: 'status', fields: ['.status.phase'] },
  ]);
  assert.deepEqual(conflictsOf(new Error('conflict with "x"')), []);
});

test('a field the manager stops applying is removed, unless another applier owns it', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 3, image: 'nginx', paused: true }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ paused: true }), 'bob', false, opts);
  obj = applyConfiguration(obj, w({ replicas: 3 }), 'alice', false, opts);
  assert.deepEqual(obj.spec, { replicas: 3, paused: true });
  assert.deepEqual(ownership(obj), { 'alice/Apply': ['.spec.replicas'], 'bob/Apply': ['.spec.paused'] });
  // labels work the same way; a map left with nothing owned goes too
  obj = applyConfiguration(obj, w({ replicas: 3 }, { metadata: { labels: { a: '1', b: '2' } } }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ replicas: 3 }, { metadata: { labels: { a: '1' } } }), 'alice', false, opts);
  assert.deepEqual(obj.metadata.labels, { a: '1' });
  obj = applyConfiguration(obj, w({ replicas: 3 }), 'alice', false, opts);
  assert.equal(obj.metadata.labels, undefined);
  assert.equal(obj.metadata.name, 'w1');
  // when nobody owns anything under spec any more, spec goes
  const bare = (labels: Record<string, string>): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', labels } });
  obj = applyConfiguration(obj, bare({ owner: 'alice' }), 'alice', false, opts);
  assert.deepEqual(obj.spec, { paused: true });
  obj = applyConfiguration(obj, bare({ x: 'y' }), 'bob', false, opts);
  assert.equal(obj.spec, undefined);
  assert.deepEqual(obj.metadata.labels, { owner: 'alice', x: 'y' });
  // applying an empty map claims the map itself
  obj = applyConfiguration(obj, w({}), 'carol', false, opts);
  assert.deepEqual(obj.spec, {});
  assert.deepEqual(ownership(obj)['carol/Apply'], ['.spec']);
});

test('a field shared with an Update manager survives when the applier drops it', () => {
  const created = recordUpdate(undefined, w({ replicas: 3, image: 'nginx' }), 'kubectl-create', opts);
  let obj = applyConfiguration(created, w({ replicas: 3 }), 'alice', false, opts);
  assert.deepEqual(ownership(obj), { 'alice/Apply': ['.spec.replicas'], 'kubectl-create/Update': ['.spec', '.spec.image', '.spec.replicas'] });
  obj = applyConfiguration(obj, w({ paused: false }), 'alice', false, opts);
  assert.deepEqual(obj.spec, { replicas: 3, image: 'nginx', paused: false });
});

test('list-map items are owned per key', () => {
  let obj = applyConfiguration(undefined, w({ ports: [{ port: 80, protocol: 'TCP', name: 'http' }] }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ ports: [{ port: 443, protocol: 'TCP', name: 'https' }] }), 'bob', false, opts);
  assert.deepEqual((obj.spec as { ports: unknown[] }).ports, [
    { port: 80, protocol: 'TCP', name: 'http' },
    { port: 443, protocol: 'TCP', name: 'https' },
  ]);
  const err = conflictOf(() => applyConfiguration(obj, w({ ports: [{ port: 80, protocol: 'TCP', name: 'web' }] }), 'bob', false, opts));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.ports[port=80,protocol="TCP"].name');
  // alice drops her item: removed; bob's stays
  obj = applyConfiguration(obj, w({ replicas: 1 }), 'alice', false, opts);
  assert.deepEqual((obj.spec as { ports: unknown[] }).ports, [{ port: 443, protocol: 'TCP', name: 'https' }]);
});

test('sets merge by value; atomic lists and atomic maps are one field', () => {
  let obj = applyConfiguration(undefined, w({ tags: ['a'], args: ['--x'], selector: { app: 'x' } }), 'alice', false, opts);
  obj = applyConfiguration(obj, w({ tags: ['b'] }), 'bob', false, opts);
  assert.deepEqual((obj.spec as { tags: string[] }).tags, ['a', 'b']);
  assert.deepEqual(conflictOf(() => applyConfiguration(obj, w({ args: ['--y'] }), 'bob', false, opts)).details?.causes?.[0].field, '.spec.args');
  assert.deepEqual(conflictOf(() => applyConfiguration(obj, w({ selector: { other: 'y' } }), 'bob', false, opts)).details?.causes?.[0].field, '.spec.selector');
  obj = applyConfiguration(obj, w({ args: ['--x'] }), 'alice', false, opts);
  assert.deepEqual((obj.spec as { tags: string[] }).tags, ['b']);
  assert.equal((obj.spec as { selector?: unknown }).selector, undefined);
});

test('without a schema lists are atomic and maps granular (deduced types)', () => {
  const cm = (data: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
  let obj = applyConfiguration(undefined, cm({ a: '1', list: [1, 2] }), 'alice', false, {});
  obj = applyConfiguration(obj, cm({ b: '2' }), 'bob', false, {});
  assert.deepEqual(obj.data, { a: '1', list: [1, 2], b: '2' });
  const err = conflictOf(() => applyConfiguration(obj, cm({ list: [3] }), 'bob', false, {}));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .data.list');
});

test('Update operations take ownership of changed fields; applier then conflicts with them', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 3, image: 'nginx' }), 'alice', false, opts);
  const edited = { ...obj, spec: { ...(obj.spec as object), replicas: 4 } };
  obj = recordUpdate(obj, edited, 'kubectl-edit', { ...opts, now: '2024-01-02T00:00:00Z' });
  assert.deepEqual(ownership(obj), { 'alice/Apply': ['.spec.image'], 'kubectl-edit/Update': ['.spec.replicas'] });
  const entry = obj.metadata.managedFields?.find((e) => e.manager === 'kubectl-edit');
  assert.deepEqual(entry, { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'example.com/v1', time: '2024-01-02T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  const err = conflictOf(() => applyConfiguration(obj, w({ replicas: 3, image: 'nginx' }), 'alice', false, opts));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using example.com/v1: .spec.replicas');
  // an Update adding a map records the map itself too (".")
  const labelled = { ...obj, metadata: { ...obj.metadata, labels: { team: 'a' } } };
  obj = recordUpdate(obj, labelled, 'kubectl-label', opts);
  assert.deepEqual(obj.metadata.managedFields?.find((e) => e.manager === 'kubectl-label')?.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } });
  // an Update removing a field takes it from everyone
  const { image: _i, ...rest } = obj.spec as Record<string, unknown>;
  obj = recordUpdate(obj, { ...obj, spec: rest }, 'kubectl-edit', opts);
  assert.deepEqual(ownership(obj)['alice/Apply'], undefined);
});

test('status subresource: main writes ignore status, /status applies own only status', () => {
  let obj = applyConfiguration(undefined, w({ replicas: 1 }, { status: { phase: 'Bogus' } }), 'alice', false, opts);
  assert.equal(obj.status, undefined, 'status in a main-resource apply is ignored');
  obj = applyConfiguration(obj, w({ replicas: 99 }, { status: { phase: 'Ready', ready: 1 } }), 'ctrl', false, { ...opts, subresource: 'status' });
  assert.deepEqual(obj.spec, { replicas: 1 });
  assert.deepEqual(obj.status, { phase: 'Ready', ready: 1 });
  const entry = obj.metadata.managedFields?.find((e) => e.manager === 'ctrl');
  assert.equal(entry?.subresource, 'status');
  assert.deepEqual(entry?.fieldsV1, { 'f:status': { 'f:phase': {}, 'f:ready': {} } });
  // a different status manager conflicts with it, naming the subresource
  const err = conflictOf(() => applyConfiguration(obj, w({}, { status: { phase: 'Failed' } }), 'other', false, { ...opts, subresource: 'status' }));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": .status.phase');
  // the status applier stops applying a field: removed
  obj = applyConfiguration(obj, w({}, { status: { phase: 'Ready' } }), 'ctrl', false, { ...opts, subresource: 'status' });
  assert.deepEqual(obj.status, { phase: 'Ready' });
});

test('applied managedFields are rejected; re-applying the same config is a no-op', () => {
  assert.throws(() => applyConfiguration(undefined, w({}, { metadata: { managedFields: [] } }), 'a', false, opts), /metadata.managedFields must be nil/);
  const obj = applyConfiguration(undefined, w({ replicas: 2 }), 'alice', false, opts);
  const again = applyConfiguration(obj, w({ replicas: 2 }), 'alice', false, { ...opts, now: '2030-01-01T00:00:00Z' });
  assert.deepEqual(again, obj);
});

test('merged list items follow the applied order; live-only items keep their place', () => {
  const t = typeFromSchema(schema);
  const p = (port: number, name = `p${port}`) => ({ port, protocol: 'TCP', name });
  const live = { spec: { ports: [p(1), p(9), p(2)], tags: ['a', 'x', 'b'] } };
  const config = { spec: { ports: [p(2, 'two'), p(1), p(3)], tags: ['b', 'a', 'c'] } };
  const out = merge(live, config, t) as { spec: { ports: { port: number; name: string }[]; tags: string[] } };
  assert.deepEqual(out.spec.ports.map((x) => `${x.port}:${x.name}`), ['9:p9', '2:two', '1:p1', '3:p3']);
  assert.deepEqual(out.spec.tags, ['x', 'b', 'a', 'c']);
});
