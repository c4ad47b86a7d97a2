// Test harness for end-to-end reconciler tests: writes a small project (CRDs,
// reconcilers, libraries, inputs) into a temp dir, loads it into a real Engine
// over a MemoryStore, and offers helpers to act as a user through the registry.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KObject } from '../../src/api/object.js';
import { buildCRD, conditionsSchema } from '../../src/api/crd.js';
import type { JSONSchemaProps } from '../../src/api/schema/index.js';
import type { Clock, RateLimitOptions } from '../../src/controller/index.js';
import { Engine } from '../../src/runner/engine.js';
import { discoverProject } from '../../src/runner/project/discover.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';
import { findCondition, type FullCondition as Condition } from '../../src/api/conditions.js';
import type { ReconcileReport } from '../../src/reconciler/runtime.js';

export const group = 'test.choreo.dev';
export const apiVersion = `${group}/v1`;

export interface CrdSpec {
  kind: string;
  plural: string;
  /** Default true. */
  statusSubresource?: boolean;
}

export interface ProjectSpec {
  crds: CrdSpec[];
  /** name → {spec of the Reconciler config, code of reconciler.star} */
  reconcilers: Record<string, { spec: Record<string, unknown>; code: string }>;
  /** crds/<file> Starlark libraries, file name → code. */
  crdLibs?: Record<string, string>;
  /** libs/<file> Starlark libraries, file name → code. */
  libs?: Record<string, string>;
  inputs?: KObject[];
}

export function crd(c: CrdSpec): KObject {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { conditions: conditionsSchema } },
    },
  };
  return buildCRD({ group, kind: c.kind, plural: c.plural, schema, statusSubresource: c.statusSubresource });
}

/** A Reconciler config spec for For kind `kind` (group test.choreo.dev/v1). */
export function forKind(kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { for: { group, version: 'v1', kind }, ...extra };
}

export const typeRef = (kind: string) => ({ group, version: 'v1', kind });

export function obj(kind: string, name: string, spec: Record<string, unknown> = {}, namespace = 'default'): KObject {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

export async function writeProject(p: ProjectSpec): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-rec-'));
  try {
    await writeFiles(dir, p);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

async function writeFiles(dir: string, p: ProjectSpec): Promise<void> {
  await mkdir(join(dir, 'crds'));
  for (const c of p.crds) await writeFile(join(dir, 'crds', `${group}_${c.plural}.yaml`), stringify(crd(c)));
  for (const [f, code] of Object.entries(p.crdLibs ?? {})) await writeFile(join(dir, 'crds', f), code);
  if (p.libs) {
    await mkdir(join(dir, 'libs'));
    for (const [f, code] of Object.entries(p.libs)) await writeFile(join(dir, 'libs', f), code);
  }
  for (const [name, r] of Object.entries(p.reconcilers)) {
    const rd = join(dir, 'reconcilers', name);
    await mkdir(rd, { recursive: true });
    await writeFile(join(rd, 'config.yaml'), stringify({ apiVersion: 'choreo.kform.dev/v1alpha1', kind: 'Reconciler', metadata: { name }, spec: r.spec }));
    await writeFile(join(rd, 'reconciler.star'), r.code);
  }
  if (p.inputs && p.inputs.length > 0) {
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'in', 'inputs.yaml'), p.inputs.map((o) => stringify(o)).join('---\n'));
  }
}

export interface Running {
  engine: Engine;
  store: Store;
  reports: ReconcileReport[];
  /** Rendered load errors (only with allowLoadErrors). */
  loadErrors: string[];
  /** Waits for quiescence. */
  idle(): Promise<void>;
  get(kind: string, name: string, namespace?: string): Promise<KObject | undefined>;
  list(kind: string): Promise<KObject[]>;
  /** Applies obj as a user (field manager "user", forced). */
  apply(o: KObject): Promise<KObject>;
  condition(kind: string, name: string, type?: string): Promise<Condition | undefined>;
  revision(): Promise<number>;
  /** Forces a reconcile of For object default/name by reconciler. */
  enqueue(reconciler: string, name: string, namespace?: string): void;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  maxSteps?: number;
  timeoutMs?: number;
  rateLimits?: RateLimitOptions;
  /** Start even if some parts failed to load (they are in Running.loadErrors). */
  allowLoadErrors?: boolean;
  /** The store to run on (closed by close()); default a new MemoryStore. */
  store?: Store;
}

/** Writes the project, loads it (failing on any load error) and starts the engine; waits for quiescence. */
export async function start(p: ProjectSpec, opts: StartOptions = {}): Promise<Running> {
  const dir = await writeProject(p);
  const store = opts.store ?? new MemoryStore();
  const reports: ReconcileReport[] = [];
  const engine = await Engine.open({ store, clock: opts.clock, maxSteps: opts.maxSteps, timeoutMs: opts.timeoutMs, rateLimits: opts.rateLimits, onReconcile: (r) => reports.push(r), print: () => {} });
  const errors = await engine.load(await discoverProject(dir));
  if (errors.length > 0 && !opts.allowLoadErrors) {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`load errors:\n${errors.map((e) => e.render()).join('\n')}`);
  }
  await engine.start();
  const r: Running = {
    engine,
    store,
    reports,
    loadErrors: errors.map((e) => e.render()),
    idle: async () => {
      await engine.manager.idle();
    },
    get: (kind, name, namespace = 'default') => engine.registry.get({ apiVersion, kind }, namespace, name),
    list: async (kind) => (await engine.registry.list({ apiVersion, kind })).items,
    apply: (o) => engine.registry.apply(structuredClone(o), { fieldManager: 'user', force: true }),
    condition: async (kind, name, type = 'Ready') => findCondition((await r.get(kind, name))?.status, type) as Condition | undefined,
    revision: async () => Number(await store.currentRevision()),
    enqueue: (reconciler, name, namespace = 'default') => {
      const c = engine.manager.list().find((x) => x.name === reconciler);
      if (!c) throw new Error(`no controller ${reconciler}`);
      c.enqueue({ namespace, name });
    },
    close: async () => {
      await engine.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await r.idle();
  return r;
}
