// prom-client (npm) against our hand-written exposition (api/prometheus.ts,
// apiserver/metrics.ts), on the paths that run per request, per reconcile and
// per scrape. Same labels, buckets and series counts on both sides; ratios are
// prom-client's time over ours, measured in the same run. Reference point for
// the per-request numbers: routing the same request (router.ts), which every
// request pays already.
//
//   node dist/bench/metrics/promclient.js [iterations=1000000]

import client from 'prom-client';
import { ApiMetrics, metricVerb } from '../../src/apiserver/metrics.js';
import { ResourceCatalog } from '../../src/apiserver/registry/resources.js';
import { route, type ResourceRequest } from '../../src/apiserver/router.js';
import { MemoryStore } from '../../src/store/memory.js';
import { Histogram, exponentialBuckets } from '../../src/api/prometheus.js';
import { reconcileTimeBuckets } from '../../src/controller/controller.js';

const N = Number(process.argv[2] ?? 1_000_000);
const durationBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const queueBuckets = exponentialBuckets(1e-8, 10, 10);

function time(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 50_000); i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) * 1e6) / n; // ns per call
}
async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1e3) / n; // µs per call
}
const row = (what: string, ours: number, prom: number, unit: string) =>
  console.log(`${what.padEnd(44)} ours ${ours.toFixed(1).padStart(8)} ${unit}  prom-client ${prom.toFixed(1).padStart(8)} ${unit}  ratio ${(prom / ours).toFixed(2)}x`);

// ---- per API request: a counter and a histogram with kube's 8/7 labels ----
const paths = ['/apis/example.com/v1/namespaces/default/widgets/w1', '/apis/example.com/v1/namespaces/default/widgets', '/api/v1/namespaces/ns1/configmaps/c1'];
const q = new URLSearchParams();
const routes = paths.map((p) => route('GET', p, q) as ResourceRequest);
const ours = new ApiMetrics(new MemoryStore(), new ResourceCatalog());
const reg = new client.Registry();
const reqLabels = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const pReq = new client.Counter({ name: 'apiserver_request_total', help: 'h', labelNames: [...reqLabels, 'code'], registers: [reg] });
const pDur = new client.Histogram({ name: 'apiserver_request_duration_seconds', help: 'h', labelNames: [...reqLabels], buckets: durationBuckets, registers: [reg] });

const routing = time(N, (i) => route('GET', paths[i % 3]!, q));
const oursReq = time(N, (i) => {
  const r = routes[i % 3]!;
  ours.observe(r, metricVerb(r, 'GET', undefined), 200, 0.001 * (i % 7));
});
const promReq = time(N, (i) => {
  const r = routes[i % 3]!;
  const verb = metricVerb(r, 'GET', undefined);
  const labels = { verb, group: r.group, version: r.version, resource: r.resource, subresource: r.subresource, scope: r.name ? 'resource' : 'namespace', component: 'apiserver' };
  pReq.inc({ ...labels, code: '200' });
  pDur.observe(labels, 0.001 * (i % 7));
});
console.log(`reference: routing a request ${routing.toFixed(0)} ns`);
row('per request (counter + histogram, 8 labels)', oursReq, promReq, 'ns');

// ---- per reconcile: outcome counter, reconcile time, queue and work duration ----
// Ours bumps fields of objects the controller holds; prom-client at its best
// (children bound once with .labels()) and as usually written (label objects).
const ctl = 'widgets';
const outcomes = { Done: 0 };
const rt = new Histogram(reconcileTimeBuckets), qd = new Histogram(queueBuckets), wd = new Histogram(queueBuckets);
const pTotal = new client.Counter({ name: 'controller_runtime_reconcile_total', help: 'h', labelNames: ['controller', 'result'], registers: [reg] });
const pTime = new client.Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'h', labelNames: ['controller'], buckets: reconcileTimeBuckets, registers: [reg] });
const pQd = new client.Histogram({ name: 'workqueue_queue_duration_seconds', help: 'h', labelNames: ['name', 'controller'], buckets: queueBuckets, registers: [reg] });
const pWd = new client.Histogram({ name: 'workqueue_work_duration_seconds', help: 'h', labelNames: ['name', 'controller'], buckets: queueBuckets, registers: [reg] });
const bTotal = pTotal.labels(ctl, 'success'), bTime = pTime.labels(ctl), bQd = pQd.labels(ctl, ctl), bWd = pWd.labels(ctl, ctl);
const oursRec = time(N, (i) => {
  const s = 1e-4 * (i % 13);
  outcomes.Done++;
  rt.observe(s);
  qd.observe(s / 10);
  wd.observe(s);
});
const promBound = time(N, (i) => {
  const s = 1e-4 * (i % 13);
  bTotal.inc();
  bTime.observe(s);
  bQd.observe(s / 10);
  bWd.observe(s);
});
const promLabels = time(N, (i) => {
  const s = 1e-4 * (i % 13);
  pTotal.inc({ controller: ctl, result: 'success' });
  pTime.observe({ controller: ctl }, s);
  pQd.observe({ name: ctl, controller: ctl }, s / 10);
  pWd.observe({ name: ctl, controller: ctl }, s);
});
row('per reconcile (bound children)', oursRec, promBound, 'ns');
row('per reconcile (label objects)', oursRec, promLabels, 'ns');

// ---- a scrape with many series: 40 resources × 6 verbs × 3 codes ----
const scrapeOurs = new ApiMetrics(new MemoryStore(), new ResourceCatalog());
const sReg = new client.Registry();
const sReq = new client.Counter({ name: 'apiserver_request_total', help: 'h', labelNames: [...reqLabels, 'code'], registers: [sReg] });
const sDur = new client.Histogram({ name: 'apiserver_request_duration_seconds', help: 'h', labelNames: [...reqLabels], buckets: durationBuckets, registers: [sReg] });
let series = 0;
for (let res = 0; res < 40; res++) {
  for (const verb of ['GET', 'LIST', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = { ...routes[0]!, resource: `things${res}` };
    for (const code of [200, 404, 409]) {
      scrapeOurs.observe(r, verb, code, 0.01 * code);
      const labels = { verb, group: r.group, version: r.version, resource: r.resource, subresource: r.subresource, scope: 'resource', component: 'apiserver' };
      sReq.inc({ ...labels, code: String(code) });
      sDur.observe(labels, 0.01 * code);
      series++;
    }
  }
}
const scrapes = Math.max(20, Math.round(N / 5000));
const oursScrape = await timeAsync(scrapes, () => scrapeOurs.render());
const promScrape = await timeAsync(scrapes, () => sReg.metrics());
row(`scrape (${series} counters + ${series / 3} histograms)`, oursScrape, promScrape, 'µs');
