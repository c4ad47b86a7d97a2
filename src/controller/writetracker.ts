// Remembers the newest resourceVersion this process wrote per resource type, so
// quiescence can wait for the informers to have *seen* those writes.
//
// Why: a reconcile writes a child and finishes; the watch event for that write
// arrives a little later. In between, every queue is empty and nothing is in
// flight — the system looks idle but is not. Without a store-wide "progress
// notify" in the Client contract, the precise fence is: for each type we wrote,
// the informer's last seen resourceVersion must be >= the newest resourceVersion
// our writes returned (resourceVersions are one global, increasing counter).
//
// The tracker wraps a Client; reconcilers write through the wrapper. Deletes
// return the deletion's resourceVersion (store contract), so they are fenced
// too; a write that changed nothing returns the current resourceVersion, which
// the informer has seen or is about to. Writes made elsewhere (kubectl, the
// registry's garbage collector) are not tracked: quiescence is about our own
// work, and background writers are covered by the manager's idle fences.

import type { KObject } from '../api/object.js';
import { parseApiVersion } from '../api/object.js';
import type { Client, TypeRef } from '../api/client.js';
import { compareResourceVersions } from './informer.js';

/** Group and kind: the identity resourceVersions are shared across (all versions of a kind are one resource). */
export function groupKindOf(type: TypeRef): string {
  return `${parseApiVersion(type.apiVersion).group}/${type.kind}`;
}

export class WriteTracker {
  private readonly newest = new Map<string, string>();

  /** The newest resourceVersion written for type, or "" if none. */
  newestWritten(type: TypeRef): string {
    return this.newest.get(groupKindOf(type)) ?? '';
  }

  record(obj: KObject | undefined): void {
    const rv = obj?.metadata?.resourceVersion;
    if (obj === undefined || rv === undefined || rv === '') return;
    const gk = groupKindOf(obj);
    const cur = this.newest.get(gk);
    if (cur === undefined || compareResourceVersions(rv, cur) > 0) this.newest.set(gk, rv);
  }

  /** A Client that behaves exactly like client and records what its writes return. */
  wrap(client: Client): Client {
    const track = async (p: Promise<KObject>, dryRun: boolean | undefined): Promise<KObject> => {
      const obj = await p;
      if (dryRun !== true) this.record(obj);
      return obj;
    };
    return {
      resourceInfo: (type) => client.resourceInfo(type),
      get: (type, namespace, name) => client.get(type, namespace, name),
      list: (type, opts) => client.list(type, opts),
      watch: (type, opts, onEvent, onError) => client.watch(type, opts, onEvent, onError),
      create: (obj, opts) => track(client.create(obj, opts), opts?.dryRun),
      update: (obj, opts) => track(client.update(obj, opts), opts?.dryRun),
      apply: (obj, opts) => track(client.apply(obj, opts), opts.dryRun),
      applyWithStatus: (obj, status, opts) => track(client.applyWithStatus(obj, status, opts), opts.dryRun),
      patch: (type, namespace, name, patchType, patch, opts) => track(client.patch(type, namespace, name, patchType, patch, opts), opts?.dryRun),
      delete: (type, namespace, name, opts) => track(client.delete(type, namespace, name, opts), false),
    };
  }
}
