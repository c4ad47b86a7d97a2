// Random Starlark programs in the style of reconcilers, for differential
// testing against starlark-go (see differential.ts).
//
// Key idea: a typed expression generator. Every variable has a known static
// type (int, float, str, list, dict, bool), so almost every expression is
// valid and the program prints many values before (rarely) hitting an error
// path on purpose. A program is `def main():` followed by one statement per
// line (compound statements keep their body on the same line), then `main()`,
// so a mismatch can be minimised by deleting body lines (minimise() in
// differential.ts). The same seed always gives the same programs.
//
// Trade-off: only the dialect of the original's zero-value options (no set,
// while, recursion or top-level control flow) plus load("json.star"); the
// features are the ones reconcilers use (nested dicts/lists, comprehensions,
// `%` and format, string methods, slicing, sorting with keys, big ints,
// floats, json), not the whole language.

type Ty = 'int' | 'float' | 'str' | 'list' | 'dict' | 'bool';

/** mulberry32: a small, fast, seedable PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['a', 'b', 'web', 'db', 'Net', 'x-1', 'ip_10', 'Hello World', 'ßtraße', 'İx', 'ǅz', '日本', 'é', '', ' pad ', 'A_B', 'v1.2', 'k8s', '10', '-3', '1e3', 'TRUE', 'a\tb', 'l1\nl2', 'r\r\nn'];
const KEYS = ['name', 'spec', 'status', 'ip', 'prefix', 'labels', 'id', 'kind', 'ns'];

class Gen {
  private vars: Array<{ name: string; ty: Ty }> = [];
  private n = 0;
  constructor(private readonly r: () => number, private readonly errorRate: number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  private varOf(ty: Ty): string | null {
    const vs = this.vars.filter((v) => v.ty === ty);
    return vs.length === 0 ? null : this.pick(vs).name;
  }
  strLit(): string {
    return JSON.stringify(this.pick(WORDS)).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }

  expr(ty: Ty, depth = 0): string {
    const v = this.varOf(ty);
    if (v !== null && this.chance(depth > 1 ? 0.6 : 0.35)) return v;
    if (depth > 2) return this.leaf(ty);
    const d = depth + 1;
    switch (ty) {
      case 'int':
        return this.pick<() => string>([
          () => this.leaf('int'),
          () => `(${this.expr('int', d)} ${this.pick(['+', '-', '*', '//', '%', '&', '|', '^'])} ${this.nonzero(d)})`,
          () => `(${this.expr('int', d)} ${this.pick(['<<', '>>'])} ${this.int(0, 70)})`,
          () => `len(${this.expr(this.pick(['str', 'list', 'dict']), d)})`,
          () => `${this.expr('str', d)}.${this.pick(['find', 'rfind', 'count'])}(${this.expr('str', d)})`,
          () => `int(${this.pick([`"${this.int(-999, 999)}"`, `${this.expr('float', d)}`, `"0x1F", 16`, `"${this.int(0, 9)}${'0'.repeat(this.int(0, 30))}"`])})`,
          () => `max(${this.expr('int', d)}, ${this.expr('int', d)})`,
          () => `(-${this.expr('int', d)})`,
          () => `hash(${this.expr('str', d)})`,
        ])();
      case 'float':
        return this.pick<() => string>([
          () => this.leaf('float'),
          () => `(${this.expr('int', d)} / ${this.nonzero(d)})`,
          () => `(${this.expr('float', d)} ${this.pick(['+', '-', '*'])} ${this.expr(this.pick(['int', 'float']), d)})`,
          () => `float(${this.pick([`"${this.int(-99, 99)}.${this.int(0, 999)}"`, `"1e${this.int(-30, 30)}"`, `${this.expr('int', d)}`, '"inf"', '"-0"'])})`,
          () => `(${this.expr('float', d)} // ${this.pick(['1.5', '-2.0', '7'])})`,
        ])();
      case 'str':
        return this.pick<() => string>([
          () => this.leaf('str'),
          () => `${this.expr('str', d)}.${this.pick(['upper', 'lower', 'title', 'capitalize', 'strip', 'lstrip', 'rstrip', 'swapcase'])}()`,
          () => `${this.expr('str', d)}.replace(${this.strLit()}, ${this.strLit()})`,
          () => `${this.expr('str', d)}[${this.sliceArgs()}]`,
          () => `("%s-%d/%r" % (${this.expr('str', d)}, ${this.expr('int', d)}, ${this.expr(this.pick(['str', 'list', 'float']), d)}))`,
          () => `("%s" % ${this.expr(this.pick(['dict', 'list', 'float', 'int']), d)})`,
          () => `"${this.pick(['{}:{}', '{0}/{1}/{0}', '{!r}={}', '{a}-{}'])}".format(${this.pick(['', 'a=1, '])}${this.expr('str', d)}, ${this.expr(this.pick(['int', 'float', 'list']), d)})`,
          () => `str(${this.expr(this.pick(['int', 'float', 'list', 'dict', 'bool']), d)})`,
          () => `repr(${this.expr(this.pick(['str', 'float', 'dict']), d)})`,
          () => `${this.strLit()}.join(${this.strList(d)})`,
          () => `(${this.expr('str', d)} + ${this.expr('str', d)})`,
          () => `(${this.expr('str', d)} * ${this.int(-1, 3)})`,
          () => `json.encode(${this.expr(this.pick(['dict', 'list', 'str', 'int', 'float']), d)})`,
          () => `json.indent(json.encode(${this.expr('dict', d)}))`,
          () => `${this.expr('str', d)}.${this.pick(['partition', 'rpartition'])}(${this.strLit()})[${this.int(0, 2)}]`,
          () => `${this.expr('str', d)}[${this.int(-3, 3)}]`,
        ])();
      case 'bool':
        return this.pick<() => string>([
          () => this.leaf('bool'),
          () => `(${this.expr('int', d)} ${this.pick(['<', '<=', '==', '!=', '>'])} ${this.expr('int', d)})`,
          () => `(${this.expr('str', d)} ${this.pick(['<', '>=', '=='])} ${this.expr('str', d)})`,
          () => `(${this.expr('str', d)} in ${this.expr(this.pick(['str', 'dict', 'list']), d)})`,
          () => `(${this.expr(this.pick(['int', 'list']), d)} ${this.pick(['in', 'not in'])} ${this.expr(this.pick(['dict', 'list']), d)})`,
          () => `${this.expr('str', d)}.${this.pick(['startswith', 'endswith'])}(${this.strLit()})`,
          () => `${this.expr('str', d)}.${this.pick(['isdigit', 'isalpha', 'isupper', 'islower', 'isspace', 'istitle', 'isalnum'])}()`,
          () => `${this.pick(['any', 'all'])}(${this.expr('list', d)})`,
          () => `(not ${this.expr(this.pick(['list', 'str', 'int', 'dict']), d)})`,
          () => `(${this.expr('float', d)} ${this.pick(['<', '=='])} ${this.expr('int', d)})`,
        ])();
      case 'list':
        return this.pick<() => string>([
          () => this.leaf('list'),
          () => `[${this.pick(['x', 'x * 2', 'str(x)', '(x, i)'])} for i, x in enumerate(${this.expr('list', d)})${this.chance(0.5) ? ` if ${this.pick(['x', 'i % 2', 'type(x) == "int"'])}` : ''}]`,
          () => `[${this.pick(['k', 'v', '(k, v)', '"%s=%s" % (k, v)'])} for k, v in ${this.expr('dict', d)}.items()]`,
          () => `sorted(${this.strList(d)}${this.pick(['', ', reverse = True', ', key = len', ', key = lambda s: (len(s), s)', ', key = lambda s: s.lower()'])})`,
          () => `sorted(${this.expr('dict', d)}.keys())`,
          () => `(${this.expr('list', d)} + ${this.expr('list', d)})`,
          () => `${this.expr('list', d)}[${this.sliceArgs()}]`,
          () => `${this.expr('str', d)}.${this.pick(['split', 'rsplit'])}(${this.pick(['', this.strLit(), `${this.strLit()}, ${this.int(0, 2)}`])})`,
          () => `${this.expr('str', d)}.splitlines()`,
          () => `list(${this.pick(['range', 'reversed'])}(${this.int(0, 6)}))`,
          () => `list(${this.expr('str', d)}.${this.pick(['elems', 'codepoints', 'elem_ords', 'codepoint_ords'])}())`,
          () => `[list(p) for p in zip(${this.expr('list', d)}, ${this.strList(d)})]`,
          () => `list(range(${this.int(-5, 5)}, ${this.int(-5, 20)}, ${this.pick([1, 2, -1, 3])}))`,
          () => `${this.expr('dict', d)}.values()`,
          () => `json.decode(${JSON.stringify(JSON.stringify([1, 'a', 2.5, null, { x: true }]))})`,
        ])();
      case 'dict':
        return this.pick<() => string>([
          () => this.leaf('dict'),
          () => `{${this.pick(['k', 'str(k)', 'k.upper()'])}: ${this.pick(['v', '[v]', '{"v": v}'])} for k, v in ${this.expr('dict', d)}.items()${this.chance(0.4) ? ' if v' : ''}}`,
          () => `{s: len(s) for s in ${this.strList(d)}}`,
          () => `dict(${this.pick(['a = 1, b = [2]', `[("x", ${this.expr('int', d)})]`, `zip(${this.strList(d)}, ${this.expr('list', d)})`])})`,
          () => `json.decode(json.encode(${this.expr('dict', d)}))`,
          () => `{"${this.pick(KEYS)}": ${this.expr(this.pick(['int', 'str', 'list', 'dict', 'float']), d)}, "${this.pick(KEYS)}": ${this.expr(this.pick(['str', 'bool']), d)}}`,
        ])();
    }
  }

  private nonzero(d: number): string {
    return this.chance(this.errorRate) ? this.expr('int', d) : `${this.pick([1, 2, 3, 7, -2, 1000, '(1 << 65)', '(-(1 << 53) - 1)'])}`;
  }
  private strList(d: number): string {
    return this.chance(0.5) ? `[${Array.from({ length: this.int(0, 4) }, () => this.expr('str', d + 1)).join(', ')}]` : `${this.expr('str', d)}.split(${this.pick(['', '" "', '"-"'])})`;
  }
  private sliceArgs(): string {
    const b = () => (this.chance(0.3) ? '' : String(this.int(-5, 8)));
    return this.pick([`${b()}:${b()}`, `${b()}:${b()}:${this.pick([1, 2, -1, -2])}`, `::-1`]);
  }
  leaf(ty: Ty): string {
    switch (ty) {
      case 'int':
        return this.pick([String(this.int(-20, 100)), String(this.int(0, 1 << 30)), `${this.int(1, 9)}${'0'.repeat(this.int(15, 25))}`, '0x7f', '0o17', String(-this.int(0, 5))]);
      case 'float':
        return this.pick(['1.5', '0.1', '-2.25', '1e100', '3.0', '1e-7', '123456789.125', '0.0', `${this.int(0, 99)}.${this.int(0, 99)}`, 'float("nan")', '2.5e15']);
      case 'str':
        return this.strLit();
      case 'bool':
        return this.pick(['True', 'False']);
      case 'list':
        return `[${Array.from({ length: this.int(0, 4) }, () => this.leaf(this.pick(['int', 'str', 'float', 'bool']))).join(', ')}]`;
      case 'dict':
        return `{${Array.from({ length: this.int(0, 3) }, () => `"${this.pick(KEYS)}": ${this.leaf(this.pick(['int', 'str', 'list', 'bool']))}`).join(', ')}}`;
    }
  }

  statement(): string {
    const ty = this.pick<Ty>(['int', 'float', 'str', 'str', 'list', 'dict', 'dict', 'bool']);
    const roll = this.r();
    if (roll < 0.3 || this.vars.length < 2) {
      const e = this.expr(ty);
      const name = `v${this.n++}`;
      this.vars.push({ name, ty });
      return `${name} = ${e}`;
    }
    if (roll < 0.6) return `print(${this.expr(this.pick<Ty>(['int', 'float', 'str', 'list', 'dict', 'bool']))})`;
    const l = this.varOf('list');
    const dv = this.varOf('dict');
    const s = this.varOf('str');
    const alts: Array<() => string> = [
      () => `for x in ${this.expr('list')}: print(x, type(x))`,
      () => `if ${this.expr('bool')}: print(${this.expr('str')})`,
      () => `print(${this.expr('str')} if ${this.expr('bool')} else ${this.expr('int')})`,
      () => `print("%d items, %s, %5.2f, %x, %o, %e" % (${this.expr('int')}, ${this.expr('str')}, ${this.expr('float')}, ${this.int(0, 9999)}, ${this.int(0, 99)}, ${this.expr('float')}))`,
      () => `print(${this.pick(['"%g" % ', '"%.3f" % ', '"%r" % ', 'str', 'repr', 'int'])}(${this.expr('float')}))`,
    ];
    if (l) alts.push(() => `${l}.append(${this.expr(this.pick<Ty>(['int', 'str']))})`, () => `${l}.extend(${this.expr('list')})`, () => `print(${l}.pop() if ${l} else None)`, () => `print(${l}.index(${this.expr('int')}) if ${this.expr('int')} in ${l} else -1)`);
    if (dv) alts.push(() => `${dv}[${this.strLit()}] = ${this.leaf(this.pick<Ty>(['int', 'list', 'dict']))}`, () => `${dv}.update(${this.expr('dict')})`, () => `print(${dv}.get(${this.strLit()}), ${dv}.get(${this.strLit()}, ${this.expr('int')}), ${dv}.pop(${this.strLit()}, None))`, () => `print(${dv}.setdefault(${this.strLit()}, []), ${dv}.items())`);
    if (s) alts.push(() => `${s} += ${this.expr('str')}`, () => `print(${s}.index(${this.strLit()}) if ${this.strLit()} in ${s} else None)`);
    if (this.chance(this.errorRate)) {
      alts.push(
        () => `print(${this.expr('dict')}[${this.strLit()}])`,
        () => `print(${this.expr('list')}[${this.int(-8, 8)}])`,
        () => `print(int(${this.expr('str')}))`,
        () => `print(float(${this.expr('str')}))`,
        () => `print(${this.expr('str')}.index(${this.strLit()}))`,
        () => `print("%d" % ${this.expr(this.pick<Ty>(['str', 'float', 'list']))})`,
        () => `print(${this.expr('list')} in ${this.expr('dict')})`,
        () => `print({${this.expr('list')}: 1})`,
        () => `print(${this.expr('str')} + ${this.expr('int')})`,
        () => `print(${this.expr('dict')}.get(${this.expr('list')}))`,
        () => `print(sorted(${this.expr('list')}))`,
        () => `print(${this.expr('str')}.format(${this.expr('int')}))`,
        () => `fail(${this.expr('str')})`,
      );
    }
    return this.pick(alts)();
  }
}

/** One random program: `load` of json, `def main():` with `size` body lines, `main()`. */
export function generateProgram(seed: number, size = 12, errorRate = 0.08): { header: string; body: string[]; footer: string } {
  const g = new Gen(rng(seed), errorRate);
  const body = Array.from({ length: size }, () => g.statement());
  return { header: 'load("json.star", "json")\ndef main():', body, footer: 'main()' };
}

/** Joins a generated program's parts into source text. */
export function programText(p: { header: string; body: string[]; footer: string }): string {
  return `${p.header}\n${p.body.map((l) => `    ${l}`).join('\n')}\n${p.footer}\n`;
}
