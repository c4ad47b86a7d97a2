// CRD validation rules (`x-kubernetes-validations`) as kube-apiserver runs
// them (apiextensions-apiserver pkg/apiserver/schema/cel: compilation.go,
// validation.go; apiserver pkg/cel): compiled once per CRD version, evaluated
// on every write with `self` bound to the value at the rule's scope (object,
// property, array item, additionalProperties value) and, for transition rules,
// `oldSelf` bound to the correlated old value.
//
// Key ideas:
//  - `compileRuleValidator(schema)` returns undefined when the schema has no
//    rules anywhere, so CRDs without rules pay nothing. Otherwise it builds a
//    tree parallel to the schema that only descends where rules live.
//  - The object is converted once per write to CEL values (integers become
//    int — bigint —, numbers double, metadata at a resource root reduced to
//    name/generateName as kube exposes it), then walked with its old value.
//  - Cost: at CRD creation a static estimate (celcost.ts) bounds each rule
//    with the schema's maxLength/maxItems/maxProperties and refuses rules over
//    StaticEstimatedCostLimit; at run time the meter (cellib.ts) cuts a call
//    at PerCallLimit and the whole object at RuntimeCELCostBudget.
//  - Errors carry kube's wording: `spec: Invalid value: "object": <message>`.
//
// Exported API:
//   compileRuleValidator(schema) → RuleValidator | undefined
//   RuleValidator(obj, old, errs)      (old undefined on create)
//   ruleCompileErrors(schema, i, path, isRoot, ctx) → FieldError[]  (CRD admission; structural.ts)
//   hasBlockingErrors(errs) → FieldError | undefined
//
// Trade-offs: at evaluation `self`/`oldSelf` are dynamically typed; the CRD
// admission path type-checks each rule against the schema (celtypes.ts), so
// type errors kube finds at compilation are refused there too; undefined
// fields are found first by the estimator's walk. Ratcheting (kube's
// CRDValidationRatcheting): a rule without oldSelf that fails on a value
// unchanged from the old object is not reported (ratchet.ts for the rest).

import { type Environment, Optional } from '@marcbachmann/cel-js';
import { type FieldError, invalid, forbidden, required, duplicate, GoLiteral } from '../fielderrors.js';
import { type JSONSchemaProps, isPlainObject } from './types.js';
import { deepEqual } from '../patch.js';
import { newValidationEnvironment, rewriteForValidation, userNames, meter, CostLimitExceeded } from './cellib.js';
import { typeIssue } from './celtypes.js';
import { type CelNode as Node, estimate, shapeOf, FieldCheckError, costErrorMessage, perObject, RuleCostTotal, StaticEstimatedCostLimit, type Shape } from './celcost.js';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];

/** k8s.io/apiserver/pkg/apis/cel config. */
export const PerCallLimit = 1_000_000;
export const RuntimeCELCostBudget = 10_000_000;
const maxMessageExpressionBytes = 5 * 1024;

let env: Environment | undefined;
const celEnv = () => (env ??= newValidationEnvironment());

type Program = (ctx: Record<string, unknown>) => unknown;

interface Parsed {
  program: Program;
  ast: Node;
}


class CompileError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

const parsedCache = new Map<string, Parsed | CompileError>();

/** Parses and checks one expression (cached by text); a CompileError carries cel-go's "ERROR: <input>:l:c: ..." form. */
function parse(src: string): Parsed | CompileError {
  let p = parsedCache.get(src);
  if (p) return p;
  try {
    const parsed = celEnv().parse(src);
    rewriteForValidation(parsed.ast);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error;
    p = { program: parsed as unknown as Program, ast: parsed.ast as unknown as Node };
  } catch (err) {
    p = compileErrorOf(src, err);
  }
  if (parsedCache.size >= 4096) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(src, p);
  return p;
}

function compileErrorOf(src: string, err: unknown): CompileError {
  // A chain too long for the recursive checker: cel-go's own limit says it this way.
  if (err instanceof RangeError) return new CompileError(errorAt(src, 0, 'expression recursion limit exceeded'));
  const e = err as { summary?: string; message?: string; range?: { start: number } };
  return new CompileError(errorAt(src, e.range?.start ?? 0, (e.summary ?? e.message ?? String(err)).split('\n')[0]!));
}

/** cel-go's error rendering: `ERROR: <input>:1:6: msg\n | expr\n | .....^`. */
function errorAt(src: string, offset: number, msg: string): string {
  const before = src.slice(0, offset).split('\n');
  const line = before.length;
  const col = before[before.length - 1]!.length;
  const text = src.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col + 1}: ${userNames(msg)}\n | ${text}\n | ${'.'.repeat(col)}^`;
}

function usesOldSelf(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(usesOldSelf);
  if (!n || typeof n !== 'object' || !('op' in n)) return false;
  const node = n as Node;
  if (node.op === 'id') return node.args === 'oldSelf';
  return usesOldSelf(node.args);
}

/** The rule as Go's `%#v` prints apiextensions.ValidationRule (the value of kube's compile errors). */
function goRule(r: Rule): GoLiteral {
  const ptr = (t: string, v: unknown) => (v === undefined ? `(*${t})(nil)` : `(*${t})(0xc000000000)`);
  return new GoLiteral(
    `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule ?? '')}, Message:${JSON.stringify(r.message ?? '')}, MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, Reason:${ptr('apiextensions.FieldValueErrorReason', r.reason)}, FieldPath:${JSON.stringify(r.fieldPath ?? '')}, OptionalOldSelf:${ptr('bool', r.optionalOldSelf)}}`,
  );
}

interface CompiledRule {
  rule: Rule;
  program: Program;
  usesOldSelf: boolean;
  message?: Program;
  fieldPath: string;
}

interface RuleCompilation {
  compiled?: CompiledRule;
  errors: { field: 'rule' | 'messageExpression' | 'optionalOldSelf' | 'fieldPath'; detail: string }[];
  /** Estimated cost of one evaluation (rule, messageExpression). */
  cost: number;
  messageCost: number;
}

/** Type errors against the schema (celtypes.ts), checked when the CRD is written. */
function typeErrors(r: Rule, scope: JSONSchemaProps, isRoot: boolean, c: RuleCompilation): void {
  const t = typeIssue(celEnv(), r.rule, scope, isRoot, 'bool', r.optionalOldSelf === true);
  if (t === 'result') c.errors.push({ field: 'rule', detail: 'cel expression must evaluate to a bool' });
  else if (t) c.errors.push({ field: 'rule', detail: `compilation failed: ${errorAt(r.rule, t.offset, t.message)}` });
  // With optionalOldSelf the type of oldSelf in a messageExpression is not pinned down here: left to evaluation.
  if (!r.messageExpression || !c.compiled?.message || r.optionalOldSelf) return;
  const m = typeIssue(celEnv(), r.messageExpression, scope, isRoot, 'string');
  if (m === 'result') c.errors.push({ field: 'messageExpression', detail: 'messageExpression must evaluate to a string' });
  else if (m) c.errors.push({ field: 'messageExpression', detail: `messageExpression compilation failed: ${errorAt(r.messageExpression, m.offset, m.message)}` });
}

function compileRule(r: Rule, scope: JSONSchemaProps, isRoot: boolean): RuleCompilation {
  const errors: RuleCompilation['errors'] = [];
  let cost = 0;
  let messageCost = 0;
  const vars = new Map<string, Shape>([
    ['self', shapeOf(scope, isRoot)],
    ['oldSelf', shapeOf(scope, isRoot)],
  ]);
  const p = parse(r.rule);
  let compiled: CompiledRule | undefined;
  if (p instanceof CompileError) errors.push({ field: 'rule', detail: `compilation failed: ${p.detail}` });
  else {
    try {
      cost = estimate(p.ast, vars).cost;
      compiled = { rule: r, program: p.program, usesOldSelf: usesOldSelf(p.ast), fieldPath: '' };
    } catch (err) {
      const detail = err instanceof FieldCheckError ? errorAt(r.rule, err.offset, err.detail) : compileErrorOf(r.rule, err).detail;
      errors.push({ field: 'rule', detail: `compilation failed: ${detail}` });
    }
  }
  if (r.messageExpression) {
    const m = parse(r.messageExpression);
    if (m instanceof CompileError) errors.push({ field: 'messageExpression', detail: `messageExpression compilation failed: ${m.detail}` });
    else {
      try {
        messageCost = estimate(m.ast, vars).cost;
      } catch {
        messageCost = 0; // an undefined field in a message only loses the message at run time
      }
      if (compiled) compiled.message = m.program;
    }
  }
  if (compiled && r.optionalOldSelf && !compiled.usesOldSelf) errors.push({ field: 'optionalOldSelf', detail: 'may not be set if oldSelf is not used in rule' });
  if (r.fieldPath) {
    const fp = validFieldPath(r.fieldPath, scope);
    if (typeof fp === 'object') errors.push({ field: 'fieldPath', detail: `fieldPath must be a valid path: ${fp.error}` });
    else if (compiled) compiled.fieldPath = fp;
  }
  return { compiled, errors, cost, messageCost };
}

/**
 * The errors kube-apiserver reports for rule `i` of a schema node when the CRD
 * is written: compilation, estimated cost, messageExpression, optionalOldSelf, fieldPath.
 */
export interface RuleContext {
  /** How often the scope occurs per object (Infinity: unbounded). */
  cardinality: number;
  celCost: RuleCostTotal;
  /** Set below a list that is not a map list: oldSelf cannot be correlated there. */
  uncorrelatable?: string;
}

export function ruleCompileErrors(scope: JSONSchemaProps, i: number, path: string, isRoot: boolean, ctx: RuleContext): FieldError[] {
  const { cardinality, celCost: total } = ctx;
  const r = scope['x-kubernetes-validations']![i]!;
  const p = `${path}.x-kubernetes-validations[${i}]`;
  const c = compileRule(r, scope, isRoot);
  if (c.compiled) typeErrors(r, scope, isRoot, c);
  const errs: FieldError[] = [];
  const cost = perObject(c.cost, cardinality, scope);
  if (cost > StaticEstimatedCostLimit) errs.push(forbidden(`${p}.rule`, costErrorMessage('estimated rule cost', cost, StaticEstimatedCostLimit)));
  total.observe(`${p}.rule`, cost);
  for (const e of c.errors) {
    if (e.field === 'optionalOldSelf') errs.push(invalid(`${p}.optionalOldSelf`, true, e.detail));
    else if (e.field === 'fieldPath') errs.push(invalid(`${p}.fieldPath`, r.fieldPath, e.detail));
    else errs.push(invalid(`${p}.${e.field}`, goRule(r), e.detail));
  }
  if (c.compiled?.usesOldSelf && ctx.uncorrelatable) errs.push(invalid(`${p}.rule`, r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${ctx.uncorrelatable}`));
  if (r.messageExpression) {
    const mcost = perObject(c.messageCost, cardinality, scope);
    if (mcost > StaticEstimatedCostLimit) errs.push(forbidden(`${p}.messageExpression`, costErrorMessage('estimated messageExpression cost', mcost, StaticEstimatedCostLimit)));
    total.observe(`${p}.messageExpression`, mcost);
  }
  return errs;
}

/** ValidFieldPath: a relative JSON path of fields and ['map keys'], normalized as field.Path prints it. */
function validFieldPath(jsonPath: string, s: JSONSchemaProps | undefined): string | { error: string } {
  const tokens = jsonPath.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let name: string;
    if (t === '.') {
      name = tokens[++i] ?? '';
      if (i >= tokens.length) return { error: 'unexpected end of JSON path' };
    } else if (t === '[') {
      const q = tokens[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || !q.startsWith("'") || !q.endsWith("'")) return { error: `expected single quoted string but got ${q}` };
      name = q.slice(1, -1).replace(/\\(.)/g, '$1');
      if (tokens[++i] !== ']') return { error: `expected ] but got ${tokens[i] ?? ''}` };
    } else return { error: `expected [ or . but got: ${t}` };
    if (s?.properties) {
      if (!Object.hasOwn(s.properties, name)) return { error: 'does not refer to a valid field' };
      out = out === '' ? name : `${out}.${name}`;
      s = s.properties[name];
    } else if (isPlainObject(s?.additionalProperties)) {
      out = `${out}[${name}]`;
      s = s!.additionalProperties as JSONSchemaProps;
    } else return { error: 'does not refer to a valid field' };
  }
  return out;
}

// ---------------------------------------------------------------------------
// Run time

export type RuleValidator = (obj: unknown, old: unknown, errs: FieldError[]) => void;

interface VNode {
  schema: JSONSchemaProps;
  type: string;
  rules: CompiledRule[];
  anyOldSelf: boolean;
  props?: Map<string, VNode>;
  items?: VNode;
  ap?: VNode;
  allOf?: VNode[];
  listMapKeys?: string[];
  mapCorrelatable: boolean;
}

function hasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  if (s['x-kubernetes-validations']?.length) return true;
  if (hasRules(s.items) || (isPlainObject(s.additionalProperties) && hasRules(s.additionalProperties as JSONSchemaProps))) return true;
  for (const p of Object.values(s.properties ?? {})) if (hasRules(p)) return true;
  return (s.allOf ?? []).some(hasRules);
}

function build(s: JSONSchemaProps, isRoot: boolean, typeOf: JSONSchemaProps): VNode | undefined {
  if (!hasRules(s)) return undefined;
  const rules: CompiledRule[] = [];
  for (const r of s['x-kubernetes-validations'] ?? []) {
    const c = compileRule(r, typeOf, isRoot).compiled;
    if (c) rules.push(c);
  }
  const n: VNode = { schema: typeOf, type: typeOf.type ?? '', rules, anyOldSelf: rules.some((r) => r.usesOldSelf), mapCorrelatable: typeOf['x-kubernetes-map-type'] !== 'atomic' };
  if (s.items && typeOf.items) n.items = build(s.items, typeOf.items['x-kubernetes-embedded-resource'] === true, typeOf.items);
  if (typeOf['x-kubernetes-list-type'] === 'map') n.listMapKeys = typeOf['x-kubernetes-list-map-keys'] ?? [];
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const tp = typeOf.properties?.[k];
    const v = tp && build(p, tp['x-kubernetes-embedded-resource'] === true, tp);
    if (v) (n.props ??= new Map()).set(k, v);
  }
  if (isPlainObject(s.additionalProperties) && isPlainObject(typeOf.additionalProperties)) {
    const ap = typeOf.additionalProperties as JSONSchemaProps;
    n.ap = build(s.additionalProperties as JSONSchemaProps, ap['x-kubernetes-embedded-resource'] === true, ap);
  }
  for (const a of s.allOf ?? []) {
    const v = build(a, isRoot, typeOf);
    if (v) (n.allOf ??= []).push(v);
  }
  return n;
}

/** Compiles the rules of a CRD version's schema; undefined when there are none (no cost at all). */
export function compileRuleValidator(schema: JSONSchemaProps): RuleValidator | undefined {
  const root = build(schema, true, schema);
  if (!root) return undefined;
  return (obj, old, errs) => {
    const state = { budget: RuntimeCELCostBudget, stop: false };
    walk(root, toCel(obj, schema, true), old === undefined ? undefined : toCel(old, schema, true), rootPath, errs, state);
  };
}

/** kube's root field.Path is nil, which prints as "<nil>". */
const rootPath = '<nil>';
const child = (path: string, k: string) => (path === rootPath ? k : `${path}.${k}`);

interface State {
  budget: number;
  stop: boolean;
}

/**
 * `av`/`ao`: the nearest correlated ancestor's new and old values, for
 * ratcheting a rule that fails where no old value correlates (kube's
 * nearestParentCorrelation); undefined on create.
 */
function walk(n: VNode, v: unknown, old: unknown, path: string, errs: FieldError[], st: State, av?: unknown, ao?: unknown): void {
  if (v === null || v === undefined || st.stop) return;
  if (old !== undefined) (av = v), (ao = old);
  if (n.rules.length) evaluate(n, v, old, path, errs, st, av, ao);
  for (const a of n.allOf ?? []) walk(a, v, old, path, errs, st, av, ao);
  if (Array.isArray(v)) {
    if (!n.items) return;
    const oldByKey = n.listMapKeys && Array.isArray(old) ? new Map(old.map((o) => [mapKey(o, n.listMapKeys!), o])) : undefined;
    for (let i = 0; i < v.length && !st.stop; i++) walk(n.items, v[i], oldByKey?.get(mapKey(v[i], n.listMapKeys!)), `${path}[${i}]`, errs, st, av, ao);
  } else if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const oo = n.mapCorrelatable && old && typeof old === 'object' ? (old as Record<string, unknown>) : undefined;
    if (n.ap)
      for (const k of Object.keys(o)) {
        if (st.stop) return;
        if (!n.schema.properties || !Object.hasOwn(n.schema.properties, k)) walk(n.ap, o[k], oo?.[k], `${path}[${k}]`, errs, st, av, ao);
      }
    if (n.props)
      for (const [k, c] of n.props) {
        if (st.stop) return;
        if (Object.hasOwn(o, k)) walk(c, o[k], oo && Object.hasOwn(oo, k) ? oo[k] : undefined, child(path, k), errs, st, av, ao);
      }
  }
}

function mapKey(item: unknown, keys: string[]): string {
  if (!item || typeof item !== 'object') return '';
  return JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k] ?? null), (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

function ruleString(r: Rule): string {
  return r.message ? r.message.trim() : r.rule.trim();
}

function evaluate(n: VNode, self: unknown, old: unknown, path: string, errs: FieldError[], st: State, av: unknown, ao: unknown): void {
  const type = n.type;
  // Ratcheting: a failing rule without oldSelf is dropped when the value (or, uncorrelated, its nearest correlated ancestor) is unchanged.
  let unchanged: boolean | undefined;
  const ratcheted = (c: CompiledRule) => !c.usesOldSelf && ao !== undefined && (unchanged ??= deepEqual(av, ao));
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // evaluation errors are expected data here, not bugs
  try {
    for (const c of n.rules) {
      const optional = c.rule.optionalOldSelf === true;
      if (c.usesOldSelf && old === undefined && !optional) continue;
      const ctx: Record<string, unknown> = { self };
      if (c.usesOldSelf) ctx.oldSelf = optional ? (old === undefined ? Optional.none() : Optional.of(old)) : old;
      const out = run(c.program, ctx, st);
      if (out.costError) {
        errs.push(invalid(path, type, out.costError === 'call' ? `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleString(c.rule)}` : 'validation failed due to running out of cost budget, no further validation rules will be run'));
        st.stop = true;
        return;
      }
      if (out.error !== undefined) {
        if (ratcheted(c)) continue;
        const m = out.error;
        if (m.startsWith('no such overload') || m.startsWith('found no matching overload')) errs.push(invalid(path, type, `'${m}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleString(c.rule)}`));
        else errs.push(invalid(path, type, `${m} evaluating rule: ${ruleString(c.rule)}`));
        continue;
      }
      if (out.value === true || ratcheted(c)) continue;
      const at = c.fieldPath === '' ? path : path === rootPath ? c.fieldPath : c.fieldPath.startsWith('[') ? path + c.fieldPath : `${path}.${c.fieldPath}`;
      let detail: string | undefined;
      if (c.message) {
        // kube evaluates messageExpression with the rule's non-optional activation.
        const m = run(c.message, old === undefined ? { self } : { self, oldSelf: old }, st);
        if (m.costError) {
          errs.push(invalid(at, type, 'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run'));
          st.stop = true;
          return;
        }
        if (typeof m.value === 'string') {
          const t = m.value.trim();
          if (t !== '' && !t.includes('\n') && Buffer.byteLength(t) <= maxMessageExpressionBytes) detail = t;
        }
      }
      detail ??= c.rule.message ? c.rule.message.trim() : `failed rule: ${ruleString(c.rule)}`;
      switch (c.rule.reason) {
        case 'FieldValueForbidden':
          errs.push(forbidden(at, detail));
          break;
        case 'FieldValueRequired':
          errs.push(required(at, detail));
          break;
        case 'FieldValueDuplicate':
          errs.push(duplicate(at, type));
          break;
        default:
          errs.push(invalid(at, type, detail));
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function run(p: Program, ctx: Record<string, unknown>, st: State): { value?: unknown; error?: string; costError?: 'call' | 'budget' } {
  meter.used = 0;
  meter.limit = PerCallLimit;
  let value: unknown;
  let error: string | undefined;
  try {
    value = p(ctx);
  } catch (err) {
    error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  } finally {
    meter.limit = Number.POSITIVE_INFINITY;
  }
  if (meter.used > PerCallLimit || error === new CostLimitExceeded().message) return { costError: 'call' };
  st.budget -= meter.used;
  if (st.budget < 0) return { costError: 'budget' };
  if (error !== undefined) return { error: userNames(error.replace(/^No such key/, 'no such key')) };
  return { value };
}

/** JSON values as CEL sees them under their schema: integers are int (bigint), metadata at a resource root only name/generateName. */
function toCel(v: unknown, s: JSONSchemaProps | undefined, resourceRoot: boolean): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items, s?.items?.['x-kubernetes-embedded-resource'] === true));
  if (typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out = Object.create(null) as Record<string, unknown>;
  const ap = isPlainObject(s?.additionalProperties) ? (s!.additionalProperties as JSONSchemaProps) : undefined;
  for (const k of Object.keys(o)) {
    if (resourceRoot && k === 'metadata' && isPlainObject(o.metadata)) {
      const m = Object.create(null) as Record<string, unknown>;
      if (o.metadata.name !== undefined) m.name = o.metadata.name;
      if (o.metadata.generateName !== undefined) m.generateName = o.metadata.generateName;
      out.metadata = m;
      continue;
    }
    const ps = s?.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : ap;
    out[k] = toCel(o[k], ps, ps?.['x-kubernetes-embedded-resource'] === true);
  }
  return out;
}

const blocking = new Set<FieldError['type']>(['NotSupported', 'Required', 'TooLong', 'TooMany', 'TypeInvalid']);

/**
 * kube-apiserver skips the rules when the object already has type errors or
 * unsupported values (hasBlockingErr in the CR strategy) and says so.
 */
export function hasBlockingErrors(errs: readonly FieldError[]): FieldError | undefined {
  if (!errs.some((e) => blocking.has(e.type))) return undefined;
  return invalid(rootPath, null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
}
