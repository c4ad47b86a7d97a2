// Method tables of the built-in types: `methodsOf(x)` returns the name →
// implementation map for x's type, or null for types without built-in methods.
// ops.getAttr binds an entry to its receiver; ops.callMethod calls it directly.

import { StarBytes } from './bytes.js';
import { StarDict, StarSet } from './dict.js';
import { StarList } from './list.js';
import type { BuiltinFn } from './builtin.js';
import type { Value } from './value.js';
import { stringMethods } from './string_methods.js';
import { bytesMethods, dictMethods, listMethods, setMethods } from './collection_methods.js';

export function methodsOf(x: Value): Map<string, BuiltinFn> | null {
  if (typeof x === 'string') return stringMethods;
  if (x instanceof StarList) return listMethods;
  if (x instanceof StarDict) return dictMethods;
  if (x instanceof StarSet) return setMethods;
  if (x instanceof StarBytes) return bytesMethods;
  return null;
}
