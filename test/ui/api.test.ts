// The web UI's JSON API and live stream over a real engine and API server:
// examples/topology loaded into a memory store, served with a bearer token.
// Asserts what a script (or the UI) reads: counts per kind, reconciler stats,
// an object's owner chain, children, field ownership and reconcile history
// with its trigger, the ownership graph, the bounded history ring with the
// Starlark stack of a failure, token enforcement, and live stream messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open.js';
import { Engine } from '../../src/runner/engine.js';
import { discoverProject } from '../../src/runner/project/discover.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { uiExtension } from '../../src/ui/server.js';
import type { Graph, HistoryItem, ObjectPage, Overview, StreamMessage } from '../../src/ui/types.js';
import { conditionsCrdYaml, reconcilerConfig, writeProjectFiles } from '../helpers/project.js';
import { buildCRD } from '../../src/api/crd.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const token = 'ui-test-token';

async function serveProject(dir: string, historySize?: number) {
  const store = await openStore('memory');
  const engine = await Engine.open({ store, historySize, print: () => {} });
  const errors = await engine.load(await discoverProject(dir));
  assert.deepEqual(errors.map((e) => e.render()), []);
  const srv = await startApiServer({ store, registry: engine.registry, token, tls: false, extensions: [uiExtension({ registry: engine.registry, manager: engine.manager, history: engine.history })] });
  await engine.start();
  await engine.manager.idle();
  const get = async <T>(path: string, auth = true): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${srv.url}${path}`, { headers: auth ? { Authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  };
  const close = async () => {
    await srv.close();
    await engine.stop();
    await store.close();
  };
  return { engine, srv, get, close };
}

test('UI API: overview, object page, graph and history of examples/topology; the token is required for data, not for the page', async () => {
  const { get, close } = await serveProject(join(repo, 'examples/topology'));
  try {
    assert.equal((await get('/ui/api/overview', false)).status, 401);
    const page = await get<string>('/ui/', false);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/ui\/assets\/app.js">/);
    assert.equal((await get<string>('/ui/objects/topo.example.dev/Topology/default/dc1', false)).status, 200, 'every UI route answers with the page');
    assert.equal((await get('/api/v1/namespaces', false)).status, 401, 'the Kubernetes API still requires the token');

    const overview = (await get<Overview>('/ui/api/overview')).body;
    const kind = (k: string) => overview.kinds.find((x) => x.kind === k);
    assert.deepEqual({ ...kind('Node') }, { group: 'topo.example.dev', kind: 'Node', apiVersion: 'topo.example.dev/v1alpha1', plural: 'nodes', namespaced: true, total: 5, ready: 5, notready: 0, failed: 0 });
    assert.equal(kind('Link')?.total, 6);
    assert.equal(kind('ASClaim'), undefined, 'kinds without objects are only counted');
    assert.ok(overview.emptyKinds > 0);
    const topology = overview.reconcilers.find((r) => r.name === 'topology');
    assert.ok(topology && topology.reconciles >= 1 && topology.errors === 0 && topology.durationMaxMs >= topology.durationMeanMs && topology.queueDepth === 0, JSON.stringify(topology));
    assert.deepEqual(overview.latestErrors, []);

    const obj = (await get<ObjectPage>('/ui/api/objects/topo.example.dev/Topology/default/dc1')).body;
    assert.equal(obj.summary.readiness, 'ready');
    assert.deepEqual(obj.children.map((c) => `${c.kind}/${c.name}`).sort(), [
      ...['leaf1-spine1', 'leaf1-spine2', 'leaf2-spine1', 'leaf2-spine2', 'leaf3-spine1', 'leaf3-spine2'].map((n) => `Link/dc1-${n}`),
      ...['leaf1', 'leaf2', 'leaf3', 'spine1', 'spine2'].map((n) => `Node/dc1-${n}`),
    ]);
    const status = obj.fields.find((f) => f.name === 'status');
    const ready = status?.children.find((f) => f.name === 'conditions')?.children.find((f) => f.name === '[type=Ready]');
    assert.deepEqual(ready?.children.find((f) => f.name === 'status')?.managers, ['topology (status)']);
    assert.deepEqual(obj.fields.find((f) => f.name === 'spec')?.children.find((f) => f.name === 'pool')?.managers, ['inputfileloader']);
    const first = obj.history[obj.history.length - 1]!;
    assert.equal(first.reconciler, 'topology');
    assert.equal(first.outcome, 'Ready');
    assert.deepEqual(first.trigger, { event: 'Added', apiVersion: 'topo.example.dev/v1alpha1', kind: 'Topology', namespace: 'default', name: 'dc1' });
    assert.equal(first.writes.length, 11);

    const node = (await get<ObjectPage>('/ui/api/objects/topo.example.dev/Node/default/dc1-leaf1')).body;
    assert.deepEqual(node.owners.map((o) => `${o.kind}/${o.name}`), ['Topology/dc1']);

    const around = (await get<Graph>('/ui/api/graph?group=topo.example.dev&kind=Node&namespace=default&name=dc1-leaf1')).body;
    assert.deepEqual(around.nodes.map((n) => n.name).sort(), ['dc1', 'dc1-leaf1']);
    assert.deepEqual(around.edges, [{ from: around.nodes.find((n) => n.name === 'dc1')!.uid, to: around.nodes.find((n) => n.name === 'dc1-leaf1')!.uid }]);
    const whole = (await get<Graph>('/ui/api/graph')).body;
    assert.equal(whole.edges.length, 11);
    assert.ok(whole.nodes.some((n) => n.kind === 'IPPool' && n.name === 'underlay'), 'objects of the project kinds show even without owners');

    // Each trigger is an event the reconciler listens to: link-ipam hears Links only as its For type (so
    // the Link is the one reconciled), node-ipam hears Nodes also as siblings, topology its children.
    const all = (await get<HistoryItem[]>('/ui/api/history')).body;
    assert.ok(all.length >= 13);
    const hears: Record<string, string[]> = { topology: ['Topology', 'Node', 'Link'], 'node-ipam': ['Node', 'IPPool'], 'link-ipam': ['Link', 'Node', 'IPPool'] };
    for (const e of all) {
      assert.ok(e.trigger?.kind && hears[e.reconciler]!.includes(e.trigger.kind), JSON.stringify(e));
      if (e.reconciler === 'link-ipam' && e.trigger.kind === 'Link') assert.equal(e.trigger.name, e.name, JSON.stringify(e));
      if (e.reconciler === 'topology') assert.match(e.trigger.name ?? '', /^dc1/, JSON.stringify(e));
    }
    const links = (await get<HistoryItem[]>('/ui/api/history?reconciler=link-ipam&limit=3')).body;
    assert.equal(links.length, 3);
    assert.ok(links.every((e) => e.reconciler === 'link-ipam'));
    assert.ok(links[0]!.seq > links[1]!.seq, 'newest first');
    assert.equal((await get('/ui/api/history?limit=x')).status, 400);
    assert.equal((await get('/ui/api/objects/topo.example.dev/Node/default/nope')).status, 404);
    assert.equal((await get('/ui/api/nothing')).status, 404);
  } finally {
    await close();
  }
});

const group = 'ui.example.com';
const failing = `def reconcile(self):
    if self["metadata"]["name"].startswith("bad"):
        check(self)
    return reconcile_result(self, False, 0, "", False)

def check(obj):
    fail("no good: " + obj["metadata"]["name"])
`;
const widget = (name: string) => `apiVersion: ${group}/v1alpha1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: {size: 1}\n`;

test('UI API: the history ring keeps the last N reconciles, failures with their Starlark stack; the stream reports new objects and reconciles', async () => {
  const dir = await writeProjectFiles({
    [`crds/${group}_widgets.yaml`]: conditionsCrdYaml(group, 'widgets', 'Widget'),
    'reconcilers/widgets/config.yaml': reconcilerConfig(group, 'Widget'),
    'reconcilers/widgets/reconciler.star': failing,
    'in/widgets.yaml': ['a', 'b', 'c', 'bad1'].map(widget).join('---\n'),
  });
  const { engine, srv, get, close } = await serveProject(dir, 3);
  try {
    const all = (await get<HistoryItem[]>('/ui/api/history')).body;
    assert.equal(all.length, 3, 'bounded by --history');
    assert.equal(engine.history.list().length, 3);
    const bad = (await get<ObjectPage>('/ui/api/objects/ui.example.com/Widget/default/bad1')).body;
    assert.equal(bad.summary.readiness, 'failed');
    const failure = bad.history[0]!;
    assert.equal(failure.outcome, 'Error');
    assert.equal(failure.message, 'Error in fail: fail: no good: bad1');
    assert.ok(failure.durationMs > 0, JSON.stringify(failure));
    assert.match(failure.stack ?? '', /^Traceback \(most recent call last\):\n[\s\S]*reconciler\.star:3:14: in reconcile\n[\s\S]*reconciler\.star:7:9: in check\n/);
    const overview = (await get<Overview>('/ui/api/overview')).body;
    assert.equal(overview.kinds.find((k) => k.kind === 'Widget')?.failed, 1);
    assert.equal(overview.latestErrors[0]?.name, 'bad1');
    assert.equal(overview.historySize, 3);
    const failures = (await get<HistoryItem[]>('/ui/api/history?errors=1')).body;
    assert.ok(failures.length >= 1 && failures.every((e) => e.outcome === 'Error' && e.name === 'bad1'), JSON.stringify(failures));

    // The live stream: a new object arrives as a message, then its reconcile.
    const ac = new AbortController();
    const res = await fetch(`${srv.url}/ui/api/stream`, { headers: { Authorization: `Bearer ${token}` }, signal: ac.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const messages: StreamMessage[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        for (let i; (i = buf.indexOf('\n\n')) >= 0; buf = buf.slice(i + 2)) {
          const line = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          if (line) messages.push(JSON.parse(line.slice(6)) as StreamMessage);
        }
        if (messages.some((m) => m.type === 'reconcile' && m.entry.name === 'd') && messages.some((m) => m.type === 'object' && m.object.kind === 'Gadget')) return;
      }
    })();
    const started = performance.now();
    await engine.registry.apply({ apiVersion: `${group}/v1alpha1`, kind: 'Widget', metadata: { name: 'd', namespace: 'default' }, spec: { size: 2 } }, { fieldManager: 'kubectl' });
    // A kind served after the stream opened is followed too.
    await engine.registry.create(buildCRD({ group, kind: 'Gadget', plural: 'gadgets', version: 'v1alpha1', schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }));
    await engine.registry.create({ apiVersion: `${group}/v1alpha1`, kind: 'Gadget', metadata: { name: 'g1', namespace: 'default' } });
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`no reconcile of d or no Gadget on the stream: ${JSON.stringify(messages)}`)), 5_000))]);
    assert.ok(performance.now() - started < 1_000);
    assert.ok(messages.some((m) => m.type === 'object' && m.event === 'ADDED' && m.object.kind === 'Gadget' && m.object.name === 'g1'));
    ac.abort();
    const added = messages.find((m) => m.type === 'object' && m.event === 'ADDED' && m.object.name === 'd');
    assert.ok(added && added.type === 'object' && added.object.kind === 'Widget' && added.object.readiness === 'none', JSON.stringify(messages));
    const reconciled = messages.find((m) => m.type === 'reconcile' && m.entry.name === 'd');
    assert.ok(reconciled && reconciled.type === 'reconcile' && reconciled.entry.outcome === 'Ready' && reconciled.entry.trigger?.event === 'Added');
    assert.equal((await fetch(`${srv.url}/ui/api/stream`)).status, 401, 'the stream needs the token too');
  } finally {
    await close();
  }
});
