// Jinja2 templates through Nunjucks, adapted to the dialect the original
// choreo accepts (it renders with pongo2).
//
// Nunjucks implements Jinja2's syntax and whitespace control faithfully and
// is maintained; the two pongo2 forms the choreo examples use are rewritten
// before Nunjucks sees them, on the same line so error lines stay true:
//
//   {% import 'interface.jinja2' interface %}   → {% from 'interface.jinja2' import interface %}
//   {% macro interface(spec) export %}           → {% macro interface(spec) %}
//
// Autoescaping is off (the output is YAML, not HTML) and a missing value
// renders as the empty string, as in pongo2. Templates are looked up by the
// name they have in the reconciler (`main.jinja2`, `interface.jinja2`), never
// on disk.

import nunjucks from 'nunjucks';

export interface TemplateSource {
  /** Name inside the reconciler (`main.jinja2`). */
  name: string;
  /** Where it came from, for error messages. */
  file: string;
  text: string;
}

export class Jinja2Error extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'Jinja2Error';
  }
}

/** Rewrites pongo2's import and macro-export forms to Jinja2's. */
export function adaptPongo2(src: string): string {
  return src
    .replace(/\{%(-?)(\s*)import(\s+)(["'][^"']*["'])(\s+)(?!as\s)([^%]*?)(\s*)(-?)%\}/g, (_m, l: string, s1: string, s2: string, file: string, s3: string, names: string, s4: string, r: string) => `{%${l}${s1}from${s2}${file}${s3}import ${names}${s4}${r}%}`)
    .replace(/(\{%-?\s*macro\s+[A-Za-z_][A-Za-z0-9_]*\s*\([^)]*\))\s+export(\s*-?%\})/g, '$1$2');
}

class MapLoader implements nunjucks.ILoader {
  constructor(private readonly templates: Map<string, TemplateSource>) {}
  getSource(name: string): nunjucks.LoaderSource {
    const t = this.templates.get(name);
    if (!t) throw new Error(`template ${JSON.stringify(name)} not found (this reconciler has ${[...this.templates.keys()].join(', ')})`);
    return { src: adaptPongo2(t.text), path: name, noCache: false };
  }
}

export class Jinja2Set {
  private readonly env: nunjucks.Environment;
  private readonly byName: Map<string, TemplateSource>;

  constructor(templates: TemplateSource[]) {
    this.byName = new Map(templates.map((t) => [t.name, t]));
    this.env = new nunjucks.Environment(new MapLoader(this.byName), { autoescape: false, throwOnUndefined: false });
  }

  /** Compiles every template now, so syntax errors are load errors. */
  check(): void {
    for (const t of this.byName.values()) {
      try {
        new nunjucks.Template(adaptPongo2(t.text), this.env, t.name, true);
      } catch (err) {
        throw this.positioned(err, t.name);
      }
    }
  }

  render(entry: string, context: object): string {
    try {
      return this.env.render(entry, context);
    } catch (err) {
      throw this.positioned(err, entry, 1);
    }
  }

  /** Nunjucks says "(name) [Line 3, Column 5]\n  message"; we say file:line: message. */
  private positioned(err: unknown, fallback: string, lineOffset = 0): Jinja2Error {
    const text = err instanceof Error ? err.message : String(err);
    const all = [...text.matchAll(/\((\S+?)\)(?:\s*\[Line (\d+), Column \d+\])?/g)];
    // The innermost template named is the one at fault (imports nest).
    const named = all.filter((m) => this.byName.has(m[1]!));
    const last = named.at(-1);
    const name = last?.[1] ?? fallback;
    // Nunjucks numbers render-time lines from 0 and parse-time lines from 1.
    const line = last?.[2] !== undefined ? Number(last[2]) + lineOffset : 0;
    const msg = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^\(\S+?\)(\s*\[Line \d+, Column \d+\])?$/.test(l) && l !== 'Template render error:')
      .join(' ')
      .replace(/^Template render error: /, '')
      .replace(/\(\S+?\)\s*\[Line \d+, Column \d+\]\s*/g, '')
      .replace(/\(unknown path\)\s*/g, '');
    return new Jinja2Error(this.byName.get(name)?.file ?? name, line, msg);
  }
}
