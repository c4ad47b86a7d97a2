// Status conditions (metav1.Condition) in `status.conditions`: get, set, remove.
//
// The key rule (apimachinery meta.SetStatusCondition): lastTransitionTime
// changes only when `status` changes, so a reconciler that sets the same
// condition again writes nothing. Every setter reports `changed`, letting the
// reconciler skip the status write entirely (0 writes per idle reconcile).
// Functions never mutate their inputs.
//
// Exported API:
//   Condition
//   getCondition(obj, type)                       → Condition | undefined
//   isConditionTrue(obj, type)                    → boolean
//   setCondition(conditions, cond, now?)          → { conditions, changed }
//   setObjectCondition(obj, cond, now?)           → { object, changed }
//   removeCondition(conditions, type)             → { conditions, changed }
//   findCondition(status, type)                   → Condition | undefined
//   makeCondition(prev, next, now) / sameCondition(next, prev, withGeneration)
//     the condition a reconciler maintains on its For objects (runtime.ts)

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

interface WithStatus {
  status?: unknown;
}

/** A condition with every field a reconciler maintains set (makeCondition's result). */
export type FullCondition = Required<Omit<Condition, 'observedGeneration'>> & Pick<Condition, 'observedGeneration'>;

let stampSecond = NaN;
let stampText = '';

/** RFC 3339 with seconds precision, as Kubernetes serializes metav1.Time; formatted once per second (every new object's first condition needs one). */
export function nowRFC3339(d = new Date()): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return stampText;
}

function conditionsOf(obj: WithStatus | undefined): Condition[] {
  const st = obj?.status;
  if (st === null || typeof st !== 'object') return [];
  const c = (st as { conditions?: unknown }).conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

export function getCondition(obj: WithStatus | undefined, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c && c.type === type);
}

/** The condition of `type` in a status value (getCondition of the object that holds it). */
export function findCondition(status: unknown, type: string): Condition | undefined {
  return getCondition({ status }, type);
}

export function isConditionTrue(obj: WithStatus | undefined, type: string): boolean {
  return getCondition(obj, type)?.status === 'True';
}

/**
 * Sets `cond` in the list: a new type is appended with lastTransitionTime =
 * cond.lastTransitionTime ?? now; an existing one keeps its lastTransitionTime
 * unless the status changed. reason/message/observedGeneration are updated.
 */
export function setCondition(conditions: readonly Condition[] | undefined, cond: Condition, now: string = nowRFC3339()): { conditions: Condition[]; changed: boolean } {
  const list = conditions ?? [];
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    const added: Condition = { ...cond, lastTransitionTime: cond.lastTransitionTime ?? now };
    return { conditions: [...list, added], changed: true };
  }
  const old = list[i];
  const next: Condition = {
    type: cond.type,
    status: cond.status,
    ...(cond.observedGeneration !== undefined ? { observedGeneration: cond.observedGeneration } : old.observedGeneration !== undefined ? { observedGeneration: old.observedGeneration } : {}),
    lastTransitionTime: old.status !== cond.status ? (cond.lastTransitionTime ?? now) : (old.lastTransitionTime ?? cond.lastTransitionTime ?? now),
    reason: cond.reason ?? '',
    message: cond.message ?? '',
  };
  const changed =
    old.status !== next.status ||
    (old.reason ?? '') !== next.reason ||
    (old.message ?? '') !== next.message ||
    old.observedGeneration !== next.observedGeneration ||
    old.lastTransitionTime !== next.lastTransitionTime;
  if (!changed) return { conditions: [...list], changed: false };
  const out = [...list];
  out[i] = next;
  return { conditions: out, changed: true };
}

/** setCondition on `obj.status.conditions`; returns the same object when nothing changed. */
export function setObjectCondition<T extends WithStatus>(obj: T, cond: Condition, now?: string): { object: T; changed: boolean } {
  const r = setCondition(conditionsOf(obj), cond, now);
  if (!r.changed) return { object: obj, changed: false };
  const status = obj.status !== null && typeof obj.status === 'object' ? (obj.status as Record<string, unknown>) : {};
  return { object: { ...obj, status: { ...status, conditions: r.conditions } }, changed: true };
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): { conditions: Condition[]; changed: boolean } {
  const list = conditions ?? [];
  const out = list.filter((c) => c.type !== type);
  return { conditions: out, changed: out.length !== list.length };
}

/**
 * The condition a reconciler maintains on its For objects: `next` with
 * lastTransitionTime kept from `prev` while the status stays, so re-asserting
 * the same condition is a no-op and writes nothing.
 */
export function makeCondition(prev: Condition | undefined, next: Omit<FullCondition, 'lastTransitionTime'>, now: Date): FullCondition {
  // A stored condition without lastTransitionTime keeps having none while its status stays (as before the two condition modules were one).
  const lastTransitionTime = prev && prev.status === next.status ? (prev.lastTransitionTime as string) : nowRFC3339(now);
  const c: FullCondition = { type: next.type, status: next.status, reason: next.reason, message: next.message, lastTransitionTime };
  if (next.observedGeneration !== undefined) c.observedGeneration = next.observedGeneration;
  return c;
}

/**
 * Does `prev` already say what `next` says? Type, status, reason and message
 * (lastTransitionTime follows status); observedGeneration only where it is
 * maintained (the For type has a status subresource — see reconciler/runtime.ts).
 */
export function sameCondition(next: FullCondition, prev: Condition | undefined, withGeneration: boolean): boolean {
  if (!prev) return false;
  if (prev.type !== next.type || prev.status !== next.status || prev.reason !== next.reason || prev.message !== next.message || prev.lastTransitionTime !== next.lastTransitionTime) return false;
  return !withGeneration || prev.observedGeneration === next.observedGeneration;
}
