// Jinja2 template reconcilers, rendered as the original choreo renders them:
// with pongo2 v6 (pkg/controller/reconciler/jinjatemplate/parser), whose
// dialect is Django's rather than Jinja2's — filter arguments after a colon
// (`x|default:"n/a"`), `forloop.Counter`, `{% import "f" m %}`,
// `{% macro m(x) export %}`, autoescaped output — with pongo2's filter set.
// The engine is our own port (./pongo2/), chosen over adapting a Jinja2
// engine because pongo2's semantics (value printing, truth, autoescaping,
// operator precedence, filters) differ in ways rendered YAML exposes.
//
// Templates find each other by the name they have in the reconciler
// (`main.jinja2`, `interface.jinja2`), never on disk. As in the original only
// the entry template and what it imports, includes or extends are parsed.

import { execute } from './pongo2/exec.js';
import { Pongo2Error } from './pongo2/lex.js';
import type { Loader, Template } from './pongo2/parse.js';
import { parseTemplate } from './pongo2/template.js';

export interface TemplateSource {
  /** Name inside the reconciler (`main.jinja2`). */
  name: string;
  /** Where it came from, for error messages. */
  file: string;
  text: string;
}

/** A template error at file:line:col (pongo2's error, under the name the template reconciler knows). */
export class Jinja2Error extends Pongo2Error {
  override name = 'Jinja2Error';
}

function positioned(err: unknown): unknown {
  if (err instanceof Pongo2Error) return new Jinja2Error(err.file, err.line, err.col, err.detail);
  if (err instanceof RangeError) return new Error(`template rendering failed: ${err.message}`);
  return err;
}

export class Jinja2Set {
  private readonly loader: Loader;
  private readonly parsed = new Map<string, Template>();

  constructor(templates: TemplateSource[]) {
    const byName = new Map(templates.map((t) => [t.name, t]));
    this.loader = { get: (name) => byName.get(name) };
  }

  /** Parses `entry` (and what it loads) now, so syntax errors are load errors; throws Jinja2Error. */
  check(entry: string): void {
    this.template(entry);
  }

  render(entry: string, context: Record<string, unknown>): string {
    const tpl = this.template(entry);
    try {
      return execute(tpl, context, this.loader);
    } catch (err) {
      throw positioned(err);
    }
  }

  private template(name: string): Template {
    let t = this.parsed.get(name);
    if (!t) {
      try {
        t = parseTemplate(this.loader, name);
      } catch (err) {
        throw positioned(err);
      }
      this.parsed.set(name, t);
    }
    return t;
  }
}
