// The file backend, choreo's embedded default: the memory backend's state
// (StoreState) made durable by a write-ahead log, so it survives `kill -9` or a
// power cut at any moment with no acknowledged write lost and no corrupt state.
//
// Design:
// - Directory layout: `log` (append-only records, see record.ts), `snapshot`
//   (every object at one revision), `LOCK` (see lock.ts).
// - A write is checked against the committed state plus writes still waiting for
//   the disk (the `pending` overlay), gets the next revision, and is queued as one
//   checksummed log record. It is acknowledged — and becomes visible to get, list
//   and watch — only after its record is on disk (write + fdatasync). Readers
//   therefore never see a write that a crash could take back.
// - A write refused because of a write still waiting for the disk (Conflict,
//   AlreadyExists, NotFound against the overlay) is refused only once that write
//   is durable. Otherwise the caller's retry — read, then write again — would
//   read the committed state that does not show the newer write yet and fail
//   the same way, many times within one fsync (issue 18: unconditional PATCHes
//   got 409). Waiting keeps the rule every retry loop relies on: after a
//   Conflict, a read returns the newer object; and an error never reports a
//   state a crash could take back.
// - Group commit: while one write+fdatasync is in flight, new writes queue; the
//   next flush writes the whole queue with one write and one fdatasync. One
//   writer pays one fsync; a hundred concurrent writers share a few. Each flush
//   starts one event-loop turn (setImmediate) after the previous one ended, so
//   the writes that callers issue on being acknowledged (a reconcile's status
//   after its children) join it rather than the one after.
// - Recovery: load the snapshot, replay log records after its revision, and
//   truncate the log at the first torn or checksum-failing record (only the
//   last, unacknowledged append can be torn). Damage with intact records after
//   it is not a torn append but corruption: opening fails rather than silently
//   dropping acknowledged writes. Replayed records rebuild the watch
//   history, so watches can resume from any revision since the snapshot.
// - Compaction: once the log passes `compactAfterBytes`, the flusher writes a
//   snapshot (temp file + fsync + rename + directory fsync) and empties the log.
//   A crash between the two leaves a log of records the snapshot already holds,
//   which replay skips by revision. Revisions stay monotonic across restarts
//   because the snapshot records the store revision, not just the objects.
// - An I/O failure while logging leaves memory ahead of disk, so the store
//   fails closed: every later call gets Unavailable and the process must reopen.
// The trade-off against a B-tree or LSM engine: everything lives in memory and
// startup replays the log — right for control-plane sized data (tens of
// thousands of objects), wrong for gigabytes.

import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { KObject } from '../api/object.js';
import { lockDirectory } from './lock.js';
import { checkWrite, deletedSnapshot, frozenParsed, parseRevision, snapshot } from './objects.js';
import { decodeFrames, deletePayload, describeTail, encodeFrame, intactFrameAfter, parseRecord, putPayload } from './record.js';
import { StoreState } from './state.js';
import { StoreError, type ListOptions, type ListResult, type ListScope, type ObjectKey, type Store, type Watch, type WatchEvent, type WatchOptions, type WriteOptions } from './store.js';

export interface FileStoreOptions {
  /** Events kept for watch replay and paged-list snapshots (default 10,000). */
  historySize?: number;
  /** Compact once the log is larger than this (default 64 MiB). */
  compactAfterBytes?: number;
}

/** What opening the store found on disk. */
export interface Recovery {
  snapshotRevision: number;
  replayedRecords: number;
  /** The store's revision after replay: the last intact write's resourceVersion. */
  lastRevision: number;
  /** Bytes cut from the end of the log (a torn or corrupt tail); 0 after a clean shutdown. */
  truncatedBytes: number;
  /** Records (whole or cut) that started in the cut bytes, and the revisions they name. */
  droppedRecords: number;
  droppedRevisions: number[];
  /** Why the tail was cut, if it was. */
  problem?: string;
}

/**
 * One line for the operator when opening cut a damaged log tail (undefined
 * otherwise): what was dropped and where the store continues. Opening must
 * never drop anything silently (issue 18).
 */
export function describeRecovery(dir: string, r: Recovery): string | undefined {
  if (r.truncatedBytes === 0) return undefined;
  const revs = r.droppedRevisions;
  const named = revs.length === 0 ? '' : revs.length === 1 ? `, resourceVersion ${revs[0]}` : `, resourceVersions ${revs[0]}–${revs.at(-1)}`;
  const records = r.droppedRecords === 0 ? 'no whole record header' : `${r.droppedRecords} incomplete record${r.droppedRecords === 1 ? '' : 's'}${named}`;
  return (
    `file store ${dir}: recovered from a damaged log tail (${r.problem}): dropped ${r.truncatedBytes} byte${r.truncatedBytes === 1 ? '' : 's'} (${records}); ` +
    `the store continues at the last intact resourceVersion ${r.lastRevision}. A crash during a write leaves such a tail; that write had not been acknowledged.`
  );
}

interface QueuedWrite {
  rev: number;
  overlayKey: string;
  frame: Buffer;
  commit: () => void;
  resolve: () => void;
  reject: (err: Error) => void;
}

const LOG = 'log';
const SNAPSHOT = 'snapshot';

function overlayKey(key: ObjectKey): string {
  return `${key.resource}\0${key.namespace}\0${key.name}`;
}

async function syncDirectory(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Loads `snapshot` into state; returns its revision (0 if there is none). */
async function loadSnapshot(dir: string, state: StoreState): Promise<number> {
  const file = path.join(dir, SNAPSHOT);
  const buf = await readIfExists(file);
  if (!buf) return 0;
  const corrupt = (why: string) => new StoreError('Unavailable', `snapshot ${file} is corrupt: ${why}`);
  const { payloads, problem } = decodeFrames(buf);
  if (problem) throw corrupt(problem);
  const header = JSON.parse(payloads[0] ?? 'null') as { snapshot?: number } | null;
  const trailer = JSON.parse(payloads.at(-1) ?? 'null') as { end?: number } | null;
  if (!Number.isSafeInteger(header?.snapshot) || trailer?.end !== payloads.length - 2) throw corrupt('missing header or trailer');
  for (const p of payloads.slice(1, -1)) {
    const r = parseRecord(p);
    if (r.op !== 'put') throw corrupt(`unexpected ${r.op} record`);
    state.restore(r, frozenParsed(r.object));
  }
  state.resetRevision(header!.snapshot!);
  return header!.snapshot!;
}

export class FileStore implements Store {
  /** Per key, the newest write still waiting for the disk, and its acknowledgement. */
  private readonly pending = new Map<string, { rev: number; obj: KObject | undefined; durable: Promise<void> }>();
  private queue: QueuedWrite[] = [];
  private compactWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private flusher: Promise<void> | undefined;
  private lastRev: number;
  private failure: StoreError | undefined;
  private closed = false;
  /** Log appends so far: each one write + fdatasync holding `records` writes (benchmarks report writes per fsync). */
  readonly stats = { fsyncs: 0, records: 0 };

  private constructor(
    readonly dir: string,
    private readonly state: StoreState,
    private readonly log: FileHandle,
    private logBytes: number,
    private readonly compactAfterBytes: number,
    private readonly unlock: () => Promise<void>,
    readonly recovery: Recovery,
  ) {
    this.lastRev = state.revision;
  }

  /** Opens (creating if needed) the store in `dir`, recovering from a crash if there was one. */
  static async open(dir: string, opts: FileStoreOptions = {}): Promise<FileStore> {
    await fs.mkdir(dir, { recursive: true });
    const unlock = await lockDirectory(dir);
    let log: FileHandle | undefined;
    try {
      await fs.rm(path.join(dir, `${SNAPSHOT}.tmp`), { force: true });
      const state = new StoreState(opts.historySize);
      const snapshotRevision = await loadSnapshot(dir, state);
      const logFile = path.join(dir, LOG);
      const existing = await readIfExists(logFile);
      const { payloads, end, problem } = decodeFrames(existing ?? Buffer.alloc(0));
      const intact = problem ? intactFrameAfter(existing!, end) : undefined;
      if (intact !== undefined) {
        throw new StoreError('Unavailable', `log ${logFile} is corrupt in the middle (${problem}; intact records follow at byte ${intact}); refusing to drop them — restore the directory from a backup`);
      }
      let replayedRecords = 0;
      for (const p of payloads) {
        const r = parseRecord(p);
        if (r.rev <= state.revision) continue; // already in the snapshot
        if (r.rev !== state.revision + 1) throw new StoreError('Unavailable', `log ${logFile} is corrupt: revision ${r.rev} follows ${state.revision}`);
        if (r.op === 'put') state.commitPut(r.rev, r, frozenParsed(r.object));
        else {
          const last = state.get(r);
          if (!last) throw new StoreError('Unavailable', `log ${logFile} is corrupt: revision ${r.rev} deletes a missing object`);
          state.commitDelete(r.rev, r, deletedSnapshot(last, r.rev));
        }
        replayedRecords++;
      }
      log = await fs.open(logFile, 'a');
      const truncatedBytes = (existing?.length ?? 0) - end;
      if (truncatedBytes > 0) {
        await log.truncate(end);
        await log.datasync();
      }
      if (!existing) await syncDirectory(dir); // make the new log's directory entry durable
      const dropped = truncatedBytes > 0 ? describeTail(existing!, end) : { records: 0, revisions: [] };
      const recovery: Recovery = {
        snapshotRevision,
        replayedRecords,
        lastRevision: state.revision,
        truncatedBytes,
        droppedRecords: dropped.records,
        droppedRevisions: dropped.revisions,
        ...(problem ? { problem } : {}),
      };
      return new FileStore(dir, state, log, end, opts.compactAfterBytes ?? 64 * 1024 * 1024, unlock, recovery);
    } catch (err) {
      await log?.close();
      await unlock();
      throw err;
    }
  }

  async get(key: ObjectKey): Promise<KObject | undefined> {
    this.ensureUsable();
    return this.state.get(key);
  }

  async list(scope: ListScope, opts?: ListOptions): Promise<ListResult> {
    this.ensureUsable();
    return this.state.list(scope, opts);
  }

  async create(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    return this.put('create', key, obj, opts);
  }

  async update(key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    return this.put('update', key, obj, opts);
  }

  async delete(key: ObjectKey, opts?: WriteOptions): Promise<KObject> {
    this.ensureUsable();
    const current = this.lookup(key);
    try {
      checkWrite('delete', key, current, opts);
    } catch (err) {
      throw await this.refusal(key, err);
    }
    const rev = ++this.lastRev;
    const deleted = deletedSnapshot(current!, rev);
    await this.enqueue(key, rev, undefined, deletePayload(rev, key), () => this.state.commitDelete(rev, key, deleted));
    return deleted;
  }

  watch(scope: ListScope, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: StoreError) => void): Watch {
    this.ensureUsable();
    return this.state.watch(scope, parseRevision(opts.resourceVersion, 'watch'), onEvent, onError);
  }

  async currentRevision(): Promise<string> {
    this.ensureUsable();
    return String(this.state.revision);
  }

  /** Writes a snapshot and empties the log now (normally automatic past compactAfterBytes). */
  async compact(): Promise<void> {
    this.ensureUsable();
    return new Promise((resolve, reject) => {
      this.compactWaiters.push({ resolve, reject });
      this.startFlusher();
    });
  }

  /** Waits for queued writes to reach the disk, then releases the log and the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flusher;
    this.state.failWatchers(new StoreError('Unavailable', 'store closed'));
    await this.log.close();
    await this.unlock();
  }

  private async put(op: 'create' | 'update', key: ObjectKey, obj: KObject, opts?: WriteOptions): Promise<KObject> {
    this.ensureUsable();
    const current = this.lookup(key);
    try {
      checkWrite(op, key, current, opts);
    } catch (err) {
      throw await this.refusal(key, err);
    }
    const rev = ++this.lastRev;
    const { object, json } = snapshot(obj, rev, current, opts?.adopt);
    await this.enqueue(key, rev, object, putPayload(rev, key, json), () => this.state.commitPut(rev, key, object));
    return object;
  }

  /** The object as the next write sees it: committed state overlaid with queued writes. */
  private lookup(key: ObjectKey): KObject | undefined {
    const p = this.pending.get(overlayKey(key));
    return p ? p.obj : this.state.get(key);
  }

  /**
   * checkWrite's refusal `err`, delivered once the queued write to `key` that
   * may have caused it is durable (see the header); at once if none is queued.
   */
  private async refusal(key: ObjectKey, err: unknown): Promise<unknown> {
    const p = this.pending.get(overlayKey(key));
    if (!p) return err;
    try {
      await p.durable;
      return err;
    } catch {
      return this.failure ?? err;
    }
  }

  private enqueue(key: ObjectKey, rev: number, obj: KObject | undefined, payload: string, commit: () => void): Promise<void> {
    const k = overlayKey(key);
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ rev, overlayKey: k, frame: encodeFrame(payload), commit, resolve, reject });
      this.startFlusher();
    });
    this.pending.set(k, { rev, obj, durable });
    return durable;
  }

  private startFlusher(): void {
    this.flusher ??= this.flush();
  }

  /** The only code that touches the log: appends batches, then compacts when asked or due. */
  private async flush(): Promise<void> {
    let batch: QueuedWrite[] = [];
    try {
      for (;;) {
        // The group-commit window: one turn of the event loop, so every write issued by
        // what runs now — including the next writes of the callers just acknowledged —
        // joins this append (issue 19: a reconcile's status write joined the flush after next).
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.queue.length === 0 && this.compactWaiters.length === 0) break;
        batch = this.queue;
        this.queue = [];
        if (batch.length > 0) {
          await this.append(Buffer.concat(batch.map((w) => w.frame)));
          this.stats.fsyncs++;
          this.stats.records += batch.length;
          for (const w of batch) {
            w.commit();
            if (this.pending.get(w.overlayKey)?.rev === w.rev) this.pending.delete(w.overlayKey);
            w.resolve();
          }
          batch = [];
        }
        if (this.compactWaiters.length > 0 || this.logBytes > this.compactAfterBytes) {
          const waiters = this.compactWaiters;
          this.compactWaiters = [];
          await this.writeSnapshot();
          for (const w of waiters) w.resolve();
        }
      }
    } catch (err) {
      this.failure = new StoreError('Unavailable', `file store ${this.dir} failed: ${(err as Error).message}; reopen it to recover`);
      for (const w of [...batch, ...this.queue, ...this.compactWaiters]) w.reject(this.failure);
      this.queue = [];
      this.compactWaiters = [];
      this.state.failWatchers(this.failure);
    } finally {
      this.flusher = undefined;
    }
  }

  private async append(buf: Buffer): Promise<void> {
    for (let off = 0; off < buf.length; ) {
      const { bytesWritten } = await this.log.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    await this.log.datasync();
    this.logBytes += buf.length;
  }

  private async writeSnapshot(): Promise<void> {
    const frames = [encodeFrame(JSON.stringify({ snapshot: this.state.revision }))];
    for (const [key, obj] of this.state.entries()) frames.push(encodeFrame(putPayload(Number(obj.metadata.resourceVersion), key, JSON.stringify(obj))));
    frames.push(encodeFrame(JSON.stringify({ end: frames.length - 1 })));
    const tmp = path.join(this.dir, `${SNAPSHOT}.tmp`);
    const h = await fs.open(tmp, 'w');
    try {
      await h.writeFile(Buffer.concat(frames));
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, path.join(this.dir, SNAPSHOT));
    await syncDirectory(this.dir);
    await this.log.truncate(0);
    await this.log.datasync();
    this.logBytes = 0;
  }

  private ensureUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StoreError('Unavailable', 'store closed');
  }
}
