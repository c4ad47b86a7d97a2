// Where the pages get their data: the server's JSON API (with the bearer
// token from sessionStorage, asked for once when the server answers 401), or
// — in a file written by `run once --html` — the snapshot embedded in the
// page. Routes are paths under /ui/ on a server and #/... in a file, so the
// same links work in both.

import type { Snapshot } from '../types.js';

declare global {
  interface Window {
    __CHOREO_SNAPSHOT__?: Snapshot;
  }
}

export const snapshot: Snapshot | undefined = window.__CHOREO_SNAPSHOT__;
const tokenKey = 'choreo.token';

export class Unauthorized extends Error {}

export function token(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function setToken(t: string): void {
  sessionStorage.setItem(tokenKey, t);
}

export function authHeaders(): Record<string, string> {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** An API answer by path (below /ui/api/). */
export async function get<T>(path: string): Promise<T> {
  if (snapshot) {
    if (!(path in snapshot.responses)) throw new Error(`${path} is not in this snapshot (written by run once --html)`);
    return snapshot.responses[path] as T;
  }
  const res = await fetch(`/ui/api/${path}`, { headers: authHeaders() });
  if (res.status === 401) throw new Unauthorized('this server requires a token');
  const body = (await res.json()) as T & { kind?: string; message?: string };
  if (!res.ok) throw new Error(body.message ?? `${res.status} ${res.statusText}`);
  return body;
}

/** The current route, segments still encoded: the path below /ui/ (server) or after #/ (file). */
export function currentRoute(): string {
  if (snapshot) return location.hash.replace(/^#\/?/, '');
  return location.pathname.replace(/^\/ui\/?/, '') + location.search;
}

/** The href of a route (its segments already encoded: routes.ts). */
export function href(route: string): string {
  return snapshot ? `#/${route}` : `/ui/${route}`;
}
