// The allocation of one backend, in two halves sharing one pool per index:
// - Admission (kuid's invoker, synchronous in the API write; see
//   apiserver/registry/admission.ts): an Index write builds its pool (an
//   invalid spec is refused, 422); a Claim write is allocated before it is
//   stored, and a claim that cannot be allocated is refused by that write
//   (403 Forbidden like an exceeded quota, or 422 Invalid for a malformed
//   claim). Once stored, and before the write returns, the Entries (and an
//   index's own claims) are written and the result is reported in status
//   (Ready=True) — in a status write of our own, so the object the
//   create/apply returns carries the allocation, and a reconciler that
//   created the claim sees a change that is not its own write and runs again
//   to read it. A claim whose index does not exist yet is stored not Ready
//   (IndexNotFound) and allocated when the index appears.
// - Controllers (the asynchronous repairs): an Index controller (the pool
//   exists and owns its own Entries and claims) and a Claim controller (index
//   created late, index deleted or changed, Entries deleted by someone else,
//   restart). Built-in TypeScript controllers on the same Manager as the
//   Starlark reconcilers, so `run once` waits for them too.
//
// Source of truth: the store. A pool is a cache built from the index's spec
// and the Entries in the store (at first use, after a restart, and whenever
// the index spec changes); nothing is kept only in memory. An Entry deleted by
// anyone (claim deleted → garbage collection, `kubectl delete`, index deleted)
// frees its value and re-queues the claims that were waiting for space.
//
// Concurrency: a claim's decision is synchronous against the pool (see
// backend.ts), so values are never handed out twice in one process whatever
// the number of workers. Decisions (admission's and the controller's) are
// batched per index and event-loop turn and taken in claim-type and name
// order, so claims written together get the same values every run; claims
// written one after the other are served first come, first served, as kuid
// serves them. Entry names are derived from the value (kuid's names, e.g.
// `<index>.<id>-<bits>`, `<ns>.<index>.<subnet>`), so the store itself
// refuses a second Entry for a value — the guard when several runners share
// one store: the loser sees the other's Entry, records it and picks again;
// an Entry whose claim is gone (not yet collected) is taken over.
//
// Deleting an index cascades: its Entries are removed, its claims report
// Ready=False (IndexNotFound) until an index of that name exists again, and
// then allocate again — preferring the value their status last reported.

import type { Client, TypeRef } from '../api/client.js';
import { type Condition, setCondition } from '../api/conditions.js';
import { ApiError, isApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import { deepEqual } from '../api/patch.js';
import { enqueueForObject, type Controller, type Manager, type SharedInformer } from '../controller/index.js';
import type { Request } from '../controller/reconcile.js';
import type { AdmissionOutcome, AdmissionPlugin, AdmissionRequest } from '../apiserver/registry/admission.js';
import { type Allocation, type Backend, type Decision, entryClaimName } from './backend.js';
import { Batcher } from './batcher.js';

/** Field manager of every write the allocation controllers make. */
export const allocationFieldManager = 'choreo-allocation';

interface Slot<P> {
  pool?: P;
  /** Why there is no pool (invalid index spec). */
  error?: { reason: string; message: string };
  specKey: string;
  uid: string;
  batch: Batcher;
}

const keyOf = (ns: string, name: string) => `${ns}/${name}`;
const specOf = (o: KObject) => (o.spec ?? {}) as Record<string, unknown>;
const indexOf = (o: KObject) => specOf(o).index as string | undefined;

export interface BackendControllerOptions {
  workers?: number;
}

export class BackendController<P> {
  private readonly slots = new Map<string, Slot<P>>();
  private readonly building = new Map<string, Promise<Slot<P>>>();
  /** Claims and indexes (kind/ns/name) whose admitted write is being completed; the controllers leave them to it. */
  private readonly committing = new Set<string>();
  /** Claims (ns/name) whose pool holding may differ from what is stored (a changed write that was not stored). */
  private readonly unsettled = new Set<string>();
  private readonly claims: SharedInformer;
  private readonly entries: SharedInformer;
  private readonly indexes: SharedInformer;
  readonly claimController: Controller;
  readonly indexController: Controller;
  /** The registry's admission plugin for this backend's Index and Claim kinds (registered by installAllocation). */
  readonly admission: AdmissionPlugin;
  private readonly client: Client;

  constructor(
    private readonly backend: Backend<P>,
    manager: Manager,
    opts: BackendControllerOptions = {},
  ) {
    const k = backend.kinds;
    this.client = manager.client;
    this.claims = manager.informers.informerFor(k.claim);
    this.entries = manager.informers.informerFor(k.entry);
    this.indexes = manager.informers.informerFor(k.index);
    this.indexController = manager.newController(`allocation.${k.name}.index`, { reconcile: (r) => this.reconcileIndex(r) });
    this.claimController = manager.newController(`allocation.${k.name}.claim`, { reconcile: (r) => this.reconcileClaim(r) }, { workers: opts.workers });
    this.indexController.watch(this.indexes, enqueueForObject());
    this.claimController.watch(this.claims, enqueueForObject());
    this.entries.addEventHandler({ onDelete: (e) => this.onEntryDeleted(e) });
    this.admission = {
      kinds: [
        { group: k.group, kind: k.index.kind },
        { group: k.group, kind: k.claim.kind },
      ],
      admit: (req) => this.admit(req),
      removed: (obj) => this.removed(obj),
    };
  }

  // --- admission: allocation inside the API write ---------------------------------------

  private async admit(req: AdmissionRequest): Promise<AdmissionOutcome | void> {
    // Status writes carry no request to allocate. One by someone else (a loader restoring a saved
    // status) that changes the result may now disagree with the pool: the controller reports the pool's.
    if (req.subresource === 'status') {
      if (req.object.kind === this.backend.kinds.claim.kind && req.fieldManager !== allocationFieldManager && !deepEqual(resultOf(req.old), resultOf(req.object))) {
        const ns = req.object.metadata.namespace ?? '';
        this.unsettled.add(keyOf(ns, req.object.metadata.name!));
        this.claimController.enqueue({ namespace: ns, name: req.object.metadata.name! });
      }
      return;
    }
    if (req.object.kind === this.backend.kinds.index.kind) return req.dryRun ? this.checkIndex(req.object) : this.admitIndex(req.object);
    return this.admitClaim(req.object, req.operation === 'create', req.dryRun);
  }

  /** A dry run of an index write: refused or reported Ready as the write would be, no pool replaced. */
  private checkIndex(index: KObject): void {
    const k = this.backend.kinds;
    const made = this.backend.newPool(index);
    if (!made.ok) throw rejection(k.index.kind, k.group, index, made);
    index.status = statusWith(index, this.backend.indexStatus(made.value, index), readyTrue) ?? index.status;
  }

  private async admitIndex(index: KObject): Promise<AdmissionOutcome> {
    const k = this.backend.kinds;
    // Validated before any pool is replaced: a refused spec leaves the stored index's pool in place.
    const made = this.backend.newPool(index);
    if (!made.ok) throw rejection(k.index.kind, k.group, index, made);
    const { slot, rebuilt } = await this.slotFor(index);
    if (!slot.pool) throw rejection(k.index.kind, k.group, index, slot.error!);
    const pool = slot.pool;
    const ns = index.metadata.namespace ?? '';
    const name = index.metadata.name!;
    return {
      // Not stored: a pool built for the refused spec goes; the next use builds it from what is stored.
      aborted: () => {
        if (rebuilt && this.slots.get(keyOf(ns, name)) === slot) this.slots.delete(keyOf(ns, name));
      },
      committed: (stored) =>
        this.orRepair(this.indexController, ns, name, async () => {
          await this.syncIndexChildren(stored, pool, rebuilt);
          return this.writeStatus(k.index, stored, this.backend.indexStatus(pool, stored), readyTrue);
        }),
    };
  }

  private async admitClaim(claim: KObject, create: boolean, dryRun: boolean): Promise<AdmissionOutcome | void> {
    const k = this.backend.kinds;
    const ns = claim.metadata.namespace ?? '';
    const name = claim.metadata.name!;
    const indexName = indexOf(claim);
    const slot = indexName ? await this.slot(ns, indexName) : undefined;
    if (!slot?.pool) {
      // Stored not Ready; allocated when its index appears (the index write re-queues its waiting claims).
      claim.status = statusWith(claim, {}, { type: 'Ready', status: 'False', ...noPoolReason(indexName, slot) }) ?? claim.status;
      return;
    }
    const pool = slot.pool;
    if (create && this.backend.holds(pool, name)) {
      // A create under a name the pool knows: the claim exists (the store refuses the create; its allocation
      // must stay untouched), or it was deleted elsewhere and the holding is stale.
      if (await this.client.get(k.claim, ns, name)) return;
      this.backend.release(pool, name);
    }
    // Batched like the controller's decisions: claims written in the same event-loop turn (parallel
    // reconcilers) are decided in (claim type, name) order, so allocations do not depend on scheduling.
    const { held, decision } = await slot.batch.submit(this.backend.claimOrder(claim), name, () => ({ held: this.backend.holds(pool, name), decision: this.backend.decide(pool, claim) }));
    // A dry run gives back what it took at once: a new claim frees it, a changed one takes its stored allocation back.
    const undo = async () => (held ? this.restoreHolding(pool, claim) : this.backend.release(pool, name));
    if (!decision.ok) {
      // A refused change keeps the claim's stored allocation: the pool takes it back from its Entries.
      if (held) await this.restoreHolding(pool, claim);
      throw rejection(k.claim.kind, k.group, claim, decision);
    }
    if (dryRun) {
      await undo();
      claim.status = statusWith(claim, decision.allocation.status, readyTrue) ?? claim.status;
      return;
    }
    const allocation = decision.allocation;
    return {
      committed: (stored) => this.orRepair(this.claimController, ns, name, () => this.commitClaim(stored, pool, allocation, indexName!)),
      aborted: () => {
        // Not stored: a new claim frees what it took; a changed one is re-decided from what is stored.
        if (!held) this.backend.release(pool, name);
        else {
          this.unsettled.add(keyOf(ns, name));
          this.claimController.enqueue({ namespace: ns, name });
        }
      },
    };
  }

  /** The claim is stored: write the Entries recording its allocation, drop those that no longer do, report it in status. */
  private async commitClaim(claim: KObject, pool: P, allocation: Allocation, indexName: string): Promise<KObject | undefined> {
    const ns = claim.metadata.namespace ?? '';
    const name = claim.metadata.name!;
    const foreign = await this.writeEntries(claim, allocation.entries, pool);
    if (foreign) {
      // Another runner sharing the store holds the value: record its Entry and let the controller decide again.
      this.backend.release(pool, name);
      this.backend.restore(pool, foreign);
      this.claimController.enqueue({ namespace: ns, name });
      return undefined;
    }
    const keep = new Set(allocation.entries.map((e) => e.metadata.name));
    for (const e of this.entries.listByOwner(claim.metadata.uid ?? '')) if (!keep.has(e.metadata.name)) await this.deleteEntry(ns, e.metadata.name!);
    if (allocation.refreshIndex) this.enqueueClaimsOf(ns, indexName, false);
    return this.writeStatus(this.backend.kinds.claim, claim, allocation.status, readyTrue);
  }

  /** Puts back what the stored claim holds (from its Entries in the store) after a refused change released it. */
  private async restoreHolding(pool: P, claim: KObject): Promise<void> {
    const uid = claim.metadata.uid ?? '';
    this.backend.release(pool, claim.metadata.name!);
    const owned = (await this.client.list(this.backend.kinds.entry, { namespace: claim.metadata.namespace ?? '' })).items.filter((e) => (e.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
    for (const e of owned.sort((a, b) => this.backend.restoreOrder(a) - this.backend.restoreOrder(b))) this.backend.restore(pool, e);
  }

  /** Runs what follows a stored write; a failure there is left to the controller to repair (the write itself stands). */
  private async orRepair(controller: Controller, namespace: string, name: string, fn: () => Promise<KObject | undefined>): Promise<KObject | undefined> {
    const key = `${controller.name}|${keyOf(namespace, name)}`;
    this.committing.add(key);
    try {
      return await fn();
    } catch {
      controller.enqueue({ namespace, name });
      return undefined;
    } finally {
      this.committing.delete(key);
    }
  }

  /** Deleted from the store: a claim frees what it held at once (a new claim may take it in the next write). */
  private removed(obj: KObject): void {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name!;
    if (obj.kind === this.backend.kinds.index.kind) {
      this.slots.delete(keyOf(ns, name));
      return;
    }
    const index = indexOf(obj);
    const slot = index ? this.slots.get(keyOf(ns, index)) : undefined;
    if (!slot?.pool || !this.backend.holds(slot.pool, name)) return;
    this.backend.release(slot.pool, name);
    this.enqueueClaimsOf(ns, index!, true);
  }

  // --- pools ---------------------------------------------------------------------

  /** The pool of index ns/name, built from the store on first use; undefined when the index does not exist. */
  private async slot(ns: string, name: string): Promise<Slot<P> | undefined> {
    const key = keyOf(ns, name);
    const have = this.slots.get(key);
    if (have) return have;
    const index = await this.client.get(this.backend.kinds.index, ns, name);
    if (!index || index.metadata.deletionTimestamp) return undefined;
    return this.build(index);
  }

  private build(index: KObject): Promise<Slot<P>> {
    const ns = index.metadata.namespace ?? '';
    const name = index.metadata.name!;
    const key = keyOf(ns, name);
    const inflight = this.building.get(key);
    if (inflight) return inflight;
    const p = (async () => {
      const slot: Slot<P> = { specKey: JSON.stringify(index.spec ?? {}), uid: index.metadata.uid ?? '', batch: new Batcher() };
      const made = this.backend.newPool(index);
      if (!made.ok) slot.error = { reason: made.reason, message: made.message };
      else {
        slot.pool = made.value;
        // From the store itself (not the informer cache, which may lag or not be started yet): restart-safe and exact.
        const stored = (await this.client.list(this.backend.kinds.entry, { namespace: ns })).items
          .filter((e) => indexOf(e) === name)
          .sort((a, b) => this.backend.restoreOrder(a) - this.backend.restoreOrder(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
        const misfits = stored.filter((e) => !this.backend.restore(made.value, e));
        // Entries that no longer fit the index (its range shrank, a prefix went away) are removed; their claims allocate again.
        for (const e of misfits) if (entryClaimName(e) !== undefined && !isIndexEntry(e)) await this.deleteEntry(ns, e.metadata.name!);
      }
      this.slots.set(key, slot);
      return slot;
    })();
    this.building.set(key, p);
    return p.finally(() => this.building.delete(key));
  }

  // --- index ---------------------------------------------------------------------

  private async reconcileIndex(req: Request): Promise<void> {
    const k = this.backend.kinds;
    if (this.committing.has(`${this.indexController.name}|${keyOf(req.namespace, req.name)}`)) return;
    const key = keyOf(req.namespace, req.name);
    const index = await this.client.get(k.index, req.namespace, req.name);
    if (!index || index.metadata.deletionTimestamp) {
      this.slots.delete(key);
      for (const e of this.entries.list(req.namespace)) if (indexOf(e) === req.name) await this.deleteEntry(req.namespace, e.metadata.name!);
      this.enqueueClaimsOf(req.namespace, req.name, false);
      return;
    }
    const { slot, rebuilt } = await this.slotFor(index);
    if (!slot.pool) {
      await this.writeStatus(k.index, index, {}, { type: 'Ready', status: 'False', reason: slot.error!.reason, message: slot.error!.message });
      return;
    }
    await this.syncIndexChildren(index, slot.pool, rebuilt);
    await this.writeStatus(k.index, index, this.backend.indexStatus(slot.pool, index), readyTrue);
  }

  /** The slot matching this index's spec and uid, (re)built from the store when it does not. */
  private async slotFor(index: KObject): Promise<{ slot: Slot<P>; rebuilt: boolean }> {
    const key = keyOf(index.metadata.namespace ?? '', index.metadata.name!);
    const specKey = JSON.stringify(index.spec ?? {});
    const uid = index.metadata.uid ?? '';
    let rebuilt = false;
    for (let attempt = 0; ; attempt++) {
      if (attempt === 5) throw new ApiError('Conflict', `${index.kind} ${key}: its spec keeps changing while the pool is built`);
      const have = this.slots.get(key);
      if (have && have.specKey === specKey && have.uid === uid) return { slot: have, rebuilt };
      if (have) this.slots.delete(key);
      const built = await this.build(index);
      rebuilt = true;
      // A build of an older spec may have been in flight; build again for this one.
      if (built.specKey === specKey && built.uid === uid) return { slot: built, rebuilt };
    }
  }

  /** The index's own Entries and claims (kuid: an IPClaim per index prefix) exist as its spec says; its claims are re-decided. */
  private async syncIndexChildren(index: KObject, pool: P, respecified: boolean): Promise<void> {
    const ns = index.metadata.namespace ?? '';
    const uid = index.metadata.uid ?? '';
    const desired = this.backend.indexEntries(pool, index);
    await this.writeEntries(index, desired);
    const keep = new Set(desired.map((e) => e.metadata.name));
    for (const e of this.entries.listByOwner(uid)) if (!keep.has(e.metadata.name)) await this.deleteEntry(ns, e.metadata.name!);
    const claims = this.backend.indexClaims?.(index) ?? [];
    const ownerRefs = [{ apiVersion: index.apiVersion, kind: index.kind, name: index.metadata.name!, uid, controller: true, blockOwnerDeletion: true }];
    for (const c of claims) {
      await this.client.apply({ ...c, metadata: { ...c.metadata, ownerReferences: ownerRefs } }, { fieldManager: allocationFieldManager, force: true });
    }
    const keepClaims = new Set(claims.map((c) => c.metadata.name));
    for (const c of this.claims.listByOwner(uid)) if (!keepClaims.has(c.metadata.name)) await this.deleteClaim(ns, c.metadata.name!);
    this.enqueueClaimsOf(ns, index.metadata.name!, !respecified);
  }

  private enqueueClaimsOf(ns: string, index: string, onlyWaiting: boolean): void {
    for (const c of this.claims.list(ns)) {
      if (indexOf(c) !== index) continue;
      if (onlyWaiting && readyStatus(c) === 'True') continue;
      this.claimController.enqueue({ namespace: ns, name: c.metadata.name! });
    }
  }

  private onEntryDeleted(entry: KObject): void {
    const ns = entry.metadata.namespace ?? '';
    const index = indexOf(entry);
    const claim = entryClaimName(entry);
    if (!index || !claim || !entry.metadata.uid) return;
    const slot = this.slots.get(keyOf(ns, index));
    if (!slot?.pool) return;
    if (!this.backend.releaseEntry(slot.pool, claim, entry.metadata.uid)) return;
    this.claimController.enqueue({ namespace: ns, name: claim });
    this.enqueueClaimsOf(ns, index, true);
  }

  // --- claim ---------------------------------------------------------------------

  private async reconcileClaim(req: Request): Promise<void> {
    const k = this.backend.kinds;
    // Its write is being completed by admission (Entries, status); a failure there re-queues it.
    if (this.committing.has(`${this.claimController.name}|${keyOf(req.namespace, req.name)}`)) return;
    const claim = await this.client.get(k.claim, req.namespace, req.name);
    if (!claim || claim.metadata.deletionTimestamp) {
      await this.forgetClaim(req.namespace, req.name, claim);
      return;
    }
    const indexName = indexOf(claim);
    const slot = indexName ? await this.slot(req.namespace, indexName) : undefined;
    if (!slot?.pool) {
      // No pool: the claim holds nothing; its Entries (if any survived) go.
      for (const e of this.entries.listByOwner(claim.metadata.uid ?? '')) await this.deleteEntry(req.namespace, e.metadata.name!);
      await this.writeStatus(k.claim, claim, {}, { type: 'Ready', status: 'False', ...noPoolReason(indexName, slot) });
      return;
    }
    const pool = slot.pool;
    // Allocated in its write (admission) and still held: nothing to repair.
    if (!this.unsettled.delete(keyOf(req.namespace, req.name)) && isSettled(claim) && this.backend.holds(pool, req.name)) return;
    let decision: Decision = { ok: false, reason: 'Conflict', message: 'allocation did not settle' };
    // A foreign Entry (another runner's, or one not yet garbage collected) is recorded and the decision retaken.
    for (let attempt = 0; attempt < 5; attempt++) {
      decision = await slot.batch.submit(this.backend.claimOrder(claim), req.name, () => this.backend.decide(pool, claim));
      if (!decision.ok) break;
      const foreign = await this.writeEntries(claim, decision.allocation.entries, pool);
      if (!foreign) break;
      this.backend.release(pool, req.name);
      this.backend.restore(pool, foreign);
      decision = { ok: false, reason: 'Conflict', message: `${foreign.kind} ${foreign.metadata.name} is held by ${entryClaimName(foreign) ?? 'another claim'}` };
    }
    // Entries that no longer record anything go; a refused change keeps the old allocation and its Entries.
    if (decision.ok || !this.backend.holds(pool, req.name)) {
      const keep = new Set(decision.ok ? decision.allocation.entries.map((e) => e.metadata.name) : []);
      for (const e of this.entries.listByOwner(claim.metadata.uid ?? '')) if (!keep.has(e.metadata.name)) await this.deleteEntry(req.namespace, e.metadata.name!);
    }
    if (decision.ok && decision.allocation.refreshIndex) this.enqueueClaimsOf(req.namespace, indexName!, false);
    if (decision.ok) await this.writeStatus(k.claim, claim, decision.allocation.status, readyTrue);
    else await this.writeStatus(k.claim, claim, {}, { type: 'Ready', status: 'False', reason: decision.reason, message: decision.message });
  }

  /** The claim is gone (or going): delete what records its allocation, then free it. */
  private async forgetClaim(ns: string, name: string, claim: KObject | undefined): Promise<void> {
    const owned = claim ? this.entries.listByOwner(claim.metadata.uid ?? '') : this.entries.list(ns).filter((e) => entryClaimName(e) === name && !isIndexEntry(e));
    for (const e of owned) await this.deleteEntry(ns, e.metadata.name!);
    const index = claim ? indexOf(claim) : owned.map(indexOf).find((i) => i !== undefined);
    for (const slot of index ? [this.slots.get(keyOf(ns, index))] : [...this.slots.entries()].filter(([k]) => k.startsWith(`${ns}/`)).map(([, s]) => s)) {
      if (slot?.pool) this.backend.release(slot.pool, name);
    }
    if (index) this.enqueueClaimsOf(ns, index, true);
  }

  // --- writes ---------------------------------------------------------------------

  /**
   * Makes the owner's Entries exist as desired. Returns an Entry held by a
   * different claim when one is in the way (nothing is written for it).
   */
  private async writeEntries(owner: KObject, desired: KObject[], pool?: P): Promise<KObject | undefined> {
    const k = this.backend.kinds;
    const uid = owner.metadata.uid ?? '';
    const ownerRefs = [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid, controller: true, blockOwnerDeletion: true }];
    for (const want of desired) {
      const ns = want.metadata.namespace ?? '';
      const name = want.metadata.name!;
      // The cache first; after a race (created meanwhile, collected meanwhile) the store.
      let live = this.entries.get(ns, name);
      for (let attempt = 0; ; attempt++) {
        try {
          if (!live) {
            const made = await this.client.create({ ...want, metadata: { ...want.metadata, ownerReferences: ownerRefs } }, { fieldManager: allocationFieldManager });
            if (pool) this.backend.setEntryUid(pool, owner.metadata.name!, name, made.metadata.uid!);
            break;
          }
          const ownedHere = (live.metadata.ownerReferences ?? []).some((r) => r.uid === uid);
          // Held by another claim unless that claim is gone (deleted, its Entry not yet collected): then it is taken over.
          if (!ownedHere && entryClaimName(live) !== owner.metadata.name && (await this.holderLives(live))) return live;
          if (!ownedHere || !deepEqual(live.spec, want.spec) || !deepEqual(live.metadata.labels ?? {}, want.metadata.labels ?? {})) {
            live = await this.client.update({ ...live, metadata: { ...live.metadata, labels: want.metadata.labels, ownerReferences: ownerRefs }, spec: want.spec }, { fieldManager: allocationFieldManager });
          }
          if (pool) this.backend.setEntryUid(pool, owner.metadata.name!, name, live.metadata.uid!);
          break;
        } catch (err) {
          if (attempt >= 4 || !(isApiError(err, 'AlreadyExists') || isApiError(err, 'NotFound') || isApiError(err, 'Conflict'))) throw err;
          live = await this.client.get(k.entry, ns, name);
        }
      }
    }
    return undefined;
  }

  /** Whether the object owning this Entry still exists (same uid, not being deleted). */
  private async holderLives(entry: KObject): Promise<boolean> {
    const refs = entry.metadata.ownerReferences ?? [];
    const ref = refs.find((r) => r.controller) ?? refs[0];
    if (!ref) return true;
    const holder = await this.client.get({ apiVersion: ref.apiVersion, kind: ref.kind }, entry.metadata.namespace ?? '', ref.name).catch(() => undefined);
    return !!holder && holder.metadata.uid === ref.uid && !holder.metadata.deletionTimestamp;
  }

  private async deleteClaim(ns: string, name: string): Promise<void> {
    try {
      await this.client.delete(this.backend.kinds.claim, ns, name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  private async deleteEntry(ns: string, name: string): Promise<void> {
    try {
      await this.client.delete(this.backend.kinds.entry, ns, name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  /** Replaces the result fields and sets the Ready condition; writes nothing when both are unchanged. Returns the object as it now is (undefined: `obj` is). */
  private async writeStatus(type: TypeRef, obj: KObject, result: Record<string, unknown>, ready: Condition): Promise<KObject | undefined> {
    let cur: KObject | undefined = obj;
    for (let attempt = 0; cur && attempt < 5; attempt++) {
      const status = statusWith(cur, result, ready);
      // Already so: nothing to write (after a conflict, the object as another writer left it).
      if (!status) return cur === obj ? undefined : cur;
      try {
        return await this.client.update({ ...cur, status }, { subresource: 'status', fieldManager: allocationFieldManager });
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        if (!isApiError(err, 'Conflict')) throw err;
        cur = await this.client.get(type, cur.metadata.namespace ?? '', cur.metadata.name!);
      }
    }
    return undefined;
  }
}

const readyTrue: Condition = { type: 'Ready', status: 'True', reason: 'Ready', message: '' };

/** Why a claim has no pool to allocate from. */
function noPoolReason(indexName: string | undefined, slot: { error?: { message: string } } | undefined): { reason: string; message: string } {
  if (!indexName) return { reason: 'InvalidClaim', message: 'spec.index is required' };
  if (slot?.error) return { reason: 'IndexNotReady', message: `index ${indexName}: ${slot.error.message}` };
  return { reason: 'IndexNotFound', message: `index ${indexName} not found` };
}

/** The error a write that cannot be allocated gets: 422 for a malformed spec, 403 (like an exceeded quota) otherwise. */
function rejection(kind: string, group: string, obj: KObject, why: { reason: string; message: string }): ApiError {
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
  if (why.reason.startsWith('Invalid')) {
    // kubectl shows an Invalid error by its causes: the field the message starts with, and the rest.
    const m = /^(spec(?:\.[A-Za-z]+|\[\d+\])*):? (.*)$/.exec(why.message);
    const cause = { reason: 'FieldValueInvalid', field: m ? m[1] : 'spec', message: m ? m[2]! : why.message };
    return new ApiError('Invalid', `${kind}.${group} "${name}" is invalid: ${why.message}`, { name, group, kind, causes: [cause] });
  }
  return new ApiError('Forbidden', `${kind} ${ns}${name} cannot be allocated: ${why.message}`, { name, group, kind });
}

/** The status with these result fields and Ready condition; undefined when it already says so. */
function statusWith(obj: KObject, result: Record<string, unknown>, ready: Condition): Record<string, unknown> | undefined {
  const old = (obj.status ?? {}) as Record<string, unknown>;
  const cond = { ...ready, observedGeneration: obj.metadata.generation };
  const { conditions, changed } = setCondition(old.conditions as Condition[] | undefined, cond);
  const { conditions: _c, expiryTime, ...oldResult } = old;
  if (!changed && deepEqual(oldResult, result)) return undefined;
  // One key order whether the condition is new or replaced, so outputs compare equal however a claim got Ready.
  const canonical = conditions.map((c) => (c.type !== ready.type ? c : { type: c.type, status: c.status, observedGeneration: c.observedGeneration, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message }));
  return { ...result, ...(expiryTime !== undefined ? { expiryTime } : {}), conditions: canonical };
}

/** A status without its conditions: what the allocation reported. */
function resultOf(o: KObject | undefined): Record<string, unknown> {
  const { conditions: _c, ...rest } = (o?.status ?? {}) as Record<string, unknown>;
  return rest;
}

/** Ready=True for the current generation. */
function isSettled(o: KObject): boolean {
  const c = ((o.status ?? {}) as { conditions?: Condition[] }).conditions?.find((x) => x.type === 'Ready');
  return c?.status === 'True' && c.observedGeneration === o.metadata.generation;
}

function readyStatus(o: KObject): string | undefined {
  const conds = ((o.status ?? {}) as { conditions?: Condition[] }).conditions ?? [];
  return conds.find((c) => c.type === 'Ready')?.status;
}

function isIndexEntry(e: KObject): boolean {
  return (e.spec as { indexEntry?: boolean } | undefined)?.indexEntry === true;
}
