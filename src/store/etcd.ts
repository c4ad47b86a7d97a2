// The etcd backend: the Store contract over an etcd v3 cluster, so several
// choreo processes can share one proven, replicated store (`etcd://host:port`).
//
// Mapping (as Kubernetes does it):
// - resourceVersion = the key's etcd mod revision; etcd's one global revision
//   counter gives the contract's strictly increasing revisions for free. The
//   stored value carries no resourceVersion; it is stamped on read (codec.ts).
// - create = txn "create_revision == 0 → put"; update/delete = txn on
//   "mod_revision == expected" (or "key exists" without a precondition), whose
//   failure branch reads the key so NotFound and Conflict are told apart in the
//   same round trip. A write's revision is the txn's header revision.
// - list reads at one fixed revision across pages (list.ts); watch streams from
//   start_revision = rv + 1 with prev_kv and resumes after drops (watch.ts).
//   Watches of one key range from a revision the stream has not passed share
//   one stream, each event decoded once for all of them (hub.ts): a runner's
//   registry and informers watch every resource alike.
// - get: concurrent gets share a read-only txn round trip (reads.ts). A write
//   returns the caller's object stamped and frozen (adopted, or copied as the
//   memory store does), not a decode of the bytes it just sent.
// - History is etcd's: revisions below its compaction point are Gone. With
//   `historySize` this store compacts etcd itself to keep about that many
//   revisions (in steps of historySize/2, so compaction is not a per-write
//   cost); without it, etcd's own --auto-compaction-* settings govern.
//
// Clients: writes, point reads and watches — the hot path — go over our own
// lean gRPC client on node:http2 (etcd/kvclient.ts, messages in etcd/proto.ts;
// ~40% less CPU per call than the general stack). Lists, revision reads,
// compaction (and the shard coordinator's leases) use `etcd3` (npm, Microsoft,
// v1.1.x): the maintained etcd v3 client for Node, on @grpc/grpc-js; we call
// its raw KV RPCs because we need response headers (revisions).
//
// - Write fences (fence.ts): a write made inside a fenced context (a reconcile
//   of a shard owned through an etcd lease) adds "the shard key's create
//   revision is unchanged" to its txn; when that compare is what failed, the
//   write fails with Unavailable.
//
// Trade-off: every read of this store goes to etcd (no watch cache here), so
// reads cost a round trip (shared under load); in exchange any number of
// processes see one linearizable store with no cache coherence to get wrong.
// (The registry above guesses a write's current object from its own watches and
// lets the write's precondition catch a stale guess: sharedstate.ts.)
//
// Writes are group-committed (etcd/writes.ts): writes issued while a txn is in
// flight go out together as one txn of nested per-write txns, each with its own
// compares and outcome, so concurrent writes share one round trip, one raft
// commit and one revision (the contract allows that: store.ts).
//
// Connection failures: a write or get that fails is Unavailable at once and
// the next call dials again (kvclient.ts; no retry, so a write whose reply was
// lost is never sent twice — level-based callers re-read and converge); a
// watch reconnects with backoff (watch.ts). Lists keep etcd3's defaults: up to
// 3 retries on connection errors and a per-host circuit breaker (fails fast
// for up to 5 s after 3 consecutive failures).

import { Etcd3 } from 'etcd3';
import type { KObject } from '../api/object.js';
import { adoptedSnapshot, deletedSnapshot, describeKey, parseRevision, storedCopy } from './objects.js';
import { StoreError, type ListOptions, type ListResult, type ListScope, type ObjectKey, type Store, type Watch, type WatchEvent, type WatchOptions, type WriteOptions } from './store.js';
import { decodeKV, encodeValue, KeyLayout } from './etcd/codec.js';
import { isCompacted, toStoreError } from './etcd/errors.js';
import { listObjects, NamespaceCache } from './etcd/list.js';
import { SharedStream, type Subscriber } from './etcd/hub.js';
import { GetBatcher } from './etcd/reads.js';
import { KVClient, type KeepAlive } from './etcd/kvclient.js';
import { WriteBatcher } from './etcd/writes.js';
import { RecentWrites } from './etcd/recent.js';
import type { Event, KeyValue, RequestOp, TxnResponse } from './etcd/proto.js';
import { currentFence, type WriteFence } from './fence.js';

/** The txn compare of a write fence (see fence.ts): its ownership key still has the acquired create revision. */
function fenceCompare(fence: WriteFence | undefined) {
  return fence ? [{ key: Buffer.from(fence.key), target: 'Create' as const, result: 'Equal' as const, create_revision: fence.createRevision }] : [];
}

/** After a failed fenced txn: Unavailable (not Conflict, which callers retry) when the fence is what failed. */
function checkFence(fence: WriteFence | undefined, res: TxnResponse, at: number): void {
  if (!fence) return;
  const kv: KeyValue | undefined = res.responses[at]?.response_range?.kvs?.[0];
  if (kv && String(kv.create_revision) === String(fence.createRevision)) return;
  throw new StoreError('Unavailable', `write refused: ${fence.what} is no longer owned by this process (its lease expired or it was handed over)`);
}

export interface EtcdStoreOptions {
  /** "host:port" of each etcd member. */
  endpoints: string[];
  /** Key prefix (default "/registry"); distinct prefixes are independent stores in one etcd. */
  prefix?: string;
  /** Compact etcd to keep about this many revisions (default: leave compaction to etcd). */
  historySize?: number;
  /** Deadline of each unary etcd call (default 10 s). */
  callTimeoutMs?: number;
  /** HTTP/2 PING of the kv connection (kvclient.ts): default every 10 s, dropped if unanswered within 5 s. */
  keepAlive?: KeepAlive;
  /** How long a watch keeps reconnecting before failing with Unavailable (default 30 s). */
  watchGiveUpMs?: number;
}

/** Parses `etcd://host:port[,host:port...][/prefix]`. */
export function parseEtcdSpec(spec: string): EtcdStoreOptions {
  const m = /^etcd:\/\/([^/]+)(\/.*)?$/.exec(spec);
  const endpoints = m ? m[1].split(',').filter((e) => e !== '') : [];
  const bad = endpoints.find((e) => !/^[^:\s]+:\d{1,5}$/.test(e));
  if (!m || endpoints.length === 0 || bad !== undefined) {
    throw new Error(`invalid etcd store ${JSON.stringify(spec)}${bad !== undefined ? ` (bad endpoint ${JSON.stringify(bad)})` : ''}: want etcd://host:port[,host:port][/prefix]`);
  }
  const prefix = m[2] && m[2] !== '/' ? m[2].replace(/\/+$/, '') : undefined;
  return { endpoints, prefix };
}

/**
 * What a write returns at a revision, without decoding the bytes it just sent:
 * a handed-over object is stamped and frozen in place; otherwise a frozen copy
 * is taken now, before the write is sent (the caller may edit its object
 * meanwhile), and restamped with the revision.
 */
function writeResult(obj: KObject, opts: WriteOptions | undefined): (revision: number) => KObject {
  if (opts?.adopt) return (revision) => adoptedSnapshot(obj, revision);
  const copy = storedCopy(obj, 0);
  return (revision) => deletedSnapshot(copy, revision); // "the object at another revision", as for deletes
}

/** A frozen event whose prevObject is decoded on first read (most subscribers never read it). */
function lazyPrev(type: 'MODIFIED' | 'DELETED', object: KObject, prev: KeyValue | undefined): WatchEvent {
  let decoded: KObject | undefined;
  return Object.freeze({
    type,
    object,
    get prevObject() {
      if (prev && !decoded) decoded = decodeKV(prev);
      return decoded;
    },
  });
}

export class EtcdStore implements Store {
  /** Several choreo processes may share one etcd. */
  readonly shared = true;
  private readonly client: Etcd3;
  /** Writes and point reads (the hot path): lean gRPC over HTTP/2 (kvclient.ts). */
  private readonly kv: KVClient;
  private readonly layout: KeyLayout;
  private closed = false;
  private readonly watches = new Set<{ end(err: StoreError): void }>();
  /** Shared watch streams by key range (hub.ts). */
  private readonly streams = new Map<string, SharedStream>();
  /** The newest revision seen in any response: where a watch "from now" starts. */
  private knownRevision = 0;
  private compactedTo = 0;
  private readonly namespaces = new NamespaceCache();
  /** Point reads, coalesced into shared round trips under load (reads.ts). */
  private readonly reads: GetBatcher;
  private readonly counts = { reads: 0 };
  /** Writes, batched into shared txns under load (writes.ts). */
  private readonly writes: WriteBatcher;
  /** This process's writes awaiting their watch events (recent.ts). */
  private readonly recent = new RecentWrites();

  private constructor(private readonly opts: EtcdStoreOptions) {
    const timeout = opts.callTimeoutMs ?? 10_000;
    this.layout = new KeyLayout(opts.prefix ?? '/registry');
    this.client = new Etcd3({
      hosts: opts.endpoints.map((e) => `http://${e}`),
      grpcOptions: { 'grpc.max_receive_message_length': 256 << 20 },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.kv = new KVClient(opts.endpoints, timeout, opts.keepAlive);
    this.reads = new GetBatcher(this.kv);
    this.writes = new WriteBatcher(this.kv);
  }

  /** Round trips to etcd so far, for benchmarks: writes' txns (one per batch) and the writes in them, and reads (coalesced gets, lists' first requests, revision reads). */
  get stats(): { txns: number; writes: number; reads: number; eventsFromWrites: number; eventsDecoded: number } {
    return { txns: this.writes.batches, writes: this.writes.writes, reads: this.counts.reads + this.reads.batches, eventsFromWrites: this.recent.hits, eventsDecoded: this.recent.misses };
  }

  /** Connects and reads the current revision; fails with Unavailable when etcd cannot be reached. */
  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(opts);
    try {
      await store.currentRevision();
    } catch (err) {
      store.client.close();
      throw err;
    }
    return store;
  }

  async get(key: ObjectKey): Promise<KObject | undefined> {
    const res = await this.call('get', () => this.reads.get(this.layout.key(key)));
    this.seen(res.revision);
    return res.kv ? decodeKV(res.kv) : undefined;
  }

  async list(scope: ListScope, opts?: ListOptions): Promise<ListResult> {
    this.ensureOpen();
    this.counts.reads++;
    const res = await listObjects(this.client.kv, this.layout, this.namespaces, scope, opts);
    this.seen(res.resourceVersion);
    return res;
  }

  async create(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    const k = this.layout.key(key);
    const value = Buffer.from(encodeValue(obj));
    const write = this.recent.begin(k, value, writeResult(obj, opts));
    const fence = currentFence();
    let res: TxnResponse;
    try {
      res = await this.call('create', () =>
        this.writes.write(k, {
          compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }, ...fenceCompare(fence)],
          success: [{ request_put: { key: k, value } }],
          failure: fence ? [{ request_range: { key: k } }, { request_range: { key: Buffer.from(fence.key) } }] : [],
        }),
      );
      if (!res.succeeded) {
        checkFence(fence, res, 1);
        throw new StoreError('AlreadyExists', `${describeKey(key)} already exists`);
      }
    } catch (err) {
      write.failed();
      throw err;
    }
    await this.afterWrite(res);
    return write.done(Number(res.header.revision));
  }

  async update(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    const k = this.layout.key(key);
    const value = Buffer.from(encodeValue(obj));
    const write = this.recent.begin(k, value, writeResult(obj, opts));
    let res: TxnResponse;
    try {
      res = await this.guardedWrite('update', key, opts, { request_put: { key: k, value } });
    } catch (err) {
      write.failed();
      throw err;
    }
    return write.done(Number(res.header.revision));
  }

  async delete(key: ObjectKey, opts?: WriteOptions): Promise<KObject> {
    const res = await this.guardedWrite('delete', key, opts, { request_delete_range: { key: this.layout.key(key), prev_kv: true } });
    const prev = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new StoreError('Unavailable', `delete ${describeKey(key)}: etcd returned no previous value`);
    return decodeKV(prev, res.header.revision);
  }

  watch(scope: ListScope, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: StoreError) => void): Watch {
    this.ensureOpen();
    const from = parseRevision(opts.resourceVersion, 'watch');
    const { start, end } = this.layout.scope(scope.resource, scope.namespace);
    let stopped = false;
    const handle = {
      end: (err: StoreError) => {
        if (stopped) return;
        stop();
        onError?.(err);
      },
    };
    // "From now" is the newest revision this client has seen: a later write by
    // anyone has a higher revision, and none is missed while the stream is set up.
    const sub: Subscriber = { after: from ?? this.knownRevision, onEvent: (ev) => stopped || onEvent(ev), onError: (err) => handle.end(err) };
    // Only watches from a given revision share a stream (hub.ts): "from now" may start below it.
    const rangeKey = `${scope.resource}/${scope.namespace ?? ''}`;
    let stream = from === undefined ? undefined : this.streams.get(rangeKey);
    if (!stream?.join(sub)) {
      const own: SharedStream = new SharedStream(
        { client: this.kv, start, end, fromRevision: sub.after + 1, fromNow: from === undefined, giveUpAfterMs: this.opts.watchGiveUpMs ?? 30_000 },
        (ev) => this.toWatchEvent(scope.resource, ev),
        () => this.streams.get(rangeKey) === own && this.streams.delete(rangeKey),
      );
      own.join(sub);
      if (from !== undefined && !this.streams.has(rangeKey)) this.streams.set(rangeKey, own);
      stream = own;
    }
    const joined = stream;
    const stop = () => {
      stopped = true;
      joined.leave(sub);
      this.watches.delete(handle);
    };
    this.watches.add(handle);
    return { stop };
  }

  async currentRevision(): Promise<string> {
    // Any read's header carries the store revision; a one-key keys-only range is the cheapest read.
    const res = await this.call('revision', () => this.client.kv.range({ key: Buffer.from(`${this.layout.prefix}/`), limit: 1, keys_only: true }));
    this.seen(res.header.revision);
    return res.header.revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.end(new StoreError('Unavailable', 'store closed'));
    this.kv.close();
    this.client.close();
  }

  /** update and delete: a txn guarded by the expected mod revision, or by existence without one. */
  private async guardedWrite(op: 'update' | 'delete', key: ObjectKey, opts: WriteOptions | undefined, success: RequestOp): Promise<TxnResponse> {
    const expected = parseRevision(opts?.expectedResourceVersion, op);
    const k = this.layout.key(key);
    const guard =
      expected !== undefined
        ? { key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expected }
        : { key: k, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 };
    const fence = currentFence();
    const failure = [{ request_range: { key: k } }, ...(fence ? [{ request_range: { key: Buffer.from(fence.key) } }] : [])];
    const res = await this.call(op, () => this.writes.write(k, { compare: [guard, ...fenceCompare(fence)], success: [success], failure }));
    if (!res.succeeded) {
      checkFence(fence, res, 1);
      const current: KeyValue | undefined = res.responses[0]?.response_range?.kvs?.[0];
      if (!current) throw new StoreError('NotFound', `${describeKey(key)} not found`);
      throw new StoreError(
        'Conflict',
        `${describeKey(key)}: the object has been modified (resourceVersion ${current.mod_revision}, expected ${expected}); read it again and retry`,
      );
    }
    await this.afterWrite(res);
    return res;
  }

  /** One etcd event as the contract's event; decoded once per stream, the previous object only when read. */
  private toWatchEvent(resource: string, ev: Event): WatchEvent {
    const prev = ev.prev_kv;
    if (ev.type === 'Delete') {
      // etcd's delete event has an empty value; the object is the last stored one at the deletion revision.
      const object = prev ? decodeKV(prev, ev.kv.mod_revision) : this.tombstone(resource, ev.kv);
      return lazyPrev('DELETED', object, prev);
    }
    const object = this.recent.take(ev.kv.key, ev.kv.mod_revision, ev.kv.value) ?? decodeKV(ev.kv);
    if (ev.kv.create_revision === ev.kv.mod_revision) return Object.freeze({ type: 'ADDED', object });
    return lazyPrev('MODIFIED', object, prev);
  }

  /** A deleted object whose previous value etcd no longer had (compacted): only its identity is known. */
  private tombstone(resource: string, kv: KeyValue): KObject {
    const { namespace, name } = this.layout.split(resource, kv.key);
    return Object.freeze({ metadata: Object.freeze({ name, namespace, resourceVersion: kv.mod_revision }) }) as KObject;
  }

  private async afterWrite(res: TxnResponse): Promise<void> {
    const rev = Number(res.header.revision);
    this.seen(rev);
    const keep = this.opts.historySize;
    if (!keep || keep <= 0) return;
    const target = rev - keep;
    if (target - this.compactedTo < Math.max(1, Math.ceil(keep / 2))) return;
    const before = this.compactedTo;
    this.compactedTo = target;
    try {
      await this.client.kv.compact({ revision: target });
    } catch (err) {
      // Best effort: the write has succeeded; a failed compaction is retried after a later write.
      if (!isCompacted(err) && this.compactedTo === target) this.compactedTo = before;
    }
  }

  private seen(revision: number | string): void {
    const r = Number(revision);
    if (r > this.knownRevision) this.knownRevision = r;
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store closed');
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.ensureOpen();
    if (what === 'revision') this.counts.reads++;
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, what);
    }
  }
}
