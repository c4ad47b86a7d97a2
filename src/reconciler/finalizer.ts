// The finalizer a reconciler puts on its For objects (so it can delete their
// children before they go).
//
// The original choreo uses the reconciler's name as is, and projects (or
// tools reading their objects) may rely on seeing it, so a name that is a
// valid finalizer — a Kubernetes qualified name: optional DNS-subdomain prefix
// and "/", then at most 63 of [A-Za-z0-9-_.] — stays the finalizer. Any other
// name (too long, or with characters a finalizer cannot hold) is mapped to
// `choreo.kform.dev/<readable part>-<hash of the full name>`: always valid,
// stable across runs and restarts, distinct for distinct names.

import { createHash } from 'node:crypto';
import { labelKeyErrors } from '../api/selectors.js';

const prefix = 'choreo.kform.dev/';
const maxNamePart = 63;
const hashLength = 10;

export function finalizerName(reconciler: string): string {
  if (labelKeyErrors(reconciler).length === 0) return reconciler;
  const hash = createHash('sha256').update(reconciler).digest('hex').slice(0, hashLength);
  const readable = reconciler
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .slice(0, maxNamePart - hashLength - 1)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return `${prefix}${readable ? `${readable}-` : ''}${hash}`;
}
