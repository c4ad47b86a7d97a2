// Hot reload for `run start`: after an edit, re-discover the project and bring
// the running engine in line with it, piece by piece, without a restart.
//
//   crds/*.yaml      a CRD whose manifest changed is applied again (a CRD
//                    removed from crds/ stays: deleting it would delete
//                    every object of its kind; `kubectl delete crd` does that)
//   reconcilers      one whose config, code, a library or the CRD of a type
//                    it names changed is compiled and swapped in (the old one
//                    finishes its in-flight reconciles first); the new one
//                    reconciles every For object again. One removed is stopped
//                    (its children stay).
//   in/              the input sync (inputsync.ts)
//
// A rebuilt reconciler's objects held by the crash guard (crashguard.ts) are
// released: the new code may not crash where the old one did.
//
// Key idea: a broken edit never takes anything down. Every problem is logged
// with file:line:col, and the piece it belongs to keeps its last good version:
// a reconciler that does not compile keeps running its old code, one whose
// config.yaml does not parse is not taken for removed, the objects of an
// in/ file with invalid YAML are neither re-applied nor deleted.
//
// What "changed" means is a fingerprint of the piece's sources, so an editor
// touching a file without changing it, or a change to another reconciler,
// costs nothing. Trade-off: any library change rebuilds every Starlark
// reconciler (which libraries a program loads is known only once it runs).
//
// Several runners on one store (etcd, sharded): each watches its own copy of
// the project, and each rebuilds from it; a rebuilt reconciler re-enqueues
// every For key, and the runner owning a key's shard reconciles it, so once
// every copy has the edit every key runs the new code. The input sync is
// idempotent across runners (the same apply is a no-op, a delete already done
// is NotFound). The fingerprint of each runner's project is logged on every
// reload so copies that differ show up in the logs.
//
// The engine is a ProjectEngine: the same reload serves the in-process
// `run start` and kubeconfig mode (serveremote.ts), where a changed CRD is
// waited for until the server serves it before reconcilers are compiled
// against it, and with leader election every runner rebuilds its reconcilers
// (a standby is warm when it takes over) but only the leader deletes what
// left in/ (InputSyncOptions.mayDelete).

import type { KObject } from '../api/object.js';
import { reconcilerLoadError, type ProjectEngine } from './engine.js';
import { crdKey, discoverProject, resolvePaths, type ProjectPaths } from './project/discover.js';
import type { ProjectSource, ReconcilerSource } from './project/source.js';
import { LoadError, type Manifest } from './project/yamlfile.js';
import { contentHash as hash, InputSync, samePos, type InputSyncOptions } from './inputsync.js';
import { parseReconcilerConfig, type ReconcilerConfig } from '../reconciler/config.js';
import { crashGuard } from '../reconciler/crashguard.js';

interface RunningReconciler {
  fingerprint: string;
  /** The file its config came from: when that file has errors, the reconciler is kept, not removed. */
  configFile: string;
}

/** How long an object missing from in/ must stay missing before it is deleted. */
const settleMs = 300;


/** The group/kind a CRD defines, to find the CRDs a reconciler's types depend on. */
function crdGroupKind(o: KObject): string | undefined {
  const spec = o.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
  return typeof spec?.group === 'string' && typeof spec.names?.kind === 'string' ? `${spec.group}/${spec.names.kind}` : undefined;
}

/** group/kind of the types a reconciler's config names (none for a config that does not parse: its compile reports it). */
function configKinds(r: ReconcilerSource): string[] {
  let config: ReconcilerConfig;
  try {
    config = parseReconcilerConfig(r.config, r.name);
  } catch {
    return [];
  }
  return [config.for, ...config.owns, ...config.watches].map((t) => `${t.apiVersion.includes('/') ? t.apiVersion.slice(0, t.apiVersion.indexOf('/')) : ''}/${t.kind}`);
}

export class Reloader {
  private readonly reconcilers = new Map<string, RunningReconciler>();
  /** CRDs as last applied: hash of the manifest, the file it came from. */
  private readonly crds = new Map<string, { hash: string; file: string }>();
  /** The problems the last reload logged: an identical report is not logged again. */
  private lastReport = '';
  readonly inputs: InputSync;

  constructor(
    private readonly engine: ProjectEngine,
    private readonly dir: string,
    private readonly paths: Partial<ProjectPaths> | undefined,
    private readonly log: (line: string) => void,
    inputOpts: InputSyncOptions = {},
  ) {
    this.inputs = new InputSync(engine, log, inputOpts);
  }

  /**
   * Records what the engine's first load (Engine.load) brought up, and (sweep)
   * deletes what earlier runs applied from in/ that is no longer there.
   */
  async loaded(project: ProjectSource, loadErrors: LoadError[], opts: { sweep: boolean }): Promise<void> {
    const running = new Set(this.engine.reconcilers.map((r) => r.config.name));
    const crdIndex = this.crdIndex(project);
    const libs = hash(project.libraries.map((l) => [l.names, l.code]));
    for (const r of project.reconcilers) if (running.has(r.name)) this.reconcilers.set(r.name, { fingerprint: this.fingerprint(r, libs, crdIndex), configFile: r.pos.file });
    // A CRD the first load could not apply is not recorded: the next reload tries it again.
    for (const m of project.crds) if (!loadErrors.some((e) => samePos(e, m))) this.crds.set(crdKey(m.object) ?? '', { hash: hash(m.object), file: m.pos.file });
    await this.inputs.loaded(project, loadErrors, (await resolvePaths(this.dir, this.paths)).input, opts);
  }

  /** Re-discovers the project and applies what changed. Never throws: problems are logged. */
  async reload(): Promise<void> {
    try {
      await this.apply();
    } catch (err) {
      this.log(`reload failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private async apply(): Promise<void> {
    const t0 = performance.now();
    let project: ProjectSource;
    try {
      project = await discoverProject(this.dir, { paths: this.paths });
    } catch (err) {
      this.log(`reload: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const errors: LoadError[] = [...project.errors];
    const broken = new Set(errors.map((e) => e.pos.file));
    const changes: string[] = [];

    const crdKeys = new Set(project.crds.map((m) => crdKey(m.object) ?? ''));
    for (const [key, prev] of [...this.crds]) {
      if (crdKeys.has(key) || broken.has(prev.file)) continue;
      this.crds.delete(key);
      changes.push(`CRD ${key} is gone from the project but stays served (kubectl delete crd ${key} deletes it and all its objects)`);
    }
    // Applied together: in kubeconfig mode the wait until they are served is one wait.
    const changedCrds = project.crds.filter((m) => this.crds.get(crdKey(m.object) ?? '')?.hash !== hash(m.object));
    for (const m of changedCrds.length > 0 ? await this.engine.applyCrds(changedCrds, errors) : []) {
      const key = crdKey(m.object) ?? '';
      this.crds.set(key, { hash: hash(m.object), file: m.pos.file });
      changes.push(`CRD ${key} applied`);
    }

    const crdIndex = this.crdIndex(project);
    const libs = hash(project.libraries.map((l) => [l.names, l.code]));
    const seen = new Set<string>();
    for (const r of project.reconcilers) {
      seen.add(r.name);
      const fingerprint = this.fingerprint(r, libs, crdIndex);
      const prev = this.reconcilers.get(r.name);
      if (prev?.fingerprint === fingerprint) continue;
      let compiled;
      try {
        compiled = this.engine.compile(r, project);
      } catch (err) {
        errors.push(reconcilerLoadError(r, err));
        if (prev) changes.push(`reconciler ${r.name} kept on its previous version`);
        continue;
      }
      // New code may not crash where the old one did: its held objects get another chance.
      const released = crashGuard()?.release(r.name) ?? 0;
      await this.engine.replace(compiled.config, compiled.run);
      this.reconcilers.set(r.name, { fingerprint, configFile: r.pos.file });
      changes.push(`reconciler ${r.name} ${prev ? 'reloaded' : 'added'}${released > 0 ? ` (${released} held object(s) released)` : ''}`);
    }
    for (const [name, prev] of [...this.reconcilers]) {
      if (seen.has(name) || broken.has(prev.configFile)) continue;
      await this.engine.remove(name);
      this.reconcilers.delete(name);
      changes.push(`reconciler ${name} removed (its children, and its finalizer on its For objects, stay)`);
    }

    // A deletion waits for a second look: `git checkout` or a save by unlink-and-create leaves a
    // file missing for a moment, and deleting its objects (finalizers, children) is not undone by
    // applying them again.
    let inputs: Manifest[] | undefined = project.inputs;
    if (this.inputs.wouldDelete(inputs, broken)) {
      await new Promise((r) => setTimeout(r, settleMs));
      const again = await discoverProject(this.dir, { paths: this.paths }).catch(() => undefined);
      inputs = again?.inputs; // the project gone meanwhile: no input sync this time
      for (const e of again?.errors ?? []) broken.add(e.pos.file);
    }
    if (inputs) changes.push(...(await this.inputs.sync(inputs, broken, errors)));

    // An editor's save can be several bursts of events: the same outcome twice is logged once.
    const report = JSON.stringify([changes, errors.map((e) => e.render())]);
    const repeated = report === this.lastReport && !changes.some((c) => !c.endsWith('kept on its previous version'));
    this.lastReport = report;
    if (repeated) return;
    for (const e of errors) this.log(`reload error: ${e.render()}`);
    const ms = Math.round(performance.now() - t0);
    if (changes.length > 0 || errors.length > 0) this.log(`reload (${ms} ms, project ${this.projectFingerprint(project).slice(0, 12)}): ${changes.length > 0 ? changes.join('; ') : 'nothing changed'}${errors.length > 0 ? `; ${errors.length} error(s)` : ''}`);
  }

  private crdIndex(project: ProjectSource): Map<string, Manifest> {
    const byKind = new Map<string, Manifest>();
    for (const m of project.crds) {
      const gk = crdGroupKind(m.object);
      if (gk) byKind.set(gk, m);
    }
    return byKind;
  }

  /** What a reconciler is built from: config, code, the libraries, the CRDs of the types it names. */
  private fingerprint(r: ReconcilerSource, libraries: string, crds: Map<string, Manifest>): string {
    const usesLibraries = r.code.some((c) => c.kind === 'starlark');
    return hash({
      config: r.config,
      code: r.code.map((c) => [c.file, c.name, c.text]),
      libraries: usesLibraries ? libraries : '',
      crds: configKinds(r).map((k) => crds.get(k)?.object ?? null),
    });
  }

  /** One hash of the whole project's sources, logged so runners on differing copies show up. */
  private projectFingerprint(project: ProjectSource): string {
    return hash({
      crds: project.crds.map((m) => m.object),
      libraries: project.libraries.map((l) => [l.names, l.code]),
      reconcilers: project.reconcilers.map((r) => [r.name, r.config, r.code.map((c) => c.text)]),
      inputs: project.inputs.map((m) => m.object),
    });
  }
}
