// Test helper: the real in-process API (src/apiserver/registry) over a memory
// store, serving example.com CRDs for the kinds the controller tests use.

import type { KObject } from '../../src/api/object.js';
import { Registry } from '../../src/apiserver/registry/registry.js';
import { buildCRD } from '../../src/api/crd.js';
import { MemoryStore, type MemoryStoreOptions } from '../../src/store/memory.js';

function crd(kind: string, scope: 'Namespaced' | 'Cluster' = 'Namespaced'): KObject {
  return buildCRD({ group: 'example.com', kind, plural: `${kind.toLowerCase()}s`, scope, schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } });
}

/** A registry serving example.com/v1 Widget, Parent and Child (namespaced, with status subresources) and namespaces ns, ns1, ns2, other. */
export async function testRegistry(opts: MemoryStoreOptions = {}): Promise<{ registry: Registry; store: MemoryStore }> {
  const store = new MemoryStore(opts);
  const registry = await Registry.open(store);
  for (const kind of ['Widget', 'Parent', 'Child']) await registry.create(crd(kind));
  for (const ns of ['ns', 'ns1', 'ns2', 'other']) await registry.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return { registry, store };
}
