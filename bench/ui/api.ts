// What the web UI's JSON API costs per request as the store grows, as ratios
// against a reference measured in the same run: listing every stored kind
// through the registry once (what each answer needs at least). N parents own
// 10 children each (ConfigMaps with owner references) plus N Events, in a
// memory store. The live UI refetches the page shown at most once per 150 ms
// while things change, one request at a time per tab.
//
//   node dist/bench/ui/api.js [parents=200]

import { Registry } from '../../src/apiserver/registry/registry.js';
import { MemoryStore } from '../../src/store/memory.js';
import { UiApi } from '../../src/ui/api.js';
import { ReconcileHistory } from '../../src/reconciler/history.js';

const N = Number(process.argv[2] ?? 200);
const registry = await Registry.open(new MemoryStore());
const history = new ReconcileHistory(1000);
for (let p = 0; p < N; p++) {
  const parent = await registry.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `parent-${p}`, namespace: 'default' } });
  for (let c = 0; c < 10; c++) {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: parent.metadata.name!, uid: parent.metadata.uid!, controller: true };
    await registry.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `child-${p}-${c}`, namespace: 'default', ownerReferences: [ref] } });
  }
  await registry.events.record(parent, { type: 'Normal', reason: 'Made', message: 'children made', component: 'bench' });
  history.record({ reconciler: 'bench', key: `default/parent-${p}`, apiVersion: 'v1', kind: 'ConfigMap', outcome: 'Ready', message: '', durationMs: 1, writes: [], conditionType: 'Ready' });
}
const api = new UiApi({ registry, history });

async function time(fn: () => Promise<unknown>, rounds = 20): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  return (performance.now() - t0) / rounds;
}

const reference = await time(() => Promise.all(api.types().map((t) => api.list(t))));
const rows: Array<[string, number]> = [
  ['overview', await time(() => api.overview())],
  ['kind page (ConfigMap)', await time(() => api.kind('core', 'ConfigMap'))],
  ['object page (a parent)', await time(() => api.object('core', 'ConfigMap', 'default', 'parent-0'))],
  ['graph around a parent', await time(() => api.graph({ group: 'core', kind: 'ConfigMap', namespace: 'default', name: 'parent-0' }))],
  ['whole graph', await time(() => api.graph())],
];
console.log(`${N * 11} ConfigMaps, ${N} Events; reference (list every kind once): ${reference.toFixed(2)} ms`);
for (const [what, ms] of rows) console.log(`  ${what.padEnd(24)} ${ms.toFixed(2)} ms  ${(ms / reference).toFixed(2)}x reference`);
