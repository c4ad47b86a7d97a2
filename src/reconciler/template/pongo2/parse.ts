// pongo2's parser (flosch/pongo2 v6 parser*.go, variable.go, tags_*.go):
// tokens become a tree of nodes — text, {{ expression }} and tags.
//
// Expressions have pongo2's grammar and precedence, which differ from
// Jinja2's: `and`/`or`/`&&`/`||` (right-associative), then one comparison
// (== != <> < > <= >=, `in`), then + and -, then * / %, then ^; `not` / `!`
// and a sign apply to the first term of a sum only. Filters attach to a
// variable or literal with a colon argument (`x|join:","`, `x|default:y`).
// Tags are parsed by their own functions (tags.ts), each given the tag's
// arguments as a sub-parser, as pongo2 does; templates that a tag names
// (import, include, extends, ssi) are loaded and parsed at parse time through
// the Loader (template.ts: parseTemplate, the entry point).

import { filters, type Filter } from './filters.js';
import { Pongo2Error, type Token } from './lex.js';
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

/** Parses one tag, given the document parser (for bodies) and a sub-parser over the tag's arguments. */
export type TagParser = (doc: Parser, start: Token, args: Parser) => Node;

/** What a Parser needs besides its tokens: the tag table (tags.ts) and how to parse another template (template.ts). */
export interface Syntax {
  tags: Readonly<Record<string, TagParser>>;
  parse(loader: Loader, name: string, depth: number): Template;
}

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
    private readonly syntax: Syntax,
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
    const p = new Parser(tokens, this.tpl, this.loader, this.depth, this.syntax);
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
    const tag = this.syntax.tags[name.val];
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
      return this.syntax.parse(this.loader, name, this.depth + 1);
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
