// The shortcuts of the server-side apply write path, checked against the full
// computation they stand in for: the no-op test (isNoopApply) against what a
// full apply returns, FieldsV1 encoding against a level-by-level reference,
// and the merge's "unchanged" records against a plain compare. Objects go
// through the store's stored-copy step, so they are frozen exactly as the
// registry sees them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfiguration, compare, fieldSetFromFieldsV1, fieldSetToFieldsV1, FieldSet, isNoopApply, merge, pathString, toFieldSet, typeFromSchema, type SSAOptions } from '../../src/api/managedfields/index.js';
import type { KObject } from '../../src/api/object.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import { storedCopy } from '../../src/store/objects.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        image: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port'],
          items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } },
        },
        env: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};
const opts: SSAOptions = { schema, statusSubresource: true, now: '2024-01-01T00:00:00Z' };
const owner = { apiVersion: 'example.com/v1', kind: 'Parent', name: 'p', uid: 'u-1', controller: true };

function child(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', labels: { app: 'w' }, ownerReferences: [owner], ...meta }, spec };
}

const base = { replicas: 3, image: 'app:v1', args: ['-v'], tags: ['a', 'b'], ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }], env: { MODE: 'x' } };

let rev = 0;
/** What the store keeps: a frozen copy sharing unchanged subtrees with the object it replaces. */
function store(obj: KObject, prev?: KObject): KObject {
  return storedCopy(obj, ++rev, prev);
}

/** A live object applied twice by "ctl" (so its entry has been through a decode) and once by "other". */
function liveObject(): KObject {
  let live = store(applyConfiguration(undefined, child(base), 'ctl', false, opts));
  live = store(applyConfiguration(live, child({ ...base, replicas: 4 }), 'ctl', false, opts), live);
  live = store(applyConfiguration(live, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', annotations: { note: 'hi' } } }, 'other', false, opts), live);
  return live;
}

/** The full apply's answer to "does this change nothing?". */
function fullNoop(live: KObject, applied: KObject, manager: string, o: SSAOptions = opts): boolean {
  try {
    return JSON.stringify(applyConfiguration(live, applied, manager, false, o)) === JSON.stringify(live);
  } catch {
    return false;
  }
}

test('isNoopApply: true exactly when the full apply returns the live object unchanged', () => {
  const live = liveObject();
  const cases: [string, KObject, string, SSAOptions?][] = [
    ['same configuration again', child({ ...base, replicas: 4 }), 'ctl'],
    ['a changed value', child({ ...base, replicas: 5 }), 'ctl'],
    ['a field no longer applied', child({ ...base, replicas: 4, env: undefined }), 'ctl'],
    ['an extra field', child({ ...base, replicas: 4, env: { MODE: 'x', MORE: 'y' } }), 'ctl'],
    ['list-map items in another order', child({ ...base, replicas: 4, ports: [base.ports[1], base.ports[0]] }), 'ctl'],
    ['set items in another order', child({ ...base, replicas: 4, tags: ['b', 'a'] }), 'ctl'],
    ['a changed label', child({ ...base, replicas: 4 }, { labels: { app: 'v' } }), 'ctl'],
    ['another apiVersion', { ...child({ ...base, replicas: 4 }), apiVersion: 'example.com/v2' }, 'ctl'],
    ['a manager that never applied', child({ ...base, replicas: 4 }), 'newcomer'],
    ['the other manager again', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', annotations: { note: 'hi' } } }, 'other'],
    ['the same values under status', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, status: { phase: 'Ready' } }, 'ctl', { ...opts, subresource: 'status' }],
  ];
  const got = cases.map(([why, applied, manager, o]) => [why, isNoopApply(live, applied, manager, o ?? opts)]);
  const want = cases.map(([why, applied, manager, o]) => [why, fullNoop(live, applied, manager, o ?? opts)]);
  assert.deepEqual(got, want);
  assert.equal(got[0][1], true, 'the repeated apply is a no-op');
  assert.equal(got.filter(([, v]) => v).length, 2, 'only the two repeated applies are no-ops');
});

test('managedFields in a form the server does not write are rewritten, not kept by a shortcut', () => {
  const live = liveObject();
  const entries = live.metadata.managedFields!.map((e) => ({ ...e, fieldsV1: reversedKeys(e.fieldsV1) as Record<string, unknown> }));
  const odd = store({ ...live, metadata: { ...live.metadata, managedFields: entries } }, live);
  const applied = child({ ...base, replicas: 4 });
  assert.equal(isNoopApply(odd, applied, 'ctl', opts), false);
  const out = applyConfiguration(odd, applied, 'ctl', false, opts);
  assert.deepEqual(JSON.stringify(out.metadata.managedFields), JSON.stringify(live.metadata.managedFields), 'canonical key order restored');
});

function reversedKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversedKeys((v as Record<string, unknown>)[k])]));
}

/** Reference FieldsV1 encoding: a trie whose levels are sorted one by one. */
function referenceFieldsV1(paths: string[][]): Record<string, unknown> {
  type Node = { children: Map<string, Node>; member: boolean };
  const root: Node = { children: new Map(), member: false };
  for (const p of paths) {
    let n = root;
    for (const t of p) {
      if (!n.children.has(t)) n.children.set(t, { children: new Map(), member: false });
      n = n.children.get(t)!;
    }
    n.member = true;
  }
  const out = (n: Node): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    if (n.member && n.children.size) o['.'] = {};
    for (const k of [...n.children.keys()].sort()) o[k] = out(n.children.get(k)!);
    return o;
  };
  return out(root);
}

test('FieldsV1 encoding equals a level-by-level sorted trie and decodes back to the same set', () => {
  const tokens = ['f:a', 'f:ab', 'f:a.b', 'f:b', 'f:B', 'k:{"port":80}', 'k:{"port":8080}', 'v:"x"', 'i:0', 'f:z'];
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 300; round++) {
    const paths: string[][] = [];
    for (let i = 0, n = 1 + rnd(12); i < n; i++) paths.push(Array.from({ length: 1 + rnd(4) }, () => tokens[rnd(tokens.length)]));
    const set = FieldSet.of(...paths);
    const encoded = fieldSetToFieldsV1(set);
    assert.equal(JSON.stringify(encoded), JSON.stringify(referenceFieldsV1(paths)), `round ${round}`);
    assert.deepEqual(fieldSetFromFieldsV1(encoded).paths().map(pathString).sort(), set.paths().map(pathString).sort());
  }
});

test('merge records of unchanged values do not change what compare reports', () => {
  const type = typeFromSchema(schema);
  const live = store(child(base));
  const configs = [
    child(base),
    child({ ...base, replicas: 9 }),
    child({ ...base, ports: [{ port: 80, name: 'web' }] }),
    child({ ...base, tags: ['c'] }),
    child({ ...base, env: { MODE: 'x' }, args: ['-v'] }, { labels: { app: 'w', extra: '1' } }),
    child({ image: 'app:v1' }),
  ];
  const list = (c: ReturnType<typeof compare>) => ({ modified: c.modified.paths().map(pathString).sort(), added: c.added.paths().map(pathString).sort(), removed: c.removed.paths().map(pathString).sort() });
  for (const config of configs) {
    const same = new Map<object, unknown>();
    const fast = compare(live, merge(live, config, type, same), type, same);
    const slow = compare(live, merge(live, config, type), type);
    assert.deepEqual(list(fast), list(slow));
  }
  const same = new Map<object, unknown>();
  assert.equal(same.size, 0);
  const merged = merge(live, child(base), type, same);
  assert.equal(same.get(merged as object), live, 'an unchanged merge is recorded as equal to live');
});

test('an applier’s FieldsV1 lists exactly the fields it applied, in canonical form', () => {
  const configs: KObject[] = [
    child(base),
    child({ ...base, ports: [{ port: 443 }, { port: 80, name: 'http' }, { port: 8080, name: undefined }], tags: ['z', 'a'], env: {} }),
    child({ args: [], ports: [], tags: [] }, { labels: {}, annotations: { b: '1', a: '2' }, finalizers: ['x', 'a'] }),
    child({ ...base, ports: [{ port: 80 }, { port: 80, name: 'dup' }] }),
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec: { image: 'x' }, status: { phase: 'Ready' } },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', generation: 3 } },
  ];
  for (const [i, config] of configs.entries()) {
    for (const o of [opts, { ...opts, statusSubresource: false }, { ...opts, subresource: 'status' as const }, { now: opts.now }]) {
      const live = o.subresource === 'status' ? store(applyConfiguration(undefined, child({ image: 'x' }), 'creator', false, opts)) : undefined;
      const out = applyConfiguration(live, config, 'ctl', false, o);
      const entry = out.metadata.managedFields?.find((e) => e.manager === 'ctl');
      if (!entry) {
        assert.deepEqual(ownedPaths(config, o), [], `config ${i}: owns nothing`);
        continue;
      }
      const owned = ownedPaths(config, o);
      assert.equal(JSON.stringify(entry.fieldsV1), JSON.stringify(referenceFieldsV1(owned)), `config ${i}`);
      assert.equal(JSON.stringify(entry.fieldsV1), JSON.stringify(fieldSetToFieldsV1(FieldSet.of(...owned))), `config ${i}`);
    }
  }
});

/** What an applier owns, by the rules in apply.ts: the config's fields minus identity fields, in the write's scope. */
function ownedPaths(config: KObject, o: SSAOptions): string[][] {
  const ignoredMeta = ['f:name', 'f:namespace', 'f:uid', 'f:resourceVersion', 'f:generation', 'f:creationTimestamp', 'f:managedFields', 'f:selfLink', 'f:deletionTimestamp', 'f:deletionGracePeriodSeconds'];
  const scoped = o.subresource === 'status' ? { status: config.status } : o.statusSubresource ? { ...config, status: undefined } : config;
  return toFieldSet(scoped, typeFromSchema(o.schema))
    .paths()
    .map((p) => [...p])
    .filter((p) => p.length > 0 && p[0] !== 'f:apiVersion' && p[0] !== 'f:kind')
    .filter((p) => p[0] !== 'f:metadata' || (p.length > 1 && !ignoredMeta.includes(p[1])))
    .filter((p) => (o.subresource === 'status' ? p[0] === 'f:status' : !o.statusSubresource || p[0] !== 'f:status'));
}
