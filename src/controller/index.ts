// The controller package: informers, the rate-limited work queue, event
// handlers and predicates, controllers and the manager that runs them. See
// each module's opening comment; the data flow is
// informer (list+watch, cache) → handler (event → For keys) → workqueue → Controller workers → Reconciler.

export { type Clock, type TimerHandle, ManualClock, RealClock, realClock } from './clock.js';
export { type IndexFunc, ObjectCache, builtinIndexers, keyOf, namespaceIndex, objectKey, ownerIndex, splitKey } from './cache.js';
export { Controller, type ControllerMetrics, type ControllerOptions, type Outcome, type ReconcileRecord } from './controller.js';
export { type EventHandler, type Enqueue, type OwnerOptions, enqueueForObject, enqueueForOwner, enqueueMapped } from './handler.js';
export {
  type InformerOptions,
  type Registration,
  type ResourceEventHandler,
  SharedInformer,
  SharedInformerFactory,
  compareResourceVersions,
  typeKey,
} from './informer.js';
export { Manager, type ManagerOptions, type Quiescence } from './manager.js';
export { type Predicate, and, generationChanged, labelsMatch, not, objectPredicate, or, resourceVersionChanged } from './predicate.js';
export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimitOptions,
  type RateLimiter,
  controllerRateLimiters,
  defaultRateLimits,
} from './ratelimiter.js';
export { FatalError, type Reconciler, type Request, type Result, isFatal } from './reconcile.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
export { type Coordinator, type CoordinatorHooks, SoloCoordinator, fnv32, shardOf, targetOwner } from './sharding.js';
export { WriteTracker, groupKindOf } from './writetracker.js';
