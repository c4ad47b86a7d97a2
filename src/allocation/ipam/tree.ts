// The IP pool of one IPIndex: a tree of address blocks. The roots are the
// index's prefixes (aggregates); claimed prefixes and ranges become child
// blocks that addresses and smaller prefixes are taken from.
//
// Key ideas:
// - Every block owns a Space (space.ts: IdSets over its addresses, or over
//   coarse units for big IPv6 blocks): taking an address sets one bit, taking
//   a child prefix or range sets its whole span, so "lowest free address" and
//   "first free aligned /n" never scan what is already allocated.
// - A claimed prefix equal to an index prefix (a pool claimed over a whole
//   aggregate, as the choreo examples do) shares the aggregate's set: both
//   names select the same addresses, which can then never be handed out twice.
// - Blocks carry labels (user labels + ipam.be.kuid.dev/* system labels);
//   dynamic claims select parents with label selectors over them.
// - A network block reserves its first and last address (kuid adds them as
//   routes of the network claim), except a /31 or /127, whose two addresses
//   are both usable (point-to-point links); other kinds hand out every address.
// - An index prefix is a root held by the index's own claim (kuid creates an
//   IPClaim per index prefix); its kind is the index prefix's prefixType.
// Like IdPool, everything is synchronous and every holding has a claim name
// and, once written, the uid of its Entry.

import { fail, type Outcome } from '../pool/idpool.js';
import { type Family, blockSize, familyBits, formatAddress, formatPrefix } from '../../net/ipaddr.js';
import { Space } from './space.js';

/** kuid's prefix types of both API generations (aggregate/pool/network, regular/network) and ranges. */
export type BlockKind = 'aggregate' | 'pool' | 'regular' | 'network' | 'range';

export interface Block {
  family: Family;
  start: bigint;
  size: bigint;
  /** Prefix length (ranges: the family's bits). */
  len: number;
  kind: BlockKind;
  labels: Record<string, string>;
  /** Claim holding the block; "" for index prefixes. */
  holder: string;
  parent?: Block;
  kids: Block[];
  set: Space;
  /** Address offsets taken inside this block, by claim. */
  taken: Map<bigint, string>;
  gateway?: bigint;
  /** Offsets a network reserves (its first and last address). */
  reserved?: bigint[];
}

export type IpHolding =
  | { kind: 'address'; parent: Block; offset: bigint; entryUid?: string; gateway: boolean }
  | { kind: 'block'; block: Block; entryUid?: string; own?: { offset: bigint; gateway: boolean } };


export class IpTree {
  readonly roots: Block[] = [];
  private readonly byClaim = new Map<string, IpHolding>();

  holding(claim: string): IpHolding | undefined {
    return this.byClaim.get(claim);
  }

  addRoot(family: Family, start: bigint, len: number, kind: BlockKind, labels: Record<string, string>): Outcome<Block> {
    const size = blockSize(family, len);
    const clash = this.roots.find((r) => r.family === family && r.start < start + size && start < r.start + r.size);
    if (clash) return fail('InvalidIndex', `prefix ${formatPrefix(family, start, len)} overlaps ${formatPrefix(family, clash.start, clash.len)}`);
    const b: Block = { family, start, size, len, kind, labels, holder: '', kids: [], set: new Space(size), taken: new Map() };
    reserveEnds(b);
    this.roots.push(b);
    return { ok: true, value: b };
  }

  /** The index claim of a root (kuid's IPClaim per index prefix) holds the root itself. */
  takeRoot(claim: string, root: Block): Outcome<Block> {
    if (root.holder !== '' && root.holder !== claim) return fail('Conflict', `prefix ${formatPrefix(root.family, root.start, root.len)} is already claimed by ${root.holder}`);
    root.holder = claim;
    this.byClaim.set(claim, { kind: 'block', block: root });
    return { ok: true, value: root };
  }

  /** Changes a claimed block's kind (its network reservations follow). */
  setKind(b: Block, kind: BlockKind): void {
    if (b.kind === kind) return;
    const shared = b.parent !== undefined && b.set === b.parent.set;
    for (const o of shared ? [] : (b.reserved ?? [])) b.set.free(o, 1n);
    b.reserved = undefined;
    b.kind = kind;
    if (!shared) reserveEnds(b);
  }

  /** The root exactly at this prefix. */
  root(family: Family, start: bigint, len: number): Block | undefined {
    return this.roots.find((r) => r.family === family && r.start === start && r.len === len);
  }

  /** The deepest block containing [start, start+size). */
  container(family: Family, start: bigint, size: bigint): Block | undefined {
    let found: Block | undefined;
    let level: Block[] = this.roots;
    for (;;) {
      // The smallest containing block: a sub-prefix wins over a pool that shares its aggregate's addresses.
      const b = level.filter((x) => x.family === family && x.start <= start && start + size <= x.start + x.size).sort((x, y) => (x.size < y.size ? -1 : x.size > y.size ? 1 : 0))[0];
      if (!b) return found;
      found = b;
      level = b.kids;
    }
  }

  /** Every block, depth first, in address order (the order dynamic claims try parents). */
  blocks(): Block[] {
    const out: Block[] = [];
    const walk = (bs: Block[]) => {
      for (const b of [...bs].sort((x, y) => (x.family !== y.family ? (x.family === 'ipv4' ? -1 : 1) : x.start < y.start ? -1 : x.start > y.start ? 1 : x.len - y.len))) {
        out.push(b);
        walk(b.kids);
      }
    };
    walk(this.roots);
    return out;
  }

  // --- taking ------------------------------------------------------------------

  /** Takes one address at parent offset for claim. */
  takeAddress(claim: string, parent: Block, offset: bigint, gateway: boolean): Outcome<IpHolding> {
    if (parent.reserved?.includes(offset))
      return fail('Conflict', `address ${formatAddress(parent.family, parent.start + offset)} is reserved: the ${offset === 0n ? 'first' : 'last'} address of network ${formatPrefix(parent.family, parent.start, parent.len)}`);
    const who = parent.taken.get(offset) ?? this.shadowHolder(parent, offset);
    if (who !== undefined) {
      const h = this.byClaim.get(claim);
      if (who === claim && h?.kind === 'address') return { ok: true, value: h };
      return fail('Conflict', `address ${formatAddress(parent.family, parent.start + offset)} is already claimed by ${who || 'the index'}`);
    }
    if (offset < 0n || !parent.set.isFree(offset, 1n))
      return fail('OutOfRange', `address ${formatAddress(parent.family, parent.start + offset)} is beyond the first ${parent.set.addressable} addresses of ${formatPrefix(parent.family, parent.start, parent.len)} that single addresses are taken from`);
    parent.set.take(offset, 1n);
    parent.taken.set(offset, claim);
    const h: IpHolding = { kind: 'address', parent, offset, gateway };
    if (gateway) parent.gateway = parent.start + offset;
    this.byClaim.set(claim, h);
    return { ok: true, value: h };
  }

  /** Takes [start, start+size) inside parent as a new child block (a prefix or a range). */
  takeBlock(claim: string, parent: Block, start: bigint, size: bigint, len: number, kind: BlockKind, labels: Record<string, string>): Outcome<Block> {
    const existing = this.byClaim.get(claim);
    if (existing?.kind === 'block' && existing.block.start === start && existing.block.size === size && existing.block.family === parent.family) {
      existing.block.labels = labels;
      this.setKind(existing.block, kind);
      return { ok: true, value: existing.block };
    }
    const equalRoot = parent.parent === undefined && parent.start === start && parent.size === size;
    const what = kind === 'range' ? `range ${formatAddress(parent.family, start)}-${formatAddress(parent.family, start + size - 1n)}` : `prefix ${formatPrefix(parent.family, start, len)}`;
    if (parent.start === start && parent.size === size && !equalRoot) return fail('Conflict', `${what} is already claimed by ${parent.holder || 'the index'}`);
    const off = start - parent.start;
    if (equalRoot) {
      const twin = parent.kids.find((k) => k.start === start && k.size === size);
      if (twin) return fail('Conflict', `${what} is already claimed by ${twin.holder}`);
    } else if (!parent.set.isFree(off, size)) {
      return fail('Conflict', `${what} overlaps ${this.overlapping(parent, off, size)}`);
    }
    const b: Block = {
      family: parent.family,
      start,
      size,
      len,
      kind,
      labels,
      holder: claim,
      parent,
      kids: [],
      set: equalRoot ? parent.set : new Space(size),
      taken: equalRoot ? parent.taken : new Map(),
    };
    if (!equalRoot) {
      parent.set.take(off, size);
      reserveEnds(b);
    }
    parent.kids.push(b);
    this.byClaim.set(claim, { kind: 'block', block: b });
    return { ok: true, value: b };
  }

  // --- releasing ------------------------------------------------------------------

  release(claim: string): Outcome<undefined> {
    const h = this.byClaim.get(claim);
    if (!h) return { ok: true, value: undefined };
    if (h.kind === 'address') {
      h.parent.set.free(h.offset, 1n);
      h.parent.taken.delete(h.offset);
      if (h.gateway && h.parent.gateway === h.parent.start + h.offset) h.parent.gateway = undefined;
    } else if (!h.block.parent) {
      // An index claim lets go of its root; the root stays (it is the index's).
      h.block.holder = '';
    } else {
      const b = h.block;
      const shared = b.parent !== undefined && b.set === b.parent.set;
      const ownTaken = shared ? [...b.taken.values()].filter((c) => this.parentOf(c) === b).length : [...b.taken.values()].filter((c) => c !== claim).length;
      if (b.kids.length > 0 || ownTaken > 0) return fail('InUse', `${formatPrefix(b.family, b.start, b.len)} still contains claimed addresses or prefixes`);
      this.setOwnAddress(claim, undefined, false);
      const p = b.parent!;
      p.kids = p.kids.filter((k) => k !== b);
      if (!shared) p.set.free(b.start - p.start, b.size);
    }
    this.byClaim.delete(claim);
    return { ok: true, value: undefined };
  }

  /**
   * The address a network prefix claim names (kuid: prefix 10.0.0.1/24 of type network holds the
   * network and its address .1, the default gateway when the claim says so). A first or last
   * address is reserved already; undefined clears it.
   */
  setOwnAddress(claim: string, offset: bigint | undefined, gateway: boolean): Outcome<undefined> {
    const h = this.byClaim.get(claim);
    if (h?.kind !== 'block') return fail('Conflict', `${claim} holds no prefix`);
    const b = h.block;
    if (h.own && h.own.offset === offset && h.own.gateway === gateway) return { ok: true, value: undefined };
    if (h.own && !b.reserved?.includes(h.own.offset)) {
      b.set.free(h.own.offset, 1n);
      b.taken.delete(h.own.offset);
      if (h.own.gateway && b.gateway === b.start + h.own.offset) b.gateway = undefined;
    }
    h.own = undefined;
    if (offset === undefined) return { ok: true, value: undefined };
    if (b.reserved?.includes(offset)) {
      h.own = { offset, gateway: false };
      return { ok: true, value: undefined };
    }
    const who = b.taken.get(offset);
    if (who !== undefined || !b.set.isFree(offset, 1n)) return fail('Conflict', `address ${formatAddress(b.family, b.start + offset)} is already claimed by ${who ?? 'another claim'}`);
    b.set.take(offset, 1n);
    b.taken.set(offset, claim);
    if (gateway) b.gateway = b.start + offset;
    h.own = { offset, gateway };
    return { ok: true, value: undefined };
  }

  setEntryUid(claim: string, uid: string): void {
    const h = this.byClaim.get(claim);
    if (h) h.entryUid = uid;
  }

  releaseEntry(claim: string, uid: string): boolean {
    const h = this.byClaim.get(claim);
    if (!h || h.entryUid !== uid) return false;
    return this.release(claim).ok;
  }

  private parentOf(claim: string): Block | undefined {
    const h = this.byClaim.get(claim);
    return h?.kind === 'address' ? h.parent : undefined;
  }

  /** Offsets covered by a child block are marked in the parent set without a `taken` entry. */
  private blockHolderAt(parent: Block, offset: bigint): string | undefined {
    const a = parent.start + offset;
    return parent.kids.find((k) => k.start <= a && a < k.start + k.size)?.holder;
  }

  private shadowHolder(parent: Block, offset: bigint): string | undefined {
    return parent.set.has(offset) ? (this.blockHolderAt(parent, offset) ?? '') : undefined;
  }

  /** Names what is in the way of [off, off+size) in parent, for a conflict message. */
  private overlapping(parent: Block, off: bigint, size: bigint): string {
    const lo = parent.start + off;
    const hi = lo + size;
    const kid = parent.kids.find((k) => k.start < hi && lo < k.start + k.size);
    if (kid) return `${kid.kind === 'range' ? `range ${formatAddress(kid.family, kid.start)}-${formatAddress(kid.family, kid.start + kid.size - 1n)}` : `prefix ${formatPrefix(kid.family, kid.start, kid.len)}`} claimed by ${kid.holder}`;
    for (const [o, c] of parent.taken) if (o >= off && o < off + size) return `address ${formatAddress(parent.family, parent.start + o)} claimed by ${c}`;
    return 'addresses claimed by other claims';
  }
}

/** A network's first and last address are not handed out (none of a /31 or /127: both are usable). */
function reserveEnds(b: Block): void {
  if (b.kind !== 'network' || b.len >= familyBits(b.family) - 1) return;
  const ends = [0n, b.size - 1n].filter((o) => o < b.set.addressable && b.set.isFree(o, 1n));
  for (const o of ends) b.set.take(o, 1n);
  b.reserved = ends;
}
