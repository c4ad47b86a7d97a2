// The shapes of the web UI's JSON API (/ui/api/...), shared by the server
// (api.ts) and the browser code (web/): type declarations only, so the
// browser bundle imports nothing from the server side. docs/ui.md documents
// them for scripts.

/** An object's readiness, judged from its conditions (model.ts: readinessOf). */
export type Readiness = 'ready' | 'notready' | 'failed' | 'deleting' | 'none';

export interface KindRef {
  /** "" for the core group. */
  group: string;
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export interface KindCounts extends KindRef {
  total: number;
  ready: number;
  notready: number;
  failed: number;
}

export interface ReconcilerStats {
  name: string;
  reconciles: number;
  errors: number;
  durationMeanMs: number;
  durationMaxMs: number;
  queueDepth: number;
  inFlight: number;
}

export interface TriggerInfo {
  event: string;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface HistoryItem {
  seq: number;
  time: string;
  reconciler: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  trigger?: TriggerInfo;
  outcome: string;
  durationMs: number;
  writes: Array<{ op: string; kind: string; namespace: string; name: string }>;
  message: string;
  stack?: string;
}

export interface Overview {
  /** Kinds with objects. */
  kinds: KindCounts[];
  /** Served kinds without objects (not listed). */
  emptyKinds: number;
  reconcilers: ReconcilerStats[];
  latestErrors: HistoryItem[];
  /** Whether this server runs reconcilers (run start) or only serves the API (server start). */
  engine: boolean;
  historySize: number;
}

export interface ObjectRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ObjectSummary extends ObjectRef {
  apiVersion: string;
  uid: string;
  readiness: Readiness;
  /** The conditions in one line ("Ready=True", "Ready=False: message"). */
  conditions: string;
  created: string;
}

export interface KindPage extends KindRef {
  items: ObjectSummary[];
}

export interface FieldNode {
  /** One path step: a field name, `[key=value]` of a keyed list item, `{value}` of a set item. */
  name: string;
  /** Managers owning exactly this field (leaves; also a map or list owned as a whole). */
  managers: string[];
  children: FieldNode[];
}

export interface ManagerInfo {
  manager: string;
  operation: string;
  subresource?: string;
  time?: string;
}

export interface EventInfo {
  type: string;
  reason: string;
  message: string;
  count: number;
  last: string;
  source: string;
}

export interface ObjectPage {
  summary: ObjectSummary;
  /** The object as stored, managedFields included (the UI hides them by default). */
  object: Record<string, unknown>;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }>;
  /** Owner, its owner, ... (controller reference first). */
  owners: ObjectSummary[];
  children: ObjectSummary[];
  managers: ManagerInfo[];
  fields: FieldNode[];
  events: EventInfo[];
  history: HistoryItem[];
}

export interface GraphNode extends ObjectSummary {
  id: string;
}

export interface Graph {
  nodes: GraphNode[];
  /** Owner uid → dependent uid. */
  edges: Array<{ from: string; to: string }>;
  /** The graph was cut at this many nodes. */
  truncated?: boolean;
}

/** A message on the live stream (/ui/api/stream). */
export type StreamMessage =
  | { type: 'object'; event: 'ADDED' | 'MODIFIED' | 'DELETED'; object: ObjectSummary }
  | { type: 'reconcile'; entry: HistoryItem };

/** `run once --html`: the API answers a static page renders from, by API path. */
export interface Snapshot {
  title: string;
  generated: string;
  responses: Record<string, unknown>;
}
