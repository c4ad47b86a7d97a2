// Defaulting: applies the schema's `default` values to an object, as the
// apiserver does when it decodes a custom resource.
//
// Rules (apiextensions structural defaulting): a property whose value is
// absent — or null while the property is not nullable — gets a deep copy of its
// default; defaulting then continues inside the value, so defaults of nested
// properties apply inside defaulted objects too. Non-nullable nulls without a
// default are dropped. Only the structural part of the schema (properties,
// items, additionalProperties) drives defaulting; allOf/anyOf/oneOf/not never do.
//
// Exported API:
//   compileDefaulter(schema) → (value) => void    mutates `value` in place
//
// Trade-off: in-place mutation of an object the caller owns (freshly decoded
// request body) avoids copying every write; callers must not pass shared data.

import { ownValue, setKey } from '../object.js';
import { deepClone } from '../patch.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';

export type Defaulter = (value: unknown) => void;

const noop: Defaulter = () => {};

/** Compiles a schema into an in-place defaulter (a no-op when the schema has no defaults). */
export function compileDefaulter(schema: JSONSchemaProps): Defaulter {
  return compile(schema) ?? noop;
}

/** Returns undefined for subtrees with nothing to do, so untouched branches cost nothing. */
function compile(s: JSONSchemaProps): Defaulter | undefined {
  const steps: Defaulter[] = [];
  if (s.properties) {
    const entries = Object.entries(s.properties).map(([k, ps]) => ({
      key: k,
      hasDefault: ps.default !== undefined,
      def: ps.default,
      nullable: ps.nullable === true,
      inner: compile(ps),
    }));
    if (entries.some((e) => e.hasDefault || !e.nullable || e.inner)) {
      steps.push((v) => {
        if (!isPlainObject(v)) return;
        for (const e of entries) {
          const x = ownValue(v, e.key);
          if (x === undefined || (x === null && !e.nullable)) {
            if (e.hasDefault) setKey(v, e.key, deepClone(e.def));
            else if (x === null) delete v[e.key];
          }
          const y = ownValue(v, e.key);
          if (e.inner && y !== undefined && y !== null) e.inner(y);
        }
      });
    }
  }
  if (isPlainObject(s.additionalProperties)) {
    const inner = compile(s.additionalProperties as JSONSchemaProps);
    const known = new Set(Object.keys(s.properties ?? {}));
    if (inner) {
      steps.push((v) => {
        if (!isPlainObject(v)) return;
        for (const k of Object.keys(v)) if (!known.has(k) && v[k] !== null && v[k] !== undefined) inner(v[k]);
      });
    }
  }
  if (s.items) {
    const item = s.items;
    const inner = compile(item);
    const def = item.default;
    if (inner || def !== undefined) {
      steps.push((v) => {
        if (!Array.isArray(v)) return;
        for (let i = 0; i < v.length; i++) {
          if (v[i] === null && def !== undefined && !item.nullable) v[i] = deepClone(def);
          if (inner && v[i] !== null) inner(v[i]);
        }
      });
    }
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (v) => {
    for (const st of steps) st(v);
  };
}
