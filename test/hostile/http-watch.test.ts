// Watches that stop reading: 100 watch streams whose clients never read,
// then 20 ConfigMaps of 1 MB each. The server must keep its memory bounded
// (slow watchers are closed and their buffers dropped, as kube-apiserver
// closes unresponsive watchers), count watches per client (one more than the
// limit is 429), and keep serving everyone else.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startApiServer } from '../../src/apiserver/server.js';
import { MemoryStore } from '../../src/store/memory.js';
import { eventually, Harness } from '../apiserver/helpers.js';

const cms = '/api/v1/namespaces/default/configmaps';
const perClient = 100;

interface Watcher {
  socket: Socket;
  status: string;
  closed: boolean;
}

/** Opens a watch over a raw socket and stops reading once the status line arrived (the client "hangs"). */
function stalledWatch(port: number): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const w: Watcher = { socket, status: '', closed: false };
    socket.on('error', () => undefined);
    socket.on('close', () => (w.closed = true));
    socket.once('data', (c) => {
      w.status = c.toString('latin1').split('\r\n')[0];
      socket.pause();
      resolve(w);
    });
    setTimeout(() => reject(new Error('watch did not answer')), 5000).unref();
    socket.write(`GET ${cms}?watch=true HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

describe('watches that stop reading', { timeout: 120_000 }, () => {
  let h: Harness;
  const watchers: Watcher[] = [];
  before(async () => {
    h = await Harness.start();
  });
  after(async () => {
    for (const w of watchers) w.socket.destroy();
    await h?.close();
  });

  it('keeps memory bounded, closes the slow ones, and counts watches per client', async () => {
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < perClient; i++) watchers.push(await stalledWatch(h.server.port));
    assert.ok(watchers.every((w) => w.status === 'HTTP/1.1 200 OK'), watchers.map((w) => w.status).join());

    const extra = await h.http('GET', `${cms}?watch=true&timeoutSeconds=1`);
    assert.equal(extra.status, 429);
    assert.equal(extra.json.reason, 'TooManyRequests');
    assert.equal(extra.headers.get('retry-after'), '1');

    const value = 'x'.repeat(1024 * 1024);
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      const r = await h.http('POST', cms, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { v: value } }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 201);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const growthMB = (peak - rss0) / 2 ** 20;
    assert.ok(growthMB < 300, `RSS grew ${growthMB.toFixed(0)} MB`);

    // The stalled watchers were closed (their connections dropped): once they read again they see the end.
    for (const w of watchers) w.socket.resume();
    await eventually(async () => watchers.filter((w) => w.closed).length >= perClient / 2, 10_000, 'slow watchers to be closed');
    assert.equal((await h.http('GET', '/healthz')).status, 200);
    assert.equal((await h.http('GET', `${cms}/big-19`)).status, 200);
    // Closed watches no longer count against the client.
    const again = await stalledWatch(h.server.port);
    watchers.push(again);
    assert.equal(again.status, 'HTTP/1.1 200 OK');
  });
});

describe('a watch whose initial state is larger than the per-watch buffer', { timeout: 60_000 }, () => {
  it('is written with backpressure and reaches a reading client whole', async () => {
    const store = new MemoryStore();
    const server = await startApiServer({ store, watch: { maxBufferBytes: 256 * 1024 } });
    try {
      for (let i = 0; i < 60; i++) await server.registry.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { v: 'y'.repeat(20_000) } });
      const res = await fetch(`${server.url}${cms}?watch=true&timeoutSeconds=2`, { signal: AbortSignal.timeout(10_000) });
      const lines = (await res.text()).split('\n').filter((l) => l !== '');
      assert.equal(lines.filter((l) => JSON.parse(l).type === 'ADDED').length, 60);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
