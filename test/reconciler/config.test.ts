import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReconcilerConfig, ConfigError } from '../../src/reconciler/config.js';
import { compileSelector, compileWatchJoin, compilePath } from '../../src/reconciler/exprselector.js';
import type { KObject } from '../../src/api/object.js';

const cfg = (spec: unknown, name = 'r1'): KObject => ({ apiVersion: 'choreo.kform.dev/v1alpha1', kind: 'Reconciler', metadata: { name }, spec });

test('a full reconciler config parses with defaults', () => {
  const c = parseReconcilerConfig(
    cfg({
      for: { group: 'example.com', version: 'v1alpha1', kind: 'HelloWorld' },
      owns: [{ group: 'example.com', version: 'v1alpha1', kind: 'Greeting' }],
      watches: [{ group: '', version: 'v1', kind: 'ConfigMap' }],
    }),
    'dir',
  );
  assert.equal(c.name, 'r1');
  assert.equal(c.conditionType, 'Ready');
  assert.equal(c.specUpdate, false);
  assert.equal(c.for.apiVersion, 'example.com/v1alpha1');
  assert.equal(c.owns[0]!.kind, 'Greeting');
  assert.equal(c.watches[0]!.apiVersion, 'v1');
  assert.equal(c.watches[0]!.join, undefined);
});

test('the name falls back to the directory name', () => {
  const obj = cfg({ for: { group: 'g', version: 'v1', kind: 'K' } });
  delete obj.metadata.name;
  assert.equal(parseReconcilerConfig(obj, 'from-dir').name, 'from-dir');
});

test('every config problem is reported with its field path', () => {
  assert.throws(
    () => parseReconcilerConfig(cfg({ for: { group: 'g' }, owns: [{ version: 'v1' }], specUpdate: 'yes' }), 'x'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, ['spec.for.version: Required value', 'spec.for.kind: Required value', 'spec.owns[0].kind: Required value', 'spec.specUpdate: must be a boolean']);
      assert.match(err.message, /^reconciler r1: /);
      return true;
    },
  );
});

test('for selectors match field expressions, label selectors and operators', () => {
  const sel = compileSelector({ match: { 'spec.partition': 'a' }, matchExpressions: [{ expression: "metadata.labels['tier']", operator: 'In', values: ['x', 'y'] }] });
  assert.equal(sel({ spec: { partition: 'a' }, metadata: { labels: { tier: 'x' } } }), true);
  assert.equal(sel({ spec: { partition: 'a' }, metadata: { labels: { tier: 'z' } } }), false);
  assert.equal(sel({ spec: { partition: 'b' }, metadata: { labels: { tier: 'x' } } }), false);
  const labels = compileSelector({ matchLabels: { app: 'web' } });
  assert.equal(labels({ metadata: { labels: { app: 'web' } } }), true);
  assert.equal(labels({ metadata: {} }), false);
  const ints = compileSelector({ match: { 'spec.count': '3' } });
  assert.equal(ints({ spec: { count: 3 } }), true, 'values compare in their string form, like the original');
  assert.equal(compileSelector({})({}), true);
  assert.throws(() => compileSelector({ matchExpressions: [{ expression: 'a', operator: 'In', values: [] }] }), /can't be empty/);
  assert.throws(() => compilePath('spec..x'), /column 6/);
});

test('watch selectors join the watched object to For objects', () => {
  const join = compileWatchJoin({ match: { 'metadata.name': 'spec.partition' } });
  const target = join.target({ metadata: { name: 'p1' } });
  assert.equal(join.forKey!({ spec: { partition: 'p1' } }), target);
  assert.notEqual(join.forKey!({ spec: { partition: 'p2' } }), target);
  assert.equal(join.target({ spec: {} }), undefined, 'a watched object without the key selects nothing');
  const two = compileWatchJoin({ match: { 'metadata.name': 'spec.partition', 'metadata.namespace': 'spec.zone' } });
  assert.equal(two.target({ metadata: { name: 'p1', namespace: 'z' } }), two.forKey!({ spec: { partition: 'p1', zone: 'z' } }), 'several pairs make one key');
  assert.notEqual(two.target({ metadata: { name: 'p1', namespace: 'z' } }), two.forKey!({ spec: { partition: 'p1', zone: 'y' } }));
});
