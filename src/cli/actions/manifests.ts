// Reading the manifests named by `-f` arguments (apply, delete): a file, a
// directory of .yaml/.yml/.json files (sorted by name; subdirectories with
// -R), or `-` for stdin. Every document keeps its file:line:col
// (runner/project/yamlfile.ts), so any later error can point at it; a
// `kind: List` document stands for its items. Parse errors are collected,
// not thrown, so a command can list them all and send nothing.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { KObject } from '../../api/object.js';
import { parseManifests, type LoadError, type Manifest } from '../../runner/project/yamlfile.js';

const manifestExtensions = new Set(['.yaml', '.yml', '.json']);

/** Every manifest of every -f argument, in argument and file-name order. */
export async function readManifestArgs(paths: string[], recursive: boolean): Promise<{ manifests: Manifest[]; errors: LoadError[] }> {
  const manifests: Manifest[] = [];
  const errors: LoadError[] = [];
  for (const p of paths) {
    const files = p === '-' ? [{ file: '<stdin>', text: await readStdin() }] : expand(p, recursive).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    for (const { file, text } of files) {
      const r = parseManifests(file, text);
      errors.push(...r.errors);
      for (const m of r.manifests) manifests.push(...expandList(m));
    }
  }
  return { manifests, errors };
}

function expand(path: string, recursive: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...expand(full, true));
    } else if (manifestExtensions.has(extname(e.name))) out.push(full);
  }
  return out;
}

/** A `kind: List` document stands for its items (all at the document's position). */
function expandList(m: Manifest): Manifest[] {
  if (m.object.kind !== 'List' || !Array.isArray(m.object.items)) return [m];
  return (m.object.items as KObject[]).map((object) => ({ object: { ...object, metadata: object.metadata ?? {} }, pos: m.pos }));
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
