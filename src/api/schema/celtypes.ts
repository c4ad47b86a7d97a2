// Compile-time type checking of CRD validation rules against the structural
// schema, as kube-apiserver does when a CRD is written (apiserver
// pkg/cel/common/schemas.go SchemaDeclType; apiextensions compilation.go):
// `self.replicas > 'a'` with an integer `replicas` is refused at CRD creation
// with cel-go's wording (`compilation failed: ERROR: <input>:1:15: found no
// matching overload for '_>_' applied to '(int, string)'` and the caret line).
//
// Key idea: cel-js's own checker does the work. Each scope gets a clone of the
// validation environment in which `self`/`oldSelf` have the scope's declared
// type: integer → int, number → double, string → string, boolean → bool,
// array → list<T>, additionalProperties → map<string, T>, properties → an
// object type with exactly those fields (plus apiVersion, kind and
// metadata{name, generateName} at a resource root). Evaluation keeps dynamic
// values (cel.ts); this environment is only used to check.
//
// Trade-off, leaning towards accepting: where our declared type could be
// narrower than kube's or cel-js's checker differs from cel-go's, the type is
// dyn or the error is not reported (evaluation still reports it):
// x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields and
// embedded resources are dyn; strings with a format kube types otherwise
// (date-time, date, duration, byte) are dyn; objects with property names that
// are not CEL identifiers are map<string, dyn>; only errors of the shapes
// cel-go reports the same way are translated (operator and function
// overloads, undefined fields, a result that is not a bool/string); a message
// involving null is left to evaluation (kube's object types accept null).

import type { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from './types.js';
import { isPlainObject } from './types.js';
import { rewriteForValidation } from './cellib.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const objectPrefix = 'choreoObject';
const dynFormats = new Set(['date-time', 'date', 'duration', 'byte']);

/** Declares the CEL type of schema s in env (registering object types); returns its name. */
function declType(env: Environment, s: JSONSchemaProps | undefined, root: boolean, names: { n: number }): string {
  if (!s || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'] || (s['x-kubernetes-embedded-resource'] && !root)) return 'dyn';
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      return s.format && dynFormats.has(s.format) ? 'dyn' : 'string';
    case 'array':
      return `list<${declType(env, s.items, s.items?.['x-kubernetes-embedded-resource'] === true, names)}>`;
    case 'object': {
      if (isPlainObject(s.additionalProperties)) return `map<string, ${declType(env, s.additionalProperties as JSONSchemaProps, false, names)}>`;
      if (s.additionalProperties === true || s['x-kubernetes-embedded-resource']) return 'dyn';
      const props = s.properties ?? {};
      if (Object.keys(props).some((k) => !identifier.test(k) || reserved.has(k))) return 'map<string, dyn>';
      const fields: Record<string, string> = {};
      if (root) {
        fields.apiVersion = 'string';
        fields.kind = 'string';
        fields.metadata = declType(env, { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } }, false, names);
      }
      for (const [k, p] of Object.entries(props)) if (!(root && k in fields)) fields[k] = declType(env, p, p['x-kubernetes-embedded-resource'] === true, names);
      const name = `${objectPrefix}${names.n++}`;
      env.registerType(name, { fields });
      // cel-go compares any two values of one type; cel-js needs == declared for custom types (it derives !=).
      env.registerOperator(`${name} == ${name}`, () => true);
      return name;
    }
    default:
      return 'dyn';
  }
}

const envs = new WeakMap<JSONSchemaProps, Map<string, Environment>>();

/** The checking environment of one scope (cached per schema node); with optionalOldSelf, oldSelf is optional<T>. */
function scopeEnv(base: Environment, scope: JSONSchemaProps, root: boolean, optionalOldSelf: boolean): Environment {
  let byKind = envs.get(scope);
  if (!byKind) envs.set(scope, (byKind = new Map()));
  const key = `${root}/${optionalOldSelf}`;
  let env = byKind.get(key);
  if (!env) {
    env = base.clone();
    const t = declType(env, scope, root, { n: 0 });
    env.registerVariable('self', t);
    env.registerVariable('oldSelf', optionalOldSelf ? `optional<${t}>` : t);
    byKind.set(key, env);
  }
  return env;
}

/** cel-js type names as cel-go prints them: list(int), map(string, object). */
function goTypeName(t: string): string {
  return t
    .replace(new RegExp(`${objectPrefix}\\d+`, 'g'), 'object')
    .replace(/</g, '(')
    .replace(/>/g, ')');
}

export interface TypeIssue {
  /** Offset in the source where cel-go puts the caret. */
  offset: number;
  message: string;
}

interface CheckNode {
  op: string;
  args: unknown;
  start: number;
  end: number;
  pos: number;
}

const binary = /^no such overload: (.+) (==|!=|<=|>=|<|>|\+|-|\*|\/|%|in|&&|\|\|) (.+)$/;
const unary = /^no such overload: (!|-)(.+)$/;
const call = /^found no matching overload for '(?:(.+)\.)?([A-Za-z_][A-Za-z0-9_]*)\((.*)\)'$/;
const noKey = /^No such key: (.+)$/;

/** Where cel-go reports a node's error: the operator, the call's '(' or the selection's '.'. */
function caret(src: string, node: CheckNode | undefined, token: string): number {
  if (!node) return 0;
  if (node.op === 'call' || node.op === 'rcall') {
    const name = (node.args as unknown[])[0] as string;
    const at = src.indexOf(`${name}(`, node.start);
    return at >= 0 ? at + name.length : node.start;
  }
  const args = node.args as CheckNode[] | CheckNode;
  const from = Array.isArray(args) && args.length === 2 && typeof args[0] === 'object' ? args[0].end : node.start;
  const at = src.indexOf(token, from);
  return at >= 0 ? at : node.start;
}

/**
 * Type-checks src (a rule when want is 'bool', a messageExpression when 'string')
 * with self/oldSelf typed by scope; returns cel-go's issue, or undefined when it
 * checks or the difference is one we leave to evaluation (see header).
 */
export function typeIssue(base: Environment, src: string, scope: JSONSchemaProps, root: boolean, want: 'bool' | 'string', optionalOldSelf = false): TypeIssue | 'result' | undefined {
  let checked: { valid: boolean; type?: string; error?: { message: string; node?: CheckNode } };
  try {
    const parsed = scopeEnv(base, scope, root, optionalOldSelf).parse(src);
    rewriteForValidation(parsed.ast);
    checked = parsed.check() as typeof checked;
  } catch {
    return undefined; // what the untyped compilation accepted and this cannot parse is not ours to refuse
  }
  if (checked.valid) return checked.type === want || checked.type === 'dyn' ? undefined : 'result';
  const msg = (checked.error?.message ?? '').split('\n')[0]!;
  const node = checked.error?.node;
  if (/\bnull\b/.test(msg)) return undefined;
  let m: RegExpExecArray | null;
  if ((m = binary.exec(msg))) {
    const op = m[2] === 'in' ? '@in' : `_${m[2]}_`;
    return { offset: caret(src, node, m[2]!), message: `found no matching overload for '${op}' applied to '(${goTypeName(m[1]!)}, ${goTypeName(m[3]!)})'` };
  }
  if ((m = unary.exec(msg))) return { offset: node?.start ?? 0, message: `found no matching overload for '${m[1]}_' applied to '(${goTypeName(m[2]!)})'` };
  if ((m = call.exec(msg))) {
    const recv = m[1] ? `${goTypeName(m[1])}.` : '';
    return { offset: caret(src, node, m[2]!), message: `found no matching overload for '${m[2]}' applied to '${recv}(${goTypeName(m[3]!)})'` };
  }
  if ((m = noKey.exec(msg))) return { offset: Math.max(0, (node?.pos ?? 1) - 1), message: `undefined field '${m[1]}'` };
  return undefined;
}
