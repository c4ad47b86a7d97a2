// Field selectors: `metadata.name=x,metadata.namespace!=y,spec.partition=p1`.
//
// Parsed once into requirements and compiled into a `matches` closure. As in
// apimachinery, `=` and `==` are the same, `\` escapes `,` `=` `!` `\` in
// values, and parse failures are ApiError('BadRequest').
//
// Exported API:
//   parseFieldSelector(s) → FieldSelectorMatcher { requirements, empty, fields, matches(obj), toString() }
//   formatFieldSelector(requirements) → string (the inverse of parsing)
//   fieldValue(obj, path) → string   (the string a requirement compares with; absent → "")
//
// Trade-off: any dotted path is accepted (the original choreo lets CRD
// reconcilers select on spec fields); the server decides which fields it
// permits by inspecting `FieldSelectorMatcher.fields`.

import { ApiError } from './errors.js';
import { ownValue } from './object.js';

export interface FieldRequirement {
  field: string;
  operator: 'Equals' | 'NotEquals';
  value: string;
}

export interface FieldSelectorMatcher {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** The field paths the selector uses, for the server to check against what it supports. */
  readonly fields: readonly string[];
  matches(obj: unknown): boolean;
  toString(): string;
}

/**
 * The value a field selector compares with: the dotted path walked through
 * the object, scalars rendered as strings; an absent field is "".
 */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return '';
    cur = ownValue(cur as Record<string, unknown>, part);
  }
  if (cur === undefined || cur === null) return '';
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return JSON.stringify(cur);
}

/** Splits on unescaped separators; `\` escapes the next character. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescapeFieldValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n === '\\' || n === ',' || n === '=' || n === '!') {
        out += n;
        i++;
        continue;
      }
      throw new ApiError('BadRequest', `invalid field selector: invalid escape sequence: \\${n ?? ''}`);
    }
    if (c === ',' || c === '=') throw new ApiError('BadRequest', `invalid field selector: unescaped ${c}`);
    out += c;
  }
  return out;
}

function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=!]/g, (c) => `\\${c}`);
}

/** The selector string of `reqs` (values escaped): what parseFieldSelector reads back. */
export function formatFieldSelector(reqs: readonly FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator === 'Equals' ? '=' : '!='}${escapeFieldValue(r.value)}`).join(',');
}

/** Positions of the first unescaped "!=" and "=" in one requirement. */
function findFieldOperator(part: string): { ne: number; eq: number } {
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '\\') i++;
    else if (c === '!' && part[i + 1] === '=') return { ne: i, eq: i + 1 };
    else if (c === '=') return { ne: -1, eq: i };
  }
  return { ne: -1, eq: -1 };
}

/** Parses "metadata.name=x,spec.foo!=y" ("=" and "==" are the same). "" selects everything. */
export function parseFieldSelector(s: string): FieldSelectorMatcher {
  const reqs: FieldRequirement[] = [];
  if (s.trim() !== '') {
    for (const part of splitUnescaped(s, ',')) {
      if (part.trim() === '') continue;
      let field: string;
      let raw: string;
      let operator: FieldRequirement['operator'];
      const { ne, eq } = findFieldOperator(part);
      if (ne >= 0 && ne < eq) {
        field = part.slice(0, ne);
        raw = part.slice(ne + 2);
        operator = 'NotEquals';
      } else if (eq >= 0) {
        field = part.slice(0, eq);
        raw = part.slice(part.startsWith('==', eq) ? eq + 2 : eq + 1);
        operator = 'Equals';
      } else {
        throw new ApiError('BadRequest', `invalid selector: '${s}'; can't understand '${part}'`);
      }
      field = field.trim();
      if (!/^[A-Za-z0-9_\-/]+(\.[A-Za-z0-9_\-/]+)*$/.test(field)) throw new ApiError('BadRequest', `invalid field selector: invalid field path "${field}"`);
      reqs.push({ field, operator, value: unescapeFieldValue(raw) });
    }
  }
  const checks = reqs.map((r) => {
    const { field, value } = r;
    return r.operator === 'Equals' ? (o: unknown) => fieldValue(o, field) === value : (o: unknown) => fieldValue(o, field) !== value;
  });
  const str = formatFieldSelector(reqs);
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    fields: [...new Set(reqs.map((r) => r.field))],
    matches(obj) {
      for (const c of checks) if (!c(obj)) return false;
      return true;
    },
    toString: () => str,
  };
}
