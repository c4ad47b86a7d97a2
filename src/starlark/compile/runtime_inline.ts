// Runtime helpers of the forms the fast backend writes out at their site
// (codegen_inline.ts); part of runtime.ts's interface (re-exported there).
//
// Key idea: the inline forms handle the common case themselves and come here
// only for what has no cheap test (a kind test on some other object) or for
// the memory charge of a value they did not need to build, so the meter
// counts exactly what the general path counts.

import type { Value } from '../values/value.js';
import { StarList, StarTuple } from '../values/list.js';
import { StarDict } from '../values/dict.js';
import * as ops from '../values/ops.js';
import * as meter from '../values/meter.js';

/** type(x)'s name: our dict/list/tuple by class (no subclass renames them), any other value by ops.typeName. */
export function typeOf(x: Value): string {
  if (typeof x === 'object' && x !== null) {
    if (x instanceof StarDict) return 'dict';
    if (x instanceof StarList) return 'list';
    if (x instanceof StarTuple) return 'tuple';
  }
  return ops.typeName(x);
}

/** type(x) == name for an object the kind test's class check did not match (a host's value may use any name). */
export function typeNamed(x: Value, name: string): boolean {
  return ops.typeName(x) === name;
}

/** The charge of an empty dict display `{}` not built (a `.get` default not used): HashTable's. */
export function chargeEmptyDict(): void {
  meter.alloc(meter.TABLE);
}

/** The charge of an empty list display `[]` not built: StarList's. */
export function chargeEmptyList(): void {
  meter.alloc(meter.HEADER);
}
