// Field sets: the set of field paths a manager owns, and their FieldsV1
// encoding in metadata.managedFields.
//
// A path is a list of FieldsV1 tokens: `f:<field>` (object field or map key),
// `k:<json of key fields>` (list-map item), `v:<json value>` (set item),
// `i:<index>` (list position). A set stores each path as one string (tokens
// joined by \u0001, which JSON never leaves raw), so union / difference /
// intersection are plain Set operations. FieldsV1 is the trie of the paths:
// `{}` marks a member leaf, `".": {}` a member that also has children.
//
// Exported API:
//   FieldSet (add, has, union, difference, intersection, equals, paths, filterByHead, …)
//   fieldSetFromFieldsV1(json) / fieldSetToFieldsV1(set)   (both cached by identity, see below)
//   FieldSet.fromFieldsV1(trie) → the set of a trie we built (members listed lazily); LEAF
//   childKey(prefix, token)    → encoded member one token below `prefix` (builds keys without arrays)
//   pathString(tokens)         → ".spec.ports[port=80,protocol=\"TCP\"].name" (conflict messages)
//   keyToken(obj) / valueToken(v) / fieldToken(name)

const SEP = '\u0001';
const SEP_CODE = 1;

export type Path = readonly string[];

/**
 * Tokens built from strings, kept per source string: field names, finalizers,
 * condition types and owner uids repeat across objects and writes, and the
 * same token string each time is hashed and internalized once, which makes it
 * cheap as a property key. Bounded: a full cache starts over.
 */
class TokenCache {
  private readonly tokens = new Map<string, string>();
  constructor(private readonly make: (s: string) => string) {}

  get(s: string): string {
    let tok = this.tokens.get(s);
    if (tok === undefined) {
      tok = this.make(s);
      if (this.tokens.size >= 50_000) this.tokens.clear();
      this.tokens.set(s, tok);
    }
    return tok;
  }
}

const fieldTokens = new TokenCache((name) => `f:${name}`);
const stringValueTokens = new TokenCache((v) => `v:${JSON.stringify(v)}`);
const keyTokensByName = new Map<string, TokenCache>();

/** `f:<name>`. */
export function fieldToken(name: string): string {
  return fieldTokens.get(name);
}

/** `k:{"<name>":"<value>"}`: the key of a list-map item with one string key (ownerReferences by uid, conditions by type). */
export function singleKeyToken(name: string, value: string): string {
  let c = keyTokensByName.get(name);
  if (c === undefined) {
    const prefix = `k:{${JSON.stringify(name)}:`;
    keyTokensByName.set(name, (c = new TokenCache((v) => `${prefix}${JSON.stringify(v)}}`)));
  }
  return c.get(value);
}

/** JSON with object keys sorted, as SMD serializes key and value path elements. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function keyToken(keyFields: Record<string, unknown>): string {
  return `k:${canonicalJson(keyFields)}`;
}

export function valueToken(v: unknown): string {
  return typeof v === 'string' ? stringValueTokens.get(v) : `v:${canonicalJson(v)}`;
}

/** The encoded member for `tok` below the member `prefix` ("" is the root). */
export function childKey(prefix: string, tok: string): string {
  return prefix === '' ? tok : prefix + SEP + tok;
}

/**
 * A set of paths. Treat a set as a value: operations may return one of their
 * operands unchanged, and sets shared through the FieldsV1 decode cache are
 * sealed (add throws), so nothing can change a set another caller holds.
 */
/** The members of every empty set until it gets one (never added to: see FieldSet.put). */
const noMembers = new Set<string>();

/** Private token for the constructor: the members will be listed from the encoding (fromFieldsV1). */
const listLater = Symbol('listLater');

export class FieldSet {
  /** Undefined for a set made from its encoding (fromFieldsV1): built from the trie when first needed. */
  private memberSet: Set<string> | undefined;
  private sealed = false;
  /** The FieldsV1 encoding, computed once per sealed set (see fieldSetToFieldsV1). */
  encoded?: Record<string, unknown>;

  constructor(paths?: Iterable<string>, lazy?: typeof listLater) {
    // An empty set shares one empty Set until its first member: operations make many empty results.
    this.memberSet = lazy === listLater ? undefined : paths === undefined ? noMembers : new Set(paths);
  }

  static of(...paths: Path[]): FieldSet {
    return new FieldSet(paths.map((p) => p.join(SEP)));
  }

  /**
   * The sealed set a canonical FieldsV1 trie encodes (keys sorted, "." only
   * beside children, leaves empty — what fieldsV1Of builds). Its members are
   * listed only when an operation needs them: a create, which only stores the
   * encoding, never splits it into strings. Registered in the decode cache, so
   * when the store freezes this very trie, reading it back costs nothing.
   */
  static fromFieldsV1(trie: Record<string, unknown>): FieldSet {
    const set = new FieldSet(undefined, listLater);
    set.encoded = trie;
    set.sealed = true;
    markOwnSet(trie, set);
    return set;
  }

  private get members(): Set<string> {
    if (this.memberSet === undefined) {
      this.memberSet = new Set();
      addMembers(this.encoded!, '', this.memberSet);
    }
    return this.memberSet;
  }

  add(path: Path): void {
    this.addKey(path.join(SEP));
  }

  /** Adds an encoded member (from keys() or childKey()). */
  addKey(key: string): void {
    if (this.sealed) throw new Error('internal error: a shared FieldSet must not be modified');
    this.put(key);
  }

  /** Adds a member to a set this class is building. */
  private put(key: string): void {
    let m = this.members;
    if (m === noMembers) this.memberSet = m = new Set();
    m.add(key);
  }

  has(path: Path): boolean {
    return this.members.has(path.join(SEP));
  }

  /** Makes the set immutable (it is about to be shared). */
  seal(): this {
    this.sealed = true;
    return this;
  }

  get size(): number {
    return this.memberSet === undefined ? countMembers(this.encoded!) : this.memberSet.size;
  }

  get empty(): boolean {
    return this.memberSet === undefined ? isEmptyObject(this.encoded!) : this.memberSet.size === 0;
  }

  /** The encoded members (opaque strings; use paths() for tokens). */
  keys(): IterableIterator<string> {
    return this.members.values();
  }

  paths(): Path[] {
    return [...this.members].map((k) => (k === '' ? [] : k.split(SEP)));
  }

  union(other: FieldSet): FieldSet {
    if (other.members.size === 0 || other === this) return this;
    if (this.members.size === 0) return other;
    const out = new FieldSet(this.members);
    for (const k of other.members) out.put(k);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    if (other.members.size === 0 || this.members.size === 0) return this;
    let out: FieldSet | undefined;
    for (const k of this.members) {
      if (other.members.has(k)) {
        if (!out) {
          out = new FieldSet();
          for (const j of this.members) {
            if (j === k) break;
            out.put(j);
          }
        }
      } else if (out) out.put(k);
    }
    return out ?? this;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    const [small, big] = this.members.size <= other.members.size ? [this.members, other.members] : [other.members, this.members];
    for (const k of small) if (big.has(k)) out.put(k);
    return out;
  }

  /** Whether every member of this set is in `other`. */
  isSubsetOf(other: FieldSet): boolean {
    // Two encodings (one of them not listed yet): compare the tries, no member strings built.
    if ((this.memberSet === undefined || other.memberSet === undefined) && this.encoded && other.encoded) return trieSubset(this.encoded, other.encoded);
    if (this.members.size > other.members.size) return false;
    for (const k of this.members) if (!other.members.has(k)) return false;
    return true;
  }

  equals(other: FieldSet): boolean {
    return this === other || (this.members.size === other.members.size && this.isSubsetOf(other));
  }

  /** The members whose token list passes `keep` (given the first two tokens, enough for scoping); `this` when all pass. */
  filterByHead(keep: (first: string, second: string | undefined, length: number) => boolean): FieldSet {
    let out: FieldSet | undefined;
    let seen = 0;
    for (const k of this.members) {
      const i = k.indexOf(SEP);
      const first = i < 0 ? k : k.slice(0, i);
      let second: string | undefined;
      let length = 1;
      if (i >= 0) {
        const j = k.indexOf(SEP, i + 1);
        second = j < 0 ? k.slice(i + 1) : k.slice(i + 1, j);
        length = j < 0 ? 2 : 3;
      }
      const kept = k !== '' && keep(first, second, length);
      if (!kept && !out) {
        out = new FieldSet();
        let n = 0;
        for (const j of this.members) {
          if (n++ === seen) break;
          out.put(j);
        }
      } else if (kept && out) out.put(k);
      seen++;
    }
    return out ?? this;
  }

  /** The set plus every prefix of a member that ends in a named field (`f:`) token. */
  withFieldPrefixes(): FieldSet {
    const out = new FieldSet(this.members);
    for (const k of this.members) {
      let start = 0;
      for (let pos = k.indexOf(SEP); pos >= 0; pos = k.indexOf(SEP, pos + 1)) {
        if (k.startsWith('f:', start)) out.put(k.slice(0, pos));
        start = pos + 1;
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// FieldsV1

/**
 * Decoded sets of frozen FieldsV1 values (stored objects; the tries we build
 * carry their set instead, see ownSet), keyed by identity: a stored object's
 * managedFields never change, so each entry is decoded once however many
 * writes read it. (The store deep-freezes what it keeps; a frozen FieldsV1 is
 * trusted to be deeply frozen.)
 */
const decoded = new WeakMap<object, FieldSet>();
/**
 * Where a trie we built keeps its set: a hidden property (not enumerable, so
 * invisible to JSON, Object.keys, for-in and deep equality), cheaper than one
 * more WeakMap entry per write. The store's freezing keeps it.
 */
const ownSet = Symbol('FieldSet');
/** One descriptor object reused for every defineProperty (read during the call only). */
const ownSetDescriptor: PropertyDescriptor = { value: undefined };

function markOwnSet(trie: Record<string, unknown>, set: FieldSet): void {
  ownSetDescriptor.value = set;
  Object.defineProperty(trie, ownSet, ownSetDescriptor);
  ownSetDescriptor.value = undefined;
}

/** Decodes a FieldsV1 object; throws on malformed input. The result may be shared: do not modify it. */
export function fieldSetFromFieldsV1(fields: unknown): FieldSet {
  if (fields === null || typeof fields !== 'object') throw new Error('invalid FieldsV1 at .: expected an object');
  // A hit is a frozen value decoded before or a trie we built (fromFieldsV1), frozen or not yet.
  const hit = ((fields as Record<symbol, FieldSet | undefined>)[ownSet]) ?? decoded.get(fields);
  if (hit) return hit;
  const cacheable = Object.isFrozen(fields);
  const set = new FieldSet();
  // Also notes whether the value is exactly what fieldSetToFieldsV1 would
  // build (keys sorted, "." only beside children, leaves `{}`): only then is
  // it the set's encoding, to be reused unchanged.
  let canonical = true;
  const walk = (node: unknown, prefix: string) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`invalid FieldsV1 at ${pathString(prefix === '' ? [] : prefix.split(SEP)) || '.'}: expected an object`);
    let prev: string | undefined;
    let n = 0;
    for (const k in node as Record<string, unknown>) {
      const child = (node as Record<string, unknown>)[k];
      if (prev !== undefined && !(prev < k)) canonical = false;
      prev = k;
      n++;
      if (k === '.') {
        if (child === null || typeof child !== 'object' || Array.isArray(child) || !isEmptyObject(child)) canonical = false;
        set.addKey(prefix);
        continue;
      }
      if (k.length < 2 || k[1] !== ':' || !'fkvi'.includes(k[0])) throw new Error(`invalid FieldsV1 key ${JSON.stringify(k)}`);
      const key = childKey(prefix, k);
      if (child !== null && typeof child === 'object' && isEmptyObject(child)) {
        if (Array.isArray(child)) canonical = false;
        set.addKey(key);
      } else walk(child, key);
    }
    if (n === 1 && prev === '.') canonical = false; // a lone "." encodes as a `{}` leaf
  };
  walk(fields, '');
  if (cacheable) {
    if (canonical) set.encoded = fields as Record<string, unknown>;
    decoded.set(fields, set.seal());
  }
  return set;
}

/** The members of a trie, as encoded keys below `prefix`. */
function addMembers(node: Record<string, unknown>, prefix: string, out: Set<string>): void {
  for (const k in node) {
    if (k === '.') {
      out.add(prefix);
      continue;
    }
    const child = node[k] as Record<string, unknown>;
    const key = childKey(prefix, k);
    if (isEmptyObject(child)) out.add(key);
    else addMembers(child, key, out);
  }
}

function countMembers(node: Record<string, unknown>): number {
  let n = 0;
  for (const k in node) {
    const child = node[k] as Record<string, unknown>;
    n += k === '.' || isEmptyObject(child) ? 1 : countMembers(child);
  }
  return n;
}

/** A trie node that is itself a member: a leaf or a node marked ".". */
function isMemberNode(n: Record<string, unknown>): boolean {
  return n['.'] !== undefined || isEmptyObject(n);
}

/** Whether every member of canonical trie `a` is a member of `b` (both roots, or nodes at one path). */
function trieSubset(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  for (const k in a) {
    if (k === '.') {
      if (!isMemberNode(b)) return false;
      continue;
    }
    const x = a[k] as Record<string, unknown>;
    const y = b[k] as Record<string, unknown> | undefined;
    if (y === undefined) return false;
    if (isEmptyObject(x) ? !isMemberNode(y) : !trieSubset(x, y)) return false;
  }
  return true;
}

/**
 * The member leaf of the tries we build: one frozen `{}` shared by every
 * leaf, so a FieldsV1 value costs objects only for its inner nodes (leaves
 * are most of a trie) and the store has fewer objects to freeze.
 */
export const LEAF: Record<string, unknown> = Object.freeze({});

function isEmptyObject(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The FieldsV1 encoding of a set, computed once per set (a set decoded from a
 * stored entry has that entry's FieldsV1 as its encoding, so an unchanged
 * manager re-encodes to the identical value and the store shares it).
 *
 * Built from the members in sorted order: the encoded separator sorts below
 * every token character, so sorting whole members orders each trie level's
 * keys exactly as sorting them level by level would, and a member comes
 * before its descendants (its "." is placed when its first child appears).
 */
export function fieldSetToFieldsV1(set: FieldSet): Record<string, unknown> {
  if (set.encoded) return set.encoded;
  const keys = [...set.keys()].sort();
  const root: Record<string, unknown> = {};
  const members = new Set<object>();
  // The trie path of the previous member: nodes[i + 1] is the node of its token i, which ends
  // at ends[i]. Sorted members share long prefixes, so each member reuses the nodes of the
  // tokens it has in common with the previous one and only slices its own new tokens.
  const nodes: Record<string, unknown>[] = [root];
  const ends: number[] = [];
  let prev = '';
  for (const key of keys) {
    let depth = 0;
    if (key !== '') {
      let lcp = 0;
      const m = Math.min(key.length, prev.length);
      while (lcp < m && key.charCodeAt(lcp) === prev.charCodeAt(lcp)) lcp++;
      // Token i of the previous member is shared when it ends inside the common prefix at a separator of both.
      while (depth < ends.length && (ends[depth] < lcp || (ends[depth] === lcp && key.charCodeAt(lcp) === SEP_CODE))) depth++;
      let node = nodes[depth];
      let start = depth === 0 ? 0 : ends[depth - 1] + 1;
      for (;;) {
        const end = key.indexOf(SEP, start);
        const tok = end < 0 ? key.slice(start) : key.slice(start, end);
        let next = node[tok] as Record<string, unknown> | undefined;
        if (next === undefined) {
          if (members.has(node) && isEmptyObject(node)) node['.'] = {};
          next = {};
          node[tok] = next;
        }
        node = next;
        ends[depth] = end < 0 ? key.length : end;
        nodes[++depth] = node;
        if (end < 0) break;
        start = end + 1;
      }
    }
    ends.length = depth;
    nodes.length = depth + 1;
    members.add(nodes[depth]);
    prev = key;
  }
  set.seal().encoded = root;
  markOwnSet(root, set); // the store keeps this very object: reading it back needs no walk
  return root;
}

/** Human form of a path, as structured-merge-diff prints it in conflict messages. */
export function pathString(path: Path): string {
  let s = '';
  for (const t of path) {
    const body = t.slice(2);
    switch (t[0]) {
      case 'f':
        s += `.${body}`;
        break;
      case 'i':
        s += `[${body}]`;
        break;
      case 'v':
        s += `[=${body}]`;
        break;
      case 'k': {
        const keys = JSON.parse(body) as Record<string, unknown>;
        s += `[${Object.keys(keys)
          .map((k) => `${k}=${JSON.stringify(keys[k])}`)
          .join(',')}]`;
        break;
      }
      default:
        s += `.${t}`;
    }
  }
  return s;
}
