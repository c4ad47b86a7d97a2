// The last `run once`, kept for `choreoctl run deps` and `choreoctl run result`
// (the original's commands of the same names, which read the result its server
// keeps after `run once`). We have no server between commands, so `run once`
// records what they need in <project>/.choreo/last-run.json: per reconciler the
// count of each operation (the original's Start / Stop / Requeue / Error), and
// for every resulting custom resource its identity and owner references.
//
// Key idea: record facts, render later. The file is small (no specs or
// statuses), so the renderers below reproduce the original's output formats
// exactly from it: the ownership tree of pkg/util/inventory and the per-
// reconciler operation table of `run once`.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KObject } from '../api/object.js';
import type { ReconcileReport } from '../reconciler/runtime.js';
import type { RunReport } from './observer.js';

export interface OperationCounts {
  start: number;
  stop: number;
  requeue: number;
  error: number;
}

export interface RecordedResource {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  owners: Array<{ apiVersion: string; kind: string; name: string; uid?: string }>;
}

export interface LastRun {
  version: 1;
  finishedAt: string;
  success: boolean;
  reason: string;
  durationMs: number;
  loadErrors: string[];
  reconcilers: Record<string, OperationCounts>;
  resources: RecordedResource[];
}

export const lastRunFile = (dir: string) => join(resolve(dir), '.choreo', 'last-run.json');

/** Counts reconcile operations the way the original's runner reports them. */
export class RunRecorder {
  private readonly counts = new Map<string, OperationCounts>();

  addReconciler(name: string): void {
    if (!this.counts.has(name)) this.counts.set(name, { start: 0, stop: 0, requeue: 0, error: 0 });
  }

  /**
   * Every reconcile is a Start; it ends as Error (an error or a fatal result),
   * Requeue (requeue or requeueAfter, and a message, which always requeues)
   * or Stop (done, and a finished deletion).
   */
  record(r: ReconcileReport): void {
    this.addReconciler(r.reconciler);
    const c = this.counts.get(r.reconciler)!;
    c.start++;
    if (r.outcome === 'Error' || r.outcome === 'Fatal') c.error++;
    else if (r.outcome === 'Requeue' || r.outcome === 'Waiting') c.requeue++;
    else c.stop++;
  }

  lastRun(report: RunReport, objects: KObject[]): LastRun {
    return {
      version: 1,
      finishedAt: new Date().toISOString(),
      success: report.success,
      reason: report.reason,
      durationMs: Math.round(report.durationMs),
      loadErrors: report.loadErrors,
      reconcilers: Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      resources: objects.map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
        name: o.metadata.name ?? '',
        ...(o.metadata.uid ? { uid: o.metadata.uid } : {}),
        owners: (o.metadata.ownerReferences ?? []).map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, ...(r.uid ? { uid: r.uid } : {}) })),
      })),
    };
  }
}

/** Writes the record atomically (a reader never sees half a file). */
export async function saveLastRun(dir: string, run: LastRun): Promise<void> {
  const file = lastRunFile(dir);
  await mkdir(join(resolve(dir), '.choreo'), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(run, null, 1) + '\n');
  await rename(`${file}.tmp`, file);
}

export class NoRunError extends Error {
  constructor(readonly dir: string) {
    super(`no run recorded for ${dir} (${lastRunFile(dir)} not found): run \`choreoctl run once ${dir}\` first`);
    this.name = 'NoRunError';
  }
}

export async function readLastRun(dir: string): Promise<LastRun> {
  let text: string;
  try {
    text = await readFile(lastRunFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NoRunError(dir);
    throw err;
  }
  const run = JSON.parse(text) as LastRun;
  if (run.version !== 1) throw new Error(`${lastRunFile(dir)}: unsupported version ${String(run.version)}; run \`choreoctl run once ${dir}\` again`);
  return run;
}

// ---- run deps: the ownership tree ----

/** The original's sort and print key: "<Kind>.<apiVersion> <name>". */
const label = (r: { kind: string; apiVersion: string; name: string }) => `${r.kind}.${r.apiVersion} ${r.name}`;
const byLabel = (a: RecordedResource, b: RecordedResource) => {
  const x = label(a).toLowerCase();
  const y = label(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The ownership tree as the original prints it: every resource without owners
 * is a root; children are indented two spaces per level below the first and
 * marked "+-"; siblings and roots sorted by "<Kind>.<apiVersion> <name>".
 * A resource whose owners are all gone is printed as a root (the original
 * drops it from the tree, which hides exactly what a user is looking for).
 */
export function renderOwnershipTree(resources: RecordedResource[]): string {
  const key = (r: { apiVersion: string; kind: string; name: string; uid?: string }, ns?: string) => r.uid ?? `${r.apiVersion}|${r.kind}|${ns ?? ''}|${r.name}`;
  const byKey = new Map(resources.map((r) => [key(r, r.namespace), r]));
  const children = new Map<RecordedResource, RecordedResource[]>();
  const roots: RecordedResource[] = [];
  for (const r of resources) {
    const owners = r.owners.map((o) => byKey.get(key(o, r.namespace))).filter((o): o is RecordedResource => o !== undefined);
    if (owners.length === 0) roots.push(r);
    for (const o of owners) children.set(o, [...(children.get(o) ?? []), r]);
  }
  const lines: string[] = [];
  const print = (r: RecordedResource, depth: number, path: Set<RecordedResource>) => {
    lines.push(`${depth >= 1 ? ' '.repeat((depth - 1) * 2) + '+-' : ''}${label(r)}`);
    if (path.has(r)) return; // an ownership cycle: print the node once more, not forever
    const next = new Set(path).add(r);
    for (const c of [...(children.get(r) ?? [])].sort(byLabel)) print(c, depth + 1, next);
  };
  for (const r of roots.sort(byLabel)) print(r, 0, new Set());
  return lines.join('\n');
}

// ---- run result: per reconciler operation counts ----

/**
 * The original's `run once` summary: "execution success, time(sec) <s>" (or
 * "execution failed" with the reason), then a table whose header cells are
 * left-aligned and whose counts are right-aligned to the column width,
 * reconcilers sorted by name.
 */
export function renderResult(run: LastRun): string {
  const lines: string[] = [];
  if (run.success) lines.push(`execution success, time(sec) ${(run.durationMs / 1000).toFixed(3)}`);
  else {
    lines.push(`execution failed: ${run.reason}`);
    for (const e of run.loadErrors) lines.push(`  ${e}`);
  }
  const names = Object.keys(run.reconcilers).sort();
  if (names.length === 0) return lines.join('\n');
  const cols: Array<keyof OperationCounts> = ['start', 'stop', 'requeue', 'error'];
  const heads = ['Start', 'Stop', 'Requeue', 'Error'];
  const wName = Math.max('Reconciler'.length, ...names.map((n) => n.length));
  const w = cols.map((c, i) => Math.max(heads[i]!.length, ...names.map((n) => String(run.reconcilers[n]![c]).length)));
  lines.push(['Reconciler'.padEnd(wName), ...heads.map((h, i) => h.padEnd(w[i]!))].join(' '));
  for (const n of names) lines.push([n.padEnd(wName), ...cols.map((c, i) => String(run.reconcilers[n]![c]).padStart(w[i]!))].join(' '));
  return lines.join('\n');
}
