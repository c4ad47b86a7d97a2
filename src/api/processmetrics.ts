// Process and Node.js runtime metrics for /metrics, by prom-client's default
// collectors (process_cpu_seconds_total, process_resident_memory_bytes,
// process_start_time_seconds, process_open_fds, nodejs_heap_size_used_bytes,
// nodejs_eventloop_lag_seconds, nodejs_gc_duration_seconds, …; names as
// prom-client gives them, which Node dashboards expect).
//
// Key idea: these are read when scraped (from /proc, process.memoryUsage(),
// V8), so the library costs nothing on our hot paths; the request and
// reconcile families stay in api/prometheus.ts, which bench/metrics/promclient.ts
// measured 1.7–2.5× (per request) to 8–21× (per reconcile) cheaper than prom-client.
// prom-client is imported on the first call only (a server that starts), so
// CLI commands that never serve do not load it.

type Registry = { metrics(): Promise<string> };

let registry: Promise<Registry> | undefined;

/** Starts the process collectors once per process; returns their registry. */
export function processMetrics(): Promise<Registry> {
  registry ??= import('prom-client').then((pc) => {
    const r = new pc.Registry();
    pc.collectDefaultMetrics({ register: r });
    return r;
  });
  return registry;
}

/** Appends the process and runtime families (their text without the trailing newline). */
export async function collectProcessMetrics(out: string[]): Promise<void> {
  const text = await (await processMetrics()).metrics();
  out.push(text.replace(/\n+$/, ''));
}
