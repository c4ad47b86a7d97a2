// Hostile HTTP input against the real server: bodies too big or too deep
// (JSON and YAML, bounded in time and memory), request lines and headers over
// 16 KB, a PUT of a custom resource without resourceVersion, and what counts
// as a loopback address. Each case is answered with a Status (or the HTTP
// status kube-apiserver gives), never a reset or a stalled server.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { isLoopback, startApiServer } from '../../src/apiserver/server.js';
import { MemoryStore } from '../../src/store/memory.js';
import { widgetCrd } from '../apiserver/fixtures.js';
import { Harness } from '../apiserver/helpers.js';

const coll = '/apis/example.com/v1/namespaces/default/widgets';
const cms = '/api/v1/namespaces/default/configmaps';
const json = { 'Content-Type': 'application/json' };
const yaml = { 'Content-Type': 'application/yaml' };

/** Sends raw bytes and returns the status line of the answer ('' when the connection was reset or closed without one). */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => s.destroy(), 5000);
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got.split('\r\n')[0]);
    });
    s.end(head);
  });
}

/** Runs `fn`, returning its result with the wall time and the growth of this process's RSS (the server runs in-process). */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rssMB: number }> {
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0, rssMB: (process.memoryUsage().rss - rss0) / 2 ** 20 };
}

describe('hostile HTTP input', { timeout: 60_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
    const r = await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: JSON.stringify(parseYaml(widgetCrd)), headers: json });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  });
  after(async () => h?.close());

  it('refuses a body over 3 MiB with 413 and kube-apiserver’s message', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
    const r = await h.http('POST', cms, { body: big, headers: json });
    assert.equal(r.status, 413);
    assert.equal(r.json.reason, 'RequestEntityTooLarge');
    assert.equal(r.json.message, 'Request entity too large: limit is 3145728');
  });

  for (const [name, body] of [
    ['flow sequences', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(1_500_000)}${']'.repeat(1_400_000)}`],
    ['flow mappings', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'{a: '.repeat(700_000)}`],
    ['block sequences', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x:\n    ${'- '.repeat(1_400_000)}1\n`],
  ] as const) {
    it(`answers a 3 MB YAML body of nested ${name} with 400 in bounded time and memory`, async () => {
      const { value: r, ms, rssMB } = await measured(() => h.http('POST', cms, { body, headers: yaml }));
      assert.equal(r.status, 400, JSON.stringify(r.json).slice(0, 300));
      assert.match(r.json.message, /nested deeper than \d+ levels/);
      assert.ok(ms < 3000, `took ${ms} ms`);
      assert.ok(rssMB < 150, `RSS grew ${rssMB.toFixed(0)} MB`);
      assert.equal((await h.http('GET', '/healthz')).status, 200);
    });
  }

  it('answers a 3 MB YAML body of a million flat items with 400 in bounded time and memory', async () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flat}\ndata: [${'1,'.repeat(1_400_000)}1]\n`;
    const { value: r, ms, rssMB } = await measured(() => h.http('POST', cms, { body, headers: yaml }));
    assert.equal(r.status, 400, JSON.stringify(r.json).slice(0, 300));
    assert.match(r.json.message, /more than \d+ YAML tokens/);
    assert.ok(ms < 3000, `took ${ms} ms`);
    assert.ok(rssMB < 150, `RSS grew ${rssMB.toFixed(0)} MB`);
  });

  it('takes a large JSON body sent as YAML (what kubectl apply --server-side sends) quickly', async () => {
    const data = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, 'v']));
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wide' }, data });
    const { value: r, ms } = await measured(() => h.http('PATCH', `${cms}/wide?fieldManager=t`, { body, headers: { 'Content-Type': 'application/apply-patch+yaml' } }));
    assert.equal(r.status, 201, JSON.stringify(r.json).slice(0, 300));
    assert.equal(Object.keys(r.json.data).length, 30_000);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  it('answers a YAML alias bomb with 400', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\nbinaryData: {}\nx:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const { value: r, ms } = await measured(() => h.http('POST', cms, { body, headers: yaml }));
    assert.equal(r.status, 400);
    assert.match(r.json.message, /alias/i);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  it('answers deeply nested JSON with 400 quickly', async () => {
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    const { value: r, ms } = await measured(() => h.http('POST', cms, { body, headers: json }));
    assert.equal(r.status, 400);
    assert.match(r.json.message, /nested deeper than \d+ levels/);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  it('answers a request line over 16 KB with 414 and a header over 16 KB with 431, not a reset', async () => {
    const url = await rawRequest(h.server.port, `GET /api/v1/namespaces/default/configmaps?labelSelector=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(url, /^HTTP\/1\.1 414 /);
    const header = await rawRequest(h.server.port, `GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`);
    assert.match(header, /^HTTP\/1\.1 431 /);
    assert.equal((await h.http('GET', '/healthz')).status, 200);
  });

  it('refuses a PUT of a custom resource without metadata.resourceVersion, as kube-apiserver does', async () => {
    await h.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'norv', namespace: 'default' }, spec: { size: 1 } }) });
    const raw = await h.http('PUT', `${coll}/norv`, { body: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'norv' }, spec: { size: 3 } }), headers: json });
    assert.equal(raw.status, 422);
    assert.equal(raw.json.message, 'widgets.example.com "norv" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    assert.deepEqual(raw.json.details, {
      name: 'norv',
      group: 'example.com',
      kind: 'widgets',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }],
    });
    assert.equal((await h.http('GET', `${coll}/norv`)).json.spec.size, 1);
    // So does a CRD (its strategy forbids unconditional updates too).
    const crd = (await h.http('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).json;
    delete crd.metadata.resourceVersion;
    const crdPut = await h.http('PUT', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com', { body: JSON.stringify(crd), headers: json });
    assert.equal(crdPut.status, 422);
    assert.equal(crdPut.json.message, 'customresourcedefinitions.apiextensions.k8s.io "widgets.example.com" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    // kubectl replace fills in the current resourceVersion itself, so it still works.
    await h.ok(['replace', '-f', '-'], { input: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'norv', namespace: 'default' }, spec: { size: 2 } }) });
    assert.equal((await h.http('GET', `${coll}/norv`)).json.spec.size, 2);
    // A missing object is still 404 first; built-in kinds that allow unconditional updates (ConfigMap) take a PUT without one.
    assert.equal((await h.http('PUT', `${coll}/absent`, { body: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'absent' }, spec: { size: 3 } }), headers: json })).status, 404);
    await h.ok(['create', 'configmap', 'uncond', '--from-literal=a=1']);
    const cm = await h.http('PUT', `${cms}/uncond`, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uncond' }, data: { a: '2' } }), headers: json });
    assert.equal(cm.status, 200, JSON.stringify(cm.json));
  });

  it('treats as loopback exactly the addresses that are (parsed, not string prefixes)', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) assert.equal(isLoopback(a), true, a);
    for (const a of ['127.example.com', '127.0.0.1.nip.io', '0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', '1270::1', '128.0.0.1', '', 'example.com']) assert.equal(isLoopback(a), false, a);
  });
});

describe('a client that stops reading an ordinary response', { timeout: 60_000 }, () => {
  it('is disconnected once the connection has been idle for the idle timeout, dropping the buffered response', async () => {
    const store = new MemoryStore();
    const server = await startApiServer({ store, idleTimeoutMs: 500 });
    try {
      for (let i = 0; i < 10; i++) await server.registry.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}`, namespace: 'default' }, data: { v: 'z'.repeat(1024 * 1024) } });
      const received = await new Promise<number>((resolve) => {
        const s = connect(server.port, '127.0.0.1');
        let n = 0;
        s.on('error', () => undefined);
        s.once('data', (c) => {
          n += c.length;
          s.pause();
          setTimeout(() => {
            s.on('data', (d) => (n += d.length));
            s.resume();
          }, 1500);
        });
        s.on('close', () => resolve(n));
        setTimeout(() => s.destroy(), 10_000);
        s.write(`GET ${cms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
      assert.ok(received < 10 * 1024 * 1024, `received the whole ${received} bytes`);
      // A watch is not an idle connection: it outlives the idle timeout.
      const res = await fetch(`${server.url}${cms}?watch=true&timeoutSeconds=2&resourceVersion=${(await server.registry.list({ apiVersion: 'v1', kind: 'ConfigMap' })).resourceVersion}`);
      const t0 = Date.now();
      await res.text();
      assert.ok(Date.now() - t0 > 1500, `watch ended after ${Date.now() - t0} ms`);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('requests in flight', { timeout: 60_000 }, () => {
  it('are bounded like kube-apiserver’s --max-requests-inflight: one more is 429, health checks and watches still answer', async () => {
    const store = new MemoryStore();
    const server = await startApiServer({ store, maxInflight: { readonly: 3, mutating: 2 } });
    const stalled: Array<ReturnType<typeof connect>> = [];
    try {
      for (let i = 0; i < 6; i++) await server.registry.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}`, namespace: 'default' }, data: { v: 'z'.repeat(1024 * 1024) } });
      // Three clients that ask for a 6 MB list and stop reading hold the three read slots.
      for (let i = 0; i < 3; i++) {
        const s = connect(server.port, '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise<void>((resolve) => {
          s.once('data', () => {
            s.pause();
            resolve();
          });
          s.write(`GET ${cms} HTTP/1.1\r\nHost: x\r\n\r\n`);
        });
        stalled.push(s);
      }
      const r = await fetch(`${server.url}${cms}/big-0`);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(((await r.json()) as { message: string }).message, 'Too many requests, please try again later.');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const watch = await fetch(`${server.url}${cms}?watch=true&timeoutSeconds=1`);
      assert.equal(watch.status, 200);
      await watch.text();
      // Writes have their own slots.
      const post = await fetch(`${server.url}${cms}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small' } }) });
      assert.equal(post.status, 201);
      for (const s of stalled) s.destroy();
      const ok = await eventuallyStatus(`${server.url}${cms}/big-0`, 200);
      assert.equal(ok, 200);
    } finally {
      for (const s of stalled) s.destroy();
      await server.close();
      await store.close();
    }
  });
});

async function eventuallyStatus(url: string, want: number): Promise<number> {
  let got = 0;
  for (let i = 0; i < 50 && got !== want; i++) {
    got = (await fetch(url)).status;
    if (got !== want) await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}
