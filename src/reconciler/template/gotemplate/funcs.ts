// Go text/template's builtin functions and value formatting, for JSON values.
//
// Go distinguishes int and float64; JSON data decoded by Kubernetes keeps
// integers as int64, so an integral number is an int here (printf %d works,
// `eq 0 (len .x)` compares ints). Printing follows fmt's %v: a missing value
// is `<no value>`, a list `[a b]`, a map `map[k:v]` with sorted keys.

export type Func = (...args: unknown[]) => unknown;

export function typeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** fmt's %v for JSON values. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  return formatInner(v);
}

function formatInner(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatInner).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${formatInner(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // %v of a float64 is %g with the shortest representation: exponent for large/small magnitudes.
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** Go's truth: the zero value of a type is false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function basicKind(v: unknown): string {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === undefined || v === null) return 'nil';
  return 'composite';
}

function eq(a: unknown, ...bs: unknown[]): boolean {
  if (bs.length === 0) throw new Error('missing argument for comparison');
  for (const b of bs) {
    const ka = basicKind(a);
    const kb = basicKind(b);
    if (ka === 'composite' || kb === 'composite') throw new Error(`non-comparable type ${typeName(ka === 'composite' ? a : b)}`);
    if (ka !== kb && ka !== 'nil' && kb !== 'nil') throw new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    if (a === b || (ka === 'nil' && kb === 'nil')) return true;
  }
  return false;
}

function less(name: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (ka !== 'number' && ka !== 'string') throw new Error(`invalid type for ${name}: ${typeName(a)}`);
  return (a as number | string) < (b as number | string);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  throw new Error(`len of ${v === undefined || v === null ? 'nil pointer' : `type ${typeName(v)}`}`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (cur === undefined || cur === null) throw new Error('index of untyped nil');
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new Error(`cannot index slice/array with type ${typeName(k)}`);
      if (k < 0 || k >= cur.length) throw new Error(`index out of range: ${k}`);
      cur = typeof cur === 'string' ? cur.charCodeAt(k) : cur[k];
    } else if (typeof cur === 'object') {
      if (typeof k !== 'string') throw new Error(`value has type ${typeName(k)}; should be string`);
      cur = Object.prototype.hasOwnProperty.call(cur, k) ? (cur as Record<string, unknown>)[k] : undefined; // a key of the data only
    } else throw new Error(`can't index item of type ${typeName(cur)}`);
  }
  return cur;
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %g %x %X %%, with width and precision. */
export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  const out = format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([vsdqtfgexXc%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = verb === 's' && typeof a === 'number' ? `%!s(${typeName(a)}=${formatInner(a)})` : formatInner(a);
        break;
      case 'd':
        s = typeof a === 'number' && Number.isInteger(a) ? String(a) : `%!d(${typeName(a)}=${formatInner(a)})`;
        break;
      case 'q':
        s = JSON.stringify(typeof a === 'string' ? a : formatInner(a));
        break;
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${typeName(a)}=${formatInner(a)})`;
        break;
      case 'f':
      case 'e':
      case 'g':
        if (typeof a !== 'number') s = `%!${verb}(${typeName(a)}=${formatInner(a)})`;
        else s = verb === 'f' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : verb === 'e' ? a.toExponential(prec === undefined ? 6 : Number(prec)) : formatNumber(a);
        break;
      case 'x':
      case 'X':
        s = typeof a === 'number' ? a.toString(16) : Buffer.from(formatInner(a)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 'c':
        s = typeof a === 'number' ? String.fromCodePoint(a) : `%!c(${typeName(a)}=${formatInner(a)})`;
        break;
      default:
        s = formatInner(a);
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(Number(width) - s.length);
      s = flags.includes('-') ? s + pad : pad + s;
    }
    return s;
  });
  const extra = args.slice(i);
  return extra.length > 0 ? `${out}%!(EXTRA ${extra.map((a) => `${typeName(a)}=${formatInner(a)}`).join(', ')})` : out;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
function sprint(...args: unknown[]): string {
  let s = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') s += ' ';
    s += formatInner(a);
  });
  return s;
}

const htmlEscapes: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;' };

export const builtinFuncs: Record<string, Func> = {
  and: () => undefined, // evaluated lazily by the executor
  or: () => undefined,
  not: (v) => !isTrue(v),
  len: length,
  index,
  slice: (v, ...ix) => {
    if (typeof v !== 'string' && !Array.isArray(v)) throw new Error(`can't slice item of type ${typeName(v)}`);
    const [a = 0, b = v.length] = ix as number[];
    return v.slice(a, b);
  },
  print: sprint,
  printf: (format, ...args) => sprintf(String(format), ...args),
  println: (...args) => `${args.map(formatInner).join(' ')}\n`,
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => less('lt', a, b),
  le: (a, b) => less('le', a, b) || eq(a, b),
  gt: (a, b) => !less('gt', a, b) && !eq(a, b),
  ge: (a, b) => !less('ge', a, b),
  html: (...args) => sprint(...args).replace(/[<>&'"]/g, (c) => htmlEscapes[c]!),
  js: (...args) => JSON.stringify(sprint(...args)).slice(1, -1).replaceAll("'", "\\'"),
  urlquery: (...args) => encodeURIComponent(sprint(...args)),
};
