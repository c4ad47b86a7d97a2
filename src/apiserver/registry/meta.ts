// ObjectMeta rules the registry enforces on every write, independent of any
// schema: name formats, label/annotation syntax, finalizer names, owner
// references, and the system fields a client may not set (uid,
// creationTimestamp, deletionTimestamp, generation). Each check returns
// FieldErrors (field paths) so one Invalid error lists every problem.

import { randomBytes, randomFillSync } from 'node:crypto';
import { invalid, required, tooLong, type FieldError } from '../../api/fielderrors.js';
import { ownValue, type KObject, type ObjectMeta } from '../../api/object.js';
import { labelKeyErrors, labelValueErrors } from '../../api/selectors.js';

const dnsLabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function dnsSubdomainErrors(v: string): string[] {
  if (v.length > 253) return ['must be no more than 253 characters'];
  if (!dnsSubdomainRe.test(v))
    return [`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`];
  return [];
}

export function dnsLabelErrors(v: string): string[] {
  if (v.length > 63) return ['must be no more than 63 characters'];
  if (!dnsLabelRe.test(v))
    return [`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`];
  return [];
}

/** Checks user-settable metadata. `nameRule` is 'label' for namespaces, else 'subdomain'. */
export function validateMeta(meta: ObjectMeta, nameRule: 'label' | 'subdomain'): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return [invalid('metadata', meta, 'must be an object')];
  if (meta.name !== undefined) {
    if (typeof meta.name !== 'string') errs.push(invalid('metadata.name', meta.name, 'must be a string'));
    else for (const m of nameRule === 'label' ? dnsLabelErrors(meta.name) : dnsSubdomainErrors(meta.name)) errs.push(invalid('metadata.name', meta.name, m));
  }
  if (meta.generateName !== undefined && typeof meta.generateName !== 'string') errs.push(invalid('metadata.generateName', meta.generateName, 'must be a string'));
  if (meta.labels !== undefined && meta.labels !== null) {
    if (!isStringMap(meta.labels)) errs.push(invalid('metadata.labels', meta.labels, 'must be a map of strings'));
    else
      for (const [k, v] of Object.entries(meta.labels)) {
        for (const m of labelKeyErrors(k)) errs.push(invalid('metadata.labels', k, m));
        for (const m of labelValueErrors(v)) errs.push(invalid('metadata.labels', v, m));
      }
  }
  if (meta.annotations !== undefined && meta.annotations !== null) {
    if (!isStringMap(meta.annotations)) errs.push(invalid('metadata.annotations', meta.annotations, 'must be a map of strings'));
    else {
      let size = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        size += k.length + v.length;
        for (const m of labelKeyErrors(k)) errs.push(invalid('metadata.annotations', k, m));
      }
      if (size > 256 * 1024) errs.push(tooLong('metadata.annotations', 256 * 1024));
    }
  }
  if (meta.finalizers !== undefined && meta.finalizers !== null) {
    if (!Array.isArray(meta.finalizers)) errs.push(invalid('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else
      meta.finalizers.forEach((f, i) => {
        if (typeof f !== 'string' || f === '') errs.push(invalid(`metadata.finalizers[${i}]`, f, 'must be a non-empty string'));
        else for (const m of labelKeyErrors(f)) errs.push(invalid(`metadata.finalizers[${i}]`, f, m));
      });
  }
  if (meta.ownerReferences !== undefined && meta.ownerReferences !== null) {
    if (!Array.isArray(meta.ownerReferences)) errs.push(invalid('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
    else {
      let controllers = 0;
      meta.ownerReferences.forEach((r, i) => {
        const p = `metadata.ownerReferences[${i}]`;
        if (typeof r !== 'object' || r === null) {
          errs.push(invalid(p, r, 'must be an object'));
          return;
        }
        for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) if (typeof r[f] !== 'string' || r[f] === '') errs.push(required(`${p}.${f}`));
        if (r.controller === true) controllers++;
      });
      if (controllers > 1) errs.push(invalid('metadata.ownerReferences', meta.ownerReferences.length, 'Only one reference can have Controller set to true'));
    }
  }
  return errs;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

const genAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character random suffix kube-apiserver appends to generateName. */
export function randomSuffix(): string {
  const b = randomBytes(5);
  let s = '';
  for (let i = 0; i < 5; i++) s += genAlphabet[b[i] % genAlphabet.length];
  return s;
}

const uidPool = new Uint8Array(16 * 256);
let uidOffset = uidPool.length;
const uidText = Buffer.alloc(36);
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random (version 4) UUID for metadata.uid, like crypto.randomUUID() but
 * made as one flat string: uids are keys of the owner and GC indexes on every
 * write, and randomUUID's rope strings hash and compare ~2.5x slower as Map
 * keys. Random bytes come from the CSPRNG in pooled batches, as randomUUID's
 * do.
 */
export function newUid(): string {
  if (uidOffset === uidPool.length) {
    randomFillSync(uidPool);
    uidOffset = 0;
  }
  const b = uidPool;
  const o = uidOffset;
  uidOffset += 16;
  b[o + 6] = (b[o + 6] & 0x0f) | 0x40; // version 4
  b[o + 8] = (b[o + 8] & 0x3f) | 0x80; // variant 10
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uidText[j++] = 0x2d; // "-"
    uidText[j++] = hexDigits[b[o + i] >> 4];
    uidText[j++] = hexDigits[b[o + i] & 15];
  }
  return uidText.toString('latin1');
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
let cachedSecond = -1;
let cachedStamp = '';

/** RFC 3339 in whole seconds (metav1.Time); the current time is formatted once per second. */
export function nowTimestamp(d?: Date): string {
  if (d) return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return cachedStamp;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serializes (events.k8s.io eventTime). */
export function microTimestamp(d = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

/**
 * The part of an object whose change bumps metadata.generation: everything
 * except metadata, and except status when status is a subresource.
 */
export function specChanged(a: KObject, b: KObject, hasStatus: boolean, equal: (x: unknown, y: unknown) => boolean): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && hasStatus) continue;
    if (!equal(ownValue(a, k), ownValue(b, k))) return true;
  }
  return false;
}
