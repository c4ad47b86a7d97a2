// pongo2 templates: the entry point of the parser. parseTemplate lexes a
// template the Loader finds and parses it with pongo2's tags.
//
// Key idea: this file ties the Parser (parse.ts) to the tag table (tags.ts),
// and is how a tag loads another template (import, include, extends, ssi),
// so neither of those imports the other. Trade-off: nesting is bounded by
// depth, which also catches include/import/extends cycles.

import { lex, Pongo2Error } from './lex.js';
import { Parser, type Loader, type Syntax, type Template } from './parse.js';
import { tags } from './tags.js';

const syntax: Syntax = { tags, parse: parseTemplate };

const maxNesting = 50;

/** Parses template `name` (throws Pongo2Error); `depth` guards include/import/extends cycles. */
export function parseTemplate(loader: Loader, name: string, depth = 0): Template {
  const src = loader.get(name);
  if (!src) throw new Pongo2Error(name, 0, 0, `template '${name}' not found`);
  if (depth > maxNesting) throw new Pongo2Error(src.file, 0, 0, `templates nest more than ${maxNesting} deep through include/import/extends (a cycle?)`);
  const tpl: Template = { name, file: src.file, nodes: [], blocks: new Map(), exported: new Map() };
  const p = new Parser(lex(src.file, src.text), tpl, loader, depth, syntax);
  while (p.remaining() > 0) tpl.nodes.push(p.docElement());
  return tpl;
}
