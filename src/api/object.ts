// The KRM object model shared by every layer: a resource is a plain JSON object
// with apiVersion, kind and metadata. We keep objects as plain data (never
// classes) so they cross the store, the HTTP API and Starlark without conversion.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
}

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface GroupVersionKind {
  group: string; // "" for the core group
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string; // plural, lower case
}

/** Splits "group/version" (or "v1" for the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function formatApiVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function gvkOf(obj: Pick<KObject, 'apiVersion' | 'kind'>): GroupVersionKind {
  return { ...parseApiVersion(obj.apiVersion), kind: obj.kind };
}

// Keys of user data are only data: `__proto__`, `constructor`, `toString`…
// are ordinary keys. JSON.parse and the YAML decoder make them own
// properties; code copying or merging objects must keep them so — an
// assignment `o["__proto__"] = v` would replace o's prototype instead — and
// code reading a key must not find members of Object.prototype.

/** Sets `key` as an own, enumerable property (for `__proto__` too). */
export function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * The own value at `key`; undefined when absent (never an inherited member such as `constructor`).
 * Inherited members of a plain object are functions, or Object.prototype itself for `__proto__`;
 * JSON values are neither, so only those are checked for ownership (this runs on every write).
 */
export function ownValue(o: Record<string, unknown>, key: string): unknown {
  const v = o[key];
  if (typeof v !== 'function' && v !== Object.prototype) return v;
  return Object.prototype.hasOwnProperty.call(o, key) ? v : undefined;
}
