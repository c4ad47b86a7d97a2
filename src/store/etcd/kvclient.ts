// A lean gRPC client for etcd's KV.Range and KV.Txn — every write and point
// read of the etcd store — and its Watch streams, straight over node:http2,
// with the messages encoded by hand (proto.ts).
//
// Why: measured on this project's reconcile workload, a unary call through
// etcd3 and @grpc/grpc-js (interceptors, resolving/load-balancing/retrying call
// layers, circuit breaker, protobufjs objects, Long) cost ~260 µs of client CPU,
// more than the store's own work per write; the same Txn sent as one HTTP/2
// request costs ~110 µs. Concurrent calls are multiplexed as streams on one
// HTTP/2 connection (pipelined: no call waits for another's reply).
//
// Semantics kept: a call has a deadline (Unavailable when it passes, the write
// maybe applied, as before); a non-OK gRPC status becomes an Error whose message
// is etcd's (errors.ts maps "required revision has been compacted" etc.). A
// connection that fails or closes is dropped and the next call dials again,
// rotating through the endpoints; so is one that goes silent without closing
// (an HTTP/2 PING every 10 s, unanswered for 5 s: see watchLiveness). Unlike etcd3, calls are not retried and there
// is no circuit breaker: a failed call fails at once, the next one reconnects
// (callers already treat Unavailable as "re-read and retry").
//
// Trade-off: only Range, Txn and Watch; lists, compaction and leases stay on
// etcd3 (off the hot path). One watch per stream (etcd3 multiplexes them):
// a runner has a handful, one per resource (hub.ts).

import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { EventEmitter } from 'node:events';
import { decodeRangeResponse, decodeTxnResponse, decodeWatchResponse, encodeRange, encodeTxn, encodeWatchCreate, type RangeRequest, type RangeResponse, type TxnRequest, type TxnResponse, type WatchCreateRequest, type WatchResponse } from './proto.js';

/**
 * One Watch RPC (a bidirectional stream) carrying one watch: `create` sends
 * the create request; responses arrive as 'data'; 'error' or 'end' ends it.
 */
export interface WatchStream {
  create(req: WatchCreateRequest): void;
  on(event: 'data', fn: (res: WatchResponse) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'end', fn: () => void): this;
  /** Hangs up (idempotent; no 'error' or 'end' after it). */
  cancel(): void;
}

/** Liveness of a connection: an HTTP/2 PING every intervalMs, destroyed if unanswered within timeoutMs. */
export interface KeepAlive {
  intervalMs: number;
  timeoutMs: number;
}

/** The gRPC status carried in the trailers (or in a trailers-only response's headers). */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

export class KVClient {
  private session?: ClientHttp2Session;
  private endpoint = 0;
  private closed = false;

  constructor(
    private readonly endpoints: string[],
    private readonly timeoutMs: number,
    private readonly keepAlive: KeepAlive = { intervalMs: 10_000, timeoutMs: 5_000 },
  ) {}

  range(req: RangeRequest): Promise<RangeResponse> {
    return this.call('/etcdserverpb.KV/Range', encodeRange(req)).then(decodeRangeResponse);
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    return this.call('/etcdserverpb.KV/Txn', encodeTxn(req)).then(decodeTxnResponse);
  }

  /** Opens a Watch stream (no deadline: it lasts until either side ends it). */
  watch(): WatchStream {
    const events = new EventEmitter();
    let stream: ClientHttp2Stream | undefined;
    let over = false;
    const end = (err?: Error) => {
      if (over) return;
      over = true;
      if (err) events.emit('error', err);
      else events.emit('end');
    };
    try {
      if (this.closed) throw new Error('client closed');
      stream = this.connect().request({ ':method': 'POST', ':path': '/etcdserverpb.Watch/Watch', 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
    } catch (err) {
      this.session?.destroy();
      queueMicrotask(() => end(err as Error));
    }
    if (stream) {
      const s = stream;
      let pending: Buffer = Buffer.alloc(0);
      const st = grpcStatus(s);
      s.on('data', (d: Buffer) => {
        pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
        // Length-prefixed messages; a message may span chunks and a chunk hold several.
        while (pending.length >= 5 && !over) {
          const len = pending.readUInt32BE(1);
          if (pending.length < 5 + len) break;
          const msg = pending.subarray(5, 5 + len);
          pending = pending.subarray(5 + len);
          let res: WatchResponse;
          try {
            res = decodeWatchResponse(msg);
          } catch (err) {
            s.close(http2.constants.NGHTTP2_CANCEL);
            end(err as Error);
            return;
          }
          events.emit('data', res);
        }
      });
      s.on('error', (err) => end(err));
      s.on('close', () => end(st.code === 0 ? undefined : st.code === undefined ? new Error(`etcd: watch connection lost (stream closed, code ${s.rstCode})`) : new GrpcError(st.code, st.message)));
    }
    const ws = {
      create: (req: WatchCreateRequest) => {
        if (!over) stream?.write(encodeWatchCreate(req));
      },
      on: (event: string, fn: Parameters<EventEmitter["on"]>[1]) => {
        events.on(event, fn);
        return ws;
      },
      cancel: () => {
        if (over) return;
        over = true;
        stream?.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
    return ws as WatchStream;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private connect(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const url = `http://${this.endpoints[this.endpoint % this.endpoints.length]}`;
    const s = http2.connect(url);
    const drop = () => {
      if (this.session !== s) return;
      this.session = undefined;
      this.endpoint++; // the next call tries the next member
    };
    s.on('error', drop); // each pending stream reports its own failure
    s.on('goaway', drop);
    s.on('close', drop);
    s.unref(); // an idle connection does not keep the process alive; open streams ref it
    this.session = s;
    this.watchLiveness(s);
    return s;
  }

  /**
   * An HTTP/2 PING every keepAlive.intervalMs; no answer within keepAlive.timeoutMs destroys the
   * session. A connection can go silent without closing (etcd's host gone without a reset, a NAT
   * mapping dropped): calls would only time out one by one on it, and a watch would wait forever.
   * Destroyed, every stream on it fails at once (watches resume, as after any connection loss)
   * and the next call dials again. (kube-apiserver's etcd client: keepalive 30 s, timeout 10 s.)
   */
  private watchLiveness(s: ClientHttp2Session): void {
    let waiting: NodeJS.Timeout | undefined;
    const tick = setInterval(() => {
      if (s.destroyed || s.closed) {
        clearInterval(tick);
        return;
      }
      if (waiting !== undefined) return; // the previous PING is still out
      waiting = setTimeout(() => {
        // Judged after the next poll phase: if the event loop was blocked (a long reconcile), the
        // answer may be waiting unread on the socket, and reading it clears `waiting` first.
        setImmediate(() => {
          if (waiting === undefined || s.destroyed) return;
          clearInterval(tick);
          s.destroy(new Error(`etcd: connection silent (no answer to an HTTP/2 PING within ${this.keepAlive.timeoutMs} ms)`));
        });
      }, this.keepAlive.timeoutMs);
      waiting.unref();
      try {
        s.ping(() => {
          clearTimeout(waiting);
          waiting = undefined;
        });
      } catch {
        clearTimeout(waiting); // the session ended meanwhile
        clearInterval(tick);
      }
    }, this.keepAlive.intervalMs);
    tick.unref();
    s.once('close', () => {
      clearInterval(tick);
      clearTimeout(waiting);
    });
  }

  /** One unary call: `frame` is the request's gRPC frame (proto.ts), the result the reply message's bytes. */
  private call(path: string, frame: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('client closed'));
      let stream: ClientHttp2Stream;
      try {
        stream = this.connect().request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
      } catch (err) {
        this.session?.destroy();
        return reject(err);
      }
      const chunks: Buffer[] = [];
      const st = grpcStatus(stream);
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) return reject(err);
        if (st.code === undefined) return reject(new Error('etcd: the call ended without a gRPC status'));
        if (st.code !== 0) return reject(new GrpcError(st.code, st.message));
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        // One length-prefixed message: 1 byte compressed flag (we never ask for compression), 4 bytes length.
        if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5) return reject(new Error('etcd: malformed gRPC response'));
        resolve(body.subarray(5));
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish(new Error(`deadline of ${this.timeoutMs} ms exceeded`));
      }, this.timeoutMs);
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('close', () => finish(st.code === undefined ? new Error(`etcd: connection lost (stream closed, code ${stream.rstCode})`) : undefined));
      stream.on('error', (err) => finish(err));
      stream.end(frame);
    });
  }
}

/** The call's gRPC status, filled in when it arrives: in the trailers, or in the headers of a trailers-only reply. */
function grpcStatus(stream: ClientHttp2Stream): { code?: number; message: string } {
  const st: { code?: number; message: string } = { message: '' };
  const read = (h: http2.IncomingHttpHeaders) => {
    if (h['grpc-status'] === undefined) return;
    st.code = Number(h['grpc-status']);
    const raw = String(h['grpc-message'] ?? '');
    try {
      st.message = decodeURIComponent(raw); // percent-encoded, as gRPC sends it
    } catch {
      st.message = raw;
    }
  };
  stream.on('response', read);
  stream.on('trailers', read);
  return st;
}
