// Template reconcilers: business logic written as a Jinja2 or Go template.
//
// As in the original choreo (pkg/controller/reconciler/gotemplate and
// jinjatemplate), the entry template (`main.tpl` / `main.jinja2`) is rendered
// with the For object as data — `.metadata.name` in Go templates, `metadata.name`
// in Jinja2 — and the output is YAML: the desired children. The original reads
// one document; we accept any number (`---` separated), empty ones skipped.
//
// Key idea: a template reconciler is just another `RunStarlark` function. It
// records its children in the reconcile scope exactly as client_create does
// (namespace defaulted, unknown kinds refused) and returns a
// reconcile_result-shaped dict, so the runtime applies, prunes, owner-refs and
// sets conditions with no special case. Template and YAML errors are thrown
// as ReconcileError naming the reconciler and file:line, which the runtime
// puts on the For object's condition.

import { LineCounter } from 'yaml';
import { DecodeLimitError, parseYamlDocuments } from '../../api/decode.js';
import type { KObject } from '../../api/object.js';
import { StarDict, type Value } from '../../starlark/index.js';
import { starlarkView, type ReconcileScope } from '../hostapi.js';
import { ReconcileError, type RunStarlark } from '../runtime.js';
import { TemplateExecError, TemplateSet } from './gotemplate/exec.js';
import { TemplateSyntaxError } from './gotemplate/lex.js';
import { Jinja2Error, Jinja2Set, type TemplateSource } from './jinja2.js';

export type TemplateKind = 'gotemplate' | 'jinja2';

export const entryTemplate: Record<TemplateKind, string> = { gotemplate: 'main.tpl', jinja2: 'main.jinja2' };

/** A template problem found while compiling (a load error), with its position. */
export class TemplateLoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
    readonly col = 1,
  ) {
    super(message);
    this.name = 'TemplateLoadError';
  }
}

export interface TemplateReconcilerOptions {
  reconciler: string;
  kind: TemplateKind;
  templates: TemplateSource[];
}

type Render = (data: KObject) => string;

function compile(opts: TemplateReconcilerOptions): Render {
  const entry = entryTemplate[opts.kind];
  const main = opts.templates.find((t) => t.name === entry);
  if (!main) {
    const files = opts.templates.map((t) => t.file);
    throw new TemplateLoadError(files[0] ?? opts.reconciler, 0, `${opts.kind} reconciler needs an entry template named ${entry} (have ${opts.templates.map((t) => t.name).join(', ') || 'none'})`);
  }
  if (opts.kind === 'gotemplate') {
    const set = new TemplateSet();
    for (const t of opts.templates) {
      try {
        set.add(t.name, t.file, t.text);
      } catch (err) {
        if (err instanceof TemplateSyntaxError) throw new TemplateLoadError(err.file, err.line, `template: ${err.message.slice(err.message.indexOf(': ') + 2)}`);
        throw err;
      }
    }
    return (data) => set.execute(entry, data);
  }
  const set = new Jinja2Set(opts.templates);
  try {
    set.check(entry);
  } catch (err) {
    if (err instanceof Jinja2Error) throw new TemplateLoadError(err.file, err.line, err.detail, err.col || 1);
    throw err;
  }
  return (data) => set.render(entry, data as unknown as Record<string, unknown>);
}

/** Parses rendered YAML into child objects; errors name the entry template and the output line. */
function childrenOf(output: string, where: string): KObject[] {
  const lc = new LineCounter();
  const out: KObject[] = [];
  let docs;
  try {
    docs = parseYamlDocuments(output, { lineCounter: lc }); // rendered from user data: nesting bounded while parsing
  } catch (err) {
    if (!(err instanceof DecodeLimitError)) throw err;
    throw new Error(`${where} rendered invalid YAML (output line ${lc.linePos(err.offset).line}): ${err.message}`);
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const p = lc.linePos(e.pos[0]);
      throw new Error(`${where} rendered invalid YAML (output line ${p.line}): ${e.message.split('\n')[0]}\n--- rendered output ---\n${output}`);
    }
    const v: unknown = doc.toJS({ maxAliasCount: 100 });
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v) || typeof (v as KObject).apiVersion !== 'string' || typeof (v as KObject).kind !== 'string') {
      throw new Error(`${where} rendered a document that is not a Kubernetes object (needs apiVersion and kind)\n--- rendered output ---\n${output}`);
    }
    const obj = v as KObject;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    out.push(obj);
  }
  return out;
}

function result(): StarDict {
  const d = new StarDict();
  d.setStr('obj', null);
  d.setStr('requeue', false);
  d.setStr('requeueAfter', 0);
  d.setStr('error', null);
  d.setStr('fatal', false);
  return d;
}

/** Compiles the templates (throws TemplateLoadError) and returns the reconcile function. */
export function compileTemplateReconciler(opts: TemplateReconcilerOptions): RunStarlark {
  const render = compile(opts);
  const entry = entryTemplate[opts.kind];
  const entryFile = opts.templates.find((t) => t.name === entry)!.file;
  return (self: KObject, scope: ReconcileScope): Value => {
    let output: string;
    try {
      output = render(starlarkView(self));
    } catch (err) {
      if (err instanceof TemplateExecError || err instanceof Error) throw new ReconcileError(`${opts.kind} reconciler ${opts.reconciler}: ${err.message}`);
      throw err;
    }
    let children: KObject[];
    try {
      children = childrenOf(output, entryFile);
    } catch (err) {
      throw new ReconcileError(`${opts.kind} reconciler ${opts.reconciler}: ${(err as Error).message}`);
    }
    for (const child of children) {
      const where = `${opts.kind} reconciler ${opts.reconciler}: ${entryFile}: rendered ${child.kind}`;
      if (!child.metadata.name) throw new ReconcileError(`${where} has no metadata.name`);
      const info = scope.read.resourceInfo({ apiVersion: child.apiVersion, kind: child.kind });
      if (!info) throw new ReconcileError(`${where}: unknown kind ${child.kind} in ${child.apiVersion} (no CRD defines it)`);
      if (info.namespaced && !child.metadata.namespace) child.metadata.namespace = scope.defaultNamespace;
      scope.desired.push(child);
    }
    return result();
  };
}
