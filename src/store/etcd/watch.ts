// One etcd watch over a key range that survives connection drops: when the gRPC
// stream fails (etcd restarted, network blip) it reconnects with backoff and asks
// etcd again from the next revision it has not yet delivered.
//
// Key idea: the resume point is derived from what was *delivered*, never from a
// response header alone. After a batch, `next` = the last event's revision + 1
// (etcd never splits one revision's events across responses), and events below
// `next` are dropped, so a replayed batch is not delivered twice. A header
// revision only advances `next` on a progress notification, which etcd sends
// only to watchers that are fully caught up. (The etcd3 client's own Watcher
// resumes from header.revision + 1, which can skip events while a watcher is
// still catching up in 1000-revision batches; hence this small class on the raw
// stream.) A resume point that was compacted meanwhile ends the watch with Gone,
// and the caller relists, as with any too-old resourceVersion.
//
// Trade-off: one gRPC stream per key range instead of etcd3's multiplexed
// manager; watchers of one range share it (hub.ts), and a runner has a handful
// of ranges (one per resource), so simplicity wins.

import type { KVClient, WatchStream } from './kvclient.js';
import type { Event, WatchResponse } from './proto.js';
import { StoreError } from '../store.js';

export interface ResumableWatchOptions {
  client: KVClient;
  start: Buffer;
  end: Buffer;
  /** The first revision to deliver. */
  fromRevision: number;
  /**
   * fromRevision is only this client's last known revision, standing in for "now"
   * (see EtcdStore.watch): if etcd has compacted past it before the first stream
   * is established, start at the oldest retained revision instead of failing.
   */
  fromNow?: boolean;
  /** A batch of events in revision order, each delivered once. */
  onEvents: (events: Event[]) => void;
  /** Terminal: Gone (resume point compacted) or Unavailable (etcd unreachable for giveUpAfterMs). */
  onError: (err: StoreError) => void;
  /** How long reconnecting may fail before the watch gives up with Unavailable. */
  giveUpAfterMs: number;
}

type Stream = WatchStream;

export class ResumableWatch {
  /** The next revision to deliver. */
  private next: number;
  private stream?: Stream;
  private stopped = false;
  private failingSince?: number;
  private backoffMs = 50;
  private timer?: NodeJS.Timeout;
  /** Whether etcd has sent events or progress on this watch (after which a compacted resume point is Gone even "from now"). */
  private established = false;

  constructor(private readonly o: ResumableWatchOptions) {
    this.next = o.fromRevision;
    this.connect();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    const s = this.stream;
    this.stream = undefined;
    if (s) hangUp(s);
  }

  private fail(err: StoreError): void {
    if (this.stopped) return;
    this.stop();
    this.o.onError(err);
  }

  private connect(): void {
    if (this.stopped) return;
    const stream = this.o.client.watch();
    this.stream = stream;
    let over = false;
    const lost = (err: unknown) => {
      if (over) return;
      over = true;
      if (this.stream !== stream) return; // replaced or stopped on purpose
      this.stream = undefined;
      hangUp(stream);
      this.lost(err);
    };
    stream.on('data', (res) => {
      if (!over && this.stream === stream) this.handle(res);
    });
    stream.on('error', lost);
    stream.on('end', () => lost(new Error('watch stream ended')));
    stream.create({ key: this.o.start, range_end: this.o.end, start_revision: this.next, prev_kv: true, progress_notify: true });
  }

  private handle(res: WatchResponse): void {
    if (this.stopped) return;
    if (res.canceled) {
      if (res.compact_revision && res.compact_revision !== '0') {
        if (this.o.fromNow && !this.established) {
          this.established = true;
          this.next = Number(res.compact_revision);
          this.hangUpAndRetry();
          return;
        }
        this.fail(new StoreError('Gone', `too old resource version: ${this.next - 1} (etcd compacted up to ${res.compact_revision}); list again`));
      } else {
        this.fail(new StoreError('Unavailable', `etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`));
      }
      return;
    }
    if (res.created) {
      // Not yet `established`: etcd accepts a create from a compacted revision and cancels it right after.
      this.failingSince = undefined;
      this.backoffMs = 50;
      return;
    }
    this.established = true;
    const fresh = res.events.filter((ev) => Number(ev.kv.mod_revision) >= this.next);
    if (res.events.length === 0) {
      // A progress notification: everything up to the header revision has been sent.
      this.next = Math.max(this.next, Number(res.header.revision) + 1);
      return;
    }
    if (fresh.length === 0) return;
    this.next = Number(fresh[fresh.length - 1].kv.mod_revision) + 1;
    this.o.onEvents(fresh);
  }

  /** Drops the current stream and connects again at once from `next`. */
  private hangUpAndRetry(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) hangUp(s);
    this.connect();
  }

  private lost(err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince > this.o.giveUpAfterMs) {
      const message = err instanceof Error ? err.message : String(err);
      this.fail(new StoreError('Unavailable', `watch lost: etcd unreachable for ${now - this.failingSince} ms (${message})`));
      return;
    }
    this.timer = setTimeout(() => this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 1000);
  }
}

/** Ends a watch stream we no longer want (no 'error' or 'end' follows). */
function hangUp(stream: Stream): void {
  stream.cancel();
}
