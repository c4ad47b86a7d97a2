// The web UI's entry: the frame (header, navigation, live indicator), the
// router (route → API calls → page), the token prompt, and the live stream
// that refreshes the page shown when something it depends on changes.
//
// Live: the server's stream (/ui/api/stream, text/event-stream) is read with
// fetch so the token goes in a header; each message marks the page stale and
// a refresh follows within 150 ms (several events → one refresh). A dropped
// stream reconnects after a second. A file written by `run once --html` has
// no stream: it shows the snapshot it carries.

import { h, replaceKeeping } from './dom.js';
import { authHeaders, currentRoute, get, href, setToken, snapshot, Unauthorized } from './data.js';
import { graphPage, historyPage, kindPage, objectPage, overviewPage } from './pages.js';
import { graphPath } from '../routes.js';
import type { Graph, HistoryItem, KindPage, ObjectPage, Overview, StreamMessage } from '../types.js';

interface Route {
  /** Loads the data and builds the page. */
  load(): Promise<Node>;
  /** Whether a live message concerns this page. */
  affects(m: StreamMessage): boolean;
  title: string;
}

function parse(route: string): Route {
  const [path, query = ''] = route.split('?');
  const parts = (path ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const [head, ...rest] = parts;
  if (head === 'kinds' && rest.length === 2) {
    const [group, kind] = rest as [string, string];
    return { title: kind, load: async () => kindPage(await get<KindPage>(`kinds/${encodeURIComponent(group)}/${encodeURIComponent(kind)}`)), affects: (m) => m.type === 'object' && m.object.kind === kind };
  }
  if (head === 'objects' && rest.length === 4) {
    const [group, kind, namespace, name] = rest as [string, string, string, string];
    const api = `objects/${rest.map(encodeURIComponent).join('/')}`;
    return {
      title: `${kind} ${name}`,
      load: async () => {
        const [page, graph] = await Promise.all([get<ObjectPage>(api), get<Graph>(graphPath({ group, kind, namespace: namespace === '_' ? '' : namespace, name })).catch(() => undefined)]);
        return objectPage(page, graph);
      },
      // Any object event may be a new child or owner; reconciles of this object add history.
      affects: (m) => (m.type === 'object' ? true : m.entry.kind === kind && m.entry.name === name),
    };
  }
  if (head === 'graph') {
    // graph?group&kind&namespace&name: around one object (the object page's link).
    const api = params.get('name') ? graphPath({ group: params.get('group') ?? 'core', kind: params.get('kind') ?? '', namespace: params.get('namespace') === '_' ? '' : (params.get('namespace') ?? ''), name: params.get('name')! }) : 'graph';
    return { title: 'Graph', load: async () => graphPage(await get<Graph>(api), params.get('name') ?? undefined), affects: (m) => m.type === 'object' && m.object.kind !== 'Event' };
  }
  if (head === 'history') {
    const q = params.toString();
    return { title: 'History', load: async () => historyPage(await get<HistoryItem[]>(`history${q ? `?${q}` : ''}`), q), affects: (m) => m.type === 'reconcile' };
  }
  return { title: 'Overview', load: async () => overviewPage(await get<Overview>('overview')), affects: (m) => m.type === 'reconcile' || m.object.kind !== 'Event' };
}

const main = h('main', { id: 'main' });
const live = h('span', { class: 'live off', title: 'live updates' }, snapshot ? 'snapshot' : 'connecting');
let route = parse(currentRoute());
let stale = false;
let refreshing: Promise<void> | undefined;

function frame(): void {
  const nav = h(
    'nav',
    { class: 'top' },
    h('a', { href: href(''), class: 'brand' }, h('img', { src: snapshot ? faviconData() : '/ui/favicon.svg', alt: '', width: 20, height: 20 }), 'choreo'),
    h('a', { href: href('') }, 'Overview'),
    h('a', { href: href('graph') }, 'Graph'),
    h('a', { href: href('history') }, 'History'),
    h('span', { class: 'spacer' }),
    snapshot ? h('span', { class: 'muted small' }, `${snapshot.title} · ${new Date(snapshot.generated).toLocaleString()}`) : null,
    live,
  );
  document.getElementById('app')!.replaceChildren(h('header', null, nav), main);
}

function faviconData(): string {
  return (document.querySelector('link[rel=icon]') as HTMLLinkElement | null)?.href ?? '';
}

async function render(): Promise<void> {
  stale = false;
  try {
    const page = await route.load();
    document.title = `${route.title} · choreo`;
    replaceKeeping(main, page);
  } catch (err) {
    if (err instanceof Unauthorized) return tokenPrompt();
    replaceKeeping(main, h('div', { class: 'error' }, h('h1', null, 'Cannot show this page'), h('p', { class: 'pre' }, (err as Error).message)));
  }
}

function refresh(): void {
  if (refreshing) {
    stale = true;
    return;
  }
  refreshing = new Promise<void>((r) => setTimeout(r, 150))
    .then(render)
    .finally(() => {
      refreshing = undefined;
      if (stale) refresh();
    });
}

function tokenPrompt(): void {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'bearer token', 'aria-label': 'token', required: true });
  const form = h(
    'form',
    {
      class: 'token',
      onsubmit: (e: Event) => {
        e.preventDefault();
        setToken(input.value.trim());
        void render();
        connect();
      },
    },
    h('h1', null, 'This server requires a token'),
    h('p', null, 'Paste the token from the kubeconfig the server wrote (users[0].user.token). It is kept in this tab only (sessionStorage), never in the URL.'),
    input,
    ' ',
    h('button', { type: 'submit' }, 'Connect'),
  );
  main.replaceChildren(form);
  input.focus();
}

let streaming = false;

async function connect(): Promise<void> {
  if (snapshot || streaming) return;
  streaming = true;
  try {
    const res = await fetch('/ui/api/stream', { headers: authHeaders() });
    if (res.status === 401 || !res.ok || !res.body) throw new Error(`stream: ${res.status}`);
    live.textContent = 'live';
    live.className = 'live on';
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = chunk.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data && route.affects(JSON.parse(data) as StreamMessage)) refresh();
      }
    }
  } catch {
    // Reconnect below.
  } finally {
    streaming = false;
    live.textContent = 'reconnecting';
    live.className = 'live off';
  }
  setTimeout(() => {
    void connect().then(() => undefined);
  }, 1000);
}

/** Same-origin links navigate in place (history API); the server answers every /ui/ path with this page too. */
document.addEventListener('click', (e) => {
  if (snapshot || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest('a');
  const target = a?.getAttribute('href');
  if (!a || !target || !target.startsWith('/ui/') || a.target) return;
  e.preventDefault();
  history.pushState(null, '', target);
  navigate();
});

function navigate(): void {
  route = parse(currentRoute());
  window.scrollTo(0, 0);
  void render();
}

window.addEventListener(snapshot ? 'hashchange' : 'popstate', navigate);
frame();
void render().then(() => connect());
