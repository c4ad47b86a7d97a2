// The Starlark abstract syntax tree.
//
// Every node carries `line` and `col` (1-based) of its first token — or, for
// binary/call/index/dot expressions, of the operator token, which is where
// starlark-go reports runtime errors. Nodes are plain objects discriminated by
// `kind`; the resolver annotates identifiers (`scope`, `index`) and functions
// (`locals`, `cells`, `freevars`) in place, and the compiler reads them.

import type { TokenKind } from './tokens.js';

export interface Pos {
  line: number;
  col: number;
}

/** How an identifier was resolved (set by the resolver). */
export const enum Scope {
  Undefined = 0,
  Local = 1, // slot in the function's locals array
  Cell = 2, // local captured by a nested function: slot holds a Cell
  Free = 3, // captured from an enclosing function: index into freevars
  Global = 4, // slot in the module's globals array
  Predeclared = 5, // slot in the module's globals array, filled at init
  Universal = 6, // a universe builtin (constant)
}

export interface Ident extends Pos {
  kind: 'Ident';
  name: string;
  scope: Scope;
  index: number;
}

export interface Literal extends Pos {
  kind: 'Literal';
  token: 'int' | 'float' | 'string' | 'bytes';
  value: number | bigint | string | Uint8Array;
  raw?: string;
}

export interface ListExpr extends Pos { kind: 'List'; elems: Expr[] }
export interface TupleExpr extends Pos { kind: 'Tuple'; elems: Expr[]; parens: boolean }
export interface DictEntry extends Pos { kind: 'DictEntry'; key: Expr; value: Expr }
export interface DictExpr extends Pos { kind: 'Dict'; entries: DictEntry[] }
export interface ParenExpr extends Pos { kind: 'Paren'; x: Expr }
export interface UnaryExpr extends Pos { kind: 'Unary'; op: '-' | '+' | '~' | 'not'; x: Expr }
export interface BinaryExpr extends Pos { kind: 'Binary'; op: string; x: Expr; y: Expr }
export interface CondExpr extends Pos { kind: 'Cond'; cond: Expr; t: Expr; f: Expr }
export interface IndexExpr extends Pos { kind: 'Index'; x: Expr; index: Expr }
export interface SliceExpr extends Pos { kind: 'Slice'; x: Expr; lo: Expr | null; hi: Expr | null; step: Expr | null }
export interface DotExpr extends Pos { kind: 'Dot'; x: Expr; name: string; nameLine: number; nameCol: number }

export interface Arg extends Pos {
  /** 'pos': f(x); 'named': f(k=x); 'star': f(*x); 'starstar': f(**x) */
  type: 'pos' | 'named' | 'star' | 'starstar';
  name: string | null;
  value: Expr;
}
export interface CallExpr extends Pos { kind: 'Call'; fn: Expr; args: Arg[] }

export interface Param extends Pos {
  /** 'plain': x; 'default': x=e; 'star': *args or bare *; 'starstar': **kwargs */
  type: 'plain' | 'default' | 'star' | 'starstar';
  ident: Ident | null; // null only for a bare '*'
  dflt: Expr | null;
}

/** The parts shared by def and lambda; the resolver fills in the layout. */
export interface FunctionNode extends Pos {
  name: string;
  params: Param[];
  body: Stmt[];
  /** Resolver output: number of local slots (params first, in order). */
  numLocals: number;
  /** Resolver output: local slot indices that are captured by nested functions. */
  cells: number[];
  /** Resolver output: for each free variable, how to find it in the enclosing function. */
  freevars: Ident[];
  /** Resolver output: the function contains *args / **kwargs parameters. */
  hasVarargs: boolean;
  hasKwargs: boolean;
  /** Number of parameters before * or *args (positional-or-keyword). */
  numPositional: number;
  /** Number of keyword-only parameters (after * / *args, before **kwargs). */
  numKwonly: number;
}

export interface LambdaExpr extends Pos { kind: 'Lambda'; fn: FunctionNode }

export interface ForClause extends Pos { type: 'for'; vars: Expr; x: Expr }
export interface IfClause extends Pos { type: 'if'; cond: Expr }
export interface Comprehension extends Pos {
  kind: 'Comprehension';
  curly: boolean; // dict comprehension
  body: Expr | DictEntry;
  clauses: Array<ForClause | IfClause>;
}

export type Expr =
  | Ident | Literal | ListExpr | TupleExpr | DictExpr | ParenExpr | UnaryExpr | BinaryExpr
  | CondExpr | IndexExpr | SliceExpr | DotExpr | CallExpr | LambdaExpr | Comprehension;

export interface ExprStmt extends Pos { kind: 'ExprStmt'; x: Expr }
export interface AssignStmt extends Pos { kind: 'Assign'; op: string; opToken: TokenKind; lhs: Expr; rhs: Expr }
export interface DefStmt extends Pos { kind: 'Def'; ident: Ident; fn: FunctionNode }
export interface IfStmt extends Pos { kind: 'If'; cond: Expr; then: Stmt[]; els: Stmt[] }
export interface ForStmt extends Pos { kind: 'For'; vars: Expr; x: Expr; body: Stmt[] }
export interface WhileStmt extends Pos { kind: 'While'; cond: Expr; body: Stmt[] }
export interface BranchStmt extends Pos { kind: 'Branch'; token: 'break' | 'continue' | 'pass' }
export interface ReturnStmt extends Pos { kind: 'Return'; result: Expr | null }
export interface LoadStmt extends Pos {
  kind: 'Load';
  module: string;
  /** Names as exported by the loaded module. */
  from: Array<{ name: string; line: number; col: number }>;
  /** Local bindings, parallel to `from`. */
  to: Ident[];
}

export type Stmt = ExprStmt | AssignStmt | DefStmt | IfStmt | ForStmt | WhileStmt | BranchStmt | ReturnStmt | LoadStmt;

export interface File {
  filename: string;
  src: string;
  stmts: Stmt[];
  /** Resolver output: the module's top-level code as a function (locals for comprehensions). */
  toplevel: FunctionNode;
  /** Resolver output: global names in slot order (file globals first, then predeclared names used). */
  globals: string[];
  /** Resolver output: which global slots are predeclared (filled from the host at init). */
  numFileGlobals: number;
  /** Resolver output: global slots bound by load() (not exported unless loadBindsGlobally). */
  loadBound: Set<number>;
}
