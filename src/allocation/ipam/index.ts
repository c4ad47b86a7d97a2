// IPAM (ipam.be.kuid.dev): IPIndex prefixes are the roots of an IpTree; an
// IPClaim is, by the fields it sets (kuid's claim types):
//   address            → staticAddress   (exactly that address, in the smallest block containing it)
//   prefix             → staticPrefix    (a child block of kind prefixType, default regular)
//   range "A-B"        → staticRange     (a child block that addresses can be taken from)
//   createPrefix       → dynamicPrefix   (first free aligned /prefixLength in a selected parent)
//   none of these      → dynamicAddress  (lowest free address in a selected parent)
// Dynamic claims select parents whose labels match `selector` (and
// `addressFamily`), trying them in address order; `idx` picks the idx-th
// address / prefix of the first selected parent instead of the lowest free.
// As in kuid, a network reserves its first and last address (both usable in a
// /31 or /127); aggregate, pool, regular and range blocks hand out every
// address, the first one first (10.0.0.0/32 from an aggregate 10.0.0.0/8).
// Which free address or prefix comes next is kuid's (nipam's) best fit: the
// smallest free aligned block that holds it, so a network with its ends
// reserved hands out .1, .254, .2, .3, .252, ... (kuid's own test), a pool
// .0, .1, .2, ...; a range its lowest free address.
// An IPIndex's prefixes are roots of its prefixType (default aggregate), each
// held by an IPClaim the index owns, named `<index>.<subnet>` (kuid's
// IPIndex.GetClaims). Entries are named as kuid's GetIPEntry names them:
// `<namespace>.<index>.<subnet>`, and `<namespace>.<index>.<range>.<subnet>`
// for an address in a range, where subnet is iputil's GetSubnetName
// (`10.0.0.0-24`, `1000---64`); a range is recorded as its CIDR blocks
// (netipx IPRange.Prefixes: 10.0.0.100-10.0.0.102 → .100/31 and .102/32).
// Status: address "a.b.c.d/len" (len of the network it is in, else /32 or
// /128), prefix, range, and defaultGateway for addresses in a network that has
// a claim with defaultGateway: true.

import type { KObject } from '../../api/object.js';
import type { LabelSelector } from '../../api/selectors.js';
import { type Allocation, type Backend, type Decision, claimLabels, claimSelector, entryClaimName, entryObject, nameSegment } from '../backend.js';
import { fail, type Outcome } from '../pool/idpool.js';
import { type Family, blockSize, familyBits, formatAddress, formatPrefix, networkOf, parseAddress, parsePrefix, subnetName } from '../../net/ipaddr.js';
import { type Block, type BlockKind, IpTree } from './tree.js';
import { alignedBlocks } from '../blocks.js';

const group = 'ipam.be.kuid.dev';
const apiVersion = `${group}/v1alpha1`;
export const labelAddressFamily = 'ipam.be.kuid.dev/address-family';
export const labelPrefixType = 'ipam.be.kuid.dev/ipprefix-type';
export const labelIpClaimType = 'ipam.be.kuid.dev/claim-type';
export const labelIndex = 'ipam.be.kuid.dev/index';
export const labelSubnet = 'ipam.be.kuid.dev/subnet';

interface IPClaimSpec {
  index?: string;
  address?: string;
  prefix?: string;
  range?: string;
  addressFamily?: Family;
  prefixLength?: number;
  prefixType?: 'network' | 'aggregate' | 'pool' | 'regular';
  createPrefix?: boolean;
  defaultGateway?: boolean;
  idx?: number;
  selector?: LabelSelector;
  labels?: Record<string, string>;
}

type ClaimType = 'staticAddress' | 'staticPrefix' | 'staticRange' | 'dynamicPrefix' | 'dynamicAddress';

function claimTypeOf(spec: IPClaimSpec): ClaimType | { invalid: string } {
  const set = (['address', 'prefix', 'range'] as const).filter((f) => spec[f] !== undefined && spec[f] !== null && spec[f] !== '');
  if (set.length > 1) return { invalid: `a claim can only have one of address, prefix or range; got ${set.join(', ')}` };
  if (set[0] === 'address') return 'staticAddress';
  if (set[0] === 'prefix') return 'staticPrefix';
  if (set[0] === 'range') return 'staticRange';
  return spec.createPrefix ? 'dynamicPrefix' : 'dynamicAddress';
}

function parseIpRange(s: string): Outcome<{ family: Family; from: bigint; to: bigint }> {
  const i = s.indexOf('-');
  const a = i < 0 ? undefined : parseAddress(s.slice(0, i));
  const b = i < 0 ? undefined : parseAddress(s.slice(i + 1));
  if (!a || !b || a.family !== b.family) return fail('InvalidClaim', `range ${JSON.stringify(s)} must be <first address>-<last address> of one family`);
  if (a.addr > b.addr) return fail('InvalidClaim', `range ${s}: first address is after the last`);
  return { ok: true, value: { family: a.family, from: a.addr, to: b.addr } };
}

const kinds = { name: 'ipam', group, index: { apiVersion, kind: 'IPIndex' }, claim: { apiVersion, kind: 'IPClaim' }, entry: { apiVersion, kind: 'IPEntry' } };

/** Offsets dynamic addresses may use in a block (a network's reserved ends are taken in its set). */
function addressWindow(b: Block): { lo: bigint; hi: bigint } {
  return { lo: 0n, hi: (b.size < b.set.addressable ? b.size : b.set.addressable) - 1n };
}

/** A range Entry's span: a CIDR block (kuid) or the "first-last" text older Entries have. */
function rangeSpan(prefix: string): { family: Family; from: bigint; to: bigint } | undefined {
  const p = parsePrefix(prefix);
  if (p) return { family: p.family, from: networkOf(p), to: networkOf(p) + blockSize(p.family, p.len) - 1n };
  const r = parseIpRange(prefix);
  return r.ok ? r.value : undefined;
}


/** An Entry name as kuid's GetIPEntry builds it (made a valid name where an IPv6 text is not: ::1 → 0--1-128). */
function entryName(ns: string, index: string, subnet: string, range?: string): string {
  return [ns, index, ...(range ? [range] : []), nameSegment(subnet)].join('.');
}

/** Whether the claim is an index's own claim of one of its prefixes (kuid: IsOwnedByIPIndex). */
function isIndexClaim(claim: KObject): boolean {
  const index = ((claim.spec ?? {}) as IPClaimSpec).index;
  return (claim.metadata.ownerReferences ?? []).some((r) => r.kind === 'IPIndex' && r.name === index && r.apiVersion.startsWith(`${group}/`));
}

function allocation(tree: IpTree, claim: KObject, ct: ClaimType, refresh = false): Decision {
  const name = claim.metadata.name!;
  const ns = claim.metadata.namespace ?? '';
  const spec = (claim.spec ?? {}) as IPClaimSpec;
  const index = spec.index!;
  const h = tree.holding(name)!;
  const labels = { ...claimLabels(claim, ct), [labelIpClaimType]: ct, [labelIndex]: index };
  const indexEntry = isIndexClaim(claim);
  const entry = (name: string, s: Record<string, unknown>) => entryObject(kinds, ns, name, labels, { index, indexEntry, claimType: ct, ...s });
  let a: Allocation;
  if (h.kind === 'address') {
    const p = h.parent;
    const addr = p.start + BigInt(h.offset);
    const given = ct === 'staticAddress' ? parsePrefix(spec.address!) : undefined;
    const len = given ? given.len : p.kind === 'network' ? p.len : familyBits(p.family);
    const text = formatPrefix(p.family, addr, len);
    const status: Record<string, unknown> = { address: text };
    if (p.kind === 'network' && p.gateway !== undefined) status.defaultGateway = formatAddress(p.family, p.gateway);
    const name = entryName(ns, index, subnetName(p.family, addr, familyBits(p.family)), p.kind === 'range' ? p.holder : undefined);
    // The Entry records the address route (kuid: /32 or /128), the status the address in its network.
    const route = formatPrefix(p.family, addr, familyBits(p.family));
    a = { status, entries: [entry(name, { prefix: route, addressFamily: p.family, ...(h.gateway ? { defaultGateway: true } : {}) })], refreshIndex: refresh };
  } else {
    const b = h.block;
    if (b.kind === 'range') {
      const text = `${formatAddress(b.family, b.start)}-${formatAddress(b.family, b.start + b.size - 1n)}`;
      const blocks = alignedBlocks(b.start, b.start + b.size - 1n, familyBits(b.family));
      a = { status: { range: text }, entries: blocks.map((k) => entry(entryName(ns, index, subnetName(b.family, k.start, k.len)), { prefix: formatPrefix(b.family, k.start, k.len), addressFamily: b.family })) };
    } else {
      const text = formatPrefix(b.family, b.start, b.len);
      const ownAddr = h.own ? b.start + h.own.offset : undefined;
      // A user claim sharing an index prefix's addresses (a pool over the whole aggregate) gets its own name beside the index claim's.
      const shared = b.parent !== undefined && b.set === b.parent.set;
      const own = entry(entryName(ns, index, subnetName(b.family, b.start, b.len), shared ? name : undefined), { prefix: text, addressFamily: b.family, prefixType: b.kind });
      // kuid records a network's reserved first and last address as Entries of the network claim too.
      const ends = (b.reserved ?? []).map((o) => {
        const bits = familyBits(b.family);
        return entry(entryName(ns, index, subnetName(b.family, b.start + o, bits)), { prefix: formatPrefix(b.family, b.start + o, bits), addressFamily: b.family, prefixType: b.kind });
      });
      // A network claim's own address (not a reserved end): an Entry of its own, default gateway included.
      const bits = familyBits(b.family);
      const addrEntry =
        ownAddr !== undefined && !b.reserved?.includes(h.own!.offset)
          ? [entry(entryName(ns, index, subnetName(b.family, ownAddr, bits)), { prefix: formatPrefix(b.family, ownAddr, bits), addressFamily: b.family, prefixType: b.kind, ...(h.own!.gateway ? { defaultGateway: true } : {}) })]
          : [];
      const status: Record<string, unknown> = { prefix: ownAddr !== undefined ? formatPrefix(b.family, ownAddr, b.len) : text };
      if (b.kind === 'network' && b.gateway !== undefined) status.defaultGateway = formatAddress(b.family, b.gateway);
      a = { status, entries: [own, ...ends, ...addrEntry], refreshIndex: refresh };
    }
  }
  return { ok: true, allocation: a };
}

function blockLabels(claim: KObject, ct: ClaimType, family: Family, kind: BlockKind, subnet: string): Record<string, string> {
  const index = ((claim.spec ?? {}) as IPClaimSpec).index!;
  return { ...claimLabels(claim, ct), [labelIpClaimType]: ct, [labelIndex]: index, [labelAddressFamily]: family, [labelPrefixType]: kind, [labelSubnet]: nameSegment(subnet) };
}

function decide(tree: IpTree, claim: KObject): Decision {
  const name = claim.metadata.name!;
  const spec = (claim.spec ?? {}) as IPClaimSpec;
  const ct = claimTypeOf(spec);
  if (typeof ct !== 'string') return { ok: false, reason: 'InvalidClaim', message: ct.invalid };
  const current = tree.holding(name);
  const releaseIf = (stale: boolean): Decision | undefined => {
    if (!current || !stale) return undefined;
    const r = tree.release(name);
    return r.ok ? undefined : r;
  };

  if (ct === 'staticAddress') {
    const a = parsePrefix(spec.address!) ?? parseAddress(spec.address!);
    if (!a) return { ok: false, reason: 'InvalidClaim', message: `spec.address: ${JSON.stringify(spec.address)} is not an IP address` };
    const parent = tree.container(a.family, a.addr, 1n);
    if (!parent) return { ok: false, reason: 'NoParent', message: `address ${formatAddress(a.family, a.addr)} is not within any prefix of index ${spec.index}` };
    // kuid's rules: an address written with its prefix length (10.0.0.5/24) belongs in a network, one written as /32 or /128 not
    // (a bare address takes the form its parent wants).
    const given = parsePrefix(spec.address!);
    if (given && given.len === familyBits(given.family) && parent.kind === 'network')
      return { ok: false, reason: 'InvalidClaim', message: `spec.address: ${spec.address}: a /${given.len} address is not possible in network ${formatPrefix(parent.family, parent.start, parent.len)}; write it with the network's length (/${parent.len})` };
    if (given && given.len < familyBits(given.family) && parent.kind !== 'network')
      return { ok: false, reason: 'InvalidClaim', message: `spec.address: ${spec.address}: an address with a prefix length is only possible in a network; its parent ${formatPrefix(parent.family, parent.start, parent.len)} is of type ${parent.kind}` };
    const same = current?.kind === 'address' && current.parent.start + BigInt(current.offset) === a.addr && current.gateway === !!spec.defaultGateway;
    const f = releaseIf(!same);
    if (f) return f;
    const r = tree.takeAddress(name, parent, a.addr - parent.start, !!spec.defaultGateway);
    return r.ok ? allocation(tree, claim, ct, !same && !!spec.defaultGateway) : r;
  }

  if (ct === 'staticPrefix') {
    const p = parsePrefix(spec.prefix!);
    if (!p) return { ok: false, reason: 'InvalidClaim', message: `spec.prefix: ${JSON.stringify(spec.prefix)} is not a prefix (address/length)` };
    const net = networkOf(p);
    // kuid: an address in its prefix (10.0.0.1/24) is a network claim's own address; other types name the network itself.
    if (net !== p.addr && spec.prefixType !== 'network')
      return { ok: false, reason: 'InvalidClaim', message: `spec.prefix: ${spec.prefix} is not a network address; the prefix is ${formatPrefix(p.family, net, p.len)} (an address within its prefix needs prefixType network)` };
    if (isIndexClaim(claim)) {
      const root = tree.root(p.family, net, p.len);
      if (!root) return { ok: false, reason: 'NoParent', message: `prefix ${spec.prefix} is not a prefix of index ${spec.index}` };
      const r = tree.takeRoot(name, root);
      if (!r.ok) return r;
      // Selectable by the index claim's name too, as kuid's route of it is.
      root.labels = { ...root.labels, ...claimLabels(claim, ct) };
      return allocation(tree, claim, ct);
    }
    const size = blockSize(p.family, p.len);
    const parent = tree.container(p.family, net, size);
    if (!parent) return { ok: false, reason: 'NoParent', message: `prefix ${spec.prefix} is not within any prefix of index ${spec.index}` };
    const same = current?.kind === 'block' && current.block.start === net && current.block.size === size;
    const f = releaseIf(!same);
    if (f) return f;
    const kind = spec.prefixType ?? 'regular';
    const container = same && current?.kind === 'block' ? current.block.parent! : parent;
    const r = tree.takeBlock(name, container, net, size, p.len, kind, blockLabels(claim, ct, p.family, kind, formatPrefix(p.family, net, p.len)));
    if (!r.ok) return r;
    const before = tree.holding(name)?.kind === 'block' ? (tree.holding(name) as { own?: { offset: bigint; gateway: boolean } }).own : undefined;
    const own = tree.setOwnAddress(name, p.addr === net ? undefined : p.addr - net, !!spec.defaultGateway);
    if (!own.ok) {
      if (!same) tree.release(name);
      return own;
    }
    const gatewayChanged = (before?.gateway ?? false) !== !!spec.defaultGateway || (before?.offset ?? -1n) !== p.addr - net;
    return allocation(tree, claim, ct, !!spec.defaultGateway && gatewayChanged);
  }

  if (ct === 'staticRange') {
    const rg = parseIpRange(spec.range!);
    if (!rg.ok) return rg;
    const { family, from, to } = rg.value;
    const size = to - from + 1n;
    const same = current?.kind === 'block' && current.block.start === from && current.block.size === size;
    const parent = same && current?.kind === 'block' ? current.block.parent : tree.container(family, from, size);
    if (!parent) return { ok: false, reason: 'NoParent', message: `range ${spec.range} is not within any prefix of index ${spec.index}` };
    const f = releaseIf(!same);
    if (f) return f;
    const r = tree.takeBlock(name, parent, from, size, familyBits(family), 'range', blockLabels(claim, ct, family, 'range', spec.range!));
    return r.ok ? allocation(tree, claim, ct) : r;
  }

  // Dynamic: select parents.
  const { matcher, failure } = claimSelector(spec.selector);
  if (failure) return failure;
  const wantPrefix = ct === 'dynamicPrefix';
  if (wantPrefix && (typeof spec.prefixLength !== 'number' || spec.prefixLength < 0)) return { ok: false, reason: 'InvalidClaim', message: 'spec.prefixLength is required when createPrefix is set' };
  const candidates = tree
    .blocks()
    .filter((b) => (!spec.addressFamily || b.family === spec.addressFamily) && (!matcher || matcher.matches(b.labels)) && (!wantPrefix || (b.kind !== 'range' && spec.prefixLength! > b.len && spec.prefixLength! <= familyBits(b.family))));
  if (candidates.length === 0) {
    const sel = matcher ? ` matching selector ${matcher.toString()}` : '';
    return { ok: false, reason: 'NoParent', message: `no ${wantPrefix ? `prefix that can hold a /${spec.prefixLength}` : 'prefix'}${spec.addressFamily ? ` (${spec.addressFamily})` : ''}${sel} in index ${spec.index}` };
  }
  const fits =
    current &&
    (wantPrefix ? current.kind === 'block' && current.block.len === spec.prefixLength && candidates.includes(current.block.parent!) : current.kind === 'address' && candidates.includes(current.parent));
  if (fits) {
    if (current.kind === 'block') {
      const kind = spec.prefixType ?? 'regular';
      tree.setKind(current.block, kind);
      current.block.labels = blockLabels(claim, ct, current.block.family, kind, formatPrefix(current.block.family, current.block.start, current.block.len));
    }
    return allocation(tree, claim, ct);
  }
  const f = releaseIf(true);
  if (f) return f;

  if (wantPrefix) {
    const kind = spec.prefixType ?? 'regular';
    const len = spec.prefixLength!;
    const take = (b: Block, off: bigint) => {
      const start = b.start + off;
      return tree.takeBlock(name, b, start, blockSize(b.family, len), len, kind, blockLabels(claim, ct, b.family, kind, formatPrefix(b.family, start, len)));
    };
    // Stability: the prefix the status reports, when it is still free in a selected parent.
    const prev = parsePrefix(String((claim.status as { prefix?: string } | undefined)?.prefix ?? ''));
    if (prev && prev.len === len) {
      const b = tree.container(prev.family, prev.addr, blockSize(prev.family, len));
      if (b && candidates.includes(b) && take(b, prev.addr - b.start).ok) return allocation(tree, claim, ct);
    }
    for (const b of spec.idx !== undefined ? candidates.slice(0, 1) : candidates) {
      const size = blockSize(b.family, len);
      const off = spec.idx !== undefined ? b.set.freeAligned(size, spec.idx) : b.set.bestFit(size);
      if (off !== undefined && take(b, off).ok) return allocation(tree, claim, ct);
    }
    return { ok: false, reason: 'Exhausted', message: `no free /${len}${spec.idx !== undefined ? ` at idx ${spec.idx}` : ''} in ${describe(candidates)}` };
  }

  const prevText = (claim.status as { address?: string } | undefined)?.address;
  const prev = prevText ? (parsePrefix(prevText) ?? parseAddress(prevText)) : undefined;
  if (prev) {
    const b = tree.container(prev.family, prev.addr, 1n);
    if (b && candidates.includes(b) && tree.takeAddress(name, b, prev.addr - b.start, false).ok) return allocation(tree, claim, ct);
  }
  for (const b of spec.idx !== undefined ? candidates.slice(0, 1) : candidates) {
    const w = addressWindow(b);
    const i = spec.idx !== undefined ? BigInt(spec.idx) : undefined;
    // kuid: a range hands out its lowest free address (iptable FindFree), a prefix its best fit (see Space.bestFit).
    const off = i !== undefined ? (i >= w.lo && i <= w.hi && !b.set.has(i) ? i : undefined) : b.kind === 'range' ? b.set.firstFreeAddress(w.lo, w.hi) : b.set.bestFit(1n);
    if (off !== undefined && tree.takeAddress(name, b, off, false).ok) return allocation(tree, claim, ct);
  }
  return { ok: false, reason: 'Exhausted', message: `no free address${spec.idx !== undefined ? ` at idx ${spec.idx}` : ''} in ${describe(candidates)}` };
}

function describe(blocks: Block[]): string {
  const names = blocks.slice(0, 3).map((b) => (b.kind === 'range' ? `${formatAddress(b.family, b.start)}-${formatAddress(b.family, b.start + b.size - 1n)}` : formatPrefix(b.family, b.start, b.len)));
  return names.join(', ') + (blocks.length > 3 ? ` and ${blocks.length - 3} more` : '');
}

interface IndexPrefix {
  prefix?: string;
  prefixType?: 'network' | 'aggregate' | 'pool' | 'regular';
  labels?: Record<string, string>;
}

const indexPrefixes = (index: KObject): IndexPrefix[] => ((index.spec ?? {}) as { prefixes?: IndexPrefix[] }).prefixes ?? [];

const prefixOrder: Record<string, number> = { staticRange: 200, staticAddress: 300, dynamicAddress: 300 };

export const ipamBackend: Backend<IpTree> = {
  kinds,
  newPool(index) {
    const tree = new IpTree();
    for (const [i, p] of indexPrefixes(index).entries()) {
      const parsed = parsePrefix(String(p.prefix ?? ''));
      if (!parsed) return fail('InvalidIndex', `spec.prefixes[${i}].prefix: ${JSON.stringify(p.prefix)} is not a prefix`);
      const kind = p.prefixType ?? 'aggregate';
      const labels = { ...(p.labels ?? {}), [labelAddressFamily]: parsed.family, [labelPrefixType]: kind, [labelIndex]: index.metadata.name! };
      const r = tree.addRoot(parsed.family, networkOf(parsed), parsed.len, kind, labels);
      if (!r.ok) return fail(r.reason, `spec.prefixes[${i}]: ${r.message}`);
    }
    return { ok: true, value: tree };
  },
  // The index's prefixes are recorded by the Entries of its claims (kuid), not by Entries of its own.
  indexEntries: () => [],
  indexClaims(index) {
    const name = index.metadata.name!;
    return indexPrefixes(index).flatMap((p) => {
      const parsed = parsePrefix(String(p.prefix ?? ''));
      if (!parsed) return [];
      const spec: IPClaimSpec = { index: name, prefix: formatPrefix(parsed.family, networkOf(parsed), parsed.len), prefixLength: parsed.len, createPrefix: true, ...(p.prefixType ? { prefixType: p.prefixType } : {}), ...(p.labels ? { labels: p.labels } : {}) };
      return [{ apiVersion, kind: 'IPClaim', metadata: { name: `${name}.${nameSegment(subnetName(parsed.family, networkOf(parsed), parsed.len))}`, namespace: index.metadata.namespace }, spec: spec as Record<string, unknown> }];
    });
  },
  indexStatus: (tree) => ({ prefixes: tree.roots.map((r) => ({ prefix: formatPrefix(r.family, r.start, r.len), labels: r.labels })) }),
  restoreOrder(entry) {
    const spec = (entry.spec ?? {}) as { claimType?: string; prefix?: string; indexEntry?: boolean };
    if (spec.indexEntry) return -1;
    // A range's blocks in address order, so each extends the range its predecessor restored.
    if (spec.claimType === 'staticRange') return 200 + Number(BigInt.asUintN(48, rangeSpan(spec.prefix ?? '')?.from ?? 0n)) / 2 ** 48;
    return prefixOrder[spec.claimType ?? ''] ?? parsePrefix(spec.prefix ?? '')?.len ?? 0;
  },
  restore(tree, entry) {
    const spec = (entry.spec ?? {}) as { claimType?: ClaimType; prefix?: string; prefixType?: BlockKind; labels?: Record<string, string>; indexEntry?: boolean; defaultGateway?: boolean };
    const claim = entryClaimName(entry);
    if (!claim || !spec.prefix) return spec.indexEntry === true;
    let ok = false;
    const asPrefix = parsePrefix(spec.prefix);
    if (spec.indexEntry) {
      // An index claim's Entry: the claim holds its root again (older Entries the index owned itself hold nothing).
      const root = asPrefix && tree.root(asPrefix.family, networkOf(asPrefix), asPrefix.len);
      if (root && (entry.metadata.ownerReferences ?? []).some((r) => r.kind === 'IPClaim')) ok = tree.takeRoot(claim, root).ok;
      if (ok && root) root.labels = { ...root.labels, ...(spec.labels ?? {}) };
      if (ok && entry.metadata.uid) tree.setEntryUid(claim, entry.metadata.uid);
      return true;
    }
    const held = tree.holding(claim);
    // A network's reserved first/last address, or its own address: restored with (into) the network block itself.
    if (asPrefix && held?.kind === 'block' && asPrefix.len === familyBits(asPrefix.family) && held.block.start <= asPrefix.addr && asPrefix.addr < held.block.start + held.block.size) {
      const off = asPrefix.addr - held.block.start;
      if (held.block.reserved?.includes(off) && !spec.defaultGateway) return true;
      return tree.setOwnAddress(claim, off, !!spec.defaultGateway).ok;
    }
    if (spec.claimType === 'staticRange') {
      const span = rangeSpan(spec.prefix);
      let from = span?.from ?? 0n;
      let to = span?.to ?? -1n;
      if (span && held?.kind === 'block' && held.block.kind === 'range' && held.block.family === span.family) {
        const b = held.block;
        // The next block of a range partly restored (nothing inside it is restored yet): take the range again, extended.
        if (b.start <= from && to < b.start + b.size) return true;
        if (b.start + b.size === from) from = b.start;
        else if (to + 1n === b.start) to = b.start + b.size - 1n;
        tree.release(claim);
      }
      const parent = span ? tree.container(span.family, from, to - from + 1n) : undefined;
      ok = !!span && !!parent && tree.takeBlock(claim, parent, from, to - from + 1n, familyBits(span.family), 'range', spec.labels ?? {}).ok;
    } else if (spec.claimType === 'staticPrefix' || spec.claimType === 'dynamicPrefix') {
      const p = parsePrefix(spec.prefix);
      const size = p ? blockSize(p.family, p.len) : 0n;
      const parent = p ? tree.container(p.family, networkOf(p), size) : undefined;
      ok = !!p && !!parent && tree.takeBlock(claim, parent, networkOf(p), size, p.len, spec.prefixType ?? 'regular', spec.labels ?? {}).ok;
    } else {
      const p = parsePrefix(spec.prefix);
      const parent = p ? tree.container(p.family, p.addr, 1n) : undefined;
      ok = !!p && !!parent && tree.takeAddress(claim, parent, p.addr - parent.start, !!spec.defaultGateway).ok;
    }
    if (ok && entry.metadata.uid) tree.setEntryUid(claim, entry.metadata.uid);
    return ok;
  },
  claimOrder(claim) {
    const ct = claimTypeOf((claim.spec ?? {}) as IPClaimSpec);
    return ct === 'staticPrefix' || ct === 'staticRange' ? 0 : ct === 'staticAddress' ? 1 : ct === 'dynamicPrefix' ? 2 : 3;
  },
  decide,
  holds: (tree, claim) => tree.holding(claim) !== undefined,
  release: (tree, claim) => {
    tree.release(claim);
  },
  releaseEntry: (tree, claim, uid) => tree.releaseEntry(claim, uid),
  setEntryUid: (tree, claim, _entry, uid) => tree.setEntryUid(claim, uid),
};
