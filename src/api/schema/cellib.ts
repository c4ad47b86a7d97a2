// CEL environments for user expressions: RE2 `matches`, the Kubernetes CEL
// library that CRD validation rules may call, and a runtime cost meter.
//
// cel-js implements `string.matches` with JavaScript's backtracking RegExp
// (`'aaaa…!'.matches('^(a+)+$')` runs for minutes) and refuses a second
// `matches` overload ("overlaps with existing overload"). Key idea: after
// parsing, `routeMatchesToRE2` renames every `matches` call in the AST to
// `re2Matches`, which we register and which runs Go's regexp (regexp.ts,
// linear time, Go syntax and errors). The AST is rewritten before its first
// type check, so no program ever reaches cel-js's own `matches`.
//
// Cost: cel-js has no cost tracking and evaluates synchronously. Every AST
// node evaluation goes through its Evaluator's `run` method; the validation
// environment wraps that method on its own Evaluator instance (captured once
// through a registered function, whose `this` is the evaluator) so each node
// costs 1 against `meter`, and the library functions below add cost in
// proportion to the sizes they handle (cel-go charges 0.1 per character).
// Exceeding the limit throws at the next node, so a runaway rule stops there.
// Trade-off: costs are node counts, close to but not identical to cel-go's.
//
// Exported API:
//   registerRE2Matches(env), routeMatchesToRE2(ast)   (both environments)
//   rewriteForValidation(ast)                         (validation: matches + optional.value())
//   newValidationEnvironment() → Environment with the Kubernetes library and the meter
//   meter { used, limit }, CostLimitExceeded

import { Environment, EvaluationError, type Optional } from '@marcbachmann/cel-js';
import { compileGoRegexp, isGoRegexpError, type GoRegexp } from './regexp.js';
import { Quantity, parseQuantity, quantityFormatError } from './quantity.js';

const RE2_MATCHES = 're2Matches';

function regexp(pattern: string): GoRegexp {
  const re = compileGoRegexp(pattern);
  if (isGoRegexpError(re)) throw new EvaluationError(re.error);
  return re;
}

/** Registers `string.re2Matches(string)` and `re2Matches(string, string)` (Go RE2 semantics). */
export function registerRE2Matches(env: Environment): Environment {
  const fn = (s: string, p: string) => {
    charge(s.length + p.length);
    return regexp(p).test(s);
  };
  env.registerFunction(`string.${RE2_MATCHES}(string): bool`, fn);
  env.registerFunction(`${RE2_MATCHES}(string, string): bool`, fn);
  return env;
}

interface Node {
  op: string;
  args: unknown;
}
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && 'op' in x && 'args' in x;

/** Renames calls (`name` → `renames[name]`) in a parsed AST; before its first evaluation or check. */
function renameCalls(ast: unknown, renames: Record<string, string>): void {
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    if (!isNode(x)) return;
    if ((x.op === 'rcall' || x.op === 'call') && Array.isArray(x.args) && Object.hasOwn(renames, x.args[0] as string)) x.args[0] = renames[x.args[0] as string];
    visit(x.args);
  };
  visit(ast);
}

/** Routes `matches` to the RE2 implementation (registerRE2Matches). */
export function routeMatchesToRE2(ast: unknown): void {
  renameCalls(ast, { matches: RE2_MATCHES });
}

/**
 * The validation environment's rewrite: RE2 `matches`, and `optional.value()`
 * through a dyn-typed twin — cel-js 8 types `optional<dyn>.value()` so that
 * comparing it (`self >= oldSelf.value()`) fails with "Operator overload …
 * overlaps"; `optValue` returns the same value typed dyn.
 */
export function rewriteForValidation(ast: unknown): void {
  renameCalls(ast, { matches: RE2_MATCHES, value: OPT_VALUE });
}
const OPT_VALUE = 'optValue';

/** A message about a rewritten expression, in the user's names. */
export function userNames(message: string): string {
  return message.replaceAll(RE2_MATCHES, 'matches').replaceAll(OPT_VALUE, 'value');
}

// ---------------------------------------------------------------------------
// The runtime cost meter (one evaluation at a time: evaluation is synchronous)

export class CostLimitExceeded extends Error {
  constructor() {
    super('operation cancelled: actual cost limit exceeded');
  }
}

export const meter = { used: 0, limit: Number.POSITIVE_INFINITY };

function charge(chars: number): void {
  meter.used += Math.ceil(chars / 10);
  if (meter.used > meter.limit) throw new CostLimitExceeded();
}

// ---------------------------------------------------------------------------
// The Kubernetes CEL library (k8s.io/apiserver/pkg/cel/library and cel-go's
// strings extension) as far as cel-js does not already provide it.

const cmp = (a: unknown, b: unknown): number => {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  throw new EvaluationError('no such overload');
};

const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
};

/** A parsed URL (library/urls.go: only absolute URIs and absolute paths are accepted). */
class KubeURL {
  constructor(readonly url: URL | undefined, readonly path: string) {}
}

function parseURL(s: string): KubeURL | undefined {
  if (s.startsWith('/')) return new KubeURL(undefined, s);
  try {
    return new KubeURL(new URL(s), '');
  } catch {
    return undefined;
  }
}

function sumOf(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  if (list.every((x) => typeof x === 'bigint')) return (list as bigint[]).reduce((a, b) => a + b, 0n);
  return list.reduce((a: number, b) => a + Number(b), 0);
}

function extremum(list: unknown[], sign: number, name: string): unknown {
  if (list.length === 0) throw new EvaluationError(`${name}(list) argument must not be empty`);
  let m = list[0];
  for (const x of list) if (cmp(x, m) * sign > 0) m = x;
  return m;
}

/** The `%s`/`%d`/`%f`… verbs of cel-go's string.format. */
function format(f: string, args: unknown[]): string {
  let n = 0;
  return f.replace(/%(?:\.(\d+))?([sdfeboxX%])/g, (_m, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) throw new EvaluationError(`index ${n} out of range`);
    const v = args[n++];
    charge(String(v).length);
    const num = () => {
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new EvaluationError(`error during formatting: ${verb === 'd' ? 'decimal' : 'fixed-point'} clause can only be used on numbers, was given ${typeName(v)}`);
      return v;
    };
    switch (verb) {
      case 's':
        return display(v);
      case 'd':
        return typeof num() === 'bigint' ? String(v) : String(Math.trunc(v as number));
      case 'f':
        return Number(num()).toFixed(precision === undefined ? 6 : Number(precision));
      case 'e':
        return Number(num()).toExponential(precision === undefined ? 6 : Number(precision)).replace(/e([+-])(\d)$/, 'e$10$2');
      case 'b':
        return BigInt(num() as bigint).toString(2);
      case 'o':
        return BigInt(num() as bigint).toString(8);
      default: {
        const hex = typeof v === 'string' ? Buffer.from(v).toString('hex') : BigInt(num() as bigint).toString(16);
        return verb === 'X' ? hex.toUpperCase() : hex;
      }
    }
  });
}

function typeName(v: unknown): string {
  return typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'double' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : v === null ? 'null_type' : Array.isArray(v) ? 'list' : 'map';
}

/** A value as `%s` (and `string()`) shows it: lists and maps in CEL literal form. */
function display(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(display).join(', ')}]`;
  if (typeof v === 'object' && !(v instanceof Quantity)) return `{${Object.keys(v as object).sort().map((k) => `${k}: ${display((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  return String(v);
}

/** The receiver of namespaced functions (`sets.contains(...)`, `strings.quote(...)`): a constant of its own type. */
class Namespace {}

function registerNamespace(env: Environment, name: string): string {
  const type = `${name}Namespace`;
  const ctor = class extends Namespace {};
  env.registerType(type, ctor);
  env.registerConstant(name, type, new ctor());
  return type;
}

function registerKubernetesLibrary(env: Environment): void {
  // Strings (cel-go ext.Strings v2; cel-js has lowerAscii, upperAscii, trim, indexOf, lastIndexOf, substring, split, join).
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const n = Number(i);
    if (n < 0 || n > s.length) throw new EvaluationError(`index out of range: ${n}`);
    return s.charAt(n);
  });
  const replace = (s: string, from: string, to: string, limit: number) => {
    charge(s.length);
    const parts = s.split(from);
    if (limit < 0 || parts.length - 1 <= limit) {
      charge((parts.length - 1) * to.length);
      return parts.join(to);
    }
    charge(limit * to.length);
    return parts.slice(0, limit + 1).join(to) + from + parts.slice(limit + 1).join(from);
  };
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => replace(s, a, b, -1));
  env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => replace(s, a, b, Number(n)));
  env.registerFunction('string.reverse(): string', (s: string) => (charge(s.length), [...s].reverse().join('')));
  const strings = registerNamespace(env, 'strings');
  env.registerFunction(`${strings}.quote(string): string`, (_: Namespace, s: string) => (charge(s.length), JSON.stringify(s)));
  env.registerFunction('string.format(list): string', (f: string, args: unknown[]) => (charge(f.length), format(f, args)));
  // Regex (library/regex.go)
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    charge(s.length + p.length);
    return regexp(p).findAll(s, 1)[0] ?? '';
  });
  const findAll = (s: string, p: string, limit: number) => {
    charge(s.length + p.length);
    return regexp(p).findAll(s, limit);
  };
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => findAll(s, p, Number(n)));
  // Lists (library/lists.go)
  env.registerFunction('list.isSorted(): bool', (l: unknown[]) => {
    charge(l.length * 10);
    for (let i = 1; i < l.length; i++) if (cmp(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list.sum(): dyn', (l: unknown[]) => (charge(l.length * 10), sumOf(l)));
  env.registerFunction('list.min(): dyn', (l: unknown[]) => (charge(l.length * 10), extremum(l, -1, 'min')));
  env.registerFunction('list.max(): dyn', (l: unknown[]) => (charge(l.length * 10), extremum(l, 1, 'max')));
  env.registerFunction('list.indexOf(dyn): int', (l: unknown[], v: unknown) => (charge(l.length * 10), BigInt(l.findIndex((x) => equal(x, v)))));
  env.registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
    charge(l.length * 10);
    for (let i = l.length - 1; i >= 0; i--) if (equal(l[i], v)) return BigInt(i);
    return -1n;
  });
  // URLs (library/urls.go)
  env.registerType('URL', KubeURL);
  env.registerFunction('isURL(string): bool', (s: string) => parseURL(s) !== undefined);
  env.registerFunction('url(string): URL', (s: string) => {
    const u = parseURL(s);
    if (!u) throw new EvaluationError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
    return u;
  });
  env.registerFunction('URL.getScheme(): string', (u: KubeURL) => u.url?.protocol.replace(/:$/, '') ?? '');
  env.registerFunction('URL.getHost(): string', (u: KubeURL) => u.url?.host ?? '');
  env.registerFunction('URL.getHostname(): string', (u: KubeURL) => (u.url?.hostname ?? '').replace(/^\[(.*)\]$/, '$1'));
  env.registerFunction('URL.getPort(): string', (u: KubeURL) => u.url?.port ?? '');
  env.registerFunction('URL.getEscapedPath(): string', (u: KubeURL) => (u.url ? u.url.pathname : u.path.split('?')[0]!));
  env.registerFunction('URL.getQuery(): map<string, list<string>>', (u: KubeURL) => {
    const q: Record<string, string[]> = {};
    const params = u.url ? u.url.searchParams : new URLSearchParams(u.path.split('?')[1] ?? '');
    for (const [k, v] of params) (q[k] ??= []).push(v);
    return q;
  });
  // Quantities (library/quantity.go)
  env.registerType('Quantity', Quantity);
  env.registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined);
  env.registerFunction('quantity(string): Quantity', (s: string) => {
    const q = parseQuantity(s);
    if (!q) throw new EvaluationError(quantityFormatError);
    return q;
  });
  env.registerFunction('Quantity.sign(): int', (q: Quantity) => q.sign());
  env.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) > 0n);
  env.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) < 0n);
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => a.compare(b));
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(b, 1n)));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.sub(b));
  env.registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => a.sub(new Quantity(b, 1n)));
  env.registerFunction('Quantity.isInteger(): bool', (q: Quantity) => q.isInteger());
  env.registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => q.asFloat());
  env.registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
    const v = q.asInteger();
    if (v === undefined) throw new EvaluationError('cannot convert value to integer');
    return v;
  });
  // Sets (cel-go ext.Sets)
  const sets = registerNamespace(env, 'sets');
  const has = (l: unknown[], x: unknown) => l.some((y) => equal(x, y));
  env.registerFunction(`${sets}.contains(list, list): bool`, (_: Namespace, a: unknown[], b: unknown[]) => (charge((a.length * b.length) / 10), b.every((x) => has(a, x))));
  env.registerFunction(`${sets}.equivalent(list, list): bool`, (_: Namespace, a: unknown[], b: unknown[]) => (charge((a.length * b.length) / 5), b.every((x) => has(a, x)) && a.every((x) => has(b, x))));
  env.registerFunction(`${sets}.intersects(list, list): bool`, (_: Namespace, a: unknown[], b: unknown[]) => (charge((a.length * b.length) / 10), b.some((x) => has(a, x))));
}

/**
 * The environment CRD validation rules compile in: `self`/`oldSelf` are dyn,
 * optional types on (`oldSelf.hasValue()`, `self.?field`), RE2 `matches`,
 * the Kubernetes library, and the cost meter on its evaluator.
 */
export function newValidationEnvironment(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  registerRE2Matches(env);
  env.registerFunction(`optional.${OPT_VALUE}(): dyn`, (o: Optional) => o.value());
  registerKubernetesLibrary(env);
  let evaluator: { run(ast: unknown, ctx: unknown): unknown } | undefined;
  env.registerFunction('__choreoBindEvaluator(): bool', function (this: typeof evaluator) {
    evaluator = this;
    return true;
  });
  env.evaluate('__choreoBindEvaluator()');
  if (evaluator) {
    const run = evaluator.run;
    evaluator.run = function (ast, ctx) {
      if (++meter.used > meter.limit) throw new CostLimitExceeded();
      return run.call(this, ast, ctx);
    };
  }
  return env;
}
