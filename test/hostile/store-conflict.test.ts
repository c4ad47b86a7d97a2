// Issue 18 item 4: writes without a precondition never get 409, whatever the
// store. Concurrent unconditional writers to one object over real HTTP (merge
// patch, PUT without resourceVersion, status, server-side apply, delete of an
// object with finalizers) and real kubectl annotate --overwrite racing another
// writer, against a server on the file store, on etcd and on memory. The file
// store is where it broke: the retry re-read committed state while the store's
// conflict check compared against writes still waiting for their fsync.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness } from '../apiserver/helpers.js';
import { startEtcd, skipWithoutEtcd, type EtcdServer } from '../helpers/etcd.js';
import { buildCRD } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

const dirs: string[] = [];
let etcd: EtcdServer | undefined;
after(async () => {
  await etcd?.stop();
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const stores: { name: string; skip?: string | false; open: () => Promise<Store> }[] = [
  { name: 'file', open: async () => FileStore.open(await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-conflict-')).then((d) => (dirs.push(d), d))) },
  {
    name: 'etcd',
    skip: skipWithoutEtcd(),
    open: async () => {
      etcd ??= await startEtcd();
      const { EtcdStore } = await import('../../src/store/etcd.js');
      return EtcdStore.open({ endpoints: [etcd.endpoint], prefix: `/conflict-${Date.now()}-${Math.random().toString(36).slice(2)}/` });
    },
  },
  { name: 'memory', open: async () => new MemoryStore() },
];

const json = { 'Content-Type': 'application/json' };
const cmPath = '/api/v1/namespaces/default/configmaps';
const crdPath = '/apis/example.com/v1/namespaces/default/widgets';

/** Failed responses counted by status and message (compact in an assertion diff). */
function tally(bad: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of bad) out[b] = (out[b] ?? 0) + 1;
  return out;
}

/** Runs `clients` loops of `perClient` requests at once; returns the statuses that were not 2xx, with their messages. */
async function hammer(clients: number, perClient: number, req: (client: number, i: number) => Promise<{ status: number; json: any }>): Promise<string[]> {
  const bad: string[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const r = await req(c, i);
        if (r.status >= 300) bad.push(`${r.status} ${r.json?.message ?? ''}`);
      }
    }),
  );
  return bad;
}

const freeForm: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const widgetCrd = buildCRD({ group: 'example.com', kind: 'Widget', plural: 'widgets', schema: { type: 'object', properties: { spec: freeForm, status: freeForm } } });

for (const s of stores) {
  describe(`unconditional writes never conflict (${s.name} store)`, { skip: s.skip }, () => {
    test('4 clients × 60 merge patches without resourceVersion to one ConfigMap: all 200, every write kept', async () => {
      const h = await Harness.start({ store: await s.open() });
      try {
        const merge = { 'Content-Type': 'application/merge-patch+json' };
        assert.equal((await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hot' }, data: {} }) })).status, 201);
        const bad = await hammer(4, 60, (c, i) => h.http('PATCH', `${cmPath}/hot`, { headers: merge, body: JSON.stringify({ data: { [`c${c}`]: String(i) } }) }));
        assert.deepEqual(tally(bad), {});
        const got = await h.http('GET', `${cmPath}/hot`);
        assert.deepEqual(got.json.data, { c0: '59', c1: '59', c2: '59', c3: '59' });
      } finally {
        await h.close();
      }
    });

    test('PUT without resourceVersion, JSON patch, status merge patch and server-side apply racing each other: no 409', async () => {
      const h = await Harness.start({ store: await s.open() });
      try {
        assert.equal((await h.http('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { headers: json, body: JSON.stringify(widgetCrd) })).status, 201);
        // The CRD's type is served once the server observed it.
        for (let i = 0; i < 100 && (await h.http('GET', crdPath)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await h.http('POST', crdPath, { headers: json, body: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} }) })).status, 201);
        assert.equal((await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'put' }, data: {} }) })).status, 201);
        const n = 40;
        const bad = await Promise.all([
          // PUT of a ConfigMap without resourceVersion is an unconditional update (kube: AllowUnconditionalUpdate).
          hammer(2, n, (c, i) => h.http('PUT', `${cmPath}/put`, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'put' }, data: { [`p${c}`]: String(i) } }) })),
          hammer(2, n, (c, i) =>
            h.http('PATCH', `${cmPath}/put`, { headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: `/metadata/labels`, value: { [`j${c}`]: String(i) } }]) }),
          ),
          hammer(2, n, (c, i) =>
            h.http('PATCH', `${crdPath}/w/status`, { headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { [`s${c}`]: i } }) }),
          ),
          hammer(2, n, (c, i) =>
            h.http('PATCH', `${crdPath}/w?fieldManager=m${c}&force=true`, {
              headers: { 'Content-Type': 'application/apply-patch+yaml' },
              body: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { [`a${c}`]: i } }),
            }),
          ),
          hammer(2, n, (c, i) =>
            h.http('PATCH', `${crdPath}/w`, { headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { annotations: { [`m${c}`]: String(i) } } }) }),
          ),
        ]);
        assert.deepEqual(tally(bad.flat()), {});
        const w = (await h.http('GET', `${crdPath}/w`)).json;
        assert.deepEqual([w.spec, w.status], [{ a0: n - 1, a1: n - 1 }, { s0: n - 1, s1: n - 1 }]);
      } finally {
        await h.close();
      }
    });

    test('delete of objects with finalizers while another client writes them: no 409, finalizer removal deletes them', async () => {
      const h = await Harness.start({ store: await s.open() });
      try {
        const names = Array.from({ length: 10 }, (_, i) => `f${i}`);
        for (const name of names)
          assert.equal((await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, finalizers: ['example.com/keep'] } }) })).status, 201);
        const merge = { 'Content-Type': 'application/merge-patch+json' };
        const bad = await Promise.all([
          hammer(names.length, 10, (c, i) => h.http('PATCH', `${cmPath}/${names[c]}`, { headers: merge, body: JSON.stringify({ data: { i: String(i) } }) })),
          hammer(names.length, 1, (c) => h.http('DELETE', `${cmPath}/${names[c]}`)),
        ]);
        assert.deepEqual(tally(bad.flat()), {});
        const removed = await hammer(names.length, 1, (c) => h.http('PATCH', `${cmPath}/${names[c]}`, { headers: merge, body: JSON.stringify({ metadata: { finalizers: null } }) }));
        assert.deepEqual(tally(removed), {});
        for (const name of names) assert.equal((await h.http('GET', `${cmPath}/${name}`)).status, 404, name);
      } finally {
        await h.close();
      }
    });

    test('garbage collection deletes dependents that other clients keep writing', async () => {
      const h = await Harness.start({ store: await s.open() });
      try {
        const owner = (await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } }) })).json;
        const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid };
        const deps = Array.from({ length: 5 }, (_, i) => `dep${i}`);
        for (const name of deps)
          assert.equal((await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [ref] } }) })).status, 201);
        const merge = { 'Content-Type': 'application/merge-patch+json' };
        const deadline = Date.now() + 10_000;
        const statuses = new Set<number>();
        // Two writers per dependent until it is gone: the collector's delete always races a write.
        const writers = Promise.all(
          [...deps, ...deps].map(async (name, w) => {
            for (let i = 0; Date.now() < deadline; i++) {
              const r = await h.http('PATCH', `${cmPath}/${name}`, { headers: merge, body: JSON.stringify({ data: { [`w${w}`]: String(i) } }) });
              statuses.add(r.status);
              if (r.status === 404) return Date.now();
            }
            return Infinity;
          }),
        );
        await new Promise((r) => setTimeout(r, 100));
        const deleted = Date.now();
        assert.equal((await h.http('DELETE', `${cmPath}/owner`)).status, 200);
        const gone = await writers;
        assert.deepEqual([...statuses].sort(), [200, 404]);
        // The collector gives a failed task another go after 1 s; it must not need it.
        assert.ok(Math.max(...gone) - deleted < 1000, `dependents collected ${Math.max(...gone) - deleted} ms after the owner's delete`);
      } finally {
        await h.close();
      }
    });

    test('kubectl annotate --overwrite under a concurrent writer succeeds', async () => {
      const h = await Harness.start({ store: await s.open() });
      try {
        assert.equal((await h.http('POST', cmPath, { headers: json, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ann' }, data: {} }) })).status, 201);
        let stop = false;
        const merge = { 'Content-Type': 'application/merge-patch+json' };
        const bad: string[] = [];
        const writers = Promise.all(
          [0, 1, 2].map(async (c) => {
            for (let i = 0; !stop; i++) {
              const r = await h.http('PATCH', `${cmPath}/ann`, { headers: merge, body: JSON.stringify({ data: { [`w${c}`]: String(i) } }) });
              if (r.status >= 300) bad.push(`${r.status} ${r.json?.message ?? ''}`);
            }
          }),
        );
        const results = [];
        try {
          for (let i = 0; i < 5; i++) results.push(await h.kubectl(['annotate', '--overwrite', 'configmap', 'ann', `round=${i}`]));
        } finally {
          stop = true;
          await writers;
        }
        assert.deepEqual(results.filter((r) => r.code !== 0).map((r) => r.stderr), []);
        assert.deepEqual(tally(bad), {});
        assert.equal((await h.http('GET', `${cmPath}/ann`)).json.metadata.annotations.round, '4');
      } finally {
        await h.close();
      }
    });
  });
}
