// Merging a project's UpstreamRefs into it.
//
// Each ref in refs/ is resolved (resolve.ts) and discovered as a project of
// its own — its refs too, with a guard against cycles — and then merged:
// `type: crd` brings its CRDs and libraries, `type: all` everything (CRDs,
// libraries, reconcilers, inputs). `includes` narrows the files taken. What
// the project defines itself wins over what a ref brings (same library or
// reconciler name); the ref's CRDs and inputs come first, so the project's
// own versions are applied last. Every merged piece remembers its origin, and
// its file positions read `<ref>@<ref name>/<path>` so an error in a ref's
// file says where it came from. A `type: crd` ref to a repository that is not
// a choreo project (no crds/ folder, as sdcio/config-server or kuidio/kuid)
// is searched for CRD files instead (findcrds.ts). `choreoctl run deps --refs` prints the result.

import { relative } from 'node:path';
import type { DiscoverOptions, ProjectSource, ResolvedRefInfo } from '../project/source.js';
import { LoadError, type Manifest } from '../project/yamlfile.js';
import { RefNotFoundError, resolveRef, urlKey } from './resolve.js';
import { describeRef, includedBy, parseUpstreamRef, RefError, type UpstreamRef } from './upstreamref.js';
import { findCrds } from './findcrds.js';

type Discover = (dir: string, opts: DiscoverOptions) => Promise<ProjectSource>;

export async function loadRefs(project: ProjectSource, manifests: Manifest[], opts: DiscoverOptions & { discover: Discover }): Promise<void> {
  const loading = opts.loading ?? new Set<string>();
  const merged = { crds: [] as Manifest[], inputs: [] as Manifest[] };
  for (const m of manifests) {
    let ref: UpstreamRef;
    try {
      ref = parseUpstreamRef(m);
    } catch (err) {
      if (err instanceof RefError) project.errors.push(new LoadError(err.pos, err.message));
      else throw err;
      continue;
    }
    const key = `${urlKey(ref.url)}@${ref.ref.name}/${ref.directory}`;
    if (loading.has(key)) {
      project.errors.push(new LoadError(ref.pos, `upstream ref ${describeRef(ref)} refers back to a ref being loaded (a cycle)`));
      continue;
    }
    let resolved;
    try {
      resolved = await resolveRef(ref, project.dir, opts.env);
    } catch (err) {
      if (err instanceof RefNotFoundError) project.errors.push(new LoadError(ref.pos, err.message));
      else project.errors.push(new LoadError(ref.pos, `upstream ref ${describeRef(ref)}: ${(err as Error).message}`));
      continue;
    }
    const label = `${ref.name}@${ref.ref.type === 'hash' ? ref.ref.name.slice(0, 12) : ref.ref.name}`;
    try {
      const sub = await opts.discover(resolved.dir, { ...opts, displayRoot: label, loading: new Set([...loading, key]) });
      // An API repository that is not a choreo project (CRDs under e.g. artifacts/crd/bases/): search it.
      if (ref.type === 'crd' && sub.crds.length === 0) {
        const found = await findCrds(resolved.dir, label, (path) => includedBy(ref.includes, path));
        sub.crds.push(...found.crds);
        sub.errors.push(...found.errors);
      }
      mergeRef(project, sub, ref, label, resolved.source, merged);
    } finally {
      await resolved.cleanup();
    }
  }
  project.crds = [...merged.crds, ...project.crds];
  project.inputs = [...merged.inputs, ...project.inputs];
}

function mergeRef(project: ProjectSource, sub: ProjectSource, ref: UpstreamRef, label: string, source: string, merged: { crds: Manifest[]; inputs: Manifest[] }): void {
  const included = (file: string) => includedBy(ref.includes, file.startsWith(`${label}/`) ? file.slice(label.length + 1) : relative(sub.dir, file));
  const origin = (o: string | undefined) => (o ? `${ref.name}/${o}` : ref.name);
  const info: ResolvedRefInfo = { ref, source, supplied: { crds: [], libraries: [], reconcilers: [], inputs: [] } };
  project.refs.push(info, ...sub.refs.map((r) => ({ ...r, via: r.via ? `${ref.name}/${r.via}` : ref.name })));
  project.errors.push(...sub.errors);

  for (const m of sub.crds.filter((c) => included(c.pos.file))) {
    merged.crds.push({ ...m, origin: origin(m.origin) });
    info.supplied.crds.push(m.object.metadata.name ?? '');
  }
  const libNames = new Set(project.libraries.flatMap((l) => l.names));
  for (const lib of sub.libraries.filter((l) => included(l.file))) {
    if (lib.names.some((n) => libNames.has(n))) continue;
    project.libraries.push({ ...lib, origin: origin(lib.origin) });
    info.supplied.libraries.push(lib.names[0]!);
  }
  if (ref.type !== 'all') return;
  const recNames = new Set(project.reconcilers.map((r) => r.name));
  for (const r of sub.reconcilers.filter((r) => included(r.pos.file))) {
    if (recNames.has(r.name)) continue;
    project.reconcilers.push({ ...r, origin: origin(r.origin) });
    info.supplied.reconcilers.push(r.name);
  }
  for (const m of sub.inputs.filter((i) => included(i.pos.file))) {
    merged.inputs.push({ ...m, origin: origin(m.origin) });
    const o = m.object;
    info.supplied.inputs.push(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`);
  }
}
