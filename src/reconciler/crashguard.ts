// Crash-loop guard for `run start`: an object whose reconcile killed the
// process (V8 out of memory, a native crash, kill -9 by an OOM killer) is held
// on the next start — not reconciled, reported — until its spec changes
// (generation) or it is deleted (uid), instead of killing every restart.
//
// Key idea: reconciles run their Starlark synchronously, one at a time, so one
// record says what is in flight. Before a reconcile the record (reconciler,
// object, uid, generation) is written at offset 0 of `.choreo/inflight` with a
// positioned write; after it, one byte ('-') marks it done. No fsync: the file
// only has to survive the process, not the machine, and the page cache keeps
// it. Cost: two small pwrite syscalls per reconcile (~2 µs each).
// On start a record not marked done names the object that was running when
// the process died; it joins the held set, kept in `.choreo/held.json` so the
// hold survives later restarts too.
// Trade-off: a death outside a reconcile (kill -9 between reconciles) finds
// the record marked done and holds nothing; a death during one (even one that
// was not the cause) holds that object — it is released by any spec change.

import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import type { KObject } from '../api/object.js';

export interface HeldObject {
  reconciler: string;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  /** When the process died in its reconcile (ISO time of the start that found it). */
  since: string;
}

const DONE = Buffer.from('-');

export class CrashGuard {
  private readonly held = new Map<string, HeldObject>();
  private fd: number;

  /** Opens the guard's files in dir; returns it with the objects held (new ones first reported by `found`). */
  constructor(
    private readonly dir: string,
    readonly found: HeldObject[] = [],
  ) {
    const heldFile = `${dir}/held.json`;
    if (existsSync(heldFile)) {
      try {
        for (const h of JSON.parse(readFileSync(heldFile, 'utf8')) as HeldObject[]) this.held.set(keyOf(h.reconciler, h.namespace, h.name), h);
      } catch {
        // A torn held.json holds nothing; the in-flight record below still does.
      }
    }
    const inflight = `${dir}/inflight`;
    if (existsSync(inflight)) {
      const text = readFileSync(inflight, 'utf8');
      if (text.length > 0 && text[0] !== '-') {
        try {
          const r = JSON.parse(text.slice(0, text.indexOf('\n'))) as Omit<HeldObject, 'since'>;
          const h: HeldObject = { ...r, since: new Date().toISOString() };
          this.held.set(keyOf(h.reconciler, h.namespace, h.name), h);
          found.push(h);
        } catch {
          // A record cut mid-write: the process died before the reconcile started.
        }
      }
    }
    this.saveHeld();
    this.fd = openSync(inflight, 'w');
    writeSync(this.fd, DONE, 0, 1, 0);
  }

  /** Every held object. */
  list(): HeldObject[] {
    return [...this.held.values()];
  }

  /** The hold on obj for reconciler, if it still applies; a changed spec or a new object releases it. */
  heldFor(reconciler: string, obj: KObject): HeldObject | undefined {
    if (this.held.size === 0) return undefined;
    const k = keyOf(reconciler, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const h = this.held.get(k);
    if (h === undefined) return undefined;
    if (h.uid === (obj.metadata.uid ?? '') && h.generation === (obj.metadata.generation ?? 0)) return h;
    this.held.delete(k);
    this.saveHeld();
    return undefined;
  }

  /** Releases every hold of a reconciler (its code was replaced by hot reload); returns how many. */
  release(reconciler: string): number {
    let n = 0;
    for (const [k, h] of this.held) {
      if (h.reconciler !== reconciler) continue;
      this.held.delete(k);
      n++;
    }
    if (n > 0) this.saveHeld();
    return n;
  }

  /** Records that the reconcile of obj starts (synchronously, before any Starlark runs). */
  begin(reconciler: string, obj: KObject): void {
    const rec = { reconciler, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', generation: obj.metadata.generation ?? 0 };
    const buf = Buffer.from(JSON.stringify(rec) + '\n');
    writeSync(this.fd, buf, 0, buf.length, 0);
  }

  /** Records that the reconcile ended (in any way but the death of the process). */
  end(): void {
    writeSync(this.fd, DONE, 0, 1, 0);
  }

  close(): void {
    closeSync(this.fd);
  }

  private saveHeld(): void {
    writeFileSync(`${this.dir}/held.json`, JSON.stringify(this.list(), null, 2) + '\n');
  }
}

function keyOf(reconciler: string, namespace: string, name: string): string {
  return `${reconciler}\n${namespace}/${name}`;
}

let active: CrashGuard | undefined;

/** Installs the guard every compiled reconciler consults (one per process: `run start`). */
export function installCrashGuard(guard: CrashGuard | undefined): void {
  active = guard;
}

export function crashGuard(): CrashGuard | undefined {
  return active;
}

export function heldMessage(h: HeldObject): string {
  return `held: the process died while this object was being reconciled (found at ${h.since}); it is not reconciled again until its spec changes or it is deleted`;
}
