// Test helpers: a real Engine (registry + manager + the built-in allocation
// controllers) over a memory or file store, and small builders for indexes and
// claims of every backend.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { Engine } from '../../src/runner/engine.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

export interface Env {
  engine: Engine;
  store: Store;
  /** Waits until every controller is idle. */
  settle(): Promise<void>;
  get(apiVersion: string, kind: string, name: string): Promise<KObject | undefined>;
  create(obj: KObject): Promise<KObject>;
  del(apiVersion: string, kind: string, name: string): Promise<void>;
  list(apiVersion: string, kind: string): Promise<KObject[]>;
  close(): Promise<void>;
}

export async function openEnv(opts: { store?: Store; workers?: number } = {}): Promise<Env> {
  const store = opts.store ?? new MemoryStore();
  const engine = await Engine.open({ store, workers: opts.workers });
  await engine.start();
  const c = engine.manager.client;
  return {
    engine,
    store,
    settle: async () => {
      await engine.manager.idle();
    },
    get: (apiVersion, kind, name) => c.get({ apiVersion, kind }, 'default', name),
    create: (obj) => c.create({ ...obj, metadata: { namespace: 'default', ...obj.metadata } }),
    del: async (apiVersion, kind, name) => {
      await c.delete({ apiVersion, kind }, 'default', name);
    },
    list: async (apiVersion, kind) => (await c.list({ apiVersion, kind }, { namespace: 'default' })).items,
    close: async () => {
      await engine.stop();
      await store.close();
    },
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-alloc-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function fileStore(dir: string): Promise<Store> {
  return FileStore.open(dir);
}

export const kuid = {
  ipam: 'ipam.be.kuid.dev/v1alpha1',
  as: 'as.be.kuid.dev/v1alpha1',
  vlan: 'vlan.be.kuid.dev/v1alpha1',
  genid: 'genid.be.kuid.dev/v1alpha1',
  extcomm: 'extcomm.be.kuid.dev/v1alpha1',
};

export function obj(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion, kind, metadata: { name, namespace: 'default' }, spec };
}

/** Asserts the write is rejected with this HTTP code and a message matching `message`. */
export async function rejected(write: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(write, (err: unknown) => {
    const e = err as { code?: number; message?: string };
    assert.equal(e.code, code, e.message);
    assert.match(e.message ?? '', message);
    return true;
  });
}

/** Entries and claims other than an index's reserved ranges (kuid's <index>.rangereservedmin/max claims). */
export function userOnly(list: KObject[]): KObject[] {
  return list.filter((o) => !/\.rangereserved(min|max)$/.test(o.metadata.labels?.['be.kuid.dev/claim-name'] ?? o.metadata.name ?? ''));
}

export function ready(o: KObject | undefined): { status?: string; reason?: string; message?: string } {
  const conds = ((o?.status ?? {}) as { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> }).conditions ?? [];
  const c = conds.find((x) => x.type === 'Ready');
  return { status: c?.status, reason: c?.reason, message: c?.message };
}

export function statusOf(o: KObject | undefined): Record<string, unknown> {
  return (o?.status ?? {}) as Record<string, unknown>;
}
