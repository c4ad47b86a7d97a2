// A lean gRPC client for etcd's KV.Range and KV.Txn — every write and point
// read of the etcd store — straight over node:http2, with the messages encoded
// by hand (proto.ts).
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
// rotating through the endpoints. Unlike etcd3, calls are not retried and there
// is no circuit breaker: a failed call fails at once, the next one reconnects
// (callers already treat Unavailable as "re-read and retry").
//
// Trade-off: only unary Range and Txn; lists, watches, compaction and leases
// stay on etcd3 (off the hot path, and watches need its stream handling).

import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { decodeRangeResponse, decodeTxnResponse, encodeRange, encodeTxn, type RangeRequest, type RangeResponse, type TxnRequest, type TxnResponse } from './proto.js';

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
  ) {}

  range(req: RangeRequest): Promise<RangeResponse> {
    return this.call('/etcdserverpb.KV/Range', encodeRange(req)).then(decodeRangeResponse);
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    return this.call('/etcdserverpb.KV/Txn', encodeTxn(req)).then(decodeTxnResponse);
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
    return s;
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
      let status: number | undefined;
      let statusMessage = '';
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) return reject(err);
        if (status === undefined) return reject(new Error('etcd: the call ended without a gRPC status'));
        if (status !== 0) return reject(new GrpcError(status, statusMessage));
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        // One length-prefixed message: 1 byte compressed flag (we never ask for compression), 4 bytes length.
        if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5) return reject(new Error('etcd: malformed gRPC response'));
        resolve(body.subarray(5));
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish(new Error(`deadline of ${this.timeoutMs} ms exceeded`));
      }, this.timeoutMs);
      const readStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] === undefined) return;
        status = Number(h['grpc-status']);
        statusMessage = String(h['grpc-message'] ?? '');
        try {
          statusMessage = decodeURIComponent(statusMessage);
        } catch {
          // not percent-encoded after all: keep it as sent
        }
      };
      stream.on('response', readStatus);
      stream.on('trailers', readStatus);
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('close', () => finish(status === undefined ? new Error(`etcd: connection lost (stream closed, code ${stream.rstCode})`) : undefined));
      stream.on('error', (err) => finish(err));
      stream.end(frame);
    });
  }
}
