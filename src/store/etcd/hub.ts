// Watch sharing for the etcd backend: one etcd watch stream per key range
// (a resource, or one namespace of it), decoded once, fanned out to every
// subscriber of that range. A runner on etcd watches each resource twice — the
// registry's shared state (sharedstate.ts) and the informer (through the
// registry) — so without sharing every event crossed gRPC twice and was parsed
// and deep-frozen four times (object and previous object, per stream).
//
// Key idea: a subscriber asking for every event after revision R may join a
// running stream only if that stream has not delivered anything above R yet
// (`next` ≤ R + 1); it then skips the stream's events at or below R. Otherwise
// (it wants history the stream has already passed, or "from now", whose start
// is only this client's last known revision) it gets a stream of its own, as
// before. The previous object of an event is decoded only when a subscriber
// reads it (the informer path never does), and once for all subscribers.
//
// Trade-off: a stream outlives nothing — it stops with its last subscriber and
// a failure (Gone, Unavailable) ends it for all its subscribers, who relist and
// watch again as they would after any failure.

import type { Event } from './proto.js';
import type { StoreError, WatchEvent } from '../store.js';
import { ResumableWatch, type ResumableWatchOptions } from './watch.js';

export interface Subscriber {
  /** Deliver only events above this revision. */
  after: number;
  onEvent(ev: WatchEvent): void;
  onError(err: StoreError): void;
}

/** One shared stream over a key range. */
export class SharedStream {
  private readonly subs = new Set<Subscriber>();
  /** The lowest revision this stream may still deliver. */
  private next: number;
  private readonly stream: ResumableWatch;

  constructor(
    opts: Omit<ResumableWatchOptions, 'onEvents' | 'onError'>,
    private readonly decode: (ev: Event) => WatchEvent,
    private readonly onEnd: () => void,
  ) {
    this.next = opts.fromRevision;
    this.stream = new ResumableWatch({ ...opts, onEvents: (evs) => this.deliver(evs), onError: (err) => this.fail(err) });
  }

  /** Adds a subscriber wanting every event after `sub.after`, if this stream can still give it all of them. */
  join(sub: Subscriber): boolean {
    if (this.next > sub.after + 1) return false;
    this.subs.add(sub);
    return true;
  }

  leave(sub: Subscriber): void {
    if (!this.subs.delete(sub) || this.subs.size > 0) return;
    this.stream.stop();
    this.onEnd();
  }

  private deliver(events: Event[]): void {
    for (const raw of events) {
      const rev = Number(raw.kv.mod_revision);
      this.next = rev + 1;
      let ev: WatchEvent | undefined;
      for (const sub of this.subs) {
        if (rev <= sub.after || !this.subs.has(sub)) continue;
        ev ??= this.decode(raw);
        sub.onEvent(ev);
      }
    }
  }

  private fail(err: StoreError): void {
    this.onEnd();
    const subs = [...this.subs];
    this.subs.clear();
    for (const sub of subs) sub.onError(err);
  }
}
