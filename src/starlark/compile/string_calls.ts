// The string methods generated code calls directly (runtime.ts m_split1 &c.,
// listed in fastMethods): s.split(sep), s.replace(old, new), s.strip(), ...
// with a str receiver and str arguments already checked by the caller.
//
// Key idea: no argument array, no keyword check, no method-table lookup — the
// method's own algorithm (string_methods.ts) on the typed operands, charged as
// the method table charges every string method (meter.chargeScan/Result).
// The caller wraps errors (only budget errors can occur) in the method's frame.

import { StarList, StarTuple } from '../values/list.js';
import { chargeResult, chargeScan } from '../values/meter.js';
import { joinStrings, lowerString, lstrip, replaceAllOf, rstrip, splitOn, upperString } from '../values/string_methods.js';
import { mapText } from '../values/utf8.js';
import type { Value } from '../values/value.js';

/** s.split(sep) and s.rsplit(sep), sep non-empty. */
export function split(s: string, sep: string): Value {
  chargeScan(s);
  return new StarList(splitOn(s, sep));
}

/** s.replace(old, new), old non-empty. */
export function replace(s: string, old: string, nw: string): Value {
  chargeScan(s);
  return chargeResult(s, replaceAllOf(s, old, nw));
}

/** s.strip() / lstrip() / rstrip(): whitespace. */
export function strip(s: string, left: boolean, right: boolean): Value {
  chargeScan(s);
  const l = left ? lstrip(s, null) : s;
  return chargeResult(s, right ? rstrip(l, null) : l);
}

/** s.startswith(x) / s.endswith(x). */
export function affix(s: string, x: string, suffix: boolean): Value {
  chargeScan(s);
  return suffix ? s.endsWith(x) : s.startsWith(x);
}

/** s.partition(sep) / s.rpartition(sep), sep non-empty. */
export function partition(s: string, sep: string, last: boolean): Value {
  chargeScan(s);
  const i = last ? s.lastIndexOf(sep) : s.indexOf(sep);
  if (i < 0) return new StarTuple(last ? ['', '', s] : [s, '', '']);
  return new StarTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
}

/** sep.join(items) of a list's or tuple's elements. */
export function join(sep: string, items: readonly Value[]): Value {
  chargeScan(sep);
  return chargeResult(sep, joinStrings(sep, items));
}

/** s.lower() / s.upper(). */
export function lowerUpper(s: string, upper: boolean): Value {
  chargeScan(s);
  return chargeResult(s, mapText(s, upper ? upperString : lowerString));
}
