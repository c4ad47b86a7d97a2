// The observer of `run once`: it watches every reconcile outcome and, when the
// system is quiescent, judges the run. A run succeeds when no reconcile is
// failing and every For object's last outcome is Ready; it names the objects
// that are stuck (erroring, fatal, waiting on a dependency, requeueing forever)
// with their last message, which carries the Starlark stack for errors.
//
// Hot-loop guard: it also sees every object a reconciler writes. An object
// that keeps coming back to a state it already had — comparing its content
// without bookkeeping (resourceVersion, generation, managedFields,
// observedGeneration, lastTransitionTime) — is being rewritten without
// progress: reconcilers undoing each other, or re-asserting what is already
// there. Once one object has done so `hotLoopRepeats` times the run is a hot
// loop; `hotLoop` resolves and the report names the objects and the
// reconcilers writing them. Converging runs revisit a state rarely (a wait
// that clears, then returns), far below the threshold. Cost: nothing for an
// object written once; from its second write on, one JSON fingerprint per write.

import type { KObject } from '../api/object.js';
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

export interface HotObject {
  kind: string;
  key: string;
  /** Writes by reconcilers during the run. */
  writes: number;
  /** Writes that brought it back to a state it had already had. */
  repeats: number;
  reconcilers: string[];
}

export interface RunReport {
  success: boolean;
  reason: string;
  durationMs: number;
  reconcilers: ReconcilerStats[];
  stuck: StuckObject[];
  writes: WriteCounts[];
  loadErrors: string[];
  /** Objects rewritten over and over without progress (the run was stopped as a hot loop). */
  hotLoop: HotObject[];
  /** Problems that do not fail the run by themselves but explain one (a status schema that prunes the conditions written). */
  warnings: string[];
}

/** How the report marks good, bad and doubtful news (ANSI colours on a terminal, nothing otherwise). */
export interface Paint {
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
}

export const noPaint: Paint = { good: (s) => s, bad: (s) => s, warn: (s) => s };

interface ObjectState extends StuckObject {
  /** Condition type of the last outcome; null = none maintained (legacy reconcile_result with conditionType ''). */
  conditionType: string | null;
}

interface WrittenObject {
  kind: string;
  key: string;
  writes: number;
  /** Fingerprints of the states since its second write (see header). */
  seen?: Set<string>;
  repeats: number;
  /** Reconcilers whose writes repeated a state. */
  by: Set<string>;
}

/** Revisits of earlier states by one object that make the run a hot loop. */
export const hotLoopRepeats = 20;
/** States remembered per object; an object with more distinct states is making progress. */
const maxStates = 256;
/** Condition bookkeeping that changes without saying anything new. */
const volatile = new Set(['observedGeneration', 'lastTransitionTime']);

/** The object's content: all but metadata bookkeeping (resourceVersion, generation, managedFields, ...) and `volatile` keys. */
function fingerprint(obj: KObject): string {
  const m = obj.metadata;
  const content = { ...obj, metadata: { labels: m.labels, annotations: m.annotations, finalizers: m.finalizers, ownerReferences: m.ownerReferences, deletionTimestamp: m.deletionTimestamp } };
  return JSON.stringify(content, (k, v) => (volatile.has(k) ? undefined : v));
}

export class Observer {
  private readonly stats = new Map<string, { reconciles: number; errors: number; totalMs: number; maxMs: number }>();
  private readonly objects = new Map<string, ObjectState>();
  private readonly writes = new Map<string, WriteCounts>();
  private readonly written = new Map<string, WrittenObject>();
  private hot: HotObject[] = [];
  private hotFound!: () => void;
  /** Resolves when the run is found to be a hot loop. */
  readonly hotLoop = new Promise<void>((resolve) => (this.hotFound = resolve));
  total = 0;
  errors = 0;

  /** Notes an object a reconciler wrote (as stored); see the hot-loop guard in the header. */
  noteWrite(reconciler: string, obj: KObject): void {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    const id = `${obj.apiVersion}|${obj.kind}|${key}`;
    let w = this.written.get(id);
    if (!w) {
      this.written.set(id, { kind: obj.kind, key, writes: 1, repeats: 0, by: new Set() });
      return;
    }
    w.writes++;
    const fp = fingerprint(obj);
    if (!w.seen) w.seen = new Set([fp]);
    else if (w.seen.has(fp)) {
      w.repeats++;
      w.by.add(reconciler);
      if (w.repeats === hotLoopRepeats && this.hot.length === 0) {
        this.hot = [...this.written.values()]
          .filter((o) => o.repeats >= hotLoopRepeats / 4)
          .map((o) => ({ kind: o.kind, key: o.key, writes: o.writes, repeats: o.repeats, reconcilers: [...o.by].sort() }))
          .sort((a, b) => b.repeats - a.repeats || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
        this.hotFound();
      }
    } else if (w.seen.size < maxStates) w.seen.add(fp);
  }

  /** The condition type the object's last outcome was recorded under (undefined: never reconciled; null: none). */
  conditionTypeOf(reconciler: string, key: string): string | null | undefined {
    return this.objects.get(`${reconciler}|${key}`)?.conditionType;
  }

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
      this.objects.set(id, { reconciler: r.reconciler, kind: r.kind, key: r.key, outcome: r.outcome, message: r.message, attempts, conditionType: r.conditionType });
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
    this.objects.set(id, { reconciler, kind, key, outcome: 'Waiting', message, attempts: prev?.attempts ?? 0, conditionType: prev?.conditionType ?? null });
  }

  /** Forgets an object that no longer exists (deleted without a final reconcile). */
  forget(reconciler: string, key: string): void {
    this.objects.delete(`${reconciler}|${key}`);
  }

  private readonly warnings: string[] = [];

  warn(message: string): void {
    this.warnings.push(message);
  }

  report(durationMs: number, loadErrors: string[], timedOut: boolean): RunReport {
    const stuck = [...this.objects.values()].filter((o) => o.outcome !== 'Ready').sort((a, b) => a.reconciler.localeCompare(b.reconciler) || a.key.localeCompare(b.key));
    const reconcilers = [...this.stats.entries()]
      .map(([reconciler, s]) => ({ reconciler, reconciles: s.reconciles, errors: s.errors, meanMs: s.reconciles ? s.totalMs / s.reconciles : 0, maxMs: s.maxMs }))
      .sort((a, b) => a.reconciler.localeCompare(b.reconciler));
    const writes = [...this.writes.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    const hotLoop = this.hot;
    let reason = 'all objects ready';
    if (loadErrors.length > 0) reason = `${loadErrors.length} load error(s)`;
    else if (hotLoop.length > 0) reason = `hot loop: ${hotLoop.length} object(s) rewritten over and over without progress, by ${[...new Set(hotLoop.flatMap((h) => h.reconcilers))].sort().join(', ')}`;
    else if (timedOut) reason = 'timed out before the system became quiescent';
    else if (stuck.length > 0) reason = `${stuck.length} object(s) not ready`;
    return { success: loadErrors.length === 0 && !timedOut && hotLoop.length === 0 && stuck.length === 0, reason, durationMs, reconcilers, stuck, writes, loadErrors, hotLoop, warnings: [...this.warnings] };
  }
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The human-readable report printed by `run once`. */
export function renderReport(r: RunReport, paint: Paint = noPaint): string {
  const out: string[] = [];
  const verdict = r.success ? paint.good('run succeeded') : paint.bad('run failed');
  out.push(`${verdict}: ${r.reason} (${(r.durationMs / 1000).toFixed(2)}s)`);
  if (r.loadErrors.length > 0) {
    out.push('', paint.bad('Load errors:'));
    for (const e of r.loadErrors) out.push(`  ${e}`);
  }
  if (r.warnings.length > 0) {
    out.push('', paint.warn('Warnings:'));
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  if (r.reconcilers.length > 0) {
    out.push('', table(['RECONCILER', 'RECONCILES', 'ERRORS', 'MEAN', 'MAX'], r.reconcilers.map((s) => [s.reconciler, String(s.reconciles), String(s.errors), `${s.meanMs.toFixed(2)}ms`, `${s.maxMs.toFixed(2)}ms`])));
  }
  if (r.writes.length > 0) {
    out.push('', table(['KIND', 'CREATED', 'UPDATED', 'DELETED'], r.writes.map((w) => [w.kind, String(w.created), String(w.updated), String(w.deleted)])));
  }
  if (r.hotLoop.length > 0) {
    out.push('', paint.bad('Hot loop (objects rewritten over and over, returning to states they already had):'));
    for (const h of r.hotLoop) out.push(`  ${h.kind} ${h.key}: ${h.writes} writes, ${h.repeats} back to an earlier state, by reconcilers ${h.reconcilers.join(', ')}`);
  }
  if (r.stuck.length > 0) {
    out.push('', paint.bad('Not ready:'));
    for (const s of r.stuck) {
      out.push(`  ${s.kind} ${s.key} (reconciler ${s.reconciler}): ${paint.warn(s.outcome)}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}`);
      for (const line of s.message.split('\n')) out.push(`    ${line}`);
    }
  }
  return out.join('\n');
}
