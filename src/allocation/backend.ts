// The contract between the allocation controllers (controller.ts, shared by
// all backends) and one backend (ids.ts for the numeric kinds, ipam/ for IP):
// a backend knows its kinds, turns an Index into an empty pool, replays
// Entries into a pool, and decides a claim's allocation — synchronously, so a
// decision never interleaves with another claim's (see pool/idpool.ts). The
// controllers own everything asynchronous: reading claims, writing Entries and
// status, reacting to deletions.

import type { TypeRef } from '../api/client.js';
import type { KObject } from '../api/object.js';
import { labelKeyErrors, labelSelectorMatcher, labelValueErrors, type LabelSelector, type LabelSelectorMatcher } from '../api/selectors.js';
import type { Outcome } from './pool/idpool.js';

export const labelClaimName = 'be.kuid.dev/claim-name';
export const labelClaimType = 'be.kuid.dev/claim-type';
export const labelOwnerGroup = 'be.kuid.dev/owner-group';
export const labelOwnerVersion = 'be.kuid.dev/owner-version';
export const labelOwnerKind = 'be.kuid.dev/owner-kind';
export const labelOwnerName = 'be.kuid.dev/owner-name';
export const labelOwnerNamespace = 'be.kuid.dev/owner-namespace';

export interface BackendKinds {
  /** Short name used in controller names and messages: ipam, as, vlan, genid, extcomm. */
  name: string;
  group: string;
  index: TypeRef;
  claim: TypeRef;
  entry: TypeRef;
}

/** What a claim got: its status result fields and the Entries recording it. */
export interface Allocation {
  /** Result fields for the claim status (id, range, address, prefix, defaultGateway). */
  status: Record<string, unknown>;
  /** Entry objects (spec + labels; name and namespace set) that must exist for this claim. */
  entries: KObject[];
  /** The allocation changed something other claims of the index report (a network's default gateway). */
  refreshIndex?: boolean;
}

export type Decision = { ok: true; allocation: Allocation } | { ok: false; reason: string; message: string };

/** A dynamic claim's spec.selector as a matcher (none: no selector), or the claim's InvalidSelector failure. */
export function claimSelector(selector: LabelSelector | undefined): { matcher?: LabelSelectorMatcher; failure?: Decision & { ok: false } } {
  if (!selector) return {};
  try {
    return { matcher: labelSelectorMatcher(selector) };
  } catch (err) {
    return { failure: { ok: false, reason: 'InvalidSelector', message: `spec.selector: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** A pool as the controllers see it; each backend has its own concrete type behind it. */
export interface Backend<P> {
  kinds: BackendKinds;
  /** Validates the index spec and builds an empty pool (plus its own entries, e.g. IP aggregates). */
  newPool(index: KObject): Outcome<P>;
  /** Entries the index itself owns (IP aggregate prefixes); empty for ID indexes. */
  indexEntries(pool: P, index: KObject): KObject[];
  /** Claims the index itself owns (kuid: an IPClaim per IPIndex prefix); name, namespace and spec set, the owner is added by the caller. */
  indexClaims?(index: KObject): KObject[];
  /** Extra status fields of a ready index (minID/maxID, prefixes). */
  indexStatus(pool: P, index: KObject): Record<string, unknown>;
  /** Sort key so parents are restored before what they contain (ranges before ids, prefixes before addresses). */
  restoreOrder(entry: KObject): number;
  /** Replays one stored Entry into the pool; false when it no longer fits (it is then deleted). */
  restore(pool: P, entry: KObject): boolean;
  /** Order within a batch of decisions: ranges 0, static claims 1, dynamic claims 2 (then by name). */
  claimOrder(claim: KObject): number;
  /** Decides the claim's allocation, keeping what it holds when that still satisfies it. */
  decide(pool: P, claim: KObject): Decision;
  /** Whether the claim still holds something (after a refused change it keeps its old allocation). */
  holds(pool: P, claimName: string): boolean;
  /** Forgets what the claim holds (its Entries are being deleted). */
  release(pool: P, claimName: string): void;
  /** An Entry was deleted: free the claim's holding if that Entry recorded it. True when something was freed. */
  releaseEntry(pool: P, claimName: string, entryUid: string): boolean;
  /** The Entry recording the claim's holding now exists with this uid. */
  setEntryUid(pool: P, claimName: string, entryName: string, uid: string): void;
}

/** System labels that tie an Entry (or a range's sub-pool) to its claim. */
export function claimLabels(claim: KObject, claimType: string): Record<string, string> {
  const [group, version] = claim.apiVersion.includes('/') ? claim.apiVersion.split('/') : ['', claim.apiVersion];
  const spec = (claim.spec ?? {}) as { labels?: Record<string, string> };
  return {
    ...(spec.labels ?? {}),
    [labelClaimName]: claim.metadata.name ?? '',
    [labelClaimType]: claimType,
    [labelOwnerGroup]: group ?? '',
    [labelOwnerVersion]: version ?? '',
    [labelOwnerKind]: claim.kind,
    [labelOwnerName]: claim.metadata.name ?? '',
    [labelOwnerNamespace]: claim.metadata.namespace ?? '',
  };
}

/** The claim an Entry records, from its labels (falls back to its controller ownerReference). */
export function entryClaimName(entry: KObject): string | undefined {
  return entry.metadata.labels?.[labelClaimName] ?? entry.metadata.ownerReferences?.find((r) => r.controller)?.name;
}

/** Makes a string usable as a DNS-subdomain name segment (IPv6 colons, slashes). */
export function nameSegment(s: string): string {
  let out = s.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  if (!/^[a-z0-9]/.test(out)) out = `0${out}`;
  if (!/[a-z0-9]$/.test(out)) out = `${out}0`;
  return out;
}

/** The labels that are valid as metadata.labels (all of them stay in spec.labels). */
export function metadataLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (labelKeyErrors(k).length === 0 && labelValueErrors(v).length === 0) out[k] = v;
  return out;
}

/** An Entry: labels both as metadata (for kubectl -l) and in spec.labels (kuid's place for them). */
export function entryObject(kinds: BackendKinds, namespace: string, name: string, labels: Record<string, string>, spec: Record<string, unknown>): KObject {
  return { apiVersion: kinds.entry.apiVersion, kind: kinds.entry.kind, metadata: { name, namespace, labels: metadataLabels(labels) }, spec: { ...spec, labels } };
}
