// The observer of `run once`: it watches every reconcile outcome and, when the
// system is quiescent, judges the run. A run succeeds when no reconcile is
// failing and every For object's last outcome is Ready; it names the objects
// that are stuck (erroring, fatal, waiting on a dependency, requeueing forever)
// with their last message, which carries the Starlark stack for errors.

import type { ReconcileReport, OutcomeKind } from '../reconciler/runtime.js';

export interface ReconcilerStats {
  reconciler: string;
  reconciles: number;
  errors: number;
  meanMs: number;
  maxMs: number;
}

export interface StuckObject {
  reconciler: string;
  kind: string;
  key: string;
  outcome: OutcomeKind;
  message: string;
  /** How many reconciles this object had in a row with a non-Ready outcome. */
  attempts: number;
}

export interface WriteCounts {
  kind: string;
  created: number;
  updated: number;
  deleted: number;
}

export interface RunReport {
  success: boolean;
  reason: string;
  durationMs: number;
  reconcilers: ReconcilerStats[];
  stuck: StuckObject[];
  writes: WriteCounts[];
  loadErrors: string[];
}

interface ObjectState {
  reconciler: string;
  kind: string;
  key: string;
  outcome: OutcomeKind;
  message: string;
  attempts: number;
}

export class Observer {
  private readonly stats = new Map<string, { reconciles: number; errors: number; totalMs: number; maxMs: number }>();
  private readonly objects = new Map<string, ObjectState>();
  private readonly writes = new Map<string, WriteCounts>();
  total = 0;
  errors = 0;

  /** Registers a reconciler so it appears in the report even if it never ran. */
  addReconciler(name: string): void {
    if (!this.stats.has(name)) this.stats.set(name, { reconciles: 0, errors: 0, totalMs: 0, maxMs: 0 });
  }

  record(r: ReconcileReport): void {
    this.total++;
    this.addReconciler(r.reconciler);
    const s = this.stats.get(r.reconciler)!;
    s.reconciles++;
    s.totalMs += r.durationMs;
    s.maxMs = Math.max(s.maxMs, r.durationMs);
    if (r.outcome === 'Error' || r.outcome === 'Fatal') {
      s.errors++;
      this.errors++;
    }
    const id = `${r.reconciler}|${r.key}`;
    if (r.outcome === 'Deleted') this.objects.delete(id);
    else {
      const prev = this.objects.get(id);
      const attempts = r.outcome === 'Ready' ? 0 : (prev && prev.outcome !== 'Ready' ? prev.attempts : 0) + 1;
      this.objects.set(id, { reconciler: r.reconciler, kind: r.kind, key: r.key, outcome: r.outcome, message: r.message, attempts });
    }
    for (const w of r.writes) {
      const c = this.writes.get(w.kind) ?? { kind: w.kind, created: 0, updated: 0, deleted: 0 };
      c[w.op]++;
      this.writes.set(w.kind, c);
    }
  }

  /** Marks an object whose condition is not True at the end of the run (unless already known as stuck). */
  noteNotReady(reconciler: string, kind: string, key: string, message: string): void {
    const id = `${reconciler}|${key}`;
    const prev = this.objects.get(id);
    if (prev && prev.outcome !== 'Ready') return;
    this.objects.set(id, { reconciler, kind, key, outcome: 'Waiting', message, attempts: prev?.attempts ?? 0 });
  }

  /** Forgets an object that no longer exists (deleted without a final reconcile). */
  forget(reconciler: string, key: string): void {
    this.objects.delete(`${reconciler}|${key}`);
  }

  report(durationMs: number, loadErrors: string[], timedOut: boolean): RunReport {
    const stuck = [...this.objects.values()].filter((o) => o.outcome !== 'Ready').sort((a, b) => a.reconciler.localeCompare(b.reconciler) || a.key.localeCompare(b.key));
    const reconcilers = [...this.stats.entries()]
      .map(([reconciler, s]) => ({ reconciler, reconciles: s.reconciles, errors: s.errors, meanMs: s.reconciles ? s.totalMs / s.reconciles : 0, maxMs: s.maxMs }))
      .sort((a, b) => a.reconciler.localeCompare(b.reconciler));
    const writes = [...this.writes.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    let reason = 'all objects ready';
    if (loadErrors.length > 0) reason = `${loadErrors.length} load error(s)`;
    else if (timedOut) reason = 'timed out before the system became quiescent';
    else if (stuck.length > 0) reason = `${stuck.length} object(s) not ready`;
    return { success: loadErrors.length === 0 && !timedOut && stuck.length === 0, reason, durationMs, reconcilers, stuck, writes, loadErrors };
  }
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The human-readable report printed by `run once`. */
export function renderReport(r: RunReport): string {
  const out: string[] = [];
  out.push(`${r.success ? 'run succeeded' : 'run failed'}: ${r.reason} (${(r.durationMs / 1000).toFixed(2)}s)`);
  if (r.loadErrors.length > 0) {
    out.push('', 'Load errors:');
    for (const e of r.loadErrors) out.push(`  ${e}`);
  }
  if (r.reconcilers.length > 0) {
    out.push('', table(['RECONCILER', 'RECONCILES', 'ERRORS', 'MEAN', 'MAX'], r.reconcilers.map((s) => [s.reconciler, String(s.reconciles), String(s.errors), `${s.meanMs.toFixed(2)}ms`, `${s.maxMs.toFixed(2)}ms`])));
  }
  if (r.writes.length > 0) {
    out.push('', table(['KIND', 'CREATED', 'UPDATED', 'DELETED'], r.writes.map((w) => [w.kind, String(w.created), String(w.updated), String(w.deleted)])));
  }
  if (r.stuck.length > 0) {
    out.push('', 'Not ready:');
    for (const s of r.stuck) {
      out.push(`  ${s.kind} ${s.key} (reconciler ${s.reconciler}): ${s.outcome}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}`);
      for (const line of s.message.split('\n')) out.push(`    ${line}`);
    }
  }
  return out.join('\n');
}
