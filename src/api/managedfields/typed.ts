// Typed operations on values, driven by merge types (typeinfo.ts): the field
// set a value covers, the comparison of two values (modified / added /
// removed paths), the apply merge, and removal of paths. These are the
// building blocks of server-side apply (structured-merge-diff's typed/).
//
// Granularity decides everything: a scalar, an atomic list or an atomic map
// is one field (compared and replaced whole); a granular map contributes one
// path per key; a set one `v:` path per item; a list-map one `k:` path per
// item plus the item's own fields.
//
// Exported API:
//   toFieldSet(value, type)            → FieldSet
//   compare(a, b, type, same?)         → { modified, added, removed }
//   merge(live, config, type, same?)   → merged value (config wins); `same` records
//                                        which merged values equal the live ones, so
//                                        compare skips them (the no-op apply path)
//   removePaths(value, paths, type)    → value without those paths (copy-on-write)
//   contains(live, config, type)       → merging config into live changes nothing
//   fieldsV1Of(value, type)            → toFieldSet's members as a canonical FieldsV1 trie (no member strings)
//   definedKeys(obj)                   → the keys with a value, sorted
//   countOwned(value, type, fieldsV1 node)    → members of the trie the value's fields match (-1: one is missing)

import { ownValue, setKey } from '../object.js';
import { deepEqual } from '../patch.js';
import { childKey, FieldSet, fieldToken, keyToken, LEAF, singleKeyToken, valueToken, type Path } from './fieldset.js';
import { type TypeNode, DEDUCED, childType } from './typeinfo.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

type Shape =
  | { k: 'leaf' }
  | { k: 'map'; node: TypeNode }
  | { k: 'set' }
  | { k: 'listmap'; keys: string[]; elem: TypeNode };

const LEAF_SHAPE: Shape = { k: 'leaf' };
const SET_SHAPE: Shape = { k: 'set' };
/** The map / list-map shape of each type node, made once: shape() runs for every node of every value walked. */
const shapes = new WeakMap<TypeNode, Shape>();

function shapeOf(t: TypeNode & { kind: 'deduced' | 'map' | 'list' }): Shape {
  let s = shapes.get(t);
  if (s === undefined) {
    s = t.kind === 'list' ? { k: 'listmap', keys: t.keys, elem: t.elem } : { k: 'map', node: t };
    shapes.set(t, s);
  }
  return s;
}

/** How a value of a type is walked. Mismatched values (wrong JSON type) are leaves. */
function shape(v: unknown, t: TypeNode): Shape {
  switch (t.kind) {
    case 'scalar':
      return LEAF_SHAPE;
    case 'deduced':
      return isObj(v) ? shapeOf(t) : LEAF_SHAPE;
    case 'map':
      return isObj(v) && !t.atomic ? shapeOf(t) : LEAF_SHAPE;
    case 'list':
      if (!Array.isArray(v) || t.listType === 'atomic') return LEAF_SHAPE;
      return t.listType === 'set' ? SET_SHAPE : shapeOf(t);
  }
}

function childOf(node: TypeNode, key: string): TypeNode {
  return node.kind === 'deduced' ? DEDUCED : childType(node, key);
}

export function itemKey(item: unknown, keys: string[]): string {
  if (keys.length === 1 && isObj(item)) {
    // The usual single string key (ownerReferences by uid, conditions by type): no object to build and sort.
    const v = item[keys[0]];
    if (typeof v === 'string') return singleKeyToken(keys[0], v);
  }
  const o: Obj = {};
  if (isObj(item)) for (const k of keys) if (item[k] !== undefined) o[k] = item[k];
  return keyToken(o);
}

// ---------------------------------------------------------------------------

/** The fields a value sets: what an applier owns after applying it. */
export function toFieldSet(value: unknown, type: TypeNode): FieldSet {
  const set = new FieldSet();
  collect(value, type, '', set, false);
  return set;
}

/** The keys of `o` whose value is not undefined, in sorted order (FieldsV1 order for their `f:` tokens). */
export function definedKeys(o: Obj): string[] {
  const keys: string[] = [];
  let sorted = true;
  for (const k in o) {
    if (o[k] === undefined) continue;
    if (sorted && keys.length > 0 && !(keys[keys.length - 1] < k)) sorted = false;
    keys.push(k);
  }
  if (sorted) return keys;
  if (keys.length > 16) return keys.sort();
  // Insertion sort: objects have few keys, and Array#sort allocates.
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i;
    for (; j > 0 && keys[j - 1] > k; j--) keys[j] = keys[j - 1];
    keys[j] = k;
  }
  return keys;
}

/**
 * The fields `value` sets (toFieldSet's members) as the FieldsV1 trie
 * fieldSetToFieldsV1 would encode them to: keys sorted level by level (the
 * same order as sorting whole members), "." beside the children of a member,
 * LEAF for member leaves. Built straight from the value, so no member string
 * is joined, sorted or split again.
 */
export function fieldsV1Of(v: unknown, t: TypeNode): Obj {
  const sh = shape(v, t);
  switch (sh.k) {
    case 'leaf':
      return LEAF;
    case 'map': {
      const o = v as Obj;
      const keys = definedKeys(o);
      if (keys.length === 0) return LEAF;
      const node: Obj = {};
      for (const k of keys) node[fieldToken(k)] = fieldsV1Of(o[k], childOf(sh.node, k));
      return node;
    }
    case 'set': {
      const a = v as unknown[];
      if (a.length === 0) return LEAF;
      const node = keyedNode();
      for (const tok of a.map(valueToken).sort()) node[tok] = LEAF;
      return node;
    }
    case 'listmap': {
      const a = v as unknown[];
      if (a.length === 0) return LEAF;
      // Each item is a member; its fields hang below it. Items with one key (invalid, but
      // possible in an applied configuration) share a node, as their members would.
      const toks: string[] = [];
      const nodes: Obj[] = [];
      let seen: Map<string, number> | undefined;
      for (const item of a) {
        const tok = itemKey(item, sh.keys);
        const is = shape(item, sh.elem);
        let n: Obj = LEAF;
        if (is.k === 'map') {
          const keys = definedKeys(item as Obj);
          if (keys.length > 0) {
            n = { '.': LEAF };
            for (const k of keys) n[fieldToken(k)] = fieldsV1Of((item as Obj)[k], childOf(is.node, k));
          }
        }
        const dup = toks.length < 16 ? toks.indexOf(tok) : (seen ??= new Map(toks.map((t, i) => [t, i]))).get(tok) ?? -1;
        if (dup < 0) seen?.set(tok, toks.length);
        if (dup < 0) {
          toks.push(tok);
          nodes.push(n);
        } else nodes[dup] = unionTrie(nodes[dup], n);
      }
      const node = keyedNode();
      if (toks.length === 1) node[toks[0]] = nodes[0];
      else {
        const order = toks.map((_, i) => i).sort((i, j) => (toks[i] < toks[j] ? -1 : 1));
        for (const i of order) node[toks[i]] = nodes[i];
      }
      return node;
    }
  }
}

/**
 * A node whose keys are item tokens (`k:{"uid":"…"}`, `v:…`): such keys are
 * unique to one object, and a plain object would get a fresh hidden class for
 * each (slow to build and to freeze); a prototype-less object starts as a
 * hash table. JSON and every reader here treat it as a plain object.
 */
function keyedNode(): Obj {
  return Object.create(null) as Obj;
}

/** The union of two canonical trie nodes of members (rare: duplicate list-map keys). */
function unionTrie(a: Obj, b: Obj): Obj {
  const isMemberNode = (n: Obj) => n === LEAF || n['.'] !== undefined || Object.keys(n).length === 0;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== '.').sort();
  if (keys.length === 0) return LEAF;
  const out: Obj = {};
  if (isMemberNode(a) || isMemberNode(b)) out['.'] = LEAF;
  for (const k of keys) {
    const x = a[k] as Obj | undefined;
    const y = b[k] as Obj | undefined;
    out[k] = x === undefined ? y : y === undefined ? x : unionTrie(x, y);
  }
  return out;
}

/**
 * How many members of a FieldsV1 trie the fields `value` sets below `node`
 * account for (what collectFields would add, looked up instead of built), or
 * -1 when one of them is not a member. Comparing the count with the set's size
 * tells whether an applier still owns exactly what it applies, with no member
 * strings built and hashed.
 */
export function countOwned(value: unknown, type: TypeNode, node: unknown): number {
  if (node === null || typeof node !== 'object') return -1;
  const n = node as Obj;
  const sh = shape(value, type);
  switch (sh.k) {
    case 'leaf':
      return isMember(n) ? 1 : -1;
    case 'map': {
      const o = value as Obj;
      let count = 0;
      let any = false;
      for (const k in o) {
        const x = o[k];
        if (x === undefined) continue;
        any = true;
        const c = countOwned(x, childOf(sh.node, k), n[fieldToken(k)]);
        if (c < 0) return -1;
        count += c;
      }
      return any ? count : isMember(n) ? 1 : -1;
    }
    case 'set': {
      const a = value as unknown[];
      if (a.length === 0) return isMember(n) ? 1 : -1;
      for (const item of a) if (!isMember(n[valueToken(item)])) return -1;
      return a.length;
    }
    case 'listmap': {
      const a = value as unknown[];
      if (a.length === 0) return isMember(n) ? 1 : -1;
      let count = 0;
      for (const item of a) {
        const p = n[itemKey(item, sh.keys)];
        if (!isMember(p)) return -1;
        count++;
        const is = shape(item, sh.elem);
        if (is.k === 'map') {
          for (const [k, x] of Object.entries(item as Obj)) {
            if (x === undefined) continue;
            const c = countOwned(x, childOf(is.node, k), (p as Obj)[fieldToken(k)]);
            if (c < 0) return -1;
            count += c;
          }
        }
      }
      return count;
    }
  }
}

/** A FieldsV1 node that is itself a member: a `{}` leaf or a node marked ".". */
function isMember(n: unknown): boolean {
  if (n === null || typeof n !== 'object') return false;
  if ((n as Obj)['.'] !== undefined) return true;
  for (const _ in n) return false;
  return true;
}

/**
 * Whether merging `config` into `live` would leave `live` unchanged: every
 * value of config is already there (granular nodes checked field by field,
 * keyed list items by key, leaves by deep equality). Allocates nothing on the
 * way; stops at the first difference.
 */
export function contains(live: unknown, config: unknown, t: TypeNode): boolean {
  if (config === undefined || config === live) return true;
  if (live === undefined || live === null) return false;
  const sl = shape(live, t);
  const sc = shape(config, t);
  if (sl.k !== sc.k || sc.k === 'leaf') return deepEqual(live, config);
  switch (sc.k) {
    case 'map': {
      const lo = live as Obj;
      const co = config as Obj;
      for (const k in co) if (!contains(ownValue(lo, k), co[k], childOf(sc.node, k))) return false;
      return true;
    }
    case 'set': {
      // Items come out in config order and duplicates collapse: unchanged only for an equal list without duplicates.
      const l = live as unknown[];
      return deepEqual(live, config) && new Set(l.map(valueToken)).size === l.length;
    }
    case 'listmap': {
      // merge puts config items first in config order: unchanged only when the
      // live list starts with them, in order, each containing its config item.
      const l = live as unknown[];
      const c = config as unknown[];
      if (c.length > l.length) return false;
      const seen = new Set<string>();
      for (let i = 0; i < c.length; i++) {
        const k = itemKey(c[i], sc.keys);
        if (seen.has(k) || itemKey(l[i], sc.keys) !== k || !contains(l[i], c[i], sc.elem)) return false;
        seen.add(k);
      }
      for (let i = c.length; i < l.length; i++) {
        const k = itemKey(l[i], sc.keys);
        if (seen.has(k)) return false; // a duplicate the merge would drop
        seen.add(k);
      }
      return true;
    }
  }
}

// Paths are built as encoded member keys (childKey), not token arrays: a
// field set is a Set of such keys, so no path is ever joined or copied.
function collect(v: unknown, t: TypeNode, path: string, set: FieldSet, includeSelf: boolean): void {
  const sh = shape(v, t);
  switch (sh.k) {
    case 'leaf':
      set.addKey(path);
      return;
    case 'map': {
      const o = v as Obj;
      let any = false;
      for (const k in o) {
        const x = o[k];
        if (x === undefined) continue;
        if (!any) {
          any = true;
          if (includeSelf) set.addKey(path);
        }
        collect(x, childOf(sh.node, k), childKey(path, fieldToken(k)), set, includeSelf);
      }
      if (!any) set.addKey(path);
      return;
    }
    case 'set': {
      const a = v as unknown[];
      if (a.length === 0 || includeSelf) set.addKey(path);
      for (const item of a) set.addKey(childKey(path, valueToken(item)));
      return;
    }
    case 'listmap': {
      const a = v as unknown[];
      if (a.length === 0 || includeSelf) set.addKey(path);
      for (const item of a) {
        const p = childKey(path, itemKey(item, sh.keys));
        set.addKey(p);
        const is = shape(item, sh.elem);
        if (is.k === 'map') {
          for (const [k, x] of Object.entries(item as Obj)) if (x !== undefined) collect(x, childOf(is.node, k), childKey(p, fieldToken(k)), set, includeSelf);
        }
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------

export interface Comparison {
  modified: FieldSet;
  added: FieldSet;
  removed: FieldSet;
}

/**
 * Which results of a merge are known to equal their live counterpart: merged
 * value → the live value it equals. merge fills it, compare reads it, so an
 * unchanged subtree is compared by one lookup instead of a walk. Scoped to one
 * merge + compare (values may be edited afterwards).
 */
export type SameAs = Map<object, unknown>;

function isSame(merged: unknown, live: unknown, same: SameAs | undefined): boolean {
  return merged === live || (same !== undefined && merged !== null && typeof merged === 'object' && same.get(merged) === live);
}

/** What changed from a to b, per field (a newly added subtree lists its own path too). `same` comes from merge(). */
export function compare(a: unknown, b: unknown, type: TypeNode, same?: SameAs): Comparison {
  const c: Comparison = { modified: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  cmp(a, b, type, '', c, same);
  return c;
}

function cmp(a: unknown, b: unknown, t: TypeNode, path: string, c: Comparison, same: SameAs | undefined): void {
  if (isSame(b, a, same)) return; // equal values have no differences
  if (a === undefined) {
    collect(b, t, path, c.added, true);
    return;
  }
  if (b === undefined) {
    collect(a, t, path, c.removed, true);
    return;
  }
  const sa = shape(a, t);
  const sb = shape(b, t);
  if (sa.k !== sb.k || sa.k === 'leaf') {
    if (!deepEqual(a, b)) c.modified.addKey(path);
    return;
  }
  switch (sa.k) {
    case 'map':
      cmpFields(a as Obj, b as Obj, sa.node, path, c, same);
      return;
    case 'set': {
      const av = new Set((a as unknown[]).map(valueToken));
      const bv = new Set((b as unknown[]).map(valueToken));
      for (const x of bv) if (!av.has(x)) c.added.addKey(childKey(path, x));
      for (const x of av) if (!bv.has(x)) c.removed.addKey(childKey(path, x));
      return;
    }
    case 'listmap': {
      const { keys, elem } = sa as Extract<Shape, { k: 'listmap' }>;
      const am = new Map((a as unknown[]).map((x) => [itemKey(x, keys), x] as const));
      const bm = new Map((b as unknown[]).map((x) => [itemKey(x, keys), x] as const));
      for (const [k, x] of am) {
        const p = childKey(path, k);
        const y = bm.get(k);
        if (y === undefined) collect(x, elem, p, c.removed, true);
        else cmpItem(x, y, elem, p, c, same);
      }
      for (const [k, y] of bm) if (!am.has(k)) collect(y, elem, childKey(path, k), c.added, true);
      return;
    }
  }
}

function cmpFields(ao: Obj, bo: Obj, node: TypeNode, path: string, c: Comparison, same: SameAs | undefined): void {
  for (const k in ao) cmp(ao[k], ownValue(bo, k), childOf(node, k), childKey(path, fieldToken(k)), c, same);
  for (const k in bo) if (ownValue(ao, k) === undefined && bo[k] !== undefined) cmp(undefined, bo[k], childOf(node, k), childKey(path, fieldToken(k)), c, same);
}

function cmpItem(a: unknown, b: unknown, elem: TypeNode, p: string, c: Comparison, same: SameAs | undefined): void {
  if (isSame(b, a, same)) return;
  const sa = shape(a, elem);
  const sb = shape(b, elem);
  if (sa.k === 'map' && sb.k === 'map') cmpFields(a as Obj, b as Obj, sa.node, p, c, same);
  else if (!deepEqual(a, b)) c.modified.addKey(p);
}

// ---------------------------------------------------------------------------

/**
 * Merges an applied configuration into the live value: config values win,
 * granular nodes merge. Results are new containers (live values may be frozen
 * and the result is edited afterwards); with `same`, every result container or
 * config value that equals its live counterpart is recorded there.
 */
export function merge(live: unknown, config: unknown, t: TypeNode, same?: SameAs): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null) return config;
  const sl = shape(live, t);
  const sc = shape(config, t);
  if (sl.k !== sc.k || sc.k === 'leaf') {
    if (same && config !== null && typeof config === 'object' && typeof live === 'object' && deepEqual(live, config)) same.set(config, live);
    return config;
  }
  switch (sc.k) {
    case 'map': {
      const lo = live as Obj;
      const out: Obj = { ...lo };
      let unchanged = true;
      for (const k in config as Obj) {
        const v = (config as Obj)[k];
        if (v === undefined) continue;
        const l = ownValue(lo, k);
        const r = merge(l, v, childOf(sc.node, k), same);
        setKey(out, k, r);
        if (unchanged && !isSame(r, l, same)) unchanged = false;
      }
      if (same && unchanged) same.set(out, live);
      return out;
    }
    case 'set': {
      const key = (x: unknown) => valueToken(x);
      return sameList(live as unknown[], mergeOrdered(live as unknown[], config as unknown[], key, (l, r) => (r === undefined ? l : r)), same);
    }
    case 'listmap': {
      const key = (x: unknown) => itemKey(x, sc.keys);
      return sameList(live as unknown[], mergeOrdered(live as unknown[], config as unknown[], key, (l, r) => (r === undefined ? l : merge(l, r, sc.elem, same))), same);
    }
  }
}

/** Records a merged list as equal to the live one when it has the same items in the same order. */
function sameList(live: unknown[], out: unknown[], same: SameAs | undefined): unknown[] {
  if (!same || out.length !== live.length) return out;
  for (let i = 0; i < out.length; i++) if (!isSame(out[i], live[i], same)) return out;
  same.set(out, live);
  return out;
}

/**
 * Merges keyed list items in SMD's order: items of the config come in the
 * config's order, live-only items keep their place relative to them
 * (structured-merge-diff visitListItems). Duplicate keys keep the first.
 */
function mergeOrdered(live: unknown[], config: unknown[], key: (x: unknown) => string, mergeItem: (l: unknown, r: unknown) => unknown): unknown[] {
  const index = (list: unknown[]) => {
    const order: string[] = [];
    const byKey = new Map<string, unknown>();
    for (const x of list) {
      const k = key(x);
      if (byKey.has(k)) continue;
      byKey.set(k, x);
      order.push(k);
    }
    return { order, byKey };
  };
  const L = index(live);
  const R = index(config);
  const shared = R.order.filter((k) => L.byKey.has(k));
  let si = 0;
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  while (li < L.order.length || ri < R.order.length) {
    if (li < L.order.length && ri < R.order.length) {
      const k = L.order[li];
      if (k === R.order[ri]) {
        out.push(mergeItem(L.byKey.get(k), R.byKey.get(k)));
        li++;
        ri++;
        si++;
        continue;
      }
      if (R.byKey.has(k) && si < shared.length && shared[si] !== k) {
        li++; // a shared item the config places later
        continue;
      }
    }
    if (li < L.order.length && !R.byKey.has(L.order[li])) {
      out.push(L.byKey.get(L.order[li]));
      li++;
      continue;
    }
    if (ri < R.order.length) {
      const k = R.order[ri];
      out.push(mergeItem(L.byKey.get(k), R.byKey.get(k)));
      ri++;
      if (si < shared.length && shared[si] === k) si++;
      continue;
    }
    li++; // only already-emitted shared items remain
  }
  return out;
}

// ---------------------------------------------------------------------------

/** Returns `value` without the given paths (shared structure is copied on write; missing paths are ignored). */
export function removePaths(value: unknown, paths: Iterable<Path>, t: TypeNode): unknown {
  let out = value;
  for (const p of paths) if (p.length > 0) out = removeOne(out, p, 0, t);
  return out;
}

function removeOne(v: unknown, p: Path, i: number, t: TypeNode): unknown {
  const tok = p[i];
  const last = i === p.length - 1;
  const kind = tok[0];
  const body = tok.slice(2);
  if (kind === 'f' && isObj(v)) {
    if (!Object.prototype.hasOwnProperty.call(v, body)) return v;
    const out = { ...v };
    if (last) delete out[body];
    else setKey(out, body, removeOne(v[body], p, i + 1, childOf(t, body)));
    return out;
  }
  if (!Array.isArray(v)) return v;
  let idx = -1;
  let elem: TypeNode = DEDUCED;
  if (kind === 'k' && t.kind === 'list') {
    idx = v.findIndex((x) => itemKey(x, t.keys) === tok);
    elem = t.elem;
  } else if (kind === 'v') idx = v.findIndex((x) => valueToken(x) === tok);
  else if (kind === 'i') idx = Number(body);
  if (idx < 0 || idx >= v.length) return v;
  const out = [...v];
  if (last) out.splice(idx, 1);
  else out[idx] = removeOne(v[idx], p, i + 1, elem);
  return out;
}
