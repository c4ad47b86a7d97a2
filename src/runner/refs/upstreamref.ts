// UpstreamRef objects (`choreo.kform.dev/v1alpha1`, kind UpstreamRef) in a
// project's refs/ folder: another project — or part of one — this project
// builds on, pinned to a git tag or commit.
//
//   spec:
//     url: https://github.com/kform-dev/choreo-examples.git   # or file:///path, or a path
//     ref: {type: hash|tag, name: d8a3ca6...}
//     directory: greeting-ref        # inside the repository (default: its root)
//     type: crd|all                  # crd: CRDs and libraries only; all: the whole project
//     includes: ["crds/*.yaml"]      # optional: only these files (globs on the path, the file
//                                    # name, or the name without extension)
//
// Parsing collects every problem with its field path, like the reconciler
// config; the original's defaults apply (ref.type hash, type all).

import type { Manifest, SourcePos } from '../project/yamlfile.js';

export const upstreamRefApiVersion = 'choreo.kform.dev/v1alpha1';

export interface UpstreamRef {
  name: string;
  url: string;
  ref: { type: 'hash' | 'tag'; name: string };
  directory: string;
  type: 'crd' | 'all';
  includes: string[];
  pos: SourcePos;
}

export class RefError extends Error {
  constructor(
    readonly pos: SourcePos,
    message: string,
  ) {
    super(message);
    this.name = 'RefError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseUpstreamRef(m: Manifest): UpstreamRef {
  const obj = m.object;
  const name = obj.metadata.name ?? '';
  const problems: string[] = [];
  if (obj.apiVersion !== upstreamRefApiVersion || obj.kind !== 'UpstreamRef') problems.push(`refs/ holds ${upstreamRefApiVersion} UpstreamRef objects, found ${obj.apiVersion} ${obj.kind}`);
  if (!name) problems.push('metadata.name: Required value');
  const spec = isRecord(obj.spec) ? obj.spec : (problems.push('spec: Required value'), {} as Record<string, unknown>);
  const url = typeof spec.url === 'string' ? spec.url : '';
  if (!url) problems.push('spec.url: Required value');
  const ref = isRecord(spec.ref) ? spec.ref : (problems.push('spec.ref: Required value: want {type: hash|tag, name}'), {} as Record<string, unknown>);
  const refType = ref.type === undefined || ref.type === null || ref.type === '' ? 'hash' : ref.type;
  if (refType !== 'hash' && refType !== 'tag') problems.push(`spec.ref.type: Unsupported value: ${JSON.stringify(refType)}: supported values: "hash", "tag"`);
  const refName = typeof ref.name === 'string' ? ref.name : '';
  if (spec.ref !== undefined && !refName) problems.push('spec.ref.name: Required value');
  const type = spec.type === undefined || spec.type === null || spec.type === '' ? 'all' : spec.type;
  if (type !== 'crd' && type !== 'all') problems.push(`spec.type: Unsupported value: ${JSON.stringify(type)}: supported values: "crd", "all"`);
  const directory = typeof spec.directory === 'string' ? spec.directory.replace(/^\.\/?/, '').replace(/\/+$/, '') : '';
  const includes = Array.isArray(spec.includes) ? spec.includes.filter((i): i is string => typeof i === 'string') : [];
  if (spec.includes !== undefined && !Array.isArray(spec.includes)) problems.push('spec.includes: must be a list of file globs');
  if (problems.length > 0) throw new RefError(m.pos, `UpstreamRef ${name || '(unnamed)'}: ${problems.join('; ')}`);
  return { name, url, ref: { type: refType as 'hash' | 'tag', name: refName }, directory, type: type as 'crd' | 'all', includes, pos: m.pos };
}

/** "greeting (https://github.com/x/y.git@hash:d8a3ca6)" — how messages name a ref. */
export function describeRef(r: UpstreamRef): string {
  return `${r.name} (${r.url} ${r.ref.type} ${r.ref.name}${r.directory ? `, directory ${r.directory}` : ''})`;
}

/** Glob match for includes: `*` within a path segment, `**` across segments, `?` one character. */
export function globMatch(glob: string, path: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Whether a file (path relative to the ref's directory) is taken under
 * `includes`: a glob matching the path, the file name, or the file name
 * without extension (`config.sdcio.dev_configs`, as kubenet projects write
 * them). No includes: every file.
 */
export function includedBy(includes: string[], path: string): boolean {
  if (includes.length === 0) return true;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const stem = base.replace(/\.[^.]*$/, '');
  return includes.some((g) => globMatch(g, path) || globMatch(g, base) || globMatch(g, stem));
}
