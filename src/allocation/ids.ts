// The numeric backends (AS, VLAN, generic IDs, extended communities) as one
// Backend over IdPool; each kind only says how an index's bounds are derived
// from its spec (see as.ts, vlan.ts, genid.ts, extcomm.ts).
//
// Claim types follow kuid: `spec.id` → staticID, `spec.range: "A-B"` → range
// (a sub-pool), neither → dynamicID (lowest free; with a selector, from the
// first range — by name — whose labels match, e.g.
// `be.kuid.dev/claim-name: <range claim>`). A dynamic claim keeps what it holds
// while that still satisfies it, and after a lost Entry it first tries the id
// in its status again, so allocations survive restarts and re-runs.

import type { KObject } from '../api/object.js';
import { labelSelectorMatcher, type LabelSelector, type LabelSelectorMatcher } from '../api/selectors.js';
import { type Backend, type BackendKinds, type Decision, claimLabels, entryClaimName, entryObject } from './backend.js';
import { IdPool, type Outcome, fail } from './pool/idpool.js';

export interface IdKind {
  kinds: BackendKinds;
  /** The index's [min, max] from its spec, or why the spec is invalid. */
  bounds(spec: Record<string, unknown>): Outcome<{ min: number; max: number }>;
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
  const entryName = (index: string, id: string) => `${index}.${id}`;

  const allocation = (pool: IdPool, claim: KObject, claimType: string): Decision => {
    const name = claim.metadata.name!;
    const ns = claim.metadata.namespace ?? '';
    const index = (claim.spec as IdClaimSpec).index!;
    const h = pool.holding(name)!;
    const labels = claimLabels(claim, claimType);
    if (h.kind === 'range') {
      const id = `${h.from}-${h.to}`;
      return { ok: true, allocation: { status: { range: id }, entries: [entryObject(kinds, ns, entryName(index, id), labels, { index, claimType, id })] } };
    }
    // kuid's layout: an id inside a range is named after the range (<range>.<id>), any other after the index.
    return { ok: true, allocation: { status: { id: h.value }, entries: [entryObject(kinds, ns, entryName(h.range ?? index, String(h.value)), labels, { index, claimType, id: String(h.value) })] } };
  };

  const releaseOrFail = (pool: IdPool, name: string): Decision | undefined => {
    const r = pool.release(name);
    return r.ok ? undefined : { ok: false, reason: r.reason, message: r.message };
  };

  return {
    kinds,
    newPool(index) {
      const b = kind.bounds((index.spec ?? {}) as Record<string, unknown>);
      return b.ok ? { ok: true, value: new IdPool(b.value.min, b.value.max) } : b;
    },
    indexEntries: () => [],
    indexStatus: (pool) => ({ minID: pool.min, maxID: pool.max }),
    restoreOrder: (entry) => ((entry.spec as { claimType?: string } | undefined)?.claimType === 'range' ? 0 : 1),
    restore(pool, entry) {
      const claim = entryClaimName(entry);
      const spec = (entry.spec ?? {}) as { id?: string; claimType?: string; labels?: Record<string, string> };
      if (!claim || typeof spec.id !== 'string') return false;
      let ok: boolean;
      if (spec.claimType === 'range') {
        const r = parseRange(spec.id);
        ok = r.ok && pool.takeRange(claim, r.value.from, r.value.to, spec.labels ?? {}).ok;
      } else {
        ok = /^\d+$/.test(spec.id) && pool.takeStatic(claim, Number(spec.id)).ok;
      }
      if (ok && entry.metadata.uid) pool.setEntryUid(claim, entry.metadata.uid);
      return ok;
    },
    claimOrder(claim) {
      const spec = (claim.spec ?? {}) as IdClaimSpec;
      return spec.range != null ? 0 : spec.id != null ? 1 : 2;
    },
    decide(pool, claim) {
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
      let matcher: LabelSelectorMatcher | undefined;
      if (spec.selector) {
        try {
          matcher = labelSelectorMatcher(spec.selector);
        } catch (err) {
          return { ok: false, reason: 'InvalidSelector', message: `spec.selector: ${err instanceof Error ? err.message : String(err)}` };
        }
      }
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
