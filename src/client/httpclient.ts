// The Client contract (src/api/client.ts) over HTTP: the same operations the
// embedded engine performs in-process, sent to a remote choreo API server the
// way kubectl sends them (REST paths from discovery, server-side apply as
// PATCH application/apply-patch+yaml, watch as a newline-delimited stream).
//
// Key idea: resourceInfo() is synchronous in the contract, so discovery is
// loaded once up front (HttpClient.connect) and cached; the async operations
// refresh it on a miss, which makes a type served since connect (a CRD
// applied a moment ago) usable without a new client.
//
// Trade-off: watch resumes from the last resourceVersion when the server ends
// a stream (its timeout) but reports 410 Gone to onError instead of relisting;
// relisting is an informer's job, not the transport's.

import type { ApplyOptions, Client, ClientList, ClientListOptions, ClientWatchEvent, ClientWatchOptions, DeleteOptions, ResourceInfo, Subresource, TypeRef, WriteOptions } from '../api/client.js';
import { ApiError, isApiError } from '../api/errors.js';
import { conflictsOf } from '../api/managedfields/index.js';
import type { KObject } from '../api/object.js';
import { DiscoveryCache, type ApiResource } from './discovery.js';
import { loadRestConfig, type LoadOptions, type RestConfig } from './kubeconfig.js';
import { Transport, type TransportOptions } from './transport.js';
import { followWatch } from './watchstream.js';

/** The REST path of a collection (no name) or an object; namespace ignored for cluster-scoped types. */
export function resourcePath(r: Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'>, namespace?: string, name?: string, subresource?: Subresource): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** `?a=1&b=2` from the defined entries, or "" when there are none. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class HttpClient implements Client {
  readonly discovery: DiscoveryCache;

  constructor(readonly transport: Transport) {
    this.discovery = new DiscoveryCache(transport);
  }

  /** A client for the kubeconfig chosen by `opts`, with discovery loaded. */
  static async connect(opts: LoadOptions | RestConfig = {}, transport: TransportOptions = {}): Promise<HttpClient> {
    const config = 'server' in opts ? opts : loadRestConfig(opts);
    const c = new HttpClient(new Transport(config, transport));
    await c.discovery.all();
    return c;
  }

  get config(): RestConfig {
    return this.transport.config;
  }

  resourceInfo(type: TypeRef): ResourceInfo | undefined {
    const r = this.discovery.cachedByKind(type);
    return r && { group: r.group, version: r.version, kind: r.kind, resource: r.resource, namespaced: r.namespaced, subresources: { ...r.subresources } };
  }

  async get(type: TypeRef, namespace: string, name: string): Promise<KObject | undefined> {
    const r = await this.discovery.byKind(type);
    try {
      return await this.transport.json<KObject>({ method: 'GET', path: resourcePath(r, namespace, name) });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  async list(type: TypeRef, opts: ClientListOptions = {}): Promise<ClientList> {
    const r = await this.discovery.byKind(type);
    const l = await this.transport.json<{ items?: KObject[]; metadata?: { resourceVersion?: string; continue?: string } }>({
      method: 'GET',
      path: resourcePath(r, opts.namespace) + query({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue }),
    });
    // List items carry no apiVersion/kind on the wire in Kubernetes; fill them in as objects always have them here.
    const items = (l.items ?? []).map((o) => ({ ...o, apiVersion: o.apiVersion ?? type.apiVersion, kind: o.kind ?? type.kind }));
    return { items, resourceVersion: l.metadata?.resourceVersion ?? '', ...(l.metadata?.continue ? { continue: l.metadata.continue } : {}) };
  }

  watch(type: TypeRef, opts: ClientWatchOptions, onEvent: (ev: ClientWatchEvent) => void, onError?: (err: Error) => void): { stop(): void } {
    const abort = new AbortController();
    const run = async () => {
      const r = await this.discovery.byKind(type);
      let rv = opts.resourceVersion ?? '';
      // "" means "from now" in the Client contract, but a Kubernetes watch without a
      // resourceVersion first replays the current state: start from a list's revision instead.
      if (rv === '') rv = (await this.list(type, { namespace: opts.namespace, limit: 1 })).resourceVersion;
      const pathFor = (from: string) =>
        resourcePath(r, opts.namespace) + query({ watch: 1, allowWatchBookmarks: true, resourceVersion: from, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      await followWatch(this.transport, { pathFor }, rv, abort.signal, (ev) => onEvent({ type: ev.type, object: ev.object as KObject }));
    };
    run().catch((err: unknown) => {
      if (!abort.signal.aborted) onError?.(err instanceof Error ? err : new Error(String(err)));
    });
    return { stop: () => abort.abort() };
  }

  async create(obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    const r = await this.discovery.byKind(obj);
    return this.write('POST', resourcePath(r, this.namespaceOf(r, obj)) + writeQuery(opts), 'application/json', obj);
  }

  async update(obj: KObject, opts: WriteOptions & { subresource?: Subresource } = {}): Promise<KObject> {
    const r = await this.discovery.byKind(obj);
    return this.write('PUT', resourcePath(r, this.namespaceOf(r, obj), nameOf(obj), opts.subresource) + writeQuery(opts), 'application/json', obj);
  }

  /** forceFrom has no HTTP parameter: a conflict with accepted managers only is retried with force (not atomic, unlike in-process). */
  async apply(obj: KObject, opts: ApplyOptions & { subresource?: Subresource }): Promise<KObject> {
    const r = await this.discovery.byKind(obj);
    const send = (force: boolean) => {
      const path = resourcePath(r, this.namespaceOf(r, obj), nameOf(obj), opts.subresource) + query({ fieldManager: opts.fieldManager, force: force || undefined, dryRun: opts.dryRun ? 'All' : undefined });
      return this.write('PATCH', path, 'application/apply-patch+yaml', obj);
    };
    try {
      return await send(opts.force === true);
    } catch (err) {
      const conflicts = opts.force || !opts.forceFrom ? [] : conflictsOf(err);
      if (conflicts.length === 0 || !conflicts.every((c) => opts.forceFrom!(c.manager))) throw err;
      const stored = await send(true);
      opts.onForced?.(conflicts);
      return stored;
    }
  }

  /**
   * The two applies, in order (HTTP has no single request for both); status
   * goes with the main resource when the type has no status subresource. The
   * status apply is pinned to the resourceVersion the main write stored
   * (optimistic concurrency, honoured by kube-apiserver for apply): it lands
   * only on the object as we just left it, never after another writer's
   * change or on a namesake recreated in between — those fail with Conflict
   * (see the Client contract for what a failed second write means).
   */
  async applyWithStatus(obj: KObject, status: KObject, opts: ApplyOptions): Promise<KObject> {
    const r = await this.discovery.byKind(obj);
    if (!r.subresources?.status) return this.apply({ ...obj, status: status.status }, opts);
    const { onStored, ...rest } = opts;
    const main = await this.apply(obj, rest);
    onStored?.(main);
    return this.apply({ ...status, metadata: { ...status.metadata, resourceVersion: main.metadata.resourceVersion } }, { ...rest, subresource: 'status' });
  }

  async patch(type: TypeRef, namespace: string, name: string, patchType: 'merge' | 'json', patch: unknown, opts: WriteOptions & { subresource?: Subresource } = {}): Promise<KObject> {
    const r = await this.discovery.byKind(type);
    const contentType = patchType === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json';
    return this.write('PATCH', resourcePath(r, namespace, name, opts.subresource) + writeQuery(opts), contentType, patch);
  }

  async delete(type: TypeRef, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject> {
    const r = await this.discovery.byKind(type);
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}), ...(opts.preconditions ? { preconditions: opts.preconditions } : {}) };
    return this.write('DELETE', resourcePath(r, namespace, name), 'application/json', body);
  }

  /** Resolves a user's type argument (plural, singular, short name, kind, optionally .group). */
  resolve(arg: string): Promise<ApiResource> {
    return this.discovery.byName(arg);
  }

  /** The object's namespace; the kubeconfig's namespace for a namespaced object without one (as kubectl does). */
  private namespaceOf(r: ResourceInfo, obj: KObject): string | undefined {
    return r.namespaced ? obj.metadata?.namespace || this.config.namespace : undefined;
  }

  private write(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, contentType: string, body: unknown): Promise<KObject> {
    return this.transport.json<KObject>({ method, path, contentType, body: JSON.stringify(body) });
  }
}

function writeQuery(opts: WriteOptions): string {
  return query({ fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined });
}

function nameOf(obj: KObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new ApiError('Invalid', `${obj.kind}: metadata.name: Required value: name is required`, { kind: obj.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name is required', field: 'metadata.name' }] });
  return name;
}
