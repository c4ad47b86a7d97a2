// The ownership graph as inline SVG: dagre (@dagrejs/dagre) lays out the
// owner → dependent edges left to right in ranks; each node is an <a href>
// to the object's page holding its kind and name as SVG text (searchable,
// readable by assistive technology), filled by readiness.
//
// Why dagre: ownership is a small DAG (mostly a forest), exactly what its
// layered (Sugiyama) layout is for; it is synchronous and ~45 KB minified,
// where elkjs is ~1.4 MB and asynchronous (a web worker).

import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { s } from './dom.js';
import type { Graph } from '../types.js';

const charWidth = 7.2;
const nodeHeight = 40;

export function graphSvg(g: Graph, link: (n: Graph['nodes'][number]) => string, focus?: string): SVGElement {
  const layout = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  layout.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 56, marginx: 12, marginy: 12 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) {
    const width = Math.max(n.kind.length * 6.2, n.name.length * charWidth) + 24;
    layout.setNode(n.id, { width, height: nodeHeight });
  }
  for (const e of g.edges) layout.setEdge(e.from, e.to);
  dagre.layout(layout);
  const info = layout.graph();
  const width = Math.ceil(info.width ?? 0);
  const height = Math.ceil(info.height ?? 0);
  const edges = g.edges.map((e) => {
    const pts = layout.edge(e.from, e.to).points ?? [];
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return s('path', { class: 'edge', d, 'marker-end': 'url(#arrow)' });
  });
  const nodes = g.nodes.map((n) => {
    const box = layout.node(n.id);
    const x = (box.x ?? 0) - box.width / 2;
    const y = (box.y ?? 0) - box.height / 2;
    return s(
      'a',
      { href: link(n), class: `node ${n.readiness}${n.id === focus ? ' focus' : ''}`, 'data-uid': n.id },
      s('title', null, `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}${n.conditions ? `\n${n.conditions}` : ''}`),
      s('rect', { x: x.toFixed(1), y: y.toFixed(1), width: box.width.toFixed(1), height: box.height, rx: 6 }),
      s('text', { x: (x + 10).toFixed(1), y: (y + 15).toFixed(1), class: 'kind' }, n.kind),
      s('text', { x: (x + 10).toFixed(1), y: (y + 31).toFixed(1), class: 'name' }, n.name),
    );
  });
  return s(
    'svg',
    { class: 'graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `ownership graph of ${g.nodes.length} objects` },
    s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))),
    s('g', null, edges),
    s('g', null, nodes),
  );
}
