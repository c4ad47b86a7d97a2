// The numeric backends (AS, VLAN, generic IDs, extended communities) as one
// Backend over IdPool; each kind only says how an index's bounds are derived
// from its spec (see as.ts, vlan.ts, genid.ts, extcomm.ts).
//
// Claim types follow kuid: `spec.id` → staticID, `spec.range: "A-B"` → range
// (a sub-pool), neither → dynamicID (kuid's best fit — the lowest free id
// unless a smaller free block lies beyond it; with a selector, the lowest free of the
// first range — by name — whose labels match, e.g.
// `be.kuid.dev/claim-name: <range claim>`). A dynamic claim keeps what it holds
// while that still satisfies it, and after a lost Entry it first tries the id
// in its status again, so allocations survive restarts and re-runs.
// Entries follow kuid's layout (idxtable ids: value/length, the length being
// the id type's width): an id is `<index>.<id>-<bits>` with spec.id
// "<id>/<bits>", an id inside a range `<range>.<id>-<bits>`, and a range is
// recorded as its aligned blocks, `<index>.<start>-<len>` with spec.id
// "<start>/<len>" (65000-65002 → 65000/31 and 65002/32).
// As kuid's index (GetClaims), an index with minID / maxID owns range claims
// `<index>.rangereservedmin` (0 to minID-1) and `<index>.rangereservedmax`
// (maxID+1 to the top of the id space); the pool itself only spans
// minID-maxID, so these claims take nothing from it: they record the
// reserved ranges as kuid does (status and Entries).

import type { KObject } from '../api/object.js';
import type { LabelSelector } from '../api/selectors.js';
import { type Backend, type BackendKinds, type Decision, claimLabels, claimSelector, entryClaimName, entryObject } from './backend.js';
import { IdPool, type Outcome, fail } from './pool/idpool.js';
import { alignedBlocks } from './blocks.js';

export interface IdKind {
  kinds: BackendKinds;
  /** The index's [min, max] from its spec, or why the spec is invalid. */
  bounds(spec: Record<string, unknown>): Outcome<{ min: number; max: number }>;
  /** Width of kuid's id type for this index (id16, id32, id64): the length of a single id in Entry ids. */
  idBits(spec: Record<string, unknown>): number;
  /** The largest id of kuid's space for this index (its GetMax): ids above maxID up to it are reserved. */
  typeMax(spec: Record<string, unknown>): bigint;
}

const reservedMin = 'rangereservedmin';
const reservedMax = 'rangereservedmax';

/** A range as kuid's idxtable records it: aligned blocks, largest first fit (65000-65002 → 65000/31, 65002/32). */
export function rangeBlocks(from: number, to: number, bits: number): Array<{ start: number; len: number }> {
  return alignedBlocks(BigInt(from), BigInt(to), bits).map((b) => ({ start: Number(b.start), len: b.len }));
}

/** An Entry's spec.id: kuid's "<id>/<len>", or the plain "<id>" / "<from>-<to>" of older stores. */
function parseEntryId(id: string, bits: number): { from: number; to: number } | undefined {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(id);
  if (m) {
    const start = Number(m[1]);
    const len = m[2] === undefined ? bits : Number(m[2]);
    return len > bits ? undefined : { from: start, to: start + 2 ** (bits - len) - 1 };
  }
  const r = parseRange(id);
  return r.ok ? r.value : undefined;
}

interface IdClaimSpec {
  index?: string;
  id?: number;
  range?: string;
  selector?: LabelSelector;
  labels?: Record<string, string>;
}

/** Bounds from minID/maxID within [lo, hi], defaulting to [defMin, defMax]. */
export function boundsWithin(spec: Record<string, unknown>, lo: number, hi: number, defMin = lo, defMax = hi): Outcome<{ min: number; max: number }> {
  const min = typeof spec.minID === 'number' ? spec.minID : defMin;
  const max = typeof spec.maxID === 'number' ? spec.maxID : defMax;
  if (!Number.isSafeInteger(min) || min < lo || min > hi) return fail('InvalidIndex', `spec.minID: ${min} must be within ${lo}-${hi}`);
  if (!Number.isSafeInteger(max) || max < lo || max > hi) return fail('InvalidIndex', `spec.maxID: ${max} must be within ${lo}-${hi}`);
  if (min > max) return fail('InvalidIndex', `spec.minID ${min} must not exceed spec.maxID ${max}`);
  return { ok: true, value: { min, max } };
}

export function parseRange(s: string): Outcome<{ from: number; to: number }> {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(s);
  if (!m) return fail('InvalidRange', `spec.range: ${JSON.stringify(s)} must be <start>-<end>, e.g. 65000-65100`);
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from > to) return fail('InvalidRange', `spec.range: start ${from} exceeds end ${to}`);
  return { ok: true, value: { from, to } };
}

export function idBackend(kind: IdKind): Backend<IdPool> {
  const { kinds } = kind;
  /** The id width of each pool's index. */
  const widths = new WeakMap<IdPool, number>();
  const entry = (ns: string, owner: string, start: number, len: number, labels: Record<string, string>, spec: Record<string, unknown>) =>
    entryObject(kinds, ns, `${owner}.${start}-${len}`, labels, { ...spec, id: `${start}/${len}` });

  /** An index's reserved-range claim (kuid: owned by the index, named <index>.rangereserved{min,max}). */
  const isReservedClaim = (claim: KObject) => {
    const index = (claim.spec as IdClaimSpec | undefined)?.index;
    const name = claim.metadata.name;
    return (name === `${index}.${reservedMin}` || name === `${index}.${reservedMax}`) && (claim.metadata.ownerReferences ?? []).some((r) => r.kind === kinds.index.kind && r.name === index);
  };

  /** The reserved range as status and Entries; its span lies outside the pool (bigint: up to 2^64-1). */
  const reserved = (pool: IdPool, claim: KObject): Decision => {
    const spec = claim.spec as IdClaimSpec;
    const m = /^(\d+)-(\d+)$/.exec(String(spec.range ?? ''));
    if (!m) return { ok: false, reason: 'InvalidRange', message: `spec.range: ${JSON.stringify(spec.range)} must be <start>-<end>` };
    const ns = claim.metadata.namespace ?? '';
    const labels = claimLabels(claim, 'range');
    const entries = alignedBlocks(BigInt(m[1]!), BigInt(m[2]!), widths.get(pool)!).map((b) =>
      entryObject(kinds, ns, `${spec.index}.${b.start}-${b.len}`, labels, { index: spec.index, claimType: 'range', id: `${b.start}/${b.len}` }),
    );
    return { ok: true, allocation: { status: { range: spec.range }, entries } };
  };

  const allocation = (pool: IdPool, claim: KObject, claimType: string): Decision => {
    const name = claim.metadata.name!;
    const ns = claim.metadata.namespace ?? '';
    const index = (claim.spec as IdClaimSpec).index!;
    const bits = widths.get(pool)!;
    const h = pool.holding(name)!;
    const labels = claimLabels(claim, claimType);
    if (h.kind === 'range') {
      const entries = rangeBlocks(h.from, h.to, bits).map((b) => entry(ns, index, b.start, b.len, labels, { index, claimType }));
      return { ok: true, allocation: { status: { range: `${h.from}-${h.to}` }, entries } };
    }
    // An id inside a range is named after the range, any other after the index.
    return { ok: true, allocation: { status: { id: h.value }, entries: [entry(ns, h.range ?? index, h.value, bits, labels, { index, claimType })] } };
  };

  const releaseOrFail = (pool: IdPool, name: string): Decision | undefined => {
    const r = pool.release(name);
    return r.ok ? undefined : { ok: false, reason: r.reason, message: r.message };
  };

  return {
    kinds,
    newPool(index) {
      const spec = (index.spec ?? {}) as Record<string, unknown>;
      const b = kind.bounds(spec);
      if (!b.ok) return b;
      const pool = new IdPool(b.value.min, b.value.max);
      widths.set(pool, kind.idBits(spec));
      return { ok: true, value: pool };
    },
    indexEntries: () => [],
    indexClaims(index) {
      const spec = (index.spec ?? {}) as { minID?: number; maxID?: number };
      const name = index.metadata.name!;
      const claim = (suffix: string, range: string): KObject => ({ apiVersion: kinds.claim.apiVersion, kind: kinds.claim.kind, metadata: { name: `${name}.${suffix}`, namespace: index.metadata.namespace }, spec: { index: name, range } });
      const out: KObject[] = [];
      if (typeof spec.minID === 'number' && spec.minID !== 0) out.push(claim(reservedMin, `0-${spec.minID - 1}`));
      const top = kind.typeMax((index.spec ?? {}) as Record<string, unknown>);
      if (typeof spec.maxID === 'number' && BigInt(spec.maxID) !== top) out.push(claim(reservedMax, `${spec.maxID + 1}-${top}`));
      return out;
    },
    indexStatus: (pool) => ({ minID: pool.min, maxID: pool.max }),
    // Range blocks first, in id order (each extends the range its predecessor restored), then single ids.
    restoreOrder: (entry) => {
      const spec = (entry.spec ?? {}) as { id?: string; claimType?: string };
      return spec.claimType === 'range' ? (parseEntryId(String(spec.id ?? ''), 64)?.from ?? 0) / 2 ** 50 : 1;
    },
    restore(pool, entry) {
      const claim = entryClaimName(entry);
      const spec = (entry.spec ?? {}) as { id?: string; claimType?: string; labels?: Record<string, string>; index?: string };
      // A reserved range lies outside the pool: nothing to take.
      if (claim === `${spec.index}.${reservedMin}` || claim === `${spec.index}.${reservedMax}`) return true;
      const span = claim && typeof spec.id === 'string' ? parseEntryId(spec.id, widths.get(pool)!) : undefined;
      if (!claim || !span) return false;
      let ok: boolean;
      if (spec.claimType === 'range') {
        const h = pool.holding(claim);
        if (h?.kind === 'range' && h.to + 1 === span.from) {
          // The next block of a range already partly restored (no id inside it is restored yet).
          pool.release(claim);
          ok = pool.takeRange(claim, h.from, span.to, spec.labels ?? {}).ok;
        } else ok = (h?.kind === 'range' && h.from <= span.from && span.to <= h.to) || pool.takeRange(claim, span.from, span.to, spec.labels ?? {}).ok;
      } else {
        ok = span.from === span.to && pool.takeStatic(claim, span.from).ok;
      }
      if (ok && entry.metadata.uid) pool.setEntryUid(claim, entry.metadata.uid);
      return ok;
    },
    claimOrder(claim) {
      const spec = (claim.spec ?? {}) as IdClaimSpec;
      return spec.range != null ? 0 : spec.id != null ? 1 : 2;
    },
    decide(pool, claim) {
      if (isReservedClaim(claim)) return reserved(pool, claim);
      const name = claim.metadata.name!;
      const spec = (claim.spec ?? {}) as IdClaimSpec;
      const hasId = spec.id !== undefined && spec.id !== null;
      const hasRange = spec.range !== undefined && spec.range !== null;
      if (hasId && hasRange) return { ok: false, reason: 'InvalidClaim', message: `a claim can only have one of id (${spec.id}) or range (${spec.range})` };
      const current = pool.holding(name);

      if (hasId) {
        if (current && !(current.kind === 'id' && current.value === spec.id)) {
          const f = releaseOrFail(pool, name);
          if (f) return f;
        }
        const r = pool.takeStatic(name, spec.id!);
        return r.ok ? allocation(pool, claim, 'staticID') : r;
      }

      if (hasRange) {
        const rg = parseRange(spec.range!);
        if (!rg.ok) return rg;
        if (current && !(current.kind === 'range' && current.from === rg.value.from && current.to === rg.value.to)) {
          const f = releaseOrFail(pool, name);
          if (f) return f;
        }
        const r = pool.takeRange(name, rg.value.from, rg.value.to, claimLabels(claim, 'range'));
        return r.ok ? allocation(pool, claim, 'range') : r;
      }

      // dynamic
      const { matcher, failure } = claimSelector(spec.selector);
      if (failure) return failure;
      const candidates = matcher ? pool.rangesMatching((l) => matcher!.matches(l)) : [];
      if (matcher && candidates.length === 0) return { ok: false, reason: 'NoParent', message: `no range in index ${spec.index} matches selector ${matcher.toString()}` };
      const fits = (range: string | undefined) => (matcher ? range !== undefined && candidates.includes(range) : range === undefined);
      if (current?.kind === 'id' && fits(current.range)) return allocation(pool, claim, 'dynamicID');
      if (current) {
        const f = releaseOrFail(pool, name);
        if (f) return f;
      }
      // Stability: the id the claim had before (status survives a lost Entry or a re-created index).
      const prev = (claim.status as { id?: unknown } | undefined)?.id;
      if (typeof prev === 'number' && pool.takeStatic(name, prev).ok) {
        const h = pool.holding(name);
        if (h?.kind === 'id' && fits(h.range)) return allocation(pool, claim, 'dynamicID');
        pool.release(name);
      }
      if (!matcher) {
        const r = pool.takeDynamic(name);
        return r.ok ? allocation(pool, claim, 'dynamicID') : r;
      }
      let last: Decision = { ok: false, reason: 'Exhausted', message: 'no free id' };
      for (const range of candidates) {
        const r = pool.takeDynamic(name, range);
        if (r.ok) return allocation(pool, claim, 'dynamicID');
        last = r;
      }
      return last;
    },
    holds: (pool, claim) => pool.holding(claim) !== undefined,
    release: (pool, claim) => {
      pool.release(claim);
    },
    releaseEntry: (pool, claim, uid) => pool.releaseEntry(claim, uid),
    setEntryUid: (pool, claim, _entry, uid) => pool.setEntryUid(claim, uid),
  };
}
