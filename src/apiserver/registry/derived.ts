// The registry's derived state: what it knows from the objects it stored,
// kept exact by `observe`, which runs synchronously after every store write
// (and, on a shared store, for every change the store watch delivers,
// sharedstate.ts): namespaces (and which are terminating), CRDs being deleted,
// the served types of every CRD (the catalog), the owner index (lifecycle.ts)
// and the admission plugins' removals.
//
// Key idea: no watch is needed to keep this state in a single process; the
// write path calls observe with the object it just stored. Trade-off: every
// writer of the store must go through a registry (or the store is shared and
// watched).

import { ApiError } from '../../api/errors.js';
import type { KObject } from '../../api/object.js';
import { deepEqual } from '../../api/patch.js';
import { namespaceType } from '../builtins.js';
import type { Admission } from './admission.js';
import { typesOfCrd, type SchemaCompiler } from './crds.js';
import { isCrdType } from './kinds.js';
import type { Lifecycle } from './lifecycle.js';
import type { ResourceCatalog, ResourceType } from './resources.js';
import type { SharedState } from './sharedstate.js';

export class DerivedState {
  /** Namespace name → terminating. */
  private readonly namespaces = new Map<string, boolean>();
  /** CRDs being deleted: their types are still served but take no new objects. */
  private readonly terminatingCrds = new Set<string>();
  /** Watch-fed derived state when the store is shared. */
  shared?: SharedState;

  constructor(
    private readonly catalog: ResourceCatalog,
    private readonly lifecycle: Lifecycle,
    private readonly admission: Admission,
    private readonly compile: SchemaCompiler,
  ) {}

  hasNamespace(ns: string): boolean {
    return this.namespaces.has(ns);
  }

  isNamespaceTerminating(ns: string): boolean | undefined {
    return this.namespaces.get(ns);
  }

  isCrdTerminating(crd: string): boolean {
    return this.terminatingCrds.has(crd);
  }

  checkNamespaceWritable(ns: string): void {
    const terminating = this.namespaces.get(ns);
    if (terminating === undefined) throw new ApiError('NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (terminating) throw new ApiError('Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, { name: ns, kind: 'namespaces' });
  }

  /**
   * Called after every store write (next undefined = removed; prev is then the
   * deleted object carrying the deletion's resourceVersion), and in shared mode
   * for every change the store watch delivers.
   */
  observe(t: ResourceType, prev: KObject | undefined, next: KObject | undefined): void {
    if (this.shared && !this.shared.admit(t, (next ?? prev)!, (next ?? prev)!.metadata.resourceVersion, next === undefined)) return;
    if (t === namespaceType) {
      const name = (next ?? prev)!.metadata.name!;
      if (next) this.namespaces.set(name, !!next.metadata.deletionTimestamp);
      else this.namespaces.delete(name);
    } else if (isCrdType(t)) {
      const name = (next ?? prev)!.metadata.name!;
      if (next?.metadata.deletionTimestamp) this.terminatingCrds.add(name);
      else this.terminatingCrds.delete(name);
      if (!next) this.catalog.removeCrd(name);
      else if (!prev || !deepEqual(prev.spec, next.spec)) {
        try {
          this.catalog.replaceCrd(name, typesOfCrd(next, this.compile));
        } catch {
          // A stored CRD whose schema no longer compiles is not served; it stays readable as a CRD.
          this.catalog.removeCrd(name);
        }
      }
    }
    this.lifecycle.observe(t, prev, next);
    if (!next) for (const p of this.admission.for(t) ?? []) p.removed?.(prev!);
  }
}
