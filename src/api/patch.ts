// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server's
// PATCH verb applies them (application/merge-patch+json, application/json-patch+json).
//
// Both are pure: the input document is never mutated; the result shares no
// structure with the patch (values copied from the patch are cloned) so callers
// may store it directly. A malformed patch document is a 400 BadRequest; a
// well-formed patch that does not apply (missing path, failed `test`) is a 422,
// as in kube-apiserver, and the message names the operation index and path.
//
// Exported API:
//   applyMergePatch(doc, patch)    → new document
//   createMergePatch(from, to)     → merge patch turning `from` into `to`
//   applyJsonPatch(doc, ops)       → new document (throws ApiError)
//   parsePointer(p) / formatPointer(tokens)   (RFC 6901, "~0" / "~1" escaping)
//   deepClone(v), deepEqual(a, b), sameFieldsExcept(a, b, skip1, skip2)  (JSON values)

import { ApiError } from './errors.js';
import { ownValue, setKey } from './object.js';

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep copy of a JSON value. */
export function deepClone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) a[i] = deepClone(v[i]);
    return a as T;
  }
  const out: JsonObject = {};
  // for-in allocates no key array; JSON values are plain objects (no inherited enumerable keys).
  for (const k in v as JsonObject) {
    const x = (v as JsonObject)[k];
    if (x === undefined) continue;
    if (k === '__proto__') setKey(out, k, deepClone(x)); // an assignment would set the prototype
    else out[k] = deepClone(x);
  }
  return out as T;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return sameFieldsExcept(a as JsonObject, b as JsonObject, undefined, undefined);
}

/**
 * deepEqual of two JSON objects, ignoring the keys `skip1` and `skip2` (the
 * registry's no-op check skips resourceVersion and managedFields timestamps).
 * Keys whose value is undefined do not count (JSON has no such keys). No key
 * arrays are filtered or kept.
 */
export function sameFieldsExcept(ao: JsonObject, bo: JsonObject, skip1: string | undefined, skip2: string | undefined): boolean {
  let n = 0;
  for (const k in ao) {
    const x = ao[k];
    if (x === undefined || k === skip1 || k === skip2) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(x, bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined && k !== skip1 && k !== skip2) n--;
  return n === 0;
}

// ---------------------------------------------------------------------------
// RFC 7386 merge patch

/** Applies a JSON merge patch: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(doc: Json, patch: Json): Json {
  if (!isObject(patch)) return deepClone(patch);
  const base: JsonObject = isObject(doc) ? { ...doc } : {};
  for (const k of Object.keys(patch)) {
    const pv = patch[k];
    if (pv === null) delete base[k];
    else if (pv !== undefined) setKey(base, k, applyMergePatch(ownValue(base, k), pv));
  }
  return base;
}

/** The merge patch that turns `from` into `to` (null for removed keys). */
export function createMergePatch(from: Json, to: Json): Json {
  if (!isObject(from) || !isObject(to)) return deepClone(to);
  const out: JsonObject = {};
  for (const k of Object.keys(from)) if (from[k] !== undefined && ownValue(to, k) === undefined) setKey(out, k, null);
  for (const k of Object.keys(to)) {
    const t = to[k];
    if (t === undefined) continue;
    const f = ownValue(from, k);
    if (f === undefined) setKey(out, k, deepClone(t));
    else if (!deepEqual(f, t)) setKey(out, k, isObject(f) && isObject(t) ? createMergePatch(f, t) : deepClone(t));
  }
  return out;
}

// ---------------------------------------------------------------------------
// RFC 6901 JSON pointer

/** Splits a JSON pointer into unescaped reference tokens; "" is the whole document. */
export function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new Error(`JSON pointer "${p}" must start with "/"`);
  return p
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new Error(`JSON pointer "${p}" has an invalid escape`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

// ---------------------------------------------------------------------------
// RFC 6902 JSON patch

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

class OpFailure extends Error {}

function arrayIndex(arr: unknown[], tok: string, forAdd: boolean): number {
  if (forAdd && tok === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(tok)) throw new OpFailure(`invalid array index "${tok}"`);
  const i = Number(tok);
  if (forAdd ? i > arr.length : i >= arr.length) throw new OpFailure(`array index ${i} out of bounds (length ${arr.length})`);
  return i;
}

/** Resolves all but the last token; returns the container and the last token. */
function parentOf(root: { v: Json }, tokens: string[]): { container: unknown; key: string } {
  let cur: unknown = root.v;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw new OpFailure(`path ${formatPointer(tokens.slice(0, i + 1))} does not exist`);
  }
  return { container: cur, key: tokens[tokens.length - 1] };
}

function getAt(root: { v: Json }, tokens: string[]): Json {
  if (tokens.length === 0) return root.v;
  const { container, key } = parentOf(root, tokens);
  if (Array.isArray(container)) return container[arrayIndex(container, key, false)];
  if (isObject(container) && Object.prototype.hasOwnProperty.call(container, key)) return container[key];
  throw new OpFailure(`path ${formatPointer(tokens)} does not exist`);
}

function addAt(root: { v: Json }, tokens: string[], value: Json): void {
  if (tokens.length === 0) {
    root.v = value;
    return;
  }
  const { container, key } = parentOf(root, tokens);
  if (Array.isArray(container)) container.splice(arrayIndex(container, key, true), 0, value);
  else if (isObject(container)) setKey(container, key, value);
  else throw new OpFailure(`parent of ${formatPointer(tokens)} is not an object or array`);
}

function removeAt(root: { v: Json }, tokens: string[]): Json {
  if (tokens.length === 0) throw new OpFailure('cannot remove the whole document');
  const { container, key } = parentOf(root, tokens);
  if (Array.isArray(container)) return container.splice(arrayIndex(container, key, false), 1)[0];
  if (isObject(container) && Object.prototype.hasOwnProperty.call(container, key)) {
    const old = container[key];
    delete container[key];
    return old;
  }
  throw new OpFailure(`path ${formatPointer(tokens)} does not exist`);
}

function pointerOrFail(p: unknown, i: number, op: string, what: string): string[] {
  if (typeof p !== 'string') throw new ApiError('BadRequest', `json patch operation ${i} (${op}): missing "${what}"`);
  try {
    return parsePointer(p);
  } catch (e) {
    throw new ApiError('BadRequest', `json patch operation ${i} (${op}): ${(e as Error).message}`);
  }
}

/** Applies an RFC 6902 patch atomically: either every operation applies or an ApiError is thrown. */
export function applyJsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new ApiError('BadRequest', 'json patch must be an array of operations');
  const root = { v: deepClone(doc) };
  ops.forEach((raw, i) => {
    if (!isObject(raw)) throw new ApiError('BadRequest', `json patch operation ${i} is not an object`);
    const op = raw.op;
    if (typeof op !== 'string' || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op)) {
      throw new ApiError('BadRequest', `json patch operation ${i}: unknown op ${JSON.stringify(op ?? null)}`);
    }
    const path = pointerOrFail(raw.path, i, op, 'path');
    const needsValue = op === 'add' || op === 'replace' || op === 'test';
    if (needsValue && !('value' in raw)) throw new ApiError('BadRequest', `json patch operation ${i} (${op} ${raw.path}): missing "value"`);
    try {
      switch (op) {
        case 'add':
          addAt(root, path, deepClone(raw.value));
          break;
        case 'remove':
          removeAt(root, path);
          break;
        case 'replace':
          if (path.length === 0) root.v = deepClone(raw.value);
          else {
            getAt(root, path); // must exist
            const { container, key } = parentOf(root, path);
            if (Array.isArray(container)) container[arrayIndex(container, key, false)] = deepClone(raw.value);
            else setKey(container as JsonObject, key, deepClone(raw.value));
          }
          break;
        case 'move': {
          const from = pointerOrFail(raw.from, i, op, 'from');
          if (from.length < path.length && from.every((t, j) => t === path[j])) throw new OpFailure(`cannot move ${raw.from} into its own child ${raw.path}`);
          const v = removeAt(root, from);
          addAt(root, path, v);
          break;
        }
        case 'copy': {
          const from = pointerOrFail(raw.from, i, op, 'from');
          addAt(root, path, deepClone(getAt(root, from)));
          break;
        }
        case 'test': {
          const actual = getAt(root, path);
          if (!deepEqual(actual, raw.value)) throw new OpFailure(`test failed: value at ${raw.path} is ${JSON.stringify(actual)}, not ${JSON.stringify(raw.value)}`);
          break;
        }
      }
    } catch (e) {
      if (e instanceof OpFailure) throw new ApiError('Invalid', `json patch operation ${i} (${op} ${raw.path}): ${e.message}`);
      throw e;
    }
  });
  return root.v;
}
