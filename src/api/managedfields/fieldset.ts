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
//   fieldSetFromFieldsV1(json) / fieldSetToFieldsV1(set)
//   pathString(tokens)         → ".spec.ports[port=80,protocol=\"TCP\"].name" (conflict messages)
//   keyToken(obj) / valueToken(v) / fieldToken(name)

const SEP = '\u0001';

export type Path = readonly string[];

export function fieldToken(name: string): string {
  return `f:${name}`;
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
  return `v:${canonicalJson(v)}`;
}

export class FieldSet {
  private readonly members: Set<string>;

  constructor(paths?: Iterable<string>) {
    this.members = new Set(paths);
  }

  static of(...paths: Path[]): FieldSet {
    return new FieldSet(paths.map((p) => p.join(SEP)));
  }

  add(path: Path): void {
    this.members.add(path.join(SEP));
  }

  has(path: Path): boolean {
    return this.members.has(path.join(SEP));
  }

  get size(): number {
    return this.members.size;
  }

  get empty(): boolean {
    return this.members.size === 0;
  }

  /** The encoded members (opaque strings; use paths() for tokens). */
  keys(): IterableIterator<string> {
    return this.members.values();
  }

  paths(): Path[] {
    return [...this.members].map((k) => (k === '' ? [] : k.split(SEP)));
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet(this.members);
    for (const k of other.members) out.members.add(k);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const k of this.members) if (!other.members.has(k)) out.members.add(k);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    const [small, big] = this.members.size <= other.members.size ? [this.members, other.members] : [other.members, this.members];
    for (const k of small) if (big.has(k)) out.members.add(k);
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.members.size !== other.members.size) return false;
    for (const k of this.members) if (!other.members.has(k)) return false;
    return true;
  }

  /** The members whose token list passes `keep` (given the first two tokens, enough for scoping). */
  filterByHead(keep: (first: string, second: string | undefined, length: number) => boolean): FieldSet {
    const out = new FieldSet();
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
      if (k !== '' && keep(first, second, length)) out.members.add(k);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// FieldsV1

type Trie = Map<string, Trie> & { member?: boolean };

/** Decodes a FieldsV1 object; throws on malformed input. */
export function fieldSetFromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: string[]) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`invalid FieldsV1 at ${pathString(path) || '.'}: expected an object`);
    for (const [k, child] of Object.entries(node as Record<string, unknown>)) {
      if (k === '.') {
        set.add(path);
        continue;
      }
      if (!/^[fkvi]:/.test(k)) throw new Error(`invalid FieldsV1 key ${JSON.stringify(k)}`);
      const p = [...path, k];
      if (child !== null && typeof child === 'object' && Object.keys(child).length === 0) set.add(p);
      else walk(child, p);
    }
  };
  walk(fields, []);
  return set;
}

export function fieldSetToFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Trie = new Map();
  for (const path of set.paths()) {
    let node = root;
    for (const t of path) {
      let next = node.get(t);
      if (!next) {
        next = new Map();
        node.set(t, next);
      }
      node = next;
    }
    node.member = true;
  }
  const out = (node: Trie): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    if (node.member && node.size > 0) o['.'] = {};
    for (const k of [...node.keys()].sort()) o[k] = out(node.get(k)!);
    return o;
  };
  return out(root);
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
