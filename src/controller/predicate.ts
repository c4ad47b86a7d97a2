// Predicates filter informer events before they reach an event handler —
// controller-runtime's pkg/predicate. A predicate that lacks a method passes
// that kind of event. They only reduce noise: a reconciler must stay correct
// if every event got through (level-based), so predicates are an optimisation
// and a way to say "this controller only cares about objects matching X".

import type { KObject } from '../api/object.js';
import { type LabelSelectorMatcher, parseLabelSelector } from '../api/selectors.js';

export interface Predicate {
  create?(obj: KObject): boolean;
  update?(oldObj: KObject, newObj: KObject): boolean;
  delete?(obj: KObject): boolean;
}

/** A predicate from one function of the object; for updates it looks at the new object. */
export function objectPredicate(fn: (obj: KObject) => boolean): Predicate {
  return { create: fn, update: (_old, obj) => fn(obj), delete: fn };
}

/** Passes updates that changed metadata.generation (spec changes), not status- or metadata-only ones. Create and delete pass. */
export const generationChanged: Predicate = {
  update: (oldObj, newObj) => oldObj.metadata.generation !== newObj.metadata.generation,
};

/** Passes updates whose resourceVersion changed (drops resync-like no-op updates). */
export const resourceVersionChanged: Predicate = {
  update: (oldObj, newObj) => oldObj.metadata.resourceVersion !== newObj.metadata.resourceVersion,
};

/**
 * Passes objects whose labels match a selector: a Kubernetes label selector
 * string ("tier=gold,env in (a,b)", parsed by src/api/selectors; invalid syntax
 * throws here, at configuration time), a parsed matcher, a function over the
 * labels, or a plain matchLabels map (every pair equal). For updates the new
 * object decides, so an object leaving the selector is not delivered.
 */
export function labelsMatch(selector: string | Pick<LabelSelectorMatcher, 'matches'> | ((labels: Record<string, string>) => boolean) | Record<string, string>): Predicate {
  let matches: (labels: Record<string, string>) => boolean;
  if (typeof selector === 'string') {
    const m = parseLabelSelector(selector);
    matches = (labels) => m.matches(labels);
  } else if (typeof selector === 'function') {
    matches = selector;
  } else if (typeof (selector as { matches?: unknown }).matches === 'function') {
    const m = selector as Pick<LabelSelectorMatcher, 'matches'>;
    matches = (labels) => m.matches(labels);
  } else {
    const want = Object.entries(selector as Record<string, string>);
    matches = (labels) => want.every(([k, v]) => labels[k] === v);
  }
  return objectPredicate((obj) => matches(obj.metadata.labels ?? {}));
}

export function and(...ps: Predicate[]): Predicate {
  return {
    create: (o) => ps.every((p) => p.create?.(o) ?? true),
    update: (a, b) => ps.every((p) => p.update?.(a, b) ?? true),
    delete: (o) => ps.every((p) => p.delete?.(o) ?? true),
  };
}

export function or(...ps: Predicate[]): Predicate {
  return {
    create: (o) => ps.some((p) => p.create?.(o) ?? true),
    update: (a, b) => ps.some((p) => p.update?.(a, b) ?? true),
    delete: (o) => ps.some((p) => p.delete?.(o) ?? true),
  };
}

export function not(p: Predicate): Predicate {
  return {
    create: (o) => !(p.create?.(o) ?? true),
    update: (a, b) => !(p.update?.(a, b) ?? true),
    delete: (o) => !(p.delete?.(o) ?? true),
  };
}
