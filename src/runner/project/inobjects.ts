// Reconcilers and libraries given as objects in in/, as the original choreo
// accepts them (and writes them: its `in/` snapshots hold one
// `choreo.kform.dev.reconciler.<name>.yaml` per reconciler and one
// `choreo.kform.dev.library.<name>.yaml` per library):
//
//   kind: Reconciler                      kind: Library
//   metadata: {name: example.com.x}       metadata: {name: api.k8s.io.object.star}
//   spec:                                 spec:
//     type: starlark|gotemplate|jinjatemplate   type: starlark
//     code: {reconciler.star: "..."}            code: "def getName(self): ..."
//     for: {...}  owns: [...]  watches: [...]
//
// They are taken out of the inputs (they are not instances of a served API)
// and become reconciler and library sources like files do. When the project
// also has the same reconciler or library as files, the files win: in/ copies
// are the original's snapshot of those very files, and the files are what a
// user edits.

import { extname } from 'node:path';
import { codeKindOfExt, type CodeFile } from '../../reconciler/source.js';
import type { ProjectSource } from './source.js';
import { LoadError } from './yamlfile.js';

export const choreoApiVersion = 'choreo.kform.dev/v1alpha1';

/** spec.code of a Reconciler object as code files named `<file>#spec.code.<key>`. */
export function inlineCode(code: unknown, file: string): { code: CodeFile[]; problems: string[] } {
  const out: CodeFile[] = [];
  const problems: string[] = [];
  if (code === undefined || code === null) return { code: out, problems };
  if (typeof code !== 'object' || Array.isArray(code)) return { code: out, problems: ['spec.code: must be a mapping of file name to code'] };
  for (const [key, text] of Object.entries(code as Record<string, unknown>)) {
    const kind = codeKindOfExt[extname(key)];
    if (typeof text !== 'string') problems.push(`spec.code[${key}]: must be a string`);
    else if (!kind) problems.push(`spec.code[${key}]: unknown code file type (want *.star, *.tpl or *.jinja2)`);
    else out.push({ file: `${file}#spec.code.${key}`, kind, text, name: key });
  }
  return { code: out, problems };
}

export function takeChoreoObjects(project: ProjectSource): void {
  const reconcilerNames = new Set(project.reconcilers.map((r) => r.name));
  const libraryNames = new Set(project.libraries.flatMap((l) => l.names));
  project.inputs = project.inputs.filter((m) => {
    const obj = m.object;
    if (obj.apiVersion !== choreoApiVersion || (obj.kind !== 'Reconciler' && obj.kind !== 'Library')) return true;
    const name = obj.metadata.name ?? '';
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    if (!name) {
      project.errors.push(new LoadError(m.pos, `${obj.kind} has no metadata.name`));
      return false;
    }
    if (obj.kind === 'Library') {
      if (libraryNames.has(name)) return false;
      if (typeof spec.code !== 'string') {
        project.errors.push(new LoadError(m.pos, `Library ${name}: spec.code: Required value: the library's Starlark code`));
        return false;
      }
      if (spec.type !== undefined && spec.type !== 'starlark') {
        project.errors.push(new LoadError(m.pos, `Library ${name}: spec.type: Unsupported value: ${JSON.stringify(spec.type)}: supported values: "starlark"`));
        return false;
      }
      libraryNames.add(name);
      project.libraries.push({ names: [name], file: m.pos.file, code: spec.code });
      return false;
    }
    if (reconcilerNames.has(name)) return false;
    const { code, problems } = inlineCode(spec.code, m.pos.file);
    for (const p of problems) project.errors.push(new LoadError(m.pos, `Reconciler ${name}: ${p}`));
    if (problems.length > 0) return false;
    reconcilerNames.add(name);
    project.reconcilers.push({ name, config: obj, pos: m.pos, code });
    return false;
  });
}
