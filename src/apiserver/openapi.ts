// OpenAPI v3 documents (/openapi/v3 and /openapi/v3/<api|apis/g>/<v>), which
// kubectl uses for two things: `kubectl explain`, and deciding that the server
// validates fields itself. kubectl's QueryParamVerifierV3 looks for the PATCH
// operation tagged with the kind's `x-kubernetes-group-version-kind` and a
// `fieldValidation` query parameter; when found, `kubectl apply/create` send
// `fieldValidation=Strict` and never need the protobuf-only /openapi/v2.
//
// Key idea: one document per group/version, built from the catalogue (paths
// per resource here; component schemas from src/api/openapi.ts) and cached against the
// catalogue generation. The root index links each document with a content
// hash so kubectl's disk cache is invalidated exactly when a schema changes.

import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { componentName, kindComponentSchema, listComponentSchema, standardSchemas } from '../api/openapi.js';
import type { ResourceCatalog, ResourceType } from './registry/resources.js';

interface GvDoc {
  body: string;
  hash: string;
}


export class OpenApi {
  private generation = -1;
  private docs = new Map<string, GvDoc>();

  constructor(private readonly catalog: ResourceCatalog) {}

  /** The root index: every group/version document with its hash. */
  root(): string {
    this.refresh();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [key, d] of this.docs) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${d.hash}` };
    return JSON.stringify({ paths });
  }

  /** `key` is "api/v1" or "apis/<group>/<version>". */
  document(key: string): GvDoc {
    this.refresh();
    const d = this.docs.get(key);
    if (!d) throw new ApiError('NotFound', `the server could not find the requested resource (openapi ${key})`);
    return d;
  }

  private refresh(): void {
    if (this.generation === this.catalog.generation) return;
    this.generation = this.catalog.generation;
    const byGV = new Map<string, ResourceType[]>();
    for (const t of this.catalog.all()) {
      const key = t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`;
      const l = byGV.get(key) ?? [];
      l.push(t);
      byGV.set(key, l);
    }
    this.docs.clear();
    for (const [key, types] of byGV) {
      const body = JSON.stringify(buildDocument(key, types));
      this.docs.set(key, { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase() });
    }
  }
}

function buildDocument(key: string, types: ResourceType[]): unknown {
  const schemas: Record<string, unknown> = { ...standardSchemas() };
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const name = componentName(gvk);
    schemas[name] = kindComponentSchema(t.schema?.schema, gvk);
    schemas[`${name}List`] = listComponentSchema(gvk, t.listKind);
    Object.assign(paths, resourcePaths(key, t, name));
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

function param(name: string, description: string, type = 'string', where = 'query'): unknown {
  return { name, in: where, description, schema: { type, uniqueItems: true } };
}

const commonWrite = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  param('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.'),
];

function op(t: ResourceType, action: string, id: string, ref: string, extra: unknown[] = [], body = false, bodyTypes = ['application/json']): unknown {
  const o: Record<string, unknown> = {
    operationId: `${id}${t.namespaced ? 'Namespaced' : ''}${t.kind}`,
    parameters: extra,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
  };
  if (body) o.requestBody = { content: Object.fromEntries(bodyTypes.map((m) => [m, { schema: { $ref: `#/components/schemas/${ref}` } }])), required: true };
  return o;
}

function resourcePaths(key: string, t: ResourceType, name: string): Record<string, unknown> {
  const base = `/${key}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const nameParam = param('name', `name of the ${t.kind}`, 'string', 'path');
  const nsParam = param('namespace', 'object name and auth scope, such as for teams and projects', 'string', 'path');
  const pathParams = t.namespaced ? [nameParam, nsParam] : [nameParam];
  const listParams = t.namespaced ? [nsParam] : [];
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  const item = {
    parameters: pathParams,
    get: op(t, 'get', 'read', name),
    put: op(t, 'put', 'replace', name, commonWrite, true),
    patch: op(t, 'patch', 'patch', name, [...commonWrite, param('force', 'Force is going to "force" Apply requests.', 'boolean')], true, patchTypes),
    delete: op(t, 'delete', 'delete', name, [param('dryRun', 'dry run'), param('propagationPolicy', 'Whether and how garbage collection will be performed.')]),
  };
  const coll = {
    parameters: listParams,
    get: op(t, 'list', 'list', `${name}List`, [param('labelSelector', 'label selector'), param('fieldSelector', 'field selector'), param('limit', 'limit', 'integer'), param('continue', 'continue'), param('watch', 'watch', 'boolean')]),
    post: op(t, 'post', 'create', name, commonWrite, true),
    delete: op(t, 'deletecollection', 'deletecollection', name, [param('labelSelector', 'label selector')]),
  };
  const out: Record<string, unknown> = { [base]: coll, [`${base}/{name}`]: item };
  if (t.hasStatus)
    out[`${base}/{name}/status`] = {
      parameters: pathParams,
      get: op(t, 'get', 'readStatus', name),
      put: op(t, 'put', 'replaceStatus', name, commonWrite, true),
      patch: op(t, 'patch', 'patchStatus', name, [...commonWrite, param('force', 'force', 'boolean')], true, patchTypes),
    };
  return out;
}
