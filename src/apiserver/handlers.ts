// Resource endpoints: one function per verb translating an HTTP request into
// a registry call and the registry's answer into the response kubectl
// expects (object, List, Table, PartialObjectMetadata, or Status). All
// Kubernetes semantics live in the registry; this layer only parses query
// parameters, bodies and content types.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { ownValue, type KObject } from '../api/object.js';
import { contentType, negotiate, parseBody, readBody, successStatus, warningHeader, writeObject, type ResponseForm } from './http.js';
import { resourceVersionRequired } from './registry/errors.js';
import type { FieldValidation, Registry, WriteContext } from './registry/registry.js';
import type { ResourceType } from './registry/resources.js';
import { crdType } from './builtins.js';
import { checkFieldLabels } from './fieldlabels.js';
import { handleScale } from './scale.js';
import { handleReview, isReviewType } from './auth.js';
import type { ResourceRequest } from './router.js';
import { partialMetadata, renderTable, type IncludeObject } from './table.js';
import { serveWatch, type WatchBudget, type WatchConfig } from './watch.js';

export interface HandlerContext {
  registry: Registry;
  bodyLimit: number;
  /** The server requires its bearer token (so every request here carried it); auth.ts reports the identity. */
  tokenAuth?: boolean;
  watch: WatchConfig;
  watches: WatchBudget;
  /** Registers a long-running stream so server shutdown can end it; returns the unregister function. */
  track(close: () => void): () => void;
}

const notFoundResource = () => new ApiError('NotFound', 'the server could not find the requested resource');

export async function handleResource(ctx: HandlerContext, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
  const t = ctx.registry.catalog.byResource(r.group, r.version, r.resource);
  if (!t) throw notFoundResource();
  if (r.subresource && !((r.subresource === 'status' && t.hasStatus) || (r.subresource === 'scale' && t.scale))) throw notFoundResource();
  if (!t.namespaced && r.namespace) throw notFoundResource();
  // Namespaced types are only listed/watched across namespaces; every other verb needs the namespace path.
  if (t.namespaced && !r.namespace && r.verb !== 'list' && r.verb !== 'watch') throw notFoundResource();
  if (r.subresource && !['get', 'update', 'patch'].includes(r.verb)) throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const fieldSelector = r.verb === 'list' || r.verb === 'watch' || r.verb === 'deletecollection' ? checkFieldLabels(t, q.get('fieldSelector')) : undefined;
  if (!t.verbs.includes(r.verb) && !r.subresource && !isReviewType(t)) throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (isReviewType(t)) return handleReview(t, r.verb, req, res, ctx.bodyLimit, ctx.tokenAuth === true);
  if (r.subresource === 'scale') return handleScale(ctx.registry, t, r, req, res, ctx.bodyLimit, () => writeContext(q, '', req));
  const form = negotiate(req.headers.accept);
  const reg = ctx.registry;
  switch (r.verb) {
    case 'get': {
      const o = await reg.getObject(t, r.namespace, r.name);
      return respond(res, 200, t, [o], form, q, o, undefined);
    }
    case 'list': {
      const list = await reg.listObjects(t, {
        namespace: r.namespace || undefined,
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector,
        // Servers may ignore `limit` (API conventions). For Table output we do: kubectl pages
        // with limit=500 but throttles itself to 5 requests/s after 10, so 10,000 rows would
        // take over 2 s in pages and a fraction of that in one response. A continue token
        // from an earlier JSON page is still honoured.
        limit: form.kind === 'table' && !q.get('continue') ? undefined : intParam(q, 'limit'),
        continue: q.get('continue') || undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
      });
      const body = { kind: t.listKind, apiVersion: t.apiVersion, metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) }, items: list.items };
      return respond(res, 200, t, list.items, form, q, body, list);
    }
    case 'watch':
      return serveWatch(
        reg,
        t,
        req,
        res,
        form,
        {
          namespace: r.namespace,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
          sendInitialEvents: q.has('sendInitialEvents') ? boolParam(q, 'sendInitialEvents') : undefined,
          timeoutSeconds: intParam(q, 'timeoutSeconds'),
          include: includeParam(q),
        },
        ctx.watch,
        ctx.watches,
        ctx.track,
      );
    case 'create': {
      const wctx = writeContext(q, r.subresource, req);
      const body = parseBody(await readBody(req, ctx.bodyLimit), contentType(req));
      const o = await reg.createObject(t, r.namespace, body, wctx);
      return respond(res, 201, t, [o], form, q, o, undefined, wctx.warnings);
    }
    case 'update': {
      const wctx = writeContext(q, r.subresource, req);
      const body = parseBody(await readBody(req, ctx.bodyLimit), contentType(req));
      // Custom resources and CRDs refuse unconditional updates (their kube strategies' AllowUnconditionalUpdate
      // is false); as in kube's store, a missing object is 404 first.
      if ((!t.builtin || t === crdType) && missingResourceVersion(body)) {
        await reg.getObject(t, r.namespace, r.name);
        throw resourceVersionRequired(t, r.name);
      }
      const o = await reg.updateObject(t, r.namespace, r.name, body, wctx);
      return respond(res, 200, t, [o], form, q, o, undefined, wctx.warnings);
    }
    case 'patch':
      return patch(ctx, t, r, req, res, q, form);
    case 'delete': {
      const opts = await deleteOptions(ctx, req, q);
      const { object, removed } = await reg.deleteObject(t, r.namespace, r.name, opts);
      return respond(res, removed ? 200 : 202, t, [object], form, q, object, undefined);
    }
    case 'deletecollection': {
      const opts = await deleteOptions(ctx, req, q);
      await reg.deleteCollection(t, { namespace: r.namespace || undefined, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector }, opts);
      return writeObject(res, 200, successStatus());
    }
  }
}

async function patch(ctx: HandlerContext, t: ResourceType, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, form: ResponseForm): Promise<void> {
  const wctx = writeContext(q, r.subresource, req);
  const media = contentType(req);
  let kind: 'merge' | 'json' | 'apply';
  switch (media) {
    case 'application/merge-patch+json':
      kind = 'merge';
      break;
    case 'application/json-patch+json':
      kind = 'json';
      break;
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      kind = 'apply';
      break;
    case 'application/strategic-merge-patch+json':
      // Custom resources do not support strategic merge (k/k #97423); built-ins here have no patch strategies that differ from merge.
      if (!t.builtin) throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      kind = 'merge';
      break;
    default:
      throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
  const body = parseBody(await readBody(req, ctx.bodyLimit), kind === 'apply' ? 'application/yaml' : 'application/json');
  const reg = ctx.registry;
  let o: KObject;
  let code = 200;
  if (kind === 'apply') {
    const existed = (await reg.store.get(reg.key(t, r.namespace, r.name))) !== undefined;
    o = await reg.applyObject(t, r.namespace, r.name, body, { ...wctx, force: boolParam(q, 'force') });
    if (!existed) code = 201;
  } else o = await reg.patchObject(t, r.namespace, r.name, kind, body, wctx);
  return respond(res, code, t, [o], form, q, o, undefined, wctx.warnings);
}

function respond(
  res: ServerResponse,
  code: number,
  t: ResourceType,
  objects: KObject[],
  form: ResponseForm,
  q: URLSearchParams,
  plain: unknown,
  list: { resourceVersion: string; continue?: string } | undefined,
  warnings: string[] = [],
): void {
  const headers: Record<string, string | string[]> = warnings.length ? { Warning: warningHeader(warnings) } : {};
  if (form.kind === 'table') return writeObject(res, code, renderTable(t, objects, { version: form.version, include: includeParam(q), resourceVersion: list?.resourceVersion, continue: list?.continue }), form, headers);
  if (form.kind === 'metadata') {
    if (!list) return writeObject(res, code, partialMetadata(objects[0], form.version), form, headers);
    const metadata = { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) };
    return writeObject(res, code, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${form.version}`, metadata, items: objects.map((o) => partialMetadata(o, form.version)) }, form, headers);
  }
  writeObject(res, code, plain, form, headers);
}

/**
 * Write options from the query. Without fieldManager, Update operations are
 * attributed to the client's User-Agent name (its part before "/"), as in
 * kube-apiserver; apply requires an explicit fieldManager.
 */
function writeContext(q: URLSearchParams, subresource: string, req: IncomingMessage): WriteContext {
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') throw new ApiError('BadRequest', `fieldValidation must be one of Ignore, Warn, Strict; got ${JSON.stringify(fv)}`);
  return {
    fieldManager: q.get('fieldManager') || undefined,
    defaultFieldManager: (req.headers['user-agent'] ?? '').split('/')[0].slice(0, 128) || undefined,
    dryRun: dryRunParam(q.getAll('dryRun')),
    fieldValidation: fv as FieldValidation,
    warnings: [],
    subresource: subresource === 'status' ? 'status' : '',
  };
}

function dryRunParam(values: string[]): boolean {
  for (const v of values) if (v !== 'All') throw new ApiError('BadRequest', `dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  return values.length > 0;
}

async function deleteOptions(ctx: HandlerContext, req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions & { dryRun?: boolean }> {
  const buf = await readBody(req, ctx.bodyLimit);
  let body: { propagationPolicy?: string; orphanDependents?: boolean; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] } = {};
  if (buf.length && buf.toString().trim() !== '') {
    const parsed = parseBody(buf, 'application/json');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError('BadRequest', 'DeleteOptions must be a JSON object');
    body = parsed as typeof body;
  }
  let policy = q.get('propagationPolicy') ?? body.propagationPolicy;
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  if (policy === undefined && (orphan === true || orphan === 'true')) policy = 'Orphan';
  if (policy !== undefined && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan')
    throw new ApiError('Invalid', `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`, {
      causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: ${JSON.stringify(policy)}` }],
    });
  return {
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    preconditions: body.preconditions,
    dryRun: dryRunParam([...q.getAll('dryRun'), ...(Array.isArray(body.dryRun) ? body.dryRun : [])]),
  };
}

/** A body whose metadata.resourceVersion is absent or empty (other types are left to the decoder's errors). */
function missingResourceVersion(body: unknown): boolean {
  const meta = body !== null && typeof body === 'object' ? ownValue(body as Record<string, unknown>, 'metadata') : undefined;
  const rv = meta !== null && typeof meta === 'object' ? ownValue(meta as Record<string, unknown>, 'resourceVersion') : undefined;
  return rv === undefined || rv === null || rv === '';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError('BadRequest', `${name}: invalid integer ${JSON.stringify(v)}`);
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function includeParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw new ApiError('BadRequest', `includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "None", "Metadata", "Object"`);
}
