// Executing parsed Go templates over JSON-shaped data (a Kubernetes object).
//
// Semantics follow Go's text/template for the values JSON can hold: a missing
// map key is "no value" (printed `<no value>`, false in a condition), truth is
// Go's (false, 0, "", nil and empty lists/maps are false), `range` over a map
// visits keys in sorted order, variables are scoped to the control structure
// that declares them, and `$` is the data the template was executed with.
// Functions are Go's builtins (funcs.ts); the original choreo registers no
// others. Every execution error names file:line:col and the action, like Go's
// `template: main.tpl:3:5: executing ... at <.x>` (our column is 1-based).

import { builtinFuncs, formatValue, isTrue, typeName, type Func } from './funcs.js';
import { parseFile, type Command, type Node, type Operand, type ParsedTemplate, type Pipeline } from './parse.js';

export class TemplateExecError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
    readonly col = 0,
  ) {
    super(`${file}:${line}${col > 0 ? `:${col}` : ''}: ${message}`);
    this.name = 'TemplateExecError';
  }
}

class Break {}
class Continue {}

const maxDepth = 100_000;
const maxTemplateDepth = 1000;

/** A set of templates (several files plus their defines) executed by name. */
export class TemplateSet {
  private readonly templates = new Map<string, ParsedTemplate>();
  private readonly funcs: Map<string, Func>;

  constructor(funcs: Record<string, Func> = {}) {
    this.funcs = new Map([...Object.entries(builtinFuncs), ...Object.entries(funcs)]);
  }

  /** Adds a file under `name` (the entry name, e.g. "main.tpl"); throws TemplateSyntaxError. */
  add(name: string, file: string, src: string): void {
    for (const t of parseFile(file, name, src)) {
      // Like Go: a define with an empty body does not replace an existing one.
      const existing = this.templates.get(t.name);
      if (existing && t.root.every((n) => n.kind === 'text' && n.text.trim() === '') && existing.root.length > 0) continue;
      this.templates.set(t.name, t);
    }
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  execute(name: string, data: unknown): string {
    const t = this.templates.get(name);
    if (!t) throw new TemplateExecError(name, 0, `no template ${JSON.stringify(name)} (have ${this.names().join(', ') || 'none'})`);
    const state = new State(this, t, data);
    state.walkList(t.root, data);
    return state.out.join('');
  }

  /** @internal */
  lookup(name: string): ParsedTemplate | undefined {
    return this.templates.get(name);
  }

  /** @internal */
  func(name: string): Func | undefined {
    return this.funcs.get(name);
  }
}

class State {
  readonly out: string[] = [];
  private vars: Array<{ name: string; value: unknown }>;
  private depth = 0;
  private steps = 0;

  constructor(
    private readonly set: TemplateSet,
    private tmpl: ParsedTemplate,
    root: unknown,
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  private fail(line: number, msg: string, pipe?: Pipeline): never {
    throw new TemplateExecError(this.tmpl.file, line, `executing ${JSON.stringify(this.tmpl.name)}${pipe ? ` at <${pipe.source}>` : ''}: ${msg}`, pipe?.line === line ? pipe.col : 0);
  }

  walkList(nodes: Node[], dot: unknown): void {
    for (const n of nodes) this.walk(n, dot);
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private walk(node: Node, dot: unknown): void {
    if (++this.steps > maxDepth * 100) throw new TemplateExecError(this.tmpl.file, 0, 'template execution takes too many steps');
    switch (node.kind) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const v = this.evalPipeline(node.pipe, dot);
        if (node.pipe.decls.length === 0) this.out.push(formatValue(v));
        return;
      }
      case 'if':
      case 'with':
        this.scoped(() => {
          const v = this.evalPipeline(node.pipe, dot);
          if (isTrue(v)) this.walkList(node.list, node.kind === 'with' ? v : dot);
          else if (node.elseList) this.walkList(node.elseList, dot);
        });
        return;
      case 'range':
        this.scoped(() => this.range(node as Extract<Node, { list: Node[] }>, dot));
        return;
      case 'template': {
        const t = this.set.lookup(node.name);
        if (!t) this.fail(node.line, `no such template ${JSON.stringify(node.name)}`);
        if (++this.depth > maxTemplateDepth) this.fail(node.line, `exceeded maximum template depth (${maxTemplateDepth})`);
        const data = node.pipe ? this.evalPipeline(node.pipe, dot) : undefined;
        const saved = { tmpl: this.tmpl, vars: this.vars };
        this.tmpl = t;
        this.vars = [{ name: '$', value: data }];
        try {
          this.walkList(t.root, data);
        } finally {
          this.tmpl = saved.tmpl;
          this.vars = saved.vars;
          this.depth--;
        }
        return;
      }
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  private range(node: Extract<Node, { list: Node[] }>, dot: unknown): void {
    const pipe = node.pipe;
    const v = this.evalPipeline({ ...pipe, decls: [] }, dot);
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
    else if (v !== null && typeof v === 'object') entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === undefined || v === null) entries = [];
    else this.fail(pipe.line, `range can't iterate over ${formatValue(v)}`, pipe);
    if (entries.length === 0) {
      if (node.elseList) this.walkList(node.elseList, dot);
      return;
    }
    const mark = this.vars.length;
    for (const [k, e] of entries) {
      this.vars.length = mark;
      if (pipe.decls.length === 1) this.vars.push({ name: pipe.decls[0]!, value: typeof v === 'number' ? k : e });
      else if (pipe.decls.length === 2) this.vars.push({ name: pipe.decls[0]!, value: k }, { name: pipe.decls[1]!, value: e });
      try {
        this.walkList(node.list, e);
      } catch (err) {
        if (err instanceof Break) break;
        if (err instanceof Continue) continue;
        throw err;
      }
    }
  }

  private lookupVar(name: string, line: number, pipe: Pipeline): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(line, `undefined variable: ${name}`, pipe);
  }

  evalPipeline(pipe: Pipeline, dot: unknown): unknown {
    let value: unknown;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(cmd, dot, pipe, first ? undefined : { value });
      first = false;
    }
    if (pipe.decls.length > 0) {
      const name = pipe.decls[0]!;
      if (pipe.assign) {
        let found = false;
        for (let i = this.vars.length - 1; i >= 0; i--) {
          if (this.vars[i]!.name === name) {
            this.vars[i]!.value = value;
            found = true;
            break;
          }
        }
        if (!found) this.fail(pipe.line, `undefined variable: ${name}`, pipe);
      } else this.vars.push({ name, value });
    }
    return value;
  }

  private evalCommand(cmd: Command, dot: unknown, pipe: Pipeline, final: { value: unknown } | undefined): unknown {
    const [head, ...rest] = cmd.args;
    if (head!.kind === 'ident') {
      const fn = this.set.func(head!.name);
      if (!fn) this.fail(pipe.line, `function ${JSON.stringify(head!.name)} not defined`, pipe);
      // and/or evaluate lazily, like Go.
      if (head!.name === 'and' || head!.name === 'or') {
        const args = [...rest.map((a) => () => this.evalOperand(a, dot, pipe)), ...(final ? [() => final.value] : [])];
        if (args.length === 0) this.fail(pipe.line, `wrong number of args for ${head!.name}: want at least 1 got 0`, pipe);
        let v: unknown;
        for (const a of args) {
          v = a();
          if (head!.name === 'and' ? !isTrue(v) : isTrue(v)) return v;
        }
        return v;
      }
      const args = rest.map((a) => this.evalOperand(a, dot, pipe));
      if (final) args.push(final.value);
      try {
        return fn(...args);
      } catch (err) {
        this.fail(pipe.line, `error calling ${head!.name}: ${err instanceof Error ? err.message : String(err)}`, pipe);
      }
    }
    if (rest.length > 0 || final) this.fail(pipe.line, `can't give argument to non-function ${describe(head!)}`, pipe);
    return this.evalOperand(head!, dot, pipe);
  }

  private evalOperand(op: Operand, dot: unknown, pipe: Pipeline): unknown {
    switch (op.kind) {
      case 'dot':
        return dot;
      case 'field':
        return this.walkPath(dot, op.path, pipe);
      case 'var':
        return this.walkPath(this.lookupVar(op.name, pipe.line, pipe), op.path, pipe);
      case 'chain':
        return this.walkPath(this.evalOperand(op.node, dot, pipe), op.path, pipe);
      case 'string':
      case 'number':
      case 'bool':
        return op.value;
      case 'nil':
        return null;
      case 'pipe':
        return this.scopedValue(() => this.evalPipeline(op.pipe, dot));
      case 'ident': {
        const fn = this.set.func(op.name);
        if (!fn) this.fail(pipe.line, `function ${JSON.stringify(op.name)} not defined`, pipe);
        return fn();
      }
    }
  }

  private scopedValue(fn: () => unknown): unknown {
    const mark = this.vars.length;
    try {
      return fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private walkPath(v: unknown, path: string[], pipe: Pipeline): unknown {
    let cur = v;
    for (const key of path) {
      if (cur === undefined || cur === null) return undefined; // Go: nil data → no value
      if (typeof cur !== 'object' || Array.isArray(cur)) this.fail(pipe.line, `can't evaluate field ${key} in type ${typeName(cur)}`, pipe);
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    }
    return cur;
  }
}

function describe(op: Operand): string {
  switch (op.kind) {
    case 'field':
      return `.${op.path.join('.')}`;
    case 'var':
      return [op.name, ...op.path].join('.');
    case 'string':
      return JSON.stringify(op.value);
    case 'number':
      return op.text;
    default:
      return op.kind;
  }
}
