// URL → request info, following kube-apiserver's RequestInfoFactory:
//   /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
//   /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
// plus the verb derived from method, name and `?watch`. `namespaces/{ns}/status`
// and `/finalize` are subresources of the Namespace itself, not namespaced paths.

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  namespace: string; // "" when not namespaced in the URL
  resource: string;
  name: string; // "" for collections
  subresource: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
}

export type RouteInfo =
  | ResourceRequest
  | { kind: 'discovery'; path: 'api' | 'apis' | 'group' | 'groupversion'; group: string; version: string }
  | { kind: 'other'; path: string };

const namespaceSubresources = new Set(['status', 'finalize']);

export function route(method: string, pathname: string, query: URLSearchParams): RouteInfo {
  const parts = pathname.split('/').filter((p) => p !== '').map(safeDecode);
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', path: 'api', group: '', version: '' };
    if (parts.length === 2) return { kind: 'discovery', path: 'groupversion', group: '', version: parts[1] };
    return resourceRoute(method, '', parts[1], parts.slice(2), query) ?? { kind: 'other', path: pathname };
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', path: 'apis', group: '', version: '' };
    if (parts.length === 2) return { kind: 'discovery', path: 'group', group: parts[1], version: '' };
    if (parts.length === 3) return { kind: 'discovery', path: 'groupversion', group: parts[1], version: parts[2] };
    return resourceRoute(method, parts[1], parts[2], parts.slice(3), query) ?? { kind: 'other', path: pathname };
  }
  return { kind: 'other', path: pathname };
}

function resourceRoute(method: string, group: string, version: string, rest: string[], query: URLSearchParams): ResourceRequest | undefined {
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
    else namespace = '';
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name = '', subresource = ''] = rest;
  const watch = query.get('watch');
  const isWatch = watch === '1' || watch === 'true';
  let verb: ResourceRequest['verb'];
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? 'get' : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      return undefined;
  }
  return { kind: 'resource', group, version, namespace, resource, name, subresource, verb };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
