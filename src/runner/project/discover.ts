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
// Discovery never stops at the first problem: every unreadable or malformed
// file becomes a positioned LoadError and the rest of the project still loads,
// so `run once` can list all problems at once. Files are visited in sorted
// order so loading is deterministic.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, basename, extname, relative } from 'node:path';
import type { KObject } from '../../api/object.js';
import { LoadError, readManifests, type Manifest, type SourcePos } from './yamlfile.js';
import { loadRefs, type ResolvedRefInfo } from '../refs/load.js';
import { inlineCode, takeChoreoObjects } from './inobjects.js';

export interface LibrarySource {
  /** Names it can be loaded by: the file name, and for crds/ libraries also the dotted form ("example.com_greetings.star" → "example.com.greetings.star"). */
  names: string[];
  file: string;
  code: string;
  /** The UpstreamRef that supplied it (absent: the project itself). */
  origin?: string;
}

export type CodeKind = 'starlark' | 'jinja2' | 'gotemplate';

export interface CodeFile {
  file: string;
  kind: CodeKind;
  text: string;
  /** Name inside the reconciler: templates find each other by it (`main.tpl`); the flat layout's `<reconciler>.` prefix is stripped. */
  name?: string;
}

export interface ReconcilerSource {
  /** From the config's metadata.name, else the directory (or flat file) name. */
  name: string;
  config: KObject;
  pos: SourcePos;
  code: CodeFile[];
  /** The UpstreamRef that supplied it (absent: the project itself). */
  origin?: string;
}

export interface ProjectSource {
  dir: string;
  crds: Manifest[];
  libraries: LibrarySource[];
  reconcilers: ReconcilerSource[];
  inputs: Manifest[];
  errors: LoadError[];
  /** The project's UpstreamRefs and where each resolved (see runner/refs/load.ts). */
  refs: ResolvedRefInfo[];
}

export interface DiscoverOptions {
  /** Show file paths under this label instead of the real directory (a ref extracted to a temp dir). */
  displayRoot?: string;
  /** Resolve refs/ (default true); refs of refs are followed with a cycle guard. */
  refs?: boolean;
  /** @internal Refs being loaded (URL@ref), to stop cycles. */
  loading?: Set<string>;
  env?: NodeJS.ProcessEnv;
}

const yamlExt = new Set(['.yaml', '.yml']);
const codeKinds: Record<string, CodeKind> = { '.star': 'starlark', '.jinja2': 'jinja2', '.tpl': 'gotemplate' };

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

/** Discovers the project in `dir`; a directory that is not a project at all is a NotAProjectError. */
export async function discoverProject(dir: string, opts: DiscoverOptions = {}): Promise<ProjectSource> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new NotAProjectError(`project directory ${dir} does not exist`);
  if (!st.isDirectory()) throw new NotAProjectError(`${dir} is not a directory (a project is a directory with ${projectFolders.join('/, ')}/)`);
  const present = await Promise.all(projectFolders.map((f) => stat(join(dir, f)).then((s) => s.isDirectory(), () => false)));
  if (!present.some(Boolean)) throw new NotAProjectError(`${dir} is not a choreo project: it has none of ${projectFolders.map((f) => `${f}/`).join(', ')}`);
  return discoverTree(dir, opts);
}

/** Discovery of a tree that may hold only some project parts (an upstream ref's repository). */
async function discoverTree(dir: string, opts: DiscoverOptions = {}): Promise<ProjectSource> {
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

  for (const f of await listDir(join(dir, 'crds'))) {
    const path = join(dir, 'crds', f);
    if (yamlExt.has(extname(f))) await collect(path, project.crds);
    else if (extname(f) === '.star') {
      const dotted = f.replaceAll('_', '.');
      project.libraries.push({ names: dotted === f ? [f] : [dotted, f], file: rel(path), code: await readFile(path, 'utf8') });
    }
  }
  for (const f of await listDir(join(dir, 'libs'))) {
    if (extname(f) !== '.star') continue;
    const path = join(dir, 'libs', f);
    project.libraries.push({ names: [f], file: rel(path), code: await readFile(path, 'utf8') });
  }
  await discoverReconcilers(join(dir, 'reconcilers'), project, rel);
  for (const f of await listDir(join(dir, 'in'))) {
    if (yamlExt.has(extname(f))) await collect(join(dir, 'in', f), project.inputs);
  }
  takeChoreoObjects(project);
  if (opts.refs !== false) {
    const refManifests: Manifest[] = [];
    for (const f of await listDir(join(dir, 'refs'))) {
      if (yamlExt.has(extname(f))) await collect(join(dir, 'refs', f), refManifests);
    }
    if (refManifests.length > 0) await loadRefs(project, refManifests, { ...opts, discover: discoverTree });
  }
  return project;
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
    const code = files.filter((f) => codeKinds[extname(f)] !== undefined).map((f) => join(path, f));
    await addReconciler(name, join(path, configFile), code, project, rel);
    return;
  }
  const subdirs: string[] = [];
  for (const f of files) if (await isDir(join(path, f))) subdirs.push(f);
  if (subdirs.length === 0 || files.some((f) => codeKinds[extname(f)] !== undefined)) {
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
      else if (codeKinds[ext]) slot.code.push(path);
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
    code.push({ file: rel(f), kind: codeKinds[extname(f)]!, text: await readFile(f, 'utf8'), name: templateName });
  }
  project.reconcilers.push({ name, config: m.object, pos: m.pos, code });
}
