// The pages, each a function from API data to a DOM tree (rebuilt whole on
// every live update; dom.ts keeps inputs and <details> as they were):
// overview, kind, object, graph, history. Links are ordinary <a href>.

import { h, type Child } from './dom.js';
import { href, snapshot } from './data.js';
import { graphSvg } from './graph.js';
import { graphPath, kindPath, objectPath } from '../routes.js';
import { toYaml } from './yaml.js';
import type { FieldNode, Graph, HistoryItem, KindPage, ObjectPage, ObjectSummary, Overview, Readiness } from '../types.js';

const readinessLabel: Record<Readiness, string> = { ready: 'Ready', notready: 'Not ready', failed: 'Failed', deleting: 'Deleting', none: '—' };

export function badge(r: Readiness): HTMLElement {
  return h('span', { class: `badge ${r}` }, readinessLabel[r]);
}

export function objLink(o: { group: string; kind: string; namespace: string; name: string }, text?: string): HTMLElement {
  return h('a', { href: href(objectPath(o)) }, text ?? `${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
}

function kindLink(group: string, kind: string): HTMLElement {
  return h('a', { href: href(kindPath(group, kind)) }, kind);
}

export function age(iso: string): string {
  if (!iso) return '';
  // A snapshot's ages are as of when it was written.
  const now = snapshot ? Date.parse(snapshot.generated) : Date.now();
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.floor(s)}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function table(head: string[], rows: Child[][], cls = ''): HTMLElement {
  return h('table', { class: cls }, h('thead', null, h('tr', null, head.map((c) => h('th', null, c)))), h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

function section(title: string, ...body: Child[]): HTMLElement {
  return h('section', { 'data-section': title }, h('h2', null, title), body);
}

function count(n: number, cls: string): Child {
  return n === 0 ? h('span', { class: 'zero' }, '0') : h('span', { class: cls }, n);
}

export function overviewPage(o: Overview): HTMLElement {
  const kinds = table(
    ['Kind', 'Group', 'Total', 'Ready', 'Not ready', 'Failed'],
    o.kinds.map((k) => [kindLink(k.group, k.kind), h('span', { class: 'muted' }, k.group || 'core'), k.total, count(k.ready, 'ok'), count(k.notready, 'warn'), count(k.failed, 'bad')]),
    'kinds',
  );
  // Reconcilers that never ran (the built-in allocation controllers of a project without claims) go last, in one line.
  const active = o.reconcilers.filter((r) => r.reconciles > 0 || r.queueDepth > 0 || r.inFlight > 0);
  const idle = o.reconcilers.filter((r) => !active.includes(r));
  const reconcilers = o.reconcilers.length
    ? table(
        ['Reconciler', 'Reconciles', 'Errors', 'Mean', 'Max', 'Queue', 'Running'],
        active.map((r) => [h('a', { href: href(`history?reconciler=${encodeURIComponent(r.name)}`) }, r.name), r.reconciles, count(r.errors, 'bad'), ms(r.durationMeanMs), ms(r.durationMaxMs), r.queueDepth, r.inFlight]),
        'reconcilers',
      )
    : h('p', { class: 'muted' }, o.engine ? 'No reconcilers.' : 'This server runs no reconcilers (server start): objects only.');
  return h(
    'div',
    null,
    h('h1', null, 'Overview'),
    section('Kinds', kinds, o.emptyKinds ? h('p', { class: 'muted small' }, `${o.emptyKinds} more kinds are served without objects.`) : null),
    section('Reconcilers', reconcilers, idle.length ? h('p', { class: 'muted small' }, `Not run yet: ${idle.map((r) => r.name).join(', ')}.`) : null),
    section('Latest errors', o.latestErrors.length ? historyTable(o.latestErrors) : h('p', { class: 'muted' }, 'None.')),
  );
}

export function ms(v: number): string {
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : v < 1000 ? `${v.toFixed(1)} ms` : `${(v / 1000).toFixed(2)} s`;
}

/** The kind page's filter text, kept over live refreshes of the same kind. */
let kindFilter = '';
let kindFiltered = '';

export function kindPage(k: KindPage): HTMLElement {
  if (kindFiltered !== k.apiVersion + k.kind) [kindFilter, kindFiltered] = ['', k.apiVersion + k.kind];
  const rows = h('tbody');
  const fill = () => {
    const f = kindFilter.toLowerCase();
    const items = k.items.filter((o) => !f || `${o.namespace}/${o.name} ${o.conditions}`.toLowerCase().includes(f));
    rows.replaceChildren(...items.map((o) => h('tr', { 'data-name': o.name }, h('td', null, o.namespace), h('td', null, objLink(o, o.name)), h('td', null, badge(o.readiness)), h('td', { class: 'cond' }, o.conditions), h('td', null, age(o.created)))));
    counter.textContent = `${items.length} of ${k.items.length}`;
  };
  const counter = h('span', { class: 'muted' });
  const input = h('input', { type: 'search', placeholder: 'filter by name, namespace or condition', 'data-keep': `kind-filter:${k.apiVersion}/${k.kind}`, value: kindFilter, 'aria-label': 'filter', oninput: (e: Event) => ((kindFilter = (e.target as HTMLInputElement).value), fill()) });
  fill();
  return h(
    'div',
    null,
    h('h1', null, k.kind, ' ', h('span', { class: 'muted small' }, k.apiVersion)),
    h('div', { class: 'toolbar' }, input, counter),
    h('table', { class: 'objects' }, h('thead', null, h('tr', null, ['Namespace', 'Name', 'State', 'Conditions', 'Age'].map((c) => h('th', null, c)))), rows),
  );
}

function summaryList(items: ObjectSummary[]): Child {
  if (items.length === 0) return h('p', { class: 'muted' }, 'None.');
  return h('ul', { class: 'links' }, items.map((o) => h('li', null, badge(o.readiness), ' ', h('span', { class: 'muted' }, o.kind), ' ', objLink(o))));
}

function fieldList(nodes: FieldNode[], root = true): HTMLElement {
  return h(
    'ul',
    { class: root ? 'fields root' : 'fields' },
    nodes.map((n) => h('li', null, h('span', { class: 'field' }, n.name), n.managers.map((m) => h('span', { class: 'manager', style: `--hue:${hue(m)}` }, m)), n.children.length ? fieldList(n.children, false) : null)),
  );
}

function hue(s: string): number {
  let x = 0;
  for (const c of s) x = (x * 31 + c.charCodeAt(0)) % 360;
  return x;
}

export function objectPage(p: ObjectPage, graph: Graph | undefined): HTMLElement {
  const o = p.summary;
  const withoutManaged = structuredClone(p.object) as { metadata?: { managedFields?: unknown } };
  delete withoutManaged.metadata?.managedFields;
  const yaml = h('pre', { class: 'yaml' });
  const showManaged = h('input', { type: 'checkbox', 'data-keep': 'show-managed', onchange: () => (yaml.textContent = toYaml(showManaged.checked ? p.object : withoutManaged)) });
  yaml.textContent = toYaml(withoutManaged);
  return h(
    'div',
    null,
    h('h1', null, h('span', { class: 'muted' }, kindLink(o.group, o.kind)), ' ', o.namespace ? `${o.namespace}/` : '', o.name, ' ', badge(o.readiness)),
    p.owners.length ? h('nav', { class: 'chain', 'aria-label': 'owner chain' }, [...p.owners].reverse().flatMap((w) => [h('span', { class: 'muted' }, w.kind), ' ', objLink(w), ' → ']), h('strong', null, o.name)) : null,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        null,
        section('Conditions', p.conditions.length ? table(['Type', 'Status', 'Reason', 'Message', 'Since'], p.conditions.map((c) => [c.type, c.status, c.reason ?? '', h('span', { class: 'pre' }, c.message ?? ''), age(c.lastTransitionTime ?? '')])) : h('p', { class: 'muted' }, 'None.')),
        section('Children', summaryList(p.children)),
        section('Owners', summaryList(p.owners)),
      ),
      h('div', null, section('Field ownership', p.fields.length ? fieldList(p.fields) : h('p', { class: 'muted' }, 'No managed fields.'), h('p', { class: 'muted small' }, p.managers.map((m) => `${m.manager} (${m.operation}${m.subresource ? `, ${m.subresource}` : ''})`).join(' · ')))),
    ),
    graph && graph.nodes.length > 1 ? section('Graph', h('p', { class: 'small' }, h('a', { href: href(graphPath(o)) }, 'open the graph on its own page')), h('div', { class: 'graph-box' }, graphSvg(graph, (n) => href(objectPath(n)), o.uid))) : null,
    section('Reconcile history', p.history.length ? historyTable(p.history, false) : h('p', { class: 'muted' }, 'No reconciles recorded for this object.')),
    section('Events', p.events.length ? table(['Type', 'Reason', 'Message', 'Count', 'Last', 'From'], p.events.map((e) => [h('span', { class: e.type === 'Warning' ? 'bad' : '' }, e.type), e.reason, h('span', { class: 'pre' }, e.message), e.count, age(e.last), e.source])) : h('p', { class: 'muted' }, 'None.')),
    section('YAML', h('label', { class: 'toggle' }, showManaged, ' show managedFields'), yaml),
  );
}

export function graphPage(g: Graph, around?: string): HTMLElement {
  return h(
    'div',
    null,
    h('h1', null, 'Ownership graph', around ? h('span', { class: 'muted small' }, ` around ${around}`) : null),
    h('p', { class: 'muted' }, `${g.nodes.length} objects, ${g.edges.length} owner references${g.truncated ? ' (cut at 2000 objects)' : ''}. `, legend()),
    g.nodes.length ? h('div', { class: 'graph-box' }, graphSvg(g, (n) => href(objectPath(n)))) : h('p', { class: 'muted' }, 'No objects own or are owned yet.'),
  );
}

function legend(): Child {
  return (['ready', 'notready', 'failed', 'none'] as Readiness[]).map((r) => [badge(r), ' ']);
}

function trigger(e: HistoryItem): Child {
  const t = e.trigger;
  if (!t) return '';
  if (!t.kind || !t.name) return t.event;
  return [t.event, ' ', h('span', { class: 'muted' }, t.kind), ' ', objLink({ group: (t.apiVersion ?? '').includes('/') ? t.apiVersion!.split('/')[0]! : '', kind: t.kind, namespace: t.namespace ?? '', name: t.name })];
}

export function historyTable(items: HistoryItem[], showObject = true): HTMLElement {
  const head = ['Time', 'Reconciler', ...(showObject ? ['Object'] : []), 'Trigger', 'Outcome', 'Duration', 'Writes', 'Message'];
  return table(
    head,
    items.map((e) => [
      h('time', { datetime: e.time, title: e.time }, new Date(e.time).toLocaleTimeString()),
      e.reconciler,
      ...(showObject ? [[h('span', { class: 'muted' }, e.kind), ' ', objLink({ group: e.apiVersion.includes('/') ? e.apiVersion.split('/')[0]! : '', kind: e.kind, namespace: e.namespace, name: e.name })]] : []),
      trigger(e),
      h('span', { class: `outcome ${e.outcome}` }, e.outcome),
      ms(e.durationMs),
      e.writes.length ? h('details', null, h('summary', null, String(e.writes.length)), h('ul', null, e.writes.map((w) => h('li', null, `${w.op} ${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`)))) : '0',
      [h('span', { class: 'pre' }, e.message), e.stack ? h('details', null, h('summary', null, 'Starlark stack'), h('pre', { class: 'stack' }, e.stack)) : null],
    ]),
    'history',
  );
}

export function historyPage(items: HistoryItem[], query: string): HTMLElement {
  const params = new URLSearchParams(query);
  const errors = params.get('errors') === '1';
  const other = new URLSearchParams(params);
  if (errors) other.delete('errors');
  else other.set('errors', '1');
  const what = [...params].filter(([k]) => k !== 'errors').map(([k, v]) => `${k} ${v}`).join(', ');
  return h(
    'div',
    null,
    h('h1', null, errors ? 'Failed reconciles' : 'Reconcile history', what ? h('span', { class: 'muted small' }, ` ${what}`) : null),
    h('div', { class: 'toolbar' }, h('a', { href: href(`history${other.toString() ? `?${other}` : ''}`) }, errors ? 'show all' : 'errors only'), what ? h('a', { href: href('history') }, 'all reconcilers') : null),
    items.length ? historyTable(items) : h('p', { class: 'muted' }, 'No reconciles recorded yet.'),
  );
}
