// CEL selector keys and values (src/reconciler/cel.ts, exprselector.ts), with the original's semantics:
// `input.<expr>`, compared in Go %v string form, errors and absent fields never match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCel, CelCompileError } from '../../src/reconciler/cel.js';
import { compileSelector, compileWatchJoin } from '../../src/reconciler/exprselector.js';
import { parseReconcilerConfig, ConfigError } from '../../src/reconciler/config.js';

const node = (name: string, ready: boolean | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'topo.example.com/v1alpha1',
  kind: 'Node',
  metadata: { name, namespace: 'default', labels: { 'topo.example.com/role': 'leaf' } },
  spec: { index: 3, ratio: 0.5, tags: ['a', 'b'], enabled: true, ...extra },
  ...(ready === undefined ? {} : { status: { conditions: [{ type: 'Other', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }] } }),
});

test('CEL values render like Go %v: strings bare, bools and ints without decoration, lists and maps Go-style', () => {
  const v = (e: string) => compileCel(e)(node('n1', true));
  assert.equal(v('metadata.name'), 'n1');
  assert.equal(v('spec.index'), '3');
  assert.equal(v('spec.ratio'), '0.5');
  assert.equal(v('spec.enabled'), 'true');
  assert.equal(v("metadata.labels['topo.example.com/role']"), 'leaf');
  assert.equal(v('spec.tags[1]'), 'b');
  assert.equal(v('spec.tags.size()'), '2');
  assert.equal(v('spec.tags'), '[a b]');
  // Only the start of the expression is prefixed with `input.`, as in the original: later operands name `input` themselves.
  assert.equal(v("metadata.name + '-' + input.metadata.namespace"), 'n1-default');
  assert.equal(v("metadata.name + '-' + metadata.namespace"), undefined);
  assert.equal(v('spec.index > 2 && input.spec.tags.exists(t, t == "b")'), 'true');
  assert.equal(v("status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"), 'true');
  assert.equal(v("status.conditions.filter(c, c.status == 'True').map(c, c.type)"), '[Other Ready]');
  assert.equal(v('spec.nope'), undefined, 'an absent field yields no value');
  assert.equal(v('spec.index.x'), undefined, 'a type error yields no value');
  assert.equal(compileCel('status.conditions.exists(c, c.type == "Ready")')(node('n2', undefined)), undefined);
});

test('a syntax error is a compile error with the column in the user\'s expression', () => {
  assert.throws(() => compileCel('spec..x'), (e: unknown) => e instanceof CelCompileError && e.column === 6 && /^invalid expression 'spec\.\.x' at column 6: /.test(e.message));
  assert.throws(
    () => parseReconcilerConfig({ apiVersion: 'choreo.kform.dev/v1alpha1', kind: 'Reconciler', metadata: { name: 'r' }, spec: { for: { group: 'g', version: 'v1', kind: 'K', selector: { match: { 'spec.(': 'x' } } } } }, 'r'),
    (e: unknown) => e instanceof ConfigError && /^spec\.for\.selector: invalid expression 'spec\.\(' at column 6/.test(e.problems[0]!),
  );
});

test('for/owns selectors: every KEY rendered as a string equals VALUE; "true" matches a true boolean', () => {
  const ready = compileSelector({ match: { "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')": 'true', 'spec.index': '3' } });
  assert.equal(ready(node('n1', true)), true);
  assert.equal(ready(node('n1', false)), false);
  assert.equal(ready(node('n1', undefined)), false, 'no status: the expression errors, which does not match');
  assert.equal(ready(node('n1', true, { index: 4 })), false);
  const ops = compileSelector({ matchExpressions: [{ expression: 'spec.tags.size()', operator: 'Gt', values: ['1'] }, { expression: 'spec.gone', operator: 'DoesNotExist' }] });
  assert.equal(ops(node('n1', true)), true);
  assert.equal(ops(node('n1', true, { tags: ['a'] })), false);
});

test('watch joins: KEY on the watched object, VALUE on the For objects; a literal VALUE filters the watched object', () => {
  const join = compileWatchJoin({ match: { 'metadata.name': 'spec.node', "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')": 'true' } });
  const itf = (n: string) => ({ metadata: { name: `${n}-e1` }, spec: { node: n } });
  const target = join.target(node('n1', true));
  assert.equal(typeof target, 'string');
  assert.deepEqual(['n1', 'n2', 'n1'].map((n) => join.forKey!(itf(n)) === target), [true, false, true]);
  assert.equal(join.forKey!({ metadata: { name: 'x' }, spec: {} }), undefined, 'a For object without the VALUE field joins nothing');
  assert.equal(join.target(node('n1', false)), undefined, 'a watched object that is not ready re-triggers nothing');
  assert.equal(join.target(node('n1', undefined)), undefined);
  const onlyLiteral = compileWatchJoin({ match: { 'spec.enabled': 'true' } });
  assert.equal(onlyLiteral.target(node('n1', true)), null, 'a literal-only join re-triggers every For object');
  assert.equal(onlyLiteral.forKey, undefined);
  assert.equal(onlyLiteral.target(node('n1', true, { enabled: false })), undefined);
});

test('a selector is compiled once: evaluation reuses the compiled program', () => {
  assert.equal(compileCel('metadata.name'), compileCel('metadata.name'));
});

test('matches() is RE2 as in Kubernetes: `^(a+)+$` on 34 characters answers in milliseconds, Go syntax', () => {
  const obj = { metadata: { name: 'a'.repeat(33) + '!' }, spec: { n: 'abc' } };
  const t0 = performance.now();
  assert.equal(compileCel("metadata.name.matches('^(a+)+$')")(obj), 'false');
  assert.ok(performance.now() - t0 < 200, `took ${performance.now() - t0} ms`);
  assert.equal(compileCel("spec.n.matches('^a.c$')")(obj), 'true');
  // RE2 refuses backreferences (JavaScript would accept them): the expression yields no value.
  assert.equal(compileCel("spec.n.matches('(a)\\\\1')")(obj), undefined);
});
