// repr() and str() of any Value. Primitives are formatted here; boxed values
// append themselves through StarObject.repr, which recurses back into
// writeRepr for their elements. `seen` breaks cycles (a list containing itself
// prints as [...]), as in starlark-go.

import { quoteString } from './quote.js';
import type { StarObject, Value } from './value.js';

export function writeRepr(out: string[], v: Value, seen: Set<StarObject>): void {
  switch (typeof v) {
    case 'string':
      out.push(quoteString(v));
      return;
    case 'number':
    case 'bigint':
      out.push(String(v));
      return;
    case 'boolean':
      out.push(v ? 'True' : 'False');
      return;
    default:
      if (v === null) out.push('None');
      else v.repr(out, seen);
  }
}

export function repr(v: Value): string {
  switch (typeof v) {
    case 'string':
      return quoteString(v);
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'True' : 'False';
    default: {
      if (v === null) return 'None';
      const out: string[] = [];
      v.repr(out, new Set());
      return out.join('');
    }
  }
}

/** str(x): like repr but strings are returned unquoted. */
export function str(v: Value): string {
  return typeof v === 'string' ? v : repr(v);
}
