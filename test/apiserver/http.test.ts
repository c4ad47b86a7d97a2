// The API server at the HTTP level, where kubectl hides the details: Status
// error objects and codes, discovery documents (legacy and aggregated, ETags),
// OpenAPI v3 documents, Table rendering, watch parameters, dry run,
// deletecollection, body limits, bearer-token auth and hostile input.

import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { Harness } from './helpers.js';
import { widgetCrd } from './fixtures.js';
import { parse as parseYaml } from 'yaml';
import { MemoryStore } from '../../src/store/memory.js';

const coll = '/apis/example.com/v1/namespaces/default/widgets';
const json = { 'Content-Type': 'application/json' };
const w = (name: string, spec: unknown, labels?: Record<string, string>) => JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, labels }, spec });

/** Reads a watch stream until `until` says stop (or the stream ends); bounded by a timeout. */
function watchLines(url: string, until: (events: any[]) => boolean, timeoutMs = 5000): Promise<{ status: number; events: any[] }> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const req = http.get(url, (res) => {
      let buf = '';
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, events });
      };
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
        if (until(events)) done();
      });
      res.on('end', done);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`watch timed out with ${events.length} events: ${JSON.stringify(events.map((e) => e.type))}`));
    }, timeoutMs);
    req.on('error', () => undefined);
  });
}

describe('API server HTTP surface', { timeout: 60_000 }, () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
    const r = await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: JSON.stringify(parseYaml(widgetCrd)), headers: json });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  });
  after(async () => h?.close());

  it('answers errors as Status objects with the right codes', async () => {
    const nf = await h.http('GET', `${coll}/nope`);
    assert.equal(nf.status, 404);
    assert.deepEqual({ kind: nf.json.kind, reason: nf.json.reason, code: nf.json.code, message: nf.json.message }, { kind: 'Status', reason: 'NotFound', code: 404, message: 'widgets.example.com "nope" not found' });
    assert.deepEqual(nf.json.details, { name: 'nope', group: 'example.com', kind: 'widgets' });

    const created = await h.http('POST', coll, { body: w('dup', { size: 1 }), headers: { ...json, 'User-Agent': 'my-tool/1.2 (linux)' } });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.metadata.managedFields.map((m: { manager: string; operation: string }) => [m.manager, m.operation]), [['my-tool', 'Update']]);
    const dup = await h.http('POST', coll, { body: w('dup', { size: 1 }), headers: json });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.reason, 'AlreadyExists');

    const cur = (await h.http('GET', `${coll}/dup`)).json;
    const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' }, spec: { size: 2 } };
    const conflict = await h.http('PUT', `${coll}/dup`, { body: JSON.stringify(stale), headers: json });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.reason, 'Conflict');
    assert.match(conflict.json.message, /the object has been modified/);

    const bad = await h.http('POST', coll, { body: '{"apiVersion": ', headers: json });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'BadRequest');

    const invalid = await h.http('POST', coll, { body: w('inv', { size: -1, color: 7 }), headers: json });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json.reason, 'Invalid');
    const fields = invalid.json.details.causes.map((c: { field: string }) => c.field).sort();
    assert.deepEqual(fields, ['spec.color', 'spec.size']);

    const smp = await h.http('PATCH', `${coll}/dup`, { body: '{"spec":{"size":3}}', headers: { 'Content-Type': 'application/strategic-merge-patch+json' } });
    assert.equal(smp.status, 415);
    assert.equal(smp.json.reason, 'UnsupportedMediaType');
    const weird = await h.http('POST', coll, { body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(weird.status, 415);

    const na = await h.http('GET', `${coll}/dup`, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(na.status, 406);
    assert.equal(na.json.reason, 'NotAcceptable');

    const opt = await h.http('OPTIONS', coll);
    assert.equal(opt.status, 405);
    const postStatus = await h.http('POST', `${coll}/dup/status`, { body: w('dup', {}), headers: json });
    assert.equal(postStatus.status, 405);

    const unknownType = await h.http('GET', '/apis/example.com/v1/namespaces/default/gizmos');
    assert.equal(unknownType.status, 404);
    assert.equal(unknownType.json.kind, 'Status');
  });

  it('limits request bodies (413) and survives hostile input', async () => {
    const big = JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'big' }, spec: { size: 1, items: ['x'.repeat(4 * 1024 * 1024)] } });
    const r = await h.http('POST', coll, { body: big, headers: json });
    assert.equal(r.status, 413);
    assert.equal(r.json.reason, 'RequestEntityTooLarge');
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
    const inputs = [deep, 'null', '[]', '"str"', '{"metadata": 5}', '{"metadata": {"name": {"x": 1}}}', '{"kind": "Other", "metadata": {"name": "a"}}', '{"metadata":{"name":"a","labels":{"bad key!":"v"}}}', '{"metadata":{"name":"UPPER"}}', '\u0000\u0001'];
    for (const body of inputs) {
      const res = await h.http('POST', coll, { body, headers: json });
      assert.ok(res.status >= 400 && res.status < 500, `${body} → ${res.status}`);
      assert.equal(res.json.kind, 'Status', body);
    }
    for (const path of ['/apis/%zz', '/api/v1/namespaces/default/configmaps/a/b/c/d', '/apis/example.com/v1/namespaces/default/widgets?limit=abc', `${coll}?labelSelector=a%20in%20(`, `${coll}?fieldSelector=%3D%3D`]) {
      const res = await h.http('GET', path);
      assert.ok(res.status >= 400 && res.status < 500, `${path} → ${res.status}`);
    }
    const deepApply = await h.http('PATCH', `${coll}/deep?fieldManager=x`, { body: `a:\n${Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i + 1)}b${i}:`).join('\n')} 1`, headers: { 'Content-Type': 'application/apply-patch+yaml' } });
    assert.equal(deepApply.status, 400);
    const jp = await h.http('PATCH', `${coll}/dup`, { body: '[{"op":"frobnicate","path":"/spec"}]', headers: { 'Content-Type': 'application/json-patch+json' } });
    assert.ok(jp.status === 400 || jp.status === 422, String(jp.status));
    assert.equal((await h.http('GET', '/healthz')).status, 200);
  });

  it('serves legacy and aggregated discovery with ETags', async () => {
    const api = await h.http('GET', '/api');
    assert.deepEqual(api.json.versions, ['v1']);
    const apis = await h.http('GET', '/apis');
    assert.ok(apis.json.groups.some((g: { name: string }) => g.name === 'example.com'));
    const gv = await h.http('GET', '/apis/example.com/v1');
    const names = gv.json.resources.map((r: { name: string }) => r.name);
    assert.deepEqual(names, ['widgets', 'widgets/status']);
    assert.deepEqual(gv.json.resources[0].shortNames, ['wd']);

    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const agg = await h.http('GET', '/apis', { headers: { Accept: accept } });
    assert.equal(agg.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(agg.json.kind, 'APIGroupDiscoveryList');
    const group = agg.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'example.com');
    const res = group.versions[0].resources[0];
    assert.equal(res.resource, 'widgets');
    assert.deepEqual(res.responseKind, { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.equal(res.scope, 'Namespaced');
    assert.deepEqual(res.categories, ['all']);
    assert.equal(res.subresources[0].subresource, 'status');
    const etag = agg.headers.get('etag')!;
    const again = await fetch(h.url + '/apis', { headers: { Accept: accept, 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const beta = await h.http('GET', '/api', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
    assert.equal(beta.json.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.ok(beta.json.items[0].versions[0].resources.some((r: { resource: string }) => r.resource === 'namespaces'));
    assert.equal((await h.http('GET', '/version')).json.major, '1');
  });

  it('serves OpenAPI v3 with fieldValidation on PATCH and the kind schema', async () => {
    const root = await h.http('GET', '/openapi/v3');
    const entry = root.json.paths['apis/example.com/v1'];
    assert.match(entry.serverRelativeURL, /^\/openapi\/v3\/apis\/example.com\/v1\?hash=[0-9A-F]+$/);
    const doc = await h.http('GET', entry.serverRelativeURL);
    const patch = doc.json.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.ok(patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'));
    const schema = doc.json.components.schemas['com.example.v1.Widget'];
    assert.equal(schema.properties.spec.properties.size.type, 'integer');
    assert.ok(doc.json.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(root.json.paths['api/v1']);
  });

  it('renders Tables with printer columns and row objects', async () => {
    await h.http('POST', coll, { body: w('tab', { size: 4, color: 'red' }), headers: json });
    const t = await h.http('GET', `${coll}?fieldSelector=metadata.name%3Dtab`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.equal(t.json.kind, 'Table');
    assert.deepEqual(
      t.json.columnDefinitions.map((c: { name: string; priority: number }) => [c.name, c.priority]),
      [['Name', 0], ['Size', 0], ['Color', 1], ['Ready', 0], ['Age', 0]],
    );
    assert.equal(t.json.rows.length, 1);
    assert.deepEqual(t.json.rows[0].cells.slice(0, 4), ['tab', 4, 'red', null]);
    assert.equal(t.json.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(t.json.rows[0].object.metadata.namespace, 'default');
    const none = await h.http('GET', `${coll}/tab?includeObject=None`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.equal(none.json.rows[0].object, undefined);
    const meta = await h.http('GET', coll, { headers: { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    assert.equal(meta.json.kind, 'PartialObjectMetadataList');
    assert.equal(meta.json.items[0].spec, undefined);
  });

  it('pages lists with limit/continue at one snapshot', async () => {
    for (const n of ['pg-1', 'pg-2', 'pg-3']) await h.http('POST', coll, { body: w(n, { size: 1 }, { pg: 'yes' }), headers: json });
    const p1 = await h.http('GET', `${coll}?labelSelector=pg%3Dyes&limit=2`);
    assert.deepEqual(p1.json.items.map((o: any) => o.metadata.name), ['pg-1', 'pg-2']);
    assert.ok(p1.json.metadata.continue);
    await h.http('POST', coll, { body: w('pg-4', { size: 1 }, { pg: 'yes' }), headers: json });
    const p2 = await h.http('GET', `${coll}?labelSelector=pg%3Dyes&limit=2&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
    assert.deepEqual(p2.json.items.map((o: any) => o.metadata.name), ['pg-3']);
    assert.equal(p2.json.metadata.continue, undefined);
  });

  it('dry run does not persist; deletecollection honours the label selector', async () => {
    const dry = await h.http('POST', `${coll}?dryRun=All`, { body: w('dry', { size: 1 }), headers: json });
    assert.equal(dry.status, 201);
    assert.equal(dry.json.spec.color, 'blue');
    assert.equal((await h.http('GET', `${coll}/dry`)).status, 404);
    for (const [n, l] of [['dc-1', 'a'], ['dc-2', 'a'], ['dc-3', 'b']]) await h.http('POST', coll, { body: w(n, { size: 1 }, { dc: l }), headers: json });
    const del = await h.http('DELETE', `${coll}?labelSelector=dc%3Da`);
    assert.equal(del.status, 200);
    const left = await h.http('GET', `${coll}?labelSelector=dc`);
    assert.deepEqual(left.json.items.map((o: any) => o.metadata.name), ['dc-3']);
  });

  it('status subresource: PUT /status changes only status, main writes keep it', async () => {
    await h.http('POST', coll, { body: w('st', { size: 1 }), headers: json });
    const cur = (await h.http('GET', `${coll}/st`)).json;
    const put = await h.http('PUT', `${coll}/st/status`, { body: JSON.stringify({ ...cur, spec: { size: 99 }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }), headers: json });
    assert.equal(put.status, 200);
    assert.equal(put.json.spec.size, 1);
    assert.equal(put.json.status.conditions[0].status, 'True');
    assert.equal(put.json.metadata.generation, 1);
    const main = await h.http('PATCH', `${coll}/st`, { body: '{"spec":{"size":2},"status":null}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(main.json.status.conditions[0].status, 'True');
    assert.equal(main.json.metadata.generation, 2);
  });

  it('watch: initial events + bookmark, selector transitions, too-old RV, timeout', async () => {
    await h.http('POST', coll, { body: w('wa', { size: 1 }, { team: 'x' }), headers: json });
    const initial = await watchLines(`${h.url}${coll}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=team%3Dx`, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
    assert.equal(initial.events[0].type, 'ADDED');
    assert.equal(initial.events[0].object.metadata.name, 'wa');
    const bm = initial.events.find((e) => e.type === 'BOOKMARK');
    assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');

    const rv = (await h.http('GET', `${coll}/wa`)).json.metadata.resourceVersion;
    const leaving = watchLines(`${h.url}${coll}?watch=1&resourceVersion=${rv}&labelSelector=team%3Dx`, (ev) => ev.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await h.http('PATCH', `${coll}/wa`, { body: '{"spec":{"size":2}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    await h.http('PATCH', `${coll}/wa`, { body: '{"metadata":{"labels":{"team":"y"}}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    const l = await leaving;
    assert.deepEqual(l.events.map((e) => e.type), ['MODIFIED', 'DELETED']);

    const gone = await watchLines(`${h.url}${coll}?watch=1&resourceVersion=1`, (ev) => ev.length >= 1);
    // A store keeping the whole short history may still replay from 1; otherwise it is a 410 ERROR.
    if (gone.events[0].type === 'ERROR') assert.equal(gone.events[0].object.code, 410);

    const periodic = await watchLines(`${h.url}${coll}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&labelSelector=none`, (ev) => ev.length >= 1, 3000);
    assert.equal(periodic.events[0].type, 'BOOKMARK');
    assert.ok(Number(periodic.events[0].object.metadata.resourceVersion) >= Number(rv));

    const badRv = await h.http('GET', `${coll}?watch=1&resourceVersion=abc`);
    assert.ok(badRv.status === 400 || (badRv.status === 200 && /"code":400/.test(JSON.stringify(badRv.json))), JSON.stringify(badRv.json));

    const start = Date.now();
    const timed = await watchLines(`${h.url}${coll}?watch=1&resourceVersion=${rv}&timeoutSeconds=1&labelSelector=none`, () => false, 5000);
    assert.equal(timed.status, 200);
    assert.ok(Date.now() - start >= 900);
  });
});

describe('API server auth on a non-loopback address', { timeout: 30_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ address: '0.0.0.0' });
  });
  after(async () => h?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.get(h.url + path, { ca: h.server.caCert, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });

  it('serves HTTPS with a self-signed certificate and requires the generated bearer token, which the kubeconfig carries', async () => {
    assert.match(h.url, /^https:\/\//);
    assert.ok(h.server.token && h.server.token.length >= 20);
    const anon = await get('/api/v1/namespaces');
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(anon.body).reason, 'Unauthorized');
    assert.equal((await get('/api/v1/namespaces', { Authorization: 'Bearer nope' })).status, 401);
    assert.equal((await get('/api/v1/namespaces', { Authorization: `Bearer ${h.server.token}` })).status, 200);
    assert.equal((await get('/healthz')).status, 200);
    assert.match(await h.ok(['get', 'ns']), /default\s+Active/);
  });
});

describe('watch bookmarks advance with the store', { timeout: 30_000 }, () => {
  // A short history (20 events) so writes to other kinds compact away a quiet watch's last event.
  let h: Harness;
  before(async () => {
    h = await Harness.start({ store: new MemoryStore({ historySize: 20 }) });
  });
  after(async () => h?.close());

  it('a quiet watch\'s BOOKMARK carries the current revision, and resuming from it after compaction is not 410 Gone', async () => {
    const secrets = '/api/v1/namespaces/default/secrets';
    const rv: string = (await h.http('GET', secrets)).json.metadata.resourceVersion;
    const cm = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bm-${i}` }, data: { i: String(i) } });
    // Done at the first bookmark at the revision the writes below end at (known once they are done;
    // a bookmark sent while they are still going carries an earlier one).
    let target = Number.POSITIVE_INFINITY;
    const quiet = watchLines(`${h.url}${secrets}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (ev) => ev.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= target), 10_000);
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 40; i++) assert.equal((await h.http('POST', '/api/v1/namespaces/default/configmaps', { body: cm(i), headers: { 'Content-Type': 'application/json' } })).status, 201);
    const current = Number((await h.http('GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion);
    target = current;
    const bookmarks = (await quiet).events.filter((e) => e.type === 'BOOKMARK');
    const resume: string = bookmarks[bookmarks.length - 1].object.metadata.resourceVersion;
    assert.equal(Number(resume), current);
    // The watch's own start point is compacted away; the bookmark's is not.
    const stale = await watchLines(`${h.url}${secrets}?watch=1&resourceVersion=${rv}`, (ev) => ev.length >= 1);
    assert.equal(stale.events[0].object.code, 410);
    const resumed = watchLines(`${h.url}${secrets}?watch=1&resourceVersion=${resume}`, (ev) => ev.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    await h.http('POST', secrets, { body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bm-s' } }), headers: { 'Content-Type': 'application/json' } });
    const first = (await resumed).events[0];
    assert.equal(first.type, 'ADDED', JSON.stringify(first));
    assert.equal(first.object.metadata.name, 'bm-s');
  });
});
