// Positioned static errors: everything the scanner, parser and resolver reject
// before a program runs. One class for all three phases, because the user sees
// the same thing — file:line:col, a message, and the offending source line with
// a caret under the column. The source line is captured when the error is
// created (where the fact is known), so rendering needs no access to the file.

export class StarlarkSyntaxError extends Error {
  /** All errors found in the file (this one is errors[0]); the resolver reports several at once. */
  errors: StarlarkSyntaxError[];

  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly msg: string,
    /** The text of source line `line`, without its newline ('' if unknown). */
    readonly sourceLine: string = '',
  ) {
    super(`${file}:${line}:${col}: ${msg}`);
    this.name = 'StarlarkSyntaxError';
    this.errors = [this];
  }

  /** `file:line:col: msg` followed by the source line and a caret under the column. */
  format(): string {
    const head = `${this.file}:${this.line}:${this.col}: ${this.msg}`;
    if (!this.sourceLine) return head;
    // Tabs are kept in the padding so the caret lines up in a terminal.
    let pad = '';
    for (let i = 0; i < this.col - 1 && i < this.sourceLine.length; i++) pad += this.sourceLine[i] === '\t' ? '\t' : ' ';
    return `${head}\n${this.sourceLine}\n${pad}^`;
  }
}

/** Returns the text of 1-based line `line` of `src`. */
export function sourceLineOf(src: string, line: number): string {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = src.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  let end = src.indexOf('\n', start);
  if (end < 0) end = src.length;
  let text = src.slice(start, end);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text;
}
