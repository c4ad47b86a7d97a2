// The reconcile contract between the controller machinery and business logic,
// modelled on controller-runtime's pkg/reconcile: a Request names one object of
// the controller's For type, a Reconciler makes the world match that object,
// and a Result (or a thrown error) tells the controller when to come back.

/** Names the For object to reconcile. namespace is "" for cluster-scoped objects. */
export interface Request {
  namespace: string;
  name: string;
  /** What queued this run (the latest watch event since the last run, or a retry); for history and the UI, never for logic. */
  trigger?: Trigger;
}

/**
 * Why a key was queued: a watch event on an object (the For object itself, an
 * owned child, a watched object), a retry the last outcome scheduled, or a
 * direct enqueue / resync. Informational only: reconciles stay level-based.
 */
export interface Trigger {
  event: 'Added' | 'Modified' | 'Deleted' | 'Requeue' | 'Retry' | 'Enqueued' | 'Resync';
  /** The object the event was about (watch events only). */
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

/**
 * What the controller should do after a successful reconcile:
 * - `{}` / undefined → Done: forget the key's backoff; it runs again only on a new event.
 * - `requeue: true` → Requeue soon, through the fast requeue limiter (5 ms doubling to 1 s).
 * - `requeueAfter: ms` → run again after exactly ms (takes precedence over requeue); backoff is forgotten.
 */
export interface Result {
  requeue?: boolean;
  requeueAfter?: number;
}

/**
 * A Reconciler drives the actual state toward the desired state for one object.
 *
 * It is **level-based**: it is told *which* object to look at, never *what*
 * changed. Many events for the same key collapse into one call, events may be
 * missed across restarts or relists, and a call may come with no change at all —
 * so reconcile must read the current state (from the informer cache or the API)
 * and compute what to do from it alone.
 *
 * It must be **idempotent**: calling it twice with nothing changed in between
 * must do nothing the second time (in choreo: write nothing), otherwise its own
 * writes re-trigger it in a hot loop.
 *
 * The controller guarantees that one key is never reconciled by two workers at
 * once; different keys run concurrently when the controller has several workers.
 *
 * Throwing an Error means "failed, retry with exponential backoff" (5 s, 10 s,
 * 20 s … 5 min). Throwing a FatalError means "failed, retrying will not help":
 * the key is dropped until a new event for it arrives.
 */
export interface Reconciler {
  reconcile(request: Request): Promise<Result | void>;
}

/** A failure that retrying cannot fix (bad input, a Starlark `fatal=True` result). Not requeued. */
export class FatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalError';
  }
}

export function isFatal(err: unknown): err is FatalError {
  return err instanceof FatalError;
}
