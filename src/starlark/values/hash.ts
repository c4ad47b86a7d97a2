// hash(x) for dict keys and set elements. Equal values hash alike across the
// int/float boundary (hash(1) == hash(1.0)); strings use a 32-bit FNV-1a over
// their UTF-8 bytes (utf8.ts). Unhashable values (list, dict, set) throw
// "unhashable type: list" from their own hash() method.

import { hashBigInt, hashNumber } from './float.js';
import type { Value } from './value.js';

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export function hashValue(v: Value): number {
  switch (typeof v) {
    case 'string':
      return hashString(v);
    case 'number':
      return hashNumber(v);
    case 'bigint':
      return hashBigInt(v);
    case 'boolean':
      return v ? 1 : 0;
    default:
      return v === null ? 0 : v.hash();
  }
}
