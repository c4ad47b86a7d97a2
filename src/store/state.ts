// The committed, in-memory state shared by the memory and file backends: per
// resource a sorted table of frozen objects, the global revision, a bounded ring
// of recent events, and the watchers those events fan out to.
//
// Key ideas:
// - Each resource keeps a Map (point lookups) plus a sorted array of row keys
//   ("namespace\0name"), so list is a binary search plus a linear walk in the
//   order callers want. A create only appends its row to a pending batch; the
//   next read of the order sorts the batch and merges it in one pass (a burst
//   of creates costs one O(n) merge instead of an O(n) splice each). Updates
//   touch only the Map.
// - Every write is one event with the next revision, so the event ring is the
//   store's history. It serves watch replay ("everything after revision R") and
//   paged lists at a consistent snapshot: a continue token remembers the list's
//   revision and the last row key, and the next page undoes, from the ring, the
//   changes made since — the same answer etcd's MVCC read at that revision gives.
//   Once the ring has moved past R, both fail with Gone and the client relists.
// - Watch delivery is asynchronous and ordered: a commit appends the event to
//   each matching watcher's queue and schedules one microtask per watcher to
//   drain it, so writers never run watcher code and a watcher always sees
//   events in revision order. A progress request (requestProgress) queues a
//   BOOKMARK at the current revision behind those events, so it is sent only
//   once everything up to that revision has been.

import type { KObject } from '../api/object.js';
import { rowKey } from './objects.js';
import { StoreError, type ListOptions, type ListResult, type ListScope, type ObjectKey, type Watch, type WatchEvent } from './store.js';

interface HistoryEvent {
  rev: number;
  resource: string;
  namespace: string;
  row: string;
  event: WatchEvent; // frozen, shared by every watcher
}

class Table {
  readonly rows = new Map<string, KObject>();
  /** Row keys in order, except the newest ones still in `pending`. */
  private sorted: string[] = [];
  /** Rows created since the order was last read, unsorted. */
  private pending: string[] = [];

  /** Every row key in order (folds in the rows created since the last read). */
  get order(): readonly string[] {
    if (this.pending.length) this.flush();
    return this.sorted;
  }

  /** `isNew`: the caller just looked the row up and found nothing (saves a lookup). */
  set(row: string, obj: KObject, isNew = !this.rows.has(row)): void {
    if (isNew) this.pending.push(row);
    this.rows.set(row, obj);
  }

  delete(row: string): void {
    if (!this.rows.delete(row)) return;
    const order = this.order as string[];
    order.splice(lowerBound(order, row), 1);
  }

  /**
   * Sorts the pending rows into the order: a few are spliced in one by one
   * (binary search + memmove); a batch is sorted and merged in one pass, so a
   * run of creates between two reads costs one O(n) merge, not one per create.
   */
  private flush(): void {
    const add = this.pending.sort();
    this.pending = [];
    const old = this.sorted;
    if (add.length <= 4) {
      for (const row of add) old.splice(lowerBound(old, row), 0, row);
      return;
    }
    const out = new Array<string>(old.length + add.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < add.length) out[k++] = old[i] < add[j] ? old[i++] : add[j++];
    while (i < old.length) out[k++] = old[i++];
    while (j < add.length) out[k++] = add[j++];
    this.sorted = out;
  }
}

/** Index of the first element >= key. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Fixed-capacity ring of events in revision order. */
class History {
  private readonly buf: (HistoryEvent | undefined)[];
  private start = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array(capacity);
  }

  at(i: number): HistoryEvent {
    return this.buf[(this.start + i) % this.capacity]!;
  }

  push(ev: HistoryEvent): HistoryEvent | undefined {
    if (this.size < this.capacity) {
      this.buf[(this.start + this.size++) % this.capacity] = ev;
      return undefined;
    }
    const evicted = this.buf[this.start];
    this.buf[this.start] = ev;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Index of the first event with rev > after. */
  firstAfter(after: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rev <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

class Watcher implements Watch {
  private queue: WatchEvent[] = [];
  private head = 0;
  private scheduled = false;
  stopped = false;

  constructor(
    readonly scope: ListScope,
    /** Only events with a revision above this are delivered. */
    private readonly after: number,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError: ((err: StoreError) => void) | undefined,
    private readonly detach: (w: Watcher) => void,
    private readonly revisionNow: () => number,
  ) {}

  /** Queued behind every event already committed, so everything up to the revision is delivered first. */
  requestProgress(): void {
    if (!this.stopped) this.enqueue({ type: 'BOOKMARK', object: { apiVersion: '', kind: '', metadata: { resourceVersion: String(this.revisionNow()) } } });
  }

  matches(ev: HistoryEvent): boolean {
    return ev.rev > this.after && (!this.scope.namespace || this.scope.namespace === ev.namespace);
  }

  private readonly drainNow = () => this.drain();

  enqueue(ev: WatchEvent): void {
    this.queue.push(ev);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drainNow);
    }
  }

  private drain(): void {
    this.scheduled = false;
    while (!this.stopped && this.head < this.queue.length) {
      const ev = this.queue[this.head++];
      try {
        this.onEvent(ev);
      } catch (err) {
        // A throwing handler must not take the store down; it ends its own watch.
        this.fail(new StoreError('Unavailable', `watch handler failed: ${(err as Error).message ?? err}`));
      }
    }
    // Usually everything was delivered: reuse the array instead of slicing a new one.
    if (this.head >= this.queue.length) this.queue.length = 0;
    else this.queue = this.queue.slice(this.head);
    this.head = 0;
  }

  /** Stops the watch and reports err asynchronously (never inside the caller's write or watch call). */
  fail(err: StoreError): void {
    if (this.stopped) return;
    this.stop();
    if (this.onError) queueMicrotask(() => this.onError!(err));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.detach(this);
  }
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (Number.isSafeInteger(t.rv) && t.rv >= 0 && typeof t.start === 'string') return t;
  } catch {
    // fall through to the error below
  }
  throw new StoreError('BadRequest', `invalid continue token ${JSON.stringify(s.slice(0, 40))}`);
}

export class StoreState {
  /** Revision of the last committed write. */
  revision = 0;
  /** The oldest revision a watch or continue token may start after; older ones are Gone. */
  private historyStart = 0;
  private readonly tables = new Map<string, Table>();
  private readonly history: History;
  /** Per resource; replaced, never edited, when a watcher comes or goes, so record() walks a plain array. */
  private readonly watchers = new Map<string, readonly Watcher[]>();

  constructor(historySize = 10_000) {
    this.history = new History(historySize);
  }

  /** Starts the state at `revision` with no history before it (used when loading a snapshot). */
  resetRevision(revision: number): void {
    this.revision = revision;
    this.historyStart = revision;
  }

  /** Inserts an object without an event (loading a snapshot; call resetRevision afterwards). */
  restore(key: ObjectKey, obj: KObject): void {
    let table = this.tables.get(key.resource);
    if (!table) this.tables.set(key.resource, (table = new Table()));
    table.set(rowKey(key.namespace, key.name), obj);
  }

  get(key: ObjectKey): KObject | undefined {
    return this.tables.get(key.resource)?.rows.get(rowKey(key.namespace, key.name));
  }

  /** get by a row key the caller computed (rowKey), which a write then passes to commitPut too. */
  getRow(resource: string, row: string): KObject | undefined {
    return this.tables.get(resource)?.rows.get(row);
  }

  /** Every stored object with its key, resource by resource (for snapshots). */
  *entries(): Iterable<[ObjectKey, KObject]> {
    for (const [resource, table] of this.tables) {
      for (const row of table.order) {
        const i = row.indexOf('\0');
        yield [{ resource, namespace: row.slice(0, i), name: row.slice(i + 1) }, table.rows.get(row)!];
      }
    }
  }

  /** Records a create or update at `rev` (must be revision + 1) and notifies watchers. `row`: rowKey(key), when the caller has it. */
  commitPut(rev: number, key: ObjectKey, obj: KObject, row = rowKey(key.namespace, key.name)): void {
    let table = this.tables.get(key.resource);
    if (!table) this.tables.set(key.resource, (table = new Table()));
    const prev = table.rows.get(row);
    table.set(row, obj, prev === undefined);
    const event: WatchEvent = prev ? { type: 'MODIFIED', object: obj, prevObject: prev } : { type: 'ADDED', object: obj };
    this.record(rev, key, row, event);
  }

  /** Records a delete at `rev`; `deleted` is the last stored object stamped with `rev`. */
  commitDelete(rev: number, key: ObjectKey, deleted: KObject): void {
    const table = this.tables.get(key.resource);
    const row = rowKey(key.namespace, key.name);
    const prev = table?.rows.get(row);
    if (!table || !prev) throw new Error(`store invariant: delete of absent ${key.resource} ${row}`);
    table.delete(row);
    this.record(rev, key, row, { type: 'DELETED', object: deleted, prevObject: prev });
  }

  private record(rev: number, key: ObjectKey, row: string, event: WatchEvent): void {
    if (rev !== this.revision + 1) throw new Error(`store invariant: revision ${rev} after ${this.revision}`);
    this.revision = rev;
    const ev: HistoryEvent = { rev, resource: key.resource, namespace: key.namespace, row, event: Object.freeze(event) };
    const evicted = this.history.push(ev);
    if (evicted) this.historyStart = evicted.rev;
    const ws = this.watchers.get(key.resource);
    if (ws !== undefined) for (let i = 0; i < ws.length; i++) if (ws[i].matches(ev)) ws[i].enqueue(ev.event);
  }

  list(scope: ListScope, opts: ListOptions = {}): ListResult {
    let rev = this.revision;
    let after: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      if (token.rv > this.revision) throw new StoreError('BadRequest', 'continue token is from the future');
      if (token.rv < this.historyStart) throw new StoreError('Gone', `continue token expired (revision ${token.rv} is older than the retained history); list again`);
      rev = token.rv;
      after = token.start;
    }
    const table = this.tables.get(scope.resource);
    const rows = table?.rows ?? new Map<string, KObject>();
    const past = rev < this.revision ? this.stateAt(scope, rev) : undefined;
    const prefix = scope.namespace ? `${scope.namespace}\0` : '';
    const inRange = (row: string) => row.startsWith(prefix) && (after === undefined || row > after);

    // Candidate rows in order: the table's, merged with rows deleted since `rev` that existed then.
    const current = table?.order ?? [];
    const gone = past ? [...past.keys()].filter((r) => !rows.has(r) && past.get(r) && inRange(r)).sort() : [];
    let i = lowerBound(current, after !== undefined && after > prefix ? after : prefix);
    if (i < current.length && current[i] === after) i++;
    let j = 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KObject[] = [];
    let lastRow = '';
    for (;;) {
      let row: string;
      if (i < current.length && inRange(current[i]) && (j >= gone.length || current[i] < gone[j])) row = current[i++];
      else if (j < gone.length) row = gone[j++];
      else break;
      const obj = past?.has(row) ? past.get(row) : rows.get(row);
      if (!obj || (opts.filter && !opts.filter(obj))) continue;
      if (items.length === limit) {
        return { items, resourceVersion: String(rev), continue: encodeContinue({ rv: rev, start: lastRow }) };
      }
      items.push(obj);
      lastRow = row;
    }
    return { items, resourceVersion: String(rev) };
  }

  /** For rows of `scope` changed after `rev`: their state at `rev` (null = absent then). */
  private stateAt(scope: ListScope, rev: number): Map<string, KObject | null> {
    const past = new Map<string, KObject | null>();
    for (let i = this.history.firstAfter(rev); i < this.history.size; i++) {
      const ev = this.history.at(i);
      if (ev.resource !== scope.resource || past.has(ev.row)) continue;
      past.set(ev.row, ev.event.type === 'ADDED' ? null : ev.event.prevObject!);
    }
    return past;
  }

  /** Registers a watcher; replays history after `from` (undefined = now) before live events. */
  watch(scope: ListScope, from: number | undefined, onEvent: (ev: WatchEvent) => void, onError?: (err: StoreError) => void): Watch {
    const w = new Watcher(scope, from ?? this.revision, onEvent, onError, (x) => {
      const rest = (this.watchers.get(scope.resource) ?? []).filter((y) => y !== x);
      if (rest.length > 0) this.watchers.set(scope.resource, rest);
      else this.watchers.delete(scope.resource);
    }, () => this.revision);
    if (from !== undefined && from < this.historyStart) {
      w.fail(new StoreError('Gone', `too old resource version: ${from} (oldest retained: ${this.historyStart}); list again`));
      return w;
    }
    if (from !== undefined) {
      for (let i = this.history.firstAfter(from); i < this.history.size; i++) {
        const ev = this.history.at(i);
        if (ev.resource === scope.resource && w.matches(ev)) w.enqueue(ev.event);
      }
    }
    this.watchers.set(scope.resource, [...(this.watchers.get(scope.resource) ?? []), w]);
    return w;
  }

  /** Ends every watch with `err` (the store is closing or has failed). */
  failWatchers(err: StoreError): void {
    for (const ws of [...this.watchers.values()]) for (const w of ws) w.fail(err);
  }
}
