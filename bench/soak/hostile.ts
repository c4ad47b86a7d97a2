// The hostile cases of issue 18, each a function that attacks the running
// server once and returns a one-line outcome ("ok: ..." when the server did
// what it should, "FAIL: ..." otherwise). Sizes are chosen so that today's
// server is visibly hurt (seconds of stall, hundreds of MiB) but a soak of a
// few minutes still finishes; the issue's own sizes stall it for minutes.

import http from 'node:http';
import { buildCRD } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import type { Client } from './client.js';
import { sleep } from './server.js';

export interface HostileCase {
  name: string;
  run(c: Client): Promise<string>;
}

const cms = '/api/v1/namespaces/default/configmaps';

/** One raw HTTP request (for what fetch will not send or hides): resolves to the status or the socket error's code. */
function raw(c: Client, method: string, path: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request(c.base + path, { method, headers: { ...headers, ...c.auth() }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

const verdict = (ok: boolean, text: string) => `${ok ? 'ok' : 'FAIL'}: ${text}`;

export const hostileCases: HostileCase[] = [
  {
    name: '__proto__ bodies',
    async run(c) {
      // kube keeps a data key named __proto__ and refuses it as a label key (not a valid qualified name).
      const r = await c.call('hostile', 'POST', cms, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"soak-proto"},"data":{"__proto__":"kept"}}`);
      const got = await c.call('hostile', 'GET', `${cms}/soak-proto`);
      const dataKept = got?.json && Object.prototype.hasOwnProperty.call(got.json.data ?? {}, '__proto__');
      const label = await c.call('hostile', 'POST', cms, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"soak-proto-label","labels":{"__proto__":"x"}}}`);
      const ns = await c.call('hostile', 'POST', cms, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"soak-proto-ns","__proto__":{"namespace":"kube-system"}}}`);
      for (const n of ['soak-proto', 'soak-proto-label', 'soak-proto-ns']) await c.call('hostile', 'DELETE', `${cms}/${n}`);
      const nsOk = ns?.status === 201 && ns.json?.metadata?.namespace === 'default';
      return verdict(
        !!dataKept && label?.status === 422 && nsOk,
        `create ${r?.status ?? r?.error}, data key __proto__ ${dataKept ? 'kept' : 'dropped'}; label key __proto__ → ${label?.status ?? label?.error} (want 422); metadata.__proto__.namespace → ${ns?.status ?? ns?.error} ns=${ns?.json?.metadata?.namespace ?? '-'}`,
      );
    },
  },
  {
    name: 'oversized headers / URL',
    async run(c) {
      const header = await raw(c, 'GET', '/healthz', { 'X-Soak': 'a'.repeat(20_000) });
      const url = await raw(c, 'GET', `${cms}?labelSelector=${'a'.repeat(20_000)}`, {});
      return verdict(header === 'HTTP 431' && url === 'HTTP 414', `20 KB header → ${header} (want 431); 20 KB URL → ${url} (want 414)`);
    },
  },
  {
    name: 'deep JSON body',
    async run(c) {
      const depth = 100_000;
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"soak-deep"},"data":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const t = Date.now();
      const r = await c.call('hostile', 'POST', cms, body, { timeoutMs: 60_000 });
      const ms = Date.now() - t;
      if (r?.status === 201) await c.call('hostile', 'DELETE', `${cms}/soak-deep`);
      return verdict(r?.status !== undefined && r.status >= 400 && r.status < 500 && ms < 1000, `${depth}-deep JSON (${Math.round(body.length / 1024)} KiB) → ${r?.status ?? r?.error} in ${ms} ms (want 4xx, fast)`);
    },
  },
  {
    name: 'deep YAML body',
    async run(c) {
      const depth = 300_000;
      const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: soak-deep-yaml\ndata:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
      const before = c.rss();
      const t = Date.now();
      const r = await c.call('hostile', 'POST', cms, body, { contentType: 'application/yaml', timeoutMs: 60_000 });
      const ms = Date.now() - t;
      const after = c.rss();
      if (r?.status === 201) await c.call('hostile', 'DELETE', `${cms}/soak-deep-yaml`);
      return verdict(
        r?.status !== undefined && r.status >= 400 && r.status < 500 && ms < 1000,
        `${depth}-deep YAML (${Math.round(body.length / 1024)} KiB) → ${r?.status ?? r?.error} in ${ms} ms, RSS ${before} → ${after} MiB (want 4xx, fast)`,
      );
    },
  },
  {
    name: 'concurrent merge-patches',
    async run(c) {
      await c.call('hostile', 'POST', cms, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'soak-hot' }, data: {} }));
      const codes: Record<string, number> = {};
      await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; i < 50; i++) {
            const r = await c.call('hostile', 'PATCH', `${cms}/soak-hot`, JSON.stringify({ data: { [`w${w}`]: String(i) } }), { contentType: 'application/merge-patch+json' });
            const k = String(r?.status ?? r?.error);
            codes[k] = (codes[k] ?? 0) + 1;
          }
        }),
      );
      await c.call('hostile', 'DELETE', `${cms}/soak-hot`);
      return verdict(codes['200'] === 200, `4 × 50 without resourceVersion → ${JSON.stringify(codes)} (want all 200)`);
    },
  },
  {
    name: 'non-reading watches',
    async run(c) {
      const big = 'x'.repeat(1024 * 1024);
      // RSS growth of writing 10 × 1 MiB ConfigMaps (stored, cached, encoded), measured without and then with 50 stalled watches:
      // the difference is what the stalled watches hold.
      const writeBig = async () => {
        const before = c.rss() ?? 0;
        for (let i = 0; i < 10; i++) await c.call('hostile', 'POST', cms, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `soak-big-${i}` }, data: { big } }), { timeoutMs: 30_000 });
        await sleep(1000);
        const grew = (c.rss() ?? 0) - before;
        for (let i = 0; i < 10; i++) await c.call('hostile', 'DELETE', `${cms}/soak-big-${i}`);
        await sleep(500);
        return grew;
      };
      const reference = await writeBig();
      const watches: http.ClientRequest[] = [];
      for (let i = 0; i < 50; i++) {
        const req = http.request(c.base + `${cms}?watch=true`, { headers: c.auth() }, (res) => res.pause());
        req.on('error', () => {});
        req.end();
        watches.push(req);
      }
      await sleep(500);
      const grew = await writeBig();
      for (const w of watches) w.destroy();
      await sleep(1000);
      const extra = grew - reference;
      return verdict(extra < 100, `10 × 1 MiB ConfigMaps: RSS +${reference} MiB without watches, +${grew} MiB with 50 stalled watches (+${extra} held by the watches; want < 100), ${c.rss()} MiB after closing them`);
    },
  },
  {
    name: 'ReDoS pattern CRD',
    async run(c) {
      const name: JSONSchemaProps = { type: 'string', pattern: '^(a+)+$' };
      const crd = buildCRD({ group: 'example.com', kind: 'Pattern', plural: 'patterns', schema: { type: 'object', properties: { spec: { type: 'object', properties: { name } } } } });
      const made = await c.call('hostile', 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd));
      for (let i = 0; i < 50 && (await c.call('hostile', 'GET', '/apis/example.com/v1/namespaces/default/patterns'))?.status !== 200; i++) await sleep(100);
      const value = 'a'.repeat(24) + '!';
      const t = Date.now();
      const r = await c.call('hostile', 'POST', '/apis/example.com/v1/namespaces/default/patterns', JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Pattern', metadata: { name: 'p' }, spec: { name: value } }), { timeoutMs: 120_000 });
      const ms = Date.now() - t;
      await c.call('hostile', 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/patterns.example.com');
      return verdict(r?.status === 422 && ms < 1000, `CRD with pattern ^(a+)+$ → ${made?.status ?? made?.error}; a 25-char value → ${r?.status ?? r?.error} in ${ms} ms (want 422, fast)`);
    },
  },
  {
    name: 'memory-bomb reconciler',
    async run(c) {
      return hazard(c, 'memory', 'soak-bomb');
    },
  },
  {
    name: 'slow built-in reconciler',
    async run(c) {
      return hazard(c, 'slow', 'soak-slow');
    },
  },
];

/** Creates a Hazard and waits up to 30 s for its reconcile to report (condition) or for the server to die. */
async function hazard(c: Client, kind: string, name: string): Promise<string> {
  const path = '/apis/example.com/v1alpha1/namespaces/default/hazards';
  const made = await c.call('hostile', 'POST', path, JSON.stringify({ apiVersion: 'example.com/v1alpha1', kind: 'Hazard', metadata: { name }, spec: { kind } }));
  const since = Date.now();
  const deadline = since + 30_000;
  const gen = c.generation();
  const died = () => !c.alive() || c.generation() !== gen;
  while (Date.now() < deadline) {
    if (died()) return verdict(false, `create → ${made?.status ?? made?.error}; the server died or was killed as hung (see server events; worst /healthz before: ${c.healthzMaxSince(since)} ms)`);
    const r = await c.call('hostile', 'GET', `${path}/${name}`, undefined, { timeoutMs: 5000 });
    const cond = (r?.json?.status?.conditions ?? []).find((x: { type: string }) => x.type === 'Ready');
    if (cond) {
      const stall = c.healthzMaxSince(since);
      const ok = cond.status === 'False' && stall < 1000;
      await c.call('hostile', 'DELETE', `${path}/${name}`);
      const why = String(cond.message ?? '').trim().split('\n').at(-1)!.trim().slice(0, 120);
      return verdict(ok, `create → ${made?.status ?? made?.error}; Ready=${cond.status} "${why}"; worst /healthz during it ${stall} ms (want False with a limit message, /healthz < 1 s)`);
    }
    await sleep(500);
  }
  if (died()) return verdict(false, `create → ${made?.status ?? made?.error}; the server died or was killed as hung (see server events; worst /healthz before: ${c.healthzMaxSince(since)} ms)`);
  // Try to remove it (a blocked server will not answer; the soak's supervisor then deals with it).
  await c.call('hostile', 'PATCH', `${path}/${name}`, '{"metadata":{"finalizers":null}}', { contentType: 'application/merge-patch+json', timeoutMs: 5000 });
  await c.call('hostile', 'DELETE', `${path}/${name}`, undefined, { timeoutMs: 5000 });
  return verdict(false, `create → ${made?.status ?? made?.error}; no Ready condition within 30 s (worst /healthz ${c.healthzMaxSince(since)} ms)`);
}
