// API discovery: the documents kubectl reads to learn which resources exist.
// Legacy form (APIVersions at /api, APIGroupList at /apis, APIGroup at
// /apis/<g>, APIResourceList at /api/v1 and /apis/<g>/<v>) and the aggregated
// form (apidiscovery.k8s.io v2 / v2beta1 APIGroupDiscoveryList), chosen by the
// Accept header as kube-apiserver does (KEP-3352).
//
// Documents are built from the resource catalogue and cached against its
// generation number, with an ETag so kubectl's discovery cache revalidates
// with a 304 instead of downloading again.

import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { ResourceCatalog, ResourceType } from './registry/resources.js';

export interface DiscoveryDoc {
  body: string;
  etag: string;
  contentType: string;
}

const statusVerbs = ['get', 'patch', 'update'];
/** A scale subresource answers with autoscaling/v1 Scale (apiserver/scale.ts). */
const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export class Discovery {
  private cache = new Map<string, DiscoveryDoc>();
  private generation = -1;

  constructor(private readonly catalog: ResourceCatalog) {}

  /** Serves /api or /apis; aggregated when the client accepts it. */
  root(which: 'api' | 'apis', accept: string | undefined, serverAddress: string): DiscoveryDoc {
    const agg = aggregatedVersion(accept);
    if (agg) return this.cached(`${which}:${agg}`, () => this.aggregated(which, agg), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
    if (which === 'api')
      return this.cached('api', () => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }));
    return this.cached('apis', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: this.groupDocs() }));
  }

  group(name: string): DiscoveryDoc {
    const g = this.groupDocs().find((x) => x.name === name);
    if (!g) throw new ApiError('NotFound', 'the server could not find the requested resource');
    return this.cached(`group:${name}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...g }));
  }

  groupVersion(group: string, version: string): DiscoveryDoc {
    const types = this.catalog.all().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) throw new ApiError('NotFound', 'the server could not find the requested resource');
    return this.cached(`gv:${group}/${version}`, () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: types.flatMap((t) => legacyResources(t)),
    }));
  }

  private cached(key: string, build: () => unknown, contentType = 'application/json'): DiscoveryDoc {
    if (this.generation !== this.catalog.generation) {
      this.cache.clear();
      this.generation = this.catalog.generation;
    }
    let d = this.cache.get(key);
    if (!d) {
      const body = JSON.stringify(build());
      d = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`, contentType };
      this.cache.set(key, d);
    }
    return d;
  }

  private groupDocs(): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } }[] {
    const out = [];
    for (const [name, versions] of this.catalog.groups()) {
      if (name === '') continue;
      const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      out.push({ name, versions: vs, preferredVersion: vs[0] });
    }
    return out;
  }

  private aggregated(which: 'api' | 'apis', apiVersion: 'v2' | 'v2beta1'): unknown {
    const items = [];
    for (const [name, versions] of this.catalog.groups()) {
      if ((which === 'api') !== (name === '')) continue;
      items.push({
        metadata: { name, creationTimestamp: null },
        versions: versions.map((v) => ({
          version: v,
          resources: this.catalog
            .all()
            .filter((t) => t.group === name && t.version === v)
            .sort((a, b) => (a.plural < b.plural ? -1 : 1))
            .map(aggregatedResource),
          freshness: 'Current',
        })),
      });
    }
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
  }
}

function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

function aggregatedResource(t: ResourceType): unknown {
  const kind = { group: t.group, version: t.version, kind: t.kind };
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: kind,
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  const subs: unknown[] = [];
  if (t.scale) subs.push({ subresource: 'scale', responseKind: scaleKind, verbs: statusVerbs });
  if (t.hasStatus) subs.push({ subresource: 'status', responseKind: kind, verbs: statusVerbs });
  if (subs.length) r.subresources = subs;
  return r;
}

function legacyResources(t: ResourceType): unknown[] {
  const main: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
  if (t.shortNames.length) main.shortNames = t.shortNames;
  if (t.categories.length) main.categories = t.categories;
  const out = [main];
  if (t.scale) out.push({ name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: statusVerbs });
  if (t.hasStatus) out.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: statusVerbs });
  return out;
}

