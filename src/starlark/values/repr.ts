// repr() and str() of any Value. Primitives are formatted here; boxed values
// append themselves through StarObject.repr, which recurses back into
// writeRepr for their elements. `seen` breaks cycles (a list containing itself
// prints as [...]), as in starlark-go. Every piece written is charged to the
// memory budget (meter.ts): a small value shared 2^30 times through nested
// lists prints as 2^30 pieces and must hit the limit, not the heap.

import { quoteString } from './quote.js';
import type { StarObject, Value } from './value.js';
import { alloc, piece, SLOT } from './meter.js';
import { bigToString } from './int.js';

export function writeRepr(out: string[], v: Value, seen: Set<StarObject>): void {
  switch (typeof v) {
    case 'string': {
      const q = quoteString(v);
      alloc(q.length + SLOT);
      out.push(q);
      return;
    }
    case 'number':
      piece(1);
      out.push(String(v));
      return;
    case 'bigint':
      out.push(bigToString(v));
      return;
    case 'boolean':
      out.push(v ? 'True' : 'False');
      return;
    default:
      piece(8); // a container: cycle check (Set add/delete), brackets
      if (v === null) out.push('None');
      else v.repr(out, seen);
  }
}

export function repr(v: Value): string {
  switch (typeof v) {
    case 'string':
      return quoteString(v);
    case 'number':
      return String(v);
    case 'bigint':
      return bigToString(v);
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
