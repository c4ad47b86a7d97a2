// Structural-schema checks for a CRD's openAPIV3Schema: the rules Kubernetes
// imposes before it accepts a CRD (apiextensions "structural schema"), so that
// pruning, defaulting and server-side apply have an unambiguous shape to follow.
//
// Rules checked: every node has a type (unless x-kubernetes-int-or-string or
// x-kubernetes-preserve-unknown-fields), `properties` only on objects and
// `items` only on arrays, properties and additionalProperties are exclusive,
// additionalProperties: false is forbidden, allOf/anyOf/oneOf/not carry only
// value validations (no type, default, nullable, additionalProperties,
// x-kubernetes-*), the root is an object whose metadata may only restrict
// name/generateName, list-type=map has object items whose keys are scalar
// properties that are required or defaulted, defaults are valid and already
// pruned, and patterns compile.
//
// Exported API:
//   structuralErrors(schema, path) → FieldError[]   (path e.g. "spec.versions[0].schema.openAPIV3Schema")

import { type FieldError, required, invalid, forbidden, notSupported } from '../fielderrors.js';
import { deepEqual, deepClone } from '../patch.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';
import { compileValidator, compilePattern } from './validate.js';
import { compilePruner } from './prune.js';

const types = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

export function structuralErrors(schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!schema) {
    errs.push(required(path, 'schemas are required'));
    return errs;
  }
  if (schema.type !== 'object') errs.push(invalid(`${path}.type`, schema.type ?? '', 'must be object at the root'));
  const meta = schema.properties?.metadata;
  if (meta) {
    const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
    const extraProps = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (meta.type !== undefined && meta.type !== 'object') errs.push(invalid(`${path}.properties[metadata].type`, meta.type, 'must be object'));
    for (const k of extra) errs.push(forbidden(`${path}.properties[metadata].${k}`, 'must not be specified'));
    for (const k of extraProps) errs.push(forbidden(`${path}.properties[metadata].properties[${k}]`, 'must not be specified'));
  }
  node(schema, path, false, errs);
  return errs;
}

function node(s: JSONSchemaProps, path: string, inComposition: boolean, errs: FieldError[]): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (inComposition) {
    for (const k of ['type', 'default', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'] as const) {
      if (s[k] !== undefined) errs.push(forbidden(`${path}.${k}`, 'must be empty to be structural'));
    }
  } else {
    if (s.type === undefined && !intOrString && !preserve) errs.push(required(`${path}.type`, 'must not be empty for specified object fields'));
    if (s.type !== undefined && !types.includes(s.type)) errs.push(notSupported(`${path}.type`, s.type, types));
    if (intOrString && s.type !== undefined) errs.push(forbidden(`${path}.type`, 'must be empty when x-kubernetes-int-or-string is true'));
  }
  if (!inComposition && s.properties && s.type !== undefined && s.type !== 'object') errs.push(invalid(`${path}.type`, s.type, 'must be object if properties are specified'));
  if (!inComposition && s.items && s.type !== undefined && s.type !== 'array') errs.push(invalid(`${path}.type`, s.type, 'must be array if items are specified'));
  if (!inComposition && s.type === 'array' && !s.items) errs.push(required(`${path}.items`, 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) errs.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  if (s.additionalProperties === false) errs.push(forbidden(`${path}.additionalProperties`, 'must not be false'));
  if (s.pattern !== undefined && !compilePattern(s.pattern)) {
    errs.push(invalid(`${path}.pattern`, s.pattern, 'must be a valid regular expression'));
  }
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') errs.push(invalid(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(listType)) errs.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    if (s.type !== 'array') errs.push(invalid(`${path}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (listType === 'set' && s.items && (s.items.type === 'object' || s.items.type === 'array')) {
      errs.push(invalid(`${path}.items.type`, s.items.type, 'must be a scalar type if parent array type is set'));
    }
    if (listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      if (keys.length === 0) errs.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items?.type !== 'object') errs.push(invalid(`${path}.items.type`, s.items?.type ?? '', 'must be object if parent array type is map'));
      for (const k of keys) {
        const kp = s.items?.properties?.[k];
        if (!kp) errs.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
        else {
          if (kp.type === 'object' || kp.type === 'array') errs.push(invalid(`${path}.items.properties[${k}].type`, kp.type, 'must be a scalar type if parent array type is map'));
          if (!(s.items?.required ?? []).includes(k) && kp.default === undefined) {
            errs.push(required(`${path}.items.properties[${k}]`, 'all map keys must be required or have a default value'));
          }
        }
      }
    }
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) {
    errs.push(forbidden(`${path}.x-kubernetes-list-map-keys`, 'must be empty if x-kubernetes-list-type is not map'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && mapType !== 'granular' && mapType !== 'atomic') errs.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ['granular', 'atomic']));

  for (const [k, p] of Object.entries(s.properties ?? {})) node(p, `${path}.properties[${k}]`, inComposition, errs);
  if (isPlainObject(s.additionalProperties)) node(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, inComposition, errs);
  if (s.items) node(s.items, `${path}.items`, inComposition, errs);
  (['allOf', 'anyOf', 'oneOf'] as const).forEach((k) => s[k]?.forEach((sub, i) => node(sub, `${path}.${k}[${i}]`, true, errs)));
  if (s.not) node(s.not, `${path}.not`, true, errs);

  if (s.default !== undefined && !inComposition) {
    const verrs = compileValidator(s)(s.default, '');
    for (const e of verrs) errs.push(invalid(`${path}.default`, s.default, `${e.field ? e.field + ': ' : ''}${e.detail || e.type}`));
    if (isPlainObject(s.default) || Array.isArray(s.default)) {
      const copy = deepClone(s.default);
      compilePruner(s, { isResourceRoot: false })(copy);
      if (!deepEqual(copy, s.default)) errs.push(invalid(`${path}.default`, s.default, 'must not have unknown fields'));
    }
  }
}
