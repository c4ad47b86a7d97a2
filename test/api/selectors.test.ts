import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector, labelSelectorMatcher, labelSelectorToString, parseFieldSelector, fieldValue, validateLabelSelector } from '../../src/api/selectors.js';
import { isApiError } from '../../src/api/errors.js';
import { fieldErrorString } from '../../src/api/fielderrors.js';

const labels = { app: 'web', tier: 'frontend', env: 'prod', 'example.com/rank': '5' };

test('label selector string form matches like kubectl -l', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['  app = web ,  env  in ( prod , dev ) ', true],
    ['example.com/rank>3', true],
    ['example.com/rank<3', false],
    ['app in (web,,db)', true],
  ];
  for (const [sel, want] of cases) assert.equal(parseLabelSelector(sel).matches(labels), want, sel);
  assert.equal(parseLabelSelector('app').matches(undefined), false);
  assert.equal(parseLabelSelector('!app').matches(undefined), true);
});

test('label selector parse errors name the offending token', () => {
  const cases: [string, RegExp][] = [
    ['app in x', /unable to parse requirement: found 'x', expected: '\('/],
    ['app in (a b)', /found 'b', expected: ',' or '\)'/],
    ['app=web tier', /found 'tier', expected: ',' or 'end of string'/],
    ['=web', /found '=', expected: identifier/],
    ['app=web,', /found 'end of string', expected: identifier/],
    ['-bad=x', /invalid label key "-bad"/],
    ['app=-x-', /invalid label value: "-x-": at key: "app"/],
    ['!app=x', /found '=', expected: ',' or 'end of string'/],
    ['a>b', /must be an integer/],
  ];
  for (const [sel, re] of cases) {
    assert.throws(
      () => parseLabelSelector(sel),
      (e: unknown) => isApiError(e, 'BadRequest') && re.test(e.message),
      sel,
    );
  }
});

test('label selector string form is canonical (sorted by key)', () => {
  assert.equal(parseLabelSelector('z=1, a in (c,b), !m, k').toString(), 'a in (b,c),k,!m,z=1');
});

test('LabelSelector objects: matchLabels + matchExpressions', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In' as const, values: ['prod', 'staging'] },
      { key: 'tier', operator: 'NotIn' as const, values: ['backend'] },
      { key: 'app', operator: 'Exists' as const },
      { key: 'legacy', operator: 'DoesNotExist' as const },
    ],
  };
  const m = labelSelectorMatcher(sel);
  assert.equal(m.matches(labels), true);
  assert.equal(m.matches({ ...labels, legacy: 'y' }), false);
  assert.equal(m.matches({ ...labels, env: 'dev' }), false);
  assert.equal(labelSelectorToString(sel), 'app=web,app,env in (prod,staging),!legacy,tier notin (backend)');
  // the string form round-trips to an equivalent matcher
  assert.equal(parseLabelSelector(labelSelectorToString(sel)).matches(labels), true);
  // absent selector selects nothing, empty selects everything
  assert.equal(labelSelectorMatcher(undefined).matches(labels), false);
  assert.equal(labelSelectorMatcher({}).matches(labels), true);
  assert.equal(labelSelectorToString({}), '');
  assert.throws(() => labelSelectorMatcher({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
  assert.throws(() => labelSelectorMatcher({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /must be empty/);
});

test('validateLabelSelector reports causes with field paths', () => {
  const causes = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Bogus' as 'In', values: ['x'] }] }, 'spec.selector');
  assert.deepEqual(
    causes.map((c) => c.field),
    ['spec.selector.matchExpressions[0].values', 'spec.selector.matchExpressions[1].operator'],
  );
  assert.deepEqual(causes.map(fieldErrorString), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.selector.matchExpressions[1].operator: Invalid value: "Bogus": not a valid selector operator',
  ]);
});

test('field selectors on metadata and arbitrary dotted paths', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns1' }, spec: { partition: 'p1', replicas: 3, enabled: true } };
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=a', true],
    ['metadata.name==a', true],
    ['metadata.name=b', false],
    ['metadata.namespace!=ns2', true],
    ['metadata.namespace!=ns1', false],
    ['metadata.name=a,metadata.namespace=ns1', true],
    ['spec.partition=p1', true],
    ['spec.replicas=3', true],
    ['spec.enabled=true', true],
    ['spec.missing=', true],
    ['spec.missing!=', false],
  ];
  for (const [sel, want] of cases) assert.equal(parseFieldSelector(sel).matches(obj), want, sel);
  assert.deepEqual(parseFieldSelector('metadata.name=a,spec.x!=y,metadata.name!=b').fields, ['metadata.name', 'spec.x']);
  assert.equal(fieldValue(obj, 'spec.replicas'), '3');
});

test('field selector escaping and errors', () => {
  const obj = { metadata: { name: 'a,b=c' } };
  const sel = parseFieldSelector('metadata.name=a\\,b\\=c');
  assert.equal(sel.matches(obj), true);
  assert.equal(sel.toString(), 'metadata.name=a\\,b\\=c');
  assert.throws(() => parseFieldSelector('metadata.name'), (e: unknown) => isApiError(e, 'BadRequest') && /can't understand 'metadata.name'/.test(e.message));
  assert.throws(() => parseFieldSelector('metadata.name=a=b'), /unescaped =/);
  assert.throws(() => parseFieldSelector('bad path=a'), /invalid field path/);
});
