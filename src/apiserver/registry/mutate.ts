// System writes (the garbage collector dropping owner references or a
// finalizer, the event recorder counting repeats): clone the stored object,
// let a function edit it, write it back as an update, retried on conflicts.
//
// Key idea: the first read comes from the registry's watch cache when the
// store is shared (`guessing` = sharedstate.ts `guess`), as for apply, update,
// patch and delete: no get round trip on etcd when the cache is right. A stale
// cache costs a retry (the update's precondition fails) and any outcome decided
// without a write — not found, `fn` declining, nothing changed — is redone
// from a fresh read, so it never changes a result. Trade-off: `fn` may run
// more than once (always on a fresh clone), so it must only edit its argument.

import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { deepClone } from '../../api/patch.js';
import { notFound } from './errors.js';
import type { ResourceType } from './resources.js';
import { maxRetries } from './write.js';

type Read = () => Promise<KObject | undefined>;

/** Runs mutate's loop under `guessing`; undefined when the object does not exist (or vanished meanwhile). */
export async function mutateWith(
  guessing: (write: (read: Read) => Promise<KObject>) => Promise<KObject>,
  t: ResourceType,
  name: string,
  fn: (o: KObject) => boolean | void,
  update: (current: KObject, next: KObject) => Promise<KObject>,
): Promise<KObject | undefined> {
  try {
    return await guessing(async (read) => {
      for (let attempt = 0; ; attempt++) {
        const current = await read();
        // Thrown (not returned) so that a guess of "absent" is checked against a fresh read.
        if (!current) throw notFound(t, name);
        const next = deepClone(current) as KObject;
        if (fn(next) === false) return current;
        try {
          return await update(current, next);
        } catch (err) {
          if (err instanceof ApiError && err.reason === 'Conflict' && attempt < maxRetries) continue;
          throw err;
        }
      }
    });
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
    throw err;
  }
}
