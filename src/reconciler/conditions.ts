// The condition a reconciler maintains on its For objects (Kubernetes
// metav1.Condition shape). lastTransitionTime only moves when status flips, so
// re-asserting the same condition is a no-op and writes nothing.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export function findCondition(status: unknown, type: string): Condition | undefined {
  const conds = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(conds)) return undefined;
  return conds.find((c) => (c as Condition | undefined)?.type === type) as Condition | undefined;
}

let stampSecond = NaN;
let stampText = '';

/** RFC 3339 at second precision, formatted once per second (every new object's first condition needs one). */
function timestamp(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return stampText;
}

export function makeCondition(prev: Condition | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition {
  const lastTransitionTime = prev && prev.status === next.status ? prev.lastTransitionTime : timestamp(now);
  const c: Condition = { type: next.type, status: next.status, reason: next.reason, message: next.message, lastTransitionTime };
  if (next.observedGeneration !== undefined) c.observedGeneration = next.observedGeneration;
  return c;
}

/**
 * Does `prev` already say what `next` says? Type, status, reason and message
 * (lastTransitionTime follows status); observedGeneration only where it is
 * maintained (the For type has a status subresource — see runtime.ts).
 */
export function sameCondition(next: Condition, prev: Condition | undefined, withGeneration: boolean): boolean {
  if (!prev) return false;
  if (prev.type !== next.type || prev.status !== next.status || prev.reason !== next.reason || prev.message !== next.message || prev.lastTransitionTime !== next.lastTransitionTime) return false;
  return !withGeneration || prev.observedGeneration === next.observedGeneration;
}
