// Expression selectors, as the original choreo defines them for reconciler
// `for`, `owns` and `watches`:
//
//   selector:
//     match: {<expr>: <value>}                       # expr evaluated on the object == value
//     matchExpressions: [{expression, operator, values}]
//
// An expression is a field path on the object in CEL member syntax
// (`metadata.name`, `spec.partition`, `metadata.labels['a/b']`, `spec.items[0]`);
// the original evaluates it with CEL and compares its `%v` string form, which we
// reproduce for scalars. For `watches` the same `match` map is read as a join:
// KEY is evaluated on the watched object and VALUE is an expression on the For
// objects; the For objects whose VALUE equals the watched object's KEY are
// re-triggered.

export type Operator = 'Equals' | 'DoubleEquals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'GreaterThan' | 'LessThan' | 'Gt' | 'Lt';

export interface ExpressionSelectorSpec {
  match?: Record<string, string>;
  matchExpressions?: Array<{ expression: string; operator: Operator; values?: string[] }>;
  /** Kubernetes label selectors are accepted too. */
  matchLabels?: Record<string, string>;
}

type Segment = string | number;

/** Compiles `a.b['c'][0]` into path segments; throws with the offending column on bad syntax. */
export function compilePath(expr: string): Segment[] {
  const segs: Segment[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`invalid expression '${expr}' at column ${i + 1}: ${msg}`);
  };
  const ident = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expr.slice(i));
    if (!m) fail('expected a field name');
    i += m![0].length;
    segs.push(m![0]);
  };
  ident();
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.') {
      i++;
      ident();
    } else if (c === '[') {
      i++;
      const q = expr[i];
      if (q === '"' || q === "'") {
        const end = expr.indexOf(q, i + 1);
        if (end < 0) fail('unterminated string');
        segs.push(expr.slice(i + 1, end));
        i = end + 1;
      } else {
        const m = /^\d+/.exec(expr.slice(i));
        if (!m) fail('expected an index or a quoted key');
        segs.push(Number(m![0]));
        i += m![0].length;
      }
      if (expr[i] !== ']') fail("expected ']'");
      i++;
    } else fail(`unexpected '${c}'`);
  }
  return segs;
}

export function evalPath(obj: unknown, path: Segment[]): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object') return { found: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[s];
    if (cur === undefined) return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

/** The string form the original compares (Go's %v of the CEL value, for scalars). */
export function valueString(v: unknown): string {
  if (v === null) return 'nil';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export type ObjectPredicate = (obj: unknown) => boolean;

interface Requirement {
  path: Segment[];
  op: Operator;
  values: string[];
}

/** Compiles a selector into a predicate. An absent or empty selector matches everything. */
export function compileSelector(sel: ExpressionSelectorSpec | undefined | null): ObjectPredicate {
  if (!sel) return () => true;
  const reqs: Requirement[] = [];
  for (const [expr, value] of Object.entries(sel.match ?? {})) reqs.push({ path: compilePath(expr), op: 'Equals', values: [String(value)] });
  for (const [k, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ path: ['metadata', 'labels', k], op: 'Equals', values: [String(value)] });
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).map(String);
    checkArity(e.expression, e.operator, values);
    // Kubernetes label selector form {key, operator, values} is accepted as a label path.
    const expr = e.expression ?? (e as unknown as { key?: string }).key;
    const path = e.expression ? compilePath(expr) : ['metadata', 'labels', expr];
    reqs.push({ path, op: e.operator, values });
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
  const { found, value } = evalPath(obj, r.path);
  const s = found ? valueString(value) : '';
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
 * A watch join: from a watched object, the predicate selecting the For objects
 * to re-trigger, or undefined if a KEY expression does not resolve on it.
 */
export function compileWatchJoin(sel: ExpressionSelectorSpec): (watched: unknown) => ObjectPredicate | undefined {
  const pairs = Object.entries(sel.match ?? {}).map(([watchExpr, forExpr]) => ({ watch: compilePath(watchExpr), for: compilePath(String(forExpr)) }));
  return (watched) => {
    const wanted: Array<{ path: Segment[]; value: string }> = [];
    for (const p of pairs) {
      const { found, value } = evalPath(watched, p.watch);
      if (!found) return undefined;
      wanted.push({ path: p.for, value: valueString(value) });
    }
    return (forObj) =>
      wanted.every((w) => {
        const r = evalPath(forObj, w.path);
        return r.found && valueString(r.value) === w.value;
      });
  };
}
