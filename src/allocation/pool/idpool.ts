// The ID pool behind every numeric kuid backend (AS, VLAN, generic IDs,
// extended communities): one index = the values [min, max]; claims take a
// single value (static or dynamic) or a consecutive range, and a range is a
// sub-pool that dynamic claims select through its labels.
//
// Key ideas:
// - Two IdSets: the index tree (what is taken at the top level, ranges
//   included as blocks) and one per range (what is taken inside it). Free
//   values are picked as kuid picks them (the index: the smallest free
//   aligned block first, see blocks.ts; a range: the lowest free), so the
//   same claims in the same order get the same values.
// - Every taken value has a holder (the claim's name; the entry uid once the
//   Entry exists). The pool is a cache of the Entries in the store: it is
//   rebuilt from them at start, and an Entry deleted by anyone releases its
//   value only if the uid matches, so a late delete event never frees a value
//   that was re-taken in the meantime.
// - All methods are synchronous: in one process the decision "this value is
//   free, take it" cannot interleave with another claim's, whatever the number
//   of workers. Writes happen after, and a failed write gives the value back.

import { IdSet } from './idset.js';
import { bestFreeBlock } from '../blocks.js';

export interface Holder {
  claim: string;
  /** uid of the Entry recording the allocation, once it exists. */
  entryUid?: string;
}

export type IdHolding = { kind: 'id'; value: number; range?: string } | { kind: 'range'; from: number; to: number };

interface RangePool {
  name: string;
  from: number;
  to: number;
  labels: Record<string, string>;
  set: IdSet;
  holders: Map<number, Holder>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string; message: string };
export const fail = (reason: string, message: string): { ok: false; reason: string; message: string } => ({ ok: false, reason, message });

export class IdPool {
  private readonly set: IdSet;
  private readonly holders = new Map<number, Holder>();
  private readonly ranges = new Map<string, RangePool>();
  private readonly byClaim = new Map<string, IdHolding>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    this.set = new IdSet(max - min + 1);
  }

  holding(claim: string): IdHolding | undefined {
    return this.byClaim.get(claim);
  }

  claims(): string[] {
    return [...this.byClaim.keys()];
  }

  /** Who holds v (inside a range: the claim holding it there, else the range claim). */
  holderOf(v: number): Holder | undefined {
    const r = this.rangeAt(v);
    if (r) return r.holders.get(v) ?? this.holders.get(r.from);
    return this.holders.get(v);
  }

  rangeLabels(name: string): Record<string, string> | undefined {
    return this.ranges.get(name)?.labels;
  }

  /** Ranges (sorted by name) whose labels match. */
  rangesMatching(match: (labels: Record<string, string>) => boolean): string[] {
    return [...this.ranges.values()].filter((r) => match(r.labels)).map((r) => r.name).sort();
  }

  isFree(v: number): boolean {
    return v >= this.min && v <= this.max && !this.set.has(v - this.min);
  }

  // --- taking ------------------------------------------------------------------

  /** Takes exactly v for claim (inside the range containing v, if any). */
  takeStatic(claim: string, v: number): Outcome<number> {
    if (!Number.isSafeInteger(v) || v < this.min || v > this.max) return fail('OutOfRange', `id ${v} is outside the index range ${this.min}-${this.max}`);
    const r = this.rangeAt(v);
    if (r) {
      const h = r.holders.get(v);
      if (h) return h.claim === claim ? { ok: true, value: v } : fail('Conflict', `id ${v} is already claimed by ${h.claim}`);
      r.set.add(v - r.from);
      r.holders.set(v, { claim });
      this.byClaim.set(claim, { kind: 'id', value: v, range: r.name });
      return { ok: true, value: v };
    }
    const h = this.holders.get(v);
    if (h) return h.claim === claim ? { ok: true, value: v } : fail('Conflict', `id ${v} is already claimed by ${h.claim}`);
    this.set.add(v - this.min);
    this.holders.set(v, { claim });
    this.byClaim.set(claim, { kind: 'id', value: v });
    return { ok: true, value: v };
  }

  /** Takes a free value of the index (kuid's best fit), or the lowest free one of the named range. */
  takeDynamic(claim: string, range?: string): Outcome<number> {
    if (range !== undefined) {
      const r = this.ranges.get(range);
      if (!r) return fail('RangeNotFound', `range ${range} does not exist`);
      const off = r.set.firstFree(0, r.to - r.from);
      if (off === undefined) return fail('Exhausted', `no free id in range ${range} (${r.from}-${r.to})`);
      const v = r.from + off;
      r.set.add(off);
      r.holders.set(v, { claim });
      this.byClaim.set(claim, { kind: 'id', value: v, range });
      return { ok: true, value: v };
    }
    // kuid's tree picks the id as netipx picks a prefix (see blocks.ts); a range's table, above, the lowest free.
    const best = bestFreeBlock(this.set, 1n, BigInt(this.min));
    const off = best === undefined ? undefined : Number(best);
    if (off === undefined) return fail('Exhausted', `no free id in index range ${this.min}-${this.max}`);
    const v = this.min + off;
    this.set.add(off);
    this.holders.set(v, { claim });
    this.byClaim.set(claim, { kind: 'id', value: v });
    return { ok: true, value: v };
  }

  /** Reserves [from, to] as a sub-pool named after the claim. */
  takeRange(claim: string, from: number, to: number, labels: Record<string, string>): Outcome<{ from: number; to: number }> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) return fail('InvalidRange', `invalid range ${from}-${to}: start must not exceed end`);
    if (from < this.min || to > this.max) return fail('OutOfRange', `range ${from}-${to} is outside the index range ${this.min}-${this.max}`);
    const existing = this.ranges.get(claim);
    if (existing && existing.from === from && existing.to === to) {
      existing.labels = labels;
      return { ok: true, value: { from, to } };
    }
    if (existing) return fail('RangeInUse', `range ${existing.from}-${existing.to} cannot change while it exists; delete the claim first`);
    const used = this.set.firstUsed(from - this.min);
    if (used !== undefined && used + this.min <= to) {
      const v = used + this.min;
      return fail('Conflict', `range ${from}-${to} overlaps id ${v} claimed by ${this.holderOf(v)?.claim ?? 'another claim'}`);
    }
    this.set.setRange(from - this.min, to - this.min);
    this.ranges.set(claim, { name: claim, from, to, labels, set: new IdSet(to - from + 1), holders: new Map() });
    this.holders.set(from, { claim });
    this.byClaim.set(claim, { kind: 'range', from, to });
    return { ok: true, value: { from, to } };
  }

  // --- releasing ------------------------------------------------------------------

  /** Frees what claim holds. A range is freed only when nothing is taken inside it. */
  release(claim: string): Outcome<undefined> {
    const h = this.byClaim.get(claim);
    if (!h) return { ok: true, value: undefined };
    if (h.kind === 'range') {
      const r = this.ranges.get(claim)!;
      if (r.holders.size > 0) return fail('RangeInUse', `range ${r.from}-${r.to} still has ${r.holders.size} claimed id(s)`);
      this.ranges.delete(claim);
      this.holders.delete(h.from);
      this.set.clearRange(h.from - this.min, h.to - this.min);
    } else if (h.range !== undefined) {
      const r = this.ranges.get(h.range);
      r?.set.delete(h.value - r.from);
      r?.holders.delete(h.value);
    } else {
      this.set.delete(h.value - this.min);
      this.holders.delete(h.value);
    }
    this.byClaim.delete(claim);
    return { ok: true, value: undefined };
  }

  /** Frees claim's holding only if it is recorded by the Entry with this uid (see the opening comment). */
  releaseEntry(claim: string, entryUid: string): boolean {
    const h = this.byClaim.get(claim);
    if (!h) return false;
    const holder = h.kind === 'range' ? this.holders.get(h.from) : this.holderOf(h.value);
    if (holder?.entryUid !== entryUid) return false;
    return this.release(claim).ok;
  }

  /** Records the uid of the Entry that persists claim's holding. */
  setEntryUid(claim: string, uid: string): void {
    const h = this.byClaim.get(claim);
    if (!h) return;
    const holder = h.kind === 'range' ? this.holders.get(h.from) : this.holderOf(h.value);
    if (holder) holder.entryUid = uid;
  }

  private rangeAt(v: number): RangePool | undefined {
    for (const r of this.ranges.values()) if (v >= r.from && v <= r.to) return r;
    return undefined;
  }
}
