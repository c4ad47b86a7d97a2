// Small helpers shared by the controller tests.

import type { Client, TypeRef } from '../../src/api/client.js';
import type { KObject } from '../../src/api/object.js';

/** A minimal object of type t. */
export function obj(t: TypeRef, namespace: string, name: string, extra: Partial<KObject['metadata']> = {}, body: Record<string, unknown> = {}): KObject {
  return { apiVersion: t.apiVersion, kind: t.kind, metadata: { namespace, name, ...extra }, ...body };
}

/** Lets queued microtasks and immediates run (store watch delivery, worker hand-offs). */
export async function flush(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** client with some methods replaced (fault injection); the rest delegate to client. */
export function wrapClient(client: Client, overrides: Partial<Client>): Client {
  const base: Client = {
    resourceInfo: (t) => client.resourceInfo(t),
    get: (t, ns, n) => client.get(t, ns, n),
    list: (t, o) => client.list(t, o),
    watch: (t, o, e, err) => client.watch(t, o, e, err),
    create: (o, opts) => client.create(o, opts),
    update: (o, opts) => client.update(o, opts),
    apply: (o, opts) => client.apply(o, opts),
    applyWithStatus: (o, st, opts) => client.applyWithStatus(o, st, opts),
    patch: (t, ns, n, pt, p, opts) => client.patch(t, ns, n, pt, p, opts),
    delete: (t, ns, n, opts) => client.delete(t, ns, n, opts),
  };
  return { ...base, ...overrides };
}
