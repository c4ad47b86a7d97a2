// Conversion between host data (parsed JSON/YAML: plain objects, arrays,
// strings, numbers, booleans, null) and Starlark values. The reconciler runtime
// converts every Kubernetes object both ways on each reconcile, so both
// directions are single recursive passes with no intermediate copies: objects
// become StarDicts filled through the string-key fast path, and integral
// numbers always become ints (never floats), so `replicas: 3` stays `3`.
// Errors carry the field path of the offending value (".spec.items[2]").
// Strings cross as Unicode text on the host side and UTF-8 byte strings on the
// Starlark side (utf8.ts); ASCII, nearly all of Kubernetes data, is the same in both.

import { StarBytes, toUint8 } from './bytes.js';
import { StarDict, StarSet } from './dict.js';
import { StarFloat } from './float.js';
import { normBig } from './int.js';
import { setDataKey } from './hashtable.js';
import { StarList, StarTuple } from './list.js';
import { StarStruct } from './struct.js';
import { typeName } from './compare.js';
import { StarlarkError, type Value } from './value.js';
import { fromBytes, toBytes } from './utf8.js';

/** Converts parsed JSON/YAML data to a Starlark value (unfrozen). */
export function toStarlark(x: unknown): Value {
  switch (typeof x) {
    case 'string':
      return toBytes(x);
    case 'boolean':
      return x;
    case 'number':
      if (Number.isInteger(x)) return Number.isSafeInteger(x) ? x + 0 : normBig(BigInt(x)); // + 0: no int -0
      return new StarFloat(x);
    case 'bigint':
      return normBig(x);
    case 'undefined':
      return null;
    case 'object': {
      if (x === null) return null;
      if (Array.isArray(x)) {
        const out = new Array<Value>(x.length);
        for (let i = 0; i < x.length; i++) out[i] = toStarlark(x[i]);
        return new StarList(out);
      }
      if (x instanceof Date) return x.toISOString();
      if (x instanceof Uint8Array) return new StarBytes(String.fromCharCode(...x));
      if (x instanceof Map) {
        const d = new StarDict();
        for (const [k, v] of x) d.set(toStarlark(k), toStarlark(v));
        return d;
      }
      const d = new StarDict();
      const ht = d.ht;
      for (const k in x as Record<string, unknown>) {
        if (Object.prototype.hasOwnProperty.call(x, k)) ht.appendNewStr(toBytes(k), toStarlark((x as Record<string, unknown>)[k]));
      }
      return d;
    }
    default:
      throw new StarlarkError(`cannot convert ${typeof x} to a Starlark value`);
  }
}

/**
 * Converts a Starlark value to plain JSON data. Dicts need string keys; tuples
 * and sets become arrays, structs objects; big ints become (lossy) numbers;
 * non-finite floats, functions and other values are errors naming the path.
 *
 * Two passes only on failure: the fast pass builds no field paths (a string
 * per key otherwise); when it meets a value it cannot convert, the slow pass
 * runs again from the top to name the path in the error.
 */
export function fromStarlark(v: Value, path = ''): unknown {
  try {
    return plainOf(v);
  } catch (err) {
    // Nesting deep enough to exhaust the JS stack (a list in a list 100k times): a clear error, caught here at no cost on the normal path.
    if (err instanceof RangeError && err.message.includes('call stack')) throw new StarlarkError(`${where(path)}value nested too deeply to convert to JSON`);
    if (err !== unconvertible) throw err;
  }
  return fromStarlarkAt(v, path);
}

const unconvertible = new Error('unconvertible');

/** The fast pass: no paths; anything it cannot convert quickly throws `unconvertible`. */
const plainOf = (v: Value): unknown => fromStarlarkAt(v, undefined);

/** One conversion for both passes: `path` undefined is the fast pass. */
function fromStarlarkAt(v: Value, path: string | undefined): unknown {
  switch (typeof v) {
    case 'string':
      return fromBytes(v);
    case 'boolean':
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    default:
      if (v === null) return null;
      if (v instanceof StarDict) {
        if (path === undefined) return v.ht.toObject(plainOf) ?? fail();
        const out: Record<string, unknown> = {};
        v.ht.forEach((k, val) => {
          if (typeof k !== 'string') throw new StarlarkError(`${where(path)}dict has ${typeName(k)} key, want string`);
          const key = fromBytes(k);
          setDataKey(out, key, fromStarlarkAt(val, path + '.' + key));
        });
        return out;
      }
      if (v instanceof StarList || v instanceof StarTuple) {
        const e = v.elems;
        const out = new Array<unknown>(e.length);
        for (let i = 0; i < e.length; i++) out[i] = fromStarlarkAt(e[i]!, path === undefined ? undefined : `${path}[${i}]`);
        return out;
      }
      if (v instanceof StarFloat) {
        if (Number.isFinite(v.value)) return v.value;
        if (path === undefined) fail();
        throw new StarlarkError(`${where(path!)}cannot convert non-finite float ${v} to JSON`);
      }
      if (path === undefined) fail(); // rarer values: the slow pass converts them or says why not
      if (v instanceof StarStruct) {
        const out: Record<string, unknown> = {};
        for (const [k, val] of v.fields) setDataKey(out, fromBytes(k), fromStarlarkAt(val, path + '.' + k));
        return out;
      }
      if (v instanceof StarSet) return v.elems().map((e, i) => fromStarlarkAt(e, `${path}[${i}]`));
      if (v instanceof StarBytes) return toUint8(v.data);
      throw new StarlarkError(`${where(path!)}cannot convert ${typeName(v)} to JSON`);
  }
}

function fail(): never {
  throw unconvertible;
}

function where(path: string): string {
  return path === '' ? '' : `at ${path}: `;
}
