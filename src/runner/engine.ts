// The engine: one API registry over a store, the controller manager, and the
// project's reconcilers wired to it. Both `run once` and `run start` build one.
//
// Loading a project goes in dependency order — CRDs (so their types are served),
// reconcilers (compiled against the project's libraries), then input instances —
// and collects every problem as a positioned LoadError instead of stopping at
// the first, so a user sees all of them at once. Nothing about an invalid piece
// is half-applied: a CRD or instance the API rejects is not stored, a
// reconciler that fails to compile is not started (the others still are).

import type { ResourceInfo, TypeRef } from '../api/client.js';
import { isApiError, type ApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import { Registry } from '../apiserver/registry/registry.js';
import { allocationFieldManager, installAllocation } from '../allocation/index.js';
import { enqueueForObject, enqueueForOwner, enqueueMapped, Manager, type Clock, type Coordinator, type RateLimitOptions, type SharedInformer } from '../controller/index.js';
import type { Store } from '../store/store.js';
import { ConfigError, parseReconcilerConfig, type ReconcilerConfig } from '../reconciler/config.js';
import type { ChildCache } from '../reconciler/children.js';
import type { ReadView } from '../reconciler/hostapi.js';
import { compileReconciler, ProgramError } from '../reconciler/program.js';
import { StarlarkReconciler, type ReconcileReport, type RunStarlark } from '../reconciler/runtime.js';
import { PhaseBook, phaseFieldManager } from '../reconciler/phase.js';
import type { ProjectSource, ReconcilerSource } from './project/source.js';
import { LoadError, type Manifest } from './project/yamlfile.js';
import { reconcilerCodeKind } from './project/codekind.js';
import { compileTemplateReconciler, TemplateLoadError } from '../reconciler/template/reconciler.js';
import { basename } from 'node:path';

export interface EngineOptions {
  store: Store;
  /** Concurrent reconciles per reconciler (default 1). */
  workers?: number;
  rateLimits?: RateLimitOptions;
  clock?: Clock;
  maxSteps?: number;
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

/** Does the type's status schema declare a string `phase` (the operator convention, maintained by the runtime)? */
function declaresPhase(registry: Registry, t: TypeRef): boolean {
  try {
    const status = registry.resolve(t).schema?.schema.properties?.status;
    return status?.properties?.phase?.type === 'string';
  } catch {
    return false;
  }
}

export class Engine {
  readonly reconcilers: StarlarkReconciler[] = [];
  /** status.phase of For types that declare it (reconciler/phase.ts). */
  private readonly phases = new PhaseBook();
  /** Field managers of the engine's controllers (reconciler names, allocation, phase): their fields are not drift. */
  private readonly controllerManagers = new Set<string>([allocationFieldManager, phaseFieldManager]);

  private constructor(
    readonly registry: Registry,
    readonly manager: Manager,
    private readonly opts: EngineOptions,
  ) {}

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

  /** Reads served from the informer caches (see reconciler/hostapi.ts). */
  readonly read: ReadView & ChildCache = {
    resourceInfo: (t: TypeRef): ResourceInfo | undefined => this.registry.resourceInfo(t),
    get: (t, ns, name) => {
      const inf = this.informer(t);
      return inf.hasSynced() ? { obj: inf.get(ns, name) } : { missing: true };
    },
    list: (t, ns) => {
      const inf = this.informer(t);
      return inf.hasSynced() ? { items: inf.list(ns) } : { items: [], missing: true };
    },
    cached: (t, ns, name) => this.informer(t).get(ns, name),
    listOwnedBy: (t, uid) => this.informer(t).listByOwner(uid),
    ensure: async (t) => {
      await this.informer(t).waitForSync();
    },
  };

  private informer(t: TypeRef): SharedInformer {
    const inf = this.manager.informers.informerFor({ apiVersion: t.apiVersion, kind: t.kind });
    if (!inf.isStarted()) inf.start();
    return inf;
  }

  /** Loads a discovered project; returns every problem found (discovery's included). */
  async load(project: ProjectSource): Promise<LoadError[]> {
    const errors: LoadError[] = [...project.errors];
    for (const m of project.crds) {
      if (m.object.kind !== 'CustomResourceDefinition') {
        errors.push(new LoadError(m.pos, `crds/ holds CustomResourceDefinitions, found ${m.object.kind} ${m.object.metadata.name ?? ''}`));
        continue;
      }
      await this.applyManifest(m, errors);
    }
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

  private async applyManifest(m: Manifest, errors: LoadError[]): Promise<void> {
    const obj = m.object;
    const what = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name ?? ''}`;
    const info = this.registry.resourceInfo(obj);
    if (!info) {
      errors.push(new LoadError(m.pos, `${what}: unknown kind ${obj.kind} in ${obj.apiVersion} (no CRD defines it)`));
      return;
    }
    try {
      const o: KObject = structuredClone(obj);
      if (info.namespaced && !o.metadata.namespace) o.metadata.namespace = 'default';
      await this.registry.apply(o, { fieldManager: loaderFieldManager, force: true });
      if (o.status !== undefined && info.subresources.status) await this.registry.apply(o, { fieldManager: loaderFieldManager, force: true, subresource: 'status' });
    } catch (err) {
      errors.push(new LoadError(m.pos, describeApiError(err)));
    }
  }

  private addReconciler(src: ReconcilerSource, project: ProjectSource): void {
    const config = parseReconcilerConfig(src.config, src.name);
    const kind = reconcilerCodeKind(src);
    for (const t of [config.for, ...config.owns, ...config.watches]) {
      if (!this.registry.resourceInfo(t)) throw new ConfigError(config.name, [`unknown kind ${t.kind} in ${t.apiVersion} (no CRD defines it)`]);
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
    const forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    if (declaresPhase(this.registry, forType)) this.phases.declare(forType);
    this.controllerManagers.add(config.name);
    const reconciler = new StarlarkReconciler(config, {
      client: this.manager.client,
      read: this.read,
      run,
      report: this.opts.onReconcile,
      wrote: this.opts.onWrite,
      phases: this.phases,
      event: (obj, ev) => this.registry.events.record(obj, ev),
      isReconciler: (m) => this.controllerManagers.has(m),
    });
    this.reconcilers.push(reconciler);
    this.wire(config, reconciler);
    return reconciler;
  }

  private wire(config: ReconcilerConfig, reconciler: StarlarkReconciler): void {
    // The events of the reconciler's own writes do not re-trigger it (see reconciler/ownwrites.ts).
    const own = reconciler.ownWrites;
    const controller = this.manager.newController(config.name, reconciler, { workers: this.opts.workers, rateLimits: this.opts.rateLimits });
    const forType = { apiVersion: config.for.apiVersion, kind: config.for.kind };
    const forInformer = this.manager.informers.informerFor(forType);
    const forNamespaced = this.registry.resourceInfo(forType)?.namespaced ?? true;
    controller.watch(forInformer, own.filter(enqueueForObject()));
    for (const o of config.owns) controller.watch(this.manager.informers.informerFor(o), own.filter(enqueueForOwner(forType, { ownerNamespaced: forNamespaced })));
    const keyOf = (obj: KObject) => ({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' });
    config.watches.forEach((w, i) => {
      const join = w.join;
      // A join's For side is an index of the For cache: a watched event looks its key up (no scan of every For object).
      const index = `choreo.join/${config.name}/${i}`;
      const forKey = join?.forKey;
      if (forKey && !forInformer.hasIndexer(index)) forInformer.addIndexers({ [index]: (o) => { const k = forKey(o); return k === undefined ? [] : [k]; } });
      controller.watch(
        this.manager.informers.informerFor(w),
        enqueueMapped((watched) => {
          const target = join ? join.target(watched) : null;
          if (target === undefined) return [];
          const candidates = target === null ? forInformer.list() : forInformer.byIndex(index, target);
          return candidates.filter((f) => config.for.matches(f)).map(keyOf);
        }),
      );
    });
  }

  async start(): Promise<void> {
    await this.manager.start();
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    await this.registry.lifecycle.whenIdle();
    this.registry.close();
  }
}
