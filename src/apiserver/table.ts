// Server-side printing for `kubectl get`: meta.k8s.io Table responses with
// columnDefinitions (priority > 0 only shown with -o wide) and one row per
// object, each row carrying the object (PartialObjectMetadata by default, as
// kube-apiserver's includeObject=Metadata) so kubectl can add NAMESPACE.
//
// Key idea: a type's columns are compiled once (JSONPath → steps) and cached
// per ResourceType in a WeakMap, so rendering 10,000 rows is a tight loop.
// Ages are rendered server-side with apimachinery's HumanDuration rules.

import type { KObject } from '../api/object.js';
import { compileJsonPath, evalJsonPath, type Step } from './jsonpath.js';
import type { PrinterColumn, ResourceType } from './registry/resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface CompiledColumn {
  def: { name: string; type: string; format: string; description: string; priority: number };
  cell: (o: KObject, now: number) => unknown;
}

const nameColumn: CompiledColumn = {
  def: { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  cell: (o) => o.metadata.name ?? '',
};

const defaultColumns: PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0, description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];

const serverFormats = new Set(['count', 'object-ref', 'or-none', 'list', 'selector', 'service-ports', 'endpoints']);

const compiled = new WeakMap<ResourceType, CompiledColumn[]>();

function columnsOf(t: ResourceType): CompiledColumn[] {
  let cols = compiled.get(t);
  if (!cols) {
    const printer = t.printerColumns.length ? t.printerColumns : defaultColumns;
    cols = [nameColumn, ...printer.map(compileColumn)];
    compiled.set(t, cols);
  }
  return cols;
}

function compileColumn(c: PrinterColumn): CompiledColumn {
  if (c.format === 'count' && c.jsonPath.includes(',')) return countColumn(c);
  let steps: Step[] | undefined;
  try {
    steps = compileJsonPath(c.jsonPath);
  } catch {
    steps = undefined; // an unsupported path renders as <none>, like an absent field
  }
  // `count`, `object-ref`, `or-none`, `list`, `selector`, `service-ports`, `endpoints` are the server's own formats for built-in columns; clients see none.
  const def = { name: c.name, type: c.type, format: c.format && serverFormats.has(c.format) ? '' : (c.format ?? ''), description: c.description ?? '', priority: c.priority };
  return {
    def,
    cell: (o, now) => {
      if (!steps) return null;
      const found = evalJsonPath(steps, o);
      if (found.length === 0) return serverFormats.has(c.format ?? '') && c.format !== 'count' && c.format !== 'object-ref' ? cellValue(c, undefined, now) : null;
      return cellValue(c, found[0], now);
    },
  };
}

/** `count` over several paths (`.data,.binaryData`): the keys of all of them, as ConfigMap's DATA column counts. */
function countColumn(c: PrinterColumn): CompiledColumn {
  const paths = c.jsonPath.split(',').map((p) => compileJsonPath(p.trim()));
  const def = { name: c.name, type: c.type, format: '', description: c.description ?? '', priority: c.priority };
  return { def, cell: (o) => paths.reduce((n, steps) => n + (cellValue(c, evalJsonPath(steps, o)[0], 0) as number), 0) };
}

function cellValue(c: PrinterColumn, v: unknown, now: number): unknown {
  if (c.format === 'count') return v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
  if (c.format === 'or-none') return typeof v === 'string' && v !== '' ? v : '<none>';
  if (c.format === 'list') return Array.isArray(v) && v.length ? v.join(',') : '<none>';
  if (c.format === 'selector') return v !== null && typeof v === 'object' && Object.keys(v).length ? Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(',') : '<none>';
  if (c.format === 'service-ports') return servicePorts(v);
  if (c.format === 'endpoints') return endpoints(v);
  if (c.format === 'object-ref') {
    const r = (v ?? {}) as { kind?: string; name?: string };
    return `${(r.kind ?? '').toLowerCase()}/${r.name ?? ''}`;
  }
  switch (c.type) {
    case 'date': {
      if (typeof v !== 'string') return null;
      const t = Date.parse(v);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

/** kubectl's PORT(S) cell: `80/TCP,443:30443/TCP`. */
function servicePorts(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return '<none>';
  return v.map((p: { port?: number; nodePort?: number; protocol?: string }) => `${p.port ?? ''}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

/** kubectl's ENDPOINTS cell: ip:port pairs of ready addresses, the first three then "+ N more...". */
function endpoints(v: unknown): string {
  const pairs: string[] = [];
  for (const s of Array.isArray(v) ? (v as { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[]) : []) {
    const ports = s.ports?.length ? s.ports : [{}];
    for (const a of s.addresses ?? []) for (const p of ports) pairs.push(p.port !== undefined ? `${a.ip}:${p.port}` : `${a.ip}`);
  }
  if (pairs.length === 0) return '<none>';
  return pairs.length > 3 ? `${pairs.slice(0, 3).join(',')} + ${pairs.length - 3} more...` : pairs.join(',');
}

/** apimachinery duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function partialMetadata(o: KObject, version = 'v1'): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

/**
 * The row object of a Table: metadata without managedFields, which no table
 * printer shows and which would otherwise double the size of a large listing.
 */
function rowMetadata(o: KObject, version: string): unknown {
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata };
}

/** A Table of `objects`; `withColumns` false omits columnDefinitions (watch events after the first). */
export function renderTable(
  t: ResourceType,
  objects: KObject[],
  opts: { version: string; include: IncludeObject; resourceVersion?: string; continue?: string; withColumns?: boolean },
): unknown {
  const cols = columnsOf(t);
  const now = Date.now();
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o, now)) };
    if (opts.include === 'Object') row.object = o;
    else if (opts.include === 'Metadata') row.object = rowMetadata(o, opts.version);
    return row;
  });
  const metadata: Record<string, string> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.withColumns === false ? null : cols.map((c) => c.def),
    rows,
  };
}
