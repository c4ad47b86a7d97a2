// One reconciler at run time: the controller's Reconciler for its For type.
// Per request it reads the For object from the informer cache, runs the
// Starlark `reconcile(self)` (see hostapi.ts for why the run itself has no side
// effects), and then carries out the outcome:
//
//   error (Starlark failure) → condition False/Error with the Starlark stack, Event, backoff
//   fatal                    → condition False/Failed, Event, no requeue until the spec changes
//   message, no fatal        → condition False/Failed with the message, requeue rate-limited
//                              (always, requeueAfter ignored: the original choreo's rule, so an
//                              object waiting on something it does not watch is retried)
//   success                  → prune + apply children, client_update writes, finalizer
//                              (+ spec with specUpdate), status from the returned object,
//                              condition True; requeue if asked
//   deletionTimestamp set    → delete children, remove our finalizer
//   a write fails (conflict) → as error: condition False/Error with the API message
//
// The legacy 6-argument reconcile_result (obj, requeue, requeueAfter,
// conditionType, msg, fatal) names the condition per call ('' = none) and, as
// in the original, has the whole returned object applied: spec changes and
// metadata.finalizers set in Starlark take effect on every outcome.
//
// observedGeneration: conditions carry it only when the For type has a status
// subresource — there a status write leaves metadata.generation alone, so it
// says which spec the condition judged. Without one, every status write bumps
// the generation; two reconcilers keeping their own conditions on one object
// would then find each other's condition stale forever (a livelock). There,
// as in the original, conditions have no observedGeneration, and a condition
// is compared by type/status/reason/message only (lastTransitionTime moves
// only with status). A fatal outcome is held in memory by the spec it failed
// on, which works with or without the subresource.
//
// status.phase (Ready / Pending / Failed) is maintained when the For CRD's
// status schema declares a string `phase`: the worst of the outcomes of the
// reconcilers of that kind (PhaseBook), written by its own field manager so
// reconcilers never conflict over it, and only when it changes.
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
import { FatalError, type Reconciler, type Request, type Result, type Trigger } from '../controller/reconcile.js';
import type { Value } from '../starlark/index.js';
import { Children, type ChildCache, type ChildWrite } from './children.js';
import { findCondition, makeCondition, sameCondition, type FullCondition as Condition } from '../api/conditions.js';
import { finalizerName } from './finalizer.js';
import { phaseFieldManager, type Phase, type PhaseBook } from './phase.js';
import type { ReconcilerConfig } from './config.js';
import { deepEqual } from '../api/patch.js';
import { isSubset } from './diff.js';
import { correctDrift, type EventSink } from './drift.js';
import { noteOwnWrites, OwnWrites, wrapWrites } from './ownwrites.js';
import { ownedFields, ownedFinalizers, ownedRemoved, ownedStatusFields, statusToApply } from './statuspatch.js';
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

/** Waiting: a message without requeue=True (requeued through the rate limiter all the same); Requeue: requeue or requeueAfter asked for. */
export type OutcomeKind = 'Ready' | 'Requeue' | 'Waiting' | 'Error' | 'Fatal' | 'Deleted';

/** What the runner's observer learns about each reconcile. */
export interface ReconcileReport {
  reconciler: string;
  key: string; // namespace/name
  apiVersion: string;
  kind: string;
  /** What queued this run (controller/reconcile.ts). */
  trigger?: Trigger;
  outcome: OutcomeKind;
  message: string;
  durationMs: number;
  writes: ChildWrite[];
  /** The condition type this outcome was recorded under; null = none (legacy reconcile_result with conditionType ''). */
  conditionType: string | null;
}

export interface RuntimeDeps {
  client: Client;
  read: ReadView & ChildCache;
  run: RunStarlark;
  defaultNamespace?: string;
  now?: () => Date;
  /** Called once per reconcile with its outcome (observer, logs). */
  report?: (r: ReconcileReport) => void;
  /** Called with every object this reconciler wrote, as stored (the `run once` hot-loop guard). */
  wrote?: (reconciler: string, obj: KObject) => void;
  /** Maintain status.phase of the For objects (their CRD declares it), aggregated over the reconcilers in this book. */
  phases?: PhaseBook;
  /** Records a core/v1 Event about an object (the registry's EventRecorder). */
  event?: EventSink;
  /** Whether a field manager is a reconciler of the engine: then our applies correct drift by anyone else (drift.ts). */
  isReconciler?: (manager: string) => boolean;
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
  /** The finalizer we put on For objects (finalizer.ts: the name itself when that is a valid finalizer). */
  readonly finalizer: string;
  private readonly forType: TypeRef;
  private readonly client: Client;
  /** For objects whose last outcome was fatal → JSON of the spec it failed on (held until the spec changes). */
  private readonly fatalSpecs = new Map<string, string>();
  /** Condition type a legacy reconcile_result last chose per object (null = none), where it differs from the config's. */
  private readonly legacyTypes = new Map<string, string | null>();
  /** client_update / client_update_status configurations last applied (see applyWrite). */
  private readonly lastWrites = new Map<string, string>();

  constructor(
    readonly config: ReconcilerConfig,
    private readonly deps: RuntimeDeps,
  ) {
    this.forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    this.finalizer = finalizerName(config.name);
    const watched = new Set([config.for, ...config.owns].map((t) => `${t.apiVersion}|${t.kind}`));
    const reported = deps.wrote ? reportWrites(deps.client, (o) => deps.wrote!(config.name, o)) : deps.client;
    const client = noteOwnWrites(reported, this.ownWrites, (o) => watched.has(`${o.apiVersion}|${o.kind}`));
    this.client = deps.isReconciler ? correctDrift(client, { manager: config.name, isReconciler: deps.isReconciler, event: deps.event }) : client;
    this.children = new Children(config.name, this.client, deps.read, config.owns);
  }

  async reconcile(req: Request): Promise<Result | void> {
    const started = performance.now();
    const obj = this.deps.read.get(this.forType, req.namespace, req.name).obj;
    if (!obj || !this.config.for.matches(obj)) return;
    const key = `${req.namespace}/${req.name}`;
    let conditionType: string | null = this.legacyTypes.has(key) ? this.legacyTypes.get(key)! : this.config.conditionType;
    const report = (outcome: OutcomeKind, message: string, writes: ChildWrite[]) =>
      this.deps.report?.({ reconciler: this.config.name, key, apiVersion: this.config.for.apiVersion, kind: this.config.for.kind, trigger: req.trigger, outcome, message, durationMs: performance.now() - started, writes, conditionType });

    if (obj.metadata.deletionTimestamp) {
      const writes: ChildWrite[] = [];
      try {
        let live = obj;
        if (this.holdsOwnFinalizers(obj)) {
          // Finalizers its Starlark set (legacy) are the reconciler's to remove: run it on the
          // deleted object, as the original did on every event, and apply what it returns.
          const { outcome } = await this.runStarlark(obj);
          if (outcome.legacy) live = (await this.applyMain(obj, outcome.obj, true, false)) ?? obj;
        }
        await this.children.deleteAll(live, writes);
        await this.removeFinalizer(live);
      } catch (err) {
        report('Error', errorMessage(err), writes);
        throw err;
      }
      this.fatalSpecs.delete(key);
      this.legacyTypes.delete(key);
      this.deps.phases?.forget(this.forType, key);
      report('Deleted', '', writes);
      return;
    }
    // Fatal holds until the object's spec changes — see runtime header.
    const fatalSpec = this.fatalSpecs.get(key);
    if (fatalSpec !== undefined) {
      if (fatalSpec === JSON.stringify(obj.spec ?? null)) {
        await this.setPhase(obj, 'Failed');
        return;
      }
      this.fatalSpecs.delete(key);
    }

    let outcome: ReconcileOutcome;
    let scope: ReconcileScope;
    try {
      ({ outcome, scope } = await this.runStarlark(obj));
    } catch (err) {
      const message = errorMessage(err);
      await this.setConditionAfterFailure(obj, message, conditionType);
      await this.setPhase(obj, 'Failed').catch(() => {});
      report('Error', message, []);
      throw err;
    }
    const legacy = outcome.legacy === true;
    const refused = legacy ? undefined : this.refusedSpecChange(obj, outcome.obj);
    if (refused) outcome = { ...outcome, fatal: true, message: refused };
    if (outcome.conditionType !== undefined) {
      conditionType = outcome.conditionType === '' ? null : outcome.conditionType;
      if (conditionType === this.config.conditionType) this.legacyTypes.delete(key);
      else this.legacyTypes.set(key, conditionType);
    }
    // A message always requeues through the rate limiter, whatever requeue/requeueAfter say (original choreo).
    const requeue = (): Result => (outcome.message ? { requeue: true } : outcome.requeueAfterSeconds > 0 ? { requeueAfter: outcome.requeueAfterSeconds * 1000 } : { requeue: outcome.requeue });
    const writes: ChildWrite[] = [];
    let kind: OutcomeKind;
    let live = obj;
    try {
      if (outcome.fatal || outcome.message) {
        await this.carryOutRequests(obj, scope, writes);
        // Legacy: the returned object's spec and finalizers are applied on every outcome.
        if (legacy) live = (await this.applyMain(obj, outcome.obj, true, false)) ?? obj;
      }
      if (outcome.fatal) {
        await this.setCondition(live, outcome.obj, 'False', 'Failed', outcome.message, conditionType);
        this.fatalSpecs.set(key, JSON.stringify(live.spec ?? null));
        kind = 'Fatal';
      } else if (outcome.message) {
        await this.setCondition(live, outcome.obj, 'False', 'Failed', outcome.message, conditionType);
        kind = outcome.requeue || outcome.requeueAfterSeconds > 0 ? 'Requeue' : 'Waiting';
      } else {
        await this.children.sync(obj, scope.desired, writes);
        for (const w of scope.writes) await this.applyWrite(w);
        live = await this.finishReady(obj, outcome.obj, conditionType, legacy);
        kind = outcome.requeue || outcome.requeueAfterSeconds > 0 ? 'Requeue' : 'Ready';
      }
      // A phase the reconciler set itself is its own business.
      const phaseOf = (o: KObject | undefined) => (o?.status as { phase?: unknown } | undefined)?.phase;
      if (phaseOf(outcome.obj) === phaseOf(obj)) await this.setPhase(live, kind === 'Ready' ? 'Ready' : kind === 'Fatal' ? 'Failed' : 'Pending');
    } catch (err) {
      // A write failed (typically an SSA conflict with another manager): the
      // reconcile failed; say so on the object and retry with backoff.
      const message = errorMessage(err);
      await this.setConditionAfterFailure(obj, message, conditionType);
      await this.setPhase(obj, 'Failed').catch(() => {});
      report('Error', message, writes);
      throw err;
    }
    report(kind, outcome.message, writes);
    if (kind === 'Fatal') throw new FatalError(outcome.message);
    return requeue();
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
   * The success writes to the For object: our finalizer and (specUpdate,
   * legacy) spec and Starlark-set finalizers, then status with the condition
   * True. A new object needs both; they go out as one write
   * (Client.applyWithStatus — one resourceVersion, one event, as the original
   * choreo's single apply), except when the spec changes: then the condition
   * is written against the stored result, so observedGeneration counts the
   * generation our own spec change produced. Returns the object as it now is.
   */
  private async finishReady(live: KObject, returned: KObject | undefined, conditionType: string | null, legacy: boolean): Promise<KObject> {
    const fm = { fieldManager: this.config.name };
    const main = this.mainConfig(live, returned, legacy, true);
    const separateStatus = this.hasStatusSubresource();
    if (main?.specChanged) {
      // Without a status subresource every apply of ours carries the status we own, or SSA would drop it.
      const first = separateStatus ? main.patch : { ...main.patch, status: this.conditionPatch(live, returned, 'True', 'Ready', '', conditionType).status };
      const current = await this.client.apply(first, fm);
      return (await this.setCondition(current, returned, 'True', 'Ready', '', conditionType)) ?? current;
    }
    const status = this.conditionPatch(live, returned, 'True', 'Ready', '', conditionType);
    let current: KObject | undefined;
    if (main) {
      if (!separateStatus) current = await this.client.apply({ ...main.patch, status: status.status }, fm);
      else if (status.patch) current = await this.client.applyWithStatus(main.patch, status.patch, fm);
      else current = await this.client.apply(main.patch, fm);
    } else if (status.patch) current = await this.applyStatus(live, status.patch);
    if (status.event && status.condition) await this.recordEvent(live, status.condition);
    return current ?? live;
  }

  /** Legacy, on a non-success outcome: applies the returned spec and finalizers (no finalizer of ours added); the object as it now is, undefined when nothing changed. */
  private async applyMain(live: KObject, returned: KObject | undefined, legacy: boolean, addOurs: boolean): Promise<KObject | undefined> {
    const main = this.mainConfig(live, returned, legacy, addOurs);
    if (!main) return undefined;
    // Without a status subresource the status we own rides along (see applyStatus).
    const status = this.hasStatusSubresource() ? undefined : statusToApply(live.status, live.status, ownedStatusFields(live, this.config.name));
    return this.client.apply(status ? { ...main.patch, status } : main.patch, { fieldManager: this.config.name });
  }

  /**
   * The main-resource configuration we apply besides status: our finalizer,
   * the finalizers a legacy reconciler set in Starlark, and (specUpdate,
   * legacy) the spec fields it changed or owns — like status, never
   * co-owning the user's fields, so the user's next apply of them does not
   * conflict with us. Undefined when the object already says all of it.
   */
  private mainConfig(live: KObject, returned: KObject | undefined, legacy: boolean, addOurs: boolean): { patch: KObject; specChanged: boolean } | undefined {
    const liveFinalizers = live.metadata.finalizers ?? [];
    const finalizers = this.wantFinalizers(live, legacy ? returned : undefined, addOurs);
    const finalizersChanged = finalizers.some((f) => !liveFinalizers.includes(f)) || (finalizers.length < liveFinalizers.length && this.dropsOwnedFinalizer(live, finalizers));
    // Every apply of ours must carry the spec fields we own, or SSA would remove them.
    let spec: Record<string, unknown> | undefined;
    let specChanged = false;
    if ((this.config.specUpdate || legacy) && returned?.spec !== undefined) {
      const ownedSpec = ownedFields(live, this.config.name, 'spec');
      spec = statusToApply(returned.spec, live.spec, ownedSpec);
      specChanged = (spec !== undefined && !isSubset(spec, live.spec)) || ownedRemoved(spec, live.spec, ownedSpec);
    }
    if (!finalizersChanged && !specChanged) return undefined;
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace, finalizers } };
    if (spec) patch.spec = spec;
    return { patch, specChanged };
  }

  /**
   * The finalizers our applies to the main resource carry: ours (added on
   * success, kept once there), and the others we own — with `returned` (legacy)
   * as the Starlark left them: new ones added, owned ones it dropped removed;
   * finalizers of other managers are never co-owned.
   */
  private wantFinalizers(live: KObject, returned: KObject | undefined, addOurs: boolean): string[] {
    const liveFinalizers = live.metadata.finalizers ?? [];
    const out: string[] = [];
    if (addOurs || liveFinalizers.includes(this.finalizer)) out.push(this.finalizer);
    const candidates = returned ? (returned.metadata?.finalizers ?? []) : liveFinalizers;
    // The usual case, no finalizer but ours: no managedFields to read.
    if (candidates.every((f) => f === this.finalizer)) return out;
    const owned = ownedFinalizers(live, this.config.name);
    for (const f of candidates) {
      if (f === this.finalizer || out.includes(f)) continue;
      if (returned ? !liveFinalizers.includes(f) || owned.has(f) : owned.has(f)) out.push(f);
    }
    return out;
  }

  /** Does the object carry finalizers we own besides ours (set by a legacy reconcile_result)? */
  private holdsOwnFinalizers(live: KObject): boolean {
    const finalizers = live.metadata.finalizers ?? [];
    if (finalizers.every((f) => f === this.finalizer)) return false;
    const owned = ownedFinalizers(live, this.config.name);
    return finalizers.some((f) => f !== this.finalizer && owned.has(f));
  }

  /** Does `finalizers` leave out one we own on the live object (so applying it removes that one)? */
  private dropsOwnedFinalizer(live: KObject, finalizers: string[]): boolean {
    const owned = ownedFinalizers(live, this.config.name);
    return (live.metadata.finalizers ?? []).some((f) => owned.has(f) && !finalizers.includes(f));
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
      if (!finalizers.includes(this.finalizer)) return;
      const patch = [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== this.finalizer) },
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
  private async setConditionAfterFailure(live: KObject, message: string, type: string | null): Promise<void> {
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
   * Event when the condition changes. Returns the written object, if written.
   */
  private async setCondition(live: KObject, returned: KObject | undefined, status: Condition['status'], reason: string, message: string, type: string | null): Promise<KObject | undefined> {
    const w = this.conditionPatch(live, returned, status, reason, message, type);
    const written = w.patch ? await this.applyStatus(live, w.patch) : undefined;
    if (w.event && w.condition) await this.recordEvent(live, w.condition);
    return written;
  }

  /**
   * The status setCondition applies: `status` is the configuration (the
   * fields we changed or own, and our condition), `patch` the apply to send
   * (undefined: the live status already says all of it), `event` whether the
   * change is worth an Event. `type` null: no condition (legacy
   * reconcile_result with conditionType ''); the returned conditions are then
   * the reconciler's own business and applied like any other status field.
   */
  private conditionPatch(live: KObject, returned: KObject | undefined, status: Condition['status'], reason: string, message: string, type: string | null): { patch?: KObject; status: Record<string, unknown>; condition?: Condition; event: boolean } {
    const withGeneration = this.hasStatusSubresource();
    const prev = type === null ? undefined : findCondition(live.status, type);
    const condition = type === null ? undefined : makeCondition(prev, { type, status, reason, message, observedGeneration: withGeneration ? live.metadata.generation : undefined }, this.deps.now?.() ?? new Date());
    const skip = condition ? ['conditions'] : [];
    const owned = returned?.status !== undefined ? ownedStatusFields(live, this.config.name) : [];
    const wantStatus: Record<string, unknown> = statusToApply(returned?.status, live.status, owned, skip) ?? {};
    const removal = returned?.status !== undefined && ownedRemoved(wantStatus, live.status, owned, skip);
    const unchanged = !removal && isSubset(wantStatus, live.status) && (!condition || sameCondition(condition, prev, withGeneration));
    if (condition) wantStatus.conditions = [condition];
    if (unchanged) return { status: wantStatus, condition, event: false };
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace }, status: wantStatus };
    // The first Ready of a new object is the expected path, not news: no Event (it would be one more write per object).
    const event = !condition ? false : prev ? prev.status !== status || prev.reason !== reason || prev.message !== message : status !== 'True';
    return { patch, status: wantStatus, condition, event };
  }

  private hasStatusSubresource(): boolean {
    return this.client.resourceInfo(this.forType)?.subresources.status === true;
  }

  /**
   * Applies a status configuration. Without a status subresource status is
   * part of the main resource, where we also own our finalizer (and, with
   * specUpdate or legacy, spec fields and finalizers): the configuration must
   * carry them, or SSA would remove them as no longer applied by us.
   */
  private async applyStatus(live: KObject, patch: KObject): Promise<KObject> {
    if (this.hasStatusSubresource()) return this.client.apply(patch, { fieldManager: this.config.name, subresource: 'status' });
    const meta = { ...patch.metadata };
    const finalizers = this.wantFinalizers(live, undefined, false);
    if (finalizers.length > 0) meta.finalizers = finalizers;
    const spec = statusToApply(live.spec, live.spec, ownedFields(live, this.config.name, 'spec'));
    return this.client.apply({ ...patch, metadata: meta, ...(spec ? { spec } : {}) }, { fieldManager: this.config.name });
  }

  /** Sets status.phase (when the For CRD declares it) to the worst outcome of the reconcilers of this kind, if that changes it. */
  private async setPhase(live: KObject, own: Phase): Promise<void> {
    const book = this.deps.phases;
    if (!book || !book.declared(this.forType)) return;
    const current = (live.status as { phase?: unknown } | undefined)?.phase;
    // Gone meanwhile: an apply would create it again.
    if (!this.deps.read.get(this.forType, live.metadata.namespace ?? '', live.metadata.name!).obj) return;
    const phase = book.set(this.forType, `${live.metadata.namespace ?? ''}/${live.metadata.name}`, this.config.name, own);
    if (phase === current) return;
    const patch: KObject = { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name, namespace: live.metadata.namespace }, status: { phase } };
    await this.client.apply(patch, { fieldManager: phaseFieldManager, force: true, ...(this.hasStatusSubresource() ? { subresource: 'status' as const } : {}) });
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

/** client whose writes also report the stored object to `wrote` (dry runs excepted). */
function reportWrites(client: Client, wrote: (obj: KObject) => void): Client {
  return wrapWrites(client, async (_target, dryRun, write) => {
    const out = await write();
    if (dryRun !== true) wrote(out);
    return out;
  });
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
