// One reconciler at run time: the controller's Reconciler for its For type.
// Per request it reads the For object from the informer cache, runs the
// Starlark `reconcile(self)` (see hostapi.ts for why the run itself has no side
// effects), and then carries out the outcome:
//
//   error (Starlark failure) → condition False/Error with the Starlark stack, Event, backoff
//   fatal                    → condition False/Failed, Event, no requeue until the object changes
//   message, no fatal        → condition False with the message; requeue if asked, else wait
//   success                  → prune + apply children, client_update writes, finalizer,
//                              status from the returned object, condition True; requeue if asked
//   deletionTimestamp set    → delete children, remove our finalizer
//
// Every write is skipped when it would change nothing, so an idle reconcile
// performs zero writes (and cannot re-trigger itself).

import type { Client, TypeRef } from '../api/client.js';
import type { KObject } from '../api/object.js';
import { FatalError, type Reconciler, type Request, type Result } from '../controller/reconcile.js';
import type { Value } from '../starlark/values/value.js';
import { Children, type ChildCache, type ChildWrite } from './children.js';
import { findCondition, makeCondition, type Condition } from './conditions.js';
import type { ReconcilerConfig } from './config.js';
import { deepEqual, isSubset } from './diff.js';
import { readOutcome, type ReadView, type ReconcileOutcome, type ReconcileScope } from './hostapi.js';

/** Runs the compiled Starlark `reconcile(self)` with the scope installed; throws ReconcileError on a Starlark failure. */
export type RunStarlark = (self: KObject, scope: ReconcileScope) => Value;

/** A Starlark failure: the message includes the Starlark stack trace. */
export class ReconcileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileError';
  }
}

export type OutcomeKind = 'Ready' | 'Requeue' | 'Waiting' | 'Error' | 'Fatal' | 'Deleted';

/** What the runner's observer learns about each reconcile. */
export interface ReconcileReport {
  reconciler: string;
  key: string; // namespace/name
  kind: string;
  outcome: OutcomeKind;
  message: string;
  durationMs: number;
  writes: ChildWrite[];
}

export interface RuntimeDeps {
  client: Client;
  read: ReadView & ChildCache;
  run: RunStarlark;
  defaultNamespace?: string;
  now?: () => Date;
  /** Called once per reconcile with its outcome (observer, events). */
  report?: (r: ReconcileReport) => void;
}

const maxCacheRetries = 5;

export class StarlarkReconciler implements Reconciler {
  readonly children: Children;
  private readonly forType: TypeRef;

  constructor(
    readonly config: ReconcilerConfig,
    private readonly deps: RuntimeDeps,
  ) {
    this.forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    this.children = new Children(config.name, deps.client, deps.read, config.owns);
  }

  async reconcile(req: Request): Promise<Result | void> {
    const started = performance.now();
    const obj = this.deps.read.get(this.forType, req.namespace, req.name).obj;
    if (!obj || !this.config.for.matches(obj)) return;
    const report = (outcome: OutcomeKind, message: string, writes: ChildWrite[]) =>
      this.deps.report?.({ reconciler: this.config.name, key: `${req.namespace}/${req.name}`, kind: this.config.for.kind, outcome, message, durationMs: performance.now() - started, writes });

    if (obj.metadata.deletionTimestamp) {
      const writes = await this.children.deleteAll(obj);
      await this.removeFinalizer(obj);
      report('Deleted', '', writes);
      return;
    }
    // Fatal holds until the object's spec changes (generation) — see runtime header.
    const cond = findCondition(obj.status, this.config.conditionType);
    if (cond && cond.status === 'False' && cond.reason === 'Failed' && cond.observedGeneration === obj.metadata.generation) return;

    let outcome: ReconcileOutcome;
    let scope: ReconcileScope;
    try {
      ({ outcome, scope } = await this.runStarlark(obj));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.setCondition(obj, undefined, 'False', 'Error', message);
      report('Error', message, []);
      throw err;
    }
    const conditionType = outcome.conditionType ?? this.config.conditionType;
    if (outcome.fatal) {
      await this.setCondition(obj, outcome.obj, 'False', 'Failed', outcome.message, conditionType);
      report('Fatal', outcome.message, []);
      throw new FatalError(outcome.message);
    }
    const requeue = (): Result => (outcome.requeueAfterSeconds > 0 ? { requeueAfter: outcome.requeueAfterSeconds * 1000 } : { requeue: outcome.requeue });
    if (outcome.message) {
      await this.setCondition(obj, outcome.obj, 'False', 'Waiting', outcome.message, conditionType);
      report(outcome.requeue || outcome.requeueAfterSeconds > 0 ? 'Requeue' : 'Waiting', outcome.message, []);
      return requeue();
    }
    const writes = await this.children.sync(obj, scope.desired);
    for (const w of scope.writes) await this.deps.client.apply(w.obj, { fieldManager: this.config.name, subresource: w.subresource });
    await this.ensureFinalizerAndSpec(obj, outcome.obj);
    await this.setCondition(obj, outcome.obj, 'True', 'Ready', '', conditionType);
    const r = requeue();
    report(r.requeue || r.requeueAfter ? 'Requeue' : 'Ready', '', writes);
    return r;
  }

  /** Runs Starlark; when it read a type whose cache was not ready, syncs that cache and runs again. */
  private async runStarlark(obj: KObject): Promise<{ outcome: ReconcileOutcome; scope: ReconcileScope }> {
    for (let attempt = 0; ; attempt++) {
      const scope: ReconcileScope = { reconciler: this.config.name, read: this.deps.read, defaultNamespace: this.deps.defaultNamespace ?? 'default', desired: [], writes: [], missing: [] };
      try {
        const v = this.deps.run(obj, scope);
        return { outcome: readOutcome(v), scope };
      } catch (err) {
        if (scope.missing.length === 0 || attempt >= maxCacheRetries) throw err;
        for (const t of scope.missing) await this.deps.read.ensure(t);
      }
    }
  }

  private async ensureFinalizerAndSpec(live: KObject, returned: KObject | undefined): Promise<void> {
    const needFinalizer = !(live.metadata.finalizers ?? []).includes(this.config.name);
    const specChanged = this.config.specUpdate && returned?.spec !== undefined && !deepEqual(returned.spec, live.spec);
    if (!needFinalizer && !specChanged) return;
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace, finalizers: [this.config.name] } };
    if (specChanged) patch.spec = returned!.spec;
    await this.deps.client.apply(patch, { fieldManager: this.config.name });
  }

  private async removeFinalizer(live: KObject): Promise<void> {
    const finalizers = live.metadata.finalizers ?? [];
    if (!finalizers.includes(this.config.name)) return;
    await this.deps.client.patch(
      this.forType,
      live.metadata.namespace ?? '',
      live.metadata.name!,
      'json',
      [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== this.config.name) },
      ],
    );
  }

  /**
   * Writes status: the status the reconciler returned (fields it changed or
   * already owns — never other reconcilers' fields) plus its condition. Skipped
   * when the live status already says all of it.
   */
  private async setCondition(live: KObject, returned: KObject | undefined, status: Condition['status'], reason: string, message: string, type = this.config.conditionType): Promise<void> {
    const info = this.deps.client.resourceInfo(this.forType);
    const now = this.deps.now?.() ?? new Date();
    const prev = findCondition(live.status, type);
    const condition = makeCondition(prev, { type, status, reason, message, observedGeneration: live.metadata.generation }, now);
    const wantStatus: Record<string, unknown> = {};
    const liveStatus = (live.status ?? {}) as Record<string, unknown>;
    const returnedStatus = (returned?.status ?? undefined) as Record<string, unknown> | undefined;
    if (returnedStatus && typeof returnedStatus === 'object') {
      for (const [k, v] of Object.entries(returnedStatus)) {
        if (k === 'conditions') continue;
        if (!deepEqual(v, liveStatus[k]) || this.ownsStatusField(live, k)) wantStatus[k] = v;
      }
    }
    wantStatus.conditions = [condition];
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace }, status: wantStatus };
    const ownedRemoved = returnedStatus !== undefined && Object.keys(liveStatus).some((k) => k !== 'conditions' && !(k in returnedStatus) && this.ownsStatusField(live, k));
    if (!ownedRemoved && isSubset(patch.status, live.status)) return;
    await this.deps.client.apply(patch, { fieldManager: this.config.name, subresource: info?.subresources.status ? 'status' : '' });
  }

  /** Does our field manager own status.<field> on the live object (per managedFields)? */
  private ownsStatusField(live: KObject, field: string): boolean {
    for (const m of live.metadata.managedFields ?? []) {
      if (m.manager !== this.config.name) continue;
      const status = (m.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:status'];
      if (status && `f:${field}` in status) return true;
    }
    return false;
  }
}
