// Group commit for the etcd backend's writes: writes issued while an earlier
// batch is on the wire wait for it and then go out together as ONE etcd Txn,
// whose success branch holds one nested txn per write (etcd ≥ 3.3). Each nested
// txn keeps the write's own compares (create: key absent; update/delete: mod
// revision or existence; a write fence), its own put/delete and its own
// failure reads, so each write succeeds or fails on its own exactly as if sent
// alone; the outer txn has no compare. One round trip, one raft proposal and
// one fsync then serve a whole batch: on a busy runner (many workers writing at
// once) that is most of what a write cost etcd and our gRPC client.
//
// Consequences, by design:
// - Writes of one batch share a revision (the outer txn's), so the store
//   contract lets objects written concurrently share a resourceVersion
//   (store.ts), as etcd itself does; each key still gets a new revision on
//   every write, and etcd delivers one revision's events in one watch response.
// - etcd refuses a txn that writes one key twice (also across nested txns), so
//   a write to a key already in the batch forming waits for the next batch;
//   the queue keeps issue order, so writes to one key still go out in order.
// - A batch's call failing (etcd unreachable, deadline) fails each of its
//   writes with that error, at once; nothing is retried, so a write whose reply
//   was lost is never sent twice (callers re-read and converge, as before).
//
// Trade-off: at most `maxInFlight` batches on the wire, so under load a write
// may wait for the batch ahead of it; that wait is shared by every write queued
// meanwhile, which is what makes throughput scale. On an idle store the writes
// issued in one tick (process.nextTick: after the running callback and its
// promise continuations) go out together, a lone write unwrapped as before.
// Measured against other ways to overlap the runner's work with etcd's (issue
// 19: handing a batch's replies to the callers a few per event-loop turn,
// a second batch in flight once 32 writes queue): those only added txns and
// CPU per reconcile at 64 workers, so they were not kept. Batches stay under etcd's default
// limits: 128 ops (--max-txn-ops, which a nested txn shares with the txn
// around it: writes + the largest write's ops ≤ 128) and ~1 MiB
// (--max-request-bytes is 1.5 MiB); a write larger than that goes alone and
// meets etcd's own limit. A batch an etcd with lower limits refuses (too large,
// too many ops: before proposing it, nothing applied) is resent one write per
// txn.

import type { KVClient } from './kvclient.js';
import type { RequestOp, TxnRequest, TxnResponse } from './proto.js';

/**
 * etcd's default --max-txn-ops. etcd checks a nested txn against what its parent leaves of the
 * limit (limit − the parent's own op count), so a batch of n writes fits while n + the largest
 * write's own ops ≤ this.
 */
const MAX_OPS = 128;
/** Request bytes per batch, under etcd's default --max-request-bytes (1.5 MiB). */
const MAX_BYTES = 1 << 20;

interface Pending {
  /** The written key, as a string (one write per key per batch). */
  id: string;
  txn: TxnRequest;
  bytes: number;
  /** What the write's txn takes of etcd's op limit when nested (opsOf). */
  ops: number;
  resolve(res: TxnResponse): void;
  reject(err: unknown): void;
}

/** Approximate encoded size of a write's txn (keys and values; the framing is small). */
function sizeOf(txn: TxnRequest): number {
  let n = 16;
  for (const c of txn.compare ?? []) n += c.key.length + 16;
  for (const op of [...(txn.success ?? []), ...(txn.failure ?? [])]) n += opSize(op);
  return n;
}

/** The op limit a txn needs, as etcd checks it: its widest branch, plus what its nested txns need below it. */
function opsOf(txn: TxnRequest): number {
  const branches = [...(txn.success ?? []), ...(txn.failure ?? [])];
  let nested = 0;
  for (const op of branches) if ('request_txn' in op) nested = Math.max(nested, opsOf(op.request_txn));
  return Math.max(txn.compare?.length ?? 0, txn.success?.length ?? 0, txn.failure?.length ?? 0) + nested;
}

function opSize(op: RequestOp): number {
  if ('request_put' in op) return op.request_put.key.length + op.request_put.value.length + 8;
  if ('request_range' in op) return op.request_range.key.length + 8;
  if ('request_delete_range' in op) return op.request_delete_range.key.length + 8;
  return sizeOf(op.request_txn);
}

export class WriteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** A flush is scheduled for the end of the current tick. */
  private flushing = false;
  /** Round trips made (one per batch) and writes sent, for benchmarks. */
  batches = 0;
  writes = 0;

  constructor(
    private readonly kv: KVClient,
    private readonly maxInFlight = 1,
  ) {}

  /**
   * Sends one write — a txn whose branches put or delete only `key` — batched
   * with the writes queued with it; resolves to its own txn response (the
   * header revision is the batch's).
   */
  write(key: Buffer, txn: TxnRequest): Promise<TxnResponse> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: key.toString('latin1'), txn, bytes: sizeOf(txn), ops: opsOf(txn), resolve, reject });
      if (this.inFlight < this.maxInFlight && !this.flushing) {
        // Sent once the calls running now are done (their promise continuations included), so writes
        // issued together — a reconcile's children — share the first txn too. This costs no latency:
        // node:http2 puts the request on the wire only after the current callback anyway.
        this.flushing = true;
        process.nextTick(() => {
          this.flushing = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) this.send(this.take());
  }

  /** The next batch: queued writes in order within etcd's limits, skipping (leaving queued) a key already taken or left. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    let bytes = 0;
    let ops = 0; // the widest write's opsOf
    let i = 0;
    for (; i < this.queue.length && batch.length + 1 + ops <= MAX_OPS; i++) {
      const p = this.queue[i]!;
      if (keys.has(p.id) || (batch.length > 0 && (bytes + p.bytes > MAX_BYTES || batch.length + 1 + Math.max(ops, p.ops) > MAX_OPS))) {
        keys.add(p.id); // a write left for later holds back the later writes of its key (issue order)
        rest.push(p);
        continue;
      }
      keys.add(p.id);
      bytes += p.bytes;
      ops = Math.max(ops, p.ops);
      batch.push(p);
    }
    this.queue = rest.length === 0 && i === this.queue.length ? [] : [...rest, ...this.queue.slice(i)];
    return batch;
  }

  private send(batch: Pending[]): void {
    this.inFlight++;
    this.batches++;
    this.writes += batch.length;
    const sent: Promise<TxnResponse[]> =
      batch.length === 1
        ? this.kv.txn(batch[0]!.txn).then((res) => [res])
        : this.kv.txn({ success: batch.map((p) => ({ request_txn: p.txn })) }).then((res) => {
            if (res.responses.length !== batch.length) throw new Error(`etcd answered a batch of ${batch.length} writes with ${res.responses.length} results`);
            return res.responses.map((r) => {
              if (!r.response_txn) throw new Error('etcd answered a batched write without its txn result');
              return { ...r.response_txn, header: res.header };
            });
          });
    sent.then(
      (results) => {
        this.done();
        batch.forEach((p, i) => p.resolve(results[i]!));
      },
      (err: unknown) => {
        this.done();
        // etcd refused the request before proposing it (an etcd whose --max-request-bytes or
        // --max-txn-ops is below our batch's): nothing was applied, so each write may go again, alone.
        if (batch.length > 1 && /request is too large|larger than max|too many operations/.test(String((err as Error)?.message))) for (const p of batch) this.send([p]);
        else for (const p of batch) p.reject(err);
      },
    );
  }

  private done(): void {
    this.inFlight--;
    this.flush();
  }
}
