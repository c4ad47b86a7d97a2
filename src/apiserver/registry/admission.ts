// Mutating admission for kinds whose server-side logic goes beyond a schema
// (the built-in allocation backends: an IPClaim is allocated inside the write
// that stores it, as kuid's invoker does in the original's API server).
//
// Key idea: the registry knows nothing about what a plugin does. A plugin
// registers for kinds by storage key; the registry calls it once per write of
// such a kind, after the stored form is complete (defaults, generation,
// managedFields) and before the store write. Plugins name their kinds by
// group and kind (every version of the kind).
// A plugin that reports its result in status does so in a write of its own
// after the object is stored (committed), not in the stored object itself:
// a reconciler that created the object then sees a change that is not its own
// write (see reconciler/ownwrites.ts) and runs again to read the result, as a
// kuid claim's status event triggers its owner in the original. The plugin may edit the object
// (status of a claim), reject the write (throw an ApiError), and return what
// to do once the write is stored (write dependent objects) or failed (undo an
// in-memory reservation). Deletions are reported after the fact.
// Trade-off: one Map lookup per write of every other kind; the plugin's own
// work happens only for the kinds it registered.

import type { KObject } from '../../api/object.js';
import type { Subresource } from '../../api/client.js';

export interface AdmissionRequest {
  operation: 'create' | 'update';
  subresource: Subresource;
  /** The object about to be stored; the plugin may edit it in place. */
  object: KObject;
  /** The stored object an update replaces. */
  old?: KObject;
  /** Nothing is stored: check and report (edit the object), reserve nothing; outcomes are not called. */
  dryRun: boolean;
  /** Who writes (the field manager), when known. */
  fieldManager?: string;
}

export interface AdmissionOutcome {
  /**
   * The write is stored: make what depends on it (awaited before the write returns). May return
   * the object as it is after writes of its own (a status it reported), which the write then returns.
   */
  committed?(stored: KObject): Promise<KObject | undefined | void>;
  /** The write failed after admission: undo what admission reserved. */
  aborted?(): void;
}

export interface AdmissionPlugin {
  /** The kinds this plugin admits. */
  readonly kinds: ReadonlyArray<{ group: string; kind: string }>;
  admit(req: AdmissionRequest): Promise<AdmissionOutcome | void>;
  /** An object of a registered kind was removed from the store. */
  removed?(obj: KObject): void;
}

/** The plugins per group/kind; none for most kinds. */
export class Admission {
  private readonly byKey = new Map<string, AdmissionPlugin[]>();

  add(plugin: AdmissionPlugin): void {
    for (const k of plugin.kinds) {
      const key = `${k.group}/${k.kind}`;
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), plugin]);
    }
  }

  for(t: { group: string; kind: string }): AdmissionPlugin[] | undefined {
    return this.byKey.size === 0 ? undefined : this.byKey.get(`${t.group}/${t.kind}`);
  }

  /** Runs every plugin of the kind; returns one outcome combining theirs. */
  async admit(plugins: AdmissionPlugin[], req: AdmissionRequest): Promise<AdmissionOutcome> {
    const outs: AdmissionOutcome[] = [];
    try {
      for (const p of plugins) {
        const o = await p.admit(req);
        if (o) outs.push(o);
      }
    } catch (err) {
      for (const o of outs) o.aborted?.();
      throw err;
    }
    return {
      committed: async (stored) => {
        let latest = stored;
        for (const o of outs) latest = (await o.committed?.(latest)) ?? latest;
        return latest;
      },
      aborted: () => {
        for (const o of outs) o.aborted?.();
      },
    };
  }
}
