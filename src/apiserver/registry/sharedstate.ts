// Derived registry state (served CRD types, namespaces, the garbage
// collector's owner index) kept from store watches, for a store that other
// processes write too (several runners on one etcd).
//
// Key idea: the registry still observes its own writes synchronously (so a
// CRD it just created is served on the very next call, as in single-process
// mode), and additionally follows a list+watch of every stored type. Both
// paths go through `admit(key, revision)`, which applies a change only if it
// is newer than what was last applied for that object — so the duplicate
// (own write seen again through the watch) and the stale (a watch event older
// than an own write that returned first, or the reverse) are skipped, and the
// state converges to the newest revision whichever path delivers it first.
//
// The newest object applied per key is also the registry's watch cache: writes
// (server-side apply, update, patch, delete) take their first read from it
// (`guess`), as kube-apiserver's GuaranteedUpdate starts from its cached
// object, saving a get round trip per write; a stale entry only costs a retry.
//
// Trade-offs: one watch per stored type per process and one entry per object
// (the object, shared with the informers; for a deleted object its deletion's
// revision, kept for a minute so a late event or own write cannot bring it
// back; far longer than any write takes). A watch that fails (Gone after
// compaction, or etcd unreachable past the store's give-up time) relists after
// a second: changes are
// re-applied, and namespaces/CRDs deleted during the gap are removed; owner
// index entries of objects deleted during the gap are left to go stale, which
// is harmless (every garbage-collection task re-reads the store first).

import type { KObject } from '../../api/object.js';
import type { StoreError, Store, Watch } from '../../store/store.js';
import type { ResourceType } from './resources.js';

export interface SharedStateHooks {
  /** Applies one change to the derived state (next undefined = removed). */
  apply(t: ResourceType, prev: KObject | undefined, next: KObject | undefined): void;
  /** Every stored type currently served (one representative per storage key). */
  storageTypes(): ResourceType[];
}

const relistDelayMs = 1000;
/** How long a deleted object's revision is remembered. */
const tombstoneMs = 60_000;

export class SharedState {
  private readonly watches = new Map<string, Watch>();
  /**
   * Object key → the newest object applied (its revision is its resourceVersion), or for a
   * deleted object the deletion's revision. The objects are the watch cache that `guess` serves.
   */
  private readonly applied = new Map<string, KObject | number>();
  /** Deletions in the order applied, to forget their revisions after tombstoneMs. */
  private readonly tombstones: Array<{ key: string; rv: number; at: number }> = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly hooks: SharedStateHooks,
  ) {}

  /** Whether a change at `revision` is newer than anything applied for the object; records it if so. */
  admit(t: ResourceType, obj: KObject, revision: string | undefined, removed: boolean): boolean {
    const rv = Number(revision);
    if (!Number.isFinite(rv)) return true;
    const key = objectKey(t, obj);
    const seen = revisionOf(this.applied.get(key));
    if (seen !== undefined && seen >= rv) return false;
    this.applied.set(key, removed ? rv : obj);
    const now = Date.now();
    if (removed) this.tombstones.push({ key, rv, at: now });
    while (this.tombstones.length > 0 && now - this.tombstones[0].at > tombstoneMs) {
      const old = this.tombstones.shift()!;
      if (this.applied.get(old.key) === old.rv) this.applied.delete(old.key);
    }
    return true;
  }

  /**
   * The object the derived state last applied for obj's key: the previous object as far as that state
   * is concerned, already in memory (another process's writes would otherwise each decode etcd's prev_kv).
   */
  private lastApplied(t: ResourceType, obj: KObject): KObject | undefined {
    const v = this.applied.get(objectKey(t, obj));
    return typeof v === 'object' ? v : undefined;
  }

  private alreadyApplied(t: ResourceType, obj: KObject): boolean {
    const seen = revisionOf(this.applied.get(objectKey(t, obj)));
    return seen !== undefined && seen >= Number(obj.metadata.resourceVersion);
  }

  /**
   * kube-apiserver's GuaranteedUpdate with a cached suggestion: runs a write with the
   * watch-cached object (or its absence) as the answer to its first read, saving a round
   * trip; later reads are `fresh`. The cache may be stale, which the store's precondition
   * catches (Conflict, AlreadyExists: the write retries from a fresh read). Any outcome
   * decided on the cached object without a successful write — nothing to write, not found,
   * any error — is redone from fresh reads, so a stale cache never changes a result.
   */
  async guess<T extends KObject>(t: ResourceType, namespace: string, name: string, fresh: () => Promise<KObject | undefined>, write: (read: () => Promise<KObject | undefined>) => Promise<T>): Promise<T> {
    if (this.closed || !this.watches.has(t.storageKey)) return write(fresh);
    const cached = this.applied.get(objectKey(t, { metadata: { namespace, name } }));
    const guessed = typeof cached === 'number' ? undefined : cached;
    let lastWasGuess = false;
    let reads = 0;
    const read = () => {
      lastWasGuess = reads++ === 0;
      return lastWasGuess ? Promise.resolve(guessed) : fresh();
    };
    let out: T;
    try {
      out = await write(read);
    } catch (err) {
      if (!lastWasGuess) throw err;
      return write(fresh);
    }
    const wrote = out.metadata.resourceVersion !== guessed?.metadata.resourceVersion;
    return !lastWasGuess || wrote ? out : write(fresh);
  }

  /** Follows `t` from `revision` (the revision its initial list reflected). */
  watchFrom(t: ResourceType, revision: string): void {
    if (this.closed || this.watches.has(t.storageKey)) return;
    const w = this.store.watch(
      { resource: t.storageKey },
      { resourceVersion: revision },
      (ev) => {
        if (ev.type === 'BOOKMARK') return;
        // Mostly this process's own writes coming back: skipped before prevObject is read (the store decodes it on demand).
        if (this.alreadyApplied(t, ev.object)) return;
        if (ev.type === 'DELETED') this.hooks.apply(t, ev.object, undefined);
        else this.hooks.apply(t, this.lastApplied(t, ev.object) ?? ev.prevObject, ev.object);
      },
      (err) => this.failed(t, err),
    );
    this.watches.set(t.storageKey, w);
  }

  /** Starts following every stored type not followed yet (new CRDs): list, apply, watch. */
  followNewTypes(): void {
    for (const t of this.hooks.storageTypes()) if (!this.watches.has(t.storageKey)) void this.relist(t);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  private failed(t: ResourceType, err: StoreError): void {
    this.watches.delete(t.storageKey);
    // The store itself was closed (the process is stopping): nothing to follow any more.
    if (/store closed/.test(err.message)) this.closed = true;
    if (this.closed) return;
    setTimeout(() => void this.relist(t), relistDelayMs).unref();
  }

  private async relist(t: ResourceType): Promise<void> {
    if (this.closed || this.watches.has(t.storageKey)) return;
    // Reserve the slot so concurrent calls do not list twice.
    this.watches.set(t.storageKey, { stop() {} });
    let list;
    try {
      list = await this.store.list({ resource: t.storageKey });
    } catch {
      this.watches.delete(t.storageKey);
      if (!this.closed) setTimeout(() => void this.relist(t), relistDelayMs).unref();
      return;
    }
    if (this.closed) return;
    const present = new Set<string>();
    for (const o of list.items) {
      present.add(objectKey(t, o));
      this.hooks.apply(t, undefined, o);
    }
    // Cluster-scoped state (namespaces, CRDs) deleted while the watch was down.
    if (!t.namespaced) {
      const prefix = `${t.storageKey}//`;
      for (const key of this.applied.keys()) {
        if (!key.startsWith(prefix) || present.has(key)) continue;
        const name = key.slice(prefix.length);
        const gone: KObject = { apiVersion: t.apiVersion, kind: t.kind, metadata: { name, resourceVersion: list.resourceVersion } };
        this.hooks.apply(t, gone, undefined);
      }
    }
    this.watches.delete(t.storageKey);
    this.watchFrom(t, list.resourceVersion);
  }
}

function revisionOf(v: KObject | number | undefined): number | undefined {
  return typeof v === 'object' ? Number(v.metadata.resourceVersion) : v;
}

function objectKey(t: ResourceType, o: Pick<KObject, 'metadata'>): string {
  return `${t.storageKey}/${t.namespaced ? (o.metadata.namespace ?? '') : ''}/${o.metadata.name ?? ''}`;
}
