// The memory backend: the Store contract over StoreState with nothing behind it
// (the file backend is the same state plus a write-ahead log). For tests,
// `run once` and anything that does not need to survive a restart.
//
// Each write checks and commits synchronously (no await between the check and
// the commit), so concurrent callers on the one JS thread are serialized without
// locks. Returned objects are the stored frozen snapshots (see objects.ts): reads
// never copy, and a write copies the caller's object structurally (no JSON
// round trip) or, when the caller hands it over, freezes it in place. Watch history is a ring of the last `historySize` events (default
// 10,000); older watch revisions and continue tokens are Gone.

import type { KObject } from '../api/object.js';
import { adoptedSnapshot, checkWrite, deletedSnapshot, parseRevision, rowKey, storedCopy } from './objects.js';
import { StoreState } from './state.js';
import { StoreError, type ListOptions, type ListResult, type ListScope, type ObjectKey, type Store, type Watch, type WatchEvent, type WatchOptions, type WriteOptions } from './store.js';

export interface MemoryStoreOptions {
  /** Events kept for watch replay and paged-list snapshots (default 10,000). */
  historySize?: number;
}

export class MemoryStore implements Store {
  private readonly state: StoreState;
  private closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    this.state = new StoreState(opts.historySize);
  }

  async get(key: ObjectKey): Promise<KObject | undefined> {
    this.ensureOpen();
    return this.state.get(key);
  }

  async list(scope: ListScope, opts?: ListOptions): Promise<ListResult> {
    this.ensureOpen();
    return this.state.list(scope, opts);
  }

  async create(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    this.ensureOpen();
    const row = rowKey(key.namespace, key.name);
    checkWrite('create', key, this.state.getRow(key.resource, row));
    const rev = this.state.revision + 1;
    const object = opts?.adopt ? adoptedSnapshot(obj, rev) : storedCopy(obj, rev);
    this.state.commitPut(rev, key, object, row);
    return object;
  }

  async update(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    this.ensureOpen();
    const row = rowKey(key.namespace, key.name);
    const current = this.state.getRow(key.resource, row);
    checkWrite('update', key, current, opts);
    const rev = this.state.revision + 1;
    const object = opts?.adopt ? adoptedSnapshot(obj, rev, current) : storedCopy(obj, rev, current);
    this.state.commitPut(rev, key, object, row);
    return object;
  }

  async delete(key: ObjectKey, opts?: WriteOptions): Promise<KObject> {
    this.ensureOpen();
    const current = this.state.get(key);
    checkWrite('delete', key, current, opts);
    const rev = this.state.revision + 1;
    const deleted = deletedSnapshot(current!, rev);
    this.state.commitDelete(rev, key, deleted);
    return deleted;
  }

  watch(scope: ListScope, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: StoreError) => void): Watch {
    this.ensureOpen();
    return this.state.watch(scope, parseRevision(opts.resourceVersion, 'watch'), onEvent, onError);
  }

  async currentRevision(): Promise<string> {
    this.ensureOpen();
    return String(this.state.revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state.failWatchers(new StoreError('Unavailable', 'store closed'));
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store closed');
  }
}
