// The informer's local cache: objects by key plus secondary indexes, modelled
// on client-go's tools/cache thread_safe_store.go and index.go.
//
// Keys are `namespace/name` (just `name` for cluster-scoped objects), the same
// strings the work queue carries. An index is a function from an object to the
// index values it should be found under; the cache keeps value → set of keys and
// updates it on every upsert/remove by diffing the old and new values, so
// byIndex() is a map lookup instead of a scan. Built in: by namespace and by
// owner UID (every ownerReference, controller or not).
//
// Objects are stored as delivered and shared with callers: treat them as
// read-only (copy before mutating). Copying on every read would double the
// cost of the hottest path for no benefit to well-behaved reconcilers.

import type { KObject } from '../api/object.js';

export type IndexFunc = (obj: KObject) => string[];

export const namespaceIndex = 'namespace';
export const ownerIndex = 'owner';

export const builtinIndexers: Record<string, IndexFunc> = {
  [namespaceIndex]: (obj) => [obj.metadata.namespace ?? ''],
  [ownerIndex]: (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid),
};

/** The cache / queue key of an object: "namespace/name", or "name" when cluster-scoped. */
export function objectKey(obj: Pick<KObject, 'metadata'>): string {
  return keyOf(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
}

export function keyOf(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** Inverse of keyOf. Names cannot contain "/", so the first slash separates the namespace. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class ObjectCache {
  private readonly items = new Map<string, KObject>();
  private readonly indexers = new Map<string, IndexFunc>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** The indexers with their indexes, as a plain array: upsert walks it for every event. */
  private indexList: { fn: IndexFunc; index: Map<string, Set<string>> }[] = [];

  constructor(indexers: Record<string, IndexFunc> = builtinIndexers) {
    this.addIndexers(indexers);
  }

  /** Adds indexes; existing objects are indexed at once. Re-registering a name is an error. */
  addIndexers(indexers: Record<string, IndexFunc>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer ${JSON.stringify(name)} already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      this.indexList.push({ fn, index });
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  /** Drops an index (a reconciler replaced by hot reload); unknown names are ignored. */
  removeIndexer(name: string): void {
    const index = this.indices.get(name);
    if (!index) return;
    this.indexers.delete(name);
    this.indices.delete(name);
    this.indexList = this.indexList.filter((e) => e.index !== index);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): KObject | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): KObject[] {
    return [...this.items.values()];
  }

  /** Objects whose index function returned `value`. Unknown index name is an error (a typo, not an empty result). */
  byIndex(indexName: string, value: string): KObject[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new Error(`no indexer named ${JSON.stringify(indexName)}`);
    const keys = index.get(value);
    if (keys === undefined) return [];
    const out: KObject[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Stores obj under key; returns the previous object. */
  upsert(key: string, obj: KObject): KObject | undefined {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const { fn, index } of this.indexList) {
      const newVals = fn(obj);
      if (old !== undefined) {
        const oldVals = fn(old);
        if (sameValues(oldVals, newVals)) continue; // most updates leave namespace and owners alone
        for (const v of oldVals) if (!newVals.includes(v)) removeFrom(index, v, key);
      }
      for (const v of newVals) addTo(index, v, key);
    }
    return old;
  }

  /** Removes key; returns the removed object. */
  remove(key: string): KObject | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const { fn, index } of this.indexList) for (const v of fn(old)) removeFrom(index, v, key);
    return old;
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (set === undefined) index.set(value, (set = new Set()));
  set.add(key);
}

function removeFrom(index: Map<string, Set<string>>, value: string, key: string): void {
  const set = index.get(value);
  if (set === undefined) return;
  set.delete(key);
  if (set.size === 0) index.delete(value);
}
