// Work sharing between processes that run the same controllers on one shared
// store: every request key (namespace/name) hashes to one of a fixed number of
// shards, a Coordinator says which shards this process owns right now, and a
// Controller only starts a reconcile for a key whose shard it owns (see
// controller.ts). All controllers share the shard space, so a key's For
// reconciler and the allocation controllers land on the same process — what
// matters is that no key runs on two processes at once.
//
// The default, SoloCoordinator, owns everything (one process; no cost). The
// etcd implementation (src/controller/etcdcoordinator.ts) owns shards through
// etcd leases; its contract, which the Manager relies on:
//   - owns(key) turns false for a shard before any other process can acquire
//     it (local renew deadline shorter than the lease TTL), so a new reconcile
//     never starts on a shard someone else may hold;
//   - a shard is released voluntarily only after `busy(shard)` says no key of
//     it is in flight here;
//   - when it gains shards it calls `gained`, and the Manager re-enqueues
//     every cached key of those shards (events for them were dropped while
//     another process owned them);
//   - holds(key) is false only for a shard that, if acquired later, is
//     announced through `gained` (a Controller then skips its events before
//     they reach the queue: a runner does not queue the others' work);
//   - fence(key) names an etcd key whose create revision the store checks in
//     each write's transaction, so a write from a process that lost the shard
//     (e.g. after a pause longer than the safety margin) fails instead of
//     landing (src/store/fence.ts).

import type { WriteFence } from '../store/fence.js';

export interface CoordinatorHooks {
  /** Shards just acquired: enqueue their keys. */
  gained(shards: ReadonlySet<number>): void;
  /** Whether a key of the shard is being reconciled here now. */
  busy(shard: number): boolean;
}

export interface Coordinator {
  /** This process's member id (random per process). */
  readonly id: string;
  /** Size of the shard space; the same in every process. */
  readonly shards: number;
  /** Whether this process may start reconciling `key` now. */
  owns(key: string): boolean;
  /**
   * Whether this process holds `key`'s shard at all (its renew deadline aside):
   * events for keys of shards it does not hold are not even enqueued, since
   * acquiring the shard later calls `gained`, which re-enqueues its cached keys.
   * Absent = every key may be held.
   */
  holds?(key: string): boolean;
  /** The fence to attach to writes made while reconciling `key`; undefined = none needed. */
  fence(key: string): WriteFence | undefined;
  start(hooks: CoordinatorHooks): Promise<void>;
  /** Releases everything (others take over at once) and stops. */
  stop(): Promise<void>;
}

/** The single-process coordinator: owns every key, needs no fence. */
export class SoloCoordinator implements Coordinator {
  readonly id = 'solo';
  readonly shards = 1;
  owns(): boolean {
    return true;
  }
  fence(): undefined {
    return undefined;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** FNV-1a, 32 bit: cheap, stable across processes and versions. */
export function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shard of a request key ("namespace/name"). */
export function shardOf(key: string, shards: number): number {
  return fnv32(key) % shards;
}

/**
 * Rendezvous (highest random weight) assignment: the member that should own
 * `shard` among `members`. Every process computes the same answer from the
 * same member list, and a member joining or leaving moves only its share.
 */
export function targetOwner(shard: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const m of members) {
    // FNV alone correlates the weights of one member across shards (the shard
    // number only changes its last bytes); a murmur3 finalizer mixes them.
    const w = fmix32(fnv32(m) ^ Math.imul(shard + 1, 0x9e3779b1));
    if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
