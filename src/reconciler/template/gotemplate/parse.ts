// Parsing Go text/template items (lex.ts) into a tree per template.
//
// A file is one template named by the file; `{{define "x"}}...{{end}}` and
// `{{block "x" .}}...{{end}}` add more templates to the same set, which is how
// `{{template "x" .}}` in one file reaches a define in another. The grammar is
// Go's: control structures (if / else if / else, range with optional
// `$i, $v :=`, with, break, continue) wrap lists of nodes; every action holds a
// pipeline — optional variable declarations, then commands joined by `|`,
// each command a function call or a single operand (field chain, variable,
// literal, parenthesised pipeline).

import { lex, TemplateSyntaxError, type Item, type Token } from './lex.js';

export type Operand =
  | { kind: 'dot' }
  | { kind: 'field'; path: string[] } // .a.b on dot
  | { kind: 'var'; name: string; path: string[] } // $x.a.b
  | { kind: 'chain'; node: Operand; path: string[] } // (pipe).a.b
  | { kind: 'ident'; name: string } // function name
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'pipe'; pipe: Pipeline };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  decls: string[];
  /** `=` rather than `:=`: assigns existing variables. */
  assign: boolean;
  cmds: Command[];
  line: number;
  /** 1-based column of the pipeline's first token (0: unknown). */
  col: number;
  /** The action's source text (for error messages: `at <.spec.x>`). */
  source: string;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { kind: 'template'; name: string; pipe?: Pipeline; line: number }
  | { kind: 'break' | 'continue'; line: number };

export interface ParsedTemplate {
  name: string;
  file: string;
  root: Node[];
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function renderTokens(tokens: Token[]): string {
  return tokens.map((t, i) => (i > 0 && t.spaceBefore ? ' ' : '') + (t.kind === 'string' ? JSON.stringify(t.text) : t.kind === 'field' ? `.${t.text}` : t.text)).join('');
}

class Parser {
  private i = 0;
  readonly defined: ParsedTemplate[] = [];
  private rangeDepth = 0;

  constructor(
    private readonly file: string,
    private readonly items: Item[],
  ) {}

  private fail(line: number, msg: string): never {
    throw new TemplateSyntaxError(this.file, line, msg);
  }

  /** Parses nodes until one of `stops` (an action whose first token is that keyword); returns the stop keyword and its tokens. */
  parseList(stops: string[]): { nodes: Node[]; stop?: string; tokens?: Token[]; line: number } {
    const nodes: Node[] = [];
    while (this.i < this.items.length) {
      const item = this.items[this.i++]!;
      if (item.kind === 'text') {
        nodes.push({ kind: 'text', text: item.text });
        continue;
      }
      const [first, ...rest] = item.tokens;
      if (!first) this.fail(item.line, 'missing value for command');
      const kw = first.kind === 'ident' && keywords.has(first.text) ? first.text : undefined;
      if (kw && stops.includes(kw)) return { nodes, stop: kw, tokens: rest, line: item.line };
      switch (kw) {
        case 'end':
        case 'else':
          this.fail(item.line, `unexpected {{${kw}}}`);
          break;
        case 'if':
        case 'with':
        case 'range':
          nodes.push(this.control(kw, rest, item.line));
          break;
        case 'define':
        case 'block': {
          const name = rest[0];
          if (!name || name.kind !== 'string') this.fail(item.line, `${kw} clause needs a quoted template name`);
          const body = this.parseList(['end']);
          if (body.stop !== 'end') this.fail(item.line, `unexpected EOF: {{${kw} "${name.text}"}} has no {{end}}`);
          this.defined.push({ name: name.text, file: this.file, root: body.nodes });
          if (kw === 'block') nodes.push({ kind: 'template', name: name.text, pipe: this.pipeline(rest.slice(1), item.line, false), line: item.line });
          break;
        }
        case 'template': {
          const name = rest[0];
          if (!name || name.kind !== 'string') this.fail(item.line, 'template clause needs a quoted template name');
          nodes.push({ kind: 'template', name: name.text, pipe: rest.length > 1 ? this.pipeline(rest.slice(1), item.line, false) : undefined, line: item.line });
          break;
        }
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(item.line, `{{${kw}}} outside {{range}}`);
          nodes.push({ kind: kw, line: item.line });
          break;
        default:
          nodes.push({ kind: 'action', pipe: this.pipeline(item.tokens, item.line, true) });
      }
    }
    return { nodes, line: this.items.at(-1)?.line ?? 1 };
  }

  private control(kw: 'if' | 'with' | 'range', tokens: Token[], line: number): Node {
    const pipe = this.pipeline(tokens, line, true, kw === 'range');
    if (kw === 'range') this.rangeDepth++;
    const body = this.parseList(['else', 'end']);
    if (kw === 'range') this.rangeDepth--;
    if (!body.stop) this.fail(line, `unexpected EOF: {{${kw}}} has no {{end}}`);
    const node: Node = { kind: kw, pipe, list: body.nodes };
    if (body.stop === 'else') {
      const t = body.tokens!;
      // {{else if ...}} / {{else with ...}}: a nested control that shares our {{end}}.
      if (t.length > 0 && t[0]!.kind === 'ident' && (t[0]!.text === 'if' || t[0]!.text === 'with') && kw !== 'range') {
        node.elseList = [this.control(t[0]!.text as 'if' | 'with', t.slice(1), body.line)];
        return node;
      }
      if (t.length > 0) this.fail(body.line, `unexpected tokens after else`);
      const rest = this.parseList(['end']);
      if (!rest.stop) this.fail(line, `unexpected EOF: {{${kw}}} has no {{end}}`);
      node.elseList = rest.nodes;
    }
    return node;
  }

  pipeline(tokens: Token[], line: number, allowDecl: boolean, rangeDecl = false): Pipeline {
    let toks = tokens;
    const decls: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, or for range `$i, $v :=`.
    const declAt = toks.findIndex((t) => t.kind === 'declare' || t.kind === 'assign');
    if (allowDecl && declAt > 0 && toks.slice(0, declAt).every((t) => t.kind === 'var' || t.kind === 'comma')) {
      const vars = toks.slice(0, declAt).filter((t) => t.kind === 'var');
      if (vars.length > (rangeDecl ? 2 : 1)) this.fail(line, 'too many declarations in command');
      decls.push(...vars.map((v) => v.text));
      assign = toks[declAt]!.kind === 'assign';
      toks = toks.slice(declAt + 1);
    }
    const source = renderTokens(tokens);
    const cmds: Command[] = [];
    let pos = 0;
    const operand = (): Operand => {
      const t = toks[pos++];
      if (!t) this.fail(line, 'missing value');
      let node: Operand;
      switch (t.kind) {
        case 'dot':
          node = { kind: 'dot' };
          break;
        case 'field':
          node = { kind: 'field', path: [t.text] };
          break;
        case 'var':
          node = { kind: 'var', name: t.text, path: [] };
          break;
        case 'string':
          node = { kind: 'string', value: t.text };
          break;
        case 'number':
          node = { kind: 'number', value: t.value!, text: t.text };
          break;
        case 'ident':
          if (t.text === 'true' || t.text === 'false') node = { kind: 'bool', value: t.text === 'true' };
          else if (t.text === 'nil') node = { kind: 'nil' };
          else if (keywords.has(t.text)) this.fail(t.line, `unexpected keyword ${t.text} in command`);
          else node = { kind: 'ident', name: t.text };
          break;
        case 'lparen': {
          let depth = 1;
          const start = pos;
          while (pos < toks.length && depth > 0) {
            if (toks[pos]!.kind === 'lparen') depth++;
            else if (toks[pos]!.kind === 'rparen') depth--;
            pos++;
          }
          if (depth > 0) this.fail(t.line, 'unclosed left paren');
          node = { kind: 'pipe', pipe: this.pipeline(toks.slice(start, pos - 1), t.line, true) };
          break;
        }
        default:
          this.fail(t.line, `unexpected ${JSON.stringify(t.text)} in operand`);
      }
      // Field chain: fields written right after the operand (no space).
      const path: string[] = [];
      while (pos < toks.length && toks[pos]!.kind === 'field' && !toks[pos]!.spaceBefore) path.push(toks[pos++]!.text);
      if (path.length === 0) return node;
      if (node.kind === 'field' || node.kind === 'var') return { ...node, path: [...node.path, ...path] };
      if (node.kind === 'pipe' || node.kind === 'dot') return { kind: 'chain', node, path };
      this.fail(line, `unexpected . after term ${JSON.stringify(t.text)}`);
    };
    while (pos < toks.length) {
      const args: Operand[] = [];
      while (pos < toks.length && toks[pos]!.kind !== 'pipe') {
        if (toks[pos]!.kind === 'rparen') this.fail(line, 'unexpected right paren');
        if (toks[pos]!.kind === 'comma' || toks[pos]!.kind === 'declare' || toks[pos]!.kind === 'assign') this.fail(line, `unexpected ${JSON.stringify(toks[pos]!.text)} in command`);
        args.push(operand());
      }
      if (args.length === 0) this.fail(line, 'missing command in pipeline');
      cmds.push({ args });
      if (pos < toks.length) pos++; // the pipe
      if (pos === toks.length && toks[pos - 1]!.kind === 'pipe') this.fail(line, 'missing command after |');
    }
    if (cmds.length === 0) this.fail(line, 'missing value for command');
    return { decls, assign, cmds, line, col: tokens[0]?.line === line ? tokens[0].col : 0, source };
  }
}

/** Parses one file: the template named after the file plus every define/block in it. */
export function parseFile(file: string, name: string, src: string): ParsedTemplate[] {
  const parser = new Parser(file, lex(file, src));
  const top = parser.parseList([]);
  return [{ name, file, root: top.nodes }, ...parser.defined];
}
