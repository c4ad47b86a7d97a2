// Printing objects the way kubectl prints them, so `choreoctl get` output can
// be diffed against `kubectl get` output and pasted back into `apply`:
//  - YAML and JSON with keys sorted (kubectl marshals unstructured objects
//    through Go maps), managedFields dropped (kubectl's default since 1.21),
//    several objects wrapped in a `kind: List`;
//  - JSON indented by four spaces with Go's HTML-safe escapes;
//  - YAML byte-for-byte as kubectl's go-yaml v2 writes it (goyaml.ts);
//  - server-rendered Tables (as=Table) as columns padded by three spaces, as
//    kubectl's tabwriter does.
//
// Trade-off: JSON numbers are JavaScript doubles, so integers beyond 2^53
// (which kubectl keeps exact as int64) cannot be printed exactly.

import { goYaml } from './goyaml.js';

/** Deep copy with map keys sorted (Go map order). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The object as kubectl shows it: without metadata.managedFields. */
export function withoutManagedFields<T>(obj: T): T {
  const o = obj as { metadata?: Record<string, unknown> };
  if (!o || typeof o !== 'object' || !o.metadata || !('managedFields' in o.metadata)) return obj;
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata } as T;
}

/** One object as itself, several as a kubectl `kind: List`. */
export function listOrObject(objects: unknown[], single: boolean): unknown {
  if (single && objects.length === 1) return objects[0];
  return { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
}

export function toJson(v: unknown): string {
  return (
    JSON.stringify(sortKeys(v), null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
  );
}

/** YAML as kubectl prints it (go-yaml v2 rules, see goyaml.ts), keys sorted. */
export function toYaml(v: unknown): string {
  return goYaml(sortKeys(v));
}

/** Column texts aligned like kubectl's tabwriter (padding 3; the last column is not padded). */
export function alignColumns(rows: string[][], minWidths: number[] = []): { text: string; widths: number[] } {
  const widths: number[] = [...minWidths];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const text = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd() + '\n').join('');
  return { text, widths };
}

export interface TableColumn {
  name: string;
  type?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } };
}

export interface Table {
  kind: 'Table';
  columnDefinitions: TableColumn[] | null;
  rows: TableRow[] | null;
}

/** A cell as kubectl prints it: absent values as empty text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * The header and rows of a Table as text cells: priority-0 columns (all with
 * `wide`), plus a leading NAMESPACE column from each row's object when
 * listing across namespaces.
 */
export function tableCells(columns: TableColumn[], rows: TableRow[], opts: { wide?: boolean; withNamespace?: boolean; header?: boolean }): string[][] {
  const shown = columns.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const out: string[][] = [];
  if (opts.header !== false) out.push([...(opts.withNamespace ? ['NAMESPACE'] : []), ...shown.map(({ c }) => c.name.toUpperCase())]);
  for (const r of rows) out.push([...(opts.withNamespace ? [r.object?.metadata?.namespace ?? ''] : []), ...shown.map(({ i }) => cellText(r.cells[i]))]);
  return out;
}
