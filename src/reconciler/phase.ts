// status.phase: the one-word summary operators put next to conditions
// (Ready / Pending / Failed), maintained for For types whose CRD status schema
// declares a string `phase`.
//
// Several reconcilers may be For one kind, each with its own condition; the
// phase is the worst of their latest outcomes on the object (Failed >
// Pending > Ready). The book keeps those outcomes in memory per object; a
// reconciler that has not reported on an object yet (its selector may not
// even match it) does not count. It is written under its own field manager,
// forced, so reconcilers never conflict over it and none of them owns it
// (their own status applies therefore never remove it).

import type { TypeRef } from '../api/client.js';

export type Phase = 'Ready' | 'Pending' | 'Failed';

export const phaseFieldManager = 'choreo-phase';

const rank: Record<Phase, number> = { Ready: 0, Pending: 1, Failed: 2 };

const typeKey = (t: TypeRef) => `${t.apiVersion}|${t.kind}`;

export class PhaseBook {
  private readonly types = new Set<string>();
  private readonly objects = new Map<string, Map<string, Phase>>();

  /** The For type's status schema declares a string phase: maintain it. */
  declare(t: TypeRef): void {
    this.types.add(typeKey(t));
  }

  declared(t: TypeRef): boolean {
    return this.types.has(typeKey(t));
  }

  /** Records a reconciler's outcome on an object (key namespace/name); returns the object's phase. */
  set(t: TypeRef, key: string, reconciler: string, phase: Phase): Phase {
    const id = `${typeKey(t)}|${key}`;
    let byReconciler = this.objects.get(id);
    if (!byReconciler) this.objects.set(id, (byReconciler = new Map()));
    byReconciler.set(reconciler, phase);
    let worst: Phase = 'Ready';
    for (const p of byReconciler.values()) if (rank[p] > rank[worst]) worst = p;
    return worst;
  }

  /** The object is gone. */
  forget(t: TypeRef, key: string): void {
    this.objects.delete(`${typeKey(t)}|${key}`);
  }
}
