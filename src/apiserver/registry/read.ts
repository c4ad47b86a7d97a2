// The registry's read path, beside its Get/List/Watch methods: how a
// selection (label and field selectors) becomes one store filter, how a watch
// of a selection reports objects entering and leaving it, and how a stored
// object is presented in the version a request names.
//
// Key idea: the store filters and watches raw objects; these functions are
// the only Kubernetes semantics added on the way out. Trade-off: a filtered
// watch evaluates the filter on both the previous and the new object of each
// event (that is how an object leaving the selection is seen).

import type { ClientListOptions, ClientWatchEvent } from '../../api/client.js';
import type { KObject } from '../../api/object.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors.js';
import type { WatchEvent } from '../../store/store.js';
import type { ResourceType } from './resources.js';

/** A list request as the HTTP layer hands it over: the client's options plus the resourceVersion semantics of a list. */
export interface ListRequest extends ClientListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** The object as the requested version presents it (CRD versions share storage; conversion is None). */
export function presentAs(t: ResourceType, obj: KObject): KObject {
  return obj.apiVersion === t.apiVersion && obj.kind === t.kind ? obj : { ...obj, apiVersion: t.apiVersion, kind: t.kind };
}

/** Compiles label/field selectors into one store filter; undefined selects all. */
export function selectorFilter(labelSelector?: string, fieldSelector?: string): ((o: KObject) => boolean) | undefined {
  const ls = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fs = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  const l = ls && !ls.empty ? ls : undefined;
  const f = fs && !fs.empty ? fs : undefined;
  if (!l && !f) return undefined;
  return (o) => (!l || l.matches(o.metadata.labels)) && (!f || f.matches(o));
}

/**
 * A store watch callback that reports a selection's events: an object
 * entering the selection arrives as ADDED and one leaving it as DELETED, as
 * kube-apiserver's filtered watch does.
 */
export function filteredEvents(filter: ((o: KObject) => boolean) | undefined, present: (o: KObject) => KObject, onEvent: (ev: ClientWatchEvent) => void): (ev: WatchEvent) => void {
  return (ev) => {
    if (ev.type === 'BOOKMARK' || !filter) return onEvent({ type: ev.type, object: ev.type === 'BOOKMARK' ? ev.object : present(ev.object) });
    const now = filter(ev.object);
    const before = ev.prevObject ? filter(ev.prevObject) : false;
    if (ev.type === 'DELETED') {
      if (before || now) onEvent({ type: 'DELETED', object: present(ev.object) });
    } else if (ev.type === 'ADDED') {
      if (now) onEvent({ type: 'ADDED', object: present(ev.object) });
    } else if (now) onEvent({ type: before ? 'MODIFIED' : 'ADDED', object: present(ev.object) });
    else if (before) onEvent({ type: 'DELETED', object: present(ev.object) });
  };
}
