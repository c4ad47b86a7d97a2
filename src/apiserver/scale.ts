// The scale subresource of custom resources (CRD `subresources.scale`):
// GET/PUT/PATCH `.../{name}/scale` speak autoscaling/v1 Scale, as
// kube-apiserver's apiextensions scale REST does. The Scale is derived from the
// object through specReplicasPath / statusReplicasPath / labelSelectorPath;
// a write sets only specReplicasPath, through the registry's ordinary merge
// patch (so admission, validation, conflicts and watch events are the same as
// for any other update).
//
// Trade-off: a Scale's resourceVersion precondition is honoured (409 on
// mismatch); managed fields attribute the change to the main resource, not
// to a separate "scale" subresource entry.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import { invalidError, invalid, type FieldError } from '../api/fielderrors.js';
import type { KObject } from '../api/object.js';
import { applyJsonPatch, applyMergePatch } from '../api/patch.js';

type Json = Parameters<typeof applyMergePatch>[0];
import { pathSteps } from '../api/selectablefields.js';
import { contentType, parseBody, readBody, writeObject } from './http.js';
import type { Registry, WriteContext } from './registry/registry.js';
import type { ResourceType } from './registry/resources.js';
import type { ResourceRequest } from './router.js';

type ScaleSpec = NonNullable<ResourceType['scale']>;

function valueAt(obj: unknown, jsonPath: string | undefined): unknown {
  if (!jsonPath) return undefined;
  let cur = obj;
  for (const s of pathSteps(jsonPath) ?? []) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** A merge patch that sets `jsonPath` to `value` (`.spec.replicas` → {spec: {replicas: value}}). */
function patchAt(jsonPath: string, value: unknown): Record<string, unknown> {
  const steps = pathSteps(jsonPath) ?? [];
  let out: unknown = value;
  for (let i = steps.length - 1; i >= 0; i--) out = { [steps[i]]: out };
  return out as Record<string, unknown>;
}

const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : 0);

/** The autoscaling/v1 Scale of a custom resource. */
export function scaleOf(spec: ScaleSpec, o: KObject): Record<string, unknown> {
  const m = o.metadata;
  const selector = valueAt(o, spec.labelSelectorPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: int(valueAt(o, spec.specReplicasPath)) },
    status: { replicas: int(valueAt(o, spec.statusReplicasPath)), ...(typeof selector === 'string' && selector !== '' ? { selector } : {}) },
  };
}

function validateScale(s: unknown, name: string): { replicas: number; resourceVersion?: string } {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new ApiError('BadRequest', 'the body must be an autoscaling/v1 Scale object');
  const o = s as { metadata?: { name?: unknown; resourceVersion?: unknown }; spec?: { replicas?: unknown } };
  if (o.metadata?.name !== undefined && o.metadata.name !== name) throw new ApiError('BadRequest', `the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`);
  const replicas = o.spec?.replicas ?? 0;
  const errs: FieldError[] = [];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) errs.push(invalid('spec.replicas', replicas, 'must be an integer'));
  else if (replicas < 0) errs.push(invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
  if (errs.length) throw invalidError('Scale', 'autoscaling', name, errs);
  const rv = o.metadata?.resourceVersion;
  return { replicas: replicas as number, resourceVersion: typeof rv === 'string' && rv !== '' ? rv : undefined };
}

export async function handleScale(reg: Registry, t: ResourceType, r: ResourceRequest, req: IncomingMessage, res: ServerResponse, bodyLimit: number, wctx: () => WriteContext): Promise<void> {
  const spec = t.scale!;
  const current = await reg.getObject(t, r.namespace, r.name);
  if (r.verb === 'get') return writeObject(res, 200, scaleOf(spec, current));
  const media = contentType(req);
  const raw = await readBody(req, bodyLimit);
  let body: unknown;
  if (r.verb === 'update') body = parseBody(raw, media);
  else {
    const currentScale = scaleOf(spec, current) as Json;
    if (media === 'application/json-patch+json') body = applyJsonPatch(currentScale, parseBody(raw, 'application/json'));
    else if (media === 'application/merge-patch+json' || media === 'application/strategic-merge-patch+json') body = applyMergePatch(currentScale, parseBody(raw, 'application/json') as Json);
    else if (media === 'application/apply-patch+yaml') body = applyMergePatch(currentScale, parseBody(raw, 'application/yaml') as Json);
    else throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
  const { replicas, resourceVersion } = validateScale(body, r.name);
  // A PATCH leaves the current resourceVersion in place: only a changed one is a precondition.
  const pin = resourceVersion && (r.verb === 'update' || resourceVersion !== current.metadata.resourceVersion) ? resourceVersion : undefined;
  const patch = patchAt(spec.specReplicasPath, replicas);
  if (pin) patch.metadata = { resourceVersion: pin };
  const updated = await reg.patchObject(t, r.namespace, r.name, 'merge', patch, wctx());
  writeObject(res, 200, scaleOf(spec, updated));
}
