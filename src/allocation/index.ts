// Built-in resource allocation (kuid-compatible `*.be.kuid.dev`): one call
// serves the Index / Claim / Entry CRDs of every backend and registers their
// controllers on the engine's manager, and admits their writes (allocation
// in the API write, see controller.ts). Called by Engine.open, so every
// project — and kubectl against `run start` — sees these types without a
// project file. Idempotent on a store that already has the CRDs (restart).

import type { AdmissionPlugin } from '../apiserver/registry/admission.js';
import type { KObject } from '../api/object.js';
import type { Manager } from '../controller/index.js';
import { asBackend } from './as/index.js';
import type { Backend } from './backend.js';
import { BackendController, allocationFieldManager } from './controller.js';
import { allocationCrds } from './crds.js';
import { extcommBackend } from './extcomm/index.js';
import { genidBackend } from './genid/index.js';
import { ipamBackend } from './ipam/index.js';
import { vlanBackend } from './vlan/index.js';

export { allocationCrds } from './crds.js';
export { allocationFieldManager } from './controller.js';

export interface AllocationOptions {
  /** Concurrent claim reconciles per backend (default 1). */
  workers?: number;
}

/** Every backend; pools differ per backend, hence `any` here only. */
export const backends: Array<Backend<any>> = [ipamBackend, asBackend, vlanBackend, genidBackend, extcommBackend];

/** What allocation needs from the API server: apply its CRDs, admit writes of its kinds. */
export interface AllocationHost {
  apply(obj: KObject, opts: { fieldManager: string; force: boolean }): Promise<unknown>;
  admission: { add(plugin: AdmissionPlugin): void };
}

export async function installAllocation(engine: { registry: AllocationHost; manager: Manager }, opts: AllocationOptions = {}): Promise<BackendController<unknown>[]> {
  for (const crd of allocationCrds) await engine.registry.apply(structuredClone(crd), { fieldManager: allocationFieldManager, force: true });
  const controllers = backends.map((b) => new BackendController(b, engine.manager, { workers: opts.workers }));
  for (const c of controllers) engine.registry.admission.add(c.admission);
  return controllers;
}
