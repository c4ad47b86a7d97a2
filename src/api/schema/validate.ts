// Structural-schema validation, compiled.
//
// `compileValidator(schema)` walks the schema once and returns a closure tree:
// each node checks only the keywords its schema declares, so validating an
// object costs a handful of calls per field and no schema interpretation at
// run time (the server validates every write). All problems are collected,
// not just the first, as FieldErrors with Kubernetes field paths
// (`spec.items[2].name`) and kube-openapi's wording ("spec.replicas in body
// must be of type integer: \"string\"").
//
// Exported API:
//   compileValidator(schema, opts?) → (value, path?) => FieldError[]
//
// Scope: the root's apiVersion/kind/metadata are the server's business; the
// validator checks what the schema declares for them and nothing else.
// `x-kubernetes-validations` (CEL) rules are evaluated by cel.ts. `pattern` is a Go
// (RE2) regular expression, matched in linear time (regexp.ts).

import { ownValue } from '../object.js';
import { deepEqual } from '../patch.js';
import { type FieldError, required, invalid, typeInvalid, notSupported, tooLong, tooMany, duplicate } from '../fielderrors.js';
import { formatChecker } from './formats.js';
import { compileGoRegexp, isGoRegexpError } from './regexp.js';
import { type JSONSchemaProps, jsonTypeOf, isPlainObject, childPath, fieldPath, itemPath, unnamedPath } from './types.js';

type Check = (v: unknown, path: string, errs: FieldError[]) => void;

export type Validator = (value: unknown, path?: string) => FieldError[];

/**
 * Compiles a schema into a validator; the result is reusable and allocation-light.
 *
 * Valid objects are the rule, so a first pass walks without field paths (one
 * string per visited field otherwise); only when it finds a problem does a
 * second pass run with paths to report it.
 */
export function compileValidator(schema: JSONSchemaProps): Validator {
  const check = compile(schema);
  return (value, path = '') => {
    const errs: FieldError[] = [];
    check(value, unnamedPath, errs);
    if (errs.length === 0) return errs;
    errs.length = 0;
    check(value, path, errs);
    return errs;
  };
}


function name(path: string): string {
  return path === '' ? '.' : path;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

function compile(s: JSONSchemaProps): Check {
  const checks: Check[] = [];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const type = intOrString ? undefined : s.type;
  const nullable = s.nullable === true;

  // Type (and null). A failed type check stops the other checks on that node.
  let typeCheck: ((v: unknown, path: string, errs: FieldError[]) => boolean) | undefined;
  if (intOrString) {
    typeCheck = (v, path, errs) => {
      if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string' || (v === null && nullable)) return true;
      errs.push(typeInvalid(path, jsonTypeOf(v), `${name(path)} in body must be of type integer,string: ${JSON.stringify(jsonTypeOf(v))}`));
      return false;
    };
  } else if (type) {
    typeCheck = (v, path, errs) => {
      if (typeMatches(type, v)) return true;
      if (v === null && nullable) return true;
      const actual = jsonTypeOf(v);
      errs.push(typeInvalid(path, actual, `${name(path)} in body must be of type ${type}: ${JSON.stringify(actual)}`));
      return false;
    };
  }

  if (s.enum) {
    const values = s.enum;
    checks.push((v, path, errs) => {
      for (const e of values) if (deepEqual(e, v)) return;
      errs.push(notSupported(path, v, values));
    });
  }

  // Strings
  const fmt = formatChecker(s.format);
  if (fmt && (type === 'string' || type === undefined)) {
    const format = s.format as string;
    checks.push((v, path, errs) => {
      if (typeof v === 'string' && !fmt(v)) errs.push(typeInvalid(path, v, `${name(path)} in body must be of type ${format}: ${JSON.stringify(v)}`));
    });
  }
  if (s.maxLength !== undefined) {
    const max = s.maxLength;
    checks.push((v, path, errs) => {
      if (typeof v === 'string' && runeLength(v) > max) errs.push(tooLong(path, max));
    });
  }
  if (s.minLength !== undefined) {
    const min = s.minLength;
    checks.push((v, path, errs) => {
      if (typeof v === 'string' && runeLength(v) < min) errs.push(invalid(path, v, `${name(path)} in body should be at least ${min} chars long`));
    });
  }
  if (s.pattern !== undefined) {
    const pattern = s.pattern;
    const re = compileGoRegexp(pattern);
    // An uncompilable pattern never passes CRD validation (structural.ts); if one reaches here, it checks nothing.
    if (!isGoRegexpError(re))
      checks.push((v, path, errs) => {
        if (typeof v === 'string' && !re.test(v)) errs.push(invalid(path, v, `${name(path)} in body should match '${pattern}'`));
      });
  }

  // Numbers
  if (s.minimum !== undefined) {
    const min = s.minimum;
    const ex = s.exclusiveMinimum === true;
    checks.push((v, path, errs) => {
      if (typeof v === 'number' && (ex ? v <= min : v < min)) errs.push(invalid(path, v, `${name(path)} in body should be greater than ${ex ? '' : 'or equal to '}${min}`));
    });
  }
  if (s.maximum !== undefined) {
    const max = s.maximum;
    const ex = s.exclusiveMaximum === true;
    checks.push((v, path, errs) => {
      if (typeof v === 'number' && (ex ? v >= max : v > max)) errs.push(invalid(path, v, `${name(path)} in body should be less than ${ex ? '' : 'or equal to '}${max}`));
    });
  }
  if (s.multipleOf !== undefined) {
    const m = s.multipleOf;
    checks.push((v, path, errs) => {
      if (typeof v === 'number' && m > 0) {
        const q = v / m;
        if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(invalid(path, v, `${name(path)} in body should be a multiple of ${m}`));
      }
    });
  }

  // Arrays
  if (s.maxItems !== undefined) {
    const max = s.maxItems;
    checks.push((v, path, errs) => {
      if (Array.isArray(v) && v.length > max) errs.push(tooMany(path, v.length, max));
    });
  }
  if (s.minItems !== undefined) {
    const min = s.minItems;
    checks.push((v, path, errs) => {
      if (Array.isArray(v) && v.length < min) errs.push(invalid(path, v.length, `${name(path)} in body should have at least ${min} items`));
    });
  }
  if (s.uniqueItems) {
    checks.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      for (let i = 1; i < v.length; i++)
        for (let j = 0; j < i; j++)
          if (deepEqual(v[i], v[j])) {
            errs.push(invalid(path, '', `${name(path)} in body shouldn't contain duplicates`));
            return;
          }
    });
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    checks.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const k = JSON.stringify(item);
        if (seen.has(k)) errs.push(duplicate(`${path}[${i}]`, item));
        seen.add(k);
      });
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    checks.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        if (!isPlainObject(item)) return;
        const keyObj: Record<string, unknown> = {};
        for (const k of keys) if (item[k] !== undefined) keyObj[k] = item[k];
        const k = JSON.stringify(keyObj);
        if (seen.has(k)) errs.push(duplicate(`${path}[${i}]`, keyObj));
        seen.add(k);
      });
    });
  }
  if (s.items) {
    const item = compile(s.items);
    checks.push((v, path, errs) => {
      if (!Array.isArray(v)) return;
      for (let i = 0; i < v.length; i++) item(v[i], itemPath(path, i), errs);
    });
  }

  // Objects
  if (s.required && s.required.length) {
    const req = s.required;
    checks.push((v, path, errs) => {
      if (!isPlainObject(v)) return;
      for (const r of req) if (ownValue(v, r) === undefined) errs.push(required(childPath(path, r)));
    });
  }
  if (s['x-kubernetes-embedded-resource']) {
    checks.push((v, path, errs) => {
      if (!isPlainObject(v)) return;
      if (typeof v.apiVersion !== 'string' || v.apiVersion === '') errs.push(required(childPath(path, 'apiVersion'), 'must not be empty'));
      if (typeof v.kind !== 'string' || v.kind === '') errs.push(required(childPath(path, 'kind'), 'must not be empty'));
      if (v.metadata !== undefined && !isPlainObject(v.metadata)) errs.push(typeInvalid(childPath(path, 'metadata'), jsonTypeOf(v.metadata), `${childPath(path, 'metadata')} in body must be of type object: ${JSON.stringify(jsonTypeOf(v.metadata))}`));
    });
  }
  if (s.maxProperties !== undefined) {
    const max = s.maxProperties;
    checks.push((v, path, errs) => {
      if (isPlainObject(v) && Object.keys(v).length > max) errs.push(tooMany(path, Object.keys(v).length, max));
    });
  }
  if (s.minProperties !== undefined) {
    const min = s.minProperties;
    checks.push((v, path, errs) => {
      if (isPlainObject(v) && Object.keys(v).length < min) errs.push(invalid(path, Object.keys(v).length, `${name(path)} in body should have at least ${min} properties`));
    });
  }
  if (s.properties) {
    const props = Object.entries(s.properties).map(([k, ps]) => [k, compile(ps)] as const);
    checks.push((v, path, errs) => {
      if (!isPlainObject(v)) return;
      for (const [k, c] of props) {
        const x = ownValue(v, k);
        if (x !== undefined) c(x, fieldPath(path, k), errs);
      }
    });
  }
  if (isPlainObject(s.additionalProperties)) {
    const ap = compile(s.additionalProperties as JSONSchemaProps);
    const known = new Set(Object.keys(s.properties ?? {}));
    checks.push((v, path, errs) => {
      if (!isPlainObject(v)) return;
      for (const k in v) if (!known.has(k) && v[k] !== undefined) ap(v[k], fieldPath(path, k), errs);
    });
  }

  // Composition: value validations only (structural schemas forbid types there).
  if (s.allOf) {
    const subs = s.allOf.map(compile);
    checks.push((v, path, errs) => {
      for (const c of subs) c(v, path, errs);
    });
  }
  if (s.anyOf) {
    const subs = s.anyOf.map(compile);
    checks.push((v, path, errs) => {
      for (const c of subs) {
        const e: FieldError[] = [];
        c(v, path, e);
        if (e.length === 0) return;
      }
      errs.push(invalid(path, v, `${name(path)} in body must validate at least one schema (anyOf)`));
    });
  }
  if (s.oneOf) {
    const subs = s.oneOf.map(compile);
    checks.push((v, path, errs) => {
      let ok = 0;
      for (const c of subs) {
        const e: FieldError[] = [];
        c(v, path, e);
        if (e.length === 0) ok++;
      }
      if (ok !== 1) errs.push(invalid(path, v, `${name(path)} in body must validate one and only one schema (oneOf). Found ${ok === 0 ? 'none valid' : `${ok} valid alternatives`}`));
    });
  }
  if (s.not) {
    const sub = compile(s.not);
    checks.push((v, path, errs) => {
      const e: FieldError[] = [];
      sub(v, path, e);
      if (e.length === 0) errs.push(invalid(path, v, `${name(path)} in body must not validate the schema (not)`));
    });
  }

  const n = checks.length;
  return (v, path, errs) => {
    if (typeCheck && !typeCheck(v, path, errs)) return;
    if (v === null) return; // a nullable null has nothing else to check
    for (let i = 0; i < n; i++) checks[i](v, path, errs);
  };
}

function runeLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}
