// Decoding a CustomResourceDefinition as kube-apiserver does: its JSON must
// have the Go types of apiextensions.k8s.io/v1 (`required` a list of strings,
// `enum` a list, `maxLength` an integer...). kube-apiserver decodes the body
// into those types and answers a type mismatch with 400 BadRequest:
//   CustomResourceDefinition in version "v1" cannot be handled as a
//   CustomResourceDefinition: json: cannot unmarshal string into Go struct
//   field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.required
//   of type []string
// The field path is Go's decoder's: struct field names only (no list indexes,
// no map keys), and the first mismatch in document order is the one reported.
//
// The decode also normalizes what the Go types cannot hold, so validation and
// the stored object see what kube-apiserver would store: a null typed field is
// absent, `items` that is neither a schema nor a list of schemas is dropped
// (JSONSchemaPropsOrArray ignores it). Values typed `JSON` (default, enum
// members, example) are left as they are.
//
// Exported API:
//   decodeCRDError(crd) → string | undefined   the decode error (and normalizes `crd` in place)
//   crdDecodeMessage(err) → the BadRequest message kube-apiserver sends
//
// Trade-off: a table of the v1 types instead of a generic JSON-schema check,
// so messages name Go types exactly; metadata and status are the server's
// (validated, or overwritten) and not walked here.

type GoType =
  | { k: 'string' | 'bool' | 'int64' | 'int32' | 'float64' | 'json'; name: string }
  | { k: 'struct'; name: string; fields: () => Record<string, GoType> }
  | { k: 'slice' | 'map'; name: string; elem: GoType }
  | { k: 'orBool' | 'orArray' | 'orStringArray'; name: string };

const str = (name = 'string'): GoType => ({ k: 'string', name });
const bool: GoType = { k: 'bool', name: 'bool' };
const int64: GoType = { k: 'int64', name: 'int64' };
const int32: GoType = { k: 'int32', name: 'int32' };
const float64: GoType = { k: 'float64', name: 'float64' };
const json: GoType = { k: 'json', name: 'v1.JSON' };
const strings: GoType = { k: 'slice', name: '[]string', elem: str() };
const struct = (name: string, fields: () => Record<string, GoType>): GoType => ({ k: 'struct', name: `v1.${name}`, fields });

const validationRule = struct('ValidationRule', () => ({
  rule: str(),
  message: str(),
  messageExpression: str(),
  reason: str('v1.FieldValueErrorReason'),
  fieldPath: str(),
  optionalOldSelf: bool,
}));

const schemaProps: GoType = struct('JSONSchemaProps', () => ({
  id: str(),
  $schema: str('v1.JSONSchemaURL'),
  $ref: str(),
  description: str(),
  type: str(),
  format: str(),
  title: str(),
  default: json,
  maximum: float64,
  exclusiveMaximum: bool,
  minimum: float64,
  exclusiveMinimum: bool,
  maxLength: int64,
  minLength: int64,
  pattern: str(),
  maxItems: int64,
  minItems: int64,
  uniqueItems: bool,
  multipleOf: float64,
  enum: { k: 'slice', name: '[]v1.JSON', elem: json },
  maxProperties: int64,
  minProperties: int64,
  required: strings,
  items: { k: 'orArray', name: 'v1.JSONSchemaPropsOrArray' },
  allOf: schemaList,
  oneOf: schemaList,
  anyOf: schemaList,
  not: schemaProps,
  properties: { k: 'map', name: 'map[string]v1.JSONSchemaProps', elem: schemaProps },
  additionalProperties: { k: 'orBool', name: 'v1.JSONSchemaPropsOrBool' },
  patternProperties: { k: 'map', name: 'map[string]v1.JSONSchemaProps', elem: schemaProps },
  dependencies: { k: 'map', name: 'v1.JSONSchemaDependencies', elem: { k: 'orStringArray', name: 'v1.JSONSchemaPropsOrStringArray' } },
  additionalItems: { k: 'orBool', name: 'v1.JSONSchemaPropsOrBool' },
  definitions: { k: 'map', name: 'v1.JSONSchemaDefinitions', elem: schemaProps },
  externalDocs: struct('ExternalDocumentation', () => ({ description: str(), url: str() })),
  example: json,
  nullable: bool,
  'x-kubernetes-preserve-unknown-fields': bool,
  'x-kubernetes-embedded-resource': bool,
  'x-kubernetes-int-or-string': bool,
  'x-kubernetes-list-map-keys': strings,
  'x-kubernetes-list-type': str(),
  'x-kubernetes-map-type': str(),
  'x-kubernetes-validations': { k: 'slice', name: 'v1.ValidationRules', elem: validationRule },
}));
const schemaList: GoType = { k: 'slice', name: '[]v1.JSONSchemaProps', elem: schemaProps };

const crdSpec = struct('CustomResourceDefinitionSpec', () => ({
  group: str(),
  names: struct('CustomResourceDefinitionNames', () => ({ plural: str(), singular: str(), shortNames: strings, kind: str(), listKind: str(), categories: strings })),
  scope: str('v1.ResourceScope'),
  versions: {
    k: 'slice',
    name: '[]v1.CustomResourceDefinitionVersion',
    elem: struct('CustomResourceDefinitionVersion', () => ({
      name: str(),
      served: bool,
      storage: bool,
      deprecated: bool,
      deprecationWarning: str(),
      schema: struct('CustomResourceValidation', () => ({ openAPIV3Schema: schemaProps })),
      subresources: struct('CustomResourceSubresources', () => ({
        status: struct('CustomResourceSubresourceStatus', () => ({})),
        scale: struct('CustomResourceSubresourceScale', () => ({ specReplicasPath: str(), statusReplicasPath: str(), labelSelectorPath: str() })),
      })),
      additionalPrinterColumns: {
        k: 'slice',
        name: '[]v1.CustomResourceColumnDefinition',
        elem: struct('CustomResourceColumnDefinition', () => ({ name: str(), type: str(), format: str(), description: str(), priority: int32, jsonPath: str() })),
      },
      selectableFields: { k: 'slice', name: '[]v1.SelectableField', elem: struct('SelectableField', () => ({ jsonPath: str() })) },
    })),
  },
  conversion: struct('CustomResourceConversion', () => ({
    strategy: str('v1.ConversionStrategyType'),
    webhook: struct('WebhookConversion', () => ({
      clientConfig: struct('WebhookClientConfig', () => ({
        url: str(),
        service: struct('ServiceReference', () => ({ namespace: str(), name: str(), path: str(), port: int32 })),
        caBundle: str('[]uint8'),
      })),
      conversionReviewVersions: strings,
    })),
  })),
  preserveUnknownFields: bool,
}));

const crdType = struct('CustomResourceDefinition', () => ({ spec: crdSpec }));

const fieldCache = new WeakMap<GoType, Record<string, GoType>>();
function fieldsOf(t: Extract<GoType, { k: 'struct' }>): Record<string, GoType> {
  let f = fieldCache.get(t);
  if (!f) {
    f = t.fields();
    fieldCache.set(t, f);
  }
  return f;
}

/** A decode error that stops decoding (as an UnmarshalJSON error does in Go). */
class Fatal {
  constructor(
    readonly value: string | undefined,
    readonly type: string | undefined,
    readonly message: string | undefined,
  ) {}
}

/** Go's decodeState error context: the innermost struct and the struct-field names on the way. */
interface Ctx {
  struct: string;
  stack: string[];
  saved?: string;
}

function typeError(value: string, type: string, ctx: Ctx): string {
  return `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.stack.join('.')} of type ${type}`;
}

function save(ctx: Ctx, value: string, type: string): void {
  ctx.saved ??= typeError(value, type, ctx);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

const intRange: Record<string, [number, number]> = { int64: [-(2 ** 63), 2 ** 63 - 1], int32: [-(2 ** 31), 2 ** 31 - 1] };

/** The zero value a Go decoder leaves for a JSON null inside a list or map. */
function zero(t: GoType): unknown {
  switch (t.k) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int64':
    case 'int32':
    case 'float64':
      return 0;
    case 'struct':
      return {};
    default:
      return null;
  }
}

/**
 * Decodes `v` as type `t`. Returns false when the value cannot be held (the
 * caller drops it): Go leaves the target at its zero value.
 */
function decode(v: unknown, t: GoType, ctx: Ctx): boolean {
  switch (t.k) {
    case 'json':
      return true;
    case 'string':
      if (typeof v === 'string') return true;
      save(ctx, jsonKind(v), t.name);
      return false;
    case 'bool':
      if (typeof v === 'boolean') return true;
      save(ctx, jsonKind(v), t.name);
      return false;
    case 'float64':
      if (typeof v === 'number') return true;
      save(ctx, jsonKind(v), t.name);
      return false;
    case 'int64':
    case 'int32': {
      if (typeof v !== 'number') {
        save(ctx, jsonKind(v), t.name);
        return false;
      }
      const [lo, hi] = intRange[t.k];
      if (Number.isInteger(v) && v >= lo && v <= hi) return true;
      save(ctx, `number ${v}`, t.name);
      return false;
    }
    case 'slice':
      if (!Array.isArray(v)) {
        save(ctx, jsonKind(v), t.name);
        return false;
      }
      for (let i = 0; i < v.length; i++) {
        if (v[i] === null) v[i] = zero(t.elem);
        else if (!decode(v[i], t.elem, ctx)) v[i] = zero(t.elem);
      }
      return true;
    case 'map':
      if (!isObject(v)) {
        save(ctx, jsonKind(v), t.name);
        return false;
      }
      for (const k of Object.keys(v)) {
        if (v[k] === null) v[k] = zero(t.elem);
        else if (!decode(v[k], t.elem, ctx)) v[k] = zero(t.elem);
      }
      return true;
    case 'struct': {
      if (!isObject(v)) {
        save(ctx, jsonKind(v), t.name);
        return false;
      }
      const fields = fieldsOf(t);
      for (const k of Object.keys(v)) {
        const ft = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (!ft) continue; // unknown fields are not type errors
        if (v[k] === null) {
          delete v[k];
          continue;
        }
        const outer = ctx.struct;
        ctx.stack.push(k);
        ctx.struct = t.name.slice(3); // Go's Struct.Name(): no package
        const kept = decode(v[k], ft, ctx);
        ctx.stack.pop();
        ctx.struct = outer;
        if (!kept) delete v[k];
      }
      return true;
    }
    case 'orBool':
      if (typeof v === 'boolean') return true;
      if (isObject(v)) return decodeNested(v, schemaProps, ctx);
      throw new Fatal(undefined, undefined, 'boolean or JSON schema expected');
    case 'orArray':
      if (isObject(v)) return decodeNested(v, schemaProps, ctx);
      if (Array.isArray(v)) return decodeNested(v, schemaList, ctx);
      return false; // neither: JSONSchemaPropsOrArray ignores it
    case 'orStringArray':
      if (isObject(v)) return decodeNested(v, schemaProps, ctx);
      if (Array.isArray(v)) return decodeNested(v, strings, ctx);
      return false;
  }
}

/**
 * A value with its own UnmarshalJSON that decodes with a fresh decoder: its
 * first type error aborts the whole decode, and the outer decoder then
 * re-labels it with the outer struct and field path (Go's addErrorContext).
 */
function decodeNested(v: unknown, t: GoType, _ctx: Ctx): boolean {
  const inner: Ctx = { struct: '', stack: [] };
  decode(v, t, inner);
  if (inner.saved === undefined) return true;
  const m = /^json: cannot unmarshal (.*) into Go struct field .* of type (.*)$/.exec(inner.saved);
  throw new Fatal(m?.[1], m?.[2], undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The error kube-apiserver's decoder gives for this CRD's JSON, or undefined;
 * normalizes `crd` in place as the decode would (see the file comment).
 */
export function decodeCRDError(crd: unknown): string | undefined {
  const ctx: Ctx = { struct: '', stack: [] };
  try {
    decode(crd, crdType, ctx);
  } catch (err) {
    if (!(err instanceof Fatal)) throw err;
    if (err.message !== undefined) return err.message;
    // Re-labelled with the outer context; the stack still holds the path to the field.
    return typeError(err.value ?? 'value', err.type ?? 'value', ctx);
  }
  return ctx.saved;
}

/** The BadRequest message for a decode error of an apiextensions.k8s.io/v1 CRD. */
export function crdDecodeMessage(err: string): string {
  return `CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: ${err}`;
}
