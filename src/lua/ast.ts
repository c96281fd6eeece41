/** The Lua 5.1 syntax tree produced by parser.ts and consumed by compiler.ts. */

/** A local variable declaration; `id` is its unique JavaScript identifier. */
export interface LocalVar {
  name: string;
  id: string;
}

export interface FunctionBody {
  params: LocalVar[];
  isVararg: boolean;
  body: Block;
  line: number;
  /** Line of the closing 'end' (for error positions at the implicit return). */
  endLine: number;
  /** The main chunk: line of its last token, where lua5.1 puts its implicit return. */
  lastLine?: number;
}

export type Expr =
  | { k: 'nil' }
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'vararg' }
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'func'; f: FunctionBody }
  | { k: 'table'; items: TableItem[]; line: number }
  | { k: 'bin'; op: string; a: Expr; b: Expr; line: number }
  | { k: 'un'; op: string; a: Expr; line: number }
  | { k: 'local'; v: LocalVar; up: boolean; line: number }
  | { k: 'global'; name: string; line: number }
  | { k: 'index'; obj: Expr; key: Expr; line: number }
  | { k: 'call'; fn: Expr; args: Expr[]; line: number }
  | { k: 'method'; obj: Expr; name: string; args: Expr[]; line: number }
  | { k: 'paren'; e: Expr };

export type TableItem =
  | { type: 'pos'; value: Expr }
  | { type: 'keyed'; key: Expr; value: Expr };

export type Stat =
  | { k: 'local'; vars: LocalVar[]; exprs: Expr[]; line: number }
  | { k: 'assign'; targets: Expr[]; exprs: Expr[]; line: number }
  | { k: 'call'; call: Expr; line: number }
  | { k: 'do'; body: Block }
  | { k: 'while'; cond: Expr; body: Block; line: number }
  /** untilLine: where the condition starts (a debugger's line event for it). */
  | { k: 'repeat'; body: Block; cond: Expr; line: number; untilLine: number }
  /** A clause's line: where its condition starts (the `elseif` test has its own line event). */
  | { k: 'if'; clauses: { cond: Expr; body: Block; line: number }[]; orelse: Block | null; line: number }
  | { k: 'numfor'; v: LocalVar; start: Expr; limit: Expr; step: Expr | null; body: Block; line: number }
  | { k: 'genfor'; vars: LocalVar[]; exprs: Expr[]; body: Block; line: number }
  | { k: 'localfunc'; v: LocalVar; f: FunctionBody; line: number }
  | { k: 'return'; exprs: Expr[]; line: number }
  | { k: 'break'; line: number };

export type Block = Stat[];
