/**
 * Lexer and recursive-descent parser for Lua 5.1, following llex.c/lparser.c closely
 * enough that syntax errors read exactly as lua5.1's:
 *   "chunk:LINE: 'end' expected (to close 'function' at line N) near '<eof>'".
 * Names are resolved here: every local gets a unique JavaScript identifier.
 */
import type { Block, Expr, FunctionBody, LocalVar, Stat, TableItem } from './ast.js';

/** A compile error; `message` is the complete Lua message with position. */
export class LuaSyntaxError extends Error {}

const KEYWORDS = new Set([
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'if', 'in',
  'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
]);

/** Token kinds: 'name' | 'string' | 'number' | 'eof' | a keyword | a symbol. */
interface Token {
  t: string;
  /** name text, string bytes, or numeric value */
  v: string | number;
  /** source text as lua5.1 shows it in "near '...'" */
  raw: string;
  line: number;
}

const MAX_SYNTAX_LEVELS = 200;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isAlnum(c: string): boolean {
  return isAlpha(c) || isDigit(c);
}
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\v' || c === '\f';
}

/** luaO_str2d: strtod, or a hex integer via strtoul; trailing spaces allowed. */
export function parseLuaNumeral(s: string): number | undefined {
  let m = /^0[xX]([0-9a-fA-F]+)\s*$/.exec(s);
  if (m) return parseInt(m[1], 16);
  m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.exec(s);
  if (m) return Number(s.trim());
  return undefined;
}

class Lexer {
  pos = 0;
  line = 1;
  constructor(private src: string, private chunk: string) {}

  error(msg: string, near: string | null): never {
    throw new LuaSyntaxError(
      near === null ? `${this.chunk}:${this.line}: ${msg}` : `${this.chunk}:${this.line}: ${msg} near '${near}'`,
    );
  }

  private cur(): string {
    return this.pos < this.src.length ? this.src[this.pos] : '';
  }

  private newline(): void {
    const c = this.src[this.pos];
    this.pos++;
    const d = this.cur();
    if ((d === '\n' || d === '\r') && d !== c) this.pos++;
    this.line++;
  }

  next(): Token {
    const src = this.src;
    for (;;) {
      const c = this.cur();
      if (c === '') return { t: 'eof', v: '', raw: '<eof>', line: this.line };
      if (c === '\n' || c === '\r') {
        this.newline();
        continue;
      }
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      const line = this.line;
      if (c === '-') {
        if (src[this.pos + 1] !== '-') {
          this.pos++;
          return { t: '-', v: '-', raw: '-', line };
        }
        this.pos += 2;
        if (this.cur() === '[') {
          const save = this.pos;
          const sep = this.skipSep();
          if (sep >= 0) {
            this.readLongString(sep, true);
            continue;
          }
          this.pos = save;
        }
        while (this.pos < src.length && src[this.pos] !== '\n' && src[this.pos] !== '\r') this.pos++;
        continue;
      }
      if (c === '[') {
        const start = this.pos;
        const sep = this.skipSep();
        if (sep >= 0) {
          const s = this.readLongString(sep, false);
          return { t: 'string', v: s, raw: src.slice(start, this.pos), line };
        }
        if (sep === -1) return { t: '[', v: '[', raw: '[', line };
        this.error('invalid long string delimiter', src.slice(start, this.pos));
      }
      if (c === '=' || c === '<' || c === '>' || c === '~') {
        this.pos++;
        if (this.cur() === '=') {
          this.pos++;
          return { t: c + '=', v: c + '=', raw: c + '=', line };
        }
        return { t: c, v: c, raw: c, line };
      }
      if (c === '"' || c === "'") return this.readString(c);
      if (c === '.') {
        if (src.startsWith('...', this.pos)) {
          this.pos += 3;
          return { t: '...', v: '...', raw: '...', line };
        }
        if (src[this.pos + 1] === '.') {
          this.pos += 2;
          return { t: '..', v: '..', raw: '..', line };
        }
        if (!isDigit(src[this.pos + 1] ?? '')) {
          this.pos++;
          return { t: '.', v: '.', raw: '.', line };
        }
        return this.readNumeral();
      }
      if (isDigit(c)) return this.readNumeral();
      if (isAlpha(c)) {
        const start = this.pos;
        while (this.pos < src.length && isAlnum(src[this.pos])) this.pos++;
        const word = src.slice(start, this.pos);
        if (KEYWORDS.has(word)) return { t: word, v: word, raw: word, line };
        return { t: 'name', v: word, raw: word, line };
      }
      // single-char tokens; luaX_token2str shows control characters as char(N)
      this.pos++;
      const code = c.charCodeAt(0);
      return { t: c, v: c, raw: code < 32 || code === 127 ? `char(${code})` : c, line };
    }
  }

  private readNumeral(): Token {
    const src = this.src;
    const start = this.pos;
    const line = this.line;
    do this.pos++;
    while (isDigit(this.cur()) || this.cur() === '.');
    if (this.cur() === 'e' || this.cur() === 'E') {
      this.pos++;
      if (this.cur() === '+' || this.cur() === '-') this.pos++;
    }
    while (isAlnum(this.cur())) this.pos++;
    const text = src.slice(start, this.pos);
    const v = parseLuaNumeral(text);
    if (v === undefined) this.error('malformed number', text);
    return { t: 'number', v, raw: text, line };
  }

  /** At '[' or ']': count '='s; returns the level, or -1 / -(n)-1 when not a delimiter. */
  private skipSep(): number {
    const s = this.src[this.pos];
    let count = 0;
    this.pos++;
    while (this.cur() === '=') {
      this.pos++;
      count++;
    }
    return this.cur() === s ? count : -count - 1;
  }

  private readLongString(sep: number, isComment: boolean): string {
    const src = this.src;
    this.pos++; // second '['
    if (this.cur() === '\n' || this.cur() === '\r') this.newline();
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      const c = this.cur();
      if (c === '') {
        this.error(isComment ? 'unfinished long comment' : 'unfinished long string', '<eof>');
      } else if (c === ']') {
        out += src.slice(chunkStart, this.pos);
        const save = this.pos;
        if (this.skipSep() === sep) {
          this.pos++;
          return out;
        }
        out += src.slice(save, this.pos);
        chunkStart = this.pos;
      } else if (c === '[') {
        out += src.slice(chunkStart, this.pos);
        const save = this.pos;
        if (this.skipSep() === sep) {
          this.pos++;
          if (sep === 0) this.error('nesting of [[...]] is deprecated', '[');
        }
        out += src.slice(save, this.pos);
        chunkStart = this.pos;
      } else if (c === '\n' || c === '\r') {
        out += src.slice(chunkStart, this.pos) + '\n';
        this.newline();
        chunkStart = this.pos;
      } else {
        this.pos++;
      }
    }
  }

  private readString(quote: string): Token {
    const src = this.src;
    const line = this.line;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.cur();
      if (c === '') this.error('unfinished string', '<eof>');
      if (c === '\n' || c === '\r') this.error('unfinished string', quote + out);
      if (c === quote) {
        this.pos++;
        return { t: 'string', v: out, raw: quote + out + quote, line };
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      this.pos++;
      const e = this.cur();
      switch (e) {
        case 'a': out += '\x07'; this.pos++; break;
        case 'b': out += '\b'; this.pos++; break;
        case 'f': out += '\f'; this.pos++; break;
        case 'n': out += '\n'; this.pos++; break;
        case 'r': out += '\r'; this.pos++; break;
        case 't': out += '\t'; this.pos++; break;
        case 'v': out += '\v'; this.pos++; break;
        case '\n':
        case '\r':
          out += '\n';
          this.newline();
          break;
        case '':
          break; // reported as unfinished string on the next turn
        default:
          if (!isDigit(e)) {
            out += e; // \\, \", \', and any other char stands for itself
            this.pos++;
          } else {
            let n = 0;
            let i = 0;
            do {
              n = n * 10 + (src.charCodeAt(this.pos) - 48);
              this.pos++;
              i++;
            } while (i < 3 && isDigit(this.cur()));
            if (n > 255) this.error('escape sequence too large', quote + out);
            out += String.fromCharCode(n);
          }
      }
    }
  }
}

interface FuncState {
  parent: FuncState | null;
  isVararg: boolean;
  /** active locals, innermost last */
  actives: LocalVar[];
  /** block start indexes into actives */
  blocks: { start: number; isLoop: boolean }[];
}

let uniqueCounter = 0;

export class Parser {
  private lx: Lexer;
  private tok!: Token;
  private ahead: Token | null = null;
  private fs!: FuncState;
  private level = 0;
  /** Line of the previously consumed token (lua's lastline). */
  private prevLine = 1;
  private varCount = 0;

  constructor(src: string, private chunk: string) {
    this.lx = new Lexer(src, chunk);
    this.advance();
  }

  private advance(): void {
    if (this.tok) this.prevLine = this.tok.line;
    if (this.ahead) {
      this.tok = this.ahead;
      this.ahead = null;
    } else {
      this.tok = this.lx.next();
    }
  }

  private peek(): Token {
    if (!this.ahead) this.ahead = this.lx.next();
    return this.ahead;
  }

  private error(msg: string): never {
    // errors are reported at the lexer's current line, near the current token
    throw new LuaSyntaxError(`${this.chunk}:${this.lx.line}: ${msg} near '${this.tok.raw}'`);
  }

  private check(t: string): void {
    if (this.tok.t !== t) this.errorExpected(t);
  }

  private errorExpected(t: string): never {
    this.error(`${tokenName(t)} expected`);
  }

  private testNext(t: string): boolean {
    if (this.tok.t === t) {
      this.advance();
      return true;
    }
    return false;
  }

  private checkNext(t: string): void {
    this.check(t);
    this.advance();
  }

  private checkMatch(what: string, who: string, where: number): void {
    if (!this.testNext(what)) {
      if (where === this.lx.line) this.errorExpected(what);
      this.error(`${tokenName(what)} expected (to close ${tokenName(who)} at line ${where})`);
    }
  }

  private checkName(): string {
    this.check('name');
    const n = this.tok.v as string;
    this.advance();
    return n;
  }

  private enterLevel(): void {
    if (++this.level > MAX_SYNTAX_LEVELS) this.error('chunk has too many syntax levels');
  }

  private declare(name: string): LocalVar {
    const safe = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : 'v';
    return { name, id: `${safe}$${++this.varCount}` };
  }

  private activate(...vars: LocalVar[]): void {
    for (const v of vars) this.fs.actives.push(v);
    if (this.fs.actives.length > 200) this.error('too many local variables (limit is 200) in function');
  }

  private resolve(name: string, line: number): Expr {
    let fs: FuncState | null = this.fs;
    let up = false;
    while (fs) {
      for (let i = fs.actives.length - 1; i >= 0; i--) {
        if (fs.actives[i].name === name) return { k: 'local', v: fs.actives[i], up, line };
      }
      fs = fs.parent;
      up = true;
    }
    return { k: 'global', name, line };
  }

  private blockFollow(): boolean {
    switch (this.tok.t) {
      case 'else': case 'elseif': case 'end': case 'until': case 'eof':
        return true;
      default:
        return false;
    }
  }

  /** The whole chunk: a vararg function. */
  parseChunk(): FunctionBody {
    void uniqueCounter;
    this.fs = { parent: null, isVararg: true, actives: [], blocks: [{ start: 0, isLoop: false }] };
    const body = this.statList();
    const lastLine = this.prevLine;
    this.check('eof');
    return { params: [], isVararg: true, body, line: 0, endLine: this.lx.line, lastLine };
  }

  private statList(): Block {
    const out: Stat[] = [];
    while (!this.blockFollow()) {
      if (this.tok.t === 'return') {
        out.push(this.retStat());
        break;
      }
      if (this.tok.t === 'break') {
        const line = this.tok.line;
        this.advance();
        if (!this.fs.blocks.some((b) => b.isLoop)) this.error('no loop to break');
        out.push({ k: 'break', line });
        this.testNext(';');
        break;
      }
      out.push(this.statement());
      this.testNext(';');
    }
    return out;
  }

  private block(isLoop = false): Block {
    const fs = this.fs;
    fs.blocks.push({ start: fs.actives.length, isLoop });
    const b = this.statList();
    fs.actives.length = fs.blocks.pop()!.start;
    return b;
  }

  private statement(): Stat {
    const line = this.tok.line;
    this.enterLevel();
    let s: Stat;
    switch (this.tok.t) {
      case 'if': s = this.ifStat(line); break;
      case 'while': {
        this.advance();
        const cond = this.expr();
        this.checkNext('do');
        const body = this.block(true);
        this.checkMatch('end', 'while', line);
        s = { k: 'while', cond, body, line };
        break;
      }
      case 'do': {
        this.advance();
        const body = this.block();
        this.checkMatch('end', 'do', line);
        s = { k: 'do', body };
        break;
      }
      case 'for': s = this.forStat(line); break;
      case 'repeat': {
        this.advance();
        const fs = this.fs;
        fs.blocks.push({ start: fs.actives.length, isLoop: true });
        const body = this.statList();
        this.checkMatch('until', 'repeat', line);
        const untilLine = this.tok.line;
        const cond = this.expr(); // sees the body's locals
        fs.actives.length = fs.blocks.pop()!.start;
        s = { k: 'repeat', body, cond, line, untilLine };
        break;
      }
      case 'function': s = this.funcStat(line); break;
      case 'local':
        this.advance();
        if (this.testNext('function')) {
          const v = this.declare(this.checkName());
          this.activate(v);
          const f = this.funcBody(false, line);
          s = { k: 'localfunc', v, f, line };
        } else {
          s = this.localStat(line);
        }
        break;
      default: s = this.exprStat(line);
    }
    this.level--;
    return s;
  }

  private ifStat(line: number): Stat {
    const clauses: { cond: Expr; body: Block; line: number }[] = [];
    this.advance();
    let condLine = this.tok.line;
    let cond = this.expr();
    this.checkNext('then');
    clauses.push({ cond, body: this.block(), line: condLine });
    let orelse: Block | null = null;
    while (this.tok.t === 'elseif') {
      this.advance();
      condLine = this.tok.line;
      cond = this.expr();
      this.checkNext('then');
      clauses.push({ cond, body: this.block(), line: condLine });
    }
    if (this.testNext('else')) orelse = this.block();
    this.checkMatch('end', 'if', line);
    return { k: 'if', clauses, orelse, line };
  }

  private forStat(line: number): Stat {
    this.advance();
    const n1 = this.checkName();
    const fs = this.fs;
    if (this.tok.t === '=') {
      this.advance();
      const start = this.expr();
      this.checkNext(',');
      const limit = this.expr();
      const step = this.testNext(',') ? this.expr() : null;
      this.checkNext('do');
      const v = this.declare(n1);
      fs.blocks.push({ start: fs.actives.length, isLoop: true });
      this.activate(v);
      const body = this.block();
      fs.actives.length = fs.blocks.pop()!.start;
      this.checkMatch('end', 'for', line);
      return { k: 'numfor', v, start, limit, step, body, line };
    }
    if (this.tok.t === ',' || this.tok.t === 'in') {
      const names = [n1];
      while (this.testNext(',')) names.push(this.checkName());
      this.checkNext('in');
      const exprs = this.exprList();
      this.checkNext('do');
      const vars = names.map((n) => this.declare(n));
      fs.blocks.push({ start: fs.actives.length, isLoop: true });
      this.activate(...vars);
      const body = this.block();
      fs.actives.length = fs.blocks.pop()!.start;
      this.checkMatch('end', 'for', line);
      return { k: 'genfor', vars, exprs, body, line };
    }
    this.error(`'=' or 'in' expected`);
  }

  private funcStat(line: number): Stat {
    this.advance();
    const n = this.tok.line;
    let target: Expr = this.resolve(this.checkName(), n);
    let isMethod = false;
    while (this.tok.t === '.') {
      this.advance();
      const kl = this.tok.line;
      target = { k: 'index', obj: target, key: { k: 'str', v: this.checkName() }, line: kl };
    }
    if (this.tok.t === ':') {
      this.advance();
      const kl = this.tok.line;
      target = { k: 'index', obj: target, key: { k: 'str', v: this.checkName() }, line: kl };
      isMethod = true;
    }
    const f = this.funcBody(isMethod, line);
    return { k: 'assign', targets: [target], exprs: [{ k: 'func', f }], line: f.line };
  }

  private localStat(line: number): Stat {
    const vars: LocalVar[] = [];
    do vars.push(this.declare(this.checkName()));
    while (this.testNext(','));
    const exprs = this.testNext('=') ? this.exprList() : [];
    this.activate(...vars);
    return { k: 'local', vars, exprs, line };
  }

  private exprStat(line: number): Stat {
    const e = this.suffixedExp();
    if (e.k === 'call' || e.k === 'method') {
      if (this.tok.t !== '=' && this.tok.t !== ',') return { k: 'call', call: e, line };
    }
    const targets = [e];
    for (;;) {
      const t = targets[targets.length - 1];
      if (t.k !== 'local' && t.k !== 'global' && t.k !== 'index') this.error('syntax error');
      if (!this.testNext(',')) break;
      targets.push(this.suffixedExp());
    }
    this.checkNext('=');
    const exprs = this.exprList();
    return { k: 'assign', targets, exprs, line };
  }

  private retStat(): Stat {
    const line = this.tok.line;
    this.advance();
    let exprs: Expr[] = [];
    if (!this.blockFollow() && this.tok.t !== ';') exprs = this.exprList();
    this.testNext(';');
    return { k: 'return', exprs, line };
  }

  private funcBody(isMethod: boolean, line: number): FunctionBody {
    const fs: FuncState = { parent: this.fs, isVararg: false, actives: [], blocks: [{ start: 0, isLoop: false }] };
    this.fs = fs;
    const params: LocalVar[] = [];
    if (isMethod) params.push(this.declare('self'));
    this.checkNext('(');
    if (this.tok.t !== ')') {
      do {
        if (this.tok.t === 'name') {
          params.push(this.declare(this.checkName()));
        } else if (this.tok.t === '...') {
          this.advance();
          fs.isVararg = true;
          break;
        } else {
          this.error('<name> or \'...\' expected');
        }
      } while (this.testNext(','));
    }
    this.activate(...params);
    this.checkNext(')');
    const body = this.statList();
    const endLine = this.tok.line;
    this.checkMatch('end', 'function', line);
    this.fs = fs.parent!;
    return { params, isVararg: fs.isVararg, body, line, endLine };
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.testNext(',')) list.push(this.expr());
    return list;
  }

  private primaryExp(): Expr {
    const line = this.tok.line;
    if (this.tok.t === 'name') return this.resolve(this.checkName(), line);
    if (this.tok.t === '(') {
      this.advance();
      const e = this.expr();
      this.checkMatch(')', '(', line);
      return { k: 'paren', e };
    }
    this.error('unexpected symbol');
  }

  private suffixedExp(): Expr {
    let e = this.primaryExp();
    for (;;) {
      const line = this.tok.line;
      switch (this.tok.t) {
        case '.': {
          this.advance();
          e = { k: 'index', obj: e, key: { k: 'str', v: this.checkName() }, line };
          break;
        }
        case '[': {
          this.advance();
          const key = this.expr();
          this.checkNext(']');
          e = { k: 'index', obj: e, key, line };
          break;
        }
        case ':': {
          this.advance();
          const name = this.checkName();
          const cl = this.tok.line;
          e = { k: 'method', obj: e, name, args: this.callArgs(cl), line: cl };
          break;
        }
        case '(': case 'string': case '{':
          e = { k: 'call', fn: e, args: this.callArgs(line), line };
          break;
        default:
          return e;
      }
    }
  }

  private callArgs(line: number): Expr[] {
    if (this.tok.t === 'string') {
      const v = this.tok.v as string;
      this.advance();
      return [{ k: 'str', v }];
    }
    if (this.tok.t === '{') return [this.tableCons()];
    if (this.tok.t !== '(') this.error('function arguments expected');
    if (line !== this.prevLine) this.error('ambiguous syntax (function call x new statement)');
    this.advance();
    const args = (this.tok as Token).t === ')' ? [] : this.exprList();
    this.checkMatch(')', '(', line);
    return args;
  }


  private tableCons(): Expr {
    const line = this.tok.line;
    this.checkNext('{');
    const items: TableItem[] = [];
    while (this.tok.t !== '}') {
      if (this.tok.t === 'name' && this.peek().t === '=') {
        const key: Expr = { k: 'str', v: this.checkName() };
        this.advance();
        items.push({ type: 'keyed', key, value: this.expr() });
      } else if (this.tok.t === '[') {
        this.advance();
        const key = this.expr();
        this.checkNext(']');
        this.checkNext('=');
        items.push({ type: 'keyed', key, value: this.expr() });
      } else {
        items.push({ type: 'pos', value: this.expr() });
      }
      if (!this.testNext(',') && !this.testNext(';')) break;
    }
    this.checkMatch('}', '{', line);
    return { k: 'table', items, line };
  }

  private simpleExp(): Expr {
    const t = this.tok;
    switch (t.t) {
      case 'number': this.advance(); return { k: 'num', v: t.v as number };
      case 'string': this.advance(); return { k: 'str', v: t.v as string };
      case 'nil': this.advance(); return { k: 'nil' };
      case 'true': this.advance(); return { k: 'true' };
      case 'false': this.advance(); return { k: 'false' };
      case '...':
        if (!this.fs.isVararg) this.error("cannot use '...' outside a vararg function");
        this.advance();
        return { k: 'vararg' };
      case '{': return this.tableCons();
      case 'function': {
        this.advance();
        return { k: 'func', f: this.funcBody(false, t.line) };
      }
      default:
        return this.suffixedExp();
    }
  }

  expr(limit = 0): Expr {
    this.enterLevel();
    let e: Expr;
    const ut = this.tok.t;
    if (ut === 'not' || ut === '-' || ut === '#') {
      const line = this.tok.line;
      this.advance();
      const a = this.expr(UNARY_PRIORITY);
      e = foldUnary(ut, a, line);
    } else {
      e = this.simpleExp();
    }
    for (;;) {
      const op = this.tok.t;
      const pr = BINARY_PRIORITY[op];
      if (!pr || pr[0] <= limit) break;
      const line = this.tok.line;
      this.advance();
      const b = this.expr(pr[1]);
      e = { k: 'bin', op, a: e, b, line };
    }
    this.level--;
    return e;
  }
}

const UNARY_PRIORITY = 8;
const BINARY_PRIORITY: Record<string, [number, number]> = {
  '+': [6, 6], '-': [6, 6], '*': [7, 7], '/': [7, 7], '%': [7, 7],
  '^': [10, 9], '..': [5, 4],
  '==': [3, 3], '~=': [3, 3], '<': [3, 3], '<=': [3, 3], '>': [3, 3], '>=': [3, 3],
  and: [2, 2], or: [1, 1],
};

function foldUnary(op: string, a: Expr, line: number): Expr {
  // lua5.1 folds -<numeral> at compile time
  if (op === '-' && a.k === 'num') return { k: 'num', v: -a.v };
  return { k: 'un', op, a, line };
}

function tokenName(t: string): string {
  switch (t) {
    case 'name': return "'<name>'";
    case 'string': return "'<string>'";
    case 'number': return "'<number>'";
    case 'eof': return "'<eof>'";
    default: return `'${t}'`;
  }
}

export function parse(source: string, chunkName: string): FunctionBody {
  return new Parser(source, chunkName).parseChunk();
}
