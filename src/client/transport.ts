// One HTTP round trip to the API server, authenticated as the kubeconfig says.
// Built on node:http/node:https rather than fetch because Node's fetch cannot
// trust a per-request CA (certificate-authority-data) without the undici
// package; node:https takes `ca`, `cert` and `key` directly.
//
// Every non-2xx answer becomes an ApiError: the server's `kind: Status` body
// when it sent one (ApiError.fromStatus), else a Status synthesised from the
// HTTP code, as client-go does for proxies and plain-text errors. Streaming
// responses (watch) hand back the raw response for line-by-line reading.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiError, type Status, type StatusReason } from '../api/errors.js';
import type { RestConfig } from './kubeconfig.js';

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

export class Transport {
  constructor(readonly config: RestConfig) {}

  /** A buffered request; throws ApiError on a non-2xx status. */
  async do(spec: RequestSpec): Promise<Response> {
    const res = await this.open(spec);
    const body = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, body, spec);
    return { status, headers: res.headers, body };
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

  private open(spec: RequestSpec, signal?: AbortSignal): Promise<IncomingMessage> {
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
  constructor(message: string) {
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
  if (err.code === 'ECONNREFUSED') return new ConnectionError(`The connection to the server ${host} was refused - is the choreo server running?`);
  return new ConnectionError(`cannot reach the server ${server}: ${err.message}`);
}
