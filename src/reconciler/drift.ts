// Drift correction and conflicts between reconcilers, for every server-side
// apply a reconciler makes (children, client_update, its For object's spec,
// finalizer and status).
//
// Key idea: field ownership decides. Each field has one owner among the
// reconcilers; anyone else who changed it (kubectl, the loader, other clients)
// changed state a controller is responsible for, so the reconciler's apply
// takes the field back (ApplyOptions.forceFrom: forced only for managers that
// are not reconcilers, in the same write as the conflict check) and records a
// DriftCorrected Event on the object naming the fields and who changed them.
// A conflict with another reconciler stays a conflict: the apply fails with a
// message naming both reconcilers (the runtime puts it into the condition of
// the object being reconciled) and a FieldConflict Event on the contested
// object names both too.
//
// Trade-off: which managers are reconcilers is the engine's knowledge (field
// manager = reconciler name), passed in as a predicate rather than guessed from
// names; a manager that is no reconciler any more (renamed, removed) counts as
// a client, so its fields are taken over.

import type { ApplyOptions, Client, ForcedFields } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { conflictsOf } from '../api/managedfields/index.js';
import type { KObject } from '../api/object.js';

export type EventSink = (obj: KObject, ev: { type: 'Normal' | 'Warning'; reason: string; message: string; component: string }) => Promise<unknown>;

export interface DriftOptions {
  /** The reconciler: its name is its field manager. */
  manager: string;
  /** Whether a field manager is one of the engine's reconcilers (or other controllers). */
  isReconciler: (manager: string) => boolean;
  /** Records an Event about an object. */
  event?: EventSink;
}

const maxListed = 10;

function listFields(fields: string[]): string {
  return fields.length <= maxListed ? fields.join(', ') : `${fields.slice(0, maxListed).join(', ')}, … (${fields.length} fields)`;
}

/** Fields per manager name (entries of one manager with other operations merged). */
function byManager(entries: ForcedFields[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const fields = out.get(e.manager) ?? [];
    for (const f of e.fields) if (!fields.includes(f)) fields.push(f);
    out.set(e.manager, fields);
  }
  return out;
}

/** "drift corrected: .spec.b was changed by kubectl-patch; .spec.c, .spec.d were changed by choreoctl" */
export function driftMessage(taken: ForcedFields[]): string {
  const parts = [...byManager(taken)].map(([m, fields]) => `${listFields(fields)} ${fields.length === 1 ? 'was' : 'were'} changed by ${m}`);
  return `drift corrected: ${parts.join('; ')}`;
}

const describe = (o: KObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;

/** `client` whose applies correct drift and report conflicts with other reconcilers, as the file header says. */
export function correctDrift(client: Client, o: DriftOptions): Client {
  // Our own manager under another operation (an Update by us) is us too.
  const forceFrom = (m: string) => m === o.manager || !o.isReconciler(m);

  const record = async (obj: KObject | undefined, type: 'Normal' | 'Warning', reason: string, message: string) => {
    if (!o.event || !obj?.metadata.uid) return;
    try {
      await o.event(obj, { type, reason, message, component: o.manager });
    } catch {
      // Events are informational: failing to record one must not fail the write.
    }
  };

  /** The error a conflict with other reconcilers becomes (both names, the object, the fields); Events on the contested object. */
  const conflictWith = async (err: unknown, target: KObject): Promise<unknown> => {
    const others = byManager(conflictsOf(err).filter((c) => c.manager !== o.manager));
    if (others.size === 0) return err;
    const parts = [...others].map(([m, fields]) => `${o.isReconciler(m) ? 'reconciler' : 'field manager'} ${m} over ${listFields(fields)}`);
    const message = `reconciler ${o.manager} conflicts with ${parts.join(' and with ')} of ${describe(target)}: each field has one owner among the reconcilers, and these are not ${o.manager}'s`;
    const live = await client.get(target, target.metadata.namespace ?? '', target.metadata.name ?? '').catch(() => undefined);
    for (const [m, fields] of others) {
      if (o.isReconciler(m)) await record(live, 'Warning', 'FieldConflict', `reconcilers ${o.manager} and ${m} both set ${listFields(fields)}: ${m} owns ${fields.length === 1 ? 'it' : 'them'}, ${o.manager}'s apply was refused`);
    }
    return new ApiError('Conflict', message, (err as ApiError).details);
  };

  const corrected = async (stored: KObject, taken: ForcedFields[]): Promise<KObject> => {
    const fromOthers = taken.filter((t) => t.manager !== o.manager);
    if (fromOthers.length) await record(stored, 'Normal', 'DriftCorrected', driftMessage(fromOthers));
    return stored;
  };

  // Not async: on the usual path (nothing taken, no conflict) this costs one promise reaction per apply.
  const apply = <O extends ApplyOptions>(target: KObject, opts: O, write: (opts: O) => Promise<KObject>): Promise<KObject> => {
    if (opts.force || opts.dryRun) return write(opts);
    let taken: ForcedFields[] | undefined;
    return write({ ...opts, forceFrom, onForced: (t: ForcedFields[]) => (taken = taken ? [...taken, ...t] : t) }).then(
      (stored) => (taken ? corrected(stored, taken) : stored),
      async (err: unknown) => {
        throw await conflictWith(err, target);
      },
    );
  };

  return {
    resourceInfo: (type) => client.resourceInfo(type),
    get: (type, namespace, name) => client.get(type, namespace, name),
    list: (type, opts) => client.list(type, opts),
    watch: (type, opts, onEvent, onError) => client.watch(type, opts, onEvent, onError),
    create: (obj, opts) => client.create(obj, opts),
    update: (obj, opts) => client.update(obj, opts),
    apply: (obj, opts) => apply(obj, opts, (x) => client.apply(obj, x)),
    applyWithStatus: (obj, status, opts) => apply(obj, opts, (x) => client.applyWithStatus(obj, status, x)),
    patch: (type, namespace, name, patchType, patch, opts) => client.patch(type, namespace, name, patchType, patch, opts),
    delete: (type, namespace, name, opts) => client.delete(type, namespace, name, opts),
  };
}
