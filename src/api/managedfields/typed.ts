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
//   compare(a, b, type)                → { modified, added, removed }
//   merge(live, config, type)          → merged value (config wins)
//   removePaths(value, paths, type)    → value without those paths (copy-on-write)

import { deepEqual } from '../patch.js';
import { FieldSet, fieldToken, keyToken, valueToken, type Path } from './fieldset.js';
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

/** How a value of a type is walked. Mismatched values (wrong JSON type) are leaves. */
function shape(v: unknown, t: TypeNode): Shape {
  switch (t.kind) {
    case 'scalar':
      return { k: 'leaf' };
    case 'deduced':
      return isObj(v) ? { k: 'map', node: t } : { k: 'leaf' };
    case 'map':
      return isObj(v) && !t.atomic ? { k: 'map', node: t } : { k: 'leaf' };
    case 'list':
      if (!Array.isArray(v) || t.listType === 'atomic') return { k: 'leaf' };
      return t.listType === 'set' ? { k: 'set' } : { k: 'listmap', keys: t.keys, elem: t.elem };
  }
}

function childOf(node: TypeNode, key: string): TypeNode {
  return node.kind === 'deduced' ? DEDUCED : childType(node, key);
}

export function itemKey(item: unknown, keys: string[]): string {
  const o: Obj = {};
  if (isObj(item)) for (const k of keys) if (item[k] !== undefined) o[k] = item[k];
  return keyToken(o);
}

// ---------------------------------------------------------------------------

/** The fields a value sets: what an applier owns after applying it. */
export function toFieldSet(value: unknown, type: TypeNode): FieldSet {
  const set = new FieldSet();
  collect(value, type, [], set, false);
  return set;
}

function collect(v: unknown, t: TypeNode, path: string[], set: FieldSet, includeSelf: boolean): void {
  const sh = shape(v, t);
  switch (sh.k) {
    case 'leaf':
      set.add(path);
      return;
    case 'map': {
      const o = v as Obj;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined);
      if (keys.length === 0 || includeSelf) set.add(path);
      for (const k of keys) collect(o[k], childOf(sh.node, k), [...path, fieldToken(k)], set, includeSelf);
      return;
    }
    case 'set': {
      const a = v as unknown[];
      if (a.length === 0 || includeSelf) set.add(path);
      for (const item of a) set.add([...path, valueToken(item)]);
      return;
    }
    case 'listmap': {
      const a = v as unknown[];
      if (a.length === 0 || includeSelf) set.add(path);
      for (const item of a) {
        const p = [...path, itemKey(item, sh.keys)];
        set.add(p);
        const is = shape(item, sh.elem);
        if (is.k === 'map') {
          for (const [k, x] of Object.entries(item as Obj)) if (x !== undefined) collect(x, childOf(is.node, k), [...p, fieldToken(k)], set, includeSelf);
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

/** What changed from a to b, per field (a newly added subtree lists its own path too). */
export function compare(a: unknown, b: unknown, type: TypeNode): Comparison {
  const c: Comparison = { modified: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  cmp(a, b, type, [], c);
  return c;
}

function cmp(a: unknown, b: unknown, t: TypeNode, path: string[], c: Comparison): void {
  if (a === undefined && b === undefined) return;
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
    if (!deepEqual(a, b)) c.modified.add(path);
    return;
  }
  switch (sa.k) {
    case 'map': {
      const ao = a as Obj;
      const bo = b as Obj;
      for (const k of Object.keys(ao)) cmp(ao[k], bo[k], childOf(sa.node, k), [...path, fieldToken(k)], c);
      for (const k of Object.keys(bo)) if (ao[k] === undefined && bo[k] !== undefined) cmp(undefined, bo[k], childOf(sa.node, k), [...path, fieldToken(k)], c);
      return;
    }
    case 'set': {
      const av = new Set((a as unknown[]).map(valueToken));
      const bv = new Set((b as unknown[]).map(valueToken));
      for (const x of bv) if (!av.has(x)) c.added.add([...path, x]);
      for (const x of av) if (!bv.has(x)) c.removed.add([...path, x]);
      return;
    }
    case 'listmap': {
      const { keys, elem } = sa as Extract<Shape, { k: 'listmap' }>;
      const am = new Map((a as unknown[]).map((x) => [itemKey(x, keys), x] as const));
      const bm = new Map((b as unknown[]).map((x) => [itemKey(x, keys), x] as const));
      for (const [k, x] of am) {
        const p = [...path, k];
        const y = bm.get(k);
        if (y === undefined) collect(x, elem, p, c.removed, true);
        else cmpItem(x, y, elem, p, c);
      }
      for (const [k, y] of bm) if (!am.has(k)) collect(y, elem, [...path, k], c.added, true);
      return;
    }
  }
}

function cmpItem(a: unknown, b: unknown, elem: TypeNode, p: string[], c: Comparison): void {
  const sa = shape(a, elem);
  const sb = shape(b, elem);
  if (sa.k === 'map' && sb.k === 'map') {
    const ao = a as Obj;
    const bo = b as Obj;
    for (const k of Object.keys(ao)) cmp(ao[k], bo[k], childOf(sa.node, k), [...p, fieldToken(k)], c);
    for (const k of Object.keys(bo)) if (ao[k] === undefined && bo[k] !== undefined) cmp(undefined, bo[k], childOf(sa.node, k), [...p, fieldToken(k)], c);
  } else if (!deepEqual(a, b)) c.modified.add(p);
}

// ---------------------------------------------------------------------------

/** Merges an applied configuration into the live value: config values win, granular nodes merge. */
export function merge(live: unknown, config: unknown, t: TypeNode): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null) return config;
  const sl = shape(live, t);
  const sc = shape(config, t);
  if (sl.k !== sc.k || sc.k === 'leaf') return config;
  switch (sc.k) {
    case 'map': {
      const out: Obj = { ...(live as Obj) };
      for (const [k, v] of Object.entries(config as Obj)) {
        if (v === undefined) continue;
        out[k] = merge(out[k], v, childOf(sc.node, k));
      }
      return out;
    }
    case 'set': {
      const key = (x: unknown) => valueToken(x);
      return mergeOrdered(live as unknown[], config as unknown[], key, (l, r) => (r === undefined ? l : r));
    }
    case 'listmap': {
      const key = (x: unknown) => itemKey(x, sc.keys);
      return mergeOrdered(live as unknown[], config as unknown[], key, (l, r) => (r === undefined ? l : merge(l, r, sc.elem)));
    }
  }
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
    if (!(body in v)) return v;
    const out = { ...v };
    if (last) delete out[body];
    else out[body] = removeOne(v[body], p, i + 1, childOf(t, body));
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
