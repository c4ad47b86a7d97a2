// The JSONPath subset CRD additionalPrinterColumns use (kubectl/k8s
// "simple JSONPath"): `.a.b`, `.a[0]`, `.a[*].b`, `['key.with.dots']`, `a\.b` and
// filters `[?(@.type=="Ready")]` with == / != against a string, number or
// boolean literal. Expressions are compiled once per column into a list of
// steps; evaluation returns every match (the table takes the first).

import { ownValue } from '../api/object.js';

export type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; value?: unknown };

export class JsonPathError extends Error {}

/** Compiles `{.a.b}` or `.a.b`; throws JsonPathError on syntax it does not support. */
export function compileJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      if (s[i] === '.') throw new JsonPathError(`recursive descent is not supported in ${JSON.stringify(expr)}`);
      let j = i;
      let name = '';
      while (j < s.length && s[j] !== '.' && s[j] !== '[') {
        if (s[j] === '\\' && j + 1 < s.length) j++; // `\.` is a literal dot in a key (app\.kubernetes\.io/name)
        name += s[j++];
      }
      if (name === '*') steps.push({ kind: 'all' });
      else if (name !== '') steps.push({ kind: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = findClose(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1).replace(/\\(.)/g, '$1') });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(compileFilter(inner.slice(2, -1).trim(), expr));
      else throw new JsonPathError(`unsupported JSONPath segment [${inner}] in ${JSON.stringify(expr)}`);
    } else throw new JsonPathError(`unexpected ${JSON.stringify(c)} at ${i} in ${JSON.stringify(expr)}`);
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let quote = '';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new JsonPathError(`unclosed [ in ${JSON.stringify(s)}`);
}

function compileFilter(f: string, expr: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_-]+)+)\s*(?:(==|!=)\s*(.+))?$/.exec(f);
  if (!m) throw new JsonPathError(`unsupported filter ${JSON.stringify(f)} in ${JSON.stringify(expr)}`);
  const path = m[1].split('.').slice(1);
  if (!m[2]) return { kind: 'filter', path, op: 'exists' };
  const lit = m[3].trim();
  let value: unknown;
  if (/^'.*'$|^".*"$/.test(lit)) value = lit.slice(1, -1);
  else if (lit === 'true' || lit === 'false') value = lit === 'true';
  else if (!Number.isNaN(Number(lit))) value = Number(lit);
  else throw new JsonPathError(`unsupported literal ${lit} in ${JSON.stringify(expr)}`);
  return { kind: 'filter', path, op: m[2] as '==' | '!=', value };
}

/** Every value the path selects, in document order. */
export function evalJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      switch (st.kind) {
        case 'field':
          if (!Array.isArray(v)) {
            const x = ownValue(v as Record<string, unknown>, st.name);
            if (x !== undefined) next.push(x);
          }
          break;
        case 'index':
          if (Array.isArray(v)) {
            const x = v[st.index < 0 ? v.length + st.index : st.index];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'all':
          next.push(...(Array.isArray(v) ? v : Object.values(v)));
          break;
        case 'filter':
          if (Array.isArray(v))
            for (const item of v) {
              let x: unknown = item;
              for (const p of st.path) x = x !== null && typeof x === 'object' ? ownValue(x as Record<string, unknown>, p) : undefined;
              if (st.op === 'exists' ? x !== undefined : st.op === '==' ? x === st.value : x !== undefined && x !== st.value) next.push(item);
            }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
