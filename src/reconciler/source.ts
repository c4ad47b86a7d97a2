// The code a reconciler runs, as the runner hands it over: its code files
// (Starlark or templates) and the Starlark libraries they may load().
//
// Key idea: these are the reconciler layer's input types, so they live here
// and the runner (which finds them on disk or in in/ objects) imports them,
// never the other way round. Trade-off: the file-extension → language table
// sits here too, the one place both discovery paths read it from.

export interface LibrarySource {
  /** Names it can be loaded by: the file name, and for crds/ libraries also the dotted form ("example.com_greetings.star" → "example.com.greetings.star"). */
  names: string[];
  file: string;
  code: string;
  /** The UpstreamRef that supplied it (absent: the project itself). */
  origin?: string;
}

export type CodeKind = 'starlark' | 'jinja2' | 'gotemplate';

export interface CodeFile {
  file: string;
  kind: CodeKind;
  text: string;
  /** Name inside the reconciler: templates find each other by it (`main.tpl`); the flat layout's `<reconciler>.` prefix is stripped. */
  name?: string;
}

/** The language of a code file, by its extension. */
export const codeKindOfExt: Readonly<Record<string, CodeKind>> = { '.star': 'starlark', '.jinja2': 'jinja2', '.tpl': 'gotemplate' };
