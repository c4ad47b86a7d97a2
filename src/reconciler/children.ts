// Desired children: the reconciler states the children it wants for the current
// input; this module makes the API match. Children not desired any more are
// deleted (prune), desired ones are server-side applied with the reconciler as
// field manager and a controller ownerReference to the For object. A child
// field someone else changed is taken back by that apply (drift.ts).
//
// Key idea: only write what changes. We remember the last configuration we
// applied per child; when it is unchanged and the live object (from the
// informer cache) still contains it, the apply is skipped — an idle reconcile
// writes nothing and so never re-triggers itself. After a restart the memory is
// empty and each child is applied once, after which it is quiet again.
// A desired child is a configuration: server-populated metadata (resourceVersion,
// uid, managedFields, ...) is dropped, so a child built from an object read
// with client_get applies cleanly.
//
// Order follows the original choreo: prune first (frees names and pool
// entries for the new children), then apply in the order the reconciler created
// them (claims may depend on order).
//
// Consecutive children of one type are applied concurrently (up to
// `maxConcurrentApplies` at once), so on the file store they share one group
// commit and on etcd their round trips overlap, instead of each waiting for
// its own fsync or reply in turn (issue 19: 4 sequential waits per reconcile of
// 3 children + status became 2). A change of type is a barrier: what one child
// needs from another (its Namespace, its CRD, its IP index) is of another type
// and is applied, and acknowledged, before it. Allocation claims
// (`*.kuid.dev`) are always applied one at a time: a claim's value is decided
// inside its write, so their order decides who gets which address or id. When
// a write in a run fails, the others of the run still finish; the first
// failure in creation order is the sync's error and later runs are not
// applied, as a failing write stopped the sequence before.

import type { Client, TypeRef } from '../api/client.js';
import { isApiError } from '../api/errors.js';
import type { KObject, OwnerReference } from '../api/object.js';
import { deepEqual } from '../api/patch.js';
import { isSubset } from './diff.js';

/** Synchronous cache lookups the child set needs (served by informers). */
export interface ChildCache {
  cached(type: TypeRef, namespace: string, name: string): KObject | undefined;
  /** Objects of `type` with an ownerReference to `uid`. */
  listOwnedBy(type: TypeRef, uid: string): KObject[];
  /** Makes sure a synced cache exists for the type (children of types not declared in owns). */
  ensure(type: TypeRef): Promise<void>;
}

export type WriteOp = 'created' | 'updated' | 'deleted';

export interface ChildWrite {
  op: WriteOp;
  kind: string;
  namespace: string;
  name: string;
}

const typeKey = (t: TypeRef) => `${t.apiVersion}|${t.kind}`;
const childKey = (o: KObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;

export function controllerRef(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * The configuration to apply for a desired child: server-populated metadata
 * removed (a child built from an object read with client_get must not carry
 * its resourceVersion — an apply precondition — or managedFields), and our
 * controller reference in place of any other controller reference.
 */
const serverFields = ['resourceVersion', 'uid', 'managedFields', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const;

function childConfig(d: KObject, ref: OwnerReference): KObject {
  const meta: Record<string, unknown> = { ...d.metadata };
  for (const f of serverFields) if (f in meta) delete meta[f];
  const refs = d.metadata.ownerReferences;
  meta.ownerReferences = refs && refs.length > 0 ? [...refs.filter((r) => r.uid !== ref.uid && r.controller !== true), ref] : [ref];
  return { ...d, metadata: meta as KObject['metadata'] };
}

/** At most this many applies of one run in flight (a reconciler may want thousands of children). */
const maxConcurrentApplies = 32;

interface PendingApply {
  key: string;
  child: KObject;
  existed: boolean;
}

/** Whether `next` may be applied together with `first` (see the header). */
function sameRun(first: KObject, next: KObject): boolean {
  return first.apiVersion === next.apiVersion && first.kind === next.kind && !orderedGroup(first.apiVersion);
}

/** Allocation backends (kuid's `*.be.kuid.dev`): a claim is allocated inside its write, so order decides the values. */
function orderedGroup(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group === 'kuid.dev' || group.endsWith('.kuid.dev');
}

/** undefined when the write succeeded, else its error (boxed: a thrown undefined is still a failure). */
function settle(p: Promise<unknown>): Promise<{ err: unknown } | undefined> {
  return p.then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
}

function isControlledBy(obj: KObject, uid: string): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true);
}

export class Children {
  /**
   * The configuration last applied per child, compared structurally (deepEqual) with the next
   * one: cheaper than serializing every desired child on every reconcile. The configurations
   * are private: childConfig builds a fresh top level and metadata, and the rest comes from
   * the reconciler's desired objects, which are built anew each reconcile and not kept.
   */
  private readonly lastApplied = new Map<string, KObject>();
  /** Child types seen so far: owns plus any type the reconciler created. */
  private readonly types = new Map<string, TypeRef>();

  constructor(
    private readonly manager: string,
    private readonly client: Client,
    private readonly cache: ChildCache,
    owns: TypeRef[],
  ) {
    for (const t of owns) this.types.set(typeKey(t), { apiVersion: t.apiVersion, kind: t.kind });
  }

  /** Makes the children of `owner` exactly `desired`; appends the writes performed to `writes` (also when a write fails midway). */
  async sync(owner: KObject, desired: KObject[], writes: ChildWrite[] = []): Promise<ChildWrite[]> {
    const ref = controllerRef(owner);
    const wanted = new Map<string, KObject>();
    for (const d of desired) {
      const child = childConfig(d, ref);
      wanted.set(childKey(child), child); // a later client_create of the same child wins
      const tk = typeKey(child);
      if (!this.types.has(tk)) {
        const t = { apiVersion: child.apiVersion, kind: child.kind };
        await this.cache.ensure(t);
        this.types.set(tk, t);
      }
    }
    await this.prune(owner.metadata.uid!, wanted, writes);
    let run: PendingApply[] = [];
    for (const [key, child] of wanted) {
      const live = this.cache.cached(child, child.metadata.namespace ?? '', child.metadata.name!);
      const last = this.lastApplied.get(key);
      if (live && last !== undefined && deepEqual(last, child) && isSubset(child, live)) continue;
      if (run.length > 0 && (run.length === maxConcurrentApplies || !sameRun(run[0]!.child, child))) {
        await this.applyRun(run, writes);
        run = [];
      }
      run.push({ key, child, existed: live !== undefined });
    }
    if (run.length > 0) await this.applyRun(run, writes);
    return writes;
  }

  /** Applies one run of children at once; records each success in creation order, then throws the first failure. */
  private async applyRun(run: PendingApply[], writes: ChildWrite[]): Promise<void> {
    const opts = { fieldManager: this.manager };
    const results = run.length === 1 ? [await settle(this.client.apply(run[0]!.child, opts))] : await Promise.all(run.map((p) => settle(this.client.apply(p.child, opts))));
    let failure: { err: unknown } | undefined;
    for (let i = 0; i < run.length; i++) {
      const r = results[i]!;
      if (r) {
        failure ??= r;
        continue;
      }
      const { key, child, existed } = run[i]!;
      this.lastApplied.set(key, child);
      writes.push({ op: existed ? 'updated' : 'created', kind: child.kind, namespace: child.metadata.namespace ?? '', name: child.metadata.name! });
    }
    if (failure) throw failure.err;
  }

  /** Deletes every child of `owner` (owner being deleted); appends the writes performed to `writes`. */
  async deleteAll(owner: KObject, writes: ChildWrite[] = []): Promise<ChildWrite[]> {
    await this.prune(owner.metadata.uid!, new Map(), writes);
    return writes;
  }

  private async prune(uid: string, wanted: Map<string, KObject>, writes: ChildWrite[]): Promise<void> {
    for (const t of this.types.values()) {
      for (const obj of this.cache.listOwnedBy(t, uid)) {
        if (!isControlledBy(obj, uid) || obj.metadata.deletionTimestamp) continue;
        const key = childKey(obj);
        if (wanted.has(key)) continue;
        try {
          await this.client.delete(t, obj.metadata.namespace ?? '', obj.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err;
        }
        this.lastApplied.delete(key);
        writes.push({ op: 'deleted', kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name! });
      }
    }
  }
}
