// Which field labels a field selector may use on a resource, checked at the
// HTTP boundary as kube-apiserver's list/watch/deletecollection handlers do
// (ConvertFieldLabel): custom resources accept metadata.name, metadata.namespace
// (namespaced types only) and the CRD version's selectableFields; anything
// else is 400 BadRequest "field label not supported: <label>".
//
// Trade-off: only HTTP requests are checked. In-process reconcilers (the
// original choreo) keep selecting on any dotted path through the registry.
// Built-in kinds are not restricted here.

import { ApiError } from '../api/errors.js';
import { parseFieldSelector } from '../api/selectors.js';
import type { ResourceType } from './registry/resources.js';

export function checkFieldLabels(t: ResourceType, fieldSelector: string | null): void {
  if (!fieldSelector || t.builtin) return;
  for (const label of parseFieldSelector(fieldSelector).fields) {
    if (label === 'metadata.name' || (label === 'metadata.namespace' && t.namespaced)) continue;
    if (t.selectableFields?.includes(label)) continue;
    throw new ApiError('BadRequest', `field label not supported: ${label}`);
  }
}
