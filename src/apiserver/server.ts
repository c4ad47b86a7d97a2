// The HTTP server: listen, authenticate, dispatch. Paths are routed to
// discovery (/api, /apis...), OpenAPI (/openapi/v3...), health and version
// endpoints, or resource handlers; every failure leaves as a `kind: Status`.
//
// Authentication is a single bearer token, required when the server listens
// on a non-loopback address (and optional on loopback), because the API
// server is a local development tool first; health endpoints stay open.
// kubectl sends tokens only over TLS, so a server with a token serves HTTPS
// with a generated self-signed certificate (tls.ts) that the kubeconfig trusts.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';
import { ApiError } from '../api/errors.js';
import type { Store } from '../store/store.js';
import { Discovery } from './discovery.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { defaultBodyLimit, writeObject, writeStatus } from './http.js';
import { OpenApi } from './openapi.js';
import { healthChecks } from './health.js';
import { OpenApiV2, serveOpenApiV2 } from './openapiv2.js';
import { ApiMetrics, serveMetrics, trackRequest } from './metrics.js';
import type { MetricsCollector } from '../api/prometheus.js';
import { Registry } from './registry/registry.js';
import { route } from './router.js';
import { selfSignedCert, serverNames, type ServingCert } from './tls.js';
import { defaultWatchConfig, WatchBudget, type WatchConfig } from './watch.js';

export interface ApiServerOptions {
  store: Store;
  /** An already opened registry over `store` (else one is opened). */
  registry?: Registry;
  address?: string; // default 127.0.0.1
  port?: number; // default 0 (any free port)
  /** Bearer token; generated when listening on a non-loopback address and none is given. */
  token?: string;
  bodyLimit?: number;
  watch?: Partial<WatchConfig>;
  /**
   * A connection that neither sends nor takes any data for this long is closed (default 2 min): a client
   * that stops reading a response does not keep it buffered. Watch streams are exempt (they bound their
   * buffers themselves and may be quiet for long).
   */
  idleTimeoutMs?: number;
  /**
   * Requests served at once (kube-apiserver's --max-requests-inflight 400 and
   * --max-mutating-requests-inflight 200); more get 429. A request counts until its response has left,
   * so clients that stop reading hold at most this many responses in memory. Watches are not counted.
   */
  maxInflight?: { readonly: number; mutating: number };
  /** Serve HTTPS: a certificate, or true to generate one. Default: HTTPS exactly when a token is required. */
  tls?: ServingCert | boolean;
  /** More metric families for /metrics, collected at scrape time (the runner's controllers). */
  metrics?: readonly MetricsCollector[];
  /** Paths served beside the Kubernetes API (the web UI under /ui). */
  extensions?: readonly HttpExtension[];
}

/**
 * A handler for the paths under `prefix` (`/ui` matches `/ui` and `/ui/...`),
 * called before authentication with whether the request carries the server's
 * token (always true without one): it decides what it serves to whom. Not
 * counted against the in-flight limits (it may hold streams open); a thrown
 * ApiError becomes a Status response.
 */
export interface HttpExtension {
  prefix: string;
  serve(req: IncomingMessage, res: ServerResponse, url: URL, authorized: boolean): Promise<void>;
  /** Ends the extension's open streams (server close). */
  close?(): void;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly token?: string;
  /** PEM certificate clients must trust (HTTPS servers only). */
  readonly caCert?: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-choreo',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '1970-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'tsc',
  platform: goPlatform(),
};

/** GOOS/GOARCH spelling of the platform (linux/amd64, not linux/x64), as clients parse /version. */
function goPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  const os: Record<string, string> = { win32: 'windows', darwin: 'darwin', linux: 'linux' };
  return `${os[process.platform] ?? process.platform}/${arch[process.arch] ?? process.arch}`;
}

/**
 * Whether a listen address is the loopback interface: `localhost`, an IPv4
 * address in 127.0.0.0/8, or ::1 (also IPv4-mapped 127.x), parsed as an
 * address; a host name such as `127.example.com` is not.
 */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost') return true;
  if (isIPv4(a)) return a.startsWith('127.');
  if (!isIPv6(a)) return false;
  const canonical = new URL(`http://[${a}]/`).hostname; // compressed form, IPv4-mapped tail in hex
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** The status line for a request Node's parser refused before any handler saw it (Go's net/http answers these too). */
function clientErrorStatus(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): string {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // Past the 16 KB header limit: the request line itself when no line ends within it.
      const head = err.rawPacket?.subarray(0, maxHeaderSize);
      return head && head.indexOf('\r\n') < 0 ? '414 URI Too Long' : '431 Request Header Fields Too Large';
    }
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return '408 Request Timeout';
    default:
      return '400 Bad Request';
  }
}

const healthPath = /^\/(healthz|livez|readyz)(\/|$)/;

/** Request line plus headers (Node's default, kept explicit: clientErrorStatus relies on it). */
const maxHeaderSize = 16 * 1024;

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const address = opts.address ?? '127.0.0.1';
  const token = opts.token ?? (isLoopback(address) ? undefined : randomBytes(24).toString('base64url'));
  const registry = opts.registry ?? (await Registry.open(opts.store));
  const discovery = new Discovery(registry.catalog);
  const openapi = new OpenApi(registry.catalog);
  const health = healthChecks(opts.store);
  const openapiV2 = new OpenApiV2(openapi);
  const metrics = new ApiMetrics(opts.store, registry.catalog, opts.metrics);
  const streams = new Set<() => void>();
  const ctx: HandlerContext = {
    registry,
    bodyLimit: opts.bodyLimit ?? defaultBodyLimit,
    tokenAuth: token !== undefined,
    watch: { ...defaultWatchConfig, ...opts.watch },
    watches: new WatchBudget(),
    track(close) {
      streams.add(close);
      return () => streams.delete(close);
    },
  };
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  const maxInflight = opts.maxInflight ?? { readonly: 400, mutating: 200 };
  const inflight = { readonly: 0, mutating: 0 };
  const authenticated = (req: IncomingMessage): boolean => {
    if (!expected) return true;
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof ApiError ? err : new ApiError('InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
      if (!(err instanceof ApiError)) process.stderr.write(`apiserver: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      writeStatus(res, e);
    });
  };
  const useTls = opts.tls ?? token !== undefined;
  const cert = useTls === true ? selfSignedCert(serverNames(address)) : useTls || undefined;
  const server: Server = cert ? createTlsServer({ key: cert.key, cert: cert.cert, maxHeaderSize }, listener) : createServer({ maxHeaderSize }, listener);
  server.on('connection', (s) => s.setNoDelay(true));
  server.setTimeout(opts.idleTimeoutMs ?? 120_000); // with no 'timeout' listener, node destroys the socket
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(err);
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (healthPath.test(path) && (await health.serve(path, url.searchParams, res))) return;
    const authorized = authenticated(req);
    const ext = opts.extensions?.find((e) => path === e.prefix || path.startsWith(`${e.prefix}/`));
    if (ext) return ext.serve(req, res, url, authorized);
    if (!authorized) throw new ApiError('Unauthorized', 'Unauthorized');
    const method = req.method ?? 'GET';
    if (!['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
    const w = url.searchParams.get('watch');
    if (method !== 'GET' || (w !== '1' && w !== 'true')) {
      const kind = method === 'GET' || method === 'HEAD' ? 'readonly' : 'mutating';
      if (inflight[kind] >= maxInflight[kind]) return writeStatus(res, new ApiError('TooManyRequests', 'Too many requests, please try again later.'), { 'Retry-After': '1' });
      inflight[kind]++;
      res.once('close', () => inflight[kind]--);
    }
    if (path === '/metrics') return serveMetrics(metrics, req, res);
    if (path === '/version' || path === '/version/') return writeObject(res, 200, serverVersion);
    if (path === '/openapi/v2' || path === '/openapi/v2/' || path === '/swagger.json') return serveOpenApiV2(req, res, openapiV2);
    if (path === '/openapi/v3' || path === '/openapi/v3/') return writeRaw(req, res, openapi.root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapi.document(path.slice('/openapi/v3/'.length));
      const immutable = url.searchParams.get('hash') === doc.hash;
      return writeRaw(req, res, doc.body, 'application/json', immutable ? { 'Cache-Control': 'public, immutable', Etag: `"${doc.hash}"` } : { Etag: `"${doc.hash}"` });
    }
    const r = route(method, path, url.searchParams);
    if (r.kind === 'discovery') {
      if (method !== 'GET' && method !== 'HEAD') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const serverAddress = req.headers.host ?? '';
      const d =
        r.path === 'api' || r.path === 'apis'
          ? discovery.root(r.path, req.headers.accept, serverAddress)
          : r.path === 'group'
            ? discovery.group(r.group)
            : discovery.groupVersion(r.group, r.version);
      if (req.headers['if-none-match'] === d.etag) {
        res.writeHead(304, { Etag: d.etag, Vary: 'Accept' });
        res.end();
        return;
      }
      return writeRaw(req, res, d.body, d.contentType, { Etag: d.etag, Vary: 'Accept' });
    }
    if (r.kind === 'resource') {
      trackRequest(metrics, r, req, res);
      return handleResource(ctx, r, req, res, url.searchParams);
    }
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  return {
    url: `${cert ? 'https' : 'http'}://${host}:${port}`,
    port,
    token,
    caCert: cert?.cert,
    registry,
    async close() {
      health.shuttingDown();
      for (const close of [...streams]) close();
      for (const e of opts.extensions ?? []) e.close?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function writeRaw(req: IncomingMessage, res: ServerResponse, body: string, contentType = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}
