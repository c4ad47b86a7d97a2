// Event handlers turn informer events on a watched type into reconcile requests
// for the controller's For type — controller-runtime's pkg/handler:
//
// - enqueueForObject   (For):     the object itself.
// - enqueueForOwner    (Owns):    the object's controller ownerReference, if it
//                                 points at the For group/kind (version ignored:
//                                 an owner is the same object in every version).
// - enqueueMapped(fn)  (Watches): whatever fn returns for the object — the
//                                 reconciler layer supplies "all For objects",
//                                 "For objects matching a selector" or a join.
//
// On update, Owns and Watches enqueue for both the old and the new object, so a
// change that moves an object from one owner / mapped target to another
// reconciles both sides. Duplicates are harmless: the work queue dedupes.

import type { KObject } from '../api/object.js';
import { parseApiVersion } from '../api/object.js';
import type { TypeRef } from '../api/client.js';
import type { Request } from './reconcile.js';

export type Enqueue = (request: Request) => void;

/** Maps one watched type's events to reconcile requests. Must be fast and must not throw. */
export interface EventHandler {
  create(obj: KObject, enqueue: Enqueue): void;
  update(oldObj: KObject, newObj: KObject, enqueue: Enqueue): void;
  delete(obj: KObject, enqueue: Enqueue): void;
}

function requestFor(obj: KObject): Request {
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/** For: reconcile the object the event is about. */
export function enqueueForObject(): EventHandler {
  return {
    create: (obj, enqueue) => enqueue(requestFor(obj)),
    update: (_old, obj, enqueue) => enqueue(requestFor(obj)),
    delete: (obj, enqueue) => enqueue(requestFor(obj)),
  };
}

export interface OwnerOptions {
  /** Only follow the ownerReference marked controller: true (default true, like Owns in controller-runtime). */
  onlyController?: boolean;
  /** Whether the owner type is namespaced (default true): owners live in the child's namespace, else cluster-scoped. */
  ownerNamespaced?: boolean;
}

/** Owns: reconcile the owner (of type ownerType) named by the object's ownerReferences. */
export function enqueueForOwner(ownerType: TypeRef, opts: OwnerOptions = {}): EventHandler {
  const onlyController = opts.onlyController ?? true;
  const namespaced = opts.ownerNamespaced ?? true;
  const group = parseApiVersion(ownerType.apiVersion).group;
  const owners = (obj: KObject, enqueue: Enqueue): void => {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (onlyController && ref.controller !== true) continue;
      if (ref.kind !== ownerType.kind || parseApiVersion(ref.apiVersion).group !== group) continue;
      enqueue({ namespace: namespaced ? (obj.metadata.namespace ?? '') : '', name: ref.name });
    }
  };
  return {
    create: owners,
    update: (oldObj, newObj, enqueue) => {
      owners(oldObj, enqueue);
      owners(newObj, enqueue);
    },
    delete: owners,
  };
}

/** Watches: reconcile the requests fn maps the object to. */
export function enqueueMapped(fn: (obj: KObject) => Request[]): EventHandler {
  const mapped = (obj: KObject, enqueue: Enqueue): void => {
    for (const r of fn(obj)) enqueue(r);
  };
  return {
    create: mapped,
    update: (oldObj, newObj, enqueue) => {
      mapped(oldObj, enqueue);
      mapped(newObj, enqueue);
    },
    delete: mapped,
  };
}
