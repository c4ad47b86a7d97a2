// The review APIs kubectl's `auth` commands use, answered for choreo's access
// model: one bearer token grants full access (required off loopback), and a
// loopback server without a token gives every caller full access.
//   authentication.k8s.io/v1 SelfSubjectReview        → `kubectl auth whoami`
//   authorization.k8s.io/v1  SelfSubjectAccessReview  → `kubectl auth can-i <verb> <resource>`
//   authorization.k8s.io/v1  SelfSubjectRulesReview   → `kubectl auth can-i --list`
// They are create-only and never stored (as in kube-apiserver). The identity:
// token holders are user "choreo:admin" in groups system:masters and
// system:authenticated; tokenless loopback callers are system:anonymous in
// system:unauthenticated, still allowed everything (the reason says why).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import { contentType, parseBody, readBody, writeObject } from './http.js';
import { storageKeyOf, type ResourceType } from './registry/resources.js';

function reviewType(group: string, kind: string, plural: string): ResourceType {
  return {
    group,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: false,
    hasStatus: false,
    storageKey: storageKeyOf(group, plural),
    apiVersion: `${group}/v1`,
    verbs: ['create'],
    printerColumns: [],
    builtin: true,
  };
}

export const reviewTypes: ResourceType[] = [
  reviewType('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews'),
  reviewType('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  reviewType('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
];

const reviewKinds = new Set(reviewTypes);

export function isReviewType(t: ResourceType): boolean {
  return reviewKinds.has(t);
}

/** Who the caller is under the server's access model (`tokenAuth`: the server requires its token). */
function userInfo(tokenAuth: boolean): { username: string; groups: string[] } {
  return tokenAuth ? { username: 'choreo:admin', groups: ['system:masters', 'system:authenticated'] } : { username: 'system:anonymous', groups: ['system:unauthenticated'] };
}

const reason = (tokenAuth: boolean) => (tokenAuth ? 'choreo: the bearer token grants full access' : 'choreo: loopback server without a token grants full access');

export async function handleReview(t: ResourceType, verb: string, req: IncomingMessage, res: ServerResponse, bodyLimit: number, tokenAuth: boolean): Promise<void> {
  if (verb !== 'create') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = parseBody(await readBody(req, bodyLimit), contentType(req)) as { spec?: Record<string, unknown>; metadata?: Record<string, unknown> } | null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BadRequest', 'the body of the request was not a JSON object');
  const head = { kind: t.kind, apiVersion: t.apiVersion, metadata: { creationTimestamp: null } };
  switch (t.kind) {
    case 'SelfSubjectReview':
      return writeObject(res, 201, { ...head, status: { userInfo: userInfo(tokenAuth) } });
    case 'SelfSubjectAccessReview': {
      const spec = body.spec ?? {};
      if (!spec.resourceAttributes === !spec.nonResourceAttributes)
        throw new ApiError('Invalid', `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
      return writeObject(res, 201, { ...head, spec, status: { allowed: true, reason: reason(tokenAuth) } });
    }
    default:
      return writeObject(res, 201, {
        ...head,
        spec: body.spec ?? {},
        status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
      });
  }
}
