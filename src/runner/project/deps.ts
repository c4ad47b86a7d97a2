// `choreoctl run deps --refs`: which source — the project itself or one of its
// UpstreamRefs — supplied each CRD, library, reconciler and input, and where
// each ref was resolved from. Built from discovery alone (nothing runs), so it
// also explains a load error such as a CRD defined twice or a ref not found.

import type { ProjectSource } from './discover.js';

export interface DepsRow {
  source: string; // "(project)" or the ref name ("greeting", "greeting/nested")
  kind: string; // CustomResourceDefinition, Library, Reconciler, or an input's kind
  name: string;
  file: string;
}

export interface DepsReport {
  refs: Array<{ name: string; url: string; ref: string; directory: string; type: string; resolvedFrom: string; via?: string }>;
  rows: DepsRow[];
}

export function projectDeps(p: ProjectSource): DepsReport {
  const src = (o: string | undefined) => o ?? '(project)';
  const rows: DepsRow[] = [
    ...p.crds.map((m) => ({ source: src(m.origin), kind: 'CustomResourceDefinition', name: m.object.metadata.name ?? '', file: m.pos.file })),
    ...p.libraries.map((l) => ({ source: src(l.origin), kind: 'Library', name: l.names[0]!, file: l.file })),
    ...p.reconcilers.map((r) => ({ source: src(r.origin), kind: 'Reconciler', name: r.name, file: r.pos.file })),
    ...p.inputs.map((m) => ({
      source: src(m.origin),
      kind: m.object.kind,
      name: `${m.object.metadata.namespace ? `${m.object.metadata.namespace}/` : ''}${m.object.metadata.name ?? ''}`,
      file: m.pos.file,
    })),
  ];
  const refs = p.refs.map((r) => ({
    name: r.via ? `${r.via}/${r.ref.name}` : r.ref.name,
    url: r.ref.url,
    ref: `${r.ref.ref.type} ${r.ref.ref.name}`,
    directory: r.ref.directory || '.',
    type: r.ref.type,
    resolvedFrom: r.source,
    ...(r.via ? { via: r.via } : {}),
  }));
  return { refs, rows };
}

export function renderDeps(d: DepsReport): string {
  const lines: string[] = [];
  for (const r of d.refs) lines.push(`ref ${r.name}: ${r.url} ${r.ref} (directory ${r.directory}, type ${r.type})\n  resolved from ${r.resolvedFrom}`);
  if (d.refs.length > 0) lines.push('');
  const header: DepsRow = { source: 'SOURCE', kind: 'KIND', name: 'NAME', file: 'FILE' };
  const all = [header, ...d.rows];
  const w = (k: keyof DepsRow) => Math.max(...all.map((r) => r[k].length));
  const [ws, wk, wn] = [w('source'), w('kind'), w('name')];
  for (const r of all) lines.push(`${r.source.padEnd(ws)}  ${r.kind.padEnd(wk)}  ${r.name.padEnd(wn)}  ${r.file}`.trimEnd());
  return lines.join('\n');
}
