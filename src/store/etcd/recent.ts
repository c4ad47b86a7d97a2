// The objects this process is writing or has just written to etcd, kept until
// the watch event of the write arrives, so the event carries the write's own
// result (the object as stored, frozen, already in memory) instead of a fresh
// decode of the bytes that were sent: a runner's own writes are most of what
// it watches, and parsing and deep-freezing each of them again cost CPU and a
// second copy of every object in the informer caches.
//
// Key idea: the value etcd stores is exactly the encoding of the written object
// (codec.ts), so an event whose value bytes equal the bytes a pending write
// sent for that key *is* that object at the event's revision — whoever wrote it
// (an identical write by another process is the same object). Once the write's
// reply has come, its revision identifies the event instead. etcd answers the
// write and notifies the watch independently, so either may come first; the
// object is made once (`resolve`), at the revision of whichever came first.
//
// Trade-off: an entry whose event never comes (nobody watches the range) stays
// until evicted: the map is bounded (keys, oldest first), so a miss costs a
// decode, never memory.

import type { KObject } from '../../api/object.js';
import { deletedSnapshot } from '../objects.js';

const LIMIT = 4096;

class Entry {
  revision?: number;
  object?: KObject;
  replied = false;
  claimed = false;

  constructor(
    readonly value: Buffer,
    private readonly make: (revision: number) => KObject,
  ) {}

  /** The written object at `revision` (made on first use; restamped if asked at another revision). */
  resolve(revision: number): KObject {
    if (this.object === undefined) {
      this.object = this.make(revision);
      this.revision = revision;
    }
    return this.revision === revision ? this.object : deletedSnapshot(this.object, revision);
  }
}

export class RecentWrites {
  /** Key → its writes not yet both answered and seen (usually one; several when writes to one key overlap). */
  private readonly byKey = new Map<string, Entry[]>();
  /** Events served from a write's result, and events decoded: for benchmarks. */
  hits = 0;
  misses = 0;

  /** Registers a write of `value` to `key` before it is sent; `make` builds its result at a revision. */
  begin(key: Buffer, value: Buffer, make: (revision: number) => KObject): { done(revision: number): KObject; failed(): void } {
    const id = key.toString('latin1');
    const entry = new Entry(value, make);
    const list = this.byKey.get(id);
    if (list) list.push(entry);
    else {
      if (this.byKey.size >= LIMIT) this.byKey.delete(this.byKey.keys().next().value!);
      this.byKey.set(id, [entry]);
    }
    return {
      done: (revision) => {
        entry.replied = true;
        if (entry.claimed) this.drop(id, entry);
        return entry.resolve(revision);
      },
      failed: () => this.drop(id, entry),
    };
  }

  /** The object of a watch event (key, revision, value) if this process wrote it; undefined = decode it. */
  take(key: Buffer, revision: string, value: Buffer): KObject | undefined {
    const id = key.toString('latin1');
    const rev = Number(revision);
    const entry = this.byKey.get(id)?.find((e) => !e.claimed && (e.replied ? e.revision === rev : e.value.equals(value)));
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    entry.claimed = true;
    if (entry.replied) this.drop(id, entry);
    return entry.resolve(rev);
  }

  private drop(id: string, entry: Entry): void {
    const list = this.byKey.get(id);
    const i = list ? list.indexOf(entry) : -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.byKey.delete(id);
  }
}
