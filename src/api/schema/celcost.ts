// Static cost estimate of CRD validation rules (cel-go's checker.Cost as
// kube-apiserver applies it in apiextensions validation): a walk over a
// rule's AST with the sizes the schema allows — maxLength, maxItems,
// maxProperties; unbounded sizes derived from the 3 MiB request limit — where
// a comprehension costs its body once per element and string/list functions
// cost in proportion to their receiver. The same walk finds fields the schema
// does not declare (cel-go's "undefined field" compile error).
//
// Exported API:
//   estimate(ast, vars) → { cost, shape }      (throws FieldCheckError)
//   shapeOf(schema, isResourceRoot) → Shape
//   perObject(cost, cardinality, scope)       one evaluation × how often the scope occurs
//   RuleCostTotal                             the CRD-wide total and its top contributors
//   costErrorMessage(what, cost, limit)       kube's "exceeds budget by factor of" wording
//   StaticEstimatedCostLimit, StaticEstimatedCRDCostLimit
//
// Trade-off: costs approximate cel-go's (1 per node, 0.1 per character,
// 1 per element); limits and messages are kube's.

import { type FieldError, forbidden } from '../fielderrors.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';

/** k8s.io/apiextensions-apiserver validation limits. */
export const StaticEstimatedCostLimit = 10_000_000;
export const StaticEstimatedCRDCostLimit = 100_000_000;
const maxRequestSizeBytes = 3 * 1024 * 1024;

/** A node of cel-js's parse tree (the parts the walk reads). */
export interface CelNode {
  op: string;
  args: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  start: number;
  /** For a selection, where the field name starts (cel-go reports the dot before it). */
  pos: number;
}

export interface Shape {
  s?: JSONSchemaProps;
  size: number;
  root?: boolean;
}
interface Estimate {
  cost: number;
  shape: Shape;
}

const unboundedString = maxRequestSizeBytes - 2;
const dyn: Shape = { size: unboundedString };

function minSerializedSize(s: JSONSchemaProps | undefined): number {
  switch (s?.type) {
    case 'string':
    case 'array':
    case 'object':
      return 2; // "" [] {}
    case 'boolean':
      return 4;
    default:
      return 1;
  }
}

export function shapeOf(s: JSONSchemaProps | undefined, root = false): Shape {
  if (!s) return dyn;
  switch (s.type) {
    case 'string':
      return { s, size: s.maxLength ?? unboundedString };
    case 'array':
      return { s, size: s.maxItems ?? Math.floor(unboundedString / (minSerializedSize(s.items) + 1)) };
    case 'object':
      if (isPlainObject(s.additionalProperties)) return { s, size: s.maxProperties ?? Math.floor(unboundedString / (minSerializedSize(s.additionalProperties as JSONSchemaProps) + 4)) };
      return { s, size: Object.keys(s.properties ?? {}).length, root };
    default:
      return { s, size: 1 };
  }
}

const metadataShape: Shape = shapeOf({ type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } });
const stringShape: Shape = shapeOf({ type: 'string' });
const boolShape: Shape = { size: 1 };

function field(obj: Shape, name: string, at: CelNode): Shape {
  const s = obj.s;
  if (!s || s.type !== 'object') return dyn;
  if (obj.root && (name === 'apiVersion' || name === 'kind')) return stringShape;
  if (obj.root && name === 'metadata') return metadataShape;
  if (s.properties && Object.hasOwn(s.properties, name)) return shapeOf(s.properties[name], s.properties[name]!['x-kubernetes-embedded-resource'] === true);
  if (isPlainObject(s.additionalProperties)) return shapeOf(s.additionalProperties as JSONSchemaProps);
  if (s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource']) return dyn;
  throw new FieldCheckError(Math.max(0, at.pos - 1), `undefined field '${name}'`);
}

function elem(obj: Shape): Shape {
  const s = obj.s;
  if (s?.type === 'array') return shapeOf(s.items);
  if (s?.type === 'object' && isPlainObject(s.additionalProperties)) return shapeOf(s.additionalProperties as JSONSchemaProps);
  return dyn;
}

/** Iterating a map visits its keys. */
function iterElem(obj: Shape): Shape {
  return obj.s?.type === 'object' ? stringShape : elem(obj);
}

export class FieldCheckError extends Error {
  constructor(
    readonly offset: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const macros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Functions whose work grows with the receiver's size (cel-go charges 0.1 per character / 1 per element). */
const stringFns = new Set(['contains', 'startsWith', 'endsWith', 're2Matches', 'find', 'findAll', 'replace', 'split', 'lowerAscii', 'upperAscii', 'trim', 'indexOf', 'lastIndexOf', 'reverse', 'substring', 'join']);
const listFns = new Set(['isSorted', 'sum', 'min', 'max', 'indexOf', 'lastIndexOf', 'join']);

export function estimate(n: CelNode, vars: Map<string, Shape>): Estimate {
  const sum = (xs: CelNode[]) => xs.reduce((c, x) => c + estimate(x, vars).cost, 0);
  switch (n.op) {
    case 'value':
      return { cost: 0, shape: typeof n.args === 'string' ? { size: n.args.length } : boolShape };
    case 'id':
      return { cost: 1, shape: vars.get(n.args as string) ?? dyn };
    case '.':
    case '.?': {
      const o = estimate(n.args[0], vars);
      return { cost: o.cost + 1, shape: field(o.shape, n.args[1] as string, n) };
    }
    case '[]':
    case '[?]': {
      const o = estimate(n.args[0], vars);
      return { cost: o.cost + estimate(n.args[1], vars).cost + 1, shape: elem(o.shape) };
    }
    case 'call': {
      const [name, args] = n.args as [string, CelNode[]];
      if (name === 'has' && args[0]?.op === '.') {
        const o = estimate(args[0].args[0], vars);
        field(o.shape, args[0].args[1], args[0]);
        return { cost: o.cost + 1, shape: boolShape };
      }
      return { cost: sum(args) + 1, shape: dyn };
    }
    case 'rcall': {
      const [name, recv, args] = n.args as [string, CelNode, CelNode[]];
      const r = estimate(recv, vars);
      if (macros.has(name) && args[0]?.op === 'id') {
        const inner = new Map(vars).set(args[0].args as string, iterElem(r.shape));
        const body = args.slice(1).reduce((c, x) => c + estimate(x, inner).cost, 0);
        const cost = r.cost + r.shape.size * (body + 1);
        const shape = name === 'map' ? { size: r.shape.size } : name === 'filter' ? { s: r.shape.s, size: r.shape.size } : boolShape;
        return { cost, shape };
      }
      let cost = r.cost + sum(args) + 1;
      if (stringFns.has(name) || listFns.has(name)) cost += Math.ceil(r.shape.size / (r.shape.s?.type === 'array' ? 1 : 10));
      const shape = name === 'split' || name === 'findAll' ? { size: r.shape.size } : ['lowerAscii', 'upperAscii', 'trim', 'replace', 'reverse', 'substring'].includes(name) ? { size: r.shape.size } : dyn;
      return { cost, shape };
    }
    case 'list':
      return { cost: sum(n.args as CelNode[]) + 1, shape: { size: (n.args as CelNode[]).length } };
    case 'map':
      return { cost: (n.args as [CelNode, CelNode][]).reduce((c, [k, v]) => c + estimate(k, vars).cost + estimate(v, vars).cost, 0) + 1, shape: { size: (n.args as unknown[]).length } };
    case '!_':
    case '-_': {
      const o = estimate(n.args as CelNode, vars);
      return { cost: o.cost + 1, shape: o.shape };
    }
    default: {
      if (!Array.isArray(n.args)) return { cost: 1, shape: dyn };
      const parts = (n.args as CelNode[]).map((x) => estimate(x, vars));
      let cost = parts.reduce((c, p) => c + p.cost, 0) + 1;
      let shape: Shape = boolShape;
      if (n.op === '+' && parts.length === 2) {
        shape = { size: parts[0]!.shape.size + parts[1]!.shape.size };
        cost += Math.ceil(shape.size / 10);
      } else if ((n.op === '==' || n.op === '!=') && parts.length === 2) cost += Math.ceil(Math.min(parts[0]!.shape.size, parts[1]!.shape.size) / 10);
      else if (n.op === 'in' && parts.length === 2) cost += parts[1]!.shape.size;
      else if (n.op === '?:' && parts.length === 3) shape = parts[1]!.shape.size >= parts[2]!.shape.size ? parts[1]!.shape : parts[2]!.shape;
      return { cost, shape };
    }
  }
}

export function costErrorMessage(what: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${what} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/** The total estimated cost of a CRD's rules and its most expensive contributors (kube's TotalCost). */
export class RuleCostTotal {
  total = 0;
  private mostExpensive: { path: string; cost: number }[] = [];

  observe(path: string, cost: number): void {
    this.total += cost;
    if (cost < StaticEstimatedCRDCostLimit / 100) return; // under 1% of the limit: never worth naming
    this.mostExpensive.push({ path, cost });
    this.mostExpensive.sort((a, b) => b.cost - a.cost);
    this.mostExpensive.length = Math.min(this.mostExpensive.length, 4);
  }

  errors(schemaPath: string): FieldError[] {
    if (this.total <= StaticEstimatedCRDCostLimit) return [];
    return [
      ...this.mostExpensive.map((e) => forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema')),
      forbidden(schemaPath, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', this.total, StaticEstimatedCRDCostLimit)),
    ];
  }
}

/** A rule's cost per object: one evaluation times how often its scope occurs (estimated from the request size when unbounded). */
export function perObject(cost: number, cardinality: number, scope: JSONSchemaProps): number {
  if (cost === 0) return 0;
  return cost * (Number.isFinite(cardinality) ? cardinality : Math.floor(maxRequestSizeBytes / (minSerializedSize(scope) + 1)));
}

