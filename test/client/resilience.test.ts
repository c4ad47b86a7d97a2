// What a long-running HTTP client (the runner's kubeconfig mode) needs from
// the transport and the informer over it, against the real API server:
// retries of 429 honouring Retry-After, the client-side rate limit, watch
// resumption across stream ends kept fresh by bookmarks, and a relist when
// the resume point has left the server's history (410 Gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { isApiError } from '../../src/api/errors.js';
import { startApiServer, type ApiServer } from '../../src/apiserver/server.js';
import { HttpClient } from '../../src/client/httpclient.js';
import type { TransportOptions } from '../../src/client/transport.js';
import { SharedInformer } from '../../src/controller/informer.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchConfig } from '../../src/apiserver/watch.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const cm = (name: string): KObject => ({ ...CM, metadata: { name, namespace: 'default' }, data: { k: name } });

async function serve(opts: { historySize?: number; watch?: Partial<WatchConfig> } = {}): Promise<ApiServer> {
  return startApiServer({ store: new MemoryStore({ historySize: opts.historySize }), watch: opts.watch });
}

const connect = (srv: ApiServer, transport: TransportOptions = {}) => HttpClient.connect({ server: srv.url, namespace: 'default', contextName: 'test', files: [] }, transport);

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('429 (the server over its in-flight limit) is retried after Retry-After: every write lands; without retries some fail', async () => {
  // The file store: each write waits for its fsync, so concurrent writes overlap on the server and meet the limit of 1.
  const dir = await mkdtemp(join(tmpdir(), 'choreo-429-'));
  const store = await openStore(`file:${dir}`);
  const srv = await startApiServer({ store, maxInflight: { readonly: 1, mutating: 1 } });
  try {
    const noRetry = await connect(srv, { maxRetries: 0 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => noRetry.create(cm(`a${i}`))));
    assert.ok(results.some((r) => r.status === 'rejected' && isApiError(r.reason, 'TooManyRequests')), 'the server refuses some with 429');

    const c = await connect(srv);
    const t0 = performance.now();
    const stored = await Promise.all(Array.from({ length: 10 }, (_, i) => c.apply(cm(`b${i}`), { fieldManager: 't' })));
    assert.equal(stored.length, 10);
    assert.ok(c.transport.retries > 0, 'some were retried');
    assert.ok(performance.now() - t0 >= 900, 'the retries waited for Retry-After: 1');
  } finally {
    await srv.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the client-side rate limit spaces requests beyond the burst at qps', async () => {
  const srv = await serve();
  try {
    const c = await connect(srv, { rateLimit: { qps: 50, burst: 5 } });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => c.get(CM, 'default', 'none')));
    // The first 5 go at once, the other 25 at 50/s: at least ~500 ms (discovery at connect used some of the burst too).
    const limited = performance.now() - t0;
    assert.ok(limited >= 450, `30 requests took ${Math.round(limited)} ms`);
    const unlimited = await connect(srv);
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => unlimited.get(CM, 'default', 'none')));
    assert.ok(performance.now() - t1 < limited, 'without a limit they are not spaced');
  } finally {
    await srv.close();
  }
});

/** An informer on ConfigMaps over HTTP while Secrets are written; the server ends watch streams every 2 s. */
async function resumeAcrossChurn(historySize: number, bookmarkIntervalMs = 100, configMapEvery = 60): Promise<{ lists: number; names: string[] }> {
  const srv = await serve({ historySize, watch: { bookmarkIntervalMs, defaultTimeoutSeconds: 2 } });
  const c = await connect(srv);
  const inf = new SharedInformer(c, CM, { onError: () => {}, relistBaseDelayMs: 50 });
  try {
    await c.create(cm('first'));
    inf.start();
    await inf.waitForSync();
    const deadline = Date.now() + 4500;
    for (let i = 0; Date.now() < deadline; i++) {
      await c.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}`, namespace: 'default' } });
      if (i % configMapEvery === 0) await c.create(cm(`c${i}`));
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.create(cm('last'));
    await until(() => inf.get('default', 'last') !== undefined);
    const want = (await c.list(CM)).items.map((o) => o.metadata.name!).sort();
    const names = inf.list().map((o) => o.metadata.name!).sort();
    assert.deepEqual(names, want);
    return { lists: inf.lists, names };
  } finally {
    inf.stop();
    c.transport.close();
    await srv.close();
  }
}

test('watch resumption: when the server ends a stream the watch resumes from the last resourceVersion, without a relist', async () => {
  const r = await resumeAcrossChurn(10_000);
  assert.equal(r.lists, 1);
  assert.ok(r.names.length > 3);
});

test('watch resumption from a point the server no longer has (410 Gone) relists, and the cache is complete', async () => {
  // 20 events of history and no bookmark within a stream: the Secrets written meanwhile push the
  // ConfigMaps' resume point (their last event) out of it.
  const r = await resumeAcrossChurn(20, 60_000);
  assert.ok(r.lists >= 2, `relisted (${r.lists} lists)`);
});

test('bookmarks keep a quiet watch\'s resume point inside a short history: other kinds\' churn causes no relist', async () => {
  // 40 events of history (under a second of Secret writes) and no ConfigMap written after the first
  // stream begins; their watch's bookmarks carry the store's revision every 100 ms, so each stream
  // resumes from a point still in the history (with bookmarks at the last event sent, it is Gone).
  const r = await resumeAcrossChurn(40, 100, Infinity);
  assert.equal(r.lists, 1);
});
