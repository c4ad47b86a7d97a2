// Cost of request metrics on the API server's hot path, as a ratio against a
// reference measured in the same run: routing the same request (router.ts),
// which every request pays already. Usage: node dist/bench/apiserver/metrics.js

import { ApiMetrics, metricVerb } from '../../src/apiserver/metrics.js';
import { ResourceCatalog } from '../../src/apiserver/registry/resources.js';
import { route, type ResourceRequest } from '../../src/apiserver/router.js';
import { MemoryStore } from '../../src/store/memory.js';

const N = 1_000_000;
const paths = ['/apis/example.com/v1/namespaces/default/widgets/w1', '/apis/example.com/v1/namespaces/default/widgets', '/api/v1/namespaces/ns1/configmaps/c1'];
const q = new URLSearchParams();
const m = new ApiMetrics(new MemoryStore(), new ResourceCatalog());

function time(fn: (i: number) => void): number {
  for (let i = 0; i < 50_000; i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(i);
  return ((performance.now() - t0) * 1e6) / N; // ns per call
}

const routes = paths.map((p) => route('GET', p, q) as ResourceRequest);
const routing = time((i) => route('GET', paths[i % 3], q));
const metrics = time((i) => {
  const r = routes[i % 3];
  m.observe(r, metricVerb(r, 'GET', undefined), 200, 0.001 * (i % 7));
});
console.log(`routing a request: ${routing.toFixed(0)} ns; recording its metrics: ${metrics.toFixed(0)} ns (${(metrics / routing).toFixed(2)}x routing)`);
