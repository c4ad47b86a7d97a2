// The input sync of `run start`: the objects in in/ are the desired inputs.
// One added or changed in a file is applied; one that disappeared from in/ is
// deleted (its finalizers run, its children are collected as for any delete).
//
// Key idea: the sync only ever deletes what it applied. Objects are applied
// with their own field manager (the engine's inputManager: in-process
// engine.ts inputFieldManager, the original's "inputfileloader"; `choreo` in
// kubeconfig mode) and marked with the origin annotation
// api.choreo.kform.dev/origin (engine.ts originAnnotation; in kubeconfig mode
// its value names the project, serveremote.ts projectInputOrigin), so after a
// restart the objects an earlier run applied from in/ are still recognisable
// in the store — and an object created by kubectl or `choreoctl apply`, or by
// another project's runner on the same cluster, never is: an object is
// deleted only while both the manager and this project's origin are on it
// (one recreated by kubectl under the same name is left alone). (The original
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
// too when several in-process runners share the store (etcd): a runner started
// from an older copy of the project would otherwise delete what the others'
// in/ added. Their live syncs still delete what is removed from their own
// copy. In kubeconfig mode only the leader sweeps (a standby when it first
// leads), over every type the cluster serves (RemoteEngine.inputSweepTypes).

import { createHash } from 'node:crypto';
import { resolve, sep } from 'node:path';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import type { TypeRef } from '../api/client.js';
import { describeApiError, originAnnotation, type ProjectEngine } from './engine.js';
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
  private inputDir = '';
  /** The start-up sweep has yet to run (a standby sweeps once it leads). */
  private sweepPending = false;
  private sweepWarned = false;

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
   * without a load error), then (sweep) deletes the objects earlier runs
   * applied from in/ that are not there any more — now, or, on a standby, at
   * the first sync after it became leader.
   */
  async loaded(project: ProjectSource, loadErrors: LoadError[], inputDir: string, opts: { sweep: boolean }): Promise<void> {
    for (const m of project.inputs) {
      const key = objectKey(m.object);
      if (key !== undefined && !loadErrors.some((e) => samePos(e, m))) this.applied.set(key, this.record(m));
    }
    this.inputDir = inputDir;
    this.sweepPending = opts.sweep;
    for (const line of await this.sweep(project.inputs, new Set(project.errors.map((e) => e.pos.file)))) this.log(`input sync: ${line}`);
  }

  /** Whether one of the `broken` files is in in/. */
  private brokenInput(broken: Set<string>): boolean {
    const dir = resolve(this.inputDir) + sep;
    return [...broken].some((f) => resolve(f).startsWith(dir));
  }

  /**
   * The start-up sweep, if still pending and this runner may delete: deletes
   * every object of the input manager and this project's origin that is not
   * in `inputs`. Skipped (and left pending) while an in/ file is broken.
   */
  private async sweep(inputs: Manifest[], broken: Set<string>): Promise<string[]> {
    if (!this.sweepPending || !this.mayDelete()) return [];
    if (this.brokenInput(broken)) {
      if (this.sweepWarned) return [];
      this.sweepWarned = true;
      return ['in/ has errors; objects earlier runs applied from in/ are not cleaned up until it loads'];
    }
    this.sweepPending = false;
    const done: string[] = [];
    const desired = new Set(inputs.map((m) => objectKey(m.object)));
    const client = this.engine.client;
    let types: TypeRef[] = [];
    try {
      types = await this.engine.inputSweepTypes();
    } catch (err) {
      return [`listing the types to clean up: ${describeApiError(err)}`];
    }
    for (const t of types) {
      let items: KObject[];
      try {
        items = (await client.list(t)).items;
      } catch {
        continue;
      }
      for (const o of items) {
        if (o.metadata.deletionTimestamp || !this.ours(o)) continue;
        if (desired.has(objectKey(o))) continue;
        const what = describe({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });
        try {
          await client.delete(o, o.metadata.namespace ?? '', o.metadata.name ?? '', { preconditions: { uid: o.metadata.uid } });
          done.push(`${what} deleted (applied from in/ by an earlier run, no longer there)`);
        } catch (err) {
          if (!(isApiError(err) && err.code === 404)) done.push(`deleting ${what}: ${describeApiError(err)}`);
        }
      }
    }
    return done;
  }

  /** Whether the loader applied `o` from this project's in/: the input field manager is among its managers and it carries this project's origin. */
  private ours(o: KObject): boolean {
    return managedBy(o, this.engine.inputManager) && o.metadata.annotations?.[originAnnotation] === this.engine.inputOrigin;
  }

  /** Whether sync(inputs, broken) would delete something (or sweep). */
  wouldDelete(inputs: Manifest[], broken: Set<string>): boolean {
    if (!this.mayDelete()) return false;
    if (this.sweepPending && !this.brokenInput(broken)) return true;
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
        if (cur && !this.ours(cur)) done.push(`${describe(rec)} gone from ${rec.file}, left alone (recreated by another client)`);
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
    done.push(...(await this.sweep(inputs, broken)));
    return done;
  }
}
