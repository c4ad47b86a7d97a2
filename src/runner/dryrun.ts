// `choreoctl run reconcile`: a dry run of exactly one reconcile of one object.
// The project is loaded into an engine over a memory store (no running
// instance needed, nothing written to disk, not even .choreo/), the For
// object's reconciler is called once — directly, not through the work queue,
// so nothing else runs — and what it did to the in-memory API is read back:
// the outcome, the children it applied, the status and condition it wrote,
// and which objects it created, updated or deleted.
//
// Key idea: the reconcile runs for real against a throwaway store, so the
// answer is what `run once` would do first for that object (SSA, defaulting,
// pruning, admission and allocation included) with no second model of the
// runtime to keep in step. "Would create/update/delete" is the difference
// between the store's objects (in `run once --out`'s stable form) before and
// after the call.

import { findCondition } from '../api/conditions.js';
import type { KObject } from '../api/object.js';
import { matchName, type ApiResource } from '../client/discovery.js';
import type { Registry } from '../apiserver/registry/registry.js';
import type { OutcomeKind, ReconcileReport } from '../reconciler/runtime.js';
import type { Result } from '../controller/index.js';
import { openStore } from '../store/open.js';
import { Engine, type ReconcileLimits } from './engine.js';
import { discoverProject, type ProjectPaths } from './project/discover.js';
import { resultObjects, stableObject } from './output.js';
import { prunedConditionWarnings } from './schemawarnings.js';

export interface DryRunOptions {
  dir: string;
  /** kubectl-style `<resource>/<name>`: plural, singular, kind or short name, optionally .group. */
  ref: string;
  /** Default `default` (ignored for cluster-scoped kinds). */
  namespace?: string;
  /** The reconciler to run when several reconcile the kind. */
  reconciler?: string;
  paths?: Partial<ProjectPaths>;
  limits?: ReconcileLimits;
  /** Starlark print() output. */
  print?: (reconciler: string, msg: string) => void;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface DryRunResult {
  reconciler: string;
  object: ObjectRef;
  outcome: OutcomeKind;
  /** The outcome's message (Starlark stack trace, API error, the reconciler's msg). */
  message: string;
  requeue: boolean;
  requeueAfterSeconds?: number;
  /** The children the reconcile applied, as stored (stable form). */
  children: KObject[];
  /** The object's status after the reconcile (stable form). */
  status: unknown;
  condition?: { type: string; status: string; reason?: string; message?: string };
  created: ObjectRef[];
  updated: ObjectRef[];
  deleted: ObjectRef[];
  warnings: string[];
}

/** A user error (unknown kind or object, ambiguous reconciler, load errors): printed as is. */
export class DryRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DryRunError';
  }
}

function catalogResources(registry: Registry): ApiResource[] {
  return registry.catalog.all().map((t) => ({
    group: t.group,
    version: t.version,
    kind: t.kind,
    resource: t.plural,
    namespaced: t.namespaced,
    subresources: { status: t.hasStatus },
    singular: t.singular,
    shortNames: t.shortNames,
    categories: t.categories,
    verbs: t.verbs,
    preferred: true,
  }));
}

const refKey = (o: KObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;
const refOf = (o: KObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });

/** Every object of the store (Events and CRDs aside) in stable form, by key. */
async function snapshot(registry: Registry): Promise<Map<string, { obj: KObject; text: string }>> {
  const out = new Map<string, { obj: KObject; text: string }>();
  for (const k of await resultObjects(registry)) for (const o of k.objects) out.set(refKey(o), { obj: o, text: JSON.stringify(stableObject(o)) });
  return out;
}

export async function dryRunReconcile(opts: DryRunOptions): Promise<DryRunResult> {
  const slash = opts.ref.indexOf('/');
  if (slash <= 0 || slash === opts.ref.length - 1) throw new DryRunError(`want <resource>/<name> (e.g. parent/p1), got ${JSON.stringify(opts.ref)}`);
  const word = opts.ref.slice(0, slash);
  const name = opts.ref.slice(slash + 1);
  const store = await openStore('memory');
  let report: ReconcileReport | undefined;
  const engine = await Engine.open({ store, ...opts.limits, print: opts.print, onReconcile: (r) => (report = r) });
  try {
    const project = await discoverProject(opts.dir, { paths: opts.paths });
    const errors = await engine.load(project);
    if (errors.length > 0) throw new DryRunError(`the project does not load:\n${errors.map((e) => `  ${e.render()}`).join('\n')}`);
    const type = matchName(catalogResources(engine.registry), word);
    if (!type) throw new DryRunError(`the project serves no resource type ${JSON.stringify(word)}`);
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    const namespace = type.namespaced ? (opts.namespace ?? 'default') : '';
    const forType = { apiVersion, kind: type.kind };
    const candidates = engine.reconcilers.filter((r) => r.config.for.apiVersion === apiVersion && r.config.for.kind === type.kind);
    const reconciler = opts.reconciler === undefined ? candidates[0] : engine.reconcilers.find((r) => r.config.name === opts.reconciler);
    if (opts.reconciler !== undefined && !reconciler) throw new DryRunError(`no reconciler ${opts.reconciler}; the project has ${engine.reconcilers.map((r) => r.config.name).join(', ') || 'none'}`);
    if (!reconciler) throw new DryRunError(`no reconciler reconciles ${type.kind} (${apiVersion})`);
    if (opts.reconciler === undefined && candidates.length > 1) throw new DryRunError(`${candidates.length} reconcilers reconcile ${type.kind}: ${candidates.map((r) => r.config.name).join(', ')}; choose one with --reconciler`);
    if (!candidates.includes(reconciler)) throw new DryRunError(`reconciler ${reconciler.config.name} reconciles ${reconciler.config.for.kind}, not ${type.kind}`);
    const obj = await engine.registry.get(forType, namespace, name);
    if (!obj) {
      const names = (await engine.registry.list(forType)).items.map((o) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
      throw new DryRunError(`${type.kind} ${namespace ? `${namespace}/` : ''}${name} is not in the project's input${names.length ? ` (it has ${names.join(', ')})` : ` (it has no ${type.kind})`}`);
    }
    if (!reconciler.config.for.matches(obj)) throw new DryRunError(`${type.kind} ${namespace}/${name} is not selected by reconciler ${reconciler.config.name}'s for selector`);

    // The reconciler reads its For object from the informer cache: fill it first.
    const informer = engine.manager.informers.informerFor(forType);
    if (!informer.isStarted()) informer.start();
    await informer.waitForSync();
    const before = await snapshot(engine.registry);
    let result: Result | void = undefined;
    try {
      result = await reconciler.reconcile({ namespace, name });
    } catch {
      // Error and Fatal outcomes are reported (onReconcile) before they are thrown.
    }
    await engine.registry.lifecycle.whenIdle();
    const after = await snapshot(engine.registry);
    if (!report) throw new DryRunError(`reconciler ${reconciler.config.name} did not reconcile ${type.kind} ${namespace}/${name}`);
    const r: ReconcileReport = report;
    const created: ObjectRef[] = [];
    const updated: ObjectRef[] = [];
    const deleted: ObjectRef[] = [];
    for (const [k, a] of after) {
      const b = before.get(k);
      if (!b) created.push(refOf(a.obj));
      else if (b.text !== a.text) updated.push(refOf(a.obj));
    }
    for (const [k, b] of before) if (!after.has(k)) deleted.push(refOf(b.obj));
    const children = r.writes
      .filter((w) => w.op !== 'deleted')
      .map((w) => [...after.values()].find((a) => a.obj.kind === w.kind && (a.obj.metadata.namespace ?? '') === w.namespace && a.obj.metadata.name === w.name)?.obj)
      .filter((o): o is KObject => o !== undefined)
      .map(stableObject);
    const live = after.get(refKey(obj))?.obj;
    const status = live ? stableObject(live).status : undefined;
    const c = findCondition(live?.status, r.conditionType ?? reconciler.config.conditionType);
    return {
      reconciler: reconciler.config.name,
      object: { apiVersion, kind: type.kind, namespace, name },
      outcome: r.outcome,
      message: r.message,
      requeue: result?.requeue === true || (result?.requeueAfter ?? 0) > 0,
      ...(result?.requeueAfter ? { requeueAfterSeconds: result.requeueAfter / 1000 } : {}),
      children,
      status,
      ...(c ? { condition: { type: c.type, status: c.status, reason: c.reason, message: c.message } } : {}),
      created,
      updated,
      deleted,
      warnings: prunedConditionWarnings(engine.registry, [reconciler]),
    };
  } finally {
    await engine.stop().catch(() => {});
    await store.close();
  }
}
