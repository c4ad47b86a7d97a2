// `run once --html <file>`: the web UI as one self-contained HTML file — the
// bundled script and style inlined, the favicon as a data: URL, and a
// snapshot of the API answers the pages ask for (overview, graph, history,
// each kind, each object with its graph) embedded as JSON. The same browser
// code renders it, routing by #/… instead of /ui/…, with no network at all:
// a CI artifact to download and open.
//
// Trade-off: the file grows with the project; past `maxObjects` objects the
// rest have no page in it (the kind lists and the graph still show them).

import { loadAssets, pageHtml } from './assets.js';
import { UiApi, type UiSources } from './api.js';
import { graphPath, groupSeg, kindPath, objectPath } from './routes.js';
import type { Snapshot } from './types.js';

const maxObjects = 500;

export async function snapshotHtml(sources: UiSources, title: string, now = new Date()): Promise<string> {
  const api = new UiApi(sources);
  const responses: Record<string, unknown> = {};
  const overview = await api.overview();
  responses.overview = overview;
  responses.graph = await api.graph();
  responses.history = api.history({});
  for (const r of overview.reconcilers) responses[`history?reconciler=${encodeURIComponent(r.name)}`] = api.history({ reconciler: r.name });
  let objects = 0;
  for (const k of overview.kinds) {
    const page = await api.kind(groupSeg(k.group), k.kind);
    responses[kindPath(k.group, k.kind)] = page;
    for (const o of page.items) {
      if (objects++ >= maxObjects) break;
      responses[objectPath(o)] = await api.object(groupSeg(o.group), o.kind, o.namespace || '_', o.name);
      responses[graphPath(o)] = await api.graph({ group: groupSeg(o.group), kind: o.kind, namespace: o.namespace || '_', name: o.name });
    }
  }
  const snapshot: Snapshot = { title, generated: now.toISOString(), responses };
  const assets = loadAssets();
  // Inline text must not close its <script>/<style> element early.
  const json = JSON.stringify(snapshot).replace(/</g, '\\u003c');
  const js = assets.js.replace(/<\/(script)/gi, '<\\/$1');
  const css = assets.css.replace(/<\/(style)/gi, '<\\/$1');
  return pageHtml(`${title} · choreo`, {
    icon: `data:image/svg+xml;base64,${Buffer.from(assets.favicon).toString('base64')}`,
    style: `<style>${css}</style>`,
    script: `<script>window.__CHOREO_SNAPSHOT__ = ${json};</script>\n<script type="module">${js}</script>`,
  });
}
