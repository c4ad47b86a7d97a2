// YAML exactly as `kubectl get -o yaml` writes it. kubectl converts the JSON
// object with sigs.k8s.io/yaml, i.e. go-yaml v2 (a libyaml port) in block
// style with an 80-column best width; users diff and paste that output, so
// byte-for-byte agreement matters more than any YAML library's taste.
//
// Key idea: the input is JSON data (maps, arrays, strings, numbers, booleans,
// null), so the emitter's whole state machine reduces to one recursive
// function over (value, indent, context); what remains of libyaml is its
// per-string decisions, reproduced rule for rule:
//  - resolve: a string that would read back as another type (bool incl.
//    y/n/on/off, null, int in any base, float, timestamp, base-60 float) is
//    double-quoted;
//  - analyze: otherwise plain if its characters allow, else single-quoted,
//    else double-quoted (control characters, trailing space before a line
//    break, ...); strings with a line break are literal blocks (`|-`) when
//    allowed;
//  - fold: plain and quoted values break at the first space after column 80.
// Map keys are written in go-yaml's natural order ("2" before "10", letters
// before punctuation — not JavaScript's property order); a key with a line
// break or over 128 bytes is written as libyaml's complex key (`? key` /
// `: value`).

const bestWidth = 80;
const bestIndent = 2;

/** Go's order of map keys for JSON: byte-wise on UTF-8 (sort.Strings). */
export function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);

/**
 * go-yaml's order of string map keys (sorter.go keyList.Less): a natural
 * order — runs of digits compare by value ("2" before "10"), letters before
 * other characters.
 */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + (ar[ai].codePointAt(0)! - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + (br[bi].codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}

function yamlKeyOrder(a: string, b: string): number {
  return yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0;
}

/** Serialises JSON data as go-yaml v2 block YAML. */
export function goYaml(root: unknown): string {
  const w = new Writer();
  if (isEmptyOrScalar(root)) w.scalarValue(root, -1);
  else node(w, root, -1, 'root');
  // document end: libyaml's write_indent at indent 0 (no blank line after a literal's final break)
  if (!w.indention || w.column > 0) w.newline();
  return w.text();
}

type Context = 'root' | 'mapValue' | 'complexValue' | 'seqItem';

/** Emits `v` whose parent block is at `indent` (-1 for the document root). */
function node(w: Writer, v: unknown, indent: number, ctx: Context): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return w.put(w.whitespace ? '[]' : ' []');
    // A sequence that is a mapping value is "indentless": its dashes align with the key.
    const seqIndent = ctx === 'mapValue' ? indent : indent < 0 ? 0 : indent + bestIndent;
    for (const item of v) {
      w.indentTo(seqIndent);
      w.put(w.whitespace || w.column === 0 ? '-' : ' -');
      w.whitespace = false;
      w.indention = true;
      child(w, item, seqIndent, 'seqItem');
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.keys(v)
      .sort(yamlKeyOrder)
      .map((k) => [k, (v as Record<string, unknown>)[k]] as const);
    if (entries.length === 0) return w.put(w.whitespace ? '{}' : ' {}');
    const mapIndent = indent < 0 ? 0 : indent + bestIndent;
    for (const [k, val] of entries) {
      w.indentTo(mapIndent);
      if (k.includes('\n') || Buffer.byteLength(k) > 128) {
        // libyaml's complex key: `? key` (a block scalar if need be), then `: value` on its own line
        w.put('?');
        w.whitespace = false;
        w.indention = true;
        writeString(w, k, mapIndent + bestIndent, false);
        w.indention = false;
        w.indentTo(mapIndent);
        w.put(':');
        w.whitespace = false;
        w.indention = true;
        child(w, val, mapIndent, 'complexValue');
        continue;
      }
      writeString(w, k, mapIndent, true);
      w.put(':');
      w.whitespace = false;
      w.indention = false;
      child(w, val, mapIndent, 'mapValue');
    }
    return;
  }
  w.scalarValue(v, indent);
}

function child(w: Writer, v: unknown, indent: number, ctx: Context): void {
  if (isEmptyOrScalar(v)) w.scalarValue(v, indent);
  else node(w, v, indent, ctx);
}

function isEmptyOrScalar(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length === 0;
  return true;
}

class Writer {
  private out: string[] = [];
  private line = '';
  column = 0;
  /** The last thing written was whitespace (or the line start): no separating space needed. */
  whitespace = true;
  /** Only indentation (and block indicators like "- ") on this line so far. */
  indention = true;

  put(s: string): void {
    this.line += s;
    for (const _ of s) this.column++;
  }

  newline(): void {
    this.out.push(this.line.replace(/ +$/, '') + '\n');
    this.line = '';
    this.column = 0;
    this.whitespace = true;
    this.indention = true;
  }

  /** libyaml's write_indent: a new line unless we are still in this line's indentation. */
  indentTo(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.newline();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  /** A scalar (or empty collection) after a key or dash; continuation lines go at `indent` + 2. */
  scalarValue(v: unknown, indent: number): void {
    const inner = Math.max(indent, 0) + (indent < 0 ? 0 : bestIndent);
    if (Array.isArray(v)) return this.put(this.whitespace ? '[]' : ' []');
    if (v !== null && typeof v === 'object') return this.put(this.whitespace ? '{}' : ' {}');
    if (typeof v === 'string') return writeString(this, v, inner, false);
    this.plain(formatScalar(v));
  }

  plain(s: string): void {
    if (!this.whitespace) this.put(' ');
    this.put(s);
    this.whitespace = false;
    this.indention = false;
  }

  text(): string {
    return this.out.join('') + this.line;
  }
}

function formatScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

/**
 * Go: JSON integers decode to int and print in decimal; other numbers are
 * float64, printed by strconv.FormatFloat(f, 'g', -1, 64) — exponent form
 * below 1e-4 and from 1e6 up (shortest %g uses precision 6 for that choice).
 */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  if (Number.isSafeInteger(n)) return String(n);
  const [mant, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

// ---- strings: style selection (go-yaml encode.go stringv + libyaml select_scalar_style)

function writeString(w: Writer, s: string, indent: number, simpleKey: boolean): void {
  const a = analyze(s);
  let style: 'plain' | 'single' | 'double' | 'literal' = s.includes('\n') ? 'literal' : resolvesAsString(s) ? 'plain' : 'double';
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlainAllowed || (s === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  const allowBreaks = !simpleKey;
  switch (style) {
    case 'plain':
      return writePlain(w, s, indent, allowBreaks);
    case 'single':
      return writeSingle(w, s, indent, allowBreaks);
    case 'double':
      return writeDouble(w, s, indent, allowBreaks);
    case 'literal':
      return writeLiteral(w, s, indent);
  }
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** libyaml is_printable, by code point. */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

/** libyaml yaml_emitter_analyze_scalar (block context only). */
function analyze(s: string): Analysis {
  if (s === '') return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const cs = [...s];
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  cs.forEach((c, i) => {
    const next = cs[i + 1];
    const followedByWhitespace = next === undefined || isBlank(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      else if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) blockIndicators = true;
    else if (c === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(c)) special = true;
    const last = i === cs.length - 1;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c);
  });
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlainAllowed = singleQuotedAllowed = false;
  if (spaceBreak || special) blockPlainAllowed = singleQuotedAllowed = blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

// ---- strings: resolve (go-yaml v2 resolve.go) — would the plain text read back as a string?

const nonStringWords = new Set(
  'y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF'.split(' '),
);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goInt = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

export function resolvesAsString(s: string): boolean {
  if (s === '' || nonStringWords.has(s)) return false;
  if (base60Float.test(s)) return false;
  const c = s[0];
  if (c === '.') return !goParseFloat(s);
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9'))) return true;
  if (isTimestamp(s)) return false;
  const plain = s.replace(/_/g, '');
  if (goInt.test(plain)) return false;
  if (yamlStyleFloat.test(plain) && Number.isFinite(Number(plain))) return false;
  if (/^-0[bB][01]+$/.test(plain)) return false;
  return true;
}

/** strconv.ParseFloat succeeds (for text starting with '.'): a decimal fraction with optional exponent. */
function goParseFloat(s: string): boolean {
  return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) && Number.isFinite(Number(s));
}

/** go-yaml v2 parseTimestamp: YYYY-M-D, optionally with a time (T/t + zone, or space without zone). */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const [h, mi, sec] = [m[4] ?? m[7], m[5] ?? m[8], m[6] ?? m[9]].map((x) => (x === undefined ? 0 : Number(x)));
  return h < 24 && mi < 60 && sec < 60;
}

// ---- strings: writers (libyaml write_plain/single/double/literal)

function writePlain(w: Writer, s: string, indent: number, allowBreaks: boolean): void {
  if (s !== '' && !w.whitespace) w.put(' ');
  const cs = [...s];
  let spaces = false;
  cs.forEach((c, i) => {
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > bestWidth && cs[i + 1] !== ' ') {
        w.indention = false;
        w.indentTo(indent);
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  });
  if (s !== '') w.whitespace = false;
  w.indention = false;
}

function writeSingle(w: Writer, s: string, indent: number, allowBreaks: boolean): void {
  w.put(w.whitespace ? "'" : " '");
  w.whitespace = false;
  const cs = [...s];
  let spaces = false;
  cs.forEach((c, i) => {
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > bestWidth && i > 0 && i < cs.length - 1 && cs[i + 1] !== ' ') {
        w.indention = false;
        w.indentTo(indent);
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c === "'" ? "''" : c);
      spaces = false;
    }
  });
  w.put("'");
  w.whitespace = false;
  w.indention = false;
}

const escapes: Record<number, string> = { 0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e', 0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P' };

function writeDouble(w: Writer, s: string, indent: number, allowBreaks: boolean): void {
  w.put(w.whitespace ? '"' : ' "');
  w.whitespace = false;
  const cs = [...s];
  let spaces = false;
  cs.forEach((c, i) => {
    const cp = c.codePointAt(0)!;
    if (!isPrintable(c) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const e = escapes[cp];
      if (e !== undefined) w.put(`\\${e}`);
      else if (cp <= 0xff) w.put(`\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`);
      else if (cp <= 0xffff) w.put(`\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`);
      else w.put(`\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`);
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && w.column > bestWidth && i > 0 && i < cs.length - 1) {
        w.indention = false;
        w.indentTo(indent);
        if (cs[i + 1] === ' ') w.put('\\');
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  });
  w.put('"');
  w.whitespace = false;
  w.indention = false;
}

function writeLiteral(w: Writer, s: string, indent: number): void {
  w.put(w.whitespace ? '|' : ' |');
  const cs = [...s];
  if (cs[0] === ' ' || isBreak(cs[0])) w.put(String(bestIndent));
  const last = cs[cs.length - 1];
  if (!isBreak(last)) w.put('-');
  else if (cs.length === 1 || isBreak(cs[cs.length - 2])) w.put('+');
  w.newline(); // go-yaml v2 ends the header line first, so a leading break shows as an empty line
  let breaks = true;
  for (const c of cs) {
    if (isBreak(c)) {
      w.newline();
      breaks = true;
    } else {
      if (breaks) w.indentTo(indent);
      w.put(c);
      w.indention = false;
      breaks = false;
    }
  }
  // After a final line break we are at the start of a fresh line: the next key needs no newline.
  if (!breaks) w.whitespace = false;
}
