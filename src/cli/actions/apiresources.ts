// `choreoctl api-resources`: the resource types the server serves, one line
// each in kubectl's columns (NAME SHORTNAMES APIVERSION NAMESPACED KIND),
// preferred versions only, sorted by group then name as kubectl sorts them —
// so the output can be compared with `kubectl api-resources` line for line.

import { apiVersionOf, type ApiResource } from '../../client/discovery.js';
import { alignColumns } from '../../client/print.js';
import { connect, type ClientFlags } from './client.js';

export interface ApiResourcesFlags extends ClientFlags {
  output?: string;
  namespaced?: string;
  apiGroup?: string;
}

export async function apiResourcesCommand(o: ApiResourcesFlags): Promise<void> {
  if (o.output !== undefined && o.output !== 'wide' && o.output !== 'name') throw new Error(`--output: invalid value ${JSON.stringify(o.output)}: must be wide or name`);
  if (o.namespaced !== undefined && o.namespaced !== 'true' && o.namespaced !== 'false') throw new Error(`--namespaced: invalid value ${JSON.stringify(o.namespaced)}: must be true or false`);
  const client = await connect(o);
  const types = (await client.discovery.all())
    .filter((r) => r.preferred)
    .filter((r) => o.namespaced === undefined || String(r.namespaced) === o.namespaced)
    .filter((r) => o.apiGroup === undefined || r.group === o.apiGroup)
    .sort(byGroupThenName);
  if (o.output === 'name') {
    process.stdout.write(types.map((r) => (r.group ? `${r.resource}.${r.group}\n` : `${r.resource}\n`)).join(''));
    return;
  }
  const wide = o.output === 'wide';
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
  const rows = types.map((r) => [r.resource, r.shortNames.join(','), apiVersionOf(r), String(r.namespaced), r.kind, ...(wide ? [`[${r.verbs.join(' ')}]`, r.categories.join(',')] : [])]);
  process.stdout.write(alignColumns([header, ...rows]).text);
}

function byGroupThenName(a: ApiResource, b: ApiResource): number {
  if (a.group !== b.group) return a.group < b.group ? -1 : 1;
  return a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0;
}
