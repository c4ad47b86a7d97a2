// pongo2's parser (flosch/pongo2 v6 parser*.go, variable.go, tags_*.go):
// tokens become a tree of nodes — text, {{ expression }} and tags.
//
// Expressions have pongo2's grammar and precedence, which differ from
// Jinja2's: `and`/`or`/`&&`/`||` (right-associative), then one comparison
// (== != <> < > <= >=, `in`), then + and -, then * / %, then ^; `not` / `!`
// and a sign apply to the first term of a sum only. Filters attach to a
// variable or literal with a colon argument (`x|join:","`, `x|default:y`).
// Tags are parsed by their own functions, each given the tag's arguments as a
// sub-parser, as pongo2 does; templates that a tag names (import, include,
// extends, ssi) are loaded and parsed at parse time through the Loader.

import { filters, type Filter } from './filters.js';
import { lex, Pongo2Error, type Token } from './lex.js';
import { GoFloat } from './value.js';

export type Part = { k: 'ident'; s: string; call?: Expr[] } | { k: 'int'; i: number; call?: Expr[] } | { k: 'sub'; e: Expr; call?: Expr[] };

export interface FilterCall {
  name: string;
  tok: Token;
  fn: Filter;
  param?: Expr;
}

export type Expr =
  | { k: 'lit'; tok: Token; v: unknown }
  | { k: 'var'; tok: Token; parts: Part[] }
  | { k: 'filtered'; tok: Token; base: Expr; chain: FilterCall[] }
  | { k: 'logic'; tok: Token; op: Token; a: Expr; b: Expr }
  | { k: 'rel'; tok: Token; op: Token; a: Expr; b: Expr }
  | { k: 'simple'; tok: Token; negate: boolean; neg: boolean; a: Expr; op?: Token; b?: Expr }
  | { k: 'term'; tok: Token; op: Token; a: Expr; b: Expr }
  | { k: 'power'; tok: Token; a: Expr; b: Expr };

export interface Macro {
  k: 'macro';
  tok: Token;
  name: string;
  params: string[];
  defaults: Map<string, Expr | undefined>;
  body: Node[];
}

export type Node =
  | { k: 'text'; s: string }
  /** `safe`: the expression applies the safe filter on every path (no autoescaping). */
  | { k: 'out'; tok: Token; e: Expr; safe: boolean }
  | { k: 'if'; conds: Expr[]; bodies: Node[][] }
  | { k: 'for'; key: string; value?: string; e: Expr; reversed: boolean; sorted: boolean; body: Node[]; empty?: Node[] }
  | { k: 'set'; name: string; e: Expr }
  | { k: 'with'; pairs: Array<[string, Expr]>; body: Node[] }
  | Macro
  | { k: 'import'; macros: Array<[string, Macro]> }
  | { k: 'include'; tok: Token; tpl?: Template; nameExpr?: Expr; ifExists: boolean; only: boolean; pairs: Array<[string, Expr]> }
  | { k: 'filter'; tok: Token; body: Node[]; chain: Array<{ name: string; tok: Token; fn: Filter; param?: Expr }> }
  | { k: 'nothing' }
  | { k: 'spaceless'; body: Node[] }
  | { k: 'autoescape'; on: boolean; body: Node[] }
  | { k: 'firstof'; args: Expr[] }
  | { k: 'cycle'; args: Expr[]; as?: string; silent: boolean }
  | { k: 'ifequal'; not: boolean; a: Expr; b: Expr; then: Node[]; else?: Node[] }
  | { k: 'ifchanged'; exprs: Expr[]; then: Node[]; else?: Node[] }
  | { k: 'widthratio'; cur: Expr; max: Expr; width: Expr; as?: string }
  | { k: 'now'; format: string; fake: boolean }
  | { k: 'lorem'; count: number; method: string; random: boolean }
  | { k: 'block'; name: string }
  | { k: 'ssi'; tpl?: Template; text?: string };

export interface Template {
  name: string;
  file: string;
  nodes: Node[];
  blocks: Map<string, Node[]>;
  exported: Map<string, Macro>;
  parent?: Template;
  child?: Template;
}

/** Where templates named by import / include / extends / ssi come from. */
export interface Loader {
  /** The template's display file and text, or undefined when there is none of that name. */
  get(name: string): { file: string; text: string } | undefined;
}

const maxNesting = 50;

/** Parses template `name` (throws Pongo2Error); `depth` guards include/import/extends cycles. */
export function parseTemplate(loader: Loader, name: string, depth = 0): Template {
  const src = loader.get(name);
  if (!src) throw new Pongo2Error(name, 0, 0, `template '${name}' not found`);
  if (depth > maxNesting) throw new Pongo2Error(src.file, 0, 0, `templates nest more than ${maxNesting} deep through include/import/extends (a cycle?)`);
  const tpl: Template = { name, file: src.file, nodes: [], blocks: new Map(), exported: new Map() };
  const p = new Parser(lex(src.file, src.text), tpl, loader, depth);
  while (p.remaining() > 0) tpl.nodes.push(p.docElement());
  return tpl;
}

type TagParser = (doc: Parser, start: Token, args: Parser) => Node;

export class Parser {
  private idx = 0;
  lastToken: Token | undefined;
  /** Nesting of tags being parsed (extends must be at the top). */
  level = 0;

  constructor(
    private readonly tokens: Token[],
    readonly tpl: Template,
    readonly loader: Loader,
    readonly depth: number,
  ) {
    this.lastToken = tokens.at(-1);
  }

  current(): Token | undefined {
    return this.tokens[this.idx];
  }
  consume(n = 1): void {
    this.idx += n;
  }
  remaining(): number {
    return this.tokens.length - this.idx;
  }
  count(): number {
    return this.tokens.length;
  }
  peek(type: Token['type'], val?: string, shift = 0): Token | undefined {
    const t = this.tokens[this.idx + shift];
    return t && t.type === type && (val === undefined || t.val === val) ? t : undefined;
  }
  match(type: Token['type'], val?: string): Token | undefined {
    const t = this.peek(type, val);
    if (t) this.idx++;
    return t;
  }
  matchOne(type: Token['type'], ...vals: string[]): Token | undefined {
    for (const v of vals) {
      const t = this.match(type, v);
      if (t) return t;
    }
    return undefined;
  }
  peekOne(type: Token['type'], ...vals: string[]): Token | undefined {
    for (const v of vals) if (this.peek(type, v)) return this.current();
    return undefined;
  }

  error(msg: string, tok?: Token): Pongo2Error {
    const t = tok ?? this.current() ?? this.lastToken;
    const near = t ? ` (near '${t.val}')` : '';
    return new Pongo2Error(t?.file ?? this.tpl.file, t?.line ?? 0, t?.col ?? 0, msg + near);
  }

  /** A sub-parser over some of this template's tokens (a tag's arguments). */
  sub(tokens: Token[], last?: Token): Parser {
    const p = new Parser(tokens, this.tpl, this.loader, this.depth);
    if (tokens.length === 0 && last) p.lastToken = last;
    return p;
  }

  docElement(): Node {
    const t = this.current()!;
    if (t.type === 'html') {
      // {{- / -}} / {%- / -%} next to the text trim its whitespace on that side (done once, here).
      let s = t.val;
      if (this.peek('symbol', undefined, -1)?.trim) s = s.replace(/^[ \n\r\t]+/, '');
      if (this.peek('symbol', undefined, 1)?.trim) s = s.replace(/[ \n\r\t]+$/, '');
      this.consume();
      return { k: 'text', s };
    }
    if (t.type === 'symbol' && t.val === '{{') {
      this.consume();
      const e = this.expression();
      if (!this.match('symbol', '}}')) throw this.error("'}}' expected");
      return { k: 'out', tok: t, e, safe: filterApplied(e, 'safe') };
    }
    if (t.type === 'symbol' && t.val === '{%') return this.tagElement();
    throw this.error('Unexpected token (only HTML/tags/filters in templates allowed)', t);
  }

  private tagElement(): Node {
    this.consume(); // {%
    const name = this.match('identifier');
    if (!name) throw this.error('Tag name must be an identifier.');
    const tag = tags[name.val];
    if (!tag) throw this.error(`Tag '${name.val}' not found (or beginning tag not provided)`, name);
    const args: Token[] = [];
    while (!this.peek('symbol', '%}') && this.remaining() > 0) {
      args.push(this.current()!);
      this.consume();
    }
    if (this.remaining() === 0) throw this.error('Unexpectedly reached EOF, no tag end found.', this.lastToken);
    this.consume(); // %}
    this.level++;
    try {
      return tag(this, name, this.sub(args, name));
    } finally {
      this.level--;
    }
  }

  /** The nodes up to one of the tags `names`; returns them, the tag found and its arguments. */
  wrapUntil(...names: string[]): { nodes: Node[]; end: string; args: Parser } {
    const nodes: Node[] = [];
    while (this.remaining() > 0) {
      const ident = this.peek('symbol', '{%') ? this.peek('identifier', undefined, 1) : undefined;
      if (ident && names.includes(ident.val)) {
        this.consume(2);
        const args: Token[] = [];
        for (;;) {
          if (this.match('symbol', '%}')) return { nodes, end: ident.val, args: this.sub(args) };
          const t = this.current();
          if (!t) throw this.error('Unexpected EOF.', this.lastToken);
          this.consume();
          args.push(t);
        }
      }
      nodes.push(this.docElement());
    }
    throw this.error(`Unexpected EOF, expected tag ${names.join(' or ')}.`, this.lastToken);
  }

  skipUntil(name: string): void {
    while (this.remaining() > 0) {
      if (this.peek('symbol', '{%') && this.peek('identifier', name, 1)) {
        this.consume(2);
        while (!this.match('symbol', '%}')) {
          if (this.remaining() === 0) throw this.error('Unexpected EOF.', this.lastToken);
          this.consume();
        }
        return;
      }
      this.consume();
    }
    throw this.error(`Unexpected EOF, expected tag ${name}.`, this.lastToken);
  }

  /** Loads another template at parse time (import, include, extends, ssi). */
  load(name: string, at: Token): Template {
    if (!this.loader.get(name)) throw this.error(`template '${name}' not found`, at);
    try {
      return parseTemplate(this.loader, name, this.depth + 1);
    } catch (err) {
      if (err instanceof Pongo2Error && err.line === 0) throw this.error(err.detail, at);
      throw err;
    }
  }

  // ---- expressions ----

  expression(): Expr {
    const a = this.relational();
    const op = this.peekOne('symbol', '&&', '||') ?? this.peekOne('keyword', 'and', 'or');
    if (!op) return a;
    this.consume();
    return { k: 'logic', tok: a.tok, op, a, b: this.expression() };
  }

  private relational(): Expr {
    const a = this.simple();
    let op = this.matchOne('symbol', '==', '<=', '>=', '!=', '<>', '>', '<');
    if (op) return { k: 'rel', tok: a.tok, op, a, b: this.relational() };
    op = this.match('keyword', 'in');
    if (op) return { k: 'rel', tok: a.tok, op, a, b: this.simple() };
    return a;
  }

  private simple(): Expr {
    const sign = this.matchOne('symbol', '+', '-');
    const negate = !!(this.match('symbol', '!') ?? this.match('keyword', 'not'));
    const first = this.term();
    let e: Expr = { k: 'simple', tok: first.tok, negate, neg: sign?.val === '-', a: first };
    let chained = false;
    while (this.peekOne('symbol', '+', '-')) {
      const op = this.current()!;
      this.consume();
      const b = this.term();
      if (chained) e = { k: 'simple', tok: e.tok, negate: false, neg: false, a: e, op, b };
      else e = { ...(e as Extract<Expr, { k: 'simple' }>), op, b };
      chained = true;
    }
    const s = e as Extract<Expr, { k: 'simple' }>;
    if (!s.negate && !s.neg && !s.b) return s.a;
    return e;
  }

  private term(): Expr {
    let e = this.power();
    while (this.peekOne('symbol', '*', '/', '%')) {
      const op = this.current()!;
      this.consume();
      e = { k: 'term', tok: e.tok, op, a: e, b: this.power() };
    }
    return e;
  }

  private power(): Expr {
    const a = this.factor();
    if (this.match('symbol', '^')) return { k: 'power', tok: a.tok, a, b: this.power() };
    return a;
  }

  private factor(): Expr {
    if (this.match('symbol', '(')) {
      const e = this.expression();
      if (!this.match('symbol', ')')) throw this.error('Closing bracket expected after expression');
      return e;
    }
    return this.variableOrLiteralWithFilter();
  }

  variableOrLiteral(): Expr {
    const t = this.current();
    if (!t) throw this.error('Unexpected EOF, expected a number, string, keyword or identifier.', this.lastToken);
    if (t.type === 'number') {
      this.consume();
      if (this.match('symbol', '.')) {
        const t2 = this.match('number');
        if (!t2) throw this.error("Expected a number after the '.'.");
        return { k: 'lit', tok: t, v: new GoFloat(Number(`${t.val}.${t2.val}`)) };
      }
      return { k: 'lit', tok: t, v: Number(t.val) };
    }
    if (t.type === 'string') {
      this.consume();
      return { k: 'lit', tok: t, v: t.val };
    }
    if (t.type === 'keyword') {
      this.consume();
      if (t.val === 'true' || t.val === 'false') return { k: 'lit', tok: t, v: t.val === 'true' };
      throw this.error('This keyword is not allowed here.');
    }
    if (t.type !== 'identifier') throw this.error('Expected either a number, string, keyword or identifier.', t);
    this.consume();
    const parts: Part[] = [{ k: 'ident', s: t.val }];
    for (;;) {
      if (this.remaining() === 0) break;
      if (this.match('symbol', '.')) {
        const t2 = this.current();
        if (!t2) throw this.error('Unexpected EOF, expected either IDENTIFIER or NUMBER after DOT.', this.lastToken);
        if (t2.type === 'identifier') parts.push({ k: 'ident', s: t2.val });
        else if (t2.type === 'number') parts.push({ k: 'int', i: Number(t2.val) });
        else throw this.error('This token is not allowed within a variable name.', t2);
        this.consume();
        continue;
      }
      if (this.match('symbol', '[')) {
        if (this.remaining() === 0) throw this.error('Unexpected EOF, expected subscript subscript.', this.lastToken);
        const e = this.expression();
        parts.push({ k: 'sub', e });
        if (!this.match('symbol', ']')) throw this.error('Missing closing bracket after subscript argument.');
        continue;
      }
      if (this.match('symbol', '(')) {
        const part = parts.at(-1)!;
        const args: Expr[] = [];
        part.call = args;
        for (;;) {
          if (this.remaining() === 0) throw this.error('Unexpected EOF, expected function call argument list.', this.lastToken);
          if (this.match('symbol', ')')) break;
          args.push(this.expression());
          if (this.match('symbol', ')')) break;
          if (!this.match('symbol', ',')) throw this.error('Missing comma or closing bracket after argument.');
        }
        continue;
      }
      break;
    }
    return { k: 'var', tok: t, parts };
  }

  private variableOrLiteralWithFilter(): Expr {
    const tok = this.current();
    const base = this.variableOrLiteral();
    const chain: FilterCall[] = [];
    while (this.match('symbol', '|')) chain.push(this.filterCall());
    return chain.length === 0 ? base : { k: 'filtered', tok: tok ?? base.tok, base, chain };
  }

  filterCall(): FilterCall {
    const name = this.match('identifier');
    if (!name) throw this.error('Filter name must be an identifier.');
    const fn = filters[name.val];
    if (!fn) throw this.error(`Filter '${name.val}' does not exist.`, name);
    const call: FilterCall = { name: name.val, tok: name, fn };
    if (this.match('symbol', ':')) {
      if (this.peek('symbol', '}}')) throw this.error("Filter parameter required after ':'.");
      call.param = this.variableOrLiteral();
    }
    return call;
  }
}

/** Whether every path of `e` applies filter `name` (pongo2's FilterApplied: `safe` disables autoescaping). */
export function filterApplied(e: Expr, name: string): boolean {
  switch (e.k) {
    case 'lit':
    case 'var':
      return false;
    case 'filtered':
      return e.chain.some((f) => f.name === name);
    case 'simple':
      return filterApplied(e.a, name) && (e.b === undefined || filterApplied(e.b, name));
    default:
      return filterApplied(e.a, name) && filterApplied(e.b, name);
  }
}

// ---- tags ----

const noArgs = (p: Parser, what = 'Arguments not allowed here.') => {
  if (p.count() > 0) throw p.error(what);
};

const tags: Record<string, TagParser> = {
  if(doc, _start, args) {
    const conds = [args.expression()];
    if (args.remaining() > 0) throw args.error('If-condition is malformed.');
    const bodies: Node[][] = [];
    for (;;) {
      const w = doc.wrapUntil('elif', 'else', 'endif');
      bodies.push(w.nodes);
      if (w.end === 'elif') {
        conds.push(w.args.expression());
        if (w.args.remaining() > 0) throw w.args.error('Elif-condition is malformed.');
      } else noArgs(w.args);
      if (w.end === 'endif') break;
    }
    return { k: 'if', conds, bodies };
  },

  for(doc, _start, args) {
    const key = args.match('identifier');
    if (!key) throw args.error("Expected an key identifier as first argument for 'for'-tag");
    let value: Token | undefined;
    if (args.match('symbol', ',')) {
      value = args.match('identifier');
      if (!value) throw args.error('Value name must be an identifier.');
    }
    if (!args.match('keyword', 'in')) throw args.error("Expected keyword 'in'.");
    const e = args.expression();
    const reversed = !!args.match('identifier', 'reversed');
    const sorted = !!args.match('identifier', 'sorted');
    if (args.remaining() > 0) throw args.error('Malformed for-loop arguments.');
    const { first, second } = twoBodies(doc, 'empty', 'endfor');
    return { k: 'for', key: key.val, value: value?.val, e, reversed, sorted, body: first, empty: second };
  },

  set(_doc, _start, args) {
    const name = args.match('identifier');
    if (!name) throw args.error('Expected an identifier.');
    if (!args.match('symbol', '=')) throw args.error("Expected '='.");
    const e = args.expression();
    if (args.remaining() > 0) throw args.error("Malformed 'set'-tag arguments.");
    return { k: 'set', name: name.val, e };
  },

  with(doc, _start, args) {
    if (args.count() === 0) throw args.error("Tag 'with' requires at least one argument.");
    const w = doc.wrapUntil('endwith');
    noArgs(w.args);
    let oldStyle = false;
    for (let i = 0; i < args.count(); i++) if (args.peek('keyword', 'as', i)) oldStyle = true;
    const pairs: Array<[string, Expr]> = [];
    while (args.remaining() > 0) {
      if (oldStyle) {
        const e = args.expression();
        if (!args.match('keyword', 'as')) throw args.error("Expected 'as' keyword.");
        const key = args.match('identifier');
        if (!key) throw args.error('Expected an identifier');
        pairs.push([key.val, e]);
      } else {
        const key = args.match('identifier');
        if (!key) throw args.error('Expected an identifier');
        if (!args.match('symbol', '=')) throw args.error("Expected '='.");
        pairs.push([key.val, args.expression()]);
      }
    }
    return { k: 'with', pairs, body: w.nodes };
  },

  macro(doc, start, args) {
    const name = args.match('identifier');
    if (!name) throw args.error('Macro-tag needs at least an identifier as name.');
    if (!args.match('symbol', '(')) throw args.error("Expected '('.");
    const params: string[] = [];
    const defaults = new Map<string, Expr | undefined>();
    while (!args.match('symbol', ')')) {
      const p = args.match('identifier');
      if (!p) throw args.error('Expected argument name as identifier.');
      params.push(p.val);
      defaults.set(p.val, args.match('symbol', '=') ? args.expression() : undefined);
      if (args.match('symbol', ')')) break;
      if (!args.match('symbol', ',')) throw args.error("Expected ',' or ')'.");
    }
    const exported = !!args.match('keyword', 'export');
    if (args.remaining() > 0) throw args.error('Malformed macro-tag.');
    const w = doc.wrapUntil('endmacro');
    noArgs(w.args);
    const macro: Macro = { k: 'macro', tok: start, name: name.val, params, defaults, body: w.nodes };
    if (exported) {
      if (doc.tpl.exported.has(macro.name)) throw doc.error(`another macro with name '${macro.name}' already exported`, start);
      doc.tpl.exported.set(macro.name, macro);
    }
    return macro;
  },

  import(doc, _start, args) {
    const file = args.match('string');
    if (!file) throw args.error('Import-tag needs a filename as string.');
    if (args.remaining() === 0) throw args.error('You must at least specify one macro to import.');
    const tpl = doc.load(file.val, file);
    const macros: Array<[string, Macro]> = [];
    while (args.remaining() > 0) {
      const name = args.match('identifier');
      if (!name) throw args.error('Expected macro name (identifier).');
      let as = name.val;
      if (args.match('keyword', 'as')) {
        const alias = args.match('identifier');
        if (!alias) throw args.error('Expected macro alias name (identifier).');
        as = alias.val;
      }
      const m = tpl.exported.get(name.val);
      if (!m) throw args.error(`Macro '${name.val}' not found (or not exported) in '${file.val}'.`, name);
      macros.push([as, m]);
      if (args.remaining() === 0) break;
      if (!args.match('symbol', ',')) throw args.error("Expected ','.");
    }
    return { k: 'import', macros };
  },

  include(doc, start, args) {
    const node: Extract<Node, { k: 'include' }> = { k: 'include', tok: start, ifExists: false, only: false, pairs: [] };
    const file = args.match('string');
    if (file) {
      node.ifExists = !!args.match('identifier', 'if_exists');
      if (doc.loader.get(file.val)) node.tpl = doc.load(file.val, file);
      else if (!node.ifExists) throw doc.error(`template '${file.val}' not found`, file);
    } else {
      node.nameExpr = args.expression();
      node.ifExists = !!args.match('identifier', 'if_exists');
    }
    if (args.match('identifier', 'with')) {
      while (args.remaining() > 0) {
        const key = args.match('identifier');
        if (!key) throw args.error('Expected an identifier');
        if (!args.match('symbol', '=')) throw args.error("Expected '='.");
        node.pairs.push([key.val, args.expression()]);
        if (args.match('identifier', 'only')) {
          node.only = true;
          break;
        }
      }
    }
    if (args.remaining() > 0) throw args.error("Malformed 'include'-tag arguments.");
    if (file && !node.tpl) return { k: 'nothing' };
    return node;
  },

  filter(doc, start, args) {
    const w = doc.wrapUntil('endfilter');
    const chain: Array<{ name: string; tok: Token; fn: Filter; param?: Expr }> = [];
    while (args.remaining() > 0) {
      const name = args.match('identifier');
      if (!name) throw args.error('Expected a filter name (identifier).');
      const fn = filters[name.val];
      if (!fn) throw args.error(`Filter '${name.val}' does not exist.`, name);
      const call: { name: string; tok: Token; fn: Filter; param?: Expr } = { name: name.val, tok: name, fn };
      if (args.match('symbol', ':')) call.param = args.variableOrLiteral();
      chain.push(call);
      if (!args.match('symbol', '|')) break;
    }
    if (args.remaining() > 0) throw args.error('Malformed filter-tag arguments.');
    return { k: 'filter', tok: start, body: w.nodes, chain };
  },

  comment(doc, _start, args) {
    doc.skipUntil('endcomment');
    noArgs(args, "Tag 'comment' does not take any argument.");
    return { k: 'nothing' };
  },

  spaceless(doc, _start, args) {
    const w = doc.wrapUntil('endspaceless');
    if (args.remaining() > 0) throw args.error('Malformed spaceless-tag arguments.');
    return { k: 'spaceless', body: w.nodes };
  },

  autoescape(doc, _start, args) {
    const w = doc.wrapUntil('endautoescape');
    const mode = args.match('identifier');
    if (!mode) throw args.error('A mode is required for autoescape-tag.');
    if (mode.val !== 'on' && mode.val !== 'off') throw args.error("Only 'on' or 'off' is valid as an autoescape-mode.");
    if (args.remaining() > 0) throw args.error('Malformed autoescape-tag arguments.');
    return { k: 'autoescape', on: mode.val === 'on', body: w.nodes };
  },

  firstof(_doc, _start, args) {
    const list: Expr[] = [];
    while (args.remaining() > 0) list.push(args.expression());
    return { k: 'firstof', args: list };
  },

  cycle(_doc, _start, args) {
    const node: Extract<Node, { k: 'cycle' }> = { k: 'cycle', args: [], silent: false };
    while (args.remaining() > 0) {
      node.args.push(args.expression());
      if (args.match('keyword', 'as')) {
        const name = args.match('identifier');
        if (!name) throw args.error("Name (identifier) expected after 'as'.");
        node.as = name.val;
        node.silent = !!args.match('identifier', 'silent');
        break;
      }
    }
    if (args.remaining() > 0) throw args.error('Malformed cycle-tag.');
    return node;
  },

  ifequal: ifEqual(false),
  ifnotequal: ifEqual(true),

  ifchanged(doc, _start, args) {
    const exprs: Expr[] = [];
    while (args.remaining() > 0) exprs.push(args.expression());
    const { first, second } = twoBodies(doc, 'else', 'endifchanged');
    return { k: 'ifchanged', exprs, then: first, else: second };
  },

  templatetag(_doc, _start, args) {
    const arg = args.match('identifier');
    if (!arg) throw args.error('Identifier expected.');
    const s = templateTags[arg.val];
    if (s === undefined) throw args.error('Argument not found', arg);
    if (args.remaining() > 0) throw args.error('Malformed templatetag-tag argument.');
    return { k: 'text', s };
  },

  widthratio(_doc, _start, args) {
    const cur = args.expression();
    const max = args.expression();
    const width = args.expression();
    let as: string | undefined;
    if (args.match('keyword', 'as')) {
      const name = args.match('identifier');
      if (!name) throw args.error('Expected name (identifier).');
      as = name.val;
    }
    if (args.remaining() > 0) throw args.error('Malformed widthratio-tag arguments.');
    return { k: 'widthratio', cur, max, width, as };
  },

  now(_doc, _start, args) {
    const format = args.match('string');
    if (!format) throw args.error('Expected a format string.');
    const fake = !!args.match('identifier', 'fake');
    if (args.remaining() > 0) throw args.error('Malformed now-tag arguments.');
    return { k: 'now', format: format.val, fake };
  },

  lorem(_doc, _start, args) {
    const count = args.match('number');
    const method = args.match('identifier');
    if (method && !['w', 'p', 'b'].includes(method.val)) throw args.error("lorem-method must be either 'w', 'p' or 'b'.");
    const random = !!args.match('identifier', 'random');
    if (args.remaining() > 0) throw args.error('Malformed lorem-tag arguments.');
    return { k: 'lorem', count: count ? Number(count.val) : 1, method: method?.val ?? 'b', random };
  },

  block(doc, _start, args) {
    if (args.count() === 0) throw args.error("Tag 'block' requires an identifier.");
    const name = args.match('identifier');
    if (!name) throw args.error("First argument for tag 'block' must be an identifier.");
    if (args.remaining() !== 0) throw args.error("Tag 'block' takes exactly 1 argument (an identifier).");
    const w = doc.wrapUntil('endblock');
    if (w.args.remaining() > 0) {
      const end = w.args.match('identifier');
      if (end && end.val !== name.val) throw w.args.error(`Name for 'endblock' must equal to 'block'-tag's name ('${name.val}' != '${end.val}').`);
      if (!end || w.args.remaining() > 0) throw w.args.error("Either no or only one argument (identifier) allowed for 'endblock'.");
    }
    if (doc.tpl.blocks.has(name.val)) throw args.error(`Block named '${name.val}' already defined`);
    doc.tpl.blocks.set(name.val, w.nodes);
    return { k: 'block', name: name.val };
  },

  extends(doc, start, args) {
    if (doc.level > 1) throw args.error("The 'extends' tag can only defined on root level.", start);
    if (doc.tpl.parent) throw args.error('This template has already one parent.', start);
    const file = args.match('string');
    if (!file) throw args.error("Tag 'extends' requires a template filename as string.");
    const parent = doc.load(file.val, file);
    parent.child = doc.tpl;
    doc.tpl.parent = parent;
    if (args.remaining() > 0) throw args.error("Tag 'extends' does only take 1 argument.");
    return { k: 'nothing' };
  },

  // pongo2 reads the file from disk; a reconciler's templates are its only files, so ssi names one of them.
  ssi(doc, _start, args) {
    const file = args.match('string');
    if (!file) throw args.error('First argument must be a string.');
    const parsed = !!args.match('identifier', 'parsed');
    if (args.remaining() > 0) throw args.error('Malformed SSI-tag argument.');
    const src = doc.loader.get(file.val);
    if (!src) throw doc.error(`template '${file.val}' not found`, file);
    return parsed ? { k: 'ssi', tpl: doc.load(file.val, file) } : { k: 'ssi', text: src.text };
  },
};

/** The body up to `middle` or `end` and, after `middle`, the second body up to `end` (for/empty, if…/else). */
function twoBodies(doc: Parser, middle: string, end: string): { first: Node[]; second?: Node[] } {
  const w = doc.wrapUntil(middle, end);
  noArgs(w.args);
  if (w.end !== middle) return { first: w.nodes };
  const w2 = doc.wrapUntil(end);
  noArgs(w2.args);
  return { first: w.nodes, second: w2.nodes };
}

function ifEqual(not: boolean): TagParser {
  const end = not ? 'endifnotequal' : 'endifequal';
  return (doc, _start, args) => {
    const a = args.expression();
    const b = args.expression();
    if (args.remaining() > 0) throw args.error('ifequal only takes 2 arguments.');
    const { first, second } = twoBodies(doc, 'else', end);
    return { k: 'ifequal', not, a, b, then: first, else: second };
  };
}

const templateTags: Record<string, string> = {
  openblock: '{%',
  closeblock: '%}',
  openvariable: '{{',
  closevariable: '}}',
  openbrace: '{',
  closebrace: '}',
  opencomment: '{#',
  closecomment: '#}',
};
