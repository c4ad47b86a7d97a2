// The registry: Kubernetes semantics over a Store, implementing the in-process
// Client contract (src/api/client.ts). The HTTP layer is a thin translation
// over the `*Object` methods here; the reconciler runtime calls the same code
// without HTTP.
//
// Key ideas:
// - Every type is resolved once into a ResourceType (resources.ts) that carries
//   its compiled schema, so a write is: read current → merge by verb → admit
//   (prune/default/validate, metadata rules) → system metadata (uid, generation,
//   managedFields) → admission plugins of the kind, if any (admission.ts) →
//   no-op check → one store write → observe (→ the plugins' completion).
// - `observe` runs synchronously after every store write and keeps the derived
//   state (namespaces, served CRD types, owner index) exact without a watch.
// - Store objects are frozen snapshots; we clone only the object being written,
//   and hand that private object over to the store (WriteOptions.adopt), which
//   freezes it in place instead of copying it again.
// - Shared stores (several processes on one etcd, `shared: true`): the derived
//   state is also kept from a watch of every stored type (sharedstate.ts), so a
//   CRD or namespace created through another process is served here too.
// Trade-off: unshared (the default: embedded engine, single server), the
// registry assumes it is the only writer of its store and a write costs one
// store call and no watch; shared, every process follows every stored type.
//
// This file holds each verb's order of steps, its retries and the store
// calls; the steps themselves live beside it: read.ts (selectors, filtered
// watches, presentation), write.ts (decode, merge, schema admission, no-op
// check), derived.ts (observe and what it keeps), apply.ts (field ownership).

import type { ApplyOptions, Client, ForcedFields, ClientList, ClientListOptions, ClientWatchEvent, ClientWatchOptions, DeleteOptions, ResourceInfo, Subresource, TypeRef, WriteOptions } from '../../api/client.js';
import { ApiError } from '../../api/errors.js';
import { invalid, invalidError } from '../../api/fielderrors.js';
import { checkImmutableData, isCrdType, prepareCreate, prepareWrite } from './kinds.js';
import { compileSchema } from '../../api/schema/index.js';
import { parseApiVersion, type KObject } from '../../api/object.js';
import { applyJsonPatch, applyMergePatch, deepEqual } from '../../api/patch.js';
import { StoreError, type ObjectKey, type Store, type Watch } from '../../store/store.js';
import { builtinTypes, crdType, immortalNamespaces, namespaceType, systemNamespaces } from '../builtins.js';
import { crdStatus, type SchemaCompiler } from './crds.js';
import { badRequest, checkPreconditions, conflict, fromStoreError, notFound } from './errors.js';
import { Lifecycle } from './lifecycle.js';
import { newUid, nowTimestamp, randomSuffix, specChanged } from './meta.js';
import { ResourceCatalog, type ResourceType } from './resources.js';
import { FieldOwnership } from './apply.js';
import { EventRecorder } from './events.js';
import { SharedState } from './sharedstate.js';
import { DerivedState } from './derived.js';
import { filteredEvents, presentAs, selectorFilter, type ListRequest } from './read.js';
import { admitSchema, decodeBody, decodeNamed, deletionFinalizers, markedDeleting, maxRetries, mergeForUpdate, namespaceOf, unchanged, withStatusOf, type ApplyContext, type WriteContext } from './write.js';
import { mutateWith } from './mutate.js';
import { Admission } from './admission.js';

export type { ApplyContext, FieldValidation, WriteContext } from './write.js';
export type { ListRequest } from './read.js';

export interface RegistryOptions {
  /** Compiles a CRD version's openAPIV3Schema (default: the api library's compileSchema). */
  compileSchema?: SchemaCompiler;
  /**
   * Other processes write the same store (several runners on one etcd): keep
   * served CRD types, namespaces and the owner index from store watches too.
   * Default: the store's own `shared` flag (true for etcd).
   */
  shared?: boolean;
}

export class Registry implements Client {
  readonly catalog = new ResourceCatalog();
  readonly lifecycle: Lifecycle;
  readonly fields = new FieldOwnership();
  /** Records core/v1 Events about objects (aggregating repeats). */
  readonly events: EventRecorder;
  /** Mutating admission plugins per kind (the allocation backends); see admission.ts. */
  readonly admission = new Admission();
  /** Namespaces, terminating CRDs, served types, owner index: kept by observe (derived.ts). */
  private readonly derived: DerivedState;
  /** Watch-fed derived state when the store is shared. */
  private readonly sharedState?: SharedState;

  private constructor(
    readonly store: Store,
    private readonly opts: RegistryOptions,
  ) {
    this.catalog.add(builtinTypes);
    this.lifecycle = new Lifecycle(this);
    this.events = new EventRecorder(this);
    this.derived = new DerivedState(this.catalog, this.lifecycle, this.admission, this.compile);
    if (opts.shared ?? store.shared) {
      const shared = new SharedState(store, { apply: (t, prev, next) => this.observe(t, prev, next), storageTypes: () => this.catalog.storageTypes() });
      this.sharedState = shared;
      this.derived.shared = shared;
    }
  }

  /** Opens a registry over a store: serves stored CRDs, indexes every object, ensures kube's system namespaces (`default`, `kube-system`, …). */
  static async open(store: Store, opts: RegistryOptions = {}): Promise<Registry> {
    const r = new Registry(store, opts);
    // CRDs first, so their types are served (schemas compiled once) before their instances are indexed.
    const crds = await store.list({ resource: crdType.storageKey });
    for (const crd of crds.items) r.observe(crdType, undefined, crd);
    r.sharedState?.watchFrom(crdType, crds.resourceVersion);
    const stored = new Set<string>();
    for (const t of r.catalog.storageTypes()) {
      if (isCrdType(t)) continue;
      const l = await store.list({ resource: t.storageKey });
      for (const o of l.items) {
        r.observe(t, undefined, o);
        if (t.namespaced && o.metadata.namespace) stored.add(o.metadata.namespace);
      }
      r.sharedState?.watchFrom(t, l.resourceVersion);
    }
    if (r.sharedState) {
      const shared = r.sharedState;
      r.catalog.onChange(() => shared.followNewTypes());
    }
    // kube-apiserver's own namespaces (default and the system ones), and any namespace stored objects
    // live in without a Namespace object (written by an older version or another tool), exist.
    for (const name of [...systemNamespaces, ...stored]) {
      if (r.derived.hasNamespace(name)) continue;
      try {
        await r.createObject(namespaceType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {});
      } catch (err) {
        // Another process sharing the store created it first.
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      }
    }
    r.lifecycle.resume();
    return r;
  }

  /** Stops following the store (shared mode); the store itself stays open. */
  close(): void {
    this.sharedState?.close();
  }

  private readonly compile: SchemaCompiler = (schema) => (this.opts.compileSchema ?? compileSchema)(schema);

  // Resolution

  resolve(ref: TypeRef): ResourceType {
    const { group, version } = parseApiVersion(ref.apiVersion ?? '');
    const t = this.catalog.byKind(group, version, ref.kind);
    if (!t) throw new ApiError('NotFound', `no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`);
    return t;
  }

  resourceInfo(ref: TypeRef): ResourceInfo | undefined {
    const { group, version } = parseApiVersion(ref.apiVersion ?? '');
    const t = this.catalog.byKind(group, version, ref.kind);
    if (!t) return undefined;
    return { group: t.group, version: t.version, kind: t.kind, resource: t.plural, namespaced: t.namespaced, subresources: { status: t.hasStatus } };
  }

  key(t: ResourceType, namespace: string, name: string): ObjectKey {
    return { resource: t.storageKey, namespace: t.namespaced ? namespace : '', name };
  }

  /** The object as the requested version presents it (CRD versions share storage; conversion is None). */
  present(t: ResourceType, obj: KObject): KObject {
    return presentAs(t, obj);
  }

  isNamespaceTerminating(ns: string): boolean | undefined {
    return this.derived.isNamespaceTerminating(ns);
  }

  // Reads

  async getObject(t: ResourceType, namespace: string, name: string): Promise<KObject> {
    const o = await this.store.get(this.key(t, namespace, name));
    if (!o) throw notFound(t, name);
    return this.present(t, o);
  }

  async listObjects(t: ResourceType, req: ListRequest = {}): Promise<ClientList> {
    const filter = selectorFilter(req.labelSelector, req.fieldSelector);
    try {
      const res = await this.store.list({ resource: t.storageKey, namespace: t.namespaced ? req.namespace : undefined }, { filter, limit: req.limit, continue: req.continue });
      if (req.resourceVersionMatch === 'Exact' && req.resourceVersion && req.resourceVersion !== res.resourceVersion && !req.continue)
        throw new ApiError('Expired', `too old resource version: ${req.resourceVersion} (${res.resourceVersion})`);
      const items = res.items.map((o) => this.present(t, o));
      return { items, resourceVersion: res.resourceVersion, continue: res.continue };
    } catch (err) {
      throw fromStoreError(t, undefined, err);
    }
  }

  /**
   * Watches one type. An object entering the selection arrives as ADDED and
   * one leaving it as DELETED, as kube-apiserver's filtered watch does.
   */
  watchObjects(t: ResourceType, req: ClientWatchOptions, onEvent: (ev: ClientWatchEvent) => void, onError?: (err: Error) => void): Watch {
    const filter = selectorFilter(req.labelSelector, req.fieldSelector);
    try {
      return this.watchStore(t, req, filter, onEvent, onError);
    } catch (err) {
      throw fromStoreError(t, undefined, err);
    }
  }

  private watchStore(t: ResourceType, req: ClientWatchOptions, filter: ((o: KObject) => boolean) | undefined, onEvent: (ev: ClientWatchEvent) => void, onError?: (err: Error) => void): Watch {
    return this.store.watch(
      { resource: t.storageKey, namespace: t.namespaced ? req.namespace : undefined },
      { resourceVersion: req.resourceVersion },
      filteredEvents(filter, (o) => this.present(t, o), onEvent),
      (err) => onError?.(fromStoreError(t, undefined, err) as Error),
    );
  }

  // Writes

  async createObject(t: ResourceType, namespace: string, body: unknown, ctx: WriteContext): Promise<KObject> {
    return this.createDecoded(t, decodeBody(t, namespace, body), ctx);
  }

  /** Creates `obj`, a private mutable copy that `decode` produced (admission edits it in place). */
  private async createDecoded(t: ResourceType, obj: KObject, ctx: WriteContext): Promise<KObject> {
    const meta = obj.metadata;
    if (!meta.name) {
      if (meta.generateName) meta.name = meta.generateName + randomSuffix();
      else throw invalidError(t.kind, t.group, '', [{ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' }]);
    }
    if (t.namespaced) this.derived.checkNamespaceWritable(meta.namespace!);
    if (t.crd && this.derived.isCrdTerminating(t.crd))
      throw new ApiError('MethodNotAllowed', `create not allowed while custom resource definition is terminating`, { name: meta.name, group: t.group, kind: t.plural });
    if (t.hasStatus && ctx.subresource !== 'status') delete obj.status;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp();
    meta.generation = 1;
    delete meta.resourceVersion;
    admitSchema(t, obj, ctx, this.catalog, this.compile);
    prepareCreate(t, obj);
    const final = ctx.applied ? obj : this.fields.recordUpdate(t, undefined, obj, ctx.fieldManager ?? ctx.defaultFieldManager);
    const plugins = this.admission.for(t);
    const admitted = plugins && (await this.admission.admit(plugins, { operation: 'create', subresource: ctx.subresource ?? '', object: final, dryRun: ctx.dryRun === true, fieldManager: ctx.fieldManager }));
    if (ctx.dryRun) return this.present(t, final);
    let stored: KObject;
    try {
      stored = await this.store.create(this.key(t, meta.namespace ?? '', meta.name), final, { adopt: true });
    } catch (err) {
      admitted?.aborted?.();
      throw fromStoreError(t, meta.name, err);
    }
    this.observe(t, undefined, stored);
    if (admitted?.committed) stored = (await admitted.committed(stored)) ?? stored;
    return this.present(t, stored);
  }

  /** PUT: full replacement of the main resource or of status; retried on concurrent writes unless the body pins a resourceVersion. */
  updateObject(t: ResourceType, namespace: string, name: string, body: unknown, ctx: WriteContext): Promise<KObject> {
    return this.guessing(t, namespace, name, ctx, async (read) => {
      let obj = decodeNamed(t, namespace, name, body);
      const want = obj.metadata.resourceVersion;
      for (let attempt = 0; ; attempt++) {
        // A fresh decode per retry: admission edited the object the last attempt was given.
        if (attempt > 0) obj = decodeNamed(t, namespace, name, body);
        const current = await read();
        if (!current) throw notFound(t, name);
        checkPreconditions(t, name, { uid: obj.metadata.uid }, current);
        if (want && want !== current.metadata.resourceVersion) throw conflict(t, name);
        try {
          return await this.writeUpdate(t, current, mergeForUpdate(t, current, obj, ctx.subresource ?? ''), ctx);
        } catch (err) {
          if (err instanceof ApiError && err.reason === 'Conflict' && !want && attempt < maxRetries && !err.details?.causes) continue;
          throw err;
        }
      }
    });
  }

  /** PATCH with merge or JSON patch; retried on concurrent writes unless the patch pins a resourceVersion. */
  patchObject(t: ResourceType, namespace: string, name: string, patchType: 'merge' | 'json', patch: unknown, ctx: WriteContext): Promise<KObject> {
    return this.guessing(t, namespace, name, ctx, async (read) => {
      for (let attempt = 0; ; attempt++) {
        const current = await read();
        if (!current) throw notFound(t, name);
        const patched = patchType === 'merge' ? applyMergePatch(current, patch) : applyJsonPatch(current, patch);
        const obj = decodeBody(t, namespace, patched);
        const pinned = obj.metadata.resourceVersion;
        if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(t, name);
        if (obj.metadata.name !== name) throw badRequest(`metadata.name: Invalid value: ${JSON.stringify(obj.metadata.name)}: field is immutable`);
        try {
          return await this.writeUpdate(t, current, mergeForUpdate(t, current, obj, ctx.subresource ?? ''), ctx);
        } catch (err) {
          // Retried even when the patch names a resourceVersion: the patched object carries the old
          // one, so with a pin the check above refuses on the fresh read, as kube-apiserver does.
          if (err instanceof ApiError && err.reason === 'Conflict' && attempt < maxRetries && !err.details?.causes) continue;
          throw err;
        }
      }
    });
  }

  /** Server-side apply: creates the object if absent, else merges the applied configuration by field ownership. */
  async applyObject(t: ResourceType, namespace: string, name: string, body: unknown, ctx: ApplyContext): Promise<KObject> {
    if (!ctx.fieldManager) throw badRequest('PATCH of type application/apply-patch+yaml requires the fieldManager query parameter');
    return this.guessing(t, namespace, name, ctx, (read) => this.applyWith(read, t, namespace, name, body, { ...ctx, fieldManager: ctx.fieldManager! }));
  }

  private async applyWith(read: () => Promise<KObject | undefined>, t: ResourceType, namespace: string, name: string, body: unknown, ctx: ApplyContext & { fieldManager: string }): Promise<KObject> {
    let applied = decodeNamed(t, namespace, name, body);
    const appliedCtx: WriteContext = { ...ctx, applied: true };
    for (let attempt = 0; ; attempt++) {
      const current = await read();
      if (!current) {
        if (ctx.subresource === 'status') throw notFound(t, name);
        // The merged object is created in place (no second decode copy): it may share structure with
        // `applied`, which admission then edits (defaults, uid), so a retry starts from a fresh decode.
        const created = this.fields.apply(t, undefined, applied, ctx.fieldManager, ctx.force === true, '');
        try {
          return await this.createDecoded(t, created, appliedCtx);
        } catch (err) {
          if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < maxRetries) {
            applied = decodeNamed(t, namespace, name, body);
            continue;
          }
          throw err;
        }
      }
      // A resourceVersion in the configuration pins it (kube-apiserver's optimistic lock). Else the common case for reconcilers
      // re-asserting their state: nothing to write. (CRDs and Namespaces go the full way: their admission derives more.)
      if (applied.metadata.resourceVersion && applied.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(t, name);
      if (!ctx.dryRun && t !== crdType && t !== namespaceType && this.fields.isNoop(t, current, applied, ctx.fieldManager, ctx.subresource ?? '')) return this.unchangedWrite(t, current);
      const taken: ForcedFields[] | undefined = ctx.onForced && [];
      const merged = this.fields.apply(t, current, applied, ctx.fieldManager, ctx.force === true, ctx.subresource ?? '', ctx.forceFrom, taken);
      try {
        const stored = await this.writeUpdate(t, current, mergeForUpdate(t, current, merged, ctx.subresource ?? ''), appliedCtx);
        if (taken?.length) ctx.onForced!(taken);
        return stored;
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'Conflict' && !err.details?.causes && attempt < maxRetries) continue;
        throw err;
      }
    }
  }

  /**
   * Server-side apply of a main-resource configuration and then a status
   * configuration by one manager, stored as one write: the state between the
   * two applies is never stored (one resourceVersion, one watch event). Each
   * step has exactly apply's semantics (conflicts, ownership, no-op skipping);
   * a conflict in either leaves the object untouched. The reconciler runtime's
   * success write: finalizer + condition of a new object.
   */
  async applyObjectWithStatus(t: ResourceType, namespace: string, name: string, body: unknown, statusBody: unknown, ctx: ApplyContext): Promise<KObject> {
    if (!ctx.fieldManager) throw badRequest('PATCH of type application/apply-patch+yaml requires the fieldManager query parameter');
    if (!t.hasStatus || t === crdType || t === namespaceType) {
      // Without a status subresource status is part of the main resource: one configuration.
      const both = decodeNamed(t, namespace, name, body);
      if (t.hasStatus) {
        await this.applyObject(t, namespace, name, both, ctx);
        return this.applyObject(t, namespace, name, statusBody, { ...ctx, subresource: 'status' });
      }
      both.status = decodeNamed(t, namespace, name, statusBody).status;
      return this.applyObject(t, namespace, name, both, ctx);
    }
    const manager = ctx.fieldManager;
    return this.guessing(t, namespace, name, ctx, async (read) => {
      const main = decodeNamed(t, namespace, name, body);
      const status = decodeNamed(t, namespace, name, statusBody);
      const force = ctx.force === true;
      for (let attempt = 0; ; attempt++) {
        const current = await read();
        if (!current) throw notFound(t, name);
        let next = current;
        const taken: ForcedFields[] | undefined = ctx.onForced && [];
        if (ctx.dryRun || !this.fields.isNoop(t, current, main, manager, '')) next = mergeForUpdate(t, current, this.fields.apply(t, current, main, manager, force, '', ctx.forceFrom, taken), '');
        if (ctx.dryRun || !this.fields.isNoop(t, next, status, manager, 'status')) next = withStatusOf(next, this.fields.apply(t, next, status, manager, force, 'status', ctx.forceFrom, taken));
        if (next === current) return this.unchangedWrite(t, current);
        try {
          const stored = await this.writeUpdate(t, current, next, { ...ctx, applied: true });
          if (taken?.length) ctx.onForced!(taken);
          return stored;
        } catch (err) {
          if (err instanceof ApiError && err.reason === 'Conflict' && !err.details?.causes && attempt < maxRetries) continue;
          throw err;
        }
      }
    });
  }

  /** A write whose first read may be answered by the shared watch cache (sharedstate.ts `guess`): apply, update, patch, delete, mutate. */
  private guessing(t: ResourceType, namespace: string, name: string, ctx: { dryRun?: boolean }, write: (read: () => Promise<KObject | undefined>) => Promise<KObject>): Promise<KObject> {
    return this.sharedState && !ctx.dryRun ? this.sharedState.guess(t, namespace, name, () => this.store.get(this.key(t, namespace, name)), write) : write(() => this.store.get(this.key(t, namespace, name)));
  }

  /**
   * DELETE. With finalizers (or an Orphan/Foreground policy, which adds one)
   * the object only gains deletionTimestamp and is returned still present;
   * otherwise it is removed and its dependents are collected in the background.
   */
  async deleteObject(t: ResourceType, namespace: string, name: string, opts: DeleteOptions & { dryRun?: boolean } = {}): Promise<{ object: KObject; removed: boolean }> {
    if (t === namespaceType && immortalNamespaces.includes(name)) throw new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    let out: { object: KObject; removed: boolean } | undefined; // the last attempt's (a stale guess is redone)
    await this.guessing(t, namespace, name, opts, async (read) => (out = await this.deleteWith(read, t, namespace, name, opts)).object);
    return out!;
  }

  private async deleteWith(read: () => Promise<KObject | undefined>, t: ResourceType, namespace: string, name: string, opts: DeleteOptions & { dryRun?: boolean }): Promise<{ object: KObject; removed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const current = await read();
      if (!current) throw notFound(t, name);
      checkPreconditions(t, name, opts.preconditions, current);
      const finalizers = deletionFinalizers(t, current, opts.propagationPolicy);
      try {
        if (finalizers) {
          if (current.metadata.deletionTimestamp && finalizers.length === (current.metadata.finalizers ?? []).length) return { object: this.present(t, current), removed: false };
          const next = markedDeleting(t, current, finalizers);
          if (opts.dryRun) return { object: this.present(t, next), removed: false };
          const stored = await this.store.update(this.key(t, namespace, name), next, { expectedResourceVersion: current.metadata.resourceVersion, adopt: true });
          this.observe(t, current, stored);
          return { object: this.present(t, stored), removed: false };
        }
        if (opts.dryRun) return { object: this.present(t, current), removed: true };
        const deleted = await this.store.delete(this.key(t, namespace, name), { expectedResourceVersion: current.metadata.resourceVersion });
        this.observe(t, deleted, undefined);
        return { object: this.present(t, deleted), removed: true };
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict' && attempt < maxRetries) continue;
        if (err instanceof StoreError && err.code === 'NotFound') throw notFound(t, name);
        throw fromStoreError(t, name, err);
      }
    }
  }

  /** Removes an object whose finalization is complete (namespaces, CRDs, last finalizer gone). */
  async finalize(t: ResourceType, obj: KObject): Promise<void> {
    try {
      const deleted = await this.store.delete(this.key(t, obj.metadata.namespace ?? '', obj.metadata.name!), { expectedResourceVersion: obj.metadata.resourceVersion });
      this.observe(t, deleted, undefined);
    } catch (err) {
      if (!(err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict'))) throw err;
    }
  }

  async deleteCollection(t: ResourceType, req: ListRequest, opts: DeleteOptions & { dryRun?: boolean }): Promise<KObject[]> {
    const list = await this.listObjects(t, { namespace: req.namespace, labelSelector: req.labelSelector, fieldSelector: req.fieldSelector });
    const out: KObject[] = [];
    for (const o of list.items) {
      try {
        out.push((await this.deleteObject(t, o.metadata.namespace ?? '', o.metadata.name!, opts)).object);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      }
    }
    return out;
  }

  /** Clones the object, lets `fn` edit it, writes it as an update (system writers: GC, finalizers; mutate.ts). */
  mutate(t: ResourceType, namespace: string, name: string, fn: (o: KObject) => boolean | void): Promise<KObject | undefined> {
    return mutateWith((write) => this.guessing(t, namespace, name, {}, write), t, name, fn, (current, next) => this.writeUpdate(t, current, next, { fieldValidation: 'Ignore' }));
  }

  // Write pipeline

  /**
   * The common tail of PUT/PATCH/apply/system writes: system metadata from the
   * stored object, admission, generation, no-op detection, finalization.
   */
  async writeUpdate(t: ResourceType, current: KObject, input: KObject, ctx: WriteContext): Promise<KObject> {
    let next = input;
    const cm = current.metadata;
    const nm = next.metadata;
    // kube's BeforeUpdate keeps the stored uid when none is given; a different one is an immutable-field error.
    if (nm.uid && nm.uid !== cm.uid) throw invalidError(t.kind, t.group, cm.name!, [invalid('metadata.uid', nm.uid, 'field is immutable')]);
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    nm.name = cm.name;
    if (cm.namespace !== undefined) nm.namespace = cm.namespace;
    if (cm.deletionTimestamp) {
      nm.deletionTimestamp = cm.deletionTimestamp;
      nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
      const added = (nm.finalizers ?? []).filter((f) => !(cm.finalizers ?? []).includes(f));
      if (added.length)
        throw invalidError(t.kind, t.group, cm.name!, [{ type: 'Forbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
    } else {
      delete nm.deletionTimestamp;
      delete nm.deletionGracePeriodSeconds;
    }
    nm.resourceVersion = cm.resourceVersion;
    if (t === namespaceType) {
      next.spec = current.spec;
      if (ctx.subresource !== 'status') next.status = current.status;
    }
    if (isCrdType(t)) next.status = crdStatus(next, !!cm.deletionTimestamp);
    admitSchema(t, next, ctx, this.catalog, this.compile, current); // current: oldSelf of CEL transition rules
    prepareWrite(t, next);
    checkImmutableData(t, current, next);
    nm.generation = cm.generation ?? 1;
    if (specChanged(current, next, t.hasStatus, deepEqual)) nm.generation++;
    if (ctx.applied) {
      // managedFields were computed by server-side apply.
    } else if (next.metadata.managedFields !== undefined && !deepEqual(next.metadata.managedFields, current.metadata.managedFields)) {
      // A client that sends different managedFields replaces them (kubectl's client-side→server-side
      // apply migration relies on this); a single empty entry clears them, as in kube-apiserver.
      const mf = next.metadata.managedFields;
      if (Array.isArray(mf) && mf.length === 1 && Object.keys(mf[0] ?? {}).length === 0) delete next.metadata.managedFields;
    } else next = this.fields.recordUpdate(t, current, next, ctx.fieldManager ?? ctx.defaultFieldManager, ctx.subresource ?? '');
    const plugins = cm.deletionTimestamp ? undefined : this.admission.for(t);
    const admitted = plugins && (await this.admission.admit(plugins, { operation: 'update', subresource: ctx.subresource ?? '', object: next, old: current, dryRun: ctx.dryRun === true, fieldManager: ctx.fieldManager }));
    if (unchanged(current, next)) return this.unchangedWrite(t, current);
    if (ctx.dryRun) return this.present(t, next);
    const key = this.key(t, cm.namespace ?? '', cm.name!);
    let stored: KObject;
    try {
      if (cm.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && t !== namespaceType && !isCrdType(t)) {
        const deleted = await this.store.delete(key, { expectedResourceVersion: cm.resourceVersion });
        this.observe(t, deleted, undefined);
        return this.present(t, { ...next, metadata: { ...next.metadata, resourceVersion: deleted.metadata.resourceVersion } });
      }
      stored = await this.store.update(key, next, { expectedResourceVersion: cm.resourceVersion, adopt: true });
    } catch (err) {
      admitted?.aborted?.();
      throw fromStoreError(t, cm.name, err);
    }
    this.observe(t, current, stored);
    if (admitted?.committed) stored = (await admitted.committed(stored)) ?? stored;
    return this.present(t, stored);
  }

  /**
   * A write that turned out to change nothing returns the stored object. With
   * a shared store that object may be another process's write our watches
   * have not delivered yet (two runners loading the same CRD): derived state
   * takes it now, so the caller's next call sees what it just "wrote".
   */
  private unchangedWrite(t: ResourceType, current: KObject): KObject {
    if (this.sharedState) this.observe(t, undefined, current);
    return this.present(t, current);
  }

  /** After every store write: keeps the derived state exact (derived.ts). */
  private observe(t: ResourceType, prev: KObject | undefined, next: KObject | undefined): void {
    this.derived.observe(t, prev, next);
  }

  // The Client contract (in-process callers)

  async get(ref: TypeRef, namespace: string, name: string): Promise<KObject | undefined> {
    const t = this.resolve(ref);
    const o = await this.store.get(this.key(t, namespace, name));
    return o && this.present(t, o);
  }

  list(ref: TypeRef, opts: ClientListOptions = {}): Promise<ClientList> {
    return this.listObjects(this.resolve(ref), opts);
  }

  watch(ref: TypeRef, opts: ClientWatchOptions, onEvent: (ev: ClientWatchEvent) => void, onError?: (err: Error) => void): { stop(): void } {
    return this.watchObjects(this.resolve(ref), opts, onEvent, onError);
  }

  create(obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    return this.createObject(this.resolve(obj), obj.metadata?.namespace ?? '', obj, { ...opts, fieldValidation: 'Ignore' });
  }

  update(obj: KObject, opts: WriteOptions & { subresource?: Subresource } = {}): Promise<KObject> {
    const t = this.resolve(obj);
    return this.updateObject(t, namespaceOf(t, obj), obj.metadata?.name ?? '', obj, { ...opts, fieldValidation: 'Ignore' });
  }

  apply(obj: KObject, opts: ApplyOptions & { subresource?: Subresource }): Promise<KObject> {
    const t = this.resolve(obj);
    return this.applyObject(t, namespaceOf(t, obj), obj.metadata?.name ?? '', obj, { ...opts, fieldValidation: 'Ignore' });
  }

  applyWithStatus(obj: KObject, status: KObject, opts: ApplyOptions): Promise<KObject> {
    const t = this.resolve(obj);
    return this.applyObjectWithStatus(t, namespaceOf(t, obj), obj.metadata?.name ?? '', obj, status, { ...opts, fieldValidation: 'Ignore' });
  }

  patch(ref: TypeRef, namespace: string, name: string, patchType: 'merge' | 'json', patch: unknown, opts: WriteOptions & { subresource?: Subresource } = {}): Promise<KObject> {
    return this.patchObject(this.resolve(ref), namespace, name, patchType, patch, { ...opts, fieldValidation: 'Ignore' });
  }

  async delete(ref: TypeRef, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject> {
    return (await this.deleteObject(this.resolve(ref), namespace, name, opts)).object;
  }
}
