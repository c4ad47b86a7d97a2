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
import type { Client } from '../api/client.js';
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
  /** Starlark print() output. */
  print?: (reconciler: string, msg: string) => void;
  /** Shares the reconcile work with those processes (default: this process owns every key). */
  coordinator?: Coordinator;
}

export interface EngineOptions extends ProjectEngineOptions {
  store: Store;
}

/** Field manager for objects the loader writes (CRDs, inputs). */
export const loaderFieldManager = 'choreoctl';

export function describeApiError(err: unknown): string {
  if (!isApiError(err)) return err instanceof Error ? err.message : String(err);
  const e = err as ApiError;
  const causes = e.details?.causes ?? [];
  if (causes.length <= 1) return e.message;
  // Several field errors: one per line rather than Kubernetes' bracketed list.
  const head = e.message.includes(' is invalid: ') ? e.message.slice(0, e.message.indexOf(' is invalid: ') + ' is invalid:'.length) : e.message;
  return `${head}\n${causes.map((c) => `  - ${c.field ? `${c.field}: ` : ''}${c.message}`).join('\n')}`;
}

export abstract class ProjectEngine {
  readonly reconcilers: StarlarkReconciler[] = [];
  /** Wires each reconciler to the manager (reconciler/builder.ts). */
  private readonly builder: ReconcilerBuilder;

  protected constructor(
    /** Where the loader writes CRDs and inputs: the registry, or an HTTP client. */
    readonly client: Client,
    host: BuilderHost,
    readonly manager: Manager,
    private readonly opts: ProjectEngineOptions,
    /** Field manager of the loader's writes. */
    private readonly loaderManager: string,
    controllerManagers: string[],
  ) {
    this.builder = new ReconcilerBuilder(host, manager, {
      workers: opts.workers,
      rateLimits: opts.rateLimits,
      onReconcile: opts.onReconcile,
      onWrite: opts.onWrite,
      controllerManagers,
    });
  }

  /** After the project's CRDs were applied (those the API took, with their manifests), before reconcilers and inputs: wait until they are served. */
  protected async crdsApplied(_crds: Array<{ manifest: Manifest; stored: KObject }>, _errors: LoadError[]): Promise<void> {}

  /** Loads a discovered project; returns every problem found (discovery's included). */
  async load(project: ProjectSource): Promise<LoadError[]> {
    const errors: LoadError[] = [...project.errors];
    const crds: Array<{ manifest: Manifest; stored: KObject }> = [];
    for (const m of project.crds) {
      if (m.object.kind !== 'CustomResourceDefinition') {
        errors.push(new LoadError(m.pos, `crds/ holds CustomResourceDefinitions, found ${m.object.kind} ${m.object.metadata.name ?? ''}`));
        continue;
      }
      const stored = await this.applyManifest(m, errors);
      if (stored) crds.push({ manifest: m, stored });
    }
    await this.crdsApplied(crds, errors);
    for (const r of project.reconcilers) {
      try {
        this.addReconciler(r, project);
      } catch (err) {
        if (err instanceof ProgramError) errors.push(new LoadError({ file: err.file, line: err.line, col: err.col }, `reconciler ${r.name}: ${err.message}`));
        else if (err instanceof ConfigError) errors.push(new LoadError(r.pos, err.message));
        else if (err instanceof TemplateLoadError) errors.push(new LoadError({ file: err.file, line: Math.max(1, err.line), col: err.col }, `reconciler ${r.name}: ${err.message}`));
        else errors.push(new LoadError(r.pos, `reconciler ${r.name}: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    for (const m of project.inputs) await this.applyManifest(m, errors);
    return errors;
  }

  /** Server-side applies one manifest (and its status, if any); the stored object, or undefined with the problem in `errors`. */
  private async applyManifest(m: Manifest, errors: LoadError[]): Promise<KObject | undefined> {
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
      let stored = await this.client.apply(o, { fieldManager: this.loaderManager, force: true });
      if (o.status !== undefined && info.subresources.status) stored = await this.client.apply(o, { fieldManager: this.loaderManager, force: true, subresource: 'status' });
      return stored;
    } catch (err) {
      errors.push(new LoadError(m.pos, describeApiError(err)));
      return undefined;
    }
  }

  private addReconciler(src: ReconcilerSource, project: ProjectSource): void {
    const config = parseReconcilerConfig(src.config, src.name);
    const kind = reconcilerCodeKind(src);
    for (const t of [config.for, ...config.owns, ...config.watches]) {
      if (!this.client.resourceInfo(t)) throw new ConfigError(config.name, [`unknown kind ${t.kind} in ${t.apiVersion} (no CRD defines it)`]);
    }
    if (kind !== 'starlark') {
      const templates = src.code.filter((c) => c.kind === kind).map((c) => ({ name: c.name ?? basename(c.file), file: c.file, text: c.text }));
      this.addCompiled(config, compileTemplateReconciler({ reconciler: config.name, kind, templates }));
      return;
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
    this.addCompiled(config, run);
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
    super(registry, host, manager, opts, loaderFieldManager, [allocationFieldManager, phaseFieldManager]);
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

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.registry.lifecycle.whenIdle();
    this.registry.close();
  }
}
