// The web UI's HTTP side, mounted on the API server at /ui (same port,
// apiserver/server.ts HttpExtension): the page and its assets for anyone, the
// JSON API (api.ts) and the live stream (live.ts) only with the server's
// bearer token when it has one. Every other path under /ui/ answers with the
// page, whose script renders the route, so links are bookmarkable.
//
// Trade-off: the page itself is served without the token (it holds no data)
// so the browser can ask for the token; the UI keeps it in sessionStorage and
// sends it as an Authorization header — never in a URL, which would leak into
// history and logs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { HttpExtension } from '../apiserver/server.js';
import { UiApi, type UiSources } from './api.js';
import { loadAssets, pageHtml } from './assets.js';
import { LiveFeed } from './live.js';

export const uiPrefix = '/ui';

export function uiExtension(sources: UiSources): HttpExtension {
  const api = new UiApi(sources);
  const live = new LiveFeed(sources.registry, sources.history);
  return {
    prefix: uiPrefix,
    close: () => live.close(),
    async serve(req, res, url, authorized) {
      const path = url.pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('MethodNotAllowed', 'the web UI is read-only');
      if (path.startsWith('/ui/api/')) {
        if (!authorized) throw new ApiError('Unauthorized', 'Unauthorized');
        if (path === '/ui/api/stream') return live.open(req, res);
        const body = JSON.stringify(await api.route(path.slice('/ui/api/'.length), url.searchParams));
        return send(req, res, 'application/json', body, { 'Cache-Control': 'no-store' });
      }
      if (path === '/ui') {
        res.writeHead(301, { Location: '/ui/' });
        res.end();
        return;
      }
      let assets;
      try {
        assets = loadAssets();
      } catch (err) {
        throw new ApiError('ServiceUnavailable', (err as Error).message);
      }
      if (path === '/ui/assets/app.js') return send(req, res, 'text/javascript; charset=utf-8', assets.js);
      if (path === '/ui/assets/app.css') return send(req, res, 'text/css; charset=utf-8', assets.css);
      if (path === '/ui/favicon.svg') return send(req, res, 'image/svg+xml', assets.favicon);
      return send(req, res, 'text/html; charset=utf-8', pageHtml('choreo'), { 'Cache-Control': 'no-store' });
    },
  };
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}
