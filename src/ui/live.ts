// The web UI's live stream: one set of store watches (every stored kind,
// kinds added later included) and the reconcile history, fanned out to the
// open streams as server-sent events (text/event-stream, one JSON message per
// event: types.ts StreamMessage).
//
// Key idea: the watches run only while at least one stream is open, and each
// message is a small summary (kind, name, readiness), so the browser decides
// what to refetch. A stream whose client does not keep up (over 1 MiB
// unsent) is closed, and the browser reconnects and reloads; a comment line
// every 15 s keeps idle connections open through the server's idle timeout.
// The browser reads the stream with fetch (not EventSource), so the bearer
// token travels in a header, never in the URL.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../apiserver/registry/registry.js';
import type { ReconcileHistory } from '../reconciler/history.js';
import { summarize } from './model.js';
import type { StreamMessage } from './types.js';

const maxUnsent = 1 << 20;
const heartbeatMs = 15_000;

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly watches = new Map<string, { stop(): void }>();
  private unsubscribeHistory?: () => void;
  private heartbeat?: NodeJS.Timeout;
  private listening = false;

  constructor(
    private readonly registry: Registry,
    private readonly history?: ReconcileHistory,
  ) {}

  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': choreo live stream\n\n');
    res.socket?.setTimeout(0);
    this.clients.add(res);
    const drop = () => this.drop(res);
    req.once('close', drop);
    res.once('close', drop);
    if (this.clients.size === 1) this.start();
  }

  close(): void {
    for (const res of [...this.clients]) res.end();
    this.stop();
  }

  private drop(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.stop();
  }

  private send(msg: StreamMessage): void {
    const line = `data: ${JSON.stringify(msg)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > maxUnsent) {
        res.destroy();
        continue;
      }
      res.write(line);
    }
  }

  private start(): void {
    this.unsubscribeHistory = this.history?.subscribe((entry) => this.send({ type: 'reconcile', entry }));
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': ping\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
    if (!this.listening) {
      // The catalog has no unsubscribe: listen once for the life of the feed; sync() is a no-op while stopped.
      this.listening = true;
      this.registry.catalog.onChange(() => this.sync());
    }
    this.sync();
  }

  private stop(): void {
    this.unsubscribeHistory?.();
    this.unsubscribeHistory = undefined;
    clearInterval(this.heartbeat);
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  /** Watches every stored kind (and only those) while streams are open. */
  private sync(): void {
    if (this.clients.size === 0) return;
    const types = new Map(this.registry.catalog.storageTypes().map((t) => [t.storageKey, t]));
    for (const [key, w] of this.watches) {
      if (types.has(key)) continue;
      w.stop();
      this.watches.delete(key);
    }
    for (const [key, t] of types) {
      if (this.watches.has(key)) continue;
      // A watch that fails (history gone, store trouble, the type just removed) is retried from now; it
      // must never throw into the catalog's listeners (a CRD write) or a timer (the process).
      const watch = (): { stop(): void } => {
        try {
          return this.registry.watchObjects(
            t,
            {},
            (ev) => {
              if (ev.type !== 'BOOKMARK') this.send({ type: 'object', event: ev.type, object: summarize(ev.object) });
            },
            () => retry(),
          );
        } catch {
          retry();
          return { stop() {} };
        }
      };
      const retry = () => {
        setTimeout(() => {
          if (this.watches.has(key) && this.clients.size > 0) this.watches.set(key, watch());
        }, 500).unref();
      };
      this.watches.set(key, watch());
    }
  }
}
