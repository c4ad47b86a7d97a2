// Warnings about a project's CRDs that explain a failed run before the user
// goes looking: a For type whose status schema would prune the condition the
// reconciler writes. Without it the run only says "condition Ready never set",
// although the reconciler did set it and the API server dropped it.
//
// Key idea: ask the type's own compiled pruner (the one every write goes
// through) what it would drop from a status holding that condition, rather
// than re-deriving the pruning rules here.

import type { Registry } from '../apiserver/registry/registry.js';
import type { ReconcilerConfig } from '../reconciler/config.js';

/** One warning per reconciler whose For type would lose the condition it maintains. */
export function prunedConditionWarnings(registry: Registry, reconcilers: Iterable<{ config: ReconcilerConfig }>): string[] {
  const out: string[] = [];
  for (const { config } of reconcilers) {
    const t = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    let schema;
    try {
      schema = registry.resolve(t).schema;
    } catch {
      continue; // not served: already a load error
    }
    if (!schema) continue;
    const type = config.conditionType;
    const probe = { apiVersion: t.apiVersion, kind: t.kind, metadata: {}, status: { conditions: [{ type, status: 'True', reason: 'Ready', message: '', lastTransitionTime: '2006-01-02T15:04:05Z', observedGeneration: 1 }] } };
    const pruned = schema.prune(probe).filter((p) => p === 'status' || p.startsWith('status.conditions'));
    if (pruned.length === 0) continue;
    const what = pruned.includes('status') ? 'declares no status' : pruned.some((p) => p === 'status.conditions') ? 'does not declare status.conditions' : `prunes ${pruned.join(', ')}`;
    out.push(
      `reconciler ${config.name}: the schema of ${t.kind} (${t.apiVersion}) ${what}, so the API server drops the ${type} condition the reconciler writes; ` +
        'declare status.conditions (a list of {type, status, reason, message, lastTransitionTime, observedGeneration}) or set x-kubernetes-preserve-unknown-fields: true on status',
    );
  }
  return out;
}
