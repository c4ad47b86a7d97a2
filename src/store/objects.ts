// Object handling shared by the memory and file backends: how a caller's object
// becomes a stored snapshot, and the key/revision/error helpers every write uses.
//
// Key idea: a stored object is a private, deep-frozen copy of the caller's object
// in JSON-normal form (exactly what JSON.parse(JSON.stringify(obj)) would give),
// stamped with its resourceVersion. Reads hand out that frozen object with no
// copying at all, and a caller that tries to mutate it gets a TypeError instead
// of silently corrupting the store. The copy is structural, not a JSON round
// trip, and it shares with the object it replaces every subtree the caller
// took from it unchanged (same reference at the same place: the registry's
// merges keep status, untouched metadata and managedFields entries that way),
// since a stored subtree is frozen and cannot have changed. The trade-off: the
// copy must reproduce JSON's normalization itself (undefined dropped,
// non-finite numbers → null, -0 → 0); anything unusual (toJSON, class
// instances, bigint) falls back to a real JSON round trip of that subtree. The
// file backend still serializes each write once for its log.

import type { KObject } from '../api/object.js';
import { StoreError, type ObjectKey, type WriteOptions } from './store.js';
import { internMetadata } from './intern.js';

type Obj = Record<string, unknown>;

/** Serializes `obj` with metadata.resourceVersion = rev; the caller's object is not touched. */
export function stampedJSON(obj: KObject, rev: number): string {
  const metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rev) };
  return JSON.stringify({ ...obj, metadata });
}

/** Parses a stored object's JSON into a deep-frozen snapshot (repeated metadata subtrees shared: intern.ts). */
export function frozenFromJSON(json: string): KObject {
  return frozenParsed(JSON.parse(json) as KObject);
}

/** A freshly parsed object, deep-frozen, its repeated metadata subtrees shared (intern.ts). */
export function frozenParsed(obj: KObject): KObject {
  internMetadata(obj, deepFreeze);
  return deepFreeze(obj);
}

/**
 * The stored object for a write at `rev`: a private, frozen, JSON-normal copy
 * with metadata.resourceVersion = rev. `prev` is the stored object the write
 * replaces (undefined for a create): subtrees of `obj` that are that object's
 * own (identical references at the same path) are shared, not copied.
 */
export function storedCopy(obj: KObject, rev: number, prev?: KObject): KObject {
  const src = obj as unknown as Obj;
  const old = prev as unknown as Obj | undefined;
  const out: Obj = {};
  let sawMeta = false;
  for (const k of Object.keys(src)) {
    if (k === 'metadata') {
      sawMeta = true;
      out.metadata = stampedMeta(src.metadata, rev, old?.metadata);
    } else setJson(out, k, src[k], k === '__proto__' ? undefined : old?.[k]);
  }
  if (!sawMeta) out.metadata = stampedMeta(undefined, rev, undefined);
  return Object.freeze(out) as unknown as KObject;
}

/**
 * The stored object for a write at `rev` made from `obj` itself, for a caller
 * that hands the object over (WriteOptions.adopt): normalized to JSON form and
 * deep-frozen in place, with metadata.resourceVersion = rev. A walk without
 * allocation instead of a copy — the registry's writes build a private object
 * anyway. Frozen subtrees are taken as stored ones (deeply frozen, JSON-normal)
 * and not walked; a frozen root or metadata is copied as storedCopy would.
 */
export function adoptedSnapshot(obj: KObject, rev: number, prev?: KObject): KObject {
  if (Object.isFrozen(obj) || obj.metadata === null || typeof obj.metadata !== 'object' || Object.isFrozen(obj.metadata) || plainOrJson(obj) !== obj || plainOrJson(obj.metadata) !== obj.metadata) return storedCopy(obj, rev, prev);
  (obj.metadata as Obj).resourceVersion = String(rev);
  internMetadata(obj, adoptValue);
  return adoptInPlace(obj) as KObject;
}

/** Normalizes a plain, unfrozen object or array to JSON form in place and freezes it. */
function adoptInPlace(v: object): object {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      const y = x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : adoptValue(x);
      if (!Object.is(x, y)) v[i] = y;
    }
    return Object.freeze(v);
  }
  const o = v as Obj;
  // for-in, not Object.keys: no key array per object (plain objects have no inherited enumerable keys).
  for (const k in o) {
    const x = o[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') {
      delete o[k];
      continue;
    }
    const y = adoptValue(x);
    if (Object.is(x, y)) continue;
    if (k === '__proto__') Object.defineProperty(o, k, { value: y, enumerable: true, writable: true, configurable: true });
    else o[k] = y;
  }
  return Object.freeze(o);
}

/** The JSON form of one value (in place for plain objects and arrays). */
function adoptValue(v: unknown): unknown {
  if (typeof v !== 'object') return jsonScalar(v);
  if (v === null || Object.isFrozen(v)) return v;
  return plainOrJson(v) === v ? adoptInPlace(v) : deepFreeze(plainOrJson(v));
}

/** The JSON form of a value that is not an object: non-finite numbers → null, -0 → 0. */
function jsonScalar(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    default:
      return JSON.parse(JSON.stringify(v) ?? 'null'); // bigint throws as JSON.stringify does
  }
}

/** The stored object for a write at `rev` plus its JSON (what the file backend logs). */
export function snapshot(obj: KObject, rev: number, prev: KObject | undefined, adopt: boolean | undefined): { object: KObject; json: string } {
  const object = adopt ? adoptedSnapshot(obj, rev, prev) : storedCopy(obj, rev, prev);
  return { object, json: JSON.stringify(object) };
}

function stampedMeta(meta: unknown, rev: number, prev: unknown): Obj {
  const out: Obj = {};
  if (meta !== null && typeof meta === 'object') {
    const m = plainOrJson(meta);
    const p = isPlain(prev) ? prev : undefined;
    if (isPlain(m)) {
      for (const k of Object.keys(m)) {
        if (k === 'resourceVersion') out.resourceVersion = ''; // keeps its position, as object spread does
        else setJson(out, k, m[k], p && k !== '__proto__' ? p[k] : undefined);
      }
    }
  }
  out.resourceVersion = String(rev);
  return Object.freeze(out);
}

function isPlain(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sets out[k] to the JSON-normal copy of v, omitting what JSON.stringify omits from objects. */
function setJson(out: Obj, k: string, v: unknown, prev: unknown): void {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return;
  const c = jsonCopy(v, prev);
  if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
  else out[k] = c;
}

/** A value's frozen JSON-normal copy; `prev` is the stored value at the same path, shared when `v` is it. */
function jsonCopy(v: unknown, prev: unknown): unknown {
  if (typeof v !== 'object') return jsonScalar(v);
  if (v === null) return null;
  if (v === prev) return prev; // a stored subtree: frozen, JSON-normal, unchanged
  if (Array.isArray(v)) {
    const p = Array.isArray(prev) ? prev : undefined;
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      a[i] = x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : jsonCopy(x, p?.[i]);
    }
    return Object.freeze(a);
  }
  const plain = plainOrJson(v);
  if (plain !== v) return deepFreeze(plain);
  const p = isPlain(prev) ? prev : undefined;
  const o: Obj = {};
  for (const k of Object.keys(v)) setJson(o, k, (v as Obj)[k], p && k !== '__proto__' ? p[k] : undefined);
  return Object.freeze(o);
}

/** `v` itself when JSON.stringify would walk it as a plain object or array, else its JSON round trip. */
function plainOrJson(v: object): unknown {
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null && !Array.isArray(v)) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(v));
  return v;
}

/** A deleted object as reported to callers and watchers: the last stored state, at the deletion's revision. */
export function deletedSnapshot(last: KObject, rev: number): KObject {
  return Object.freeze({ ...last, metadata: Object.freeze({ ...last.metadata, resourceVersion: String(rev) }) });
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Sort key within one resource: namespace, then name ("\0" sorts below every name character). */
export function rowKey(namespace: string, name: string): string {
  return `${namespace}\0${name}`;
}

export function describeKey(key: ObjectKey): string {
  return `${key.resource} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
}

/** Parses a resourceVersion given by a caller; "" and undefined mean "none". */
export function parseRevision(rv: string | undefined, what: string): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d{1,15}$/.test(rv)) throw new StoreError('BadRequest', `${what}: invalid resourceVersion ${JSON.stringify(rv)} (want a decimal revision)`);
  return Number(rv);
}

/** The checks a create/update/delete makes against the current object (undefined = absent). */
export function checkWrite(op: 'create' | 'update' | 'delete', key: ObjectKey, current: KObject | undefined, opts?: WriteOptions): void {
  if (op === 'create') {
    if (current) throw new StoreError('AlreadyExists', `${describeKey(key)} already exists`);
    return;
  }
  if (!current) throw new StoreError('NotFound', `${describeKey(key)} not found`);
  const want = opts?.expectedResourceVersion;
  if (want !== undefined && want !== '' && want !== current.metadata.resourceVersion) {
    throw new StoreError(
      'Conflict',
      `${describeKey(key)}: the object has been modified (resourceVersion ${current.metadata.resourceVersion}, expected ${want}); read it again and retry`,
    );
  }
}
