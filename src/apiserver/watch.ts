// `?watch=1` over HTTP: a chunked stream of newline-delimited JSON watch
// events ({type, object}) with kube-apiserver's options — resourceVersion
// (unset/"0" = synthetic ADDED for current state, then live), sendInitialEvents
// (initial state, then a BOOKMARK annotated k8s.io/initial-events-end),
// allowWatchBookmarks (periodic BOOKMARKs at the store's revision where the
// store offers requestProgress, else at the last event sent), timeoutSeconds, selectors — in
// plain JSON, Table (kubectl get -w) or PartialObjectMetadata form.
//
// A too-old resourceVersion is reported in-stream as an ERROR event carrying
// a 410 Status, as the apiserver does, so clients relist.
//
// Memory stays bounded however many clients stop reading. kube-apiserver's
// writes block on a full socket and its watch cache closes a watcher that
// cannot keep up; node buffers instead, so we bound the buffers: the initial
// state is written with backpressure (waiting for 'drain'), and a live watch
// is closed — its connection destroyed, which drops what it had buffered —
// once its buffer passes maxBufferBytes, or passes laggingBytes while the
// buffers of all watches together pass maxTotalBufferBytes. A watch ended
// normally (timeout, shutdown) whose client does not read the rest is
// destroyed after a grace period. Watches are counted per client (remote
// address); one more than maxWatchesPerClient is refused with 429.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import { writeStatus, type ResponseForm } from './http.js';
import type { Watch } from '../store/store.js';
import type { Registry } from './registry/registry.js';
import type { ResourceType } from './registry/resources.js';
import { selectorFilter } from './registry/read.js';
import { partialMetadata, renderTable, type IncludeObject } from './table.js';

export interface WatchParams {
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  include: IncludeObject;
}

export interface WatchConfig {
  bookmarkIntervalMs: number;
  /** A live watch buffering more than this for its client is closed. */
  maxBufferBytes: number;
  /** The buffers of all watches together; past it, every watch lagging by laggingBytes is closed. */
  maxTotalBufferBytes: number;
  laggingBytes: number;
  maxWatchesPerClient: number;
  /** How long an ended watch may take to hand its client the rest before the connection is dropped. */
  closeGraceMs: number;
  /** Upper bound for a watch without timeoutSeconds (kube-apiserver: 30-60 min). */
  defaultTimeoutSeconds: number;
}

export const defaultWatchConfig: WatchConfig = {
  bookmarkIntervalMs: 60_000,
  maxBufferBytes: 16 * 1024 * 1024,
  maxTotalBufferBytes: 64 * 1024 * 1024,
  laggingBytes: 1024 * 1024,
  maxWatchesPerClient: 100,
  closeGraceMs: 5000,
  defaultTimeoutSeconds: 1800,
};

/** What all watch streams of one server share: open watches per client and the bytes they buffer. */
export class WatchBudget {
  private readonly perClient = new Map<string, number>();
  /** Bytes buffered by all watches, as last seen by each (updated on write, drain and close). */
  buffered = 0;

  /** Counts a new watch of `client`; undefined when the client is at the limit. Returns the release function. */
  admit(client: string, limit: number): (() => void) | undefined {
    const n = this.perClient.get(client) ?? 0;
    if (n >= limit) return undefined;
    this.perClient.set(client, n + 1);
    return () => {
      const m = (this.perClient.get(client) ?? 1) - 1;
      if (m > 0) this.perClient.set(client, m);
      else this.perClient.delete(client);
    };
  }
}

/**
 * A plain JSON watch event line. The store hands one event to every watcher
 * in turn, and stored objects are frozen, so the last line is reused while
 * the same (type, object) comes again: one encoding per event, not per watch.
 */
function jsonEvent(type: string, object: KObject): string {
  if (!Object.isFrozen(object)) return `${JSON.stringify({ type, object })}\n`;
  if (lastEvent.object !== object || lastEvent.type !== type) lastEvent = { type, object, line: `${JSON.stringify({ type, object })}\n` };
  return lastEvent.line;
}
let lastEvent: { type: string; object: KObject | undefined; line: string } = { type: '', object: undefined, line: '' };

export async function serveWatch(
  registry: Registry,
  t: ResourceType,
  req: IncomingMessage,
  res: ServerResponse,
  form: ResponseForm,
  p: WatchParams,
  cfg: WatchConfig,
  budget: WatchBudget,
  track: (close: () => void) => () => void,
): Promise<void> {
  // Validate selectors before committing to a 200 stream.
  selectorFilter(p.labelSelector, p.fieldSelector);
  const client = req.socket.remoteAddress ?? '';
  const admitted = budget.admit(client, cfg.maxWatchesPerClient);
  if (!admitted) {
    const e = new ApiError('TooManyRequests', `Too many requests, please try again later: this client has ${cfg.maxWatchesPerClient} open watches, the limit`);
    return writeStatus(res, e, { 'Retry-After': '1' });
  }
  // Released when the connection is done with, not when the stream ends: until then it may hold buffered events.
  let counted = 0; // this watch's share of budget.buffered
  let grace: NodeJS.Timeout | undefined;
  res.on('close', () => {
    admitted();
    budget.buffered -= counted;
    counted = 0;
    clearTimeout(grace);
  });
  res.on('drain', () => {
    budget.buffered -= counted;
    counted = 0;
  });
  req.socket.setTimeout(0); // a quiet watch is not an idle connection; its buffers are bounded here
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let first = true;
  let lastRV = p.resourceVersion && p.resourceVersion !== '0' ? p.resourceVersion : '';
  let closed = false;
  let stopWatch: Watch | undefined;
  const timers: NodeJS.Timeout[] = [];

  const encode = (type: string, obj: KObject): string => {
    if (form.kind === 'json') return jsonEvent(type, obj);
    let object: unknown = obj;
    if (type !== 'BOOKMARK' && type !== 'ERROR') {
      if (form.kind === 'table') {
        object = renderTable(t, [obj], { version: form.version, include: p.include, withColumns: first });
        first = false;
      } else if (form.kind === 'metadata') object = partialMetadata(obj, form.version);
    }
    return `${JSON.stringify({ type, object })}\n`;
  };
  // Events produced in one tick (a burst of writes) leave in one socket write.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  /** Writes one event; false when the client is behind (initial events then wait for 'drain'). */
  const send = (type: string, obj: KObject, initial = false): boolean => {
    if (closed) return false;
    if (type !== 'ERROR' && obj.metadata?.resourceVersion) lastRV = obj.metadata.resourceVersion;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    const ok = res.write(encode(type, obj));
    const len = res.writableLength;
    budget.buffered += len - counted;
    counted = len;
    if (!initial && (len > cfg.maxBufferBytes || (len > cfg.laggingBytes && budget.buffered > cfg.maxTotalBufferBytes))) abort();
    return ok;
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', { kind: t.kind, apiVersion: t.apiVersion, metadata: { resourceVersion: lastRV, ...(annotations ? { annotations } : {}) } });
  const close = () => {
    if (closed) return;
    closed = true;
    stopWatch?.stop();
    for (const tm of timers) clearTimeout(tm); // also clears intervals
    untrack();
    res.end();
    if (!res.writableFinished && !res.destroyed) grace = setTimeout(() => res.destroy(), cfg.closeGraceMs);
  };
  /** Closes a watch whose client fell behind, dropping what it had buffered. */
  const abort = () => {
    close();
    res.destroy();
  };
  const untrack = track(close);
  req.on('close', close);
  res.on('error', abort);

  const timeout = p.timeoutSeconds && p.timeoutSeconds > 0 ? p.timeoutSeconds : cfg.defaultTimeoutSeconds;
  timers.push(setTimeout(close, timeout * 1000));

  try {
    let from = p.resourceVersion ?? '';
    const initial = p.sendInitialEvents === true || (p.sendInitialEvents === undefined && (from === '' || from === '0'));
    if (initial) {
      // Synthetic ADDEDs for the current state, then live events from the list's revision.
      const list = await registry.listObjects(t, { namespace: p.namespace || undefined, labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
      for (const o of list.items) if (!send('ADDED', o, true)) await drained();
      lastRV = list.resourceVersion;
      from = list.resourceVersion;
      if (p.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    }
    if (closed) return;
    stopWatch = registry.watchObjects(
      t,
      { namespace: p.namespace || undefined, labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, resourceVersion: from === '0' ? '' : from },
      (ev) => {
        try {
          if (ev.type !== 'BOOKMARK') send(ev.type, ev.object);
          else {
            // The store's progress: every event of this watch up to its revision has been sent.
            if (ev.object.metadata?.resourceVersion) lastRV = ev.object.metadata.resourceVersion;
            if (p.allowWatchBookmarks && lastRV) bookmark();
          }
        } catch {
          close(); // one broken stream must not disturb the store's delivery to others
        }
      },
      (err) => {
        const e = err instanceof ApiError ? err : new ApiError('InternalError', err.message);
        send('ERROR', e.toStatus() as unknown as KObject);
        close();
      },
    );
    // Bookmarks carry the store's revision where the store can say when that is safe (memory, file),
    // as kube's watch cache does, so a quiet watch's resume point is not compacted away; else the last sent.
    const watch = stopWatch;
    if (p.allowWatchBookmarks) timers.push(setInterval(() => (watch.requestProgress ? watch.requestProgress() : lastRV && bookmark()), cfg.bookmarkIntervalMs));
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('InternalError', err instanceof Error ? err.message : String(err));
    send('ERROR', e.toStatus() as unknown as KObject);
    close();
  }
}
