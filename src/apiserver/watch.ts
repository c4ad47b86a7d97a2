// `?watch=1` over HTTP: a chunked stream of newline-delimited JSON watch
// events ({type, object}) with kube-apiserver's options — resourceVersion
// (unset/"0" = synthetic ADDED for current state, then live), sendInitialEvents
// (initial state, then a BOOKMARK annotated k8s.io/initial-events-end),
// allowWatchBookmarks (periodic BOOKMARKs), timeoutSeconds, selectors — in
// plain JSON, Table (kubectl get -w) or PartialObjectMetadata form.
//
// A too-old resourceVersion is reported in-stream as an ERROR event carrying
// a 410 Status, as the apiserver does, so clients relist. A client that stops
// reading is disconnected once its buffer passes a limit rather than letting
// the server's memory grow.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import type { ResponseForm } from './http.js';
import type { Registry } from './registry/registry.js';
import type { ResourceType } from './registry/resources.js';
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
  maxBufferBytes: number;
  /** Upper bound for a watch without timeoutSeconds (kube-apiserver: 30-60 min). */
  defaultTimeoutSeconds: number;
}

export async function serveWatch(registry: Registry, t: ResourceType, req: IncomingMessage, res: ServerResponse, form: ResponseForm, p: WatchParams, cfg: WatchConfig, track: (close: () => void) => () => void): Promise<void> {
  // Validate selectors before committing to a 200 stream.
  registry.filterOf(p.labelSelector, p.fieldSelector);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let first = true;
  let lastRV = p.resourceVersion && p.resourceVersion !== '0' ? p.resourceVersion : '';
  let closed = false;
  let stopWatch: { stop(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];

  const encode = (type: string, obj: KObject): string => {
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
  const send = (type: string, obj: KObject) => {
    if (closed) return;
    if (type !== 'ERROR' && obj.metadata?.resourceVersion) lastRV = obj.metadata.resourceVersion;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(encode(type, obj));
    if (res.writableLength > cfg.maxBufferBytes) close();
  };
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', { kind: t.kind, apiVersion: t.apiVersion, metadata: { resourceVersion: lastRV, ...(annotations ? { annotations } : {}) } });
  const close = () => {
    if (closed) return;
    closed = true;
    stopWatch?.stop();
    for (const tm of timers) clearTimeout(tm); // also clears intervals
    untrack();
    res.end();
  };
  const untrack = track(close);
  req.on('close', close);
  res.on('error', close);

  const timeout = p.timeoutSeconds && p.timeoutSeconds > 0 ? p.timeoutSeconds : cfg.defaultTimeoutSeconds;
  timers.push(setTimeout(close, timeout * 1000));

  try {
    let from = p.resourceVersion ?? '';
    const initial = p.sendInitialEvents === true || (p.sendInitialEvents === undefined && (from === '' || from === '0'));
    if (initial) {
      // Synthetic ADDEDs for the current state, then live events from the list's revision.
      const list = await registry.listObjects(t, { namespace: p.namespace || undefined, labelSelector: p.labelSelector, fieldSelector: p.fieldSelector });
      for (const o of list.items) send('ADDED', o);
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
          else if (p.allowWatchBookmarks && lastRV) bookmark();
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
    if (p.allowWatchBookmarks) timers.push(setInterval(() => lastRV && bookmark(), cfg.bookmarkIntervalMs));
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('InternalError', err instanceof Error ? err.message : String(err));
    send('ERROR', e.toStatus() as unknown as KObject);
    close();
  }
}
