// One reconciler at run time: the controller's Reconciler for its For type.
// Per request it reads the For object from the informer cache, runs the
// Starlark `reconcile(self)` (see hostapi.ts for why the run itself has no side
// effects), and then carries out the outcome:
//
//   error (Starlark failure) → condition False/Error with the Starlark stack, Event, backoff
//   fatal                    → condition False/Failed, Event, no requeue until the object changes
//   message, no fatal        → condition False with the message; requeue if asked, else wait
//   success                  → prune + apply children, client_update writes, finalizer
//                              (+ spec with specUpdate), status from the returned object,
//                              condition True; requeue if asked
//   deletionTimestamp set    → delete children, remove our finalizer
//   a write fails (conflict) → as error: condition False/Error with the API message
//
// Of the returned object only the status (and spec) fields the reconciler
// changed or already owns are applied (statuspatch.ts), so it never co-owns —
// and later conflicts on — fields other reconcilers or users wrote.
// Every write is skipped when it would change nothing, so an idle reconcile
// performs zero writes (and cannot re-trigger itself). An Event is recorded
// when the condition changes (status, reason or message), so a steady state —
// also a steadily failing one — records nothing new; a new object becoming
// Ready on its first reconcile is the expected path and records none either.

import type { Client, TypeRef } from '../api/client.js';
import { isApiError } from '../api/errors.js';
import { ownValue, type KObject } from '../api/object.js';
import { FatalError, type Reconciler, type Request, type Result } from '../controller/reconcile.js';
import type { Value } from '../starlark/values/value.js';
import { Children, type ChildCache, type ChildWrite } from './children.js';
import { findCondition, makeCondition, type Condition } from './conditions.js';
import type { ReconcilerConfig } from './config.js';
import { deepEqual, isSubset } from './diff.js';
import { noteOwnWrites, OwnWrites } from './ownwrites.js';
import { ownedFields, ownedRemoved, ownedStatusFields, statusToApply } from './statuspatch.js';
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
  /** Called once per reconcile with its outcome (observer, logs). */
  report?: (r: ReconcileReport) => void;
  /** Records a core/v1 Event about an object (the registry's EventRecorder). */
  event?: (obj: KObject, ev: { type: 'Normal' | 'Warning'; reason: string; message: string; component: string }) => Promise<unknown>;
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // API errors carry causes (field paths); list those the message does not already name.
  const causes = ((err as { details?: { causes?: Array<{ field?: string; message?: string }> } }).details?.causes ?? []).filter((c) => !c.field || !err.message.includes(c.field));
  if (causes.length === 0) return err.message;
  return `${err.message}\n${causes.map((c) => `  - ${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`).join('\n')}`;
}

const maxCacheRetries = 5;
const maxFinalizerRetries = 5;

export class StarlarkReconciler implements Reconciler {
  readonly children: Children;
  /** Recognises the watch events of this reconciler's own writes; the engine wraps the For and Owns handlers with `ownWrites.filter`. */
  readonly ownWrites = new OwnWrites();
  private readonly forType: TypeRef;
  private readonly client: Client;
  /**
   * Condition types this reconciler writes: its configured one and any a
   * legacy 6-argument reconcile_result chose, so a fatal outcome holds under
   * whichever type it was recorded. (After a restart an overridden type is
   * known again once its object has run once.)
   */
  private readonly conditionTypes = new Set<string>();
  /** client_update / client_update_status configurations last applied (see applyWrite). */
  private readonly lastWrites = new Map<string, string>();

  constructor(
    readonly config: ReconcilerConfig,
    private readonly deps: RuntimeDeps,
  ) {
    this.forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    this.conditionTypes.add(config.conditionType);
    const watched = new Set([config.for, ...config.owns].map((t) => `${t.apiVersion}|${t.kind}`));
    this.client = noteOwnWrites(deps.client, this.ownWrites, (o) => watched.has(`${o.apiVersion}|${o.kind}`));
    this.children = new Children(config.name, this.client, deps.read, config.owns);
  }

  async reconcile(req: Request): Promise<Result | void> {
    const started = performance.now();
    const obj = this.deps.read.get(this.forType, req.namespace, req.name).obj;
    if (!obj || !this.config.for.matches(obj)) return;
    const report = (outcome: OutcomeKind, message: string, writes: ChildWrite[]) =>
      this.deps.report?.({ reconciler: this.config.name, key: `${req.namespace}/${req.name}`, kind: this.config.for.kind, outcome, message, durationMs: performance.now() - started, writes });

    if (obj.metadata.deletionTimestamp) {
      const writes: ChildWrite[] = [];
      try {
        await this.children.deleteAll(obj, writes);
        await this.removeFinalizer(obj);
      } catch (err) {
        report('Error', errorMessage(err), writes);
        throw err;
      }
      report('Deleted', '', writes);
      return;
    }
    // Fatal holds until the object's spec changes (generation) — see runtime header.
    if (this.heldFatal(obj)) return;

    let outcome: ReconcileOutcome;
    let scope: ReconcileScope;
    try {
      ({ outcome, scope } = await this.runStarlark(obj));
    } catch (err) {
      const message = errorMessage(err);
      await this.setConditionAfterFailure(obj, message, this.config.conditionType);
      report('Error', message, []);
      throw err;
    }
    const refused = this.refusedSpecChange(obj, outcome.obj);
    if (refused) outcome = { ...outcome, fatal: true, message: refused };
    const conditionType = outcome.conditionType ?? this.config.conditionType;
    this.conditionTypes.add(conditionType);
    const requeue = (): Result => (outcome.requeueAfterSeconds > 0 ? { requeueAfter: outcome.requeueAfterSeconds * 1000 } : { requeue: outcome.requeue });
    const writes: ChildWrite[] = [];
    let kind: OutcomeKind;
    try {
      if (outcome.fatal || outcome.message) await this.carryOutRequests(obj, scope, writes);
      if (outcome.fatal) {
        await this.setCondition(obj, outcome.obj, 'False', 'Failed', outcome.message, conditionType);
        kind = 'Fatal';
      } else if (outcome.message) {
        await this.setCondition(obj, outcome.obj, 'False', 'Waiting', outcome.message, conditionType);
        kind = outcome.requeue || outcome.requeueAfterSeconds > 0 ? 'Requeue' : 'Waiting';
      } else {
        await this.children.sync(obj, scope.desired, writes);
        for (const w of scope.writes) await this.applyWrite(w);
        await this.finishReady(obj, outcome.obj, conditionType);
        kind = outcome.requeue || outcome.requeueAfterSeconds > 0 ? 'Requeue' : 'Ready';
      }
    } catch (err) {
      // A write failed (typically an SSA conflict with another manager): the
      // reconcile failed; say so on the object and retry with backoff.
      const message = errorMessage(err);
      await this.setConditionAfterFailure(obj, message, conditionType);
      report('Error', message, writes);
      throw err;
    }
    report(kind, outcome.message, writes);
    if (kind === 'Fatal') throw new FatalError(outcome.message);
    return requeue();
  }

  /** A fatal outcome recorded for the object's current generation: nothing to do until the spec changes. */
  private heldFatal(obj: KObject): boolean {
    for (const type of this.conditionTypes) {
      const c = findCondition(obj.status, type);
      if (c && c.status === 'False' && c.reason === 'Failed' && c.observedGeneration === obj.metadata.generation) return true;
    }
    return false;
  }

  /**
   * On a non-success outcome, what the original choreo would already have done
   * during the run: client_apply()'d children, client_delete(), client_update*
   * writes. (On success the full desired set is applied anyway.)
   */
  private async carryOutRequests(obj: KObject, scope: ReconcileScope, writes: ChildWrite[]): Promise<void> {
    if (scope.deleteRequested) await this.children.deleteAll(obj, writes);
    else if (scope.applyAt !== undefined) await this.children.sync(obj, scope.desired.slice(0, scope.applyAt), writes);
    for (const w of scope.writes) await this.applyWrite(w);
  }

  /**
   * Without `specUpdate: true` a reconciler may not change its For object's
   * spec: the change is refused (fatal, naming the fields) rather than dropped
   * silently or applied behind the user's back.
   */
  private refusedSpecChange(live: KObject, returned: KObject | undefined): string | undefined {
    if (this.config.specUpdate || returned === undefined || returned.spec === undefined) return undefined;
    const paths = changedPaths(live.spec, returned.spec, 'spec');
    if (paths.length === 0) return undefined;
    const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? `, … (${paths.length} fields)` : '');
    return `reconciler ${this.config.name} changed ${shown} of its ${live.kind}; set spec.specUpdate: true in its config to allow it`;
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

  /**
   * A client_update / client_update_status request. Like children, skipped
   * when it equals what we applied last and the cached object still holds it
   * (a no-op apply writes nothing, but still costs a full server-side apply).
   */
  private async applyWrite(w: ReconcileScope['writes'][number]): Promise<void> {
    const m = w.obj.metadata;
    const key = `${w.subresource}|${w.obj.apiVersion}|${w.obj.kind}|${m.namespace ?? ''}|${m.name}`;
    const json = JSON.stringify(w.obj);
    const live = this.deps.read.get(w.obj, m.namespace ?? '', m.name!).obj;
    if (live && this.lastWrites.get(key) === json && isSubset(w.obj, live)) return;
    await this.client.apply(w.obj, { fieldManager: this.config.name, subresource: w.subresource });
    this.lastWrites.set(key, json);
  }

  /**
   * The success writes to the For object: our finalizer and (specUpdate) spec,
   * then status with the condition True. A new object needs both; they go out
   * as one write (Client.applyWithStatus — one resourceVersion, one event, as
   * the original choreo's single apply), except when the spec changes: then
   * the condition is written against the stored result, so observedGeneration
   * counts the generation our own spec change produced.
   */
  private async finishReady(live: KObject, returned: KObject | undefined, conditionType: string): Promise<void> {
    const fm = { fieldManager: this.config.name };
    const main = this.finalizerAndSpec(live, returned);
    const separateStatus = this.hasStatusSubresource();
    if (main?.specChanged) {
      // Without a status subresource every apply of ours carries the status we own, or SSA would drop it.
      const first = separateStatus ? main.patch : { ...main.patch, status: this.conditionPatch(live, returned, 'True', 'Ready', '', conditionType).status };
      const current = await this.client.apply(first, fm);
      await this.setCondition(current, returned, 'True', 'Ready', '', conditionType);
      return;
    }
    const status = this.conditionPatch(live, returned, 'True', 'Ready', '', conditionType);
    if (main) {
      if (!separateStatus) await this.client.apply({ ...main.patch, status: status.status }, fm);
      else if (status.patch) await this.client.applyWithStatus(main.patch, status.patch, fm);
      else await this.client.apply(main.patch, fm);
    } else if (status.patch) await this.applyStatus(live, status.patch);
    if (status.event) await this.recordEvent(live, status.condition);
  }

  /**
   * Our finalizer and (specUpdate) the spec fields the reconciler changed or
   * owns, as one apply configuration — like status, never co-owning the user's
   * fields, so the user's next apply of them does not conflict with us.
   * Undefined when the object already has both.
   */
  private finalizerAndSpec(live: KObject, returned: KObject | undefined): { patch: KObject; specChanged: boolean } | undefined {
    const needFinalizer = !(live.metadata.finalizers ?? []).includes(this.config.name);
    // Every apply of ours must carry the spec fields we own, or SSA would remove them.
    let spec: Record<string, unknown> | undefined;
    let specChanged = false;
    if (this.config.specUpdate && returned?.spec !== undefined) {
      const owned = ownedFields(live, this.config.name, 'spec');
      spec = statusToApply(returned.spec, live.spec, owned);
      specChanged = (spec !== undefined && !isSubset(spec, live.spec)) || ownedRemoved(spec, live.spec, owned);
    }
    if (!needFinalizer && !specChanged) return undefined;
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace, finalizers: [this.config.name] } };
    if (spec) patch.spec = spec;
    return { patch, specChanged };
  }

  /**
   * Removes our finalizer with a JSON patch guarded by a `test` of the list we
   * saw, so a finalizer another reconciler removes at the same moment is never
   * put back. When the guard fails (our view was stale), re-read and retry.
   */
  private async removeFinalizer(cached: KObject): Promise<void> {
    const ns = cached.metadata.namespace ?? '';
    const name = cached.metadata.name!;
    let live: KObject | undefined = cached;
    for (let attempt = 0; ; attempt++) {
      const finalizers = live.metadata.finalizers ?? [];
      if (!finalizers.includes(this.config.name)) return;
      const patch = [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== this.config.name) },
      ];
      try {
        await this.client.patch(this.forType, ns, name, 'json', patch);
        return;
      } catch (err) {
        // Invalid: the `test` failed; Conflict: the registry saw a concurrent write.
        if (attempt >= maxFinalizerRetries || !(isApiError(err, 'Invalid') || isApiError(err, 'Conflict'))) throw err;
      }
      live = await this.client.get(this.forType, ns, name);
      if (!live) return;
    }
  }

  /** The error condition after a failed reconcile; a failure to write it (object gone) must not hide the original error. */
  private async setConditionAfterFailure(live: KObject, message: string, type: string): Promise<void> {
    try {
      await this.setCondition(live, undefined, 'False', 'Error', message, type);
    } catch {
      // The original error is rethrown by the caller and retried with backoff.
    }
  }

  /**
   * Writes status: the part of the returned status this reconciler changed or
   * owns (statuspatch.ts — never other reconcilers' fields) plus its
   * condition. Skipped when the live status already says all of it. Records an
   * Event when the condition changes.
   */
  private async setCondition(live: KObject, returned: KObject | undefined, status: Condition['status'], reason: string, message: string, type = this.config.conditionType): Promise<void> {
    const w = this.conditionPatch(live, returned, status, reason, message, type);
    if (w.patch) await this.applyStatus(live, w.patch);
    if (w.event) await this.recordEvent(live, w.condition);
  }

  /**
   * The status setCondition applies: `status` is the configuration (the
   * fields we changed or own, and our condition), `patch` the apply to send
   * (undefined: the live status already says all of it), `event` whether the
   * change is worth an Event.
   */
  private conditionPatch(live: KObject, returned: KObject | undefined, status: Condition['status'], reason: string, message: string, type: string): { patch?: KObject; status: Record<string, unknown>; condition: Condition; event: boolean } {
    const now = this.deps.now?.() ?? new Date();
    const prev = findCondition(live.status, type);
    const condition = makeCondition(prev, { type, status, reason, message, observedGeneration: live.metadata.generation }, now);
    const owned = returned?.status !== undefined ? ownedStatusFields(live, this.config.name) : [];
    const wantStatus: Record<string, unknown> = statusToApply(returned?.status, live.status, owned, ['conditions']) ?? {};
    wantStatus.conditions = [condition];
    const removal = returned?.status !== undefined && ownedRemoved(wantStatus, live.status, owned, ['conditions']);
    if (!removal && isSubset(wantStatus, live.status)) return { status: wantStatus, condition, event: false };
    // Without a status subresource a status change is a change of the object, so this very write
    // bumps metadata.generation: the condition states the generation it will be stored with (else
    // every later reconcile would find observedGeneration behind and write again).
    if (!this.hasStatusSubresource()) wantStatus.conditions = [{ ...condition, observedGeneration: (live.metadata.generation ?? 0) + 1 }];
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace }, status: wantStatus };
    // The first Ready of a new object is the expected path, not news: no Event (it would be one more write per object).
    const event = prev ? prev.status !== status || prev.reason !== reason || prev.message !== message : status !== 'True';
    return { patch, status: wantStatus, condition, event };
  }

  private hasStatusSubresource(): boolean {
    return this.client.resourceInfo(this.forType)?.subresources.status === true;
  }

  /**
   * Applies a status configuration. Without a status subresource status is
   * part of the main resource, where we also own our finalizer (and, with
   * specUpdate, spec fields): the configuration must carry them, or SSA would
   * remove them as no longer applied by us.
   */
  private async applyStatus(live: KObject, patch: KObject): Promise<void> {
    if (this.hasStatusSubresource()) {
      await this.client.apply(patch, { fieldManager: this.config.name, subresource: 'status' });
      return;
    }
    const meta = { ...patch.metadata };
    if ((live.metadata.finalizers ?? []).includes(this.config.name)) meta.finalizers = [this.config.name];
    const spec = this.config.specUpdate ? statusToApply(live.spec, live.spec, ownedFields(live, this.config.name, 'spec')) : undefined;
    await this.client.apply({ ...patch, metadata: meta, ...(spec ? { spec } : {}) }, { fieldManager: this.config.name });
  }

  private async recordEvent(obj: KObject, c: Condition): Promise<void> {
    if (!this.deps.event) return;
    const warning = c.status === 'False' && c.reason !== 'Waiting';
    const text = `${c.type}=${c.status}${c.message ? `: ${c.message}` : ''}`;
    try {
      await this.deps.event(obj, { type: warning ? 'Warning' : 'Normal', reason: c.reason, message: text, component: this.config.name });
    } catch {
      // Events are informational; failing to record one must not fail the reconcile.
    }
  }
}

/** Field paths (spec.a.b, spec.list[2]) where `b` differs from `a`. */
export function changedPaths(a: unknown, b: unknown, path: string, out: string[] = []): string[] {
  if (deepEqual(a, b)) return out;
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if ((isMap(a) || a === undefined) && (isMap(b) || b === undefined)) {
    a ??= {};
    b ??= {};
    const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) changedPaths(ownValue(x, k), ownValue(y, k), `${path}.${k}`, out);
  } else out.push(path);
  return out;
}
