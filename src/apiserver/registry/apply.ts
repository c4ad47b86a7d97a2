// Field ownership for writes: server-side apply and the managedFields entries
// that Update operations (POST/PUT/PATCH) record. The merge, ownership and
// conflict rules live in the api library (src/api/managedfields/); this module
// adapts them to the registry's write pipeline and caches each type's merge
// type (derived from its schema) so no write re-derives it.

import type { ForcedFields, Subresource } from '../../api/client.js';
import type { KObject } from '../../api/object.js';
import { ApiError } from '../../api/errors.js';
import { applyConfiguration, isNoopApply, pathString, recordUpdate, toFieldSet, typeFromSchema, type TypeNode } from '../../api/managedfields/index.js';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
import type { ResourceType } from './resources.js';

export class FieldOwnership {
  private readonly types = new WeakMap<ResourceType, TypeNode>();

  private typeOf(t: ResourceType): TypeNode {
    let n = this.types.get(t);
    if (!n) {
      n = typeFromSchema(t.schema?.schema);
      this.types.set(t, n);
    }
    return n;
  }

  /** `next` with managedFields updated for an Update operation by `manager`. */
  recordUpdate(t: ResourceType, prev: KObject | undefined, next: KObject, manager?: string, sub: Subresource = ''): KObject {
    return recordUpdate(prev, next, manager, { type: this.typeOf(t), subresource: sub, statusSubresource: t.hasStatus });
  }

  /** Would applying `applied` as `manager` change nothing (values and ownership)? Cheap; false = take the full path. */
  isNoop(t: ResourceType, current: KObject, applied: KObject, manager: string, sub: Subresource): boolean {
    return isNoopApply(current, applied, manager, { type: this.typeOf(t), subresource: sub, statusSubresource: t.hasStatus });
  }

  /**
   * Merges an applied configuration into `current` (undefined = create); 409 with causes on conflicts
   * unless forced (`force`, or `forceFrom` accepting every conflicting manager). The fields taken by
   * force are appended to `taken`.
   */
  apply(t: ResourceType, current: KObject | undefined, applied: KObject, manager: string, force: boolean, sub: Subresource, forceFrom?: (manager: string) => boolean, taken?: ForcedFields[]): KObject {
    const opts = { type: this.typeOf(t), subresource: sub, statusSubresource: t.hasStatus, forceFrom, forced: taken };
    try {
      return applyConfiguration(current, applied, manager, force, opts);
    } catch (err) {
      if (current && manager === 'kubectl' && err instanceof ApiError && err.reason === 'Conflict' && this.upgradable(t, current, err)) return applyConfiguration(current, applied, manager, true, opts);
      throw err;
    }
  }

  /**
   * kube-apiserver's client-side → server-side apply upgrade: the first
   * `kubectl apply --server-side` of an object created by client-side apply
   * may take over every field listed in the last-applied-configuration
   * annotation; only conflicts outside it are reported.
   */
  private upgradable(t: ResourceType, current: KObject, err: ApiError): boolean {
    const raw = current.metadata.annotations?.[lastApplied];
    if (!raw) return false;
    let last: unknown;
    try {
      last = JSON.parse(raw);
    } catch {
      return false;
    }
    const allowed = new Set(toFieldSet(last, this.typeOf(t)).paths().map(pathString));
    const causes = err.details?.causes ?? [];
    return causes.length > 0 && causes.every((c) => c.field !== undefined && allowed.has(c.field));
  }
}
