// Cost of matching CRD schema `pattern`s with the RE2 engine (re2js, linear
// time) against V8's backtracking RegExp, measured in the same run, on the
// patterns CRDs typically carry (DNS names, semver, quantities) over short
// values, plus whole-object validation of a schema with three patterns.
// The last line shows why: a hostile pattern where RegExp backtracks.
//
//   node dist/bench/api/regexp.js [n=200000]

import { compileGoRegexp, isGoRegexpError } from '../../src/api/schema/regexp.js';
import { compileValidator } from '../../src/api/schema/index.js';

const N = Number(process.argv[2] ?? 200_000);

const cases: [string, string, string][] = [
  ['dns-1123 label', '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'my-widget-01'],
  ['semver', '^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?$', 'v1.28.3-rc.1'],
  ['quantity', '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$', '512Mi'],
  ['unanchored word', 'prod', 'eu-west-prod-cluster-7'],
];

function cpuNs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) * 1000;
}

function best(fn: () => void, rounds = 5): number {
  let b = Infinity;
  for (let r = 0; r < rounds; r++) b = Math.min(b, cpuNs(fn));
  return b;
}

let sink = 0;
console.log(`pattern match, ns per test (best of 5 × ${N})`);
for (const [label, pattern, value] of cases) {
  const re2 = compileGoRegexp(pattern);
  if (isGoRegexpError(re2)) throw new Error(re2.error);
  const js = new RegExp(pattern);
  if (re2.test(value) !== js.test(value)) throw new Error(`engines disagree on ${label}`);
  const tRe2 = best(() => {
    for (let i = 0; i < N; i++) if (re2.test(value)) sink++;
  }) / N;
  const tJs = best(() => {
    for (let i = 0; i < N; i++) if (js.test(value)) sink++;
  }) / N;
  console.log(`  ${label.padEnd(16)} re2js ${tRe2.toFixed(0).padStart(6)} ns   RegExp ${tJs.toFixed(0).padStart(5)} ns   ratio ${(tRe2 / tJs).toFixed(1)}x`);
}

// A whole object: a schema with three patterns next to other checks.
const schema = {
  type: 'object' as const,
  properties: {
    spec: {
      type: 'object' as const,
      properties: {
        name: { type: 'string' as const, pattern: cases[0][1] },
        version: { type: 'string' as const, pattern: cases[1][1] },
        memory: { type: 'string' as const, pattern: cases[2][1] },
        replicas: { type: 'integer' as const, minimum: 0 },
        tags: { type: 'array' as const, items: { type: 'string' as const } },
      },
    },
  },
};
const withPatterns = compileValidator(schema);
const props = schema.properties.spec.properties;
const withoutPatterns = compileValidator({ ...schema, properties: { spec: { ...schema.properties.spec, properties: { ...props, name: { type: 'string' }, version: { type: 'string' }, memory: { type: 'string' } } } } });
const obj = { spec: { name: cases[0][2], version: cases[1][2], memory: cases[2][2], replicas: 3, tags: ['a', 'b'] } };
const n2 = Math.max(1, N >> 2);
const tWith = best(() => {
  for (let i = 0; i < n2; i++) sink += withPatterns(obj).length;
}) / n2;
const tWithout = best(() => {
  for (let i = 0; i < n2; i++) sink += withoutPatterns(obj).length;
}) / n2;
console.log(`object validation: 3 patterns ${(tWith / 1000).toFixed(2)} µs, same schema without patterns ${(tWithout / 1000).toFixed(2)} µs (ratio ${(tWith / tWithout).toFixed(1)}x)`);

// Hostile: ^(a+)+$ against n a's and a '!'. RegExp doubles per character; RE2 stays flat.
const hostile = compileGoRegexp('^(a+)+$');
if (isGoRegexpError(hostile)) throw new Error(hostile.error);
for (const n of [20, 24]) {
  const s = 'a'.repeat(n) + '!';
  const tRe2 = cpuNs(() => hostile.test(s));
  const tJs = cpuNs(() => /^(a+)+$/.test(s));
  console.log(`hostile ^(a+)+$, ${n + 1} chars: re2js ${(tRe2 / 1e6).toFixed(2)} ms, RegExp ${(tJs / 1e6).toFixed(1)} ms (ratio ${(tJs / tRe2).toFixed(0)}x in RE2's favour; RegExp doubles per extra character)`);
}
if (sink < 0) console.log(sink);
