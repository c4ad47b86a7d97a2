// Printing objects the way kubectl prints them, so `choreoctl get` output can
// be diffed against `kubectl get` output and pasted back into `apply`:
//  - YAML and JSON with keys in Go map order (kubectl marshals unstructured
//    objects through Go maps), managedFields dropped (kubectl's default),
//    several objects wrapped in a `kind: List`;
//  - JSON indented by four spaces with Go's HTML-safe escapes;
//  - YAML byte-for-byte as kubectl's go-yaml v2 writes it (goyaml.ts);
//  - server-rendered Tables (as=Table) as columns padded by three spaces, as
//    kubectl's tabwriter does.
//
// Trade-off: JSON numbers are JavaScript doubles, so integers beyond 2^53
// (which kubectl keeps exact as int64) cannot be printed exactly.

import { goKeyOrder, goYaml } from './goyaml.js';

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

/** JSON as kubectl prints it: Go's json.MarshalIndent with four spaces, map keys in Go order, HTML-safe escapes. */
export function toJson(v: unknown): string {
  return goJson(v, '') + '\n';
}

function goJson(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = indent + '    ';
    return `[\n${v.map((x) => inner + goJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort(goKeyOrder);
    if (keys.length === 0) return '{}';
    const inner = indent + '    ';
    return `{\n${keys.map((k) => `${inner}${goString(k)}: ${goJson((v as Record<string, unknown>)[k], inner)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof v === 'string') return goString(v);
  return JSON.stringify(v ?? null); // numbers: JavaScript and Go choose the same shortest form and exponent thresholds
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** YAML as kubectl prints it (go-yaml v2 rules, see goyaml.ts). */
export function toYaml(v: unknown): string {
  return goYaml(v);
}

/** Column texts aligned like kubectl's tabwriter; `minWidths` keeps a watch's later rows in line with the first. */
export function alignColumns(rows: string[][], minWidths: number[] = []): { text: string; widths: number[] } {
  const widths: number[] = [...minWidths];
  const runes = (c: string) => [...c].length; // tabwriter counts characters, not UTF-16 units
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, runes(c))));
  // kubectl's tabwriter: padding 3, minimum cell width 6; the last cell is not padded, but
  // an empty last cell leaves the padding of the one before it (kubectl prints those spaces too).
  const cellWidth = (i: number) => Math.max(widths[i] + 3, 6);
  const text = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(cellWidth(i) - runes(c)))).join('') + '\n').join('');
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
