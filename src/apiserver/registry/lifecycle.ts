// Object lifecycle after a delete: owner-reference garbage collection
// (Background, Foreground, Orphan), namespace termination (delete the contents,
// then the namespace) and CRD termination (delete the instances, then stop
// serving). Kubernetes runs these as controllers over watches; we run them
// over an owner index the registry keeps exact on every write.
//
// Key idea: `observe` (called synchronously after each store write) maintains
// uid → object and owner uid → dependent uids, and enqueues small idempotent
// tasks (check a dependent, finish a foreground/orphan owner, drain a
// namespace or CRD). One worker drains the queue in order; each task re-reads
// the store, so a task that runs late or twice is harmless.
// Trade-off: the index costs memory per object (uid, key, owner uids) but
// makes every GC decision O(dependents) instead of a scan.
// Shared store (several runners): the index is also fed from store watches
// (sharedstate.ts), every runner's collector may act on the same object, and
// each action is idempotent (uid preconditions, NotFound/Conflict ignored).
// An owner missing from the index is verified in the store before a reference
// counts as dangling: another runner may have just written it.

import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { crdType, namespaceType } from '../builtins.js';
import type { DeleteOptions } from '../../api/client.js';
import type { ResourceCatalog, ResourceType } from './resources.js';
import { unfenced } from '../../store/fence.js';
import type { ObjectKey, Store } from '../../store/store.js';

interface Entry {
  type: ResourceType;
  namespace: string;
  name: string;
  owners: string[];
}

/** What the collector needs of the registry (which implements it): raw reads, and the deletes and updates that go through admission and the store. */
export interface LifecycleHost {
  readonly store: Store;
  readonly catalog: ResourceCatalog;
  key(t: ResourceType, namespace: string, name: string): ObjectKey;
  resolve(ref: { apiVersion: string; kind: string }): ResourceType;
  isNamespaceTerminating(ns: string): boolean | undefined;
  deleteObject(t: ResourceType, namespace: string, name: string, opts?: DeleteOptions): Promise<{ object: KObject; removed: boolean }>;
  mutate(t: ResourceType, namespace: string, name: string, fn: (o: KObject) => boolean | void): Promise<KObject | undefined>;
  finalize(t: ResourceType, obj: KObject): Promise<void>;
}

type Task = { kind: 'dependent' | 'foreground' | 'orphan'; uid: string } | { kind: 'namespace' | 'crd'; name: string };

export class Lifecycle {
  private readonly byUid = new Map<string, Entry>();
  private readonly dependents = new Map<string, Set<string>>();
  /** Owners removed but whose dependents are still being collected, and how (Foreground propagates). */
  private readonly goneOwners = new Map<string, 'Background' | 'Foreground'>();
  private readonly queue = new Map<string, Task>();
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private started = false;

  constructor(private readonly registry: LifecycleHost) {}

  /** Starts processing (after the initial index load) and enqueues pending work found in the store. */
  resume(): void {
    this.started = true;
    for (const [uid, e] of this.byUid) {
      if (e.owners.some((o) => !this.byUid.has(o))) this.enqueue({ kind: 'dependent', uid });
    }
    this.kick();
  }

  observe(t: ResourceType, prev: KObject | undefined, next: KObject | undefined): void {
    const obj = (next ?? prev)!;
    const uid = obj.metadata.uid;
    if (!uid) return;
    const entry = prev && next ? this.byUid.get(uid) : undefined;
    if (entry && entry.type === t && prev!.metadata.ownerReferences === next!.metadata.ownerReferences) {
      // Most writes leave ownerReferences alone (stored objects share unchanged subtrees, so
      // identity suffices): the entry and the dependents index stay as they are.
      if (this.started) for (const o of entry.owners) if (!this.byUid.has(o)) this.enqueue({ kind: 'dependent', uid });
      this.observeDeletion(t, next!, uid);
      return;
    }
    const prevOwners = ownerUids(prev);
    if (next) {
      const owners = ownerUids(next);
      this.byUid.set(uid, { type: t, namespace: next.metadata.namespace ?? '', name: next.metadata.name!, owners });
      for (const o of prevOwners) if (!owners.includes(o)) this.unlink(o, uid);
      for (const o of owners) {
        let s = this.dependents.get(o);
        if (!s) this.dependents.set(o, (s = new Set()));
        s.add(uid);
        if (this.started && !this.byUid.has(o)) this.enqueue({ kind: 'dependent', uid });
      }
      this.observeDeletion(t, next, uid);
    } else {
      this.byUid.delete(uid);
      for (const o of prevOwners) {
        this.unlink(o, uid);
        const owner = this.byUid.get(o);
        if (owner) this.enqueue({ kind: 'foreground', uid: o });
      }
      const deps = this.dependents.get(uid);
      if (deps && deps.size) {
        const fg = (prev!.metadata.finalizers ?? []).includes('foregroundDeletion') ? 'Foreground' : 'Background';
        this.goneOwners.set(uid, fg);
        for (const d of deps) this.enqueue({ kind: 'dependent', uid: d });
      }
      const ns = prev!.metadata.namespace;
      if (ns && t.namespaced && this.registry.isNamespaceTerminating(ns)) this.enqueue({ kind: 'namespace', name: ns });
      if (t.crd) this.enqueue({ kind: 'crd', name: t.crd });
    }
  }

  /** Queues the finalization work an object being deleted needs. */
  private observeDeletion(t: ResourceType, next: KObject, uid: string): void {
    if (!next.metadata.deletionTimestamp) return;
    const fin = next.metadata.finalizers ?? [];
    if (fin.includes('foregroundDeletion')) this.enqueue({ kind: 'foreground', uid });
    if (fin.includes('orphan')) this.enqueue({ kind: 'orphan', uid });
    if (t === namespaceType) this.enqueue({ kind: 'namespace', name: next.metadata.name! });
    if (t.storageKey === crdType.storageKey) this.enqueue({ kind: 'crd', name: next.metadata.name! });
  }

  /** Resolves when no lifecycle work is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private unlink(owner: string, dep: string): void {
    const s = this.dependents.get(owner);
    if (!s) return;
    s.delete(dep);
    if (s.size === 0) {
      this.dependents.delete(owner);
      this.goneOwners.delete(owner);
    }
  }

  private enqueue(task: Task): void {
    const key = 'uid' in task ? `${task.kind}:${task.uid}` : `${task.kind}:${task.name}`;
    this.queue.set(key, task);
    if (this.started) this.kick();
  }

  private kick(): void {
    if (this.running || this.queue.size === 0) return;
    this.running = true;
    // The worker is shared by every writer: it must not inherit the write fence of
    // the reconcile whose write happened to start it (see store/fence.ts).
    unfenced(() => setImmediate(() => void this.drain()));
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const [key, task] = this.queue.entries().next().value as [string, Task];
      this.queue.delete(key);
      try {
        await this.run(task);
      } catch (err) {
        // A failed task is retried later; a lifecycle error must never stop the worker.
        if (!(err instanceof ApiError && err.reason === 'NotFound')) setTimeout(() => this.enqueue(task), 1000).unref();
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(task: Task): Promise<void> {
    switch (task.kind) {
      case 'dependent':
        return this.checkDependent(task.uid);
      case 'foreground':
        return this.finishForeground(task.uid);
      case 'orphan':
        return this.finishOrphan(task.uid);
      case 'namespace':
        return this.drainNamespace(task.name);
      case 'crd':
        return this.drainCrd(task.name);
    }
  }

  private async load(uid: string): Promise<{ e: Entry; obj: KObject } | undefined> {
    const e = this.byUid.get(uid);
    if (!e) return undefined;
    const obj = await this.registry.store.get(this.registry.key(e.type, e.namespace, e.name));
    if (!obj || obj.metadata.uid !== uid) return undefined;
    return { e, obj };
  }

  /**
   * A dependent whose owners are all gone (or being deleted in the foreground)
   * is deleted; one that still has a live owner only loses the dangling references.
   */
  private async checkDependent(uid: string): Promise<void> {
    const cur = await this.load(uid);
    if (!cur) return;
    const refs = cur.obj.metadata.ownerReferences ?? [];
    let live = 0;
    let foreground = false;
    const dangling: string[] = [];
    for (const r of refs) {
      const owner = this.byUid.get(r.uid);
      // Not indexed is not proof of absence: with a shared store the owner may
      // have been written by another process whose event has not arrived yet,
      // so the store decides (as Kubernetes' garbage collector verifies owners live).
      const o = owner ? await this.registry.store.get(this.registry.key(owner.type, owner.namespace, owner.name)) : await this.storedOwner(r, cur.e.namespace);
      if (!owner && !o) {
        dangling.push(r.uid);
        if (this.goneOwners.get(r.uid) === 'Foreground') foreground = true;
        continue;
      }
      if (o?.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes('foregroundDeletion')) foreground = true;
      else live++;
    }
    if (refs.length === 0) return;
    if (live === 0) {
      if (cur.obj.metadata.deletionTimestamp && !foreground) return;
      await this.registry.deleteObject(cur.e.type, cur.e.namespace, cur.e.name, { propagationPolicy: foreground ? 'Foreground' : 'Background', preconditions: { uid } }).catch(ignoreGone);
    } else if (dangling.length) {
      await this.registry.mutate(cur.e.type, cur.e.namespace, cur.e.name, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !dangling.includes(r.uid));
      });
    }
  }

  /** Foreground: delete every dependent; drop the finalizer once none that blocks remains. */
  private async finishForeground(uid: string): Promise<void> {
    const cur = await this.load(uid);
    if (!cur || !cur.obj.metadata.deletionTimestamp || !(cur.obj.metadata.finalizers ?? []).includes('foregroundDeletion')) return;
    const deps = [...(this.dependents.get(uid) ?? [])];
    let blocking = 0;
    for (const d of deps) {
      const dep = await this.load(d);
      if (!dep) continue;
      const ref = (dep.obj.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!dep.obj.metadata.deletionTimestamp || !(dep.obj.metadata.finalizers ?? []).includes('foregroundDeletion')) await this.checkDependent(d);
    }
    if (blocking === 0) await this.removeFinalizer(cur.e, 'foregroundDeletion');
  }

  /** Orphan: detach every dependent, then drop the finalizer. */
  private async finishOrphan(uid: string): Promise<void> {
    const cur = await this.load(uid);
    if (!cur || !cur.obj.metadata.deletionTimestamp || !(cur.obj.metadata.finalizers ?? []).includes('orphan')) return;
    for (const d of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.byUid.get(d);
      if (!dep) continue;
      await this.registry.mutate(dep.type, dep.namespace, dep.name, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
      });
    }
    await this.removeFinalizer(cur.e, 'orphan');
  }

  private async removeFinalizer(e: Entry, f: string): Promise<void> {
    await this.registry.mutate(e.type, e.namespace, e.name, (o) => {
      const fin = o.metadata.finalizers ?? [];
      if (!fin.includes(f)) return false;
      o.metadata.finalizers = fin.filter((x) => x !== f);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
      return true;
    });
  }

  /** Deletes everything in a terminating namespace; removes the namespace when it is empty. */
  private async drainNamespace(name: string): Promise<void> {
    const ns = await this.registry.store.get(this.registry.key(namespaceType, '', name));
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const t of this.registry.catalog.storageTypes()) {
      if (!t.namespaced) continue;
      const l = await this.registry.store.list({ resource: t.storageKey, namespace: name });
      remaining += l.items.length;
      for (const o of l.items) if (!o.metadata.deletionTimestamp) await this.registry.deleteObject(t, name, o.metadata.name!, { preconditions: { uid: o.metadata.uid } }).catch(ignoreGone);
    }
    if (remaining === 0 && (ns.metadata.finalizers ?? []).length === 0) await this.registry.finalize(namespaceType, ns);
  }

  /** Deletes every instance of a terminating CRD; removes the CRD (and stops serving it) when none is left. */
  private async drainCrd(name: string): Promise<void> {
    const crd = await this.registry.store.get(this.registry.key(crdType, '', name));
    if (!crd?.metadata.deletionTimestamp) return;
    const t = this.registry.catalog.all().find((x) => x.crd === name);
    if (t) {
      const l = await this.registry.store.list({ resource: t.storageKey });
      for (const o of l.items) if (!o.metadata.deletionTimestamp) await this.registry.deleteObject(t, o.metadata.namespace ?? '', o.metadata.name!, { preconditions: { uid: o.metadata.uid } }).catch(ignoreGone);
      if (l.items.length > 0) return;
    }
    if ((crd.metadata.finalizers ?? []).length === 0) await this.registry.finalize(crdType, crd);
  }
  /** The owner a reference names, as stored now, if it is still the same object (same uid). */
  private async storedOwner(ref: { apiVersion?: string; kind?: string; name?: string; uid: string }, namespace: string): Promise<KObject | undefined> {
    if (!ref.apiVersion || !ref.kind || !ref.name) return undefined;
    let t: ResourceType;
    try {
      t = this.registry.resolve({ apiVersion: ref.apiVersion, kind: ref.kind });
    } catch {
      return undefined;
    }
    const o = await this.registry.store.get(this.registry.key(t, namespace, ref.name));
    return o?.metadata.uid === ref.uid ? o : undefined;
  }
}

const noOwners: string[] = [];

function ownerUids(o: KObject | undefined): string[] {
  const refs = o?.metadata.ownerReferences;
  if (!Array.isArray(refs) || refs.length === 0) return noOwners;
  const out: string[] = [];
  for (const r of refs) if (typeof r?.uid === 'string') out.push(r.uid);
  return out;
}

function ignoreGone(err: unknown): void {
  if (err instanceof ApiError && (err.reason === 'NotFound' || err.reason === 'Conflict')) return;
  throw err;
}
