// What the web UI shows, computed from stored objects: an object's readiness
// and one-line condition summary, the ownership graph (owner uid → dependent),
// owner chains, and the field-ownership tree built from managedFields.
//
// Key idea: pure functions over plain objects, so the JSON API (api.ts), the
// live stream and `run once --html` agree on every judgement. Readiness reads
// conditions only (the runtime's vocabulary, api/conditions.ts): a False
// condition with reason Error or Failed is failed, any other False or Unknown
// is not ready, all True is ready, none at all is "none" (counted only in the
// total). Trade-off: an object's own status.phase is not consulted, so a
// reconciler that writes only a phase shows as "none".

import type { KObject } from '../api/object.js';
import type { FieldNode, Graph, GraphNode, ObjectSummary, Readiness } from './types.js';

interface ConditionLike {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
}

export function conditionsOf(obj: KObject): ConditionLike[] {
  const c = (obj.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? c.filter((x): x is ConditionLike => typeof x === 'object' && x !== null) : [];
}

export function readinessOf(obj: KObject): Readiness {
  if (obj.metadata.deletionTimestamp) return 'deleting';
  const conditions = conditionsOf(obj);
  if (conditions.length === 0) return 'none';
  let state: Readiness = 'ready';
  for (const c of conditions) {
    if (c.status === 'True') continue;
    if (c.status === 'False' && (c.reason === 'Error' || c.reason === 'Failed')) return 'failed';
    state = 'notready';
  }
  return state;
}

/** "Ready=True", "Ready=False: message" (first line), joined by "; ". */
export function conditionLine(obj: KObject): string {
  return conditionsOf(obj)
    .map((c) => {
      const msg = typeof c.message === 'string' && c.message !== '' && c.status !== 'True' ? `: ${c.message.split('\n').filter(Boolean).slice(-1)[0] ?? ''}` : '';
      return `${String(c.type)}=${String(c.status)}${msg}`;
    })
    .join('; ');
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function summarize(obj: KObject): ObjectSummary {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    apiVersion: obj.apiVersion,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    readiness: readinessOf(obj),
    conditions: conditionLine(obj),
    created: obj.metadata.creationTimestamp ?? '',
  };
}

/** Owner references, the controller's first. */
function ownerUids(obj: KObject): string[] {
  const refs = obj.metadata.ownerReferences ?? [];
  return [...refs.filter((r) => r.controller), ...refs.filter((r) => !r.controller)].map((r) => r.uid);
}

/** Objects by uid with their dependents: what owner chains and graphs are walked on. */
export class Ownership {
  readonly byUid = new Map<string, KObject>();
  private readonly dependents = new Map<string, string[]>();

  constructor(objects: Iterable<KObject>) {
    for (const o of objects) if (o.metadata.uid) this.byUid.set(o.metadata.uid, o);
    for (const o of this.byUid.values()) {
      for (const owner of ownerUids(o)) {
        if (!this.byUid.has(owner)) continue;
        const list = this.dependents.get(owner) ?? [];
        list.push(o.metadata.uid!);
        this.dependents.set(owner, list);
      }
    }
  }

  childrenOf(uid: string): KObject[] {
    return (this.dependents.get(uid) ?? []).map((u) => this.byUid.get(u)!);
  }

  /** The owner, its owner, ... following the controller reference (first reference otherwise); stops at a cycle. */
  ownerChain(obj: KObject): KObject[] {
    const out: KObject[] = [];
    const seen = new Set([obj.metadata.uid]);
    let cur: KObject | undefined = obj;
    for (;;) {
      const next: KObject | undefined = ownerUids(cur).map((u) => this.byUid.get(u)).find((o) => o !== undefined);
      if (!next || seen.has(next.metadata.uid)) return out;
      seen.add(next.metadata.uid);
      out.push(next);
      cur = next;
    }
  }

  /**
   * The ownership graph: around `root` its owners and all its descendants;
   * without a root every object that owns or is owned, plus `alsoShow`
   * (objects to show even alone: the kinds reconcilers work on). At most `max` nodes.
   */
  graph(root?: KObject, alsoShow: (o: KObject) => boolean = () => false, max = 2000): Graph {
    const ids = new Set<string>();
    if (root?.metadata.uid) {
      for (const o of this.ownerChain(root)) ids.add(o.metadata.uid!);
      const stack = [root.metadata.uid];
      while (stack.length > 0) {
        const u = stack.pop()!;
        if (ids.has(u) && u !== root.metadata.uid) continue;
        ids.add(u);
        for (const c of this.dependents.get(u) ?? []) if (!ids.has(c)) stack.push(c);
      }
    } else {
      for (const [owner, deps] of this.dependents) {
        ids.add(owner);
        for (const d of deps) ids.add(d);
      }
      for (const [u, o] of this.byUid) if (alsoShow(o)) ids.add(u);
    }
    const chosen = [...ids].slice(0, max);
    const kept = new Set(chosen);
    // The root may be outside the world (an Event): it is still its own graph's node.
    const nodes: GraphNode[] = chosen.map((u) => ({ id: u, ...summarize(this.byUid.get(u) ?? root!) }));
    nodes.sort((a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const edges: Graph['edges'] = [];
    for (const u of chosen) for (const c of this.dependents.get(u) ?? []) if (kept.has(c)) edges.push({ from: u, to: c });
    return ids.size > max ? { nodes, edges, truncated: true } : { nodes, edges };
  }
}

/**
 * managedFields as one tree: each path step with the managers owning exactly
 * that field. fieldsV1 keys: `f:name` a field, `k:{...}` a keyed list item,
 * `v:value` a set item, `i:n` an index, `.` the containing node itself.
 */
export function fieldTree(obj: KObject): FieldNode[] {
  const root: FieldNode = { name: '', managers: [], children: [] };
  for (const entry of obj.metadata.managedFields ?? []) {
    const who = entry.subresource ? `${entry.manager} (${entry.subresource})` : entry.manager;
    if (!who || typeof entry.fieldsV1 !== 'object' || entry.fieldsV1 === null) continue;
    addFields(root, entry.fieldsV1 as Record<string, unknown>, who);
  }
  return root.children;
}

function addFields(node: FieldNode, set: Record<string, unknown>, manager: string): void {
  for (const [key, sub] of Object.entries(set)) {
    if (key === '.') {
      if (!node.managers.includes(manager)) node.managers.push(manager);
      continue;
    }
    const name = stepName(key);
    let child = node.children.find((c) => c.name === name);
    if (!child) {
      child = { name, managers: [], children: [] };
      node.children.push(child);
    }
    const inner = typeof sub === 'object' && sub !== null ? (sub as Record<string, unknown>) : {};
    if (Object.keys(inner).length === 0) {
      if (!child.managers.includes(manager)) child.managers.push(manager);
    } else addFields(child, inner, manager);
  }
}

function stepName(key: string): string {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:':
      return body;
    case 'k:':
      try {
        const k = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.entries(k).map(([n, v]) => `${n}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',')}]`;
      } catch {
        return `[${body}]`;
      }
    case 'v:':
      return `{${body}}`;
    case 'i:':
      return `[${body}]`;
    default:
      return key;
  }
}
