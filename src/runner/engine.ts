// The engine: one API registry over a store, the controller manager, and the
// project's reconcilers added to it (reconciler/builder.ts wires each one).
// Both `run once` and `run start` build one.
//
// Loading a project goes in dependency order — CRDs (so their types are served),
// reconcilers (compiled against the project's libraries), then input instances —
// and collects every problem as a positioned LoadError instead of stopping at
// the first, so a user sees all of them at once. Nothing about an invalid piece
// is half-applied: a CRD or instance the API rejects is not stored, a
// reconciler that fails to compile is not started (the others still are).
//
// ProjectEngine holds all of that over a Client and a BuilderHost; Engine is
// the in-process one (the registry over a store, allocation installed), and
// RemoteEngine (remote.ts) the same over HTTP against any API server.

import { isApiError, type ApiError } from '../api/errors.js';
import type { Client, TypeRef } from '../api/client.js';
import type { KObject } from '../api/object.js';
import { Registry } from '../apiserver/registry/registry.js';
import { allocationFieldManager, installAllocation } from '../allocation/index.js';
import { Manager, type Clock, type Coordinator, type RateLimitOptions } from '../controller/index.js';
import type { Store } from '../store/store.js';
import { ConfigError, parseReconcilerConfig, type ReconcilerConfig } from '../reconciler/config.js';
import { ReconcilerBuilder, type BuilderHost } from '../reconciler/builder.js';
import { compileReconciler, ProgramError } from '../reconciler/program.js';
import { StarlarkReconciler, type ReconcileReport, type RunStarlark } from '../reconciler/runtime.js';
import { phaseFieldManager } from '../reconciler/phase.js';
import { ReconcileHistory } from '../reconciler/history.js';
import type { ProjectSource, ReconcilerSource } from './project/source.js';
import { LoadError, type Manifest } from './project/yamlfile.js';
import { reconcilerCodeKind } from './project/codekind.js';
import { compileTemplateReconciler, TemplateLoadError } from '../reconciler/template/reconciler.js';
import { basename } from 'node:path';

/** What a user may raise per reconcile: the step budget and the memory limit. */
export type ReconcileLimits = Pick<EngineOptions, 'maxSteps' | 'maxMemoryMiB'>;

/** What every engine takes (in-process and remote). */
export interface ProjectEngineOptions {
  /** Concurrent reconciles per reconciler (default 1). */
  workers?: number;
  rateLimits?: RateLimitOptions;
  clock?: Clock;
  /** Step budget per reconcile (default 10M). */
  maxSteps?: number;
  /** Memory limit per reconcile in MiB (default 256; see starlark/values/meter.ts). */
  maxMemoryMiB?: number;
  /** Wall-clock limit per reconcile in ms (default 10 s). */
  timeoutMs?: number;
  /** performance.now() by which every reconcile must have ended (`run once --timeout`). */
  deadline?: number;
  /** Every object a reconciler wrote, as stored (the `run once` hot-loop guard). */
  onWrite?: (reconciler: string, obj: KObject) => void;
  /** Every reconcile outcome (observer, logs). */
  onReconcile?: (r: ReconcileReport) => void;
  /** Reconciles the history ring keeps (`history`, read by the web UI; default reconciler/history.ts's). */
  historySize?: number;
  /** Starlark print() output. */
  print?: (reconciler: string, msg: string) => void;
  /** Shares the reconcile work with those processes (default: this process owns every key). */
  coordinator?: Coordinator;
  /** The origin annotation's value on what the loader applies from in/ (default fileInputOrigin). */
  inputOrigin?: string;
}

export interface EngineOptions extends ProjectEngineOptions {
  store: Store;
}

/** Field manager for the CRDs the loader writes. */
export const loaderFieldManager = 'choreoctl';

/**
 * Field manager for the objects the loader applies from in/ (the original's
 * name, pkg/server/choreo/loader). The input sync of `run start` deletes only
 * objects this manager applied, so objects other clients created (kubectl,
 * `choreoctl apply`) are never touched.
 */
export const inputFieldManager = 'inputfileloader';

/**
 * The annotation the loader writes on every object it applies from in/, and
 * its value for a project's own in/: the original's ChoreoLoaderOriginKey and
 * FileLoaderAnnotation (apis/choreo/v1alpha1/annotation_keys.go; written by
 * pkg/server/choreo/loader/dataloader_input.go). Together with the input field
 * manager it says which objects the input sync may delete.
 */
export const originAnnotation = 'api.choreo.kform.dev/origin';
export const fileInputOrigin = '{"kind":"File"}';

export function describeApiError(err: unknown): string {
  if (!isApiError(err)) return err instanceof Error ? err.message : String(err);
  const e = err as ApiError;
  const causes = e.details?.causes ?? [];
  if (causes.length <= 1) return e.message;
  // Several field errors: one per line rather than Kubernetes' bracketed list.
  const head = e.message.includes(' is invalid: ') ? e.message.slice(0, e.message.indexOf(' is invalid: ') + ' is invalid:'.length) : e.message;
  return `${head}\n${causes.map((c) => `  - ${c.field ? `${c.field}: ` : ''}${c.message}`).join('\n')}`;
}

/** A reconciler that could not be compiled, as a positioned load problem. */
export function reconcilerLoadError(r: ReconcilerSource, err: unknown): LoadError {
  if (err instanceof ProgramError) return new LoadError({ file: err.file, line: err.line, col: err.col }, `reconciler ${r.name}: ${err.message}`);
  if (err instanceof ConfigError) return new LoadError(r.pos, err.message);
  if (err instanceof TemplateLoadError) return new LoadError({ file: err.file, line: Math.max(1, err.line), col: err.col }, `reconciler ${r.name}: ${err.message}`);
  return new LoadError(r.pos, `reconciler ${r.name}: ${err instanceof Error ? err.message : String(err)}`);
}

/** The field managers of the loader's writes: CRDs, and the objects of in/ (the input sync deletes only what `inputs` applied). */
export interface LoaderManagers {
  crds: string;
  inputs: string;
}

export abstract class ProjectEngine {
  readonly reconcilers: StarlarkReconciler[] = [];
  /** The most recent reconciles of every reconciler (reconciler/history.ts). */
  readonly history: ReconcileHistory;
  /** Wires each reconciler to the manager (reconciler/builder.ts). */
  private readonly builder: ReconcilerBuilder;

  protected constructor(
    /** Where the loader writes CRDs and inputs: the registry, or an HTTP client. */
    readonly client: Client,
    host: BuilderHost,
    readonly manager: Manager,
    private readonly opts: ProjectEngineOptions,
    /** Field managers of the loader's writes. */
    private readonly loaderManagers: LoaderManagers,
    controllerManagers: string[],
  ) {
    this.history = new ReconcileHistory(opts.historySize);
    const report = opts.onReconcile;
    this.builder = new ReconcilerBuilder(host, manager, {
      workers: opts.workers,
      rateLimits: opts.rateLimits,
      onReconcile: (r) => {
        this.history.record(r);
        report?.(r);
      },
      onWrite: opts.onWrite,
      controllerManagers,
    });
  }

  /** After the project's CRDs were applied (those the API took, with their manifests), before reconcilers and inputs: wait until they are served. */
  protected async crdsApplied(_crds: Array<{ manifest: Manifest; stored: KObject }>, _errors: LoadError[]): Promise<void> {}

  /** Loads a discovered project; returns every problem found (discovery's included). */
  async load(project: ProjectSource): Promise<LoadError[]> {
    const errors: LoadError[] = [...project.errors];
    await this.applyCrds(project.crds, errors);
    for (const r of project.reconcilers) {
      try {
        const { config, run } = this.compile(r, project);
        this.addCompiled(config, run);
      } catch (err) {
        errors.push(reconcilerLoadError(r, err));
      }
    }
    for (const m of project.inputs) await this.applyInput(m, errors);
    return errors;
  }

  /**
   * Applies CRD manifests of crds/ and waits until their types are served;
   * returns those that were (the others' problems are added to `errors`).
   */
  async applyCrds(manifests: Manifest[], errors: LoadError[]): Promise<Manifest[]> {
    const crds: Array<{ manifest: Manifest; stored: KObject }> = [];
    for (const m of manifests) {
      const stored = await this.applyCrd(m, errors);
      if (stored) crds.push({ manifest: m, stored });
    }
    const before = errors.length;
    await this.crdsApplied(crds, errors);
    const failed = new Set(errors.slice(before).map((e) => e.pos));
    return crds.filter((c) => !failed.has(c.manifest.pos)).map((c) => c.manifest);
  }

  /** Applies one CRD manifest of crds/; the stored CRD, or undefined with the problem added to `errors`. */
  private async applyCrd(m: Manifest, errors: LoadError[]): Promise<KObject | undefined> {
    if (m.object.kind !== 'CustomResourceDefinition') {
      errors.push(new LoadError(m.pos, `crds/ holds CustomResourceDefinitions, found ${m.object.kind} ${m.object.metadata.name ?? ''}`));
      return undefined;
    }
    return this.applyManifest(m, errors, this.loaderManagers.crds);
  }

  /** The field manager of the objects the loader applies from in/ (the input sync deletes only what it applied). */
  get inputManager(): string {
    return this.loaderManagers.inputs;
  }

  /** The origin annotation's value on the objects the loader applies from in/ (originAnnotation). */
  get inputOrigin(): string {
    return this.opts.inputOrigin ?? fileInputOrigin;
  }

  /**
   * The types the input sync's start-up sweep looks through for objects
   * earlier runs applied from in/: every stored type in-process (Engine),
   * every listable type the cluster serves in kubeconfig mode (RemoteEngine).
   */
  abstract inputSweepTypes(): Promise<TypeRef[]>;

  /** Applies one input object of in/ as the input field manager, marked with its origin; a problem is added to `errors`. */
  async applyInput(m: Manifest, errors: LoadError[]): Promise<void> {
    await this.applyManifest(m, errors, this.loaderManagers.inputs, { [originAnnotation]: this.inputOrigin });
  }

  /** Server-side applies one manifest (and its status, if any), with `annotations` added; the stored object, or undefined with the problem in `errors`. */
  private async applyManifest(m: Manifest, errors: LoadError[], fieldManager: string, annotations?: Record<string, string>): Promise<KObject | undefined> {
    const obj = m.object;
    const what = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name ?? ''}`;
    const info = this.client.resourceInfo(obj);
    if (!info) {
      errors.push(new LoadError(m.pos, `${what}: unknown kind ${obj.kind} in ${obj.apiVersion} (no CRD defines it)`));
      return undefined;
    }
    try {
      const o: KObject = structuredClone(obj);
      if (info.namespaced && !o.metadata.namespace) o.metadata.namespace = 'default';
      if (annotations) o.metadata.annotations = { ...o.metadata.annotations, ...annotations };
      let stored = await this.client.apply(o, { fieldManager, force: true });
      if (o.status !== undefined && info.subresources.status) stored = await this.client.apply(o, { fieldManager, force: true, subresource: 'status' });
      return stored;
    } catch (err) {
      errors.push(new LoadError(m.pos, describeApiError(err)));
      return undefined;
    }
  }

  /**
   * Compiles a reconciler of the project against its libraries and CRDs
   * (throws on any problem: see reconcilerLoadError); nothing runs yet.
   */
  compile(src: ReconcilerSource, project: ProjectSource): { config: ReconcilerConfig; run: RunStarlark } {
    const config = parseReconcilerConfig(src.config, src.name);
    const kind = reconcilerCodeKind(src);
    for (const t of [config.for, ...config.owns, ...config.watches]) {
      if (!this.client.resourceInfo(t)) throw new ConfigError(config.name, [`unknown kind ${t.kind} in ${t.apiVersion} (no CRD defines it)`]);
    }
    if (kind !== 'starlark') {
      const templates = src.code.filter((c) => c.kind === kind).map((c) => ({ name: c.name ?? basename(c.file), file: c.file, text: c.text }));
      return { config, run: compileTemplateReconciler({ reconciler: config.name, kind, templates }) };
    }
    const starlark = src.code.filter((c) => c.kind === 'starlark');
    if (starlark.length > 1) throw new Error(`more than one Starlark file: ${starlark.map((c) => c.file).join(', ')}`);
    const run = compileReconciler({
      reconciler: config.name,
      code: starlark[0]!,
      libraries: project.libraries,
      maxSteps: this.opts.maxSteps,
      maxMemoryMiB: this.opts.maxMemoryMiB,
      timeoutMs: this.opts.timeoutMs,
      deadline: this.opts.deadline,
      print: (msg) => (this.opts.print ?? ((r: string, m: string) => process.stderr.write(`[${r}] ${m}\n`)))(config.name, msg),
    });
    return { config, run };
  }

  /**
   * Adds a reconciler whose `reconcile(self)` is already a function — the
   * compiled Starlark above, or host code with the same contract (the
   * benchmark's JavaScript baseline). It gets the full runtime: children,
   * finalizer, conditions, events, triggers.
   */
  addCompiled(config: ReconcilerConfig, run: RunStarlark): StarlarkReconciler {
    const reconciler = this.builder.build(config, run);
    this.reconcilers.push(reconciler);
    return reconciler;
  }

  /**
   * Hot reload: stops the running reconciler of that name (its in-flight
   * reconciles finish on the old code) and starts `run` in its place. The new
   * controller's watches see every cached For object as added, so all of them
   * are reconciled again with the new code.
   */
  async replace(config: ReconcilerConfig, run: RunStarlark): Promise<StarlarkReconciler> {
    await this.remove(config.name);
    return this.addCompiled(config, run);
  }

  /** Stops and forgets a reconciler (its children stay). */
  async remove(name: string): Promise<void> {
    const i = this.reconcilers.findIndex((r) => r.config.name === name);
    if (i < 0) return;
    await this.builder.remove(name);
    this.reconcilers.splice(i, 1);
  }

  async start(): Promise<void> {
    await this.manager.start();
  }

  abstract stop(): Promise<void>;
}

/** The in-process engine: the registry over a store, with the built-in allocation backends. */
export class Engine extends ProjectEngine {
  private constructor(
    readonly registry: Registry,
    manager: Manager,
    opts: EngineOptions,
  ) {
    const host: BuilderHost = {
      resourceInfo: (t) => registry.resourceInfo(t),
      declaresPhase: (t) => {
        try {
          return registry.resolve(t).schema?.schema.properties?.status?.properties?.phase?.type === 'string';
        } catch {
          return false;
        }
      },
      recordEvent: (obj, ev) => registry.events.record(obj, ev),
    };
    super(registry, host, manager, opts, { crds: loaderFieldManager, inputs: inputFieldManager }, [allocationFieldManager, phaseFieldManager]);
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const registry = await Registry.open(opts.store);
    const manager = new Manager(registry, {
      clock: opts.clock,
      coordinator: opts.coordinator,
      idleFences: [() => registry.lifecycle.whenIdle()],
      informer: { onError: () => {} },
    });
    // Built-in kuid-compatible allocation backends (*.be.kuid.dev): CRDs served and controllers registered for every project.
    await installAllocation({ registry, manager }, { workers: opts.workers });
    return new Engine(registry, manager, opts);
  }

  override async inputSweepTypes(): Promise<TypeRef[]> {
    return this.registry.catalog.storageTypes().map((t) => ({ apiVersion: t.apiVersion, kind: t.kind }));
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.registry.lifecycle.whenIdle();
    this.registry.close();
  }
}
