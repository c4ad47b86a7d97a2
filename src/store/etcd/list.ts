// List for the etcd backend: every page of a paged list reads etcd at one fixed
// revision (the first page's header revision, carried in the continue token),
// so pages together equal the list at that snapshot however many writes happen
// between them; a compacted snapshot revision is Gone.
//
// Key idea: objects are read in the contract's order (namespace, then name) as
// a lazy sequence of key ranges. One namespace is one key range whose etcd order
// is already name order. Across namespaces etcd's key order differs from
// namespace order when one namespace extends another with "-" ("a-b/" sorts
// before "a/"), so:
// - an unpaged all-namespaces list reads the resource's range once and sorts by
//   (namespace, name) when needed;
// - a paged all-namespaces list first reads the resource's keys only (no values)
//   at the snapshot revision to learn its namespaces, then walks them in order,
//   one namespace range at a time, from the token's position.
// The namespaces at a revision never change, so they are cached per (resource,
// revision) and the later pages of a list skip the scan. Reads are chunked
// (2,000 objects or 10,000 keys a request: fewer round trips dominate, measured)
// so a large list never becomes one huge gRPC message; values are decoded only
// as far as the page needs. The predicate is applied client-side, and `limit`
// counts objects that pass it.
//
// Trade-off: the first page of a paged all-namespaces list costs a keys-only
// scan of the resource (about 60 bytes a key) in exchange for the Kubernetes key
// layout; namespaced lists and unpaged lists pay nothing extra.

import type { IKeyValue, KVClient } from 'etcd3';
import type { KObject } from '../../api/object.js';
import type { ListOptions, ListResult, ListScope } from '../store.js';
import { decodeContinue, decodeKV, encodeContinue, type KeyLayout } from './codec.js';
import { toStoreError } from './errors.js';

const CHUNK = 2000;
const KEYS_CHUNK = 10_000;

/** Namespaces of a resource at a revision, in namespace order; a few recent entries kept. */
export class NamespaceCache {
  private readonly entries = new Map<string, string[]>();
  constructor(private readonly capacity = 32) {}

  get(resource: string, revision: number): string[] | undefined {
    return this.entries.get(`${revision} ${resource}`);
  }

  set(resource: string, revision: number, namespaces: string[]): void {
    this.entries.set(`${revision} ${resource}`, namespaces);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

interface Entry {
  namespace: string;
  name: string;
  kv: IKeyValue;
}

/** A list read: the snapshot revision is fixed by the first request when the caller has none. */
class Snapshot {
  constructor(
    private readonly kv: KVClient,
    public revision: number, // 0 until the first read when listing at "now"
  ) {}

  /** Key/values in [start, end) in key order, read in chunks at the snapshot revision. */
  async *range(start: Buffer, end: Buffer, opts: { keysOnly?: boolean; firstChunk?: number } = {}): AsyncGenerator<IKeyValue> {
    let from = start;
    let limit = opts.firstChunk ?? (opts.keysOnly ? KEYS_CHUNK : CHUNK);
    for (;;) {
      let res;
      try {
        res = await this.kv.range({ key: from, range_end: end, revision: this.revision, limit, keys_only: opts.keysOnly ?? false });
      } catch (err) {
        throw toStoreError(err, 'list');
      }
      if (this.revision === 0) this.revision = Number(res.header.revision);
      yield* res.kvs;
      if (!res.more || res.kvs.length === 0) return;
      limit = opts.keysOnly ? KEYS_CHUNK : CHUNK;
      from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
  }
}

export async function listObjects(kv: KVClient, layout: KeyLayout, cache: NamespaceCache, scope: ListScope, opts: ListOptions = {}): Promise<ListResult> {
  let after: { namespace: string; name: string } | undefined;
  let revision = 0;
  if (opts.continue) {
    const token = decodeContinue(opts.continue);
    revision = token.rv;
    after = { namespace: token.ns, name: token.name };
  }
  const snap = new Snapshot(kv, revision);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const paged = limit !== Infinity || after !== undefined;
  // A page needs limit + 1 passing objects (the extra one decides whether to hand out a continue token).
  const firstChunk = limit === Infinity ? undefined : Math.min(CHUNK, limit + 1);
  const entries = scope.namespace
    ? namespaceEntries(snap, layout, scope.resource, scope.namespace, after?.name, firstChunk)
    : paged
      ? pagedEntries(snap, layout, cache, scope.resource, after, firstChunk)
      : sortedEntries(snap, layout, scope.resource);

  const items: KObject[] = [];
  let last: Entry | undefined;
  for await (const e of entries) {
    const obj = decodeKV(e.kv);
    if (opts.filter && !opts.filter(obj)) continue;
    if (items.length === limit) {
      return { items, resourceVersion: String(snap.revision), continue: encodeContinue({ rv: snap.revision, ns: last!.namespace, name: last!.name }) };
    }
    items.push(obj);
    last = e;
  }
  // Every entry source reads at least once, even over an empty range, so the revision is known here.
  return { items, resourceVersion: String(snap.revision) };
}

/** One namespace's objects in name order, after `afterName` if given. */
async function* namespaceEntries(snap: Snapshot, layout: KeyLayout, resource: string, namespace: string, afterName?: string, firstChunk?: number): AsyncGenerator<Entry> {
  const { start, end } = layout.scope(resource, namespace);
  const from = afterName === undefined ? start : Buffer.concat([layout.key({ resource, namespace, name: afterName }), Buffer.from([0])]);
  for await (const kv of snap.range(from, end, { firstChunk })) yield { namespace, name: layout.split(resource, kv.key).name, kv };
}

/** Every object of the resource, read in one pass and put in (namespace, name) order. */
async function* sortedEntries(snap: Snapshot, layout: KeyLayout, resource: string): AsyncGenerator<Entry> {
  const { start, end } = layout.scope(resource);
  const all: Entry[] = [];
  let sorted = true;
  for await (const kv of snap.range(start, end)) {
    const { namespace, name } = layout.split(resource, kv.key);
    const prev = all[all.length - 1];
    if (prev && compare(prev, { namespace, name }) > 0) sorted = false;
    all.push({ namespace, name, kv });
  }
  if (!sorted) all.sort(compare);
  yield* all;
}

/** Every object of the resource after `after` in (namespace, name) order, one namespace range at a time. */
async function* pagedEntries(
  snap: Snapshot,
  layout: KeyLayout,
  cache: NamespaceCache,
  resource: string,
  after: { namespace: string; name: string } | undefined,
  firstChunk: number | undefined,
): AsyncGenerator<Entry> {
  let ordered = snap.revision ? cache.get(resource, snap.revision) : undefined;
  if (!ordered) {
    const { start, end } = layout.scope(resource);
    const seen: string[] = [];
    for await (const kv of snap.range(start, end, { keysOnly: true })) {
      const { namespace } = layout.split(resource, kv.key);
      if (seen[seen.length - 1] !== namespace) seen.push(namespace);
    }
    ordered = [...new Set(seen)].sort();
    cache.set(resource, snap.revision, ordered);
  }
  for (const ns of ordered) {
    if (after && ns < after.namespace) continue;
    yield* namespaceEntries(snap, layout, resource, ns, after && ns === after.namespace ? after.name : undefined, firstChunk);
  }
}

function compare(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
