// The input sync of `run start`: the objects in in/ are the desired inputs.
// One added or changed in a file is applied; one that disappeared from in/ is
// deleted (its finalizers run, its children are collected as for any delete).
//
// Key idea: the sync only ever deletes what it applied. Objects are applied
// with their own field manager (the engine's inputManager: in-process
// engine.ts inputFieldManager, the original's "inputfileloader"; `choreo` in
// kubeconfig mode), so after a restart the objects an earlier run applied
// from in/ are still recognisable in the store — and an object created by
// kubectl or `choreoctl apply` never is, whatever its name: an object about
// to be deleted is read first and left alone unless that manager is among
// its managers (one recreated by kubectl under the same name). (The original
// choreo cleans up after a load the same way: pkg/server/choreo/loader/
// dataloader_input.go, InputLoader.Clean.)
//
// It works over the engine's Client, so it serves both the in-process
// engine and kubeconfig mode. There, with leader election, only the leader
// deletes (mayDelete): every runner applies its in/ (idempotent while the
// copies agree), but a standby started from an older copy must not delete
// what the leader's in/ added. What a standby did not delete stays pending
// and is deleted once it leads (serveremote.ts reloads on taking over).
//
// Safety over eagerness: a deletion happens only when a second look a moment
// later still misses the object (reload.ts, settleMs). The objects of an in/
// file that does not parse are kept as they are (neither applied nor
// deleted) until the file is fixed, and the start-up sweep is skipped while any in/ file is broken. It is skipped
// too when several runners share the store (etcd): a runner started from an
// older copy of the project would otherwise delete what the others' in/ added.
// Their live syncs still delete what is removed from their own copy. In
// kubeconfig mode there is no sweep (ProjectEngine.inputSweepTypes): every
// project's runner on a cluster applies as `choreo`.

import { createHash } from 'node:crypto';
import { resolve, sep } from 'node:path';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import { describeApiError, type ProjectEngine } from './engine.js';
import { objectKey } from './project/discover.js';
import type { ProjectSource } from './project/source.js';
import { LoadError, type Manifest } from './project/yamlfile.js';

interface Applied {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  hash: string;
  /** The in/ file it came from (as discovery names it). */
  file: string;
}

/** A fingerprint of JSON data (an object as written in in/, a project's sources). */
export const contentHash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');

function describe(o: { kind: string; namespace: string; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** Whether the load error is about manifest m (it carries m's position). */
export const samePos = (a: LoadError, m: Manifest) => a.pos.file === m.pos.file && a.pos.line === m.pos.line && a.pos.col === m.pos.col;

export interface InputSyncOptions {
  /** Whether this runner may delete what left in/ now (default: always; the leader only, with leader election). */
  mayDelete?: () => boolean;
}

/** Whether `manager` is among the object's field managers. */
const managedBy = (o: KObject, manager: string) => o.metadata.managedFields?.some((f) => f.manager === manager) ?? false;

export class InputSync {
  /** Objects applied from in/ by this process, by identity (discover.ts objectKey). */
  private readonly applied = new Map<string, Applied>();
  private readonly mayDelete: () => boolean;

  constructor(
    private readonly engine: ProjectEngine,
    private readonly log: (line: string) => void,
    opts: InputSyncOptions = {},
  ) {
    this.mayDelete = opts.mayDelete ?? (() => true);
  }

  private record(m: Manifest): Applied {
    const o = m.object;
    const namespaced = this.engine.client.resourceInfo(o)?.namespaced ?? true;
    return { apiVersion: o.apiVersion, kind: o.kind, namespace: namespaced ? o.metadata.namespace || 'default' : '', name: o.metadata.name ?? '', hash: contentHash(o), file: m.pos.file };
  }

  /**
   * After the engine's first load: remembers the inputs it applied (those
   * without a load error), then deletes the objects earlier runs applied from
   * in/ that are not there any more.
   */
  async loaded(project: ProjectSource, loadErrors: LoadError[], inputDir: string, opts: { sweep: boolean }): Promise<void> {
    for (const m of project.inputs) {
      const key = objectKey(m.object);
      if (key !== undefined && !loadErrors.some((e) => samePos(e, m))) this.applied.set(key, this.record(m));
    }
    if (!opts.sweep) return;
    const brokenInput = project.errors.some((e) => resolve(e.pos.file).startsWith(resolve(inputDir) + sep));
    if (brokenInput) {
      this.log('input sync: in/ has errors; objects earlier runs applied from in/ are not cleaned up until it loads');
      return;
    }
    const desired = new Set(project.inputs.map((m) => objectKey(m.object)));
    const client = this.engine.client;
    for (const t of this.engine.inputSweepTypes()) {
      let items: KObject[];
      try {
        items = (await client.list(t)).items;
      } catch {
        continue;
      }
      for (const o of items) {
        if (o.metadata.deletionTimestamp || !managedBy(o, this.engine.inputManager)) continue;
        if (desired.has(objectKey(o))) continue;
        const what = describe({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });
        try {
          await client.delete(o, o.metadata.namespace ?? '', o.metadata.name ?? '', { preconditions: { uid: o.metadata.uid } });
          this.log(`input sync: ${what} deleted (applied from in/ by an earlier run, no longer there)`);
        } catch (err) {
          if (!(isApiError(err) && err.code === 404)) this.log(`input sync: deleting ${what}: ${describeApiError(err)}`);
        }
      }
    }
  }

  /** Whether sync(inputs, broken) would delete something. */
  wouldDelete(inputs: Manifest[], broken: Set<string>): boolean {
    if (!this.mayDelete()) return false;
    const desired = new Set(inputs.map((m) => objectKey(m.object)));
    for (const [key, rec] of this.applied) if (!desired.has(key) && !broken.has(rec.file)) return true;
    return false;
  }

  /**
   * Brings the store in line with `inputs`: applies what is new or changed,
   * deletes what this process applied that is gone — except the objects of
   * files in `broken`. Problems go to `errors`; returns what it did.
   */
  async sync(inputs: Manifest[], broken: Set<string>, errors: LoadError[]): Promise<string[]> {
    const done: string[] = [];
    const desired = new Map<string, Manifest>();
    for (const m of inputs) {
      const key = objectKey(m.object);
      if (key !== undefined) desired.set(key, m);
    }
    for (const [key, m] of desired) {
      const rec = this.record(m);
      const prev = this.applied.get(key);
      if (prev?.hash === rec.hash) {
        prev.file = rec.file;
        continue;
      }
      const before = errors.length;
      await this.engine.applyInput(m, errors);
      if (errors.length > before) continue;
      this.applied.set(key, rec);
      done.push(`${describe(rec)} applied`);
    }
    if (!this.mayDelete()) {
      // A standby: the leader deletes; ours stay pending until we lead.
      const pending = [...this.applied].filter(([key, rec]) => !desired.has(key) && !broken.has(rec.file)).map(([, rec]) => describe(rec));
      if (pending.length > 0) done.push(`${pending.join(', ')} gone from in/, left to the leader (this runner stands by)`);
      return done;
    }
    for (const [key, rec] of [...this.applied]) {
      if (desired.has(key) || broken.has(rec.file)) continue;
      try {
        const type = { apiVersion: rec.apiVersion, kind: rec.kind };
        const cur = await this.engine.client.get(type, rec.namespace, rec.name);
        if (cur && !managedBy(cur, this.engine.inputManager)) done.push(`${describe(rec)} gone from ${rec.file}, left alone (recreated by another client)`);
        else if (cur) {
          await this.engine.client.delete(type, rec.namespace, rec.name, { preconditions: { uid: cur.metadata.uid } });
          done.push(`${describe(rec)} deleted (gone from ${rec.file})`);
        }
      } catch (err) {
        if (!(isApiError(err) && err.code === 404)) {
          errors.push(new LoadError({ file: rec.file, line: 1, col: 1 }, `deleting ${describe(rec)}: ${describeApiError(err)}`));
          continue;
        }
      }
      this.applied.delete(key);
    }
    return done;
  }
}
