// Write fencing for shared stores: while a process reconciles a key of a shard
// it owns through an etcd lease, every store write it makes carries a fence —
// "the shard's ownership key still has the create revision I acquired it at" —
// which the etcd backend adds to the write's transaction. A process that lost
// the shard (lease expired, key deleted and maybe re-created by another
// process) then cannot write, whatever its local clock or pauses say.
//
// The fence travels in an AsyncLocalStorage context set around the reconcile
// (controller.ts), so no call in between (reconciler runtime, registry) has to
// pass it along. Backends without other writers (memory, file) ignore it.
// Node only enables the async-context machinery once a context is entered, so
// single-process runs, which never fence, pay nothing.

import { AsyncLocalStorage } from 'node:async_hooks';

export interface WriteFence {
  /** The etcd key (full, with prefix) whose ownership is checked. */
  key: string;
  /** Its create revision when this process acquired it. */
  createRevision: string;
  /** For the error message: what the fence protects ("shard 17"). */
  what: string;
}

export const writeFence = new AsyncLocalStorage<WriteFence>();

/**
 * Runs `fn` outside any fence, and so does everything it schedules: for
 * background work that a fenced reconcile merely triggered (the garbage
 * collector's worker) and that must not inherit that reconcile's shard.
 */
export function unfenced<T>(fn: () => T): T {
  return writeFence.exit(fn);
}

/** The fence of the current async context, if any. */
export function currentFence(): WriteFence | undefined {
  return writeFence.getStore();
}
