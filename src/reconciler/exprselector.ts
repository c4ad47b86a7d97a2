// Expression selectors, as the original choreo defines them for reconciler
// `for`, `owns` and `watches`:
//
//   selector:
//     match: {<expr>: <value>}                       # expr evaluated on the object == value
//     matchExpressions: [{expression, operator, values}]
//
// Every expression is CEL (cel.ts: compiled once as `input.<expr>`, a maintained
// library, not our own evaluator): a field path (`metadata.name`,
// `metadata.labels['a/b']`, `spec.items[0]`) is the common case, a macro such as
// `status.conditions.exists(c, c.type == 'Ready')` works too. Results compare in
// Go's `%v` string form, so `"true"` matches a true boolean and `"3"` the int 3;
// an expression that errors or is absent does not match. For `watches` the same
// `match` map is read as a join: KEY is evaluated on the watched object and
// VALUE is an expression on the For objects (or a literal the KEY must equal);
// the For objects whose VALUE equals the watched object's KEY are re-triggered.

import { celLiteral, compileCel, goString, type CelProgram } from './cel.js';

export type Operator = 'Equals' | 'DoubleEquals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'GreaterThan' | 'LessThan' | 'Gt' | 'Lt';

export interface ExpressionSelectorSpec {
  match?: Record<string, string>;
  matchExpressions?: Array<{ expression: string; operator: Operator; values?: string[] }>;
  /** Kubernetes label selectors are accepted too. */
  matchLabels?: Record<string, string>;
}

/**
 * Compiles one selector expression (CEL, see cel.ts) for the `input.<expr>` form
 * the original uses; throws with the offending column on bad syntax.
 */
export function compilePath(expr: string): CelProgram {
  return compileCel(expr);
}

/** The string form the original compares (Go's %v of the CEL value). */
export function valueString(v: unknown): string {
  return goString(v);
}

export type ObjectPredicate = (obj: unknown) => boolean;

interface Requirement {
  value: CelProgram;
  op: Operator;
  values: string[];
}

/** Compiles a selector into a predicate. An absent or empty selector matches everything. */
export function compileSelector(sel: ExpressionSelectorSpec | undefined | null): ObjectPredicate {
  if (!sel) return () => true;
  const reqs: Requirement[] = [];
  for (const [expr, value] of Object.entries(sel.match ?? {})) reqs.push({ value: compileCel(expr), op: 'Equals', values: [String(value)] });
  for (const [k, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ value: labelValue(k), op: 'Equals', values: [String(value)] });
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).map(String);
    checkArity(e.expression, e.operator, values);
    // Kubernetes label selector form {key, operator, values} is accepted as a label path.
    const expr = e.expression ?? (e as unknown as { key?: string }).key;
    reqs.push({ value: e.expression ? compileCel(expr) : labelValue(expr), op: e.operator, values });
  }
  if (reqs.length === 0) return () => true;
  return (obj) => reqs.every((r) => matches(r, obj));
}

function checkArity(expr: string, op: Operator, values: string[]): void {
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) throw new Error(`selector '${expr}': for 'In', 'NotIn' operators, values set can't be empty`);
      return;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
    case 'GreaterThan':
    case 'LessThan':
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) throw new Error(`selector '${expr}': operator ${op} requires exactly one value`);
      return;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) throw new Error(`selector '${expr}': values set must be empty for ${op}`);
      return;
    default:
      throw new Error(`selector '${expr}': unknown operator '${String(op)}' (want In, NotIn, Equals, NotEquals, Exists, DoesNotExist, Gt, Lt)`);
  }
}

function matches(r: Requirement, obj: unknown): boolean {
  const v = r.value(obj);
  const found = v !== undefined;
  const s = v ?? '';
  switch (r.op) {
    case 'Equals':
    case 'DoubleEquals':
      return found && s === r.values[0];
    case 'NotEquals':
      return !found || s !== r.values[0];
    case 'In':
      return found && r.values.includes(s);
    case 'NotIn':
      return !found || !r.values.includes(s);
    case 'Exists':
      return found;
    case 'DoesNotExist':
      return !found;
    case 'GreaterThan':
    case 'Gt':
      return found && Number(s) > Number(r.values[0]);
    case 'LessThan':
    case 'Lt':
      return found && Number(s) < Number(r.values[0]);
  }
}

/**
 * A watch join, as keys: a watched object's KEY values and a For object's
 * VALUE values meet when their `forKey`/`target` strings are equal, so the
 * For objects a watched object re-triggers are an index lookup, not a scan.
 */
export interface WatchJoin {
  /**
   * The For objects a watched object re-triggers: undefined = none (a KEY does
   * not evaluate, or a literal VALUE is not met), null = every one (only
   * literal pairs), else the For-side key to look up.
   */
  target(watched: unknown): string | null | undefined;
  /** A For object's key (its VALUE expressions), undefined when one does not evaluate; absent when every VALUE is a literal. */
  forKey?: (forObj: unknown) => string | undefined;
}

/**
 * Compiles the `match` map of a watch into a join. A VALUE that is a CEL
 * literal (`"true"`, `3`) is a constant the watched object's KEY must produce;
 * any other VALUE is an expression on the For objects.
 */
export function compileWatchJoin(sel: ExpressionSelectorSpec): WatchJoin {
  const pairs = Object.entries(sel.match ?? {}).map(([watchExpr, forExpr]) => {
    const literal = celLiteral(String(forExpr));
    return { watch: compileCel(watchExpr), literal, for: literal === undefined ? compileCel(String(forExpr)) : undefined };
  });
  const forExprs = pairs.flatMap((p) => (p.for ? [p.for] : []));
  return {
    target(watched) {
      let key: string | null = null;
      for (const p of pairs) {
        const got = p.watch(watched);
        if (got === undefined) return undefined;
        if (p.for) key = key === null ? got : `${key}\u0000${got}`;
        else if (got !== p.literal) return undefined;
      }
      return key;
    },
    forKey:
      forExprs.length === 0
        ? undefined
        : (forObj) => {
            let key = '';
            for (let i = 0; i < forExprs.length; i++) {
              const v = forExprs[i](forObj);
              if (v === undefined) return undefined;
              key = i === 0 ? v : `${key}\u0000${v}`;
            }
            return key;
          },
  };
}

/** `metadata.labels[key]` without going through CEL (label keys hold '/' and '.'). */
function labelValue(key: string): CelProgram {
  return (obj) => {
    const labels = (obj as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata?.labels;
    const v = labels && Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
    return v === undefined ? undefined : goString(v);
  };
}
