// Maps what the etcd client throws onto the Store contract's error codes, at the
// one place each call is made, so callers only ever see StoreError.
//
// etcd reports a compacted or future revision as a plain gRPC error whose
// message is the only stable signal ("mvcc: required revision has been
// compacted"); the etcd3 client has no class for them, hence the text match.
// Anything else (connection refused, deadline, client closed) is Unavailable:
// the caller cannot tell a lost write from a failed one and must re-read.

import { StoreError } from '../store.js';

export function isCompacted(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}

export function toStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isCompacted(err)) return new StoreError('Gone', `${what}: revision compacted in etcd; list again`);
  if (message.includes('required revision is a future revision')) return new StoreError('BadRequest', `${what}: revision is from the future`);
  return new StoreError('Unavailable', `${what}: etcd: ${message}`);
}
