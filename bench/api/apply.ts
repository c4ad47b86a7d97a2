// Server-side apply cost per operation, through the in-process Registry over a
// MemoryStore: the write path a reconciler takes for every child it applies.
// A typical child (ownerReference to a real parent, labels, a spec of ten
// fields under a structural CRD schema) is applied three ways:
//   create   — the object does not exist yet
//   changed  — the same manager applies it again with two spec fields changed
//   no-op    — the same manager applies exactly what is stored
// Next to each, a hand-written minimal JavaScript baseline does the same
// operation on a Map (clone + freeze on create, spread-merge on change, deep
// equality on no-op), so the ratio shows what Kubernetes semantics cost on top
// of "store a JSON object".
//
// Times are CPU time per operation (best of the rounds), which the other
// tenants of a shared machine disturb far less than wall time.
//
//   node dist/bench/api/apply.js [n=4000] [rounds=5]
//   BENCH_PROFILE=/tmp/apply.cpuprofile [BENCH_OP=no-op] node dist/bench/api/apply.js   (profiles the measured rounds, or one operation of the last round)

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { KObject } from '../../src/api/object.js';
import { deepClone, deepEqual } from '../../src/api/patch.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { MemoryStore } from '../../src/store/memory.js';
import { buildCRD } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';

const N = Number(process.argv[2] ?? 4000);
const ROUNDS = Number(process.argv[3] ?? 5);
const group = 'bench.choreo.dev';
const apiVersion = `${group}/v1`;

function crd(kind: string, plural: string, spec: Record<string, JSONSchemaProps>): KObject {
  return buildCRD({ group, kind, plural, schema: { type: 'object', properties: { spec: { type: 'object', properties: spec }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } });
}

const childSpec: Record<string, JSONSchemaProps> = {
  replicas: { type: 'integer' },
  image: { type: 'string' },
  port: { type: 'integer' },
  protocol: { type: 'string' },
  enabled: { type: 'boolean' },
  tier: { type: 'string' },
  weight: { type: 'number' },
  index: { type: 'integer' },
  parent: { type: 'string' },
  args: { type: 'array', items: { type: 'string' } },
  env: { type: 'object', additionalProperties: { type: 'string' } },
};

type Owner = { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean };

function child(i: number, owner: Owner, version: number): KObject {
  return {
    apiVersion,
    kind: 'Child',
    metadata: {
      name: `child-${i}`,
      namespace: 'default',
      labels: { 'app.kubernetes.io/managed-by': 'bench', 'bench.choreo.dev/parent': owner.name, 'bench.choreo.dev/index': String(i % 3) },
      ownerReferences: [owner],
    },
    spec: {
      replicas: 3 + version,
      image: `registry.example.com/app:v${version}`,
      port: 8080,
      protocol: 'TCP',
      enabled: true,
      tier: 'backend',
      weight: 0.5,
      index: i,
      parent: owner.name,
      args: ['--verbose', '--port=8080'],
      env: { MODE: 'bench', LEVEL: 'info' },
    },
  };
}

/** Minimal reference: what "apply a JSON object" costs with no Kubernetes semantics at all. */
class Baseline {
  private readonly rows = new Map<string, KObject>();
  private rev = 0;

  apply(obj: KObject): KObject {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const cur = this.rows.get(key);
    if (!cur) {
      const stored = freeze({ ...deepClone(obj), metadata: { ...deepClone(obj.metadata), resourceVersion: String(++this.rev) } });
      this.rows.set(key, stored);
      return stored;
    }
    const merged = { ...cur, metadata: { ...cur.metadata, ...deepClone(obj.metadata), resourceVersion: cur.metadata.resourceVersion }, spec: { ...(cur.spec as object), ...deepClone(obj.spec as object) } };
    if (deepEqual(merged, cur)) return cur;
    merged.metadata.resourceVersion = String(++this.rev);
    const stored = freeze(merged);
    this.rows.set(key, stored);
    return stored;
  }
}

function freeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) freeze(x);
  }
  return v;
}

type Op = 'create' | 'changed' | 'no-op';

/** BENCH_OP=create|changed|no-op limits the profile to that operation. */
const onlyOp = process.env.BENCH_OP as Op | undefined;
let profiler: { start(): Promise<void>; stop(): Promise<void> } | undefined;

async function phase(op: Op, fn: () => Promise<void>): Promise<number> {
  const watched = profiler && onlyOp === op;
  if (watched) await profiler!.start();
  const t = await time(fn);
  if (watched) await profiler!.stop();
  return t;
}

async function runRegistry(round: number): Promise<Record<Op, number>> {
  const reg = await Registry.open(new MemoryStore());
  await reg.create(crd('Parent', 'parents', { replicas: { type: 'integer' } }));
  await reg.create(crd('Child', 'children', childSpec));
  const parent = await reg.apply({ apiVersion, kind: 'Parent', metadata: { name: `p${round}`, namespace: 'default' }, spec: { replicas: 3 } }, { fieldManager: 'user' });
  const owner: Owner = { apiVersion, kind: 'Parent', name: parent.metadata.name!, uid: parent.metadata.uid!, controller: true, blockOwnerDeletion: true };
  const v1 = Array.from({ length: N }, (_, i) => child(i, owner, 1));
  const v2 = Array.from({ length: N }, (_, i) => child(i, owner, 2));
  const opts = { fieldManager: 'parent-controller' };
  const out = {} as Record<Op, number>;
  out.create = await phase('create', async () => {
    for (const o of v1) await reg.apply(o, opts);
  });
  out.changed = await phase('changed', async () => {
    for (const o of v2) await reg.apply(o, opts);
  });
  const rv = (await reg.get({ apiVersion, kind: 'Child' }, 'default', 'child-0'))!.metadata.resourceVersion;
  out['no-op'] = await phase('no-op', async () => {
    for (const o of v2) await reg.apply(o, opts);
  });
  const after = (await reg.get({ apiVersion, kind: 'Child' }, 'default', 'child-0'))!.metadata.resourceVersion;
  if (rv !== after) throw new Error(`no-op apply wrote the object (resourceVersion ${rv} → ${after})`);
  reg.close();
  return out;
}

async function runBaseline(): Promise<Record<Op, number>> {
  const b = new Baseline();
  const owner: Owner = { apiVersion, kind: 'Parent', name: 'p', uid: '0b7a6f2e-0000-4000-8000-000000000000', controller: true, blockOwnerDeletion: true };
  const v1 = Array.from({ length: N }, (_, i) => child(i, owner, 1));
  const v2 = Array.from({ length: N }, (_, i) => child(i, owner, 2));
  // Awaited per op like the registry, so both sides pay the same promise overhead.
  const apply = async (o: KObject) => b.apply(o);
  const out = {} as Record<Op, number>;
  out.create = await time(async () => {
    for (const o of v1) await apply(o);
  });
  out.changed = await time(async () => {
    for (const o of v2) await apply(o);
  });
  out['no-op'] = await time(async () => {
    for (const o of v2) await apply(o);
  });
  return out;
}

/** CPU µs per op (user + system of this process): steadier than wall time on a shared machine. */
async function time(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}

function best(runs: Record<Op, number>[]): Record<Op, number> {
  const out = {} as Record<Op, number>;
  for (const op of ['create', 'changed', 'no-op'] as Op[]) out[op] = Math.min(...runs.map((r) => r[op]));
  return out;
}

async function profiled<T>(fn: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_PROFILE;
  if (!file) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  // With BENCH_OP, each watched operation is profiled on its own and the file keeps the last round's.
  let started = false;
  profiler = {
    start: async () => {
      await post('Profiler.start');
      started = true;
    },
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      started = false;
    },
  };
  if (!onlyOp) await profiler.start();
  try {
    return await fn();
  } finally {
    if (started) await profiler.stop();
    session.disconnect();
  }
}

// Warm-up rounds let the JIT settle before anything is measured.
await runRegistry(-1);
await runBaseline();
const regRuns: Record<Op, number>[] = [];
const baseRuns: Record<Op, number>[] = [];
await profiled(async () => {
  for (let r = 0; r < ROUNDS; r++) {
    regRuns.push(await runRegistry(r));
    baseRuns.push(await runBaseline());
  }
});
const reg = best(regRuns);
const base = best(baseRuns);
console.log(`server-side apply, ${N} objects × ${ROUNDS} rounds (best round), CPU µs/op`);
console.log(`${'operation'.padEnd(10)} ${'registry'.padStart(10)} ${'baseline'.padStart(10)} ${'ratio'.padStart(8)}`);
for (const op of ['create', 'changed', 'no-op'] as Op[]) {
  console.log(`${op.padEnd(10)} ${reg[op].toFixed(1).padStart(10)} ${base[op].toFixed(2).padStart(10)} ${(reg[op] / base[op]).toFixed(1).padStart(7)}×`);
}
