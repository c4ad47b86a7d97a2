// The checks kube-apiserver runs on a CRD version's openAPIV3Schema before it
// accepts the CRD, with its field paths and wording (apiextensions-apiserver:
// validation.go validateCustomResourceDefinitionValidation, schema/validation.go
// ValidateStructural, schema/complete.go, schema/defaulting/validation.go).
//
// In kube-apiserver's order:
//   1. the root: only some keywords when the status subresource is enabled; not nullable;
//   2. structural invariants (every node typed, metadata restricted to name and
//      generateName, allOf/anyOf/oneOf/not carrying value validations only,
//      patterns that Go compiles...) and completeness (what a value validation
//      names is specified structurally), sorted as kube-apiserver sorts them;
//   3. if those pass, the defaults: pruned and valid against their schema;
//   4. the OpenAPI rules on every node (unsupported keywords, uniqueItems,
//      list/map types, x-kubernetes-validations' static rules).
// Keyword types were checked before (crddecode.ts), so every value here has
// its Go type.
//
// Exported API:
//   structuralErrors(schema, path, { statusEnabled? }) → FieldError[]
//     (path "spec.validation.openAPIV3Schema" or "spec.versions[i].schema.openAPIV3Schema")

import { type FieldError, required, invalid, forbidden, notSupported, fieldErrorString } from '../fielderrors.js';
import { deepEqual, deepClone } from '../patch.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';
import { compileValidator } from './validate.js';
import { compilePruner } from './prune.js';
import { compileGoRegexp, isGoRegexpError } from './regexp.js';
import { ruleCompileErrors } from './cel.js';
import { RuleCostTotal } from './celcost.js';

const openapiTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const compositions = ['allOf', 'anyOf', 'oneOf'] as const;
const metaFields = new Set(['metadata', 'kind', 'apiVersion']);
const validationReasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/** Go field names of the keywords allowed at the root when status is a subresource, in Go's order. */
const rootAllowedWithStatus: [string, string][] = [
  ['description', 'Description'], ['type', 'Type'], ['format', 'Format'], ['title', 'Title'], ['maximum', 'Maximum'],
  ['exclusiveMaximum', 'ExclusiveMaximum'], ['minimum', 'Minimum'], ['exclusiveMinimum', 'ExclusiveMinimum'],
  ['maxLength', 'MaxLength'], ['minLength', 'MinLength'], ['pattern', 'Pattern'], ['maxItems', 'MaxItems'],
  ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'], ['required', 'Required'],
  ['items', 'Items'], ['properties', 'Properties'], ['externalDocs', 'ExternalDocs'], ['example', 'Example'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-validations', 'XValidations'],
];
const rootAllowedKeys = new Set(rootAllowedWithStatus.map(([k]) => k));

type S = JSONSchemaProps & Record<string, unknown>;
type Level = 'root' | 'item' | 'field';

export function structuralErrors(schema: JSONSchemaProps | undefined, path: string, opts: { statusEnabled?: boolean } = {}): FieldError[] {
  if (!schema) return [required(path)];
  const s = schema as S;
  const errs: FieldError[] = [];
  if (opts.statusEnabled) {
    for (const k of Object.keys(s)) {
      if (isZero(s[k])) continue;
      if (k === 'type') {
        if (s.type !== 'object') {
          errs.push(invalid(`${path}.type`, s.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!rootAllowedKeys.has(k)) {
        errs.push(invalid(path, s, `only [${rootAllowedWithStatus.map(([, g]) => g).join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`));
        break;
      }
    }
  }
  if (s.nullable) errs.push(forbidden(`${path}.nullable`, 'nullable cannot be true at the root'));

  const initErr = unsupported(s);
  if (initErr === undefined) {
    const structural = [...invariants(s, 'root', path), ...completeness(s, s, path, path)];
    structural.sort((a, b) => (fieldErrorString(a) < fieldErrorString(b) ? -1 : fieldErrorString(a) > fieldErrorString(b) ? 1 : 0));
    errs.push(...structural);
    if (structural.length === 0) defaults(s, path, true, false, errs);
  }
  const celCost = new RuleCostTotal();
  openAPI(s, path, { allowDefaults: true, insideMeta: false, cardinality: 1, celCost }, true, errs);
  errs.push(...celCost.errors(path));
  if (errs.length === 0 && initErr !== undefined) errs.push(invalid(path, '', initErr));
  return errs;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

const typeOf = (s: S): string => (typeof s.type === 'string' ? s.type : '');
const items = (s: S): S | undefined => (isPlainObject(s.items) ? (s.items as S) : undefined);
const apSchema = (s: S): S | undefined => (isPlainObject(s.additionalProperties) ? (s.additionalProperties as S) : undefined);
const props = (s: S): [string, S][] => Object.entries(s.properties ?? {}) as [string, S][];

/** NewStructural's refusals (shown only when nothing else is wrong). */
function unsupported(s: S | undefined): string | undefined {
  if (!s) return undefined;
  if (s.id) return "OpenAPIV3Schema 'id' is not supported";
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported";
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported";
  if (!isZero(s.patternProperties)) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (!isZero(s.dependencies)) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (!isZero(s.definitions)) return "OpenAPIV3Schema 'definitions' is not supported";
  if (Array.isArray(s.items)) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const subs: (S | undefined)[] = [items(s), apSchema(s), s.not as S | undefined, ...props(s).map(([, p]) => p)];
  for (const c of compositions) for (const x of (s[c] ?? []) as S[]) subs.push(x);
  for (const x of subs) {
    const e = unsupported(x);
    if (e) return e;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Structural invariants (schema/validation.go)

function invariants(s: S, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeOf(s);
  const item = items(s);
  if (type === 'array' && !item) errs.push(required(`${path}.items`, 'must be specified'));
  if (item) errs.push(...invariants(item, 'item', `${path}.items`));
  for (const [k, p] of props(s)) errs.push(...invariants(p, 'field', `${path}.properties[${k}]`));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    const ap = apSchema(s);
    if (ap) errs.push(...invariants(ap, 'field', `${path}.additionalProperties`));
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));

  valueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAnyOf(s.allOf?.[0]?.anyOf), path, errs);

  if (embedded && type !== 'object') {
    if (type === '') errs.push(required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (type === '' && !intOrString && !preserve) {
    const where = lvl === 'root' ? 'at the root' : lvl === 'item' ? 'for specified array items' : 'for specified object fields';
    errs.push(required(`${path}.type`, `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(invalid(`${path}.type`, type, 'must be object at the root'));

  const checkMetadata = lvl === 'root' || embedded;
  const p = s.properties ?? {};
  for (const k of ['kind', 'apiVersion']) {
    if (checkMetadata && Object.hasOwn(p, k) && (p[k] as S).type !== 'string') errs.push(invalid(`${path}.properties[${k}].type`, typeOf(p[k] as S), 'must be string'));
  }
  if (Object.hasOwn(p, 'metadata')) {
    const meta = p.metadata as S;
    const mp = `${path}.properties[metadata]`;
    if (checkMetadata && meta.type !== 'object') errs.push(invalid(`${mp}.type`, typeOf(meta), 'must be object'));
    if (lvl === 'root') {
      // Only name and generateName may be restricted; type and default are ignored.
      const rest = Object.keys(meta).filter((k) => k !== 'type' && k !== 'default' && !isZero(meta[k]));
      const names = Object.keys(meta.properties ?? {});
      const onlyNames = names.length > 0 && names.length <= 2 && names.every((n) => n === 'name' || n === 'generateName');
      if (rest.some((k) => k !== 'properties' || !onlyNames)) errs.push(forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (embedded && !preserve && props(s).length === 0) errs.push(required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  return errs;
}

/** anyOf: [{type: integer}, {type: string}] exactly — the int-or-string shape kube-apiserver exempts. */
function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  return Array.isArray(anyOf) && anyOf.length === 2 && deepEqual(anyOf[0], { type: 'integer' }) && deepEqual(anyOf[1], { type: 'string' });
}

/** validateValueValidation: the composition branches and the pattern of one node. */
function valueValidation(s: S, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, errs: FieldError[]): void {
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => nested(x as S, false, `${path}.anyOf[${i}]`, errs));
  (s.allOf ?? []).forEach((x, i) => nested(x as S, skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`, errs));
  (s.oneOf ?? []).forEach((x, i) => nested(x as S, false, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not as S, false, `${path}.not`, errs);
  if (s.pattern) {
    const re = compileGoRegexp(s.pattern);
    if (isGoRegexpError(re)) errs.push(invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${re.error}`));
  }
}

const nestedForbidden: [string, string][] = [
  ['type', 'must be empty to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

/** validateNestedValueValidation: a schema under allOf/anyOf/oneOf/not carries value validations only. */
function nested(v: S, skipAnyOf: boolean, path: string, errs: FieldError[]): void {
  valueValidation(v, skipAnyOf, false, path, errs);
  const it = items(v);
  if (it) nested(it, false, `${path}.items`, errs);
  for (const [k, p] of props(v)) nested(p, false, `${path}.properties[${k}]`, errs);
  if (v.additionalProperties === true || apSchema(v)) errs.push(forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
  for (const [k, detail] of nestedForbidden) {
    const x = v[k];
    const set = k === 'x-kubernetes-list-type' || k === 'x-kubernetes-map-type' || k === 'default' ? x !== undefined : !isZero(x);
    if (!set) continue;
    if (k === 'type') errs.push(forbidden(`${path}.type`, detail));
    else errs.push(forbidden(`${path}.${k}`, detail));
  }
  if (Object.hasOwn(v.properties ?? {}, 'metadata')) errs.push(forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
}

// ---------------------------------------------------------------------------
// Completeness (schema/complete.go): at the root, what value validations name must exist structurally.

function completeness(v: S, s: S | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const errs: FieldError[] = [];
  const branch = (x: S, p: string) => errs.push(...nestedCompleteness(x, s, sPath, p));
  if (v.not) branch(v.not as S, `${vPath}.not`);
  for (const c of ['allOf', 'anyOf', 'oneOf'] as const) (v[c] ?? []).forEach((x, i) => branch(x as S, `${vPath}.${c}[${i}]`));
  return errs;
}

function nestedCompleteness(v: S, s: S, sPath: string, vPath: string): FieldError[] {
  const errs = completeness(v, s, sPath, vPath);
  const vi = items(v);
  if (vi) errs.push(...(items(s) ? nestedCompleteness(vi, items(s)!, `${sPath}.items`, `${vPath}.items`) : [required(`${sPath}.items`, `because it is defined in ${vPath}.items`)]));
  const sp = s.properties ?? {};
  for (const [k, x] of props(v)) {
    if (!Object.hasOwn(sp, k)) errs.push(required(`${sPath}.properties[${k}]`, `because it is defined in ${vPath}.properties[${k}]`));
    else errs.push(...nestedCompleteness(x, sp[k] as S, `${sPath}.properties[${k}]`, `${vPath}.properties[${k}]`));
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Defaults (schema/defaulting/validation.go): pruned, and valid against their own schema.

function defaults(s: S, path: string, isRoot: boolean, insideMeta: boolean, errs: FieldError[]): void {
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (embedded) insideMeta = false;
  if (s.default !== undefined && !insideMeta) {
    const before = errs.length;
    if (isPlainObject(s.default) || Array.isArray(s.default)) {
      const copy = deepClone(s.default);
      compilePruner(s, { isResourceRoot: embedded })(copy);
      if (!deepEqual(copy, s.default)) errs.push(invalid(`${path}.default`, s.default, 'must not have unknown fields'));
    }
    if (errs.length === before) errs.push(...compileValidator(s)(s.default, `${path}.default`));
  }
  // additionalProperties is not followed: defaults are forbidden there.
  const it = items(s);
  if (it) defaults(it, `${path}.items`, false, insideMeta, errs);
  for (const [k, p] of props(s)) defaults(p, `${path}.properties[${k}]`, false, insideMeta || ((isRoot || embedded) && metaFields.has(k)), errs);
}

// ---------------------------------------------------------------------------
// OpenAPI rules on every node (validation.go ValidateCustomResourceDefinitionOpenAPISchema).

interface Ssv {
  allowDefaults: boolean;
  disallowReason?: string;
  insideMeta: boolean;
  /** How many times a rule here may run per object (product of enclosing maxItems/maxProperties; Infinity = unbounded). */
  cardinality: number;
  celCost: RuleCostTotal;
  /** Where the schema stopped being correlatable (the items of the outermost list that is not a map list): oldSelf is forbidden below. */
  uncorrelatable?: string;
}

function openAPI(s: S | undefined, path: string, ssv: Ssv, isRoot: boolean, errs: FieldError[]): void {
  if (!s) return;
  const type = typeOf(s);
  if (type !== '' && !openapiTypes.includes(type)) errs.push(notSupported(`${path}.type`, type, openapiTypes));
  if (s.default !== undefined && !ssv.allowDefaults) errs.push(forbidden(`${path}.default`, `must not be set${ssv.disallowReason ? ' ' + ssv.disallowReason : ''}`));
  if (s.id) errs.push(forbidden(`${path}.id`, 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(forbidden(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (!isZero(s.patternProperties)) errs.push(forbidden(`${path}.patternProperties`, 'patternProperties is not supported'));
  if (!isZero(s.definitions)) errs.push(forbidden(`${path}.definitions`, 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(forbidden(`${path}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(forbidden(`${path}.$ref`, '$ref is not supported'));
  if (type === 'null') errs.push(forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (ssv.insideMeta && s['x-kubernetes-embedded-resource']) errs.push(forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));

  if (s.uniqueItems) errs.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined) {
    if (props(s).length && (s.additionalProperties === false || apSchema(s))) errs.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    const many = { ...ssv, cardinality: ssv.cardinality * (s.maxProperties ?? Infinity) };
    const sub = ssv.insideMeta ? { ...many, allowDefaults: false, disallowReason: 'inside additionalProperties applying to object metadata' } : many;
    openAPI(apSchema(s), `${path}.additionalProperties`, sub, false, errs);
  }
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [k, p] of props(s)) {
    let sub = ssv;
    if ((isRoot || embedded) && metaFields.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowReason: `in top-level ${k}` };
    }
    openAPI(p, `${path}.properties[${k}]`, sub, false, errs);
  }
  if (s.not) openAPI(s.not as S, `${path}.not`, ssv, false, errs);
  for (const c of ['allOf', 'oneOf', 'anyOf'] as const) (s[c] ?? []).forEach((x, i) => openAPI(x as S, `${path}.${c}[${i}]`, ssv, false, errs));
  const it = items(s);
  if (it) {
    const uncorrelatable = ssv.uncorrelatable ?? (s['x-kubernetes-list-type'] === 'map' ? undefined : `${path}.items`);
    openAPI(it, `${path}.items`, { ...ssv, cardinality: ssv.cardinality * (s.maxItems ?? Infinity), uncorrelatable }, false, errs);
  }
  else if (Array.isArray(s.items)) (s.items as S[]).forEach((x, i) => openAPI(x, `${path}.items[${i}]`, ssv, false, errs));

  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && type !== 'object') {
    if (type === '') errs.push(required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(invalid(`${path}.type`, type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  listRules(s, type, it, path, errs);
  validationRules(s, path, isRoot, ssv, errs);
}

function listRules(s: S, type: string, it: S | undefined, path: string, errs: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (listType !== undefined && type !== 'array') {
    if (type === '') errs.push(required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(invalid(`${path}.type`, type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (listType === 'set' && it) {
    const itemList = it['x-kubernetes-list-type'];
    const itemMap = it['x-kubernetes-map-type'];
    if (it.type === 'array' && itemList !== undefined && itemList !== 'atomic') errs.push(invalid(`${path}.items.x-kubernetes-list-type`, itemList, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    // kube-apiserver reports the item's list type here (null when unset).
    if (it.type === 'object' && itemMap !== 'atomic') errs.push(invalid(`${path}.items.x-kubernetes-map-type`, itemList ?? 'null', 'must be atomic as item of a list with x-kubernetes-list-type=set'));
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) errs.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  if (keys.length > 0) {
    if (listType === undefined) errs.push(required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(invalid(`${path}.x-kubernetes-list-type`, listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') {
    if (keys.length === 0) errs.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    if (s.items === undefined) errs.push(required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    if (Array.isArray(s.items)) errs.push(invalid(`${path}.items`, s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    if (it && it.type !== 'object') errs.push(invalid(`${path}.items.type`, typeOf(it), "must be object if parent array's x-kubernetes-list-type is map"));
    if (it && it.type === 'object') {
      const seen = new Set<string>();
      const ip = it.properties ?? {};
      for (const k of keys) {
        if (Object.hasOwn(ip, k)) {
          const kt = (ip[k] as S).type;
          if (kt === 'array' || kt === 'object') errs.push(invalid(`${path}.items.properties[${k}].type`, 'object', "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        } else errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'));
        if (seen.has(k)) errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  // validateMapListKeysMapSet
  if (it && (listType === 'set' || listType === 'map')) {
    if (it.nullable) errs.push(forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      const req = new Set(it.required ?? []);
      const ip = it.properties ?? {};
      for (const k of keys) {
        if (!Object.hasOwn(ip, k)) continue;
        const kp = ip[k] as S;
        if (!req.has(k) && kp.default === undefined) errs.push(required(`${path}.items.properties[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        if (kp.nullable) errs.push(forbidden(`${path}.items.properties[${k}].nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
}

const newlines = /[\n\r]+/;

/** x-kubernetes-validations: the static rules here, then each well-formed rule compiled (cel.ts). */
function validationRules(s: S, path: string, isRoot: boolean, ssv: Ssv, errs: FieldError[]): void {
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const before = errs.length;
    const p = `${path}.x-kubernetes-validations[${i}]`;
    const rule = (r.rule ?? '').trim();
    const msg = (r.message ?? '').trim();
    if (rule === '') errs.push(required(`${p}.rule`, 'rule is not specified'));
    else if ((r.message ?? '') !== '' && msg === '') errs.push(invalid(`${p}.message`, r.message, 'must be non-empty if specified'));
    else if (newlines.test(msg)) errs.push(invalid(`${p}.message`, r.message, 'must not contain line breaks'));
    else if (newlines.test(rule) && msg === '') errs.push(required(`${p}.message`, 'message must be specified if rule contains line breaks'));
    if ((r.messageExpression ?? '') !== '' && r.messageExpression!.trim() === '') errs.push(required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
    if (r.reason !== undefined && !validationReasons.includes(r.reason)) errs.push(notSupported(`${p}.reason`, r.reason, validationReasons));
    const fp = r.fieldPath ?? '';
    if (fp !== '' && fp.trim() === '') errs.push(invalid(`${p}.fieldPath`, fp, 'must be non-empty if specified'));
    if (newlines.test(fp)) errs.push(invalid(`${p}.fieldPath`, fp, 'must not contain line breaks'));
    if (errs.length === before) errs.push(...ruleCompileErrors(s, i, path, isRoot || s['x-kubernetes-embedded-resource'] === true, ssv));
  });
}
