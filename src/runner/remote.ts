// Kubeconfig mode: the project's reconcilers against any Kubernetes API server
// (choreo's own `server start`, or a real cluster), with no API server of our
// own. The same engine as in-process (engine.ts, ProjectEngine) over the HTTP
// Client (client/httpclient.ts): the loader server-side-applies the CRDs and
// `in/` objects as field manager `choreo`, waits until every CRD is
// Established (and its type is in discovery), and the informers list and
// watch over HTTP.
//
// Key idea: the seam is the Client plus a BuilderHost (reconciler/builder.ts).
// In-process both are the registry; here the Client is HTTP, `status.phase`
// is read from the CRDs the loader stored, and Events go through the same
// aggregating recorder as the registry's (apiserver/registry/events.ts) but
// over the Client.
//
// Trade-off: what only an in-process registry can do is absent: the built-in
// kuid allocation backends (they allocate inside the API write, an admission
// plugin) and waiting for the server's garbage collector in `run once`.

import type { TypeRef } from '../api/client.js';
import type { KObject } from '../api/object.js';
import { ApiError, isApiError } from '../api/errors.js';
import { findCondition } from '../api/conditions.js';
import { EventRecorder } from '../apiserver/registry/events.js';
import { HttpClient } from '../client/httpclient.js';
import type { LoadOptions } from '../client/kubeconfig.js';
import { defaultRateLimit, type RateLimit } from '../client/ratelimit.js';
import { Manager } from '../controller/index.js';
import type { BuilderHost } from '../reconciler/builder.js';
import { phaseFieldManager } from '../reconciler/phase.js';
import { describeApiError, ProjectEngine, type ProjectEngineOptions } from './engine.js';
import { LoadError, type Manifest } from './project/yamlfile.js';

/** The field manager of the runner's own writes of the project (CRDs, `in/` objects) in kubeconfig mode. */
export const remoteFieldManager = 'choreo';

export interface RemoteEngineOptions extends ProjectEngineOptions {
  client: HttpClient;
  /** How long a CRD may take to become Established (default 30 s). */
  establishTimeoutMs?: number;
  /** Informer list/watch failures (default: ignored; the informer relists with backoff). */
  onInformerError?: (err: unknown, context: string) => void;
}

/** The API server to run against (--kubeconfig, --context, --qps, --burst). */
export interface RemoteOptions extends Pick<LoadOptions, 'kubeconfig' | 'context' | 'env'> {
  /** Client-side rate limit (default 50 qps, burst 100: see client/ratelimit.ts). */
  rateLimit?: RateLimit;
}

/** Connects to the API server a kubeconfig names (kubectl's rules), with the runner's rate limit and retries. */
export function connectRemote(remote: RemoteOptions): Promise<HttpClient> {
  return HttpClient.connect({ kubeconfig: remote.kubeconfig, context: remote.context, env: remote.env }, { rateLimit: remote.rateLimit ?? defaultRateLimit });
}

/** `run once --kubeconfig`: an engine against that server. */
export async function openRemoteEngine(remote: RemoteOptions, opts: ProjectEngineOptions): Promise<RemoteEngine> {
  return RemoteEngine.open({ ...opts, client: await connectRemote(remote) });
}

type CrdLike = KObject & { spec?: { group?: string; names?: { kind?: string }; versions?: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }> } };
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
}

export class RemoteEngine extends ProjectEngine {
  /** apiVersion/kind of the project's types whose status schema declares a string phase. */
  private readonly phased: Set<string>;

  private constructor(
    readonly http: HttpClient,
    manager: Manager,
    private readonly ropts: RemoteEngineOptions,
    phased: Set<string>,
  ) {
    const recorder = new EventRecorder(eventStoreOver(http));
    const host: BuilderHost = {
      resourceInfo: (t) => http.resourceInfo(t),
      declaresPhase: (t) => phased.has(`${t.apiVersion}/${t.kind}`),
      recordEvent: (obj, ev) => recorder.record(obj, ev),
    };
    super(http, host, manager, ropts, { crds: remoteFieldManager, inputs: remoteFieldManager }, [phaseFieldManager]);
    this.phased = phased;
  }

  static open(opts: RemoteEngineOptions): RemoteEngine {
    const manager = new Manager(opts.client, {
      clock: opts.clock,
      coordinator: opts.coordinator,
      informer: { onError: opts.onInformerError ?? (() => {}) },
    });
    return new RemoteEngine(opts.client, manager, opts, new Set());
  }

  /**
   * Every type the cluster serves that can be listed and deleted (preferred
   * versions; not Events): what an earlier run applied from in/ may be of any
   * kind. Only the leader sweeps, once per start, so the lists are rare.
   */
  override async inputSweepTypes(): Promise<TypeRef[]> {
    const all = await this.http.discovery.all();
    return all
      .filter((r) => r.preferred && r.verbs.includes('list') && r.verbs.includes('delete') && r.kind !== 'Event')
      .map((r) => ({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind }));
  }

  /** Waits until every applied CRD is Established, then reloads discovery so its type resolves. */
  protected override async crdsApplied(crds: Array<{ manifest: Manifest; stored: KObject }>, errors: LoadError[]): Promise<void> {
    const deadline = Date.now() + (this.ropts.establishTimeoutMs ?? 30_000);
    for (const { manifest, stored } of crds) {
      const crd = stored as CrdLike;
      for (const v of crd.spec?.versions ?? []) {
        if (v.schema?.openAPIV3Schema?.properties?.status?.properties?.phase?.type === 'string') this.phased.add(`${crd.spec!.group}/${v.name}/${crd.spec!.names?.kind}`);
      }
      try {
        await this.waitEstablished(crd.metadata.name!, deadline);
      } catch (err) {
        errors.push(new LoadError(manifest.pos, describeApiError(err)));
      }
    }
    if (crds.length > 0) await this.http.discovery.all(true);
  }

  private async waitEstablished(name: string, deadline: number): Promise<void> {
    const t = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
    for (;;) {
      const crd = await this.http.get(t, '', name);
      const c = findCondition(crd?.status, 'Established');
      if (c?.status === 'True') return;
      if (Date.now() > deadline) {
        throw new ApiError('Timeout', `CustomResourceDefinition ${name} is not Established${c?.message ? ` (${c.message})` : ''}: the API server did not accept it in time`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.manager.stop();
    this.http.transport.close();
  }
}

/** The recorder's two operations (create an Event, bump one) over a Client; a bump that races another writer is retried from a fresh read. */
function eventStoreOver(client: HttpClient): ConstructorParameters<typeof EventRecorder>[0] {
  const events = { apiVersion: 'v1', kind: 'Event' };
  return {
    createObject: (_t, namespace, body) => client.create({ ...(body as KObject), metadata: { ...(body as KObject).metadata, namespace } }),
    mutate: async (_t, namespace, name, fn) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const cur = await client.get(events, namespace, name);
        if (!cur) return undefined;
        if (fn(cur) === false) return cur;
        try {
          return await client.update(cur);
        } catch (err) {
          if (!isApiError(err, 'Conflict')) throw err;
        }
      }
      return undefined;
    },
  };
}
