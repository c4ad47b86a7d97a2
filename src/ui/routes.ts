// Route and API paths of kinds and objects: the group ("core" for the core
// group), the kind, the namespace ("_" when cluster-scoped) and the name —
// so a URL names what it shows and can be bookmarked or scripted. Shared by
// the browser code and the snapshot writer (html.ts), which must use the very
// API paths the pages ask for.

import type { ObjectRef } from './types.js';

const seg = (s: string) => encodeURIComponent(s);

export function groupSeg(group: string): string {
  return group === '' ? 'core' : group;
}

export function kindPath(group: string, kind: string): string {
  return `kinds/${seg(groupSeg(group))}/${seg(kind)}`;
}

export function objectPath(o: ObjectRef): string {
  return `objects/${seg(groupSeg(o.group))}/${seg(o.kind)}/${seg(o.namespace || '_')}/${seg(o.name)}`;
}

export function graphPath(o: ObjectRef): string {
  return `graph?group=${seg(groupSeg(o.group))}&kind=${seg(o.kind)}&namespace=${seg(o.namespace || '_')}&name=${seg(o.name)}`;
}
