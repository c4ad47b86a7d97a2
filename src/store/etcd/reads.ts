// Point reads for the etcd backend, coalesced: gets issued while an earlier
// batch is on the wire wait for it and then go out together as one read-only
// txn of range requests. On a busy runner (many workers, each reading an
// object before writing it) most gets share a round trip, and a gRPC call
// costs far more client CPU than one more range in a txn; an idle runner's
// lone get goes out at once, as before.
//
// Semantics are unchanged: etcd serves a read-only txn linearizably (after a
// ReadIndex), at one revision, after every get in it was issued, so each get
// still sees every write acknowledged before it was called.
//
// Trade-off: at most one batch in flight, so under load a get can wait up to
// one round trip for the batch ahead of it; that round trip is shared by every
// get queued meanwhile, which is what makes throughput scale.

import type { KVClient } from './kvclient.js';
import type { KeyValue } from './proto.js';

/** etcd's default --max-txn-ops. */
const MAX_OPS = 128;

interface Pending {
  key: Buffer;
  resolve(kv: { kv: KeyValue | undefined; revision: string }): void;
  reject(err: unknown): void;
}

export class GetBatcher {
  private queue: Pending[] = [];
  private inFlight = false;
  /** Round trips made (one per batch). */
  batches = 0;

  constructor(private readonly kv: KVClient) {}

  /** The key's current value (undefined when absent) and the revision it was read at. */
  get(key: Buffer): Promise<{ kv: KeyValue | undefined; revision: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.inFlight) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, MAX_OPS);
    if (batch.length === 0) return;
    this.inFlight = true;
    this.batches++;
    const done = () => {
      this.inFlight = false;
      this.flush();
    };
    const sent =
      batch.length === 1
        ? this.kv.range({ key: batch[0].key }).then((res) => [{ kv: res.kvs[0], revision: res.header.revision }])
        : this.kv.txn({ success: batch.map((p) => ({ request_range: { key: p.key } })) }).then((res) => res.responses.map((r) => ({ kv: r.response_range?.kvs?.[0], revision: res.header.revision })));
    sent.then(
      (results) => {
        done();
        batch.forEach((p, i) => p.resolve(results[i]!));
      },
      (err: unknown) => {
        done();
        for (const p of batch) p.reject(err);
      },
    );
  }
}
