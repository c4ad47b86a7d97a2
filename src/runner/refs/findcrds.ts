// Finding CRDs anywhere in a ref's tree, for `type: crd` refs to API
// repositories that keep them outside a crds/ folder (kubebuilder's
// config/crd/bases/, artifacts/crd/bases/, ...). Only YAML files that pass the
// ref's includes are read, and only CustomResourceDefinition documents kept;
// hidden directories and node_modules are skipped. The walk is bounded so a
// ref to a huge repository fails loudly instead of reading it all.

import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LoadError, readManifests, type Manifest } from '../project/yamlfile.js';

const maxFiles = 20_000;

export async function findCrds(root: string, label: string, include: (relPath: string) => boolean): Promise<{ crds: Manifest[]; errors: LoadError[] }> {
  const crds: Manifest[] = [];
  const errors: LoadError[] = [];
  let seen = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        await walk(join(dir, e.name), relPath);
        continue;
      }
      if (++seen > maxFiles) throw new Error(`more than ${maxFiles} files; narrow the ref with spec.directory`);
      if (!['.yaml', '.yml'].includes(extname(e.name)) || !include(relPath)) continue;
      const r = await readManifests(join(dir, e.name));
      const file = `${label}/${relPath}`;
      const docs = r.manifests.filter((m) => m.object.kind === 'CustomResourceDefinition' && m.object.apiVersion.startsWith('apiextensions.k8s.io/'));
      for (const m of docs) crds.push({ ...m, pos: { ...m.pos, file } });
      // Parse errors matter only in files that were meant to be CRDs.
      if (docs.length > 0) for (const err of r.errors) errors.push(new LoadError({ ...err.pos, file }, err.message));
    }
  };
  try {
    await walk(root, '');
  } catch (err) {
    errors.push(new LoadError({ file: label, line: 1, col: 1 }, `searching for CRDs: ${(err as Error).message}`));
  }
  return { crds, errors };
}
