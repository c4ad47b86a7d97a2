// Label selectors, Kubernetes syntax and semantics (field selectors: fieldselector.ts).
//
// A selector is parsed once into a list of requirements (AND-ed) and compiled
// into a `matches` closure, so list and watch filtering costs one closure call
// per object. Parse failures throw an ApiError('BadRequest') whose message
// follows apimachinery's wording ("unable to parse requirement: found 'x',
// expected: '('") so a client sees the familiar text.
//
// Exported API:
//   parseLabelSelector(s)            → LabelSelectorMatcher   (string form: "a=b,c in (x,y),!d")
//   labelSelectorMatcher(sel)        → LabelSelectorMatcher   (metav1.LabelSelector object; undefined matches nothing)
//   labelSelectorToString(sel)       → string                 (object → string form, "" when empty)
//   validateLabelSelector(sel, path) → FieldError[]           (structural checks of a LabelSelector object)
//   labelKeyErrors(key) / labelValueErrors(value) → string[]
//   re-exported from fieldselector.ts: parseFieldSelector, formatFieldSelector, fieldValue, FieldSelectorMatcher

import { ApiError } from './errors.js';
import { type FieldError, invalid, required, forbidden } from './fielderrors.js';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'GreaterThan' | 'LessThan';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[]; // sorted; one value for Equals/NotEquals/Gt/Lt, none for Exists/DoesNotExist
}

export interface LabelSelectorMatcher {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector selects everything. */
  readonly empty: boolean;
  /** False for the selector that selects nothing (an absent LabelSelector object). */
  readonly selectable: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

export interface LabelSelectorRequirementObject {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementObject[];
}

// ---------------------------------------------------------------------------
// Label key / value validation (apimachinery util/validation)

const nameRe = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns the problems with a label key (qualified name), empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  let name = key;
  const slash = key.indexOf('/');
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
    else if (!dnsSubdomainRe.test(prefix)) errs.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  else if (!nameRe.test(name)) errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return errs;
}

/** Returns the problems with a label value, empty when valid ("" is valid). */
export function labelValueErrors(value: string): string[] {
  if (value === '') return [];
  if (value.length > 63) return ['must be no more than 63 characters'];
  if (!nameRe.test(value)) return ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"];
  return [];
}

// ---------------------------------------------------------------------------
// Lexer for the string form

type Tok =
  | { t: 'id'; v: string }
  | { t: 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'end'; v: string };

const specialChars = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lexLabels(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (specialChars.has(c)) {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: two, v: two });
        i += 2;
      } else {
        out.push({ t: c as '=', v: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < s.length && !specialChars.has(s[j]) && !' \t\n\r'.includes(s[j])) j++;
    const word = s.slice(i, j);
    if (word === 'in') out.push({ t: 'in', v: word });
    else if (word === 'notin') out.push({ t: 'notin', v: word });
    else out.push({ t: 'id', v: word });
    i = j;
  }
  out.push({ t: 'end', v: '' });
  return out;
}

function parseErr(msg: string): ApiError {
  return new ApiError('BadRequest', `unable to parse requirement: ${msg}`);
}

function describe(t: Tok): string {
  return t.t === 'end' ? 'end of string' : t.v;
}

/** Parses the Kubernetes string form of a label selector. "" selects everything. */
export function parseLabelSelector(s: string): LabelSelectorMatcher {
  const toks = lexLabels(s);
  let p = 0;
  const reqs: LabelRequirement[] = [];
  if (toks[0].t === 'end') return compileLabelRequirements(reqs, true);
  for (;;) {
    // requirement
    let tok = toks[p];
    let negated = false;
    if (tok.t === '!') {
      negated = true;
      tok = toks[++p];
    }
    if (tok.t !== 'id') throw parseErr(`found '${describe(tok)}', expected: identifier`);
    const key = tok.v;
    checkKey(key);
    p++;
    const next = toks[p];
    if (negated || next.t === ',' || next.t === 'end') {
      if (negated && next.t !== ',' && next.t !== 'end') throw parseErr(`found '${describe(next)}', expected: ',' or 'end of string'`);
      reqs.push({ key, operator: negated ? 'DoesNotExist' : 'Exists', values: [] });
    } else {
      const op = next;
      p++;
      switch (op.t) {
        case '=':
        case '==':
        case '!=':
        case '>':
        case '<': {
          const v = toks[p];
          let value = '';
          // An exact-match value may be empty: "a=" selects a="" (and the next token is ',' or end).
          if (v.t === 'id' || v.t === 'in' || v.t === 'notin') {
            value = v.v;
            p++;
          } else if (v.t !== ',' && v.t !== 'end') {
            throw parseErr(`found '${describe(v)}', expected: identifier`);
          }
          if (op.t === '>' || op.t === '<') {
            if (!/^-?\d+$/.test(value)) throw parseErr(`for 'Gt', 'Lt' operators, the value must be an integer`);
          } else checkValue(key, value);
          const operator: LabelOperator = op.t === '!=' ? 'NotEquals' : op.t === '>' ? 'GreaterThan' : op.t === '<' ? 'LessThan' : 'Equals';
          reqs.push({ key, operator, values: [value] });
          break;
        }
        case 'in':
        case 'notin': {
          if (toks[p].t !== '(') throw parseErr(`found '${describe(toks[p])}', expected: '('`);
          p++;
          const values = new Set<string>();
          // values: VALUE ("," VALUE)* — VALUE may be empty ("(a,,b)", "()")
          for (;;) {
            const v = toks[p];
            if (v.t === 'id' || v.t === 'in' || v.t === 'notin') {
              checkValue(key, v.v);
              values.add(v.v);
              p++;
            } else if (v.t === ',' || v.t === ')') {
              values.add('');
            } else {
              throw parseErr(`found '${describe(v)}', expected: ',', ')' or identifier`);
            }
            const sep = toks[p];
            if (sep.t === ',') {
              p++;
              continue;
            }
            if (sep.t === ')') {
              p++;
              break;
            }
            throw parseErr(`found '${describe(sep)}', expected: ',' or ')'`);
          }
          reqs.push({ key, operator: op.t === 'in' ? 'In' : 'NotIn', values: [...values].sort() });
          break;
        }
        default:
          throw parseErr(`found '${describe(op)}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const after = toks[p];
    if (after.t === 'end') break;
    if (after.t !== ',') throw parseErr(`found '${describe(after)}', expected: ',' or 'end of string'`);
    p++;
  }
  return compileLabelRequirements(reqs, true);
}

function checkKey(key: string): void {
  const errs = labelKeyErrors(key);
  if (errs.length) throw parseErr(`invalid label key "${key}": ${errs.join('; ')}`);
}

function checkValue(key: string, value: string): void {
  const errs = labelValueErrors(value);
  if (errs.length) throw parseErr(`invalid label value: "${value}": at key: "${key}": ${errs.join('; ')}`);
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${r.values[0]}`;
    case 'NotEquals':
      return `${r.key}!=${r.values[0]}`;
    case 'GreaterThan':
      return `${r.key}>${r.values[0]}`;
    case 'LessThan':
      return `${r.key}<${r.values[0]}`;
    case 'In':
      return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
  }
}

function requirementMatcher(r: LabelRequirement): (labels: Record<string, string>) => boolean {
  const { key } = r;
  const has = (l: Record<string, string>) => Object.prototype.hasOwnProperty.call(l, key);
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return (l) => !has(l);
    case 'Equals': {
      const v = r.values[0];
      return (l) => has(l) && l[key] === v;
    }
    case 'NotEquals': {
      const v = r.values[0];
      return (l) => !has(l) || l[key] !== v;
    }
    case 'In': {
      const set = new Set(r.values);
      return (l) => has(l) && set.has(l[key]);
    }
    case 'NotIn': {
      const set = new Set(r.values);
      return (l) => !has(l) || !set.has(l[key]);
    }
    case 'GreaterThan':
    case 'LessThan': {
      const bound = Number(r.values[0]);
      const gt = r.operator === 'GreaterThan';
      return (l) => {
        if (!has(l) || !/^-?\d+$/.test(l[key])) return false;
        const n = Number(l[key]);
        return gt ? n > bound : n < bound;
      };
    }
  }
}

function compileLabelRequirements(reqs: LabelRequirement[], selectable: boolean): LabelSelectorMatcher {
  // Sorted by key like apimachinery, so String() is canonical.
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fns = sorted.map(requirementMatcher);
  const str = sorted.map(requirementString).join(',');
  const noLabels: Record<string, string> = {};
  return {
    requirements: sorted,
    empty: selectable && sorted.length === 0,
    selectable,
    matches(labels) {
      if (!selectable) return false;
      const l = labels ?? noLabels;
      for (const f of fns) if (!f(l)) return false;
      return true;
    },
    toString: () => str,
  };
}

/** Problems of a LabelSelector object as field errors (apimachinery's ValidateLabelSelector). */
export function validateLabelSelector(sel: LabelSelector | undefined, path = 'selector'): FieldError[] {
  const errs: FieldError[] = [];
  if (!sel) return errs;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    for (const e of labelKeyErrors(k)) errs.push(invalid(`${path}.matchLabels`, k, e));
    for (const e of labelValueErrors(String(v))) errs.push(invalid(`${path}.matchLabels`, v, e));
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, String(e.operator), 'not a valid selector operator'));
    }
    for (const err of labelKeyErrors(e.key ?? '')) errs.push(invalid(`${p}.key`, e.key, err));
  });
  return errs;
}

/**
 * Compiles a metav1.LabelSelector object. As in Kubernetes, an absent selector
 * (undefined/null) selects nothing and an empty one `{}` selects everything.
 * Throws ApiError('BadRequest') on a malformed selector.
 */
export function labelSelectorMatcher(sel: LabelSelector | undefined | null): LabelSelectorMatcher {
  if (sel === undefined || sel === null) return compileLabelRequirements([], false);
  const reqs: LabelRequirement[] = [];
  for (const [key, v] of Object.entries(sel.matchLabels ?? {})) {
    checkKey(key);
    checkValue(key, String(v));
    reqs.push({ key, operator: 'Equals', values: [String(v)] });
  }
  for (const e of sel.matchExpressions ?? []) {
    checkKey(e.key);
    const values = [...new Set(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new ApiError('BadRequest', `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`);
        for (const v of values) checkValue(e.key, v);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new ApiError('BadRequest', `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
        break;
      default:
        throw new ApiError('BadRequest', `"${String(e.operator)}" is not a valid label selector operator`);
    }
    reqs.push({ key: e.key, operator: e.operator, values });
  }
  return compileLabelRequirements(reqs, true);
}

/** The string form of a LabelSelector object ("" for an empty or absent one). */
export function labelSelectorToString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '';
  return labelSelectorMatcher(sel).toString();
}

export { parseFieldSelector, formatFieldSelector, fieldValue, type FieldSelectorMatcher, type FieldRequirement } from './fieldselector.js';
