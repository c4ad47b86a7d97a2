// pongo2's tags (flosch/pongo2 v6 tags_*.go): one parse function per tag
// name, each given the document parser (to read its body up to the end tag)
// and a sub-parser over the tag's own arguments; each returns one node that
// exec.ts runs.
//
// Key idea: the table is data the Parser is given (parse.ts), so a tag can
// use the parser and the parser never imports the tags. Trade-off: the
// Parser carries the table to every sub-parser it makes.

import { filters, type Filter } from './filters.js';
import type { Token } from './lex.js';
import type { Expr, Macro, Node, Parser, TagParser } from './parse.js';

const noArgs = (p: Parser, what = 'Arguments not allowed here.') => {
  if (p.count() > 0) throw p.error(what);
};

export const tags: Record<string, TagParser> = {
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
