// Shared informers: one list+watch per resource type, feeding a local cache and
// any number of event handlers. Modelled on client-go's tools/cache
// (reflector.go, shared_informer.go).
//
// Key idea (the reflector loop): list everything, replace the cache with the
// list (diffing against what we had, so handlers see add/update/delete for what
// changed while we were not watching), then watch from the list's
// resourceVersion so no event between the two is missed. Any watch failure —
// typically Gone when our resourceVersion fell out of the store's history
// window — ends the watch and schedules a relist after an exponential backoff
// (reset once the new watch delivers an event), so a broken watch never
// hot-loops the API.
//
// Handlers are called synchronously, in event order, right after the cache is
// updated — so a handler (and a reconcile it triggers) always sees a cache at
// least as new as its event. A handler added after the informer has synced gets
// a synthetic onAdd for every cached object. Updates whose resourceVersion did
// not change (a relist of an unchanged object) are not delivered.
//
// The factory shares informers: every controller that asks for the same
// apiVersion+kind gets the same instance, so N reconcilers cost one watch.

import type { KObject } from '../api/object.js';
import type { Client, TypeRef } from '../api/client.js';
import { isApiError } from '../api/errors.js';
import { type Clock, type TimerHandle, realClock } from './clock.js';
import { type IndexFunc, ObjectCache, keyOf, namespaceIndex, objectKey, ownerIndex } from './cache.js';

/** Callbacks for changes to the informer's cache. Objects are read-only. */
export interface ResourceEventHandler {
  /** isInInitialList: the object came from the first list, or is a synthetic add for a late handler. */
  onAdd?(obj: KObject, isInInitialList: boolean): void;
  onUpdate?(oldObj: KObject, newObj: KObject): void;
  /** obj is the last known state (for a delete seen only through a relist, the last cached state). */
  onDelete?(obj: KObject): void;
}

export interface Registration {
  remove(): void;
}

export interface InformerOptions {
  clock?: Clock;
  /** Relist backoff after a failed list or watch (default 100 ms doubling up to 30 s). */
  relistBaseDelayMs?: number;
  relistMaxDelayMs?: number;
  /** Where handler exceptions and list/watch failures are reported (default console.error). */
  onError?: (err: unknown, context: string) => void;
}

/** Compares decimal resourceVersions; "" sorts first. */
export function compareResourceVersions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function typeKey(type: TypeRef): string {
  return `${type.apiVersion}/${type.kind}`;
}

export class SharedInformer {
  readonly type: TypeRef;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly reportError: (err: unknown, context: string) => void;

  private readonly cache = new ObjectCache();
  private readonly handlers = new Set<ResourceEventHandler>();

  private started = false;
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private lastRV = '';
  private rvWaiters: Array<{ rv: string; resolve: () => void }> = [];

  private watchHandle: { stop(): void } | undefined;
  private generation = 0; // bumps per list+watch attempt; events from older watches are ignored
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private relistDue = 0;

  /** Completed lists (initial + relists), for metrics and tests. */
  lists = 0;

  constructor(client: Client, type: TypeRef, opts: InformerOptions = {}) {
    this.client = client;
    this.type = type;
    this.clock = opts.clock ?? realClock;
    this.baseDelay = opts.relistBaseDelayMs ?? 100;
    this.maxDelay = opts.relistMaxDelayMs ?? 30_000;
    this.reportError = opts.onError ?? ((err, ctx) => console.error(`informer ${typeKey(type)}: ${ctx}:`, err));
  }

  // ---- cache reads ----

  get(namespace: string, name: string): KObject | undefined {
    return this.cache.get(keyOf(namespace, name));
  }

  getByKey(key: string): KObject | undefined {
    return this.cache.get(key);
  }

  /** All cached objects, or those of one namespace. */
  list(namespace?: string): KObject[] {
    return namespace === undefined ? this.cache.list() : this.cache.byIndex(namespaceIndex, namespace);
  }

  /** Objects with an ownerReference to this UID. */
  listByOwner(uid: string): KObject[] {
    return this.cache.byIndex(ownerIndex, uid);
  }

  byIndex(indexName: string, value: string): KObject[] {
    return this.cache.byIndex(indexName, value);
  }

  /** Adds custom indexes (by name); allowed before or after start (existing objects are indexed at once). A name may be registered once. */
  addIndexers(indexers: Record<string, IndexFunc>): void {
    this.cache.addIndexers(indexers);
  }

  hasIndexer(name: string): boolean {
    return this.cache.hasIndexer(name);
  }

  removeIndexer(name: string): void {
    this.cache.removeIndexer(name);
  }

  // ---- handlers ----

  addEventHandler(handler: ResourceEventHandler): Registration {
    this.handlers.add(handler);
    if (this.synced) {
      for (const obj of this.cache.list()) this.call('onAdd', () => handler.onAdd?.(obj, true));
    }
    return { remove: () => void this.handlers.delete(handler) };
  }

  // ---- lifecycle ----

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been loaded into the cache (or the informer is stopped). */
  waitForSync(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The newest resourceVersion the cache reflects (from a list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /**
   * Resolves once the cache reflects resourceVersion rv or newer — or as soon
   * as it cannot get there by itself: stopped, or waiting to relist (see
   * relistDueAt). Callers check which with caughtUpTo().
   */
  waitForResourceVersion(rv: string): Promise<void> {
    if (this.caughtUpTo(rv) || this.stopped || this.retryTimer !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.rvWaiters.push({ rv, resolve }));
  }

  caughtUpTo(rv: string): boolean {
    return compareResourceVersions(this.lastRV, rv) >= 0;
  }

  /** Clock time of the pending relist after a list/watch failure, or undefined if none is pending. */
  relistDueAt(): number | undefined {
    return this.retryTimer === undefined ? undefined : this.relistDue;
  }

  isStarted(): boolean {
    return this.started && !this.stopped;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.listAndWatch();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.generation++;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    if (this.retryTimer !== undefined) this.clock.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
    for (const w of this.syncWaiters.splice(0)) w();
    for (const w of this.rvWaiters.splice(0)) w.resolve();
  }

  // ---- the reflector loop ----

  private async listAndWatch(): Promise<void> {
    const gen = ++this.generation;
    let list;
    try {
      list = await this.client.list(this.type);
    } catch (err) {
      if (gen !== this.generation) return;
      this.reportError(err, 'list failed');
      this.scheduleRelist();
      return;
    }
    if (gen !== this.generation) return;
    this.lists++;
    this.replace(list.items, list.resourceVersion);
    try {
      this.startWatch(gen, list.resourceVersion);
    } catch (err) {
      // A client may refuse synchronously (type no longer served, store closed).
      if (gen !== this.generation) return;
      this.generation++;
      this.reportError(err, 'watch failed');
      this.scheduleRelist();
    }
  }

  private startWatch(gen: number, resourceVersion: string): void {
    this.watchHandle = this.client.watch(
      this.type,
      { resourceVersion },
      (ev) => {
        if (gen !== this.generation) return;
        this.failures = 0;
        this.onWatchEvent(ev.type, ev.object);
      },
      (err) => {
        if (gen !== this.generation) return;
        this.generation++; // ignore anything this watch still delivers
        this.watchHandle?.stop();
        this.watchHandle = undefined;
        if (!isApiError(err, 'Gone') && !isApiError(err, 'Expired') && (err as { code?: unknown }).code !== 'Gone') this.reportError(err, 'watch failed');
        this.scheduleRelist();
      },
    );
  }

  private scheduleRelist(): void {
    if (this.stopped) return;
    const delay = Math.min(this.maxDelay, this.baseDelay * Math.pow(2, this.failures));
    this.failures++;
    this.relistDue = this.clock.now() + delay;
    this.retryTimer = this.clock.setTimer(() => {
      this.retryTimer = undefined;
      void this.listAndWatch();
    }, delay);
    // Waiters for a resourceVersion cannot be satisfied before the relist; let them re-check.
    for (const w of this.rvWaiters.splice(0)) w.resolve();
  }

  private replace(items: KObject[], rv: string): void {
    const seen = new Set<string>();
    const initial = !this.synced;
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      this.apply(key, obj, initial);
    }
    for (const key of this.cache.keys()) {
      if (!seen.has(key)) {
        const old = this.cache.remove(key)!;
        this.dispatchDelete(old);
      }
    }
    this.advanceRV(rv);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private onWatchEvent(type: string, obj: KObject): void {
    const rv = obj.metadata.resourceVersion ?? '';
    if (type === 'BOOKMARK') {
      this.advanceRV(rv);
      return;
    }
    const key = objectKey(obj);
    if (type === 'DELETED') {
      if (this.cache.remove(key) !== undefined) this.dispatchDelete(obj);
    } else {
      this.apply(key, obj, false);
    }
    this.advanceRV(rv);
  }

  /** Upserts obj and notifies handlers, unless its resourceVersion is the one cached. */
  private apply(key: string, obj: KObject, initial: boolean): void {
    const old = this.cache.get(key);
    if (old !== undefined && old.metadata.resourceVersion === obj.metadata.resourceVersion && obj.metadata.resourceVersion !== undefined) return;
    this.cache.upsert(key, obj);
    for (const h of this.handlers) {
      // No closure per handler and event: this runs for every watch event of every type.
      try {
        if (old === undefined) h.onAdd?.(obj, initial);
        else h.onUpdate?.(old, obj);
      } catch (err) {
        this.reportError(err, `${old === undefined ? 'onAdd' : 'onUpdate'} handler threw`);
      }
    }
  }

  private dispatchDelete(obj: KObject): void {
    for (const h of this.handlers) this.call('onDelete', () => h.onDelete?.(obj));
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.reportError(err, `${what} handler threw`);
    }
  }

  private advanceRV(rv: string): void {
    if (rv === '' || compareResourceVersions(rv, this.lastRV) <= 0) return;
    this.lastRV = rv;
    if (this.rvWaiters.length === 0) return;
    const still: typeof this.rvWaiters = [];
    for (const w of this.rvWaiters) {
      if (compareResourceVersions(this.lastRV, w.rv) >= 0) w.resolve();
      else still.push(w);
    }
    this.rvWaiters = still;
  }
}

/** One SharedInformer per apiVersion+kind, shared by every controller of a manager. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly opts: InformerOptions = {},
  ) {}

  /** The informer for type, created on first use; started at once if the factory already is. */
  informerFor(type: TypeRef): SharedInformer {
    const key = typeKey(type);
    let inf = this.informers.get(key);
    if (inf === undefined) {
      inf = new SharedInformer(this.client, { apiVersion: type.apiVersion, kind: type.kind }, this.opts);
      this.informers.set(key, inf);
      if (this.started && !this.stopped) inf.start();
    }
    return inf;
  }

  all(): SharedInformer[] {
    return [...this.informers.values()];
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves when every informer has synced; rejects after timeoutMs (real time) naming the ones that have not. */
  async waitForCacheSync(timeoutMs?: number): Promise<void> {
    const all = Promise.all(this.all().map((i) => i.waitForSync())).then(() => undefined);
    if (timeoutMs === undefined) return all;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const pending = this.all().filter((i) => !i.hasSynced()).map((i) => typeKey(i.type));
        reject(new Error(`informer caches did not sync within ${timeoutMs} ms: ${pending.join(', ')}`));
      }, timeoutMs);
    });
    try {
      await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const inf of this.informers.values()) inf.stop();
  }
}
