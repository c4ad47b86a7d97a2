// Project discovery: turns a project directory into its parts without
// interpreting them. Layout (compatible with the original choreo):
//
//   crds/          <group>_<plural>.yaml CRDs and <group>_<plural>.star libraries
//   libs/          more Starlark libraries
//   reconcilers/   <name>/config.yaml + one *.star (or *.jinja2 / *.tpl templates),
//                  or the legacy flat form <name>.yaml + <name>.star
//   in/            input instances (multi-document YAML); choreo.kform.dev Reconciler
//                  and Library objects there are reconcilers and libraries
//   refs/          UpstreamRef objects: other projects this one builds on
//                  (resolved and merged by runner/refs/load.ts)
//
// As in the original, each folder can be named otherwise (--crds/--apis,
// --reconcilers, --libraries, --input, --refs; relative to the project), and
// older projects keep their CRDs in apis/, read when there is no crds/.
// The same object twice in in/ (kind, namespace, name) or the same CRD twice
// is an error naming both places: which copy should win is not ours to guess.
// (Between the project and its UpstreamRefs the project's copy wins, as before.)
//
// Discovery never stops at the first problem: every unreadable or malformed
// file becomes a positioned LoadError and the rest of the project still loads,
// so `run once` can list all problems at once. Files are visited in sorted
// order so loading is deterministic.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, basename, extname, isAbsolute, relative } from 'node:path';
import type { KObject } from '../../api/object.js';
import { formatPos, LoadError, readManifests, type Manifest } from './yamlfile.js';
import { loadRefs } from '../refs/load.js';
import { inlineCode, takeChoreoObjects } from './inobjects.js';
import { codeKindOfExt, type CodeFile } from '../../reconciler/source.js';
import type { DiscoverOptions, ProjectPaths, ProjectSource } from './source.js';

// The result's types live in source.ts; callers that only name the paths keep importing them from here.
export type { DiscoverOptions, ProjectPaths, ProjectSource } from './source.js';

export const defaultPaths: ProjectPaths = { crds: 'crds', reconcilers: 'reconcilers', libraries: 'libs', input: 'in', refs: 'refs' };

/** The flag that names each path, for error messages. */
const pathFlags: Record<keyof ProjectPaths, string> = { crds: '--crds', reconcilers: '--reconcilers', libraries: '--libraries', input: '--input', refs: '--refs' };

const yamlExt = new Set(['.yaml', '.yml']);

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

/** Thrown when `dir` is not a project at all (missing, not a directory, none of the project folders). */
export class NotAProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAProjectError';
  }
}

const projectFolders = ['crds', 'reconcilers', 'in', 'libs', 'refs'];

const dirExists = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);

/** Absolute folders of a project: the defaults, apis/ for a missing crds/, and the given paths (which must exist). */
export async function resolvePaths(dir: string, given: Partial<ProjectPaths> = {}): Promise<ProjectPaths> {
  const out = { ...defaultPaths };
  for (const k of Object.keys(defaultPaths) as Array<keyof ProjectPaths>) {
    const p = given[k];
    if (p === undefined) out[k] = join(dir, defaultPaths[k]);
    else {
      out[k] = isAbsolute(p) ? p : join(dir, p);
      if (!(await dirExists(out[k]))) throw new NotAProjectError(`${pathFlags[k]}: ${out[k]} does not exist or is not a directory`);
    }
  }
  if (given.crds === undefined && !(await dirExists(out.crds)) && (await dirExists(join(dir, 'apis')))) out.crds = join(dir, 'apis');
  return out;
}

/** Discovers the project in `dir`; a directory that is not a project at all is a NotAProjectError. */
export async function discoverProject(dir: string, opts: DiscoverOptions = {}): Promise<ProjectSource> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new NotAProjectError(`project directory ${dir} does not exist`);
  if (!st.isDirectory()) throw new NotAProjectError(`${dir} is not a directory (a project is a directory with ${projectFolders.join('/, ')}/)`);
  const folders = await resolvePaths(dir, opts.paths);
  const present = await Promise.all(Object.values(folders).map(dirExists));
  if (!present.some(Boolean)) throw new NotAProjectError(`${dir} is not a choreo project: it has none of ${projectFolders.map((f) => `${f}/`).join(', ')}`);
  return discoverTree(dir, opts, folders);
}

/** Discovery of a tree that may hold only some project parts (an upstream ref's repository). */
async function discoverTree(dir: string, opts: DiscoverOptions = {}, folders?: ProjectPaths): Promise<ProjectSource> {
  const f = folders ?? (await resolvePaths(dir));
  const project: ProjectSource = { dir, crds: [], libraries: [], reconcilers: [], inputs: [], errors: [], refs: [] };
  // Paths as the user typed them: relative to the working directory when inside it
  // (or under the ref's label for a ref's files).
  const rel = (p: string) => {
    if (opts.displayRoot !== undefined) return `${opts.displayRoot}/${relative(dir, p)}`;
    const r = relative(process.cwd(), p);
    return r === '' || r.startsWith('..') ? p : r;
  };
  const collect = async (file: string, into: Manifest[]) => {
    const { manifests, errors } = await readManifests(file);
    for (const m of manifests) m.pos.file = rel(file);
    for (const e of errors) e.pos.file = rel(file);
    into.push(...manifests);
    project.errors.push(...errors);
  };

  for (const name of await listDir(f.crds)) {
    const path = join(f.crds, name);
    if (yamlExt.has(extname(name))) await collect(path, project.crds);
    else if (extname(name) === '.star') {
      const dotted = name.replaceAll('_', '.');
      project.libraries.push({ names: dotted === name ? [name] : [dotted, name], file: rel(path), code: await readFile(path, 'utf8') });
    }
  }
  for (const name of await listDir(f.libraries)) {
    if (extname(name) !== '.star') continue;
    const path = join(f.libraries, name);
    project.libraries.push({ names: [name], file: rel(path), code: await readFile(path, 'utf8') });
  }
  await discoverReconcilers(f.reconcilers, project, rel);
  for (const name of await listDir(f.input)) {
    if (yamlExt.has(extname(name))) await collect(join(f.input, name), project.inputs);
  }
  takeChoreoObjects(project);
  project.errors.push(...duplicates(project.crds, crdKey, 'CustomResourceDefinition'), ...duplicates(project.inputs, objectKey));
  if (opts.refs !== false) {
    const refManifests: Manifest[] = [];
    for (const name of await listDir(f.refs)) {
      if (yamlExt.has(extname(name))) await collect(join(f.refs, name), refManifests);
    }
    if (refManifests.length > 0) await loadRefs(project, refManifests, { ...opts, discover: discoverTree });
  }
  return project;
}

/** A CRD's identity: its name, else plural.group (a nameless CRD is an error later). */
export function crdKey(o: KObject): string | undefined {
  const spec = o.spec as { group?: unknown; names?: { plural?: unknown } } | undefined;
  if (o.kind !== 'CustomResourceDefinition') return undefined;
  return o.metadata.name || (typeof spec?.names?.plural === 'string' && typeof spec.group === 'string' ? `${spec.names.plural}.${spec.group}` : undefined);
}

/** An object's identity: API group, kind, namespace (absent = default: cluster-scoped objects have none on either side), name. */
export function objectKey(o: KObject): string | undefined {
  if (!o.metadata.name) return undefined;
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  return `${group}\0${o.kind}\0${o.metadata.namespace || 'default'}\0${o.metadata.name}`;
}

/** One error per manifest whose key an earlier manifest already has, naming both places. */
function duplicates(manifests: Manifest[], key: (o: KObject) => string | undefined, what?: string): LoadError[] {
  const first = new Map<string, Manifest>();
  const errors: LoadError[] = [];
  for (const m of manifests) {
    const k = key(m.object);
    if (k === undefined) continue;
    const prev = first.get(k);
    if (!prev) {
      first.set(k, m);
      continue;
    }
    const o = m.object;
    const name = what ? `${what} ${k}` : `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    errors.push(new LoadError(m.pos, `${name} is defined twice: also at ${formatPos(prev.pos)}`));
  }
  return errors;
}

/**
 * A reconciler directory (config.yaml + code), or a directory grouping more of
 * them (`reconcilers/vendor/srlinux.nokia.com/config-interface/`, as kubenet
 * projects nest them): a directory without config.yaml is searched below.
 */
async function discoverReconcilerDir(name: string, path: string, project: ProjectSource, rel: (p: string) => string): Promise<void> {
  const files = await listDir(path);
  const configFile = files.find((f) => f === 'config.yaml' || f === 'config.yml');
  if (configFile) {
    const code = files.filter((f) => codeKindOfExt[extname(f)] !== undefined).map((f) => join(path, f));
    await addReconciler(name, join(path, configFile), code, project, rel);
    return;
  }
  const subdirs: string[] = [];
  for (const f of files) if (await isDir(join(path, f))) subdirs.push(f);
  if (subdirs.length === 0 || files.some((f) => codeKindOfExt[extname(f)] !== undefined)) {
    project.errors.push(new LoadError({ file: rel(path), line: 1, col: 1 }, `reconciler directory has no config.yaml`));
    return;
  }
  for (const d of subdirs) await discoverReconcilerDir(d, join(path, d), project, rel);
}

async function discoverReconcilers(dir: string, project: ProjectSource, rel: (p: string) => string): Promise<void> {
  const entries = await listDir(dir);
  const flat = new Map<string, { config?: string; code: string[] }>();
  for (const entry of entries) {
    const path = join(dir, entry);
    if (await isDir(path)) await discoverReconcilerDir(entry, path, project, rel);
    else {
      const ext = extname(entry);
      const stem = basename(entry, ext);
      const slot = flat.get(stem) ?? { code: [] };
      if (yamlExt.has(ext)) slot.config = path;
      else if (codeKindOfExt[ext]) slot.code.push(path);
      else continue;
      flat.set(stem, slot);
    }
  }
  // Legacy flat layout: <name>.yaml + <name>.star (templates: <name>.<part>.tpl share the stem prefix).
  for (const [stem, slot] of flat) {
    if (!slot.config) {
      // The longest config stem that prefixes the code file's stem owns it.
      const owner = [...flat.keys()].filter((k) => k !== stem && flat.get(k)?.config && stem.startsWith(k + '.')).sort((a, b) => b.length - a.length)[0];
      if (owner) flat.get(owner)!.code.push(...slot.code);
      else project.errors.push(new LoadError({ file: rel(slot.code[0]!), line: 1, col: 1 }, `reconciler code has no ${stem}.yaml config next to it`));
    }
  }
  for (const [stem, slot] of flat) if (slot.config) await addReconciler(stem, slot.config, slot.code, project, rel);
}

async function addReconciler(defaultName: string, configFile: string, codeFiles: string[], project: ProjectSource, rel: (p: string) => string): Promise<void> {
  const { manifests, errors } = await readManifests(configFile);
  for (const e of errors) e.pos.file = rel(configFile);
  project.errors.push(...errors);
  if (errors.length > 0) return;
  if (manifests.length !== 1) {
    project.errors.push(new LoadError({ file: rel(configFile), line: 1, col: 1 }, `expected exactly one Reconciler document, found ${manifests.length}`));
    return;
  }
  const m = manifests[0]!;
  m.pos.file = rel(configFile);
  const name = m.object.metadata.name || defaultName;
  // Code inline in the config (spec.code) takes the place of code files.
  const inline = inlineCode((m.object.spec as Record<string, unknown> | undefined)?.code, m.pos.file);
  for (const p of inline.problems) project.errors.push(new LoadError(m.pos, `reconciler ${name}: ${p}`));
  if (inline.code.length > 0) {
    project.reconcilers.push({ name, config: m.object, pos: m.pos, code: inline.code });
    return;
  }
  const code: CodeFile[] = [];
  for (const f of codeFiles.sort()) {
    // Flat layout: <reconciler>.main.tpl is the template main.tpl (as the original names it).
    const base = basename(f);
    const prefix = [name, defaultName].find((n) => base.startsWith(`${n}.`) && base.length > n.length + 1 + extname(base).length);
    const templateName = prefix ? base.slice(prefix.length + 1) : base;
    code.push({ file: rel(f), kind: codeKindOfExt[extname(f)]!, text: await readFile(f, 'utf8'), name: templateName });
  }
  project.reconcilers.push({ name, config: m.object, pos: m.pos, code });
}
