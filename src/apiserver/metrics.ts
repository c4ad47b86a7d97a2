// /metrics in the Prometheus text exposition format (version 0.0.4) with the
// metric names kube-apiserver dashboards use:
//   apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}
//   apiserver_request_duration_seconds (histogram, kube's buckets; watches excluded as in kube)
//   apiserver_longrunning_requests{verb="WATCH",…}  open watches
//   apiserver_storage_objects{resource}            objects per stored resource, counted at scrape
//
// Trade-off: hand-written rather than prom-client (primitives in
// api/prometheus.ts). The format is small and fixed; per request the cost is
// one label-key string, one Map lookup and a bucket walk (bench:apiserver
// measured before/after, see the report). Storage counts walk the store at
// scrape time with a counting filter (no copies). Other parts of the process
// (the controllers) add their families through MetricsCollectors; process and
// Node.js runtime families come from prom-client's collectors (api/processmetrics.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRequest } from './router.js';
import type { ResourceCatalog } from './registry/resources.js';
import type { Store } from '../store/store.js';
import { Histogram, escapeLabel as esc, type MetricsCollector } from '../api/prometheus.js';
import { collectProcessMetrics, processMetrics } from '../api/processmetrics.js';

const durationBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** kube's request verb: LIST/WATCH for collection GETs, APPLY for server-side apply, methods otherwise. */
export function metricVerb(r: ResourceRequest, method: string, contentType: string | undefined): string {
  if (r.verb === 'list') return 'LIST';
  if (r.verb === 'watch') return 'WATCH';
  if (r.verb === 'deletecollection') return 'DELETECOLLECTION';
  if (r.verb === 'patch' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
  return method === 'HEAD' ? 'GET' : method;
}

function labelsOf(r: ResourceRequest, verb: string): string {
  const scope = r.name ? 'resource' : r.namespace ? 'namespace' : 'cluster';
  return `verb="${verb}",group="${esc(r.group)}",version="${esc(r.version)}",resource="${esc(r.resource)}",subresource="${esc(r.subresource)}",scope="${scope}",component="apiserver"`;
}

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly watches = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly catalog: ResourceCatalog,
    private readonly collectors: readonly MetricsCollector[] = [],
  ) {
    // Start the process collectors now: the GC and event-loop observers measure from here on.
    processMetrics().catch(() => {}); // render() reports a failure to load
  }

  /** One finished request (watches count here when they end, and not in the duration histogram). */
  observe(r: ResourceRequest, verb: string, code: number, seconds: number): void {
    const labels = labelsOf(r, verb);
    const key = `${labels},code="${code}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (verb === 'WATCH') return;
    let h = this.durations.get(labels);
    if (!h) this.durations.set(labels, (h = new Histogram(durationBuckets)));
    h.observe(seconds);
  }

  /** A watch opened (+1) or ended (-1). */
  watch(r: ResourceRequest, delta: number): void {
    const labels = labelsOf(r, 'WATCH');
    this.watches.set(labels, (this.watches.get(labels) ?? 0) + delta);
  }

  async render(): Promise<string> {
    const out: string[] = [];
    out.push('# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
    out.push('# TYPE apiserver_request_total counter');
    for (const [k, v] of this.requests) out.push(`apiserver_request_total{${k}} ${v}`);
    out.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.');
    out.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [labels, h] of this.durations) h.render(out, 'apiserver_request_duration_seconds', labels);
    out.push('# HELP apiserver_longrunning_requests Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.');
    out.push('# TYPE apiserver_longrunning_requests gauge');
    for (const [k, v] of this.watches) out.push(`apiserver_longrunning_requests{${k}} ${v}`);
    out.push('# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.');
    out.push('# TYPE apiserver_storage_objects gauge');
    for (const t of this.catalog.storageTypes()) {
      let n = 0;
      try {
        await this.store.list({ resource: t.storageKey }, { filter: () => (n++, false) });
      } catch {
        continue; // a store that cannot list right now: leave the series out rather than report 0
      }
      out.push(`apiserver_storage_objects{resource="${esc(t.group ? `${t.plural}.${t.group}` : t.plural)}"} ${n}`);
    }
    for (const c of this.collectors) c.collectMetrics(out);
    await collectProcessMetrics(out);
    return `${out.join('\n')}\n`;
  }
}

/** Counts one resource request when its response ends (watches: also while open). */
export function trackRequest(m: ApiMetrics, r: ResourceRequest, req: IncomingMessage, res: ServerResponse): void {
  const start = performance.now();
  const verb = metricVerb(r, req.method ?? 'GET', req.headers['content-type']);
  if (verb === 'WATCH') m.watch(r, 1);
  res.once('close', () => {
    if (verb === 'WATCH') m.watch(r, -1);
    m.observe(r, verb, res.statusCode, (performance.now() - start) / 1000);
  });
}

export async function serveMetrics(m: ApiMetrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await m.render();
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
