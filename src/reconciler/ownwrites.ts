// Recognising a reconciler's own writes when their watch events come back.
//
// A reconcile writes its For object (finalizer, status, condition) and its
// children; each write comes back as an informer event that would enqueue the
// same For object again. That extra reconcile is idle by construction (the
// reconcile just made the world match), but it costs a full Starlark run per
// write, and after an error it would run the failing reconcile again at once —
// doubling the backoff (5 s would become 10 s, 10 s 20 s, ...).
//
// Key idea: every store write produces exactly one watch event, carrying the
// write's resourceVersion, and an object's resourceVersions are unique (objects
// written together may share one: etcd's batched writes, store.ts). So an add
// or update event whose object and resourceVersion one of our own writes
// returned is precisely that write — the change from the old to the new
// object is ours alone — and it is dropped. The store delivers watch events in
// a microtask, i.e. usually *before* the write's promise has resolved to us:
// events for an object we are writing at that moment are therefore held, and
// when the write returns, the held events that are not ours (a concurrent
// writer) are handed to the handler after all. Deletes always pass (cheap, and
// they matter for recreating a child someone else deleted).
// Trade-off: an informer relist (after a watch failure) may fold several
// writes into one update; if ours is the newest, the others are folded into a
// dropped event. Relists are rare and a later event or retry still reconciles;
// the set is bounded so writes whose events never arrive cannot grow it.

import type { Client } from '../api/client.js';
import type { KObject } from '../api/object.js';
import type { Enqueue, EventHandler } from '../controller/handler.js';

const maxRemembered = 200_000;

const objKey = (o: { kind: string; metadata: { namespace?: string; name?: string } }) => `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;
/** One write of one object: its key and resourceVersion (undefined without one). */
const writeId = (o: KObject) => (o.metadata.resourceVersion ? `${objKey(o)}@${o.metadata.resourceVersion}` : undefined);

interface Held {
  obj: KObject;
  deliver: () => void;
}

/**
 * A set of strings that is usually empty or nearly so (each entry lives from
 * a write until its watch event, microseconds later): a short array, and a
 * Set only when entries pile up. A Map or Set emptied and refilled on every
 * write reallocates its table each time.
 */
class FewStrings {
  private few: string[] = [];
  private many: Set<string> | undefined;

  get size(): number {
    return this.many ? this.many.size : this.few.length;
  }

  add(s: string): void {
    if (this.many) this.many.add(s);
    else if (this.few.length < 32) this.few.push(s);
    else {
      this.many = new Set(this.few);
      this.many.add(s);
      this.few = [];
    }
  }

  /** Removes s; whether it was there. */
  delete(s: string): boolean {
    if (this.many) {
      const had = this.many.delete(s);
      if (this.many.size === 0) this.many = undefined;
      return had;
    }
    const i = this.few.indexOf(s);
    if (i < 0) return false;
    const last = this.few.pop()!;
    if (i < this.few.length) this.few[i] = last;
    return true;
  }

  /** Drops the oldest entry (bounded memory when events never come). */
  dropOldest(): void {
    if (this.many) {
      const oldest = this.many.values().next().value;
      if (oldest !== undefined) this.many.delete(oldest);
    } else this.few.shift();
  }
}

interface Slot {
  key: string;
  count: number;
  held: Held[];
}

export class OwnWrites {
  /** writeId of our writes whose events have not come back yet. */
  private readonly rvs = new FewStrings();
  /** Objects being written now (one per worker at most, usually) with the events for them that arrived meanwhile. */
  private readonly inflight: Slot[] = [];

  /**
   * Runs a write of obj, remembering its resourceVersion; events for obj
   * arriving meanwhile are held until it returns. A write made of several
   * stores (applyWithStatus over HTTP) reports the earlier ones to `stored`.
   */
  async write(obj: KObject, fn: (stored: (o: KObject) => void) => Promise<KObject>): Promise<KObject> {
    const key = objKey(obj);
    let slot = this.slotOf(key);
    if (!slot) this.inflight.push((slot = { key, count: 0, held: [] }));
    slot.count++;
    try {
      const out = await fn((o) => {
        this.remember(o);
      });
      this.remember(out);
      return out;
    } finally {
      if (--slot.count === 0) {
        this.inflight.splice(this.inflight.indexOf(slot), 1);
        // Ours: the write's own resourceVersion or one it reported storing on the way (both remembered above).
        for (const h of slot.held) {
          const id = writeId(h.obj);
          if (id === undefined || !this.rvs.delete(id)) h.deliver();
        }
      }
    }
  }

  private slotOf(key: string): Slot | undefined {
    for (const s of this.inflight) if (s.key === key) return s;
    return undefined;
  }

  private remember(o: KObject): void {
    const id = writeId(o);
    if (id === undefined) return;
    if (this.rvs.size >= maxRemembered) this.rvs.dropOldest();
    this.rvs.add(id);
  }

  /** Decides an add/update event now (true = deliver) or holds it while a write of ours to the object is in flight. */
  private pass(obj: KObject, deliver: () => void): boolean {
    const id = writeId(obj);
    if (id !== undefined && this.rvs.delete(id)) return false;
    if (this.inflight.length === 0) return true;
    const slot = this.slotOf(objKey(obj));
    if (!slot) return true;
    slot.held.push({ obj, deliver });
    return false;
  }

  /** handler without the add/update events of our own writes. */
  filter(handler: EventHandler): EventHandler {
    return {
      create: (obj: KObject, enqueue: Enqueue) => {
        const deliver = () => handler.create(obj, enqueue);
        if (this.pass(obj, deliver)) deliver();
      },
      update: (oldObj: KObject, newObj: KObject, enqueue: Enqueue) => {
        const deliver = () => handler.update(oldObj, newObj, enqueue);
        if (this.pass(newObj, deliver)) deliver();
      },
      delete: (obj: KObject, enqueue: Enqueue) => handler.delete(obj, enqueue),
    };
  }
}

/** client whose creates, updates, applies and patches of objects `watched(obj)` go through `own.write`. */
export function noteOwnWrites(client: Client, own: OwnWrites, watched: (obj: { apiVersion: string; kind: string }) => boolean): Client {
  const wrapped = wrapWrites(client, (target, dryRun, fn) => (dryRun !== true && watched(target) ? own.write(target, fn) : fn()));
  return {
    ...wrapped,
    // Two stores over HTTP: the main write's event is ours too.
    applyWithStatus: (obj, status, opts) =>
      opts.dryRun !== true && watched(obj)
        ? own.write(obj, (stored) => client.applyWithStatus(obj, status, { ...opts, onStored: (o) => (stored(o), opts.onStored?.(o)) }))
        : client.applyWithStatus(obj, status, opts),
  };
}

/**
 * client whose creates, updates, applies and patches run through `via`
 * (target: the object written, or for a patch its type and name); reads and
 * deletes pass straight through.
 */
export function wrapWrites(client: Client, via: (target: KObject, dryRun: boolean | undefined, write: () => Promise<KObject>) => Promise<KObject>): Client {
  return {
    resourceInfo: (type) => client.resourceInfo(type),
    get: (type, namespace, name) => client.get(type, namespace, name),
    list: (type, opts) => client.list(type, opts),
    watch: (type, opts, onEvent, onError) => client.watch(type, opts, onEvent, onError),
    create: (obj, opts) => via(obj, opts?.dryRun, () => client.create(obj, opts)),
    update: (obj, opts) => via(obj, opts?.dryRun, () => client.update(obj, opts)),
    apply: (obj, opts) => via(obj, opts.dryRun, () => client.apply(obj, opts)),
    applyWithStatus: (obj, status, opts) => via(obj, opts.dryRun, () => client.applyWithStatus(obj, status, opts)),
    patch: (type, namespace, name, patchType, patch, opts) => via({ ...type, metadata: { namespace, name } } as KObject, opts?.dryRun, () => client.patch(type, namespace, name, patchType, patch, opts)),
    delete: (type, namespace, name, opts) => client.delete(type, namespace, name, opts),
  };
}
