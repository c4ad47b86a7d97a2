// pongo2's value semantics (flosch/pongo2 v6 value.go) for the JSON data a
// reconciler renders: how a value prints, is true, converts to a number,
// has a length, compares and is iterated.
//
// Go keeps int and float64 apart and pongo2 prints them differently (5 vs
// 5.000000); JSON-shaped data in JavaScript has one number type. So an
// integral number is an int (Kubernetes decodes JSON integers as int64), a
// fractional one a float, and a float that happens to be integral (a `5.0`
// literal, `|float`, float arithmetic) is boxed as GoFloat. Strings a macro
// returns are "safe" (never autoescaped): boxed as SafeString. Every operation
// unwraps both through the helpers below.

/** A float64 whose value may be integral (5.0), which a plain number cannot say. */
export class GoFloat {
  constructor(readonly n: number) {}
}

/** A string exempt from autoescaping (a macro's output, pongo2's AsSafeValue). */
export class SafeString {
  constructor(readonly s: string) {}
}

/** What `{% cycle ... as name %}` stores: prints as its current value, and a later `{% cycle name %}` advances it. */
export class CycleValue {
  constructor(
    /** The cycle tag that made it (its arguments and position live in the render state). */
    readonly node: object,
    public value: unknown,
  ) {}
}

/** Lists built by filters from strings (split, make_list) are []string in Go, which shows when printed. */
export const stringLists = new WeakSet<unknown[]>();

export type Fn = (args: unknown[]) => unknown;

/** The plain value: boxes removed. */
export function plain(v: unknown): unknown {
  if (v instanceof SafeString) return v.s;
  if (v instanceof GoFloat) return v.n;
  return v;
}

export const isNil = (v: unknown): boolean => v === undefined || v === null;
export const isString = (v: unknown): boolean => typeof v === 'string' || v instanceof SafeString;
export const isFloat = (v: unknown): boolean => v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v));
export const isInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
export const isNumber = (v: unknown): boolean => typeof v === 'number' || v instanceof GoFloat;
export const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat) && !(v instanceof SafeString);

/** Go's %f: six decimals. */
const fmtFloat = (n: number): string => (Number.isFinite(n) ? n.toFixed(6) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

/** Value.String(): nil is "", bools True/False, floats %f; a list or map prints as reflect does ("<[]interface {} Value>"). */
export function str(v: unknown): string {
  if (isNil(v)) return '';
  if (typeof v === 'string') return v;
  if (v instanceof SafeString) return v.s;
  if (isFloat(v)) return fmtFloat(plain(v) as number);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'function') return '<func Value>';
  if (v instanceof CycleValue) return str(v.value);
  if (Array.isArray(v)) return stringLists.has(v) ? '<[]string Value>' : '<[]interface {} Value>';
  return '<map[string]interface {} Value>';
}

/** Value.Integer(): floats truncate, strings parse as floats (else 0), anything else is 0. */
export function integer(v: unknown): number {
  const p = plain(v);
  if (typeof p === 'number') return Math.trunc(p);
  if (typeof p === 'string') {
    const f = parseGoFloat(p);
    return f === undefined ? 0 : Math.trunc(f);
  }
  return 0;
}

/** Value.Float(). */
export function float(v: unknown): number {
  const p = plain(v);
  if (typeof p === 'number') return p;
  if (typeof p === 'string') return parseGoFloat(p) ?? 0;
  return 0;
}

/** strconv.ParseFloat: no surrounding spaces, "inf"/"nan" allowed, underscores not. */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(s)) return Number(s.replace(/^\+/, ''));
  const l = s.toLowerCase().replace(/^[+-]/, '');
  if (l === 'inf' || l === 'infinity') return s.startsWith('-') ? -Infinity : Infinity;
  if (l === 'nan') return NaN;
  return undefined;
}

/** A float result keeps its float-ness even when integral. */
export const asFloat = (n: number): GoFloat | number => (Number.isInteger(n) ? new GoFloat(n) : n);

/** Value.IsTrue(): numbers non-zero, strings/lists/maps non-empty, bools as they are, nil false. */
export function isTrue(v: unknown): boolean {
  const p = plain(v);
  if (typeof p === 'number') return p !== 0;
  if (typeof p === 'string') return p.length > 0;
  if (typeof p === 'boolean') return p;
  if (Array.isArray(p)) return p.length > 0;
  if (isMap(p)) return Object.keys(p).length > 0;
  return false;
}

/** Value.Negate() (`not` / `!`). */
export function negate(v: unknown): unknown {
  const p = plain(v);
  if (isInteger(v)) return p === 0 ? 1 : 0;
  if (isFloat(v)) return p !== 0 ? new GoFloat(0) : new GoFloat(1.1); // sic: pongo2 negates 0.0 to 1.1
  if (typeof p === 'string' || Array.isArray(p)) return p.length === 0;
  if (isMap(p)) return Object.keys(p).length === 0;
  if (typeof p === 'boolean') return !p;
  return true;
}

/** Value.Len(): runes of a string, items of a list or map, else 0. */
export function len(v: unknown): number {
  const p = plain(v);
  if (typeof p === 'string') return [...p].length;
  if (Array.isArray(p)) return p.length;
  if (isMap(p)) return Object.keys(p).length;
  return 0;
}

export const canSlice = (v: unknown): boolean => isString(v) || Array.isArray(v);

/** Value.Index(i) of a string (a rune) or list. */
export function index(v: unknown, i: number): unknown {
  const p = plain(v);
  if (Array.isArray(p)) return i < p.length ? p[i] : null;
  if (typeof p === 'string') return [...p][i] ?? '';
  return [];
}

/** Value.Slice(i, j) of a string (runes) or list. */
export function slice(v: unknown, i: number, j: number): unknown {
  const p = plain(v);
  if (Array.isArray(p)) {
    const out = p.slice(i, j);
    if (stringLists.has(p)) stringLists.add(out);
    return out;
  }
  if (typeof p === 'string') return [...p].slice(i, j).join('');
  return [];
}

/** Value.EqualValueTo: ints by value, otherwise Go's interface equality (same type and value; lists and maps never equal). */
export function equal(a: unknown, b: unknown): boolean {
  if (isInteger(a) && isInteger(b)) return a === b;
  if (isFloat(a) !== isFloat(b)) return false;
  const pa = plain(a);
  const pb = plain(b);
  if (isNil(pa) || isNil(pb)) return isNil(pa) && isNil(pb);
  if (typeof pa === 'object' || typeof pb === 'object') return false;
  return pa === pb;
}

/** Value.Contains (`in`): substring, list member, map key (string or int). */
export function contains(container: unknown, item: unknown): boolean {
  const c = plain(container);
  if (typeof c === 'string') return c.includes(str(item));
  if (Array.isArray(c)) return c.some((x) => equal(item, x));
  if (isMap(c)) {
    const k = plain(item);
    return (typeof k === 'string' || isInteger(k)) && Object.prototype.hasOwnProperty.call(c, String(k));
  }
  return false;
}

/** pongo2's sort order (sortedKeys / valuesList): ints, then floats numerically, else by string. */
function compare(a: unknown, b: unknown): number {
  if (isInteger(a) && isInteger(b)) return (a as number) - (b as number);
  if (isFloat(a) && isFloat(b)) return float(a) - float(b);
  const sa = str(a);
  const sb = str(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Value.IterateOrder: a map yields (key, value), a list or string its items
 * (the value is undefined). pongo2 visits a map in Go's random order unless
 * `sorted`; we always sort its keys, one of the orders Go may pick.
 */
export function iterate(v: unknown, reverse: boolean, sorted: boolean): Array<[unknown, unknown]> | undefined {
  const p = plain(v);
  if (isMap(p)) {
    const keys = Object.keys(p).sort(compare);
    if (sorted && reverse) keys.reverse();
    return keys.map((k) => [k, p[k]]);
  }
  if (Array.isArray(p)) {
    const items = [...p];
    if (sorted) {
      items.sort(compare);
      if (reverse) items.reverse();
    } else if (reverse) items.reverse();
    return items.map((x) => [x, undefined]);
  }
  if (typeof p === 'string') {
    if (sorted) throw new Error('sorted iteration over a string is not supported (pongo2 panics here)');
    const chars = [...p];
    if (reverse) chars.reverse();
    return chars.map((c) => [c, undefined]);
  }
  return undefined;
}

/** reflect's Kind name, for pongo2's "can't access a field by name on type ..." errors. */
export function kindName(v: unknown): string {
  const p = plain(v);
  if (typeof p === 'string') return 'string';
  if (typeof p === 'boolean') return 'bool';
  if (typeof p === 'number') return isFloat(v) ? 'float64' : 'int64';
  if (Array.isArray(p)) return 'slice';
  if (typeof p === 'function') return 'func';
  return isMap(p) ? 'map' : 'invalid';
}
