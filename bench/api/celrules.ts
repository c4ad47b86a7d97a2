// Cost of CRD validation rules on the write path (admit: prune → default →
// validate): a schema without rules against the same schema with the usual
// rules (object, property, list items), and a rule-free schema before and
// after the rules engine exists (the "without rules" case must stay at the
// plain structural validator's cost). Ratios are against the schema without
// rules, measured in the same run.
//
//   node dist/bench/api/celrules.js [n=50000]

import { compileSchema, compileValidator, type JSONSchemaProps } from '../../src/api/schema/index.js';
import { deepClone } from '../../src/api/patch.js';

const N = Number(process.argv[2] ?? 50_000);

const plain: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        min: { type: 'integer' },
        max: { type: 'integer' },
        replicas: { type: 'integer' },
        name: { type: 'string', maxLength: 63 },
        ports: { type: 'array', maxItems: 16, items: { type: 'object', properties: { name: { type: 'string', maxLength: 15 }, port: { type: 'integer' } } } },
      },
    },
  },
};
const withRules = deepClone(plain) as JSONSchemaProps;
const spec = withRules.properties!.spec!;
spec['x-kubernetes-validations'] = [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }, { rule: 'self.replicas >= oldSelf.replicas' }];
spec.properties!.name!['x-kubernetes-validations'] = [{ rule: "self.matches('^[a-z0-9-]+$')" }];
spec.properties!.ports!.items!['x-kubernetes-validations'] = [{ rule: 'self.port > 0 && self.port < 65536' }];

const obj = { apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w1', namespace: 'default' }, spec: { min: 1, max: 3, replicas: 2, name: 'my-widget', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } };

function cpuNs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) * 1000;
}
const best = (fn: () => void) => Math.min(...[0, 1, 2, 3, 4].map(() => cpuNs(fn)));

const structural = compileValidator(plain);
const a = compileSchema(plain);
const b = compileSchema(withRules);
if (b.validate(obj, obj).length || a.validate(obj).length) throw new Error('bench object must be valid');

const ref = best(() => { for (let i = 0; i < N; i++) a.validate(obj); }) / N;
const base = best(() => { for (let i = 0; i < N; i++) structural(obj); }) / N;
const create = best(() => { for (let i = 0; i < N; i++) b.validate(obj); }) / N;
const update = best(() => { for (let i = 0; i < N; i++) b.validate(obj, obj); }) / N;
console.log(`validate, ns per object (best of 5 × ${N})`);
console.log(`  schema without rules (compileSchema)   ${ref.toFixed(0).padStart(8)}  1.00x`);
console.log(`  structural validator alone             ${base.toFixed(0).padStart(8)}  ${(base / ref).toFixed(2)}x`);
console.log(`  4 rules, create (no oldSelf)           ${create.toFixed(0).padStart(8)}  ${(create / ref).toFixed(2)}x`);
console.log(`  4 rules, update (transition rule runs) ${update.toFixed(0).padStart(8)}  ${(update / ref).toFixed(2)}x`);
