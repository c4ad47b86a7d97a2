// Health endpoints as kube-apiserver serves them: /healthz, /livez, /readyz
// answer "ok" (200) when every check passes; `?verbose` lists the checks
// (`[+]ping ok` … `livez check passed`), `?exclude=<name>` skips one, and
// `/<endpoint>/<check>` runs a single check. A failing check answers 500
// with `[-]<name> failed: reason withheld`, as kube does to unauthenticated
// callers.
//
// Checks: `ping` (the event loop answers), `store` (a point read of the
// store, which fails once the store is closed or unreachable — etcd
// included); /readyz adds `shutdown` (not shutting down).

import type { ServerResponse } from 'node:http';
import type { Store } from '../store/store.js';

type Check = { name: string; run: () => Promise<void> | void };

export interface Health {
  /** Serves the path if it is a health path; false otherwise. */
  serve(path: string, query: URLSearchParams, res: ServerResponse): Promise<boolean>;
  /** Marks the server as shutting down (readyz fails from then on). */
  shuttingDown(): void;
}

export function healthChecks(store: Store): Health {
  let stopping = false;
  const ping: Check = { name: 'ping', run: () => undefined };
  const storeCheck: Check = {
    name: 'store',
    run: async () => {
      await store.get({ resource: 'core/namespaces', namespace: '', name: 'kube-system' });
    },
  };
  const shutdown: Check = {
    name: 'shutdown',
    run: () => {
      if (stopping) throw new Error('shutting down');
    },
  };
  const endpoints: Record<string, Check[]> = { healthz: [ping, storeCheck], livez: [ping, storeCheck], readyz: [ping, storeCheck, shutdown] };
  return {
    shuttingDown: () => void (stopping = true),
    async serve(path, query, res) {
      const parts = path.split('/').filter((p) => p !== '');
      const checks = endpoints[parts[0] ?? ''];
      if (!checks || parts.length > 2) return false;
      let selected = checks;
      if (parts.length === 2) {
        selected = checks.filter((c) => c.name === parts[1]);
        if (!selected.length) return false;
      }
      const excluded = new Set(query.getAll('exclude'));
      const lines: string[] = [];
      let failed = false;
      for (const c of selected) {
        if (excluded.has(c.name)) {
          lines.push(`[+]${c.name} excluded: ok`);
          continue;
        }
        try {
          await c.run();
          lines.push(`[+]${c.name} ok`);
        } catch {
          failed = true;
          lines.push(`[-]${c.name} failed: reason withheld`);
        }
      }
      const verbose = query.has('verbose') || failed;
      const body = verbose ? `${lines.join('\n')}\n${parts[0]} check ${failed ? 'failed' : 'passed'}\n` : 'ok';
      res.writeHead(failed ? 500 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
      return true;
    },
  };
}
