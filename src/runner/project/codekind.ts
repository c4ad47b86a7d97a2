// Which language a reconciler is written in: `spec.type` when given
// (starlark, gotemplate, jinjatemplate — the original's names), else the kind
// of its code files. One reconciler has one language, as in the original.

import type { CodeKind } from '../../reconciler/source.js';
import type { ReconcilerSource } from './source.js';

const typeNames: Record<string, CodeKind> = { starlark: 'starlark', gotemplate: 'gotemplate', jinjatemplate: 'jinja2', jinja2: 'jinja2' };

export function reconcilerCodeKind(src: ReconcilerSource): CodeKind {
  const spec = (src.config.spec ?? {}) as Record<string, unknown>;
  const kinds = [...new Set(src.code.map((c) => c.kind))];
  if (kinds.length > 1) throw new Error(`a reconciler has one language, found ${kinds.join(' and ')} code: ${src.code.map((c) => c.file).join(', ')}`);
  if (spec.type !== undefined && spec.type !== null && spec.type !== '') {
    const declared = typeof spec.type === 'string' ? typeNames[spec.type] : undefined;
    if (!declared) throw new Error(`spec.type: Unsupported value: ${JSON.stringify(spec.type)}: supported values: "starlark", "gotemplate", "jinjatemplate"`);
    if (kinds.length === 1 && kinds[0] !== declared) throw new Error(`spec.type is ${spec.type} but the code is ${kinds[0]}: ${src.code.map((c) => c.file).join(', ')}`);
    if (kinds.length === 0) throw new Error(`no reconciler code for spec.type ${spec.type}`);
    return declared;
  }
  if (kinds.length === 0) throw new Error('no reconciler code: add a *.star file (or *.tpl / *.jinja2 templates) next to the config, or spec.code');
  return kinds[0]!;
}
