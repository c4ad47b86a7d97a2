// One HTTP round trip to the API server, authenticated as the kubeconfig says.
// Built on node:http/node:https rather than fetch because Node's fetch cannot
// trust a per-request CA (certificate-authority-data) without the undici
// package; node:https takes `ca`, `cert` and `key` directly.
//
// Every non-2xx answer becomes an ApiError: the server's `kind: Status` body
// when it sent one (ApiError.fromStatus), else a Status synthesised from the
// HTTP code, as client-go does for proxies and plain-text errors. Streaming
// responses (watch) hand back the raw response for line-by-line reading.
//
// What a long-running client needs (the runner's kubeconfig mode) is here too:
// keep-alive connections, a token bucket before every request (ratelimit.ts),
// and retries with exponential backoff on 429 and 502/503/504 — honouring the
// server's Retry-After — for requests that are safe to repeat (GET, PUT,
// DELETE, server-side apply; any request the server answered 429 or with a
// Retry-After, since it did not process it), and on a reset connection. A
// POST that timed out or hit a 5xx is not repeated: it may have been applied.
// A refused connection is not retried here: the caller's own backoff (the
// informer's relist, the work queue's retry) covers a server that is down.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ApiError, type Status, type StatusReason } from '../api/errors.js';
import type { RestConfig } from './kubeconfig.js';
import { TokenBucket, type RateLimit } from './ratelimit.js';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with query string, e.g. /apis/example.com/v1/namespaces/default/widgets?limit=5 */
  path: string;
  accept?: string;
  contentType?: string;
  body?: string;
  timeoutMs?: number;
}

export interface Response {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const defaultTimeoutMs = 30_000;

export interface TransportOptions {
  /** Client-side rate limit (default: none, as for one-shot kubectl-style commands). */
  rateLimit?: RateLimit;
  /** Retries of a retriable failure (default 5); 0 = none. */
  maxRetries?: number;
  /** First retry delay, doubling per attempt up to maxDelayMs (defaults 200 ms, 5 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** A Retry-After longer than this is capped: a runner should not sleep for minutes on one request. */
const maxRetryAfterMs = 30_000;

export class Transport {
  /** HTTP requests sent (retries included), for benchmarks and tests. */
  requests = 0;
  /** Requests that were retried. */
  retries = 0;
  private readonly bucket: TokenBucket | undefined;
  private readonly agent: HttpAgent;

  constructor(
    readonly config: RestConfig,
    private readonly opts: TransportOptions = {},
  ) {
    this.bucket = opts.rateLimit && opts.rateLimit.qps > 0 ? new TokenBucket(opts.rateLimit) : undefined;
    // One pool of keep-alive connections per client (a TLS handshake per request would dominate small requests).
    this.agent = config.server.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** Closes idle pooled connections (the client is done). */
  close(): void {
    this.agent.destroy();
  }

  /** A buffered request, retried as the top of this file says; throws ApiError on a non-2xx status. */
  async do(spec: RequestSpec): Promise<Response> {
    const maxRetries = this.opts.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      try {
        res = await this.open(spec);
      } catch (err) {
        // A kept-alive connection the server closed as we reused it: nothing was processed, send again.
        if (attempt < maxRetries && idempotent(spec) && err instanceof ConnectionError && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          await this.backoff(attempt, undefined);
          continue;
        }
        throw err;
      }
      const body = await readAll(res);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return { status, headers: res.headers, body };
      const retryAfter = retryAfterMs(res.headers['retry-after']);
      const retriable = status === 429 || ((status === 502 || status === 503 || status === 504) && (retryAfter !== undefined || idempotent(spec)));
      if (attempt < maxRetries && retriable) {
        await this.backoff(attempt, retryAfter);
        continue;
      }
      throw errorFromResponse(status, body, spec);
    }
  }

  private async backoff(attempt: number, retryAfter: number | undefined): Promise<void> {
    this.retries++;
    const base = this.opts.baseDelayMs ?? 200;
    const exp = Math.min(this.opts.maxDelayMs ?? 5_000, base * 2 ** attempt);
    // The server's Retry-After is a floor; up to 50 % jitter on top, so requests refused together do not return together.
    const floor = Math.max(retryAfter ?? 0, exp);
    const delay = floor + Math.random() * (floor / 2);
    await new Promise((r) => setTimeout(r, delay));
  }

  /** A request whose body is JSON; returns the parsed body. */
  async json<T>(spec: RequestSpec): Promise<T> {
    const r = await this.do({ accept: 'application/json', ...spec });
    try {
      return JSON.parse(r.body) as T;
    } catch {
      throw new ApiError('InternalError', `${spec.method} ${spec.path}: the server answered with invalid JSON`);
    }
  }

  /**
   * A streaming request (watch): resolves with the open response once the
   * status is known; non-2xx answers are read and thrown as ApiError.
   * `signal` aborts the stream (stop()).
   */
  async stream(spec: RequestSpec, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await this.open({ ...spec, timeoutMs: 0 }, signal);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, await readAll(res), spec);
    return res;
  }

  private async open(spec: RequestSpec, signal?: AbortSignal): Promise<IncomingMessage> {
    await this.bucket?.take();
    this.requests++;
    const c = this.config;
    const url = new URL(c.server + spec.path);
    const https = url.protocol === 'https:';
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json', 'User-Agent': 'choreoctl' };
    if (spec.contentType) headers['Content-Type'] = spec.contentType;
    if (spec.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(spec.body));
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    else if (c.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    const options = {
      method: spec.method,
      headers,
      signal,
      agent: this.agent,
      ...(https ? { ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: !c.insecureSkipTLSVerify, servername: c.tlsServerName } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, options, resolve);
      const timeoutMs = spec.timeoutMs ?? defaultTimeoutMs;
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new ApiError('Timeout', `${spec.method} ${url.pathname}: no answer from ${c.server} within ${timeoutMs / 1000}s`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof ApiError ? err : connectionError(err, c.server)));
      req.end(spec.body);
    });
  }
}

/** Safe to send again after a failure that may have happened after the server acted on it. */
function idempotent(spec: RequestSpec): boolean {
  return spec.method === 'GET' || spec.method === 'PUT' || spec.method === 'DELETE' || (spec.method === 'PATCH' && spec.contentType === 'application/apply-patch+yaml');
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || v.trim() === '') return undefined;
  const secs = Number(v);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) ? Math.min(maxRetryAfterMs, Math.max(0, ms)) : undefined;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** The server's Status if it sent one, else one built from the HTTP code. */
export function errorFromResponse(status: number, body: string, spec: Pick<RequestSpec, 'method' | 'path'>): ApiError {
  try {
    const s = JSON.parse(body) as Partial<Status>;
    if (s && s.kind === 'Status' && typeof s.reason === 'string' && typeof s.message === 'string') return ApiError.fromStatus(s as Status);
  } catch {
    // not JSON: fall through to a Status from the code
  }
  const reason = reasonForCode(status);
  const text = body.trim().split('\n')[0];
  return new ApiError(reason, text ? `${spec.method} ${spec.path}: ${text}` : `the server answered ${status} to ${spec.method} ${spec.path}`);
}

function reasonForCode(code: number): StatusReason {
  const table: Record<number, StatusReason> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    406: 'NotAcceptable',
    409: 'Conflict',
    410: 'Gone',
    413: 'RequestEntityTooLarge',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return table[code] ?? 'InternalError';
}

/** A failed connection, worded like kubectl's "The connection to the server ... was refused". */
export class ConnectionError extends Error {
  constructor(
    message: string,
    /** The socket error code (ECONNREFUSED, ECONNRESET, ...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

function connectionError(err: NodeJS.ErrnoException, server: string): Error {
  if (err.name === 'AbortError') return err;
  const host = (() => {
    try {
      return new URL(server).host;
    } catch {
      return server;
    }
  })();
  if (err.code === 'ECONNREFUSED') return new ConnectionError(`The connection to the server ${host} was refused - is the choreo server running?`, err.code);
  return new ConnectionError(`cannot reach the server ${server}: ${err.message}`, err.code);
}
