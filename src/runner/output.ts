// `run once --out <dir>`: the resulting resources as reviewable YAML, one file
// per kind (<group>_<plural>.yaml, like the CRD files), objects sorted by
// namespace and name, with volatile fields removed (uid, resourceVersion,
// timestamps, managedFields, generation, ownerReference uids) so that two runs
// on the same input produce byte-identical trees that can be committed and
// diffed (`run diff`).

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { setKey } from '../api/object.js';
import type { KObject } from '../api/object.js';

const volatileMeta = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

/** A copy of obj without the fields that change from run to run. */
export function stableObject(obj: KObject): KObject {
  const metadata: Record<string, unknown> = { ...obj.metadata };
  for (const k of volatileMeta) delete metadata[k];
  if (Array.isArray(metadata.ownerReferences)) {
    metadata.ownerReferences = (metadata.ownerReferences as Array<Record<string, unknown>>).map(({ uid: _uid, ...rest }) => rest);
  }
  const out: KObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: metadata as KObject['metadata'] };
  for (const [k, v] of Object.entries(obj)) if (!Object.hasOwn(out, k)) setKey(out, k, k === 'status' ? stableStatus(v) : v);
  return out;
}

function stableStatus(status: unknown): unknown {
  if (typeof status !== 'object' || status === null) return status;
  const s = { ...(status as Record<string, unknown>) };
  if (Array.isArray(s.conditions)) s.conditions = (s.conditions as Array<Record<string, unknown>>).map(({ lastTransitionTime: _t, ...rest }) => rest);
  return s;
}

export interface KindObjects {
  /** File name stem, e.g. "example.com_greetings". */
  file: string;
  objects: KObject[];
}

export function renderKind(objects: KObject[]): string {
  const sorted = [...objects].sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return sorted.map((o) => stringify(stableObject(o), { lineWidth: 0, sortMapEntries: false })).join('---\n');
}

/** Replaces the YAML files in `dir` with one file per kind. */
export async function writeOut(dir: string, kinds: KindObjects[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) if (f.endsWith('.yaml')) await rm(join(dir, f));
  const written: string[] = [];
  for (const k of [...kinds].sort((a, b) => a.file.localeCompare(b.file))) {
    if (k.objects.length === 0) continue;
    const name = `${k.file}.yaml`;
    await writeFile(join(dir, name), renderKind(k.objects));
    written.push(name);
  }
  return written;
}

/** Reads an --out tree back as file → text (for `run diff` and tests). */
export async function readOut(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const f of names) files.set(f, await readFile(join(dir, f), 'utf8'));
  return files;
}
