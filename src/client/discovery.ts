// Client-side discovery: which resource types the server serves, and how a
// user's word for a type (`widgets`, `widget`, `wd`, `Widget`,
// `widgets.example.com`, `widgets.v1.example.com`) maps to one.
//
// Key idea: two requests (aggregated discovery v2 at /api and /apis, KEP-3352)
// give every group, version and resource at once; the result is cached per
// client and refreshed only when a lookup misses (e.g. right after a CRD was
// applied), so a long `apply` of many documents asks once.
//
// Trade-off: a server without aggregated discovery is not supported — every
// choreo server has it, and kubectl 1.30+ relies on it too.

import { ApiError } from '../api/errors.js';
import { formatApiVersion, parseApiVersion } from '../api/object.js';
import type { ResourceInfo, TypeRef } from '../api/client.js';
import type { Transport } from './transport.js';

/** A served resource type with everything discovery says about it. */
export interface ApiResource extends ResourceInfo {
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** True for the group's preferred (first listed) version. */
  preferred: boolean;
}

/**
 * A type the server does not serve. An ApiError (NotFound) so Client callers
 * handle it like any other, but found by the client, not sent by the server:
 * the CLI renders it as kubectl does, `error: ...`, not `Error from server`.
 */
export class UnknownTypeError extends ApiError {
  constructor(message: string) {
    super('NotFound', message);
    this.name = 'UnknownTypeError';
  }
}

const aggregatedAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        responseKind?: { group?: string; version?: string; kind?: string };
        scope?: string;
        singularResource?: string;
        shortNames?: string[];
        categories?: string[];
        verbs?: string[];
        subresources?: { subresource: string }[];
      }[];
    }[];
  }[];
}

export class DiscoveryCache {
  private resources: ApiResource[] | undefined;
  private loading: Promise<ApiResource[]> | undefined;

  constructor(private readonly transport: Transport) {}

  /** Every served resource, core group first, each group's preferred version first. */
  async all(refresh = false): Promise<ApiResource[]> {
    if (refresh) this.resources = undefined;
    if (this.resources) return this.resources;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    this.resources = await this.loading;
    return this.resources;
  }

  /** The cached lookup by apiVersion + kind (undefined before the first load). */
  cachedByKind(type: TypeRef): ApiResource | undefined {
    const { group, version } = parseApiVersion(type.apiVersion);
    return this.resources?.find((r) => r.group === group && r.version === version && r.kind === type.kind);
  }

  /** Looks up apiVersion + kind, refreshing discovery once on a miss. */
  async byKind(type: TypeRef): Promise<ApiResource> {
    await this.all();
    let hit = this.cachedByKind(type);
    if (!hit) {
      await this.all(true);
      hit = this.cachedByKind(type);
    }
    if (hit) return hit;
    throw new UnknownTypeError(`no matches for kind "${type.kind}" in version "${type.apiVersion}"`);
  }

  /**
   * Resolves a user's type argument, refreshing discovery once on a miss. The
   * error text is kubectl's: `the server doesn't have a resource type "x"`.
   */
  async byName(arg: string): Promise<ApiResource> {
    const hit = matchName(await this.all(), arg) ?? matchName(await this.all(true), arg);
    if (hit) return hit;
    throw new UnknownTypeError(`the server doesn't have a resource type "${arg}"`);
  }

  private async load(): Promise<ApiResource[]> {
    const out: ApiResource[] = [];
    for (const root of ['/api', '/apis']) {
      const doc = await this.transport.json<AggregatedList>({ method: 'GET', path: root, accept: aggregatedAccept });
      if (doc.kind !== 'APIGroupDiscoveryList') throw new ApiError('InternalError', `${root}: the server does not serve aggregated discovery (got kind ${JSON.stringify(doc.kind)})`);
      for (const g of doc.items ?? []) {
        const group = g.metadata?.name ?? '';
        (g.versions ?? []).forEach((v, vi) => {
          for (const r of v.resources ?? []) {
            out.push({
              group,
              version: v.version,
              kind: r.responseKind?.kind ?? '',
              resource: r.resource,
              namespaced: r.scope === 'Namespaced',
              subresources: { status: (r.subresources ?? []).some((s) => s.subresource === 'status') },
              singular: r.singularResource ?? '',
              shortNames: r.shortNames ?? [],
              categories: r.categories ?? [],
              verbs: r.verbs ?? [],
              preferred: vi === 0,
            });
          }
        });
      }
    }
    return out;
  }
}

/**
 * kubectl's resource argument rules: `name`, `name.group` or
 * `name.version.group`, where name is a plural, singular, short name or kind
 * (case-insensitive). Preferred versions win over others; the core group wins
 * over named groups when the same word is served by several.
 */
export function matchName(all: ApiResource[], arg: string): ApiResource | undefined {
  const word = arg.toLowerCase();
  const matches = (r: ApiResource, name: string) => r.resource === name || r.singular === name || r.kind.toLowerCase() === name || r.shortNames.includes(name);
  const candidates: ApiResource[] = [];
  // name.version.group (fully qualified) first, then name.group, then name alone
  const parts = word.split('.');
  if (parts.length >= 3) {
    const [name, version, ...rest] = parts;
    candidates.push(...all.filter((r) => r.version === version && r.group === rest.join('.') && matches(r, name)));
  }
  if (candidates.length === 0 && parts.length >= 2) {
    const [name, ...rest] = parts;
    candidates.push(...all.filter((r) => r.group === rest.join('.') && matches(r, name)));
  }
  if (candidates.length === 0) candidates.push(...all.filter((r) => matches(r, word)));
  return candidates.find((r) => r.preferred) ?? candidates[0];
}

/** "widget.example.com" / "configmap": how kubectl names a type in result lines. */
export function typeLabel(r: Pick<ResourceInfo, 'kind' | 'group'>): string {
  return r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase();
}

export function apiVersionOf(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return formatApiVersion(r.group, r.version);
}
