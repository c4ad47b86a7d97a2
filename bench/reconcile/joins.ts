// Watch joins: the cost of mapping one watched event to the For objects it
// re-triggers (`watches[].selector.match: {KEY on watched: VALUE on For}`).
// The engine keeps an index of the For cache by the VALUE expressions, so an
// event is one key evaluation plus a lookup; the reference, measured in the
// same run, is the scan that evaluates VALUE on every For object.
//
//   node dist/bench/reconcile/joins.js [sizes=10000,100000] [matches=100]

import { ObjectCache } from '../../src/controller/cache.js';
import { compileWatchJoin } from '../../src/reconciler/exprselector.js';

const SIZES = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const MATCHES = Number(process.argv[3] ?? 100);

function time(rounds: number, fn: () => number): number {
  let sink = 0;
  const t = performance.now();
  for (let r = 0; r < rounds; r++) sink += fn();
  if (sink < 0) throw new Error('unreachable');
  return ((performance.now() - t) / rounds) * 1000;
}

console.log(`watch join: µs per watched event, ${MATCHES} matching For objects, node ${process.version}`);
console.log('for objects      index       scan   scan/index');
for (const n of SIZES) {
  const join = compileWatchJoin({ match: { 'metadata.name': 'spec.settings' } });
  const forKey = join.forKey!;
  const cache = new ObjectCache();
  cache.addIndexers({ join: (o) => { const k = forKey(o); return k === undefined ? [] : [k]; } });
  const groups = Math.max(1, Math.floor(n / MATCHES));
  for (let i = 0; i < n; i++) cache.upsert(`default/a${i}`, { apiVersion: 'v1', kind: 'App', metadata: { name: `a${i}`, namespace: 'default' }, spec: { settings: `s${i % groups}` } });
  const watched = { metadata: { name: 's7' } };
  const index = time(2000, () => cache.byIndex('join', join.target(watched)!).length);
  const scan = time(10, () => {
    const k = join.target(watched);
    return cache.list().filter((o) => forKey(o) === k).length;
  });
  console.log(`${n.toLocaleString('en-US').padStart(11)}  ${index.toFixed(1).padStart(9)}  ${scan.toFixed(0).padStart(9)}  ${(scan / index).toFixed(0).padStart(10)}×`);
}
