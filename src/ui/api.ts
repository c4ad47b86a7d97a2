// The web UI's read-only JSON API, answered from the registry (objects), the
// controller manager (per-reconciler counters, queue depth) and the engine's
// reconcile history. Paths (under /ui/api/, documented in docs/ui.md):
//
//   overview                                  counts per kind, reconcilers, latest errors
//   kinds/<group>/<Kind>                      the kind's objects (group `core` = "")
//   objects/<group>/<Kind>/<ns>/<name>        one object (ns `_` = cluster-scoped)
//   graph[?group&kind&namespace&name]         the ownership graph, whole or around one object
//   history[?reconciler&kind&namespace&name&errors&limit]
//
// Key idea: every answer is computed on request from a fresh list of the
// store (no second cache to keep consistent); an object page or the graph
// lists every kind once to find owners and dependents by uid. Trade-off: a
// request costs a full list, fine for a person's UI and its live refreshes
// (debounced in the browser), not meant as a bulk API.

import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import type { Registry } from '../apiserver/registry/registry.js';
import type { ResourceType } from '../apiserver/registry/resources.js';
import type { Manager } from '../controller/index.js';
import type { HistoryQuery, ReconcileHistory } from '../reconciler/history.js';
import { conditionsOf, fieldTree, Ownership, readinessOf, summarize } from './model.js';
import type { EventInfo, Graph, HistoryItem, KindCounts, KindPage, KindRef, ObjectPage, Overview, ReconcilerStats } from './types.js';

export interface UiSources {
  registry: Registry;
  /** The engine's controllers (absent for `server start`). */
  manager?: Manager;
  history?: ReconcileHistory;
}

const eventKind = (t: ResourceType) => t.kind === 'Event' && (t.group === '' || t.group === 'events.k8s.io');

export function kindRef(t: ResourceType): KindRef {
  return { group: t.group, kind: t.kind, apiVersion: t.apiVersion, plural: t.plural, namespaced: t.namespaced };
}

export class UiApi {
  constructor(private readonly src: UiSources) {}

  /** One type per stored resource, CRD kinds first, then by kind. */
  types(): ResourceType[] {
    return this.src.registry.catalog.storageTypes().sort((a, b) => Number(a.builtin) - Number(b.builtin) || a.kind.localeCompare(b.kind) || a.group.localeCompare(b.group));
  }

  typeOf(group: string, kind: string): ResourceType {
    const g = group === 'core' ? '' : group;
    const t = this.types().find((x) => x.group === g && x.kind === kind);
    if (!t) throw new ApiError('NotFound', `no kind ${kind} in group ${group}`);
    return t;
  }

  async list(t: ResourceType): Promise<KObject[]> {
    return (await this.src.registry.listObjects(t)).items;
  }

  /** Every object but Events (the ownership world). */
  async world(): Promise<Ownership> {
    const lists = await Promise.all(this.types().filter((t) => !eventKind(t)).map((t) => this.list(t)));
    return new Ownership(lists.flat());
  }

  async overview(): Promise<Overview> {
    const kinds: KindCounts[] = [];
    let emptyKinds = 0;
    for (const t of this.types()) {
      const items = await this.list(t);
      if (items.length === 0) {
        emptyKinds++;
        continue;
      }
      const c: KindCounts = { ...kindRef(t), total: items.length, ready: 0, notready: 0, failed: 0 };
      for (const o of items) {
        const r = readinessOf(o);
        if (r === 'ready') c.ready++;
        else if (r === 'failed') c.failed++;
        else if (r === 'notready' || r === 'deleting') c.notready++;
      }
      kinds.push(c);
    }
    const history = this.src.history;
    return {
      kinds,
      emptyKinds,
      reconcilers: this.reconcilers(),
      latestErrors: history ? history.list({ errors: true, limit: 20 }).reverse() : [],
      engine: this.src.manager !== undefined,
      historySize: history?.size ?? 0,
    };
  }

  reconcilers(): ReconcilerStats[] {
    return (this.src.manager?.list() ?? []).map((c) => {
      const m = c.metrics();
      return { name: m.name, reconciles: m.reconciles, errors: m.errors, durationMeanMs: round(m.durationMeanMs), durationMaxMs: round(m.durationMaxMs), queueDepth: m.queueDepth, inFlight: m.inFlight };
    });
  }

  async kind(group: string, kind: string): Promise<KindPage> {
    const t = this.typeOf(group, kind);
    return { ...kindRef(t), items: (await this.list(t)).map(summarize) };
  }

  async object(group: string, kind: string, namespace: string, name: string): Promise<ObjectPage> {
    const t = this.typeOf(group, kind);
    const ns = namespace === '_' ? '' : namespace;
    const obj = await this.src.registry.getObject(t, t.namespaced ? ns : '', name);
    const world = await this.world();
    const uid = obj.metadata.uid ?? '';
    return {
      summary: summarize(obj),
      object: obj as unknown as Record<string, unknown>,
      conditions: conditionsOf(obj).map((c) => ({ ...(c as Record<string, unknown>), type: String(c.type), status: String(c.status) })),
      owners: world.ownerChain(obj).map(summarize),
      children: world.childrenOf(uid).map(summarize).sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)),
      managers: (obj.metadata.managedFields ?? []).map((m) => ({ manager: m.manager ?? '', operation: m.operation ?? '', subresource: m.subresource, time: m.time })),
      fields: fieldTree(obj),
      events: await this.eventsOf(uid),
      history: this.src.history ? this.src.history.list({ kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name }).reverse() : [],
    };
  }

  private async eventsOf(uid: string): Promise<EventInfo[]> {
    const t = this.types().find((x) => x.group === '' && x.kind === 'Event');
    if (!t || !uid) return [];
    const out: EventInfo[] = [];
    for (const e of await this.list(t)) {
      const ev = e as KObject & { involvedObject?: { uid?: string }; type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string; eventTime?: string; source?: { component?: string }; reportingComponent?: string };
      if (ev.involvedObject?.uid !== uid) continue;
      out.push({ type: ev.type ?? '', reason: ev.reason ?? '', message: ev.message ?? '', count: ev.count ?? 1, last: ev.lastTimestamp ?? ev.eventTime ?? '', source: ev.source?.component ?? ev.reportingComponent ?? '' });
    }
    return out.sort((a, b) => b.last.localeCompare(a.last));
  }

  async graph(around?: { group: string; kind: string; namespace: string; name: string }): Promise<Graph> {
    const world = await this.world();
    if (!around) {
      const custom = new Set(this.types().filter((t) => !t.builtin).map((t) => `${t.group}/${t.kind}`));
      return world.graph(undefined, (o) => custom.has(`${summarize(o).group}/${o.kind}`));
    }
    const t = this.typeOf(around.group, around.kind);
    const obj = await this.src.registry.getObject(t, t.namespaced && around.namespace !== '_' ? around.namespace : '', around.name);
    return world.graph(world.byUid.get(obj.metadata.uid ?? '') ?? obj);
  }

  history(q: HistoryQuery): HistoryItem[] {
    return this.src.history ? this.src.history.list(q).reverse() : [];
  }

  /** Answers an API path (after /ui/api/). */
  async route(path: string, params: URLSearchParams): Promise<unknown> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [head, ...rest] = parts;
    if (head === 'overview' && rest.length === 0) return this.overview();
    if (head === 'kinds' && rest.length === 2) return this.kind(rest[0]!, rest[1]!);
    if (head === 'objects' && rest.length === 4) return this.object(rest[0]!, rest[1]!, rest[2]!, rest[3]!);
    if (head === 'graph' && rest.length === 0) {
      const name = params.get('name');
      return this.graph(name ? { group: params.get('group') ?? 'core', kind: params.get('kind') ?? '', namespace: params.get('namespace') ?? '_', name } : undefined);
    }
    if (head === 'history' && rest.length === 0) {
      const limit = params.get('limit');
      const q: HistoryQuery = { errors: params.get('errors') === '1' || params.get('errors') === 'true' };
      for (const k of ['reconciler', 'kind', 'namespace', 'name'] as const) {
        const v = params.get(k);
        if (v !== null) q[k] = v;
      }
      if (limit !== null) {
        const n = Number(limit);
        if (!Number.isInteger(n) || n < 0) throw new ApiError('BadRequest', `limit must be a non-negative integer, got ${JSON.stringify(limit)}`);
        q.limit = n;
      }
      return this.history(q);
    }
    throw new ApiError('NotFound', `no UI API path /ui/api/${path}`);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
