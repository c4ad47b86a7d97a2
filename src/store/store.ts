// The storage contract every backend (memory, file, etcd) implements and the
// conformance suite in test/store/ checks. The store is a versioned key/value
// space of KRM objects, modelled on the Kubernetes storage.Interface over etcd:
//
// - One global, increasing revision counter across all keys. Every write
//   (create, update, delete) is stored at a revision above every revision
//   acknowledged before it was issued, which becomes the object's
//   metadata.resourceVersion (a decimal string); writes in sequence get
//   strictly increasing revisions, and each write of one key a new one. Writes
//   of *different* keys issued concurrently may share a revision (as in etcd,
//   whose txns may write several keys): the etcd backend commits concurrent
//   writes as one txn (etcd/writes.ts). So a resourceVersion identifies a
//   write only together with the object's key; a watch delivers all events of
//   one revision before any later one, and resuming from a revision skips
//   every event at it. For etcd this is the mod revision; memory and file
//   backends give every write its own revision, monotonic across restarts.
// - Keys are grouped by resource: `resource` is "<group>/<plural>" ("core/configmaps"
//   for the core group) so list and watch work per resource type, optionally
//   narrowed to one namespace. Cluster-scoped objects use namespace "".
// - The store knows nothing about selectors or schemas: callers pass a predicate
//   to list; watch delivers raw events with the previous object so callers can
//   apply Kubernetes filter semantics (an object leaving a selector = DELETED).
// - Optimistic concurrency: update and delete may carry the resourceVersion the
//   caller last read; a mismatch is a Conflict.
// - History: a backend keeps a window of recent events; a watch from an older
//   revision fails with Gone (HTTP 410) and the client relists.
// - Returned objects are immutable snapshots: the memory and file backends hand
//   out deep-frozen objects (shared, never copied on read), so mutating one
//   throws a TypeError instead of corrupting the store. Copy before editing
//   (`structuredClone(obj)`); objects passed in are copied by the store, unless
//   the caller hands them over (WriteOptions.adopt): then the memory and file
//   backends keep the object itself, frozen in place.

import type { KObject } from '../api/object.js';

export interface ObjectKey {
  resource: string; // "<group>/<plural>", "core/<plural>" for the core group
  namespace: string; // "" for cluster-scoped objects
  name: string;
}

export interface ListScope {
  resource: string;
  namespace?: string; // undefined or "" = all namespaces
}

export interface ListOptions {
  filter?: (obj: KObject) => boolean;
  /** Page size; 0 or undefined = everything. */
  limit?: number;
  /** Opaque token from a previous page (continues at the same snapshot revision where possible). */
  continue?: string;
}

export interface ListResult {
  /** Sorted by namespace, then name. */
  items: KObject[];
  /** The store revision this list reflects; start a watch from here to miss nothing. */
  resourceVersion: string;
  /** Set when more items remain. */
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  type: WatchEventType;
  /** For DELETED, the object as it was last stored, with the deletion's resourceVersion. For BOOKMARK only metadata.resourceVersion is meaningful. */
  object: KObject;
  /** For MODIFIED and DELETED, the object before this event. */
  prevObject?: KObject;
}

export interface WatchOptions {
  /**
   * Deliver every event after this revision. "" or undefined = from now on.
   * Older than the retained history → the watch fails with StoreError 'Gone'.
   */
  resourceVersion?: string;
}

export interface Watch {
  /** Stops delivery; idempotent. */
  stop(): void;
  /**
   * Asks for a BOOKMARK event carrying the store's current revision, delivered
   * after every event of this watch up to that revision, so a client may
   * resume from it even while this watch's resources are quiet (kube's watch
   * cache bookmarks). Stores without it leave bookmarks to the caller.
   */
  requestProgress?(): void;
}

export interface WriteOptions {
  /** If set, the write fails with Conflict unless the stored object has this resourceVersion. */
  expectedResourceVersion?: string;
  /**
   * The caller gives up `obj`: the store may keep it as the stored snapshot
   * (normalized and deep-frozen in place) instead of copying it. Only for a
   * private object nothing else references or edits afterwards — the
   * registry's write pipeline, which builds a fresh object per write.
   */
  adopt?: boolean;
}

export interface Store {
  /**
   * Other processes may write this store too (etcd): callers that derive state
   * from their own writes must also follow a watch (see the registry).
   */
  readonly shared?: boolean;
  get(key: ObjectKey): Promise<KObject | undefined>;
  list(scope: ListScope, opts?: ListOptions): Promise<ListResult>;
  /** Fails with AlreadyExists. Returns the stored object (resourceVersion set). */
  create(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject>;
  /** Fails with NotFound or Conflict. Returns the stored object. */
  update(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject>;
  /** Fails with NotFound or Conflict. Returns the deleted object with the deletion's resourceVersion. */
  delete(key: ObjectKey, opts?: WriteOptions): Promise<KObject>;
  /**
   * Events for one resource (optionally one namespace) in revision order,
   * delivered asynchronously through `onEvent`. `onError` receives Gone for a
   * too-old revision or a backend failure; the watch is then stopped.
   */
  watch(scope: ListScope, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: StoreError) => void): Watch;
  /** The current revision of the whole store. */
  currentRevision(): Promise<string>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}

/** BadRequest: a malformed resourceVersion or continue token (HTTP 400). */
export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone' | 'BadRequest' | 'Unavailable';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
