// The resource catalogue: every type the server serves, built-in or defined by
// a CustomResourceDefinition, indexed by group/version/plural (HTTP routing)
// and by group/version/kind (the in-process Client).
//
// Key idea: a ResourceType is resolved once and carries everything per-request
// code needs — storage key, scope, status subresource, printer columns and the
// compiled schema — so a write never re-derives anything from the CRD. The
// catalogue bumps a generation number on every change; discovery and OpenAPI
// documents are cached against it and rebuilt only when types change.

import type { CompiledSchema } from '../../api/schema/index.js';

export interface PrinterColumn {
  name: string;
  type: string; // integer | number | string | boolean | date
  format?: string;
  description?: string;
  priority: number; // > 0: only with -o wide
  jsonPath: string;
}

/** Compiled once per served CRD version (validate/default/prune from the api library). */
export type TypeSchema = CompiledSchema;

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  hasStatus: boolean;
  /** Store resource key, shared by all versions of one group/plural. */
  storageKey: string;
  apiVersion: string;
  verbs: string[];
  printerColumns: PrinterColumn[];
  schema?: TypeSchema;
  /** Name of the CRD that defines this type; undefined for built-ins. */
  crd?: string;
  /** Built into the server (not from a CRD); a CRD may not redefine it. */
  builtin: boolean;
  /** Field labels a field selector may use besides metadata.name/namespace (CRD selectableFields); undefined: any (built-ins). */
  selectableFields?: readonly string[];
  /** The CRD's scale subresource (apiserver/scale.ts). */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function gvr(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
function gvk(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

export function storageKeyOf(group: string, plural: string): string {
  return `${group === '' ? 'core' : group}/${plural}`;
}

export class ResourceCatalog {
  private byGVR = new Map<string, ResourceType>();
  private byGVK = new Map<string, ResourceType>();
  private listeners: (() => void)[] = [];
  /** Bumped on every change; caches key on it. */
  generation = 0;

  add(types: ResourceType[]): void {
    for (const t of types) {
      this.byGVR.set(gvr(t.group, t.version, t.plural), t);
      this.byGVK.set(gvk(t.group, t.version, t.kind), t);
    }
    this.changed();
  }

  /** Removes every version served for a CRD. */
  removeCrd(crdName: string): void {
    for (const [k, t] of this.byGVR) if (t.crd === crdName) this.byGVR.delete(k);
    for (const [k, t] of this.byGVK) if (t.crd === crdName) this.byGVK.delete(k);
    this.changed();
  }

  /** Replaces the versions served for a CRD with `types`. */
  replaceCrd(crdName: string, types: ResourceType[]): void {
    for (const [k, t] of this.byGVR) if (t.crd === crdName) this.byGVR.delete(k);
    for (const [k, t] of this.byGVK) if (t.crd === crdName) this.byGVK.delete(k);
    this.add(types);
  }

  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byGVR.get(gvr(group, version, plural));
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byGVK.get(gvk(group, version, kind));
  }

  all(): ResourceType[] {
    return [...this.byGVR.values()];
  }

  /** Distinct storage keys with one representative type each (for cross-type scans). */
  storageTypes(): ResourceType[] {
    const seen = new Map<string, ResourceType>();
    for (const t of this.byGVR.values()) if (!seen.has(t.storageKey)) seen.set(t.storageKey, t);
    return [...seen.values()];
  }

  /** Group names with their versions, in registration order. */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const t of this.byGVR.values()) {
      const vs = m.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      m.set(t.group, vs);
    }
    for (const vs of m.values()) vs.sort(compareVersions);
    return m;
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    this.generation++;
    for (const fn of this.listeners) fn();
  }
}

/**
 * Kubernetes version priority: GA (v2 > v1) before beta before alpha, then
 * non-conforming names alphabetically. Sorts so the preferred version is first.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (pa && pb) {
    if (pa.stage !== pb.stage) return pb.stage - pa.stage;
    if (pa.major !== pb.major) return pb.major - pa.major;
    return pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseKubeVersion(v: string): { major: number; stage: number; minor: number } | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), stage: m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, minor: m[3] === undefined ? 0 : Number(m[3]) };
}
