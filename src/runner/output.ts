// `run once --out <dir>`: the resulting resources as reviewable YAML, one file
// per kind (<group>_<plural>.yaml, like the CRD files), objects sorted by
// namespace and name, with volatile fields removed (uid, resourceVersion,
// timestamps, managedFields, generation, ownerReference uids) and status in a
// canonical order (sorted keys, conditions by type) so that two runs
// on the same input produce byte-identical trees that can be committed and
// diffed (`run diff`).
//
// What is written (resultObjects): every object the run loaded or produced —
// custom resources and built-in kinds (ConfigMaps, Secrets, Namespaces the
// project created) — but not Events (a log, different on every run), not the
// CRDs (the project's own crds/ files, which a run does not change) and not
// the `default` namespace the server creates by itself.

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { setKey } from '../api/object.js';
import type { KObject } from '../api/object.js';
import type { Registry } from '../apiserver/registry/registry.js';
import { crdType } from '../apiserver/builtins.js';

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

// Status is written by several parties (the Starlark, the runtime's condition,
// other reconcilers, status.phase) whose writes interleave as reconciles do, so
// its key order and the order of its conditions are timing; both are sorted.
function stableStatus(status: unknown): unknown {
  if (typeof status !== 'object' || status === null) return status;
  const s = sortedKeys(status) as Record<string, unknown>;
  if (Array.isArray(s.conditions)) {
    s.conditions = (s.conditions as Array<Record<string, unknown>>)
      .map(({ lastTransitionTime: _t, ...rest }) => rest)
      .sort((a, b) => String(a.type ?? '').localeCompare(String(b.type ?? '')));
  }
  return s;
}

/** A copy with the keys of nested maps in sorted order; lists and their items are kept as written. */
function sortedKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys((v as Record<string, unknown>)[k]);
  return out;
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

type CrdObject = KObject & { spec: { group: string; names: { kind: string; plural: string }; versions: Array<{ name: string; storage?: boolean }> } };

/** Every object of the run, grouped by kind (see the top of this file). */
export async function resultObjects(registry: Registry): Promise<KindObjects[]> {
  const out: KindObjects[] = [];
  for (const t of registry.catalog.all()) {
    if (!t.builtin || t.kind === 'Event' || t.storageKey === crdType.storageKey) continue;
    let items = (await registry.list({ apiVersion: t.apiVersion, kind: t.kind })).items;
    // The server's own default namespace has no field manager; one the project applied has.
    if (t.kind === 'Namespace') items = items.filter((o) => (o.metadata.managedFields ?? []).length > 0);
    out.push({ file: `${t.group || 'core'}_${t.plural}`, objects: items });
  }
  const crds = await registry.list({ apiVersion: crdType.apiVersion, kind: crdType.kind });
  for (const crd of crds.items as CrdObject[]) {
    const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]!.name;
    const items = (await registry.list({ apiVersion: `${crd.spec.group}/${version}`, kind: crd.spec.names.kind })).items;
    out.push({ file: `${crd.spec.group}_${crd.spec.names.plural}`, objects: items });
  }
  return out;
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
