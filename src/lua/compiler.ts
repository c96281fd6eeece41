/**
 * Compiles a Lua 5.1 syntax tree to JavaScript source.
 *
 * Every Lua function becomes a JavaScript generator function (positional parameters,
 * `...va` for varargs) returning an array of results. Calls and loop back-edges
 * decrement `R.budget` and `yield 0` when it is spent, so the host can suspend, resume
 * or kill a running script. Locals become `let` bindings with unique names (so a loop
 * body's locals are fresh per iteration, as Lua's closures require).
 *
 * The generated text keeps each Lua construct on its own source line (newlines are
 * inserted to keep the JavaScript line equal to the Lua line), so positions of runtime
 * errors are read from the JavaScript stack: no line bookkeeping on the hot path.
 *
 * Generated code sees: R (runtime helpers), LF (LuaFunction), T (LuaTable), G (the
 * chunk's global table).
 */
import type { Block, Expr, FunctionBody, Stat } from './ast.js';
import { constructorSize } from './table.js';

/** Lines the Function constructor adds before the body ("function anonymous(...\n) {\n"). */
export const FUNCTION_HEADER_LINES = 2;

interface FnState {
  parent: FnState | null;
  tempCount: number;
  freeTemps: string[];
  isVararg: boolean;
  /**
   * The first zero constant of the function (0 or -0): lua5.1 keeps a function's
   * constants in a table where 0 and -0 are the same key, so later ones share it.
   */
  zero?: number;
  /** Debug mode: the active locals, each as [Lua name, JavaScript expression of its value]. */
  scope: [string, string][];
}

/**
 * Spends one unit of budget; when it is spent, pauses. The driver resumes the pause
 * with a truthy value to kill the script right here (LuaExecution.kill).
 */
const BUDGET_CHECK = 'if (--R.budget < 0 && (yield 0)) R.raiseKill();';
/** The same check in a synchronous variant: it cannot pause, so it gives up. */
const SYNC_BUDGET_CHECK = 'if (--R.budget < 0) R.budgetOut();';

/** Options of a debug compilation (see `point`). */
export interface DebugCompileOptions {
  /** The chunk's display name, as its frames report it. */
  chunk: string;
}

class Compiler {
  private line = 1;
  private fn!: FnState;
  /** Generator functions named for their frames (debug mode). */
  private generatorCount = 0;
  /** Debug mode: the call about to be compiled is a `return f(...)` (a tail call). */
  private tailCall = false;

  constructor(private readonly debug: DebugCompileOptions | null = null) {}
  /**
   * Compiling the synchronous variant of a restartable function: no line tracking
   * (it never reports a position: it gives up and the generator raises instead).
   */
  private syncMode = false;

  private budgetCheck(): string {
    return this.syncMode ? SYNC_BUDGET_CHECK : BUDGET_CHECK;
  }

  /**
   * Debug mode: a line event at Lua line `line`, as lua5.1's hook sees them (ldo.c
   * traceexec): when the function starts, when the line differs from the frame's last
   * one, and after a jump back (`forceLine` clears the frame's last line). The event
   * may pause the script: the pause yields DEBUG_PAUSE and is resumed with nothing, a
   * kill or an error to raise here. An expression; '' outside debug mode.
   */
  private point(line: number | undefined): string {
    if (this.debug === null || this.syncMode || line === undefined) return '';
    const locals = this.fn.scope.map(([name, ref]) => `[${JSON.stringify(name)}, ${ref}]`).join(', ');
    return `($ln !== ${line} && R.dbgLine($fr, $ln = ${line}, () => [${locals}]) && R.dbgResumed(yield R.DP))`;
  }

  /** `point` as a statement. */
  private pointStat(line: number | undefined): string {
    const p = this.point(line);
    return p === '' ? '' : p + '; ';
  }

  /** Debug mode: the next line event fires even on the same line (a jump back). */
  private forceLine(): string {
    return this.debug === null || this.syncMode ? '' : '$ln = 0; ';
  }

  /** Debug mode: makes locals visible to later line events (until the enclosing block ends). */
  private activate(...vars: [string, string][]): void {
    if (this.debug !== null) this.fn.scope.push(...vars);
  }

  /** Newlines that bring the output to Lua line `target` (never backwards). */
  private sync(target: number | undefined): string {
    if (this.syncMode || target === undefined || target <= this.line) return '';
    const n = target - this.line;
    this.line = target;
    return '\n'.repeat(n);
  }

  /** A numeric constant as lua5.1's constant table gives it back (see FnState.zero). */
  private constant(v: number): number {
    if (v !== 0) return v;
    if (this.fn.zero === undefined) this.fn.zero = v;
    return this.fn.zero;
  }

  private temp(): string {
    const f = this.fn;
    const t = f.freeTemps.pop();
    if (t) return t;
    return `$${++f.tempCount}`;
  }

  private release(...names: string[]): void {
    for (let i = names.length - 1; i >= 0; i--) {
      const n = names[i];
      if (n.startsWith('$')) this.fn.freeTemps.push(n);
    }
  }

  compileChunk(f: FunctionBody): string {
    const fn = this.functionExpr(f, 'main', true);
    return `"use strict"; return ${fn};`;
  }

  private functionExpr(f: FunctionBody, name: string, isMain = false): string {
    const head = this.sync(f.line);
    const params = f.params.map((p) => p.id);
    if (f.isVararg) params.push('...va');
    if (this.debug !== null) {
      // Named, so that its frame can tell whether a call site named it (R.dbgCall).
      const g = `$g${++this.generatorCount}`;
      const generator = `function* ${g}(${params.join(', ')}) { ${this.functionBody(f, g)} }`;
      const closure = `new LF(${JSON.stringify(name)}, ${generator}, null)`;
      if (isMain) return head + closure;
      // lua5.1 creates the closure once its body is parsed: the event is at `end`.
      const t = this.temp();
      this.release(t);
      const p = this.point(f.endLine);
      return p === '' ? `${head}${closure}` : `${head}(${t} = ${closure}, ${p}, ${t})`;
    }
    const generator = `function* (${params.join(', ')}) { ${this.functionBody(f)} }`;
    let syncVariant = '';
    if (!this.syncMode && isRestartable(f)) {
      this.syncMode = true;
      const body = this.functionBody(f).replace(/\(yield\* /g, 'R.needGenerator(');
      this.syncMode = false;
      if (!/\byield\b/.test(body)) syncVariant = `, false, function (${params.join(', ')}) { ${body} }`;
    }
    return `${head}new LF(${JSON.stringify(name)}, ${generator}, null${syncVariant})`;
  }

  /** `generator`: debug mode, the name of the function's generator. */
  private functionBody(f: FunctionBody, generator?: string): string {
    const saved = this.fn;
    this.fn = { parent: saved, tempCount: 0, freeTemps: [], isVararg: f.isVararg, scope: [] };
    this.activate(...f.params.map((p): [string, string] => [p.name, p.id]));
    let body = this.block(f.body);
    if (this.debug !== null && !this.syncMode) {
      // The implicit return: at `end` for a function, at the last token for the main chunk.
      const end = f.lastLine ?? f.endLine;
      body += this.sync(end) + ' ' + this.pointStat(end) + 'return R.E;';
    } else {
      body += this.sync(f.endLine) + ' return R.E;';
    }
    const temps: string[] = [];
    for (let i = 1; i <= this.fn.tempCount; i++) temps.push(`$${i}`);
    const decl = temps.length ? `let ${temps.join(', ')}; ` : '';
    this.fn = saved;
    if (this.debug !== null && !this.syncMode) {
      const chunk = JSON.stringify(this.debug.chunk);
      return `${decl}const $fr = R.dbgEnter(${chunk}, ${generator}); let $ln = 0; try { ${this.budgetCheck()} ${body} } finally { R.dbgLeave($fr); }`;
    }
    return `${decl}${this.budgetCheck()} ${body}`;
  }

  private block(b: Block): string {
    const scoped = this.fn.scope.length;
    let out = '';
    for (const s of b) out += this.stat(s);
    this.fn.scope.length = scoped;
    return out;
  }

  /**
   * Debug mode: the statement's line event, where its first instruction is: none when
   * that is a closure (its event is at the function's `end`, see functionExpr).
   */
  private statPoint(s: Stat): string {
    if (this.debug === null) return '';
    switch (s.k) {
      case 'local': case 'assign': case 'return': {
        const first = s.exprs[0];
        const targetsFirst = s.k === 'assign' && s.targets.some((t) => t.k === 'index');
        if (first !== undefined && first.k === 'func' && !targetsFirst) return '';
        return this.pointStat(s.line);
      }
      case 'do': case 'localfunc': case 'repeat': return '';
      case 'while': return alwaysTrue(s.cond) ? '' : this.pointStat(s.line);
      case 'if': return alwaysTrue(s.clauses[0]!.cond) ? '' : this.pointStat(s.line);
      default: return this.pointStat(s.line);
    }
  }

  private stat(s: Stat): string {
    if (this.debug !== null && !this.syncMode) return this.sync('line' in s ? s.line : undefined) + this.statPoint(s) + this.statBody(s);
    return this.statBody(s);
  }

  private statBody(s: Stat): string {
    switch (s.k) {
      case 'local': return this.localStat(s);
      case 'assign': return this.assignStat(s);
      case 'call': return this.sync(s.line) + this.expr(s.call, 'discard') + ';';
      case 'do': return `{ ${this.block(s.body)} }`;
      case 'while': {
        // Debug mode: the condition's event on entry and after each jump back.
        const line = this.sync(s.line);
        const test = this.debug !== null && !alwaysTrue(s.cond) ? `(${this.point(s.line)}, ${this.cond(s.cond)})` : this.cond(s.cond);
        const head = line + `while (${test}) { ${this.budgetCheck()} `;
        return head + this.block(s.body) + ` ${this.forceLine()}}`;
      }
      case 'repeat': {
        const head = this.sync(s.line) + `for (;;) { ${this.budgetCheck()} `;
        const scoped = this.fn.scope.length;
        let body = '';
        for (const st of s.body) body += this.stat(st);
        // The condition sees the body's locals.
        const until = this.debug !== null && !alwaysTrue(s.cond) ? this.sync(s.untilLine) + ' ' + this.pointStat(s.untilLine) : '';
        const out = head + body + this.sync(undefined) + until + ` if (${this.cond(s.cond)}) break; ${this.forceLine()}}`;
        this.fn.scope.length = scoped;
        return out;
      }
      case 'if': {
        let out = this.sync(s.line);
        s.clauses.forEach((c, i) => {
          // Debug mode: an elseif's test has its own event.
          const test = i > 0 && this.debug !== null && !alwaysTrue(c.cond) ? `(${this.sync(c.line)}${this.point(c.line)}, ${this.cond(c.cond)})` : this.cond(c.cond);
          out += `${i ? ' else ' : ''}if (${test}) { ${this.block(c.body)} }`;
        });
        if (s.orelse) out += ` else { ${this.block(s.orelse)} }`;
        return out;
      }
      case 'numfor': return this.numFor(s);
      case 'genfor': return this.genFor(s);
      case 'localfunc': {
        // The local is active inside its own body (and at the closure's event).
        this.activate([s.v.name, s.v.id]);
        const head = this.sync(s.line) + `let ${s.v.id}; ${s.v.id} = `;
        return head + this.functionExpr(s.f, s.v.name) + ';';
      }
      case 'return': return this.returnStat(s.exprs, s.line);
      case 'break': return this.sync(s.line) + 'break;';
    }
  }

  private returnStat(exprs: Expr[], line: number): string {
    const head = this.sync(line);
    if (exprs.length === 0) return head + 'return R.E;';
    if (exprs.length === 1 && isMulti(exprs[0])) {
      const e = exprs[0];
      if (e.k === 'vararg') return head + 'return (va);';
      this.tailCall = this.debug !== null;
      return head + `return (${this.expr(e, 'multi')});`;
    }
    return head + `return (${this.exprListArray(exprs)});`;
  }

  /** A JS array expression holding all values of an expression list. */
  private exprListArray(exprs: Expr[]): string {
    if (exprs.length === 0) return 'R.E';
    const last = exprs[exprs.length - 1];
    const parts = exprs.slice(0, -1).map((e) => this.expr(e));
    if (isMulti(last)) {
      if (parts.length === 0) return this.expr(last, 'multi');
      parts.push('...' + this.multiExpr(last));
    } else {
      parts.push(this.expr(last));
    }
    return `[${parts.join(', ')}]`;
  }

  private multiExpr(e: Expr): string {
    return e.k === 'vararg' ? 'va' : this.expr(e, 'multi');
  }

  private localStat(s: Extract<Stat, { k: 'local' }>): string {
    const out = this.localStatCode(s);
    this.activate(...s.vars.map((v): [string, string] => [v.name, v.id]));
    return out;
  }

  private localStatCode(s: Extract<Stat, { k: 'local' }>): string {
    const head = this.sync(s.line);
    const { vars, exprs } = s;
    if (exprs.length === 0) return head + `let ${vars.map((v) => v.id).join(', ')};`;
    const last = exprs[exprs.length - 1];
    if (exprs.length === vars.length && !isMulti(last)) {
      // simple: values in order (the new names are not visible to the expressions)
      if (vars.length === 1) return head + `let ${vars[0].id} = ${this.expr(exprs[0])};`;
      const ts = exprs.map((e) => {
        const t = this.temp();
        return { t, code: `${t} = ${this.expr(e)}` };
      });
      const out = head + `${ts.map((x) => x.code).join('; ')}; let ${vars.map((v, i) => `${v.id} = ${ts[i].t}`).join(', ')};`;
      this.release(...ts.map((x) => x.t));
      return out;
    }
    return head + this.assignFromList(exprs, vars.length, (vals) =>
      `let ${vars.map((v, i) => `${v.id} = ${vals[i]}`).join(', ')};`);
  }

  /**
   * Evaluates an expression list adjusted to `n` values and hands the value
   * expressions (temps or array reads) to `use`.
   */
  private assignFromList(exprs: Expr[], n: number, use: (vals: string[]) => string): string {
    let out = '';
    const vals: string[] = [];
    const temps: string[] = [];
    const last = exprs[exprs.length - 1];
    exprs.forEach((e, i) => {
      const isLast = i === exprs.length - 1;
      if (isLast && isMulti(last) && vals.length < n) {
        const t = this.temp();
        temps.push(t);
        out += `${t} = ${this.multiExpr(e)}; `;
        for (let k = 0; vals.length < n; k++) vals.push(`${t}[${k}]`);
      } else if (vals.length < n) {
        const t = this.temp();
        temps.push(t);
        out += `${t} = ${this.expr(e)}; `;
        vals.push(t);
      } else {
        out += `${this.expr(e, 'discard')}; `; // extra values are still evaluated
      }
    });
    while (vals.length < n) vals.push('undefined');
    out += use(vals);
    this.release(...temps);
    return out;
  }

  private assignStat(s: Extract<Stat, { k: 'assign' }>): string {
    const head = this.sync(s.line);
    const { targets, exprs } = s;
    if (targets.length === 1 && exprs.length === 1) {
      const t = targets[0];
      if (t.k === 'local') return head + `${t.v.id} = ${this.expr(exprs[0])};`;
      if (t.k === 'global') return head + this.setGlobal(t.name, this.expr(exprs[0])) + ';';
      if (t.k === 'index') {
        const o = this.temp();
        const k = this.temp();
        const code = `${o} = ${this.expr(t.obj)}; ${k} = ${this.expr(t.key)}; ` +
          this.setIndex(o, k, this.expr(exprs[0]), describe(t.obj)) + ';';
        this.release(o, k);
        return head + code;
      }
    }
    // Evaluate the table and key of each target, then the values, then assign
    // right to left as lua5.1 does.
    let out = head;
    const places: { kind: 'local' | 'global' | 'index'; a: string; b: string; desc?: string }[] = [];
    const held: string[] = [];
    for (const t of targets) {
      if (t.k === 'local') places.push({ kind: 'local', a: t.v.id, b: '' });
      else if (t.k === 'global') places.push({ kind: 'global', a: t.name, b: '' });
      else if (t.k === 'index') {
        const o = this.temp();
        const k = this.temp();
        held.push(o, k);
        out += `${o} = ${this.expr(t.obj)}; ${k} = ${this.expr(t.key)}; `;
        places.push({ kind: 'index', a: o, b: k, desc: describe(t.obj) });
      }
    }
    out += this.assignFromList(exprs, targets.length, (vals) => {
      let o = '';
      for (let i = places.length - 1; i >= 0; i--) {
        const p = places[i];
        if (p.kind === 'local') o += `${p.a} = ${vals[i]}; `;
        else if (p.kind === 'global') o += this.setGlobal(p.a, vals[i]) + '; ';
        else o += this.setIndex(p.a, p.b, vals[i], p.desc) + '; ';
      }
      return o;
    });
    this.release(...held);
    return out;
  }

  private setGlobal(name: string, value: string): string {
    const k = JSON.stringify(name);
    const v = this.temp();
    this.release(v);
    return `(${v} = ${value}, G.metatable === null && !G.readonly ? G.set(${k}, ${v}) : (yield* R.setindex(G, ${k}, ${v}, undefined)))`;
  }

  /** `o` and `k` are temps or literals already evaluated. */
  private setIndex(o: string, k: string, value: string, desc: string | undefined): string {
    const v = this.temp();
    this.release(v);
    return `(${v} = ${value}, ${o} instanceof T && ${o}.metatable === null && !${o}.readonly && ${k} !== undefined && ${k} === ${k} ? ${o}.set(${k}, ${v}) : (yield* R.setindex(${o}, ${k}, ${v}, ${q(desc)})))`;
  }

  private numFor(s: Extract<Stat, { k: 'numfor' }>): string {
    const head = this.sync(s.line);
    const i = this.temp();
    const lim = this.temp();
    const step = this.temp();
    let out = head + `${i} = R.forNum(${this.expr(s.start)}, 'initial'); ${lim} = R.forNum(${this.expr(s.limit)}, 'limit'); ` +
      `${step} = ${s.step ? `R.forNum(${this.expr(s.step)}, 'step')` : '1'}; `;
    const stepConst = s.step === null ? 1 : s.step.k === 'num' ? s.step.v : null;
    const test = stepConst === null
      ? `(${step} > 0 ? ${i} <= ${lim} : ${lim} <= ${i})`
      : stepConst > 0 ? `${i} <= ${lim}` : `${lim} <= ${i}`;
    const scoped = this.fn.scope.length;
    // Debug mode: FORLOOP's event (before the increment: `(for index)` is the last value),
    // then the jump back into the body.
    this.activate(['(for index)', i], ['(for limit)', lim], ['(for step)', step]);
    const loopEvent = this.debug !== null ? `${this.point(s.line)}, ` : '';
    out += `for (${i} -= ${step}; ${loopEvent}${i} += ${step}, ${test};) { ${this.budgetCheck()} ${this.forceLine()}let ${s.v.id} = ${i}; `;
    this.activate([s.v.name, s.v.id]);
    out += this.block(s.body) + ' }';
    this.fn.scope.length = scoped;
    // the loop temps stay reserved for the body; release after
    this.release(i, lim, step);
    return out;
  }

  private genFor(s: Extract<Stat, { k: 'genfor' }>): string {
    const head = this.sync(s.line);
    const f = this.temp();
    const st = this.temp();
    const ctl = this.temp();
    const mode = this.temp();
    const rs = this.temp();
    let out = head + this.assignFromList(s.exprs, 3, (vals) =>
      `${f} = ${vals[0]}; ${st} = ${vals[1]}; ${ctl} = ${vals[2]}; `);
    out += `${mode} = R.forMode(${f}, ${st}); if (${mode} === 1) ${ctl} = ${st}.positionOf(${ctl}); `;
    const ids = s.vars.map((v) => v.id);
    const scoped = this.fn.scope.length;
    // Debug mode: TFORLOOP's event, then the jump back into the body. The control
    // variable is a table position on the pairs() fast path.
    this.activate(['(for generator)', f], ['(for state)', st],
      ['(for control)', `(${mode} === 1 ? (${ctl} < 0 ? undefined : ${st}.keyAt(${ctl})) : ${ctl})`]);
    out += `for (;;) { ${this.budgetCheck()} ${this.pointStat(s.line)}let ${ids.join(', ')}; `;
    out += `if (${mode} === 1) { ${ctl} = ${st}.nextPosition(${ctl}); if (${ctl} < 0) break; ${ids[0]} = ${st}.keyAt(${ctl}); ` +
      (ids.length > 1 ? `${ids[1]} = ${st}.valueAt(${ctl}); ` : '') + '} ';
    out += `else if (${mode} === 2) { ${ctl}++; ${ids.length > 1 ? ids[1] : rs} = ${st}.get(${ctl}); if (${ids.length > 1 ? ids[1] : rs} === undefined) break; ${ids[0]} = ${ctl}; } `;
    let iteratorCall = this.callCode(f, [st, ctl], null, 'multi', undefined);
    if (this.debug !== null) iteratorCall = `(R.dbgCall(${f}, "(for generator)", false), ${iteratorCall})`;
    out += `else { ${rs} = ${iteratorCall}; ${ids[0]} = ${rs}[0]; if (${ids[0]} === undefined) break; ${ctl} = ${ids[0]}; ` +
      ids.slice(1).map((id, k) => `${id} = ${rs}[${k + 1}]; `).join('') + '} ';
    out += this.forceLine();
    this.activate(...s.vars.map((v): [string, string] => [v.name, v.id]));
    out += this.block(s.body) + ' }';
    this.fn.scope.length = scoped;
    this.release(f, st, ctl, mode, rs);
    return out;
  }

  /** A JS boolean expression for a Lua condition. */
  private cond(e: Expr): string {
    switch (e.k) {
      case 'true': return 'true';
      case 'false': case 'nil': return 'false';
      case 'un':
        if (e.op === 'not') return `!(${this.cond(e.a)})`;
        break;
      case 'bin':
        if (e.op === 'and') return `(${this.cond(e.a)} && ${this.cond(e.b)})`;
        if (e.op === 'or') return `(${this.cond(e.a)} || ${this.cond(e.b)})`;
        if (COMPARISON.has(e.op)) return this.expr(e);
        break;
    }
    const t = this.temp();
    const out = `((${t} = ${this.expr(e)}) !== undefined && ${t} !== false)`;
    this.release(t);
    return out;
  }

  /**
   * A JS expression for `e`. mode 'one': its first value; 'multi': an array of all
   * values (calls only); 'discard': a statement-level call.
   */
  expr(e: Expr, mode: 'one' | 'multi' | 'discard' = 'one'): string {
    switch (e.k) {
      case 'nil': return 'undefined';
      case 'true': return 'true';
      case 'false': return 'false';
      case 'num': return numLiteral(this.constant(e.v));
      case 'str': return strLiteral(e.v);
      case 'vararg': return mode === 'multi' ? 'va' : 'va[0]';
      case 'func': return this.functionExpr(e.f, '?');
      case 'paren': return this.expr(e.e);
      case 'local': return this.sync(e.line) + e.v.id;
      case 'global': {
        const t = this.temp();
        const k = JSON.stringify(e.name);
        const out = this.sync(e.line) + `((${t} = G.getStr(${k})) !== undefined || G.metatable === null ? ${t} : (yield* R.index(G, ${k}, undefined)))`;
        this.release(t);
        return out;
      }
      case 'index': {
        const o = this.temp();
        const obj = this.expr(e.obj);
        const head = this.sync(e.line);
        let out: string;
        if (e.key.k === 'str' || e.key.k === 'num') {
          const k = this.expr(e.key);
          const v = this.temp();
          out = `(${o} = ${obj}, ${o} instanceof T && ((${v} = ${o}.get(${k})) !== undefined || ${o}.metatable === null) ? ${v} : (yield* R.index(${o}, ${k}, ${q(describe(e.obj))})))`;
          this.release(v);
        } else {
          const k = this.temp();
          const v = this.temp();
          out = `(${o} = ${obj}, ${k} = ${this.expr(e.key)}, ${o} instanceof T && ((${v} = ${o}.get(${k})) !== undefined || ${o}.metatable === null) ? ${v} : (yield* R.index(${o}, ${k}, ${q(describe(e.obj))})))`;
          this.release(k, v);
        }
        this.release(o);
        return head + out;
      }
      case 'call': {
        const tail = this.tailCall;
        this.tailCall = false;
        const f = this.temp();
        const fcode = `${f} = ${this.expr(e.fn)}` + this.sync(e.line);
        const out = this.callWithArgs(fcode, f, null, e.args, mode, describe(e.fn), e.line, tail);
        this.release(f);
        return out;
      }
      case 'method': {
        const tail = this.tailCall;
        this.tailCall = false;
        const o = this.temp();
        const f = this.temp();
        const obj = this.expr(e.obj) + this.sync(e.line);
        const k = JSON.stringify(e.name);
        const fcode = `${o} = ${obj}, ${f} = (${o} instanceof T && ((${f} = ${o}.getStr(${k})) !== undefined || ${o}.metatable === null) ? ${f} : (yield* R.index(${o}, ${k}, ${q(describe(e.obj))})))`;
        const out = this.callWithArgs(fcode, f, o, e.args, mode, `method '${e.name}'`, e.line, tail);
        this.release(o, f);
        return out;
      }
      case 'table': return this.tableCons(e);
      case 'un': return this.unary(e);
      case 'bin': return this.binary(e);
    }
  }

  /**
   * Evaluates the function (fcode assigns temp f), then arguments, then calls. Debug
   * mode: the CALL's line event (lua5.1 puts it on the line of the arguments' opening),
   * and the callee learns how it is named (`tail`: a `return f()`, lua5.1's tail call).
   */
  private callWithArgs(fcode: string, f: string, self: string | null, args: Expr[], mode: string, desc: string | undefined,
    line?: number, tail = false): string {
    const argTemps: string[] = [];
    let code = fcode;
    let spread: string | null = null;
    args.forEach((a, i) => {
      const t = this.temp();
      argTemps.push(t);
      if (i === args.length - 1 && isMulti(a)) {
        code += `, ${t} = ${this.multiExpr(a)}`;
        spread = t;
      } else {
        code += `, ${t} = ${this.expr(a)}`;
      }
    });
    const fixed = spread ? argTemps.slice(0, -1) : argTemps;
    const call = this.callCode(f, self ? [self, ...fixed] : fixed, spread, mode, desc);
    this.release(...argTemps);
    if (this.debug !== null && !this.syncMode) {
      const p = this.point(line);
      return `(${code}, ${p === '' ? '' : p + ', '}R.dbgCall(${f}, ${q(callName(desc) ?? undefined)}, ${tail}), ${call})`;
    }
    return `(${code}, ${call})`;
  }

  /** The call itself: all operands are temps. Result: array, or first value. */
  private callCode(f: string, args: string[], spread: string | null, mode: string, desc: string | undefined): string {
    const list = spread ? [...args, '...' + spread].join(', ') : args.join(', ');
    const hostCall = desc !== undefined && desc.startsWith('method ') ? `R.hostMethod(${f}, [${list}])` : `${f}.host([${list}])`;
    // A Lua callee runs by a direct next() on its generator; only when it pauses (the
    // budget ran out) does this frame delegate to it, via R.resumeCall.
    const g = this.temp();
    const r = this.temp();
    this.release(g, r);
    if (this.syncMode) {
      const call = `(${f} instanceof LF && ${f}.sync !== null ? ${f}.sync(${list}) : R.needGenerator())`;
      return mode === 'one' ? `${call}[0]` : call;
    }
    let luaCall = `(${g} = ${f}.gen(${list}), ${r} = ${g}.next(), ${r}.done ? ${r}.value : (yield* R.resumeCall(${g}, ${r})))`;
    if (spread === null && args.length <= 3) {
      // a restartable callee: its synchronous variant first
      const trySync = `R.trySync${args.length}(${[f, ...args].join(', ')})`;
      luaCall = `(${f}.sync !== null && (${r} = ${trySync}) !== R.SYNC_FAILED ? ${r} : ${luaCall})`;
    }
    const call = `(${f} instanceof LF ? (${f}.host !== null ? ${hostCall} : ${luaCall}) : (yield* R.call(${f}, [${list}], ${q(desc)})))`;
    return mode === 'one' ? `${call}[0]` : call;
  }

  private tableCons(e: Extract<Expr, { k: 'table' }>): string {
    const head = this.sync(e.line);
    if (e.items.length === 0) return head + 'new T()';
    const t = this.temp();
    const items = e.items;
    const last = items[items.length - 1];
    const multiTail = last.type === 'pos' && isMulti(last.value);
    const positional = items.filter((it) => it.type === 'pos').length - (multiTail ? 1 : 0);
    const keyed = items.length - positional - (multiTail ? 1 : 0);
    // Positional values are stored after all keyed ones in lua5.1 (SETLIST at the
    // end); a keyed integer key could collide, so then collect positionals first.
    const mayCollide = positional > 0 && items.some((it) => it.type === 'keyed' && it.key.k !== 'str');
    let out = `(${t} = new T(${constructorSize(positional)}, ${constructorSize(keyed)})`;
    let idx = 0;
    let list: string | null = null;
    if (mayCollide) {
      list = this.temp();
      out += `, ${list} = []`;
    }
    for (const it of items) {
      if (it.type === 'keyed') {
        out += `, R.rawsetChecked(${t}, ${this.expr(it.key)}, ${this.expr(it.value)})`;
      } else if (it === last && multiTail) {
        if (list) out += `, R.setList(${t}, 0, ${list})`;
        out += `, R.setList(${t}, ${positional}, ${this.multiExpr(it.value)})`;
        list = null;
      } else if (list) {
        out += `, ${list}.push(${this.expr(it.value)})`;
        idx++;
      } else {
        out += `, ${t}.arr[${idx++}] = ${this.expr(it.value)}`;
      }
    }
    if (list) out += `, R.setList(${t}, 0, ${list})`;
    out += `, ${t})`;
    this.release(t);
    if (mayCollide) this.release(list ?? '');
    return head + out;
  }

  private unary(e: Extract<Expr, { k: 'un' }>): string {
    const a = this.temp();
    const code = this.expr(e.a);
    const head = this.sync(e.line);
    let out: string;
    const d = q(describe(e.a));
    switch (e.op) {
      case 'not':
        out = `((${a} = ${code}) === undefined || ${a} === false)`;
        break;
      case '-':
        out = `(typeof (${a} = ${code}) === 'number' ? -${a} : (yield* R.unm(${a}, ${d})))`;
        break;
      default: // '#'
        out = `(typeof (${a} = ${code}) === 'string' ? ${a}.length : ${a} instanceof T ? ${a}.length() : R.len(${a}, ${d}))`;
    }
    this.release(a);
    return head + out;
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): string {
    const op = e.op;
    const folded = foldConstant(e);
    if (folded !== undefined) return numLiteral(this.constant(folded));
    if (op === 'and' || op === 'or') {
      const a = this.temp();
      const ca = this.expr(e.a);
      const cb = this.expr(e.b);
      this.release(a);
      return op === 'and'
        ? `((${a} = ${ca}) === undefined || ${a} === false ? ${a} : ${cb})`
        : `((${a} = ${ca}) !== undefined && ${a} !== false ? ${a} : ${cb})`;
    }
    const [a, ca] = this.operand(e.a);
    const [b, cb] = this.operand(e.b);
    const head = this.sync(e.line);
    const pre = [ca, cb].filter((x) => x).join(', ');
    const seq = (s: string) => (pre ? `(${pre}, ${s})` : `(${s})`);
    const da = q(describe(e.a));
    const db = q(describe(e.b));
    const isNum = (x: string, ex: Expr) => (ex.k === 'num' ? 'true' : `typeof ${x} === 'number'`);
    const isStr = (x: string, ex: Expr) => (ex.k === 'str' ? 'true' : `typeof ${x} === 'string'`);
    const bothNum = `${isNum(a, e.a)} && ${isNum(b, e.b)}`;
    let out: string;
    switch (op) {
      case '+': case '-': case '*': case '/':
        out = seq(`${bothNum} ? ${a} ${op} ${b} : (yield* R.arith('${op}', ${a}, ${b}, ${da}, ${db}))`);
        break;
      case '%':
        out = seq(`${bothNum} ? ${a} - Math.floor(${a} / ${b}) * ${b} : (yield* R.arith('%', ${a}, ${b}, ${da}, ${db}))`);
        break;
      case '^':
        out = seq(`${bothNum} ? R.pow(${a}, ${b}) : (yield* R.arith('^', ${a}, ${b}, ${da}, ${db}))`);
        break;
      case '..':
        out = seq(`${isStr(a, e.a)} && ${isStr(b, e.b)} ? ${a} + ${b} : R.concat(${a}, ${b}, ${da}, ${db}) ?? (yield* R.concatMeta(${a}, ${b}, ${da}, ${db}))`);
        break;
      case '==':
        out = seq(`${a} === ${b} || (${a} instanceof T && ${b} instanceof T && (yield* R.eqMeta(${a}, ${b})))`);
        break;
      case '~=':
        out = seq(`!(${a} === ${b} || (${a} instanceof T && ${b} instanceof T && (yield* R.eqMeta(${a}, ${b}))))`);
        break;
      case '<':
        out = seq(`${bothNum} ? ${a} < ${b} : (yield* R.lt(${a}, ${b}))`);
        break;
      case '<=':
        out = seq(`${bothNum} ? ${a} <= ${b} : (yield* R.le(${a}, ${b}))`);
        break;
      case '>':
        out = seq(`${bothNum} ? ${a} > ${b} : (yield* R.lt(${b}, ${a}))`);
        break;
      default: // '>='
        out = seq(`${bothNum} ? ${a} >= ${b} : (yield* R.le(${b}, ${a}))`);
    }
    this.release(b, a);
    return head + out;
  }

  /** An operand as [reference, evaluation code]: locals and constants need no temp. */
  private operand(e: Expr): [string, string] {
    if (e.k === 'num') return [numLiteral(this.constant(e.v)), ''];
    if (e.k === 'bin') {
      const folded = foldConstant(e);
      if (folded !== undefined) return [numLiteral(this.constant(folded)), ''];
    }
    if (e.k === 'str') return [strLiteral(e.v), ''];
    if (e.k === 'local') return [this.sync(e.line) + e.v.id, ''];
    const t = this.temp();
    return [t, `${t} = ${this.expr(e)}`];
  }
}

/**
 * A function whose every run can be abandoned midway and started again unnoticed: it
 * writes no upvalue, global or table field (it may build fresh tables), creates no
 * closures, and has fixed parameters. It may call anything: its synchronous variant
 * calls only other synchronous variants and gives up otherwise.
 */
function isRestartable(f: FunctionBody): boolean {
  if (f.isVararg) return false;
  return f.body.every(restartableStat);
}

function restartableStat(s: Stat): boolean {
  switch (s.k) {
    case 'local': return s.exprs.every(restartableExpr);
    case 'assign':
      return s.targets.every((t) => t.k === 'local' && !t.up) && s.exprs.every(restartableExpr);
    case 'call': return restartableExpr(s.call);
    case 'do': return s.body.every(restartableStat);
    case 'while': case 'repeat': return restartableExpr(s.cond) && s.body.every(restartableStat);
    case 'if':
      return s.clauses.every((c) => restartableExpr(c.cond) && c.body.every(restartableStat)) &&
        (s.orelse === null || s.orelse.every(restartableStat));
    case 'numfor':
      return restartableExpr(s.start) && restartableExpr(s.limit) && (s.step === null || restartableExpr(s.step)) &&
        s.body.every(restartableStat);
    case 'genfor': return s.exprs.every(restartableExpr) && s.body.every(restartableStat);
    case 'localfunc': return false;
    case 'return': return s.exprs.every(restartableExpr);
    case 'break': return true;
  }
}

function restartableExpr(e: Expr): boolean {
  switch (e.k) {
    case 'func': case 'vararg': return false;
    case 'table':
      return e.items.every((it) => (it.type === 'pos' ? restartableExpr(it.value) : restartableExpr(it.key) && restartableExpr(it.value)));
    case 'bin': return restartableExpr(e.a) && restartableExpr(e.b);
    case 'un': return restartableExpr(e.a);
    case 'index': return restartableExpr(e.obj) && restartableExpr(e.key);
    case 'call': return restartableExpr(e.fn) && e.args.every(restartableExpr);
    case 'method': return restartableExpr(e.obj) && e.args.every(restartableExpr);
    case 'paren': return restartableExpr(e.e);
    default: return true;
  }
}

/**
 * lcode.c constfolding: arithmetic on numerals is computed at compile time (so its
 * operands never become constants), except division or modulo by zero and NaN results.
 */
function foldConstant(e: Expr): number | undefined {
  if (e.k === 'num') return e.v;
  if (e.k === 'paren') return foldConstant(e.e);
  if (e.k !== 'bin') return undefined;
  const op = e.op;
  if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '%' && op !== '^') return undefined;
  const a = foldConstant(e.a);
  if (a === undefined) return undefined;
  const b = foldConstant(e.b);
  if (b === undefined) return undefined;
  if ((op === '/' || op === '%') && b === 0) return undefined;
  let r: number;
  switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/': r = a / b; break;
    case '%': r = a - Math.floor(a / b) * b; break;
    default: r = cPow(a, b);
  }
  return r !== r ? undefined : r;
}

/** C pow() (runtime.ts pow without the NaN sign detail: NaN results are not folded). */
function cPow(a: number, b: number): number {
  if (a === 1 || ((b === Infinity || b === -Infinity) && a === -1)) return 1;
  return Math.pow(a, b);
}

/**
 * A condition lua5.1 compiles to no instruction (luaK_goiftrue on a true constant): its
 * test has no line event.
 */
function alwaysTrue(e: Expr): boolean {
  switch (e.k) {
    case 'true': case 'num': case 'str': return true;
    case 'paren': return alwaysTrue(e.e);
    case 'un': return e.op === 'not' && (e.a.k === 'nil' || e.a.k === 'false');
    default: return false;
  }
}

const COMPARISON = new Set(['==', '~=', '<', '<=', '>', '>=']);

function isMulti(e: Expr): boolean {
  return e.k === 'call' || e.k === 'method' || e.k === 'vararg';
}

/** How lua5.1's getobjname names a value in error messages. */
function describe(e: Expr): string | undefined {
  switch (e.k) {
    case 'local': return `${e.up ? 'upvalue' : 'local'} '${e.v.name}'`;
    case 'global': return `global '${e.name}'`;
    case 'index': return `field '${e.key.k === 'str' ? e.key.v : '?'}'`;
    default: return undefined;
  }
}

/** The function name lua5.1's getfuncname gives a callee described as `desc` (null: none). */
function callName(desc: string | undefined): string | null {
  if (desc === undefined) return null;
  const m = /^[a-z]+ '(.*)'$/s.exec(desc);
  return m === null ? null : m[1];
}

function q(s: string | undefined): string {
  return s === undefined ? 'undefined' : JSON.stringify(s);
}

function numLiteral(v: number): string {
  if (v === Infinity) return 'Infinity';
  if (Object.is(v, -0)) return '-0';
  return v < 0 ? `(${v})` : String(v);
}

function strLiteral(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source for a chunk: `new Function('R','LF','T','G', source)` returns its
 * LuaFunction. With `debug`, the chunk reports line events and may pause at them
 * (runtime.ts, "Debugging"): slower, and only for a debugging session.
 */
export function compileToJs(ast: FunctionBody, sourceUrl: string, debug: DebugCompileOptions | null = null): string {
  const c = new Compiler(debug);
  return c.compileChunk(ast) + `\n//# sourceURL=${sourceUrl}`;
}
