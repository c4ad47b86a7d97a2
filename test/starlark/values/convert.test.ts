import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toStarlark, fromStarlark } from '../../../src/starlark/values/convert.js';
import { getIndex, repr, typeName } from '../../../src/starlark/values/ops.js';
import { StarDict } from '../../../src/starlark/values/dict.js';
import { StarFloat } from '../../../src/starlark/values/float.js';
import { StarList } from '../../../src/starlark/values/list.js';
import { universe } from '../../../src/starlark/builtins/universe.js';
import { StarlarkError } from '../../../src/starlark/values/value.js';

const obj = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', labels: { app: 'x' }, generation: 3 },
  data: { ratio: 0.5, replicas: 3, enabled: true, none: null, list: [1, 'two', { three: 3 }] },
};

test('toStarlark: objects become dicts, integers ints, non-integers floats', () => {
  const v = toStarlark(obj);
  assert.ok(v instanceof StarDict);
  const data = getIndex(v, 'data');
  assert.equal(typeName(getIndex(data, 'replicas')), 'int');
  assert.equal(typeName(getIndex(data, 'ratio')), 'float');
  assert.equal(repr(getIndex(v, 'metadata')), '{"name": "cm", "labels": {"app": "x"}, "generation": 3}');
  assert.equal(repr(getIndex(data, 'list')), '[1, "two", {"three": 3}]');
  assert.equal(getIndex(data, 'none'), null);
});

test('round trip preserves data and key order', () => {
  const back = fromStarlark(toStarlark(obj));
  assert.deepEqual(back, obj);
  assert.deepEqual(Object.keys(back as object), Object.keys(obj));
});

test('fromStarlark rejects functions, non-string keys and non-finite floats, naming the path', () => {
  const d = toStarlark({ spec: { items: [1, 2] } }) as StarDict;
  const items = getIndex(getIndex(d, 'spec'), 'items') as StarList;
  items.elems.push(universe.get('len')!);
  assert.throws(() => fromStarlark(d), (e: unknown) => e instanceof StarlarkError && e.message === 'at .spec.items[2]: cannot convert builtin_function_or_method to JSON');
  const bad = new StarDict();
  bad.set(1, 'x');
  assert.throws(() => fromStarlark(bad), /dict has int key, want string/);
  assert.throws(() => fromStarlark(new StarFloat(Infinity)), /non-finite/);
});
