// The API client contract: what controllers, reconcilers and the runner use to
// read and write resources. It has Kubernetes API semantics (validation,
// defaulting, server-side apply, generation, finalizers, garbage collection),
// not raw storage semantics. The API server implements it in-process (so the
// embedded engine pays no HTTP cost) and serves the same operations over HTTP;
// an HTTP implementation of this interface can talk to a remote choreo.
// Failures are ApiError (src/api/errors.ts).

import type { KObject } from './object.js';

/** Identifies a resource type by apiVersion + kind, as objects carry it. */
export interface TypeRef {
  apiVersion: string; // "group/version" or "v1"
  kind: string;
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  resource: string; // plural
  namespaced: boolean;
  subresources: { status: boolean };
}

export interface ClientListOptions {
  namespace?: string; // undefined = all namespaces
  labelSelector?: string; // Kubernetes label selector syntax
  fieldSelector?: string; // metadata.name=..., metadata.namespace=...
  limit?: number;
  continue?: string;
}

export interface ClientList {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
}

export interface ClientWatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string; // start after this revision; "" = now
}

export interface ClientWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KObject;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  /**
   * Without force: force only the conflicts with the field managers this
   * accepts; conflicts with any other manager still fail the apply. (A
   * controller taking back fields users changed, but not its peers' fields.)
   * In-process the check and the takeover are one write; over HTTP, which has
   * no such parameter, it is an apply and, on a conflict with accepted
   * managers only, a forced apply.
   */
  forceFrom?: (manager: string) => boolean;
  /** Called after a successful apply that took fields from other managers by force (force or forceFrom). */
  onForced?: (taken: ForcedFields[]) => void;
  /**
   * applyWithStatus only: called with each intermediate object version the
   * call stored before the one it returns (over HTTP, the main write before
   * the status write), so a caller that recognises its own writes by
   * resourceVersion (reconciler/ownwrites.ts) knows that one too.
   */
  onStored?: (obj: KObject) => void;
  dryRun?: boolean;
}

/** Fields a forced apply took from one other field manager. */
export interface ForcedFields {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource: string;
  /** Paths as kube-apiserver prints them (".spec.b"), sorted. */
  fields: string[];
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type Subresource = '' | 'status';

export interface Client {
  /** Resolves a kind to its resource; undefined if the type is not served. */
  resourceInfo(type: TypeRef): ResourceInfo | undefined;
  get(type: TypeRef, namespace: string, name: string): Promise<KObject | undefined>;
  list(type: TypeRef, opts?: ClientListOptions): Promise<ClientList>;
  watch(type: TypeRef, opts: ClientWatchOptions, onEvent: (ev: ClientWatchEvent) => void, onError?: (err: Error) => void): { stop(): void };
  create(obj: KObject, opts?: WriteOptions): Promise<KObject>;
  /** Full replacement (PUT) of the main resource or a subresource; honours metadata.resourceVersion for optimistic concurrency. */
  update(obj: KObject, opts?: WriteOptions & { subresource?: Subresource }): Promise<KObject>;
  /** Server-side apply (application/apply-patch+yaml semantics). Creates the object if absent. */
  apply(obj: KObject, opts: ApplyOptions & { subresource?: Subresource }): Promise<KObject>;
  /**
   * Server-side apply of `obj` to the main resource and of `status` (an object
   * of the same name carrying only status) to its status subresource, by one
   * field manager: the outcome of the two applies in that order. The
   * in-process registry stores it as one write (one resourceVersion, one watch
   * event); over HTTP it is the two requests, the status one made only after
   * the main one succeeded and pinned to the resourceVersion it stored
   * (onStored reports the main one's result). If the status request fails
   * (e.g. Conflict: someone wrote in between), the main write stays and the
   * call fails: the caller retries both (a repeated apply that changes
   * nothing stores nothing). The object must exist.
   */
  applyWithStatus(obj: KObject, status: KObject, opts: ApplyOptions): Promise<KObject>;
  patch(type: TypeRef, namespace: string, name: string, patchType: 'merge' | 'json', patch: unknown, opts?: WriteOptions & { subresource?: Subresource }): Promise<KObject>;
  /** Returns the object as deleted, or still present with deletionTimestamp set when finalizers remain. */
  delete(type: TypeRef, namespace: string, name: string, opts?: DeleteOptions): Promise<KObject>;
}
