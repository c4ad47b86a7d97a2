// How the etcd backend lays out keys and values, and how etcd key/values become
// the frozen objects the Store contract hands out.
//
// Keys follow Kubernetes: `<prefix>/<group>/<plural>/<namespace>/<name>` with
// prefix "/registry" by default (cluster-scoped objects have an empty namespace
// segment, `.../core/namespaces//default`), so one resource is one key range and
// one namespace of it a sub-range, and `etcdctl get --prefix /registry/` reads
// naturally. Values are the object's JSON *without* metadata.resourceVersion:
// the revision of a write is only known once etcd commits it, so, as in
// Kubernetes, the resourceVersion is the key's mod revision, stamped on read.
//
// Trade-off of keeping the Kubernetes layout: etcd orders keys by bytes, and "/"
// sorts after "-", so namespace "a-b" comes before "a" in key order while the
// contract wants namespace order ("a" first). Within one namespace the orders
// agree; list.ts reorders across namespaces.

import type { KObject } from '../../api/object.js';
import { frozenParsed } from '../objects.js';
import { StoreError, type ObjectKey } from '../store.js';
import type { IKeyValue } from 'etcd3';

export class KeyLayout {
  constructor(readonly prefix: string) {}

  key(k: ObjectKey): Buffer {
    return Buffer.from(`${this.prefix}/${k.resource}/${k.namespace}/${k.name}`);
  }

  /** The range of one resource, or of one namespace of it ("" = all namespaces). */
  scope(resource: string, namespace?: string): { start: Buffer; end: Buffer } {
    const start = Buffer.from(namespace ? `${this.prefix}/${resource}/${namespace}/` : `${this.prefix}/${resource}/`);
    return { start, end: prefixEnd(start) };
  }

  /** Namespace and name of a key inside `resource`'s range. */
  split(resource: string, key: Buffer): { namespace: string; name: string } {
    const rest = key.toString('utf8').slice(this.prefix.length + resource.length + 2);
    const i = rest.indexOf('/');
    return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
  }
}

/** The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

/** The stored form: the object's JSON without a resourceVersion (the caller's object is not touched). */
export function encodeValue(obj: KObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata });
}

/** A stored value as the frozen object callers see, stamped with `revision`. */
export function decodeValue(value: Buffer | string, revision: string): KObject {
  const obj = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as KObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: revision };
  return frozenParsed(obj);
}

export function decodeKV(kv: IKeyValue, revision = kv.mod_revision): KObject {
  return decodeValue(kv.value, revision);
}

interface ContinueToken {
  rv: number;
  ns: string;
  name: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (Number.isSafeInteger(t.rv) && t.rv > 0 && typeof t.ns === 'string' && typeof t.name === 'string') return t;
  } catch {
    // fall through to the error below
  }
  throw new StoreError('BadRequest', `invalid continue token ${JSON.stringify(s.slice(0, 40))}`);
}
