// The parser: tokens → AST (see ast.ts).
//
// Key idea: hand-written recursive descent over the scanner's token array, with
// precedence climbing for binary operators, following the grammar of the
// Starlark spec. Comparisons are non-associative (`a < b < c` is rejected, as in
// the spec and starlark-go), `x if c else y` binds looser than `or`, `not`
// binds looser than comparisons, unary `- + ~` tighter than `*`.
//
// Errors use starlark-go's wording ("got newline, want ':'") and carry the
// offending token's position; the first error aborts the parse.
//
// Nesting is limited (MAX_NESTING): every later stage — resolver, both
// compilers, V8 compiling the generated code, evaluation — recurses over the
// tree, and a JS stack overflow there would be an error at 1:1 or a crash.
// The parser counts the depth of the tree it builds (brackets, operators,
// chains of `a + b + ...` and `f()()...`, blocks) and stops at the token that
// goes too deep. starlark-go has no limit (Go stacks grow); Python's parser
// stops at 200 nested brackets.

import { StarlarkSyntaxError, sourceLineOf } from './errors.js';
import * as A from './ast.js';
import { T, Token, TokenKind, quotedTokenName, tokenName } from './tokens.js';
import { scan } from './scanner.js';
import { fromBytes } from '../values/utf8.js';
import { COMPARE_PREC, NOT_PREC, augOps, binPrec } from './operators.js';

/** Deepest tree the parser builds; measured: 1,000 nested brackets already overflow evaluation. */
export const MAX_NESTING = 400;

/** Parses a whole file. Throws StarlarkSyntaxError. */
export function parseFile(filename: string, src: string): A.File {
  const p = new Parser(filename, src, scan(filename, src));
  const stmts: A.Stmt[] = [];
  while (p.kind() !== T.EOF) {
    if (p.kind() === T.NEWLINE) { p.next(); continue; }
    p.stmt(stmts);
  }
  return {
    filename, src, stmts,
    toplevel: newFunction('<toplevel>', { line: 1, col: 1 }, [], stmts),
    globals: [], numFileGlobals: 0, loadBound: new Set(),
  };
}

/** Parses a single expression (for REPL-style evaluation). */
export function parseExpr(filename: string, src: string): A.Expr {
  const p = new Parser(filename, src, scan(filename, src));
  const x = p.expr(false);
  while (p.kind() === T.NEWLINE) p.next();
  if (p.kind() !== T.EOF) p.fail(`got ${p.desc(p.tok)} after expression, want end of input`);
  return x;
}

export function newFunction(name: string, pos: A.Pos, params: A.Param[], body: A.Stmt[]): A.FunctionNode {
  return {
    name, line: pos.line, col: pos.col, params, body,
    numLocals: 0, cells: [], freevars: [], hasVarargs: false, hasKwargs: false, numPositional: 0, numKwonly: 0,
  };
}

function ident(tok: Token): A.Ident {
  return { kind: 'Ident', name: tok.value as string, scope: A.Scope.Undefined, index: -1, line: tok.line, col: tok.col };
}

class Parser {
  private k = 0;
  /** Depth of the tree being built (see MAX_NESTING). */
  private depth = 0;
  tok: Token;

  constructor(readonly file: string, readonly src: string, readonly toks: Token[]) {
    this.tok = toks[0];
  }

  /** The current token's kind (a method, so TypeScript does not narrow it across next()). */
  kind(): number {
    return this.tok.kind;
  }

  next(): Token {
    const t = this.tok;
    if (this.k < this.toks.length - 1) this.tok = this.toks[++this.k];
    return t;
  }

  peek(): Token {
    return this.toks[Math.min(this.k + 1, this.toks.length - 1)];
  }

  /** A token as starlark-go prints it in "got X, want Y": punctuation and keywords quoted. */
  desc(t: Token | number): string {
    return quotedTokenName(typeof t === 'number' ? t : t.kind);
  }

  fail(msg: string, at: A.Pos = this.tok): never {
    throw new StarlarkSyntaxError(this.file, at.line, at.col, msg, sourceLineOf(this.src, at.line));
  }

  /** One level deeper; fails at the current token past MAX_NESTING. Callers restore `depth` when done. */
  private deeper(): void {
    if (++this.depth > MAX_NESTING) this.fail(`code nested too deeply (more than ${MAX_NESTING} levels of brackets, operators or blocks)`);
  }

  expect(kind: TokenKind): Token {
    if (this.kind() !== kind) this.fail(`got ${this.desc(this.tok)}, want ${this.desc(kind)}`);
    return this.next();
  }

  // ---- statements ----

  stmt(out: A.Stmt[]): void {
    const t = this.tok;
    switch (t.kind) {
      case T.DEF: {
        this.next();
        const name = ident(this.expect(T.IDENT));
        this.expect(T.LPAREN);
        const params = this.params(T.RPAREN);
        this.expect(T.RPAREN);
        this.expect(T.COLON);
        const body = this.suite();
        out.push({ kind: 'Def', ident: name, fn: newFunction(name.name, t, params, body), line: t.line, col: t.col });
        return;
      }
      case T.IF: {
        out.push(this.ifStmt());
        return;
      }
      case T.FOR: {
        this.next();
        const vars = this.loopVars();
        this.expect(T.IN);
        const x = this.expr(false);
        this.expect(T.COLON);
        const body = this.suite();
        out.push({ kind: 'For', vars, x, body, line: t.line, col: t.col });
        return;
      }
      case T.WHILE: {
        this.next();
        const cond = this.test();
        this.expect(T.COLON);
        const body = this.suite();
        out.push({ kind: 'While', cond, body, line: t.line, col: t.col });
        return;
      }
    }
    this.simpleLine(out);
  }

  private ifStmt(): A.IfStmt {
    const t = this.next(); // if or elif
    const cond = this.test();
    this.expect(T.COLON);
    const then = this.suite();
    let els: A.Stmt[] = [];
    if (this.kind() === T.ELIF) {
      // An elif is an if nested in the else branch.
      const d = this.depth;
      this.deeper();
      els = [this.ifStmt()];
      this.depth = d;
    } else if (this.kind() === T.ELSE) {
      this.next();
      this.expect(T.COLON);
      els = this.suite();
    }
    return { kind: 'If', cond, then, els, line: t.line, col: t.col };
  }

  /** A suite: an indented block, or simple statements on the same line. */
  private suite(): A.Stmt[] {
    const body: A.Stmt[] = [];
    const d = this.depth;
    this.deeper();
    if (this.kind() === T.NEWLINE) {
      this.next();
      this.expect(T.INDENT);
      while (this.kind() !== T.OUTDENT && this.kind() !== T.EOF) this.stmt(body);
      this.expect(T.OUTDENT);
    } else {
      this.simpleLine(body);
    }
    this.depth = d;
    return body;
  }

  /** simple_stmt {';' simple_stmt} [';'] NEWLINE */
  private simpleLine(out: A.Stmt[]): void {
    while (true) {
      out.push(this.smallStmt());
      if (this.kind() !== T.SEMI) break;
      this.next();
      if (this.kind() === T.NEWLINE || this.kind() === T.EOF) break;
    }
    if (this.kind() === T.EOF) return;
    this.expect(T.NEWLINE);
  }

  private smallStmt(): A.Stmt {
    const t = this.tok;
    switch (t.kind) {
      case T.RETURN: {
        this.next();
        let result: A.Expr | null = null;
        if (this.kind() !== T.NEWLINE && this.kind() !== T.SEMI && this.kind() !== T.EOF) result = this.expr(false);
        return { kind: 'Return', result, line: t.line, col: t.col };
      }
      case T.BREAK: case T.CONTINUE: case T.PASS:
        this.next();
        return { kind: 'Branch', token: t.kind === T.BREAK ? 'break' : t.kind === T.CONTINUE ? 'continue' : 'pass', line: t.line, col: t.col };
      case T.LOAD:
        return this.loadStmt();
      case T.DEF: case T.IF: case T.FOR: case T.WHILE:
        this.fail(`got ${this.desc(t)}, want simple statement`);
    }
    const x = this.expr(false);
    const op = this.tok;
    if (op.kind === T.EQ) {
      this.next();
      const rhs = this.expr(false);
      return { kind: 'Assign', op: '=', opToken: T.EQ, lhs: x, rhs, line: op.line, col: op.col };
    }
    const aug = augOps[op.kind];
    if (aug !== undefined) {
      this.next();
      const rhs = this.expr(false);
      return { kind: 'Assign', op: aug, opToken: op.kind, lhs: x, rhs, line: op.line, col: op.col };
    }
    return { kind: 'ExprStmt', x, line: t.line, col: t.col };
  }

  private loadStmt(): A.LoadStmt {
    const t = this.next();
    this.expect(T.LPAREN);
    if (this.kind() !== T.STRING) this.fail(`first operand of load statement must be a string literal`);
    const module = this.next().value as string;
    const from: A.LoadStmt['from'] = [];
    const to: A.Ident[] = [];
    while (this.kind() !== T.RPAREN) {
      this.expect(T.COMMA);
      if (this.kind() === T.RPAREN) break;
      if (this.kind() === T.IDENT) {
        const alias = ident(this.next());
        this.expect(T.EQ);
        if (this.kind() !== T.STRING) this.fail(`load operand must be "name" or localname="name" (got ${this.desc(this.tok)})`);
        const n = this.next();
        from.push({ name: n.value as string, line: n.line, col: n.col + 1 }); // inside the quote, as starlark-go
        to.push(alias);
      } else if (this.kind() === T.STRING) {
        const n = this.next();
        from.push({ name: n.value as string, line: n.line, col: n.col + 1 });
        to.push({ kind: 'Ident', name: n.value as string, scope: A.Scope.Undefined, index: -1, line: n.line, col: n.col + 1 });
      } else {
        this.fail(`load operand must be "name" or localname="name" (got ${this.desc(this.tok)})`);
      }
    }
    const rp = this.expect(T.RPAREN);
    if (from.length === 0) this.fail('load statement must import at least 1 symbol', rp);
    return { kind: 'Load', module, from, to, line: t.line, col: t.col };
  }

  /** Parameters of def (up to `end`) or lambda (up to ':'). */
  private params(end: TokenKind): A.Param[] {
    const params: A.Param[] = [];
    while (this.kind() !== end) {
      if (params.length > 0) {
        this.expect(T.COMMA);
        if (this.kind() === end) break;
      }
      const t = this.tok;
      if (t.kind === T.STAR) {
        this.next();
        const id = this.kind() === T.IDENT ? ident(this.next()) : null;
        params.push({ type: 'star', ident: id, dflt: null, line: t.line, col: t.col });
      } else if (t.kind === T.STARSTAR) {
        this.next();
        params.push({ type: 'starstar', ident: ident(this.expect(T.IDENT)), dflt: null, line: t.line, col: t.col });
      } else {
        const id = ident(this.expect(T.IDENT));
        if (this.kind() === T.EQ) {
          this.next();
          params.push({ type: 'default', ident: id, dflt: this.test(), line: t.line, col: t.col });
        } else {
          params.push({ type: 'plain', ident: id, dflt: null, line: t.line, col: t.col });
        }
      }
    }
    return params;
  }

  // ---- expressions ----

  /** Expression = Test {',' Test}; a bare comma list is a tuple. In parens a trailing comma is allowed. */
  expr(inParens: boolean): A.Expr {
    const x = this.test();
    if (this.kind() !== T.COMMA) return x;
    const elems = [x];
    while (this.kind() === T.COMMA) {
      this.next();
      if (this.terminatesList()) break;
      elems.push(this.test());
    }
    void inParens;
    return { kind: 'Tuple', elems, parens: false, line: x.line, col: x.col };
  }

  /** Tokens after which a trailing comma ends a tuple. */
  private terminatesList(): boolean {
    switch (this.kind()) {
      case T.RPAREN: case T.RBRACK: case T.RBRACE: case T.NEWLINE: case T.EOF: case T.SEMI:
      case T.EQ: case T.COLON: case T.IN:
        return true;
    }
    return augOps[this.kind()] !== undefined;
  }

  /** Test = lambda | x if c else y | binary */
  test(): A.Expr {
    const d = this.depth;
    this.deeper();
    const x = this.testAt();
    this.depth = d;
    return x;
  }

  private testAt(): A.Expr {
    if (this.kind() === T.LAMBDA) return this.lambda();
    const x = this.binary(1);
    if (this.kind() !== T.IF) return x;
    const t = this.next();
    const cond = this.binary(1);
    if (this.kind() !== T.ELSE) this.fail(`conditional expression without else clause`);
    this.next();
    const f = this.test();
    return { kind: 'Cond', cond, t: x, f, line: t.line, col: t.col };
  }

  /** A comprehension's `if` condition: a lambda (whose body has no conditional) or a binary expression, as starlark-go. */
  private testNoCond(): A.Expr {
    return this.kind() === T.LAMBDA ? this.lambda(false) : this.binary(1);
  }

  private lambda(allowCond = true): A.LambdaExpr {
    const t = this.next();
    const params = this.params(T.COLON);
    this.expect(T.COLON);
    const body = allowCond ? this.test() : this.testNoCond();
    const ret: A.ReturnStmt = { kind: 'Return', result: body, line: body.line, col: body.col };
    return { kind: 'Lambda', fn: newFunction('lambda', t, params, [ret]), line: t.line, col: t.col };
  }

  /** Precedence climbing; `not` sits between `and` and the comparisons. */
  private binary(minPrec: number): A.Expr {
    const d = this.depth;
    const x = this.binaryAt(minPrec);
    this.depth = d;
    return x;
  }

  private binaryAt(minPrec: number): A.Expr {
    let x: A.Expr;
    if (this.kind() === T.NOT && minPrec <= NOT_PREC) {
      const t = this.next();
      this.deeper();
      const operand = this.binary(NOT_PREC);
      x = { kind: 'Unary', op: 'not', x: operand, line: t.line, col: t.col };
    } else {
      x = this.unary();
    }
    let lastCompare: Token | null = null;
    while (true) {
      const opTok = this.tok;
      const prec = binPrec[opTok.kind];
      if (prec === undefined || prec < minPrec) return x;
      if (prec === COMPARE_PREC) {
        if (lastCompare) this.fail(`${tokenName(lastCompare.kind)} does not associate with ${tokenName(opTok.kind)} (use parens)`);
        lastCompare = opTok;
      }
      this.next();
      this.deeper(); // a chain a + b + c nests to the left
      const y = this.binary(prec + 1);
      x = { kind: 'Binary', op: tokenName(opTok.kind), x, y, line: opTok.line, col: opTok.col };
    }
  }

  private unary(): A.Expr {
    const t = this.tok;
    if (t.kind === T.MINUS || t.kind === T.PLUS || t.kind === T.TILDE) {
      this.next();
      const d = this.depth;
      this.deeper();
      const x = this.unary();
      this.depth = d;
      return { kind: 'Unary', op: tokenName(t.kind) as '-' | '+' | '~', x, line: t.line, col: t.col };
    }
    return this.primary();
  }

  /** operand followed by any number of .name, (args), [index] suffixes */
  private primary(): A.Expr {
    const d = this.depth;
    let x = this.operand();
    while (true) {
      const t = this.tok;
      if (t.kind === T.DOT || t.kind === T.LPAREN || t.kind === T.LBRACK) this.deeper(); // f()()... nests to the left
      else this.depth = d;
      if (t.kind === T.DOT) {
        this.next();
        const n = this.expect(T.IDENT);
        x = { kind: 'Dot', x, name: n.value as string, nameLine: n.line, nameCol: n.col, line: t.line, col: t.col };
      } else if (t.kind === T.LPAREN) {
        this.next();
        const args = this.callArgs();
        this.expect(T.RPAREN);
        x = { kind: 'Call', fn: x, args, line: t.line, col: t.col };
      } else if (t.kind === T.LBRACK) {
        this.next();
        x = this.indexOrSlice(x, t);
      } else {
        return x;
      }
    }
  }

  private indexOrSlice(x: A.Expr, t: Token): A.Expr {
    let lo: A.Expr | null = null;
    if (this.kind() !== T.COLON) {
      lo = this.expr(true);
      if (this.kind() === T.RBRACK) {
        this.next();
        return { kind: 'Index', x, index: lo, line: t.line, col: t.col };
      }
    }
    this.expect(T.COLON);
    let hi: A.Expr | null = null;
    let step: A.Expr | null = null;
    if (this.kind() !== T.COLON && this.kind() !== T.RBRACK) hi = this.test();
    if (this.kind() === T.COLON) {
      this.next();
      if (this.kind() !== T.RBRACK) step = this.test();
    }
    this.expect(T.RBRACK);
    return { kind: 'Slice', x, lo, hi, step, line: t.line, col: t.col };
  }

  /** Call arguments, with the ordering rules of starlark-go's resolver. */
  private callArgs(): A.Arg[] {
    const args: A.Arg[] = [];
    let seenNamed = false, seenStar = false, seenStarStar = false;
    while (this.kind() !== T.RPAREN) {
      if (args.length > 0) {
        this.expect(T.COMMA);
        if (this.kind() === T.RPAREN) break;
      }
      const t = this.tok;
      if (t.kind === T.STAR) {
        this.next();
        if (seenStarStar) this.fail('*args may not follow **kwargs', t);
        if (seenStar) this.fail('multiple *args not allowed', t);
        seenStar = true;
        args.push({ type: 'star', name: null, value: this.test(), line: t.line, col: t.col });
      } else if (t.kind === T.STARSTAR) {
        this.next();
        if (seenStarStar) this.fail('multiple **kwargs not allowed', t);
        seenStarStar = true;
        args.push({ type: 'starstar', name: null, value: this.test(), line: t.line, col: t.col });
      } else if (t.kind === T.IDENT && this.peek().kind === T.EQ) {
        this.next();
        this.next();
        if (seenStarStar) this.fail('keyword argument may not follow **kwargs', t);
        if (seenStar) this.fail('keyword argument may not follow *args', t);
        if (args.some((a) => a.type === 'named' && a.name === t.value)) this.fail(`keyword argument ${fromBytes(t.value as string)} repeated`, t);
        seenNamed = true;
        args.push({ type: 'named', name: t.value as string, value: this.test(), line: t.line, col: t.col });
      } else {
        if (seenStarStar) this.fail('positional argument may not follow **kwargs', t);
        if (seenStar) this.fail('positional argument may not follow *args', t);
        if (seenNamed) this.fail('positional argument may not follow named', t);
        const v = this.test();
        if (this.kind() === T.FOR) this.fail('generator expressions are not supported (use a list comprehension)');
        args.push({ type: 'pos', name: null, value: v, line: t.line, col: t.col });
      }
    }
    return args;
  }

  private operand(): A.Expr {
    const t = this.tok;
    switch (t.kind) {
      case T.IDENT:
        this.next();
        return ident(t);
      case T.INT:
        this.next();
        return { kind: 'Literal', token: 'int', value: t.value as number | bigint, line: t.line, col: t.col };
      case T.FLOAT:
        this.next();
        return { kind: 'Literal', token: 'float', value: t.value as number, raw: t.raw, line: t.line, col: t.col };
      case T.STRING:
        this.next();
        if (this.kind() === T.STRING) this.fail('implicit concatenation of string literals is not allowed (use +)');
        return { kind: 'Literal', token: 'string', value: t.value as string, line: t.line, col: t.col };
      case T.BYTES:
        this.next();
        return { kind: 'Literal', token: 'bytes', value: t.value as Uint8Array, line: t.line, col: t.col };
      case T.LPAREN: {
        this.next();
        if (this.kind() === T.RPAREN) {
          this.next();
          return { kind: 'Tuple', elems: [], parens: true, line: t.line, col: t.col };
        }
        const x = this.expr(true);
        if (this.kind() === T.FOR) this.fail('generator expressions are not supported (use a list comprehension)');
        this.expect(T.RPAREN);
        if (x.kind === 'Tuple' && !x.parens) return { ...x, parens: true, line: t.line, col: t.col };
        return { kind: 'Paren', x, line: t.line, col: t.col };
      }
      case T.LBRACK: {
        this.next();
        if (this.kind() === T.RBRACK) {
          this.next();
          return { kind: 'List', elems: [], line: t.line, col: t.col };
        }
        const first = this.test();
        if (this.kind() === T.FOR) return this.comprehension(t, false, first, T.RBRACK);
        const elems = [first];
        while (this.kind() === T.COMMA) {
          this.next();
          if (this.kind() === T.RBRACK) break;
          elems.push(this.test());
        }
        this.expect(T.RBRACK);
        return { kind: 'List', elems, line: t.line, col: t.col };
      }
      case T.LBRACE: {
        this.next();
        const entries: A.DictEntry[] = [];
        if (this.kind() === T.RBRACE) {
          this.next();
          return { kind: 'Dict', entries, line: t.line, col: t.col };
        }
        const first = this.dictEntry();
        if (this.kind() === T.FOR) return this.comprehension(t, true, first, T.RBRACE);
        entries.push(first);
        while (this.kind() === T.COMMA) {
          this.next();
          if (this.kind() === T.RBRACE) break;
          entries.push(this.dictEntry());
        }
        this.expect(T.RBRACE);
        return { kind: 'Dict', entries, line: t.line, col: t.col };
      }
    }
    this.fail(`got ${this.desc(t)}, want primary expression`);
  }

  private dictEntry(): A.DictEntry {
    const key = this.test();
    const c = this.expect(T.COLON);
    const value = this.test();
    return { kind: 'DictEntry', key, value, line: c.line, col: c.col };
  }

  private comprehension(t: Token, curly: boolean, body: A.Expr | A.DictEntry, close: TokenKind): A.Comprehension {
    const clauses: Array<A.ForClause | A.IfClause> = [];
    while (true) {
      const c = this.tok;
      if (c.kind === T.FOR) {
        this.next();
        const vars = this.loopVars();
        this.expect(T.IN);
        // The iterable is parsed without conditional expressions so a following `if` is a clause.
        const x = this.binary(1);
        clauses.push({ type: 'for', vars, x, line: c.line, col: c.col });
      } else if (c.kind === T.IF) {
        this.next();
        clauses.push({ type: 'if', cond: this.testNoCond(), line: c.line, col: c.col });
      } else if (c.kind === close) {
        this.next();
        return { kind: 'Comprehension', curly, body, clauses, line: t.line, col: t.col };
      } else {
        this.fail(`got ${this.desc(c)}, want ${this.desc(close)}, for, or if`);
      }
    }
  }

  /** Loop variables: primary expressions separated by commas (a tuple if more than one). */
  private loopVars(): A.Expr {
    const first = this.primary();
    if (this.kind() !== T.COMMA) return first;
    const elems = [first];
    while (this.kind() === T.COMMA) {
      this.next();
      if (this.kind() === T.IN) break;
      elems.push(this.primary());
    }
    return { kind: 'Tuple', elems, parens: false, line: first.line, col: first.col };
  }
}
