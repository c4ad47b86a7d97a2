// Validation ratcheting (kube's CRDValidationRatcheting, on by default since
// 1.30; apiextensions-apiserver pkg/apiserver/validation/ratcheting.go and
// apiserver pkg/cel/common/equality.go): on update, an error raised at a value
// that is unchanged from the old object is dropped, so a CRD whose schema
// tightened does not stop writes that leave the offending value alone.
//
// Key idea: kube's CorrelatedObject. A node of the new object is correlated
// with the old one through object properties and additionalProperties keys
// present in both, and through items of x-kubernetes-list-type=map lists
// (by their keys); set and atomic list items are not correlatable. An error
// is dropped when the deepest correlatable node on its path is deep-equal to
// its old value (equal ancestors imply equal correlated descendants, so this
// is kube's "any correlated node on the path is unchanged"). A Required error
// belongs to the object that misses the field (the walk stops at the missing
// key), a Duplicate to its list; the root's apiVersion and kind are never
// ratcheted. CEL rules ratchet in cel.ts with the same correlation, except
// transition rules (oldSelf), which are never ratcheted.
//
// Cost: nothing on create or when validation passes; only errors are walked.
// Trade-off: the error's field path is read back against the values (map keys
// containing dots are matched greedily against the keys present).

import { deepEqual } from '../patch.js';
import type { FieldError } from '../fielderrors.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';

interface Node {
  v: unknown;
  o: unknown;
  s: JSONSchemaProps | undefined;
}

/** The errors that remain after ratcheting the structural validator's errors of obj against old. */
export function ratchetSchemaErrors(schema: JSONSchemaProps, errs: FieldError[], obj: unknown, old: unknown): FieldError[] {
  return errs.filter((e) => {
    const field = e.type === 'Duplicate' ? e.field.replace(/\[\d+\]$/, '') : e.field;
    const n = deepestCorrelated({ v: obj, o: old, s: schema }, field);
    return !deepEqual(n.v, n.o);
  });
}

/** Follows path from the root while the new and old values stay correlated; returns the last correlated node. */
function deepestCorrelated(root: Node, path: string): Node {
  let n = root;
  let rest = path;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      const m = /^\[(\d+)\]/.exec(rest);
      if (!m) return n;
      const next = item(n, Number(m[1]));
      if (!next) return n;
      n = next;
      rest = rest.slice(m[0].length);
    } else {
      if (rest.startsWith('.')) rest = rest.slice(1);
      const k = keyAt(n.v, rest);
      if (k === undefined || (n === root && (k === 'apiVersion' || k === 'kind'))) return n;
      const next = property(n, k);
      if (!next) return n;
      n = next;
      rest = rest.slice(k.length);
    }
  }
  return n;
}

/** The longest key of v that path starts with (followed by the end, '.' or '['). */
function keyAt(v: unknown, path: string): string | undefined {
  if (!isPlainObject(v)) return undefined;
  let best: string | undefined;
  for (const k of Object.keys(v)) {
    if (!path.startsWith(k)) continue;
    const after = path[k.length];
    if ((after === undefined || after === '.' || after === '[') && (best === undefined || k.length > best.length)) best = k;
  }
  return best;
}

/** CorrelatedObject.Key: the field in both values, with a schema for it. */
function property(n: Node, k: string): Node | undefined {
  if (!isPlainObject(n.v) || !isPlainObject(n.o) || !Object.hasOwn(n.v, k) || !Object.hasOwn(n.o, k)) return undefined;
  const s = n.s?.properties && Object.hasOwn(n.s.properties, k) ? n.s.properties[k] : isPlainObject(n.s?.additionalProperties) ? (n.s!.additionalProperties as JSONSchemaProps) : undefined;
  if (!s) return undefined;
  return { v: n.v[k], o: n.o[k], s };
}

/** CorrelatedObject.Index: map-list items by their keys; other lists do not correlate by item. */
function item(n: Node, i: number): Node | undefined {
  const s = n.s;
  if (!s?.items || s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(n.v) || !Array.isArray(n.o) || i >= n.v.length) return undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const cur = n.v[i];
  if (!isPlainObject(cur)) return undefined;
  const o = n.o.find((x) => isPlainObject(x) && keys.every((k) => deepEqual(x[k], cur[k])));
  return o === undefined ? undefined : { v: cur, o, s: s.items };
}
