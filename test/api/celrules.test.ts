// CRD validation rules (x-kubernetes-validations) evaluated as kube-apiserver
// evaluates them: every scope, messages, reasons, fieldPath, transition rules,
// compilation and cost checks at CRD creation, and the runtime cost limit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, structuralErrors, type JSONSchemaProps } from '../../src/api/schema/index.js';
import { fieldErrorString, toCause } from '../../src/api/fielderrors.js';

const schema: JSONSchemaProps = {
  type: 'object',
  'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('w')", message: 'name must start with w' }],
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.min <= self.max', message: 'min must not exceed max' },
        { rule: 'self.replicas >= oldSelf.replicas', message: 'replicas may not decrease', reason: 'FieldValueForbidden' },
        { rule: "self.name.matches('^(a+)+$')", fieldPath: '.name', reason: 'FieldValueRequired', message: 'name must be all a' },
      ],
      properties: {
        min: { type: 'integer' },
        max: { type: 'integer' },
        replicas: { type: 'integer' },
        name: { type: 'string', maxLength: 64 },
        tags: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self.size() > 1', messageExpression: "'tag ' + self + ' too short'" }] } },
        labels: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'" }] } },
      },
    },
  },
};
const errors = (s: JSONSchemaProps, obj: unknown, old?: unknown) => compileSchema(s).validate(obj, old).map(fieldErrorString);
const crdErrors = (s: JSONSchemaProps) => structuralErrors(s, 'spec.validation.openAPIV3Schema').map(fieldErrorString);

describe('CEL validation rules', () => {
  it('a valid object passes every rule', () => {
    assert.deepEqual(errors(schema, { metadata: { name: 'w1' }, spec: { min: 1, max: 2, replicas: 3, name: 'aaa', tags: ['ab'], labels: { a: 'ok' } } }), []);
  });

  it('reports each failed rule at its scope with kube-apiserver wording (object, property, item, map value, fieldPath, reasons)', () => {
    const got = errors(schema, { metadata: { name: 'x1' }, spec: { min: 3, max: 2, replicas: 1, name: 'ab', tags: ['a', 'bb'], labels: { a: 'bad' } } }, { metadata: { name: 'x1' }, spec: { replicas: 5 } });
    assert.deepEqual(got, [
      '<nil>: Invalid value: "object": name must start with w',
      'spec: Invalid value: "object": min must not exceed max',
      'spec: Forbidden: replicas may not decrease',
      'spec.name: Required value: name must be all a',
      'spec.tags[0]: Invalid value: "string": tag a too short',
      `spec.labels[a]: Invalid value: "string": failed rule: self != 'bad'`,
    ]);
    const cause = toCause(compileSchema(schema).validate({ metadata: { name: 'w' }, spec: { min: 0, max: 1, replicas: 1, name: 'a' } }, { spec: { replicas: 2 } })[0]!);
    assert.deepEqual(cause, { reason: 'FieldValueForbidden', message: 'Forbidden: replicas may not decrease', field: 'spec' });
  });

  it('transition rules run only on update, unless optionalOldSelf', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
            size: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'oldSelf.hasValue() || self < 10', optionalOldSelf: true, message: 'starts below 10' }, { rule: '!oldSelf.hasValue() || self >= oldSelf.value()', optionalOldSelf: true, message: 'may only grow' }] },
          },
        },
      },
    };
    assert.deepEqual(errors(s, { spec: { mode: 'a', size: 3 } }), []);
    assert.deepEqual(errors(s, { spec: { mode: 'a', size: 30 } }), ['spec.size: Invalid value: "integer": starts below 10']);
    assert.deepEqual(errors(s, { spec: { mode: 'b', size: 30 } }, { spec: { mode: 'a', size: 3 } }), ['spec.mode: Invalid value: "string": mode is immutable']);
    assert.deepEqual(errors(s, { spec: { mode: 'a', size: 2 } }, { spec: { mode: 'a', size: 3 } }), ['spec.size: Invalid value: "integer": may only grow']);
    // A field added on update has no old value: its transition rule does not run.
    assert.deepEqual(errors(s, { spec: { mode: 'b' } }, { spec: {} }), []);
  });

  it('integers are CEL ints (arithmetic works), runtime errors name the rule', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a + 1 == self.b' }, { rule: 'self.missing == 1' }], properties: { a: { type: 'integer' }, b: { type: 'integer' } }, 'x-kubernetes-preserve-unknown-fields': true } } };
    assert.deepEqual(errors(s, { spec: { a: 1, b: 2 } }), ['spec: Invalid value: "object": no such key: missing evaluating rule: self.missing == 1']);
    // int-or-string has no type: kube shows the empty type name as the value.
    const ios: JSONSchemaProps = { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: "type(self) == string ? self != '' : self > 0", message: 'port must be set' }] } } };
    assert.deepEqual(errors(ios, { port: 8080 }), []);
    assert.deepEqual(errors(ios, { port: 'http' }), []);
    assert.deepEqual(errors(ios, { port: 0 }), ['port: Invalid value: "": port must be set']);
  });

  it('rules are skipped, with kube\'s note, when the object has type errors', () => {
    assert.deepEqual(errors(schema, { metadata: { name: 'w' }, spec: { min: 'x' } }), [
      'spec.min: Invalid value: "string": spec.min in body must be of type integer: "string"',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('the Kubernetes library: lists, strings, format, regex, urls, quantities, sets', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [
            { rule: 'self.l.isSorted() && self.l.sum() == 6 && self.l.max() == 3 && self.l.indexOf(2) == 1' },
            { rule: "self.s.replace('-', '_') == 'a_b' && self.s.charAt(1) == '-' && self.s.find('[a-z]$') == 'b' && self.s.lowerAscii() == 'a-b'" },
            { rule: "isURL(self.u) && url(self.u).getHost() == 'example.com:8443' && url(self.u).getScheme() == 'https'" },
            { rule: "quantity(self.mem).isLessThan(quantity(self.limit)) && quantity(self.mem).add(quantity('500m')).compareTo(quantity('1000.5Mi')) < 0 && !isQuantity('1x')" },
            { rule: "sets.contains(self.l, [1, 3]) && !sets.intersects(self.l, [7])" },
            { rule: 'self.mem.size() <= 6', messageExpression: "'%s has %d characters, %.1f%% too many'.format([self.mem, self.mem.size(), 33.333])" },
          ],
          properties: { l: { type: 'array', items: { type: 'integer' } }, s: { type: 'string' }, u: { type: 'string' }, mem: { type: 'string' }, limit: { type: 'string' } },
        },
      },
    };
    assert.deepEqual(crdErrors(s), []);
    const spec = { l: [1, 2, 3], s: 'a-b', u: 'https://example.com:8443/x', mem: '1000Mi', limit: '1Gi' };
    assert.deepEqual(errors(s, { spec }), []);
    assert.equal(errors(s, { spec: { ...spec, l: [3, 2, 1] } }).length, 1);
    assert.deepEqual(errors(s, { spec: { ...spec, mem: '1000000m' } }), ['spec: Invalid value: "object": 1000000m has 8 characters, 33.3% too many']);
    assert.deepEqual(errors(s, { spec: { ...spec, mem: '2Gi' } }), [`spec: Invalid value: "object": failed rule: ${s.properties!.spec!['x-kubernetes-validations']![3]!.rule}`]);
    assert.deepEqual(errors(s, { spec: { ...spec, mem: 'lots' } }), [
      `spec: Invalid value: "object": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: ${s.properties!.spec!['x-kubernetes-validations']![3]!.rule}`,
    ]);
  });

  it('matches() is RE2: a hostile pattern on 34 characters answers in milliseconds', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'string', maxLength: 64, 'x-kubernetes-validations': [{ rule: "self.matches('^(a+)+$')" }] } } } } };
    const t0 = performance.now();
    assert.deepEqual(errors(s, { spec: { n: 'a'.repeat(33) + '!' } }), [`spec.n: Invalid value: "string": failed rule: self.matches('^(a+)+$')`]);
    assert.ok(performance.now() - t0 < 500);
  });

  it('uncompilable rules are refused at CRD creation with kube\'s field path', () => {
    const bad: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'self.nope == 1' }, { rule: 'self.x ==' }, { rule: 'self.x == 1', optionalOldSelf: true }, { rule: 'true', fieldPath: '.nope' }, { rule: 'true', messageExpression: 'self.x +' }],
          properties: { x: { type: 'integer' } },
        },
      },
    };
    const got = crdErrors(bad);
    const p = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations';
    assert.equal(got[0], `${p}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.nope == 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope == 1\n | ....^`);
    assert.match(got[1]!, /^spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[1\]\.rule: Invalid value: .*: compilation failed: ERROR: <input>:1:10: /);
    assert.equal(got[2], `${p}[2].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`);
    assert.equal(got[3], `${p}[3].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field`);
    assert.match(got[4]!, /x-kubernetes-validations\[4\]\.messageExpression: Invalid value: .*: messageExpression compilation failed: /);
    assert.equal(got.length, 5);
  });

  it('rules that do not type-check against the schema are refused at CRD creation with cel-go\'s message and caret', () => {
    const rules = [
      "self.replicas > 'a'",
      'self.items.all(i, i.name > 1)',
      "self.name.startsWith(1)",
      '!self.name',
      'self.replicas',
      "self.labels['a'] > 1",
      "self.nested.inner.nope == 1",
    ];
    const bad: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [...rules.map((rule) => ({ rule })), { rule: 'true', messageExpression: 'self.replicas' }],
          properties: {
            replicas: { type: 'integer' },
            name: { type: 'string' },
            items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            nested: { type: 'object', properties: { inner: { type: 'object', properties: { x: { type: 'integer' } } } } },
          },
        },
      },
    };
    const got = crdErrors(bad).map((e) => e.replace(/Invalid value: apiextensions\.ValidationRule\{.*?\}: /, ''));
    const p = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations';
    assert.deepEqual(got, [
      `${p}[0].rule: compilation failed: ERROR: <input>:1:15: found no matching overload for '_>_' applied to '(int, string)'\n | self.replicas > 'a'\n | ..............^`,
      `${p}[1].rule: compilation failed: ERROR: <input>:1:26: found no matching overload for '_>_' applied to '(string, int)'\n | self.items.all(i, i.name > 1)\n | .........................^`,
      `${p}[2].rule: compilation failed: ERROR: <input>:1:21: found no matching overload for 'startsWith' applied to 'string.(int)'\n | self.name.startsWith(1)\n | ....................^`,
      `${p}[3].rule: compilation failed: ERROR: <input>:1:1: found no matching overload for '!_' applied to '(string)'\n | !self.name\n | ^`,
      `${p}[4].rule: cel expression must evaluate to a bool`,
      `${p}[5].rule: compilation failed: ERROR: <input>:1:18: found no matching overload for '_>_' applied to '(string, int)'\n | self.labels['a'] > 1\n | .................^`,
      `${p}[6].rule: compilation failed: ERROR: <input>:1:18: undefined field 'nope'\n | self.nested.inner.nope == 1\n | .................^`,
      `${p}[7].messageExpression: messageExpression must evaluate to a string`,
    ]);
  });

  it('type checking accepts what kube accepts: dyn for int-or-string and preserved fields, object equality, cross-type numeric order, formats', () => {
    const ok: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [
            { rule: "type(self.port) == string ? self.port.endsWith('%') : self.port > 0" },
            { rule: 'self.free.anything > 1 || self.free.other == "x"' },
            { rule: 'self.items.all(a, self.items.exists_one(b, a == b))' },
            { rule: 'self.ratio > 1 && self.replicas < 2.5' },
            { rule: "!has(self.when) || self.when != ''" },
            { rule: 'self.replicas == oldSelf.replicas || self.items == oldSelf.items', message: 'm' },
            { rule: 'self.labels.all(k, k.startsWith("a") && self.labels[k].size() < 10)' },
            { rule: '!oldSelf.hasValue() || self.replicas >= oldSelf.value().replicas', optionalOldSelf: true, messageExpression: "'was ' + string(oldSelf.value().replicas)" },
          ],
          properties: {
            port: { 'x-kubernetes-int-or-string': true },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            items: { type: 'array', maxItems: 10, items: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } },
            ratio: { type: 'number' },
            replicas: { type: 'integer' },
            when: { type: 'string', format: 'date-time' },
            labels: { type: 'object', maxProperties: 10, additionalProperties: { type: 'string', maxLength: 10 } },
          },
        },
      },
    };
    assert.deepEqual(crdErrors(ok), []);
    // The resource root: apiVersion, kind and metadata.name are typed strings there.
    assert.deepEqual(crdErrors({ type: 'object', 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('a') && self.kind != ''" }], properties: { spec: { type: 'object' } } }).length, 0);
    assert.match(crdErrors({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.metadata.name > 1' }], properties: { spec: { type: 'object' } } })[0]!, /found no matching overload for '_>_' applied to '\(string, int\)'/);
  });

  it('hostile rules (deep nesting, long chains, huge literals) are compile errors, never a crash', () => {
    const p = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ';
    for (const rule of ['('.repeat(100_000) + '1' + ')'.repeat(100_000), Array(20_000).fill('self.x').join(' + ') + ' > 0', '[' + Array(5000).fill('1').join(',') + '].size() > 0']) {
      const got = crdErrors({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule }] } } });
      assert.equal(got.length, 1);
      assert.ok(got[0]!.startsWith(p) && got[0]!.includes(': compilation failed: ERROR: <input>:1:'), got[0]!.slice(0, 300));
    }
  });

  it('oldSelf is refused below a list that is not a map list (items cannot be correlated)', () => {
    const s = (listType: 'atomic' | 'map'): JSONSchemaProps => ({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            l: {
              type: 'array',
              maxItems: 10,
              'x-kubernetes-list-type': listType,
              ...(listType === 'map' ? { 'x-kubernetes-list-map-keys': ['k'] } : {}),
              items: { type: 'object', required: ['k'], properties: { k: { type: 'string', maxLength: 8 }, v: { type: 'string', maxLength: 8, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'v is immutable' }] } } },
            },
          },
        },
      },
    });
    assert.deepEqual(crdErrors(s('atomic')), [
      `spec.validation.openAPIV3Schema.properties[spec].properties[l].items.properties[v].x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.validation.openAPIV3Schema.properties[spec].properties[l].items`,
    ]);
    assert.deepEqual(crdErrors(s('map')), []);
    // A map list correlates items by key: the transition rule sees the old item with the same key, wherever it moved.
    const old = { spec: { l: [{ k: 'a', v: '1' }, { k: 'b', v: '2' }] } };
    assert.deepEqual(errors(s('map'), { spec: { l: [{ k: 'b', v: '2' }, { k: 'a', v: '1' }, { k: 'c', v: '3' }] } }, old), []);
    assert.deepEqual(errors(s('map'), { spec: { l: [{ k: 'b', v: '9' }, { k: 'a', v: '1' }] } }, old), ['spec.l[0].v: Invalid value: "string": v is immutable']);
  });

  it('the estimated cost is bounded by maxItems: unbounded nested loops are refused, bounded ones accepted', () => {
    const loops = (maxItems?: number): JSONSchemaProps => ({
      type: 'object',
      properties: { spec: { type: 'object', properties: { l: { type: 'array', ...(maxItems ? { maxItems } : {}), items: { type: 'string', maxLength: 8 }, 'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, a == b || a != b))' }] } } } },
    });
    const hint = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
    const rule = 'spec.validation.openAPIV3Schema.properties[spec].properties[l].x-kubernetes-validations[0].rule';
    assert.deepEqual(crdErrors(loops()), [
      `${rule}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${hint}`,
      `${rule}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${hint}`,
    ]);
    assert.deepEqual(crdErrors(loops(100)), []);
  });

  it('a rule inside a list costs once per item: the enclosing maxItems multiplies its estimate', () => {
    const nested = (outer: number): JSONSchemaProps => ({
      type: 'object',
      properties: { spec: { type: 'object', properties: { ll: { type: 'array', maxItems: outer, items: { type: 'array', maxItems: 100, items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, a <= b || a > b))' }] } } } } },
    });
    assert.deepEqual(crdErrors(nested(10)), []);
    assert.match(crdErrors(nested(1000))[0]!, /^spec\.validation\.openAPIV3Schema\.properties\[spec\]\.properties\[ll\]\.items\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of \d\.\dx/);
  });

  it('the runtime cost limit cuts a rule that runs too long and stops further rules', () => {
    // Accepted at creation (estimate under the static limit), over the per-call limit at run time.
    const s: JSONSchemaProps = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { l: { type: 'array', maxItems: 1000, items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, a + b >= 0))' }, { rule: 'false' }] } } } },
    };
    assert.deepEqual(crdErrors(s), []);
    const t0 = performance.now();
    const got = errors(s, { spec: { l: Array.from({ length: 1000 }, (_, i) => i) } });
    const ms = performance.now() - t0;
    assert.deepEqual(got, [`spec.l: Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.all(a, self.all(b, a + b >= 0))`]);
    assert.ok(ms < 3000, `took ${ms} ms`);
    assert.deepEqual(errors(s, { spec: { l: [1, 2] } }), ['spec.l: Invalid value: "array": failed rule: false']);
  });
});
