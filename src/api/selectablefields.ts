// selectableFields (apiextensions v1, Kubernetes ≥ 1.31): the CRD-declared
// fields a field selector may use besides metadata.name/metadata.namespace.
//
// Validation follows kube-apiserver's validateSelectableFields: a simple
// JSON path (`.spec.color`, `.spec['color']`, no array steps) that resolves
// through the version's schema to a string, boolean or integer field outside
// metadata; no duplicates; at most 8 distinct paths. The field label a
// selector uses is the path without its leading dot (`spec.color`).
//
// Exported API:
//   pathSteps(jsonPath)                               → ["spec", "color"] for a simple JSON path (also used by /scale)
//   selectableFieldLabel(jsonPath)                    → "spec.color" (undefined when not a simple path)
//   validateSelectableFields(fields, schema, path)    → FieldError[]

import { type FieldError, required, invalid, duplicate, tooMany } from './fielderrors.js';
import type { JSONSchemaProps } from './schema/index.js';

export const selectableFieldsLimit = 8;

/** Steps of a simple JSON path (`.a.b`, `.a['b']`); undefined if it is not one. */
export function pathSteps(jsonPath: string): string[] | undefined {
  const steps: string[] = [];
  const re = /\.([A-Za-z_$][A-Za-z0-9_$-]*)|\['([^'\]]+)'\]/y;
  let i = 0;
  while (i < jsonPath.length) {
    re.lastIndex = i;
    const m = re.exec(jsonPath);
    if (!m) return undefined;
    steps.push(m[1] ?? m[2]);
    i = re.lastIndex;
  }
  return steps.length ? steps : undefined;
}

/** The field label a selector uses for a declared jsonPath. */
export function selectableFieldLabel(jsonPath: string): string | undefined {
  return pathSteps(jsonPath)?.join('.');
}

function schemaAt(schema: JSONSchemaProps | undefined, steps: string[]): JSONSchemaProps | undefined {
  let cur = schema;
  for (const s of steps) {
    if (!cur) return undefined;
    const props = cur.properties as Record<string, JSONSchemaProps> | undefined;
    const ap = cur.additionalProperties;
    cur = props && Object.hasOwn(props, s) ? props[s] : ap && typeof ap === 'object' ? (ap as JSONSchemaProps) : undefined;
  }
  return cur;
}

export function validateSelectableFields(fields: readonly { jsonPath?: string }[], schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = `${path}[${i}].jsonPath`;
    const jp = f?.jsonPath ?? '';
    if (jp === '') {
      errs.push(required(p));
      return;
    }
    const steps = pathSteps(jp);
    if (steps?.[0] === 'metadata') {
      errs.push(invalid(p, jp, 'must not point to fields in metadata'));
      return;
    }
    const target = steps && schemaAt(schema, steps);
    if (!steps || !target) {
      errs.push(invalid(p, jp, 'is an invalid path: does not refer to a valid field'));
      return;
    }
    if (target.type !== 'string' && target.type !== 'boolean' && target.type !== 'integer')
      errs.push(invalid(p, jp, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    const key = steps.join('.');
    if (unique.has(key)) errs.push(duplicate(p, jp));
    else unique.add(key);
  });
  if (unique.size > selectableFieldsLimit) errs.push(tooMany(path, unique.size, selectableFieldsLimit));
  return errs;
}
