// The reconcile history: a bounded ring of the most recent reconciles of an
// engine (every reconciler), as the runtime reports them — when, which
// reconciler, which object, what queued it (the trigger), the outcome, how
// long it took, the writes it made, its message and, on a Starlark failure,
// the stack. The web UI and its JSON API read it; `run once --html` embeds it.
//
// Key idea: a fixed-size array written round-robin, so recording is O(1) and
// memory is bounded whatever the run does; readers copy out what they need.
// Subscribers (the UI's live stream) are called synchronously after each
// record and must be cheap. Trade-off: the oldest entries are gone once the
// ring is full — size it with `run start --history <n>`.

import type { ReconcileReport } from './runtime.js';
import type { Trigger } from '../controller/reconcile.js';
import type { ChildWrite } from './children.js';

export interface HistoryEntry {
  /** Increasing per engine; says which entries a reader has seen. */
  seq: number;
  /** ISO time the reconcile ended. */
  time: string;
  reconciler: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  trigger?: Trigger;
  outcome: ReconcileReport['outcome'];
  durationMs: number;
  writes: ChildWrite[];
  /** The outcome's message (for an error, its last line). */
  message: string;
  /** A Starlark failure's stack (traceback), when the message has one. */
  stack?: string;
}

export interface HistoryQuery {
  reconciler?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** Only failures (Error, Fatal; a Waiting message is not one: it is retried and usually passes). */
  errors?: boolean;
  /** Entries after this seq only. */
  after?: number;
  /** At most this many, the newest (default all). */
  limit?: number;
}

export const defaultHistorySize = 1000;

export class ReconcileHistory {
  private readonly ring: (HistoryEntry | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly listeners = new Set<(e: HistoryEntry) => void>();

  constructor(readonly size: number = defaultHistorySize) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`the reconcile history size must be a positive integer, got ${size}`);
    this.ring = new Array<HistoryEntry | undefined>(size);
  }

  record(r: ReconcileReport, now = new Date()): HistoryEntry {
    const slash = r.key.indexOf('/');
    const { message, stack } = splitStack(r.message);
    const entry: HistoryEntry = {
      seq: ++this.seq,
      time: now.toISOString(),
      reconciler: r.reconciler,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: slash < 0 ? '' : r.key.slice(0, slash),
      name: slash < 0 ? r.key : r.key.slice(slash + 1),
      trigger: r.trigger,
      outcome: r.outcome,
      durationMs: Math.round(r.durationMs * 1000) / 1000,
      writes: r.writes.slice(),
      message,
      ...(stack ? { stack } : {}),
    };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.size;
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        // A listener must not break the reconciler that reported.
      }
    }
    return entry;
  }

  /** Entries matching q, oldest first. */
  list(q: HistoryQuery = {}): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.next + i) % this.size];
      if (e === undefined || !matches(e, q)) continue;
      out.push(e);
    }
    return q.limit !== undefined && out.length > q.limit ? out.slice(out.length - q.limit) : out;
  }

  /** Calls fn with every new entry; returns the unsubscribe function. */
  subscribe(fn: (e: HistoryEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export function isFailure(e: Pick<HistoryEntry, 'outcome'>): boolean {
  return e.outcome === 'Error' || e.outcome === 'Fatal';
}

function matches(e: HistoryEntry, q: HistoryQuery): boolean {
  return (
    (q.after === undefined || e.seq > q.after) &&
    (q.reconciler === undefined || e.reconciler === q.reconciler) &&
    (q.kind === undefined || e.kind === q.kind) &&
    (q.namespace === undefined || e.namespace === q.namespace) &&
    (q.name === undefined || e.name === q.name) &&
    (!q.errors || isFailure(e))
  );
}

/** A Starlark traceback ("Traceback (most recent call last): … Error: msg") → its last line as the message, the whole as the stack. */
function splitStack(text: string): { message: string; stack?: string } {
  if (!text.startsWith('Traceback')) return { message: text };
  const lines = text.trimEnd().split('\n');
  return { message: lines[lines.length - 1]!.trim(), stack: text };
}
