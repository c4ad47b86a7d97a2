// `choreoctl run reconcile`: prints the dry run of one reconcile
// (runner/dryrun.ts) as text, YAML or JSON. Exit code 1 when the reconcile
// ends in an error or a fatal outcome, or the object or reconciler is not found.

import { stringify } from 'yaml';
import type { ProjectPaths } from '../../runner/project/discover.js';
import { dryRunReconcile, DryRunError, type DryRunResult, type ObjectRef } from '../../runner/dryrun.js';
import { noPaint, type Paint } from '../../runner/observer.js';
import { paintFor } from './color.js';

export interface ReconcileFlags {
  namespace: string;
  reconciler?: string;
  output: string;
  maxSteps: number;
  maxMemory: number;
}

const refText = (r: ObjectRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

export function renderDryRun(r: DryRunResult, paint: Paint = noPaint): string {
  const ok = r.outcome === 'Ready' || r.outcome === 'Requeue';
  const out: string[] = [`${refText(r.object)} (reconciler ${r.reconciler}): ${ok ? paint.good(r.outcome) : paint.bad(r.outcome)}`];
  if (r.message) out.push(...r.message.split('\n').map((l) => `  ${l}`));
  if (r.requeue) out.push(`  requeue${r.requeueAfterSeconds ? ` after ${r.requeueAfterSeconds}s` : ''}`);
  for (const w of r.warnings) out.push('', `${paint.warn('warning:')} ${w}`);
  out.push('', `desired children (${r.children.length}):`);
  for (const c of r.children) out.push('---', stringify(c, { lineWidth: 0 }).trimEnd());
  out.push('', 'status:', r.status === undefined ? '  (none)' : stringify(r.status, { lineWidth: 0 }).trimEnd().replace(/^/gm, '  '));
  out.push('', r.condition ? `condition ${r.condition.type}: ${r.condition.status}${r.condition.reason ? ` (${r.condition.reason})` : ''}${r.condition.message ? `: ${r.condition.message}` : ''}` : 'condition: none written');
  for (const [what, refs] of [['create', r.created], ['update', r.updated], ['delete', r.deleted]] as const) {
    out.push('', `would ${what}:${refs.length === 0 ? ' nothing' : ''}`);
    for (const ref of refs) out.push(`  ${refText(ref)}`);
  }
  out.push('', '(dry run: nothing was written)');
  return out.join('\n');
}

export async function reconcileCommand(dir: string, ref: string | undefined, o: ReconcileFlags, paths: Partial<ProjectPaths>): Promise<void> {
  if (!['text', 'json', 'yaml'].includes(o.output)) throw new Error(`--output must be text, json or yaml, got ${o.output}`);
  if (ref === undefined) throw new Error('missing the object: choreoctl run reconcile [dir] <resource>/<name>');
  let r: DryRunResult;
  try {
    r = await dryRunReconcile({ dir, ref, namespace: o.namespace, reconciler: o.reconciler, paths, limits: { maxSteps: o.maxSteps, maxMemoryMiB: o.maxMemory } });
  } catch (err) {
    if (!(err instanceof DryRunError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (o.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else if (o.output === 'yaml') process.stdout.write(stringify(r, { lineWidth: 0 }));
  else process.stdout.write(renderDryRun(r, paintFor(process.stdout)) + '\n');
  process.exitCode = r.outcome === 'Error' || r.outcome === 'Fatal' ? 1 : 0;
}
