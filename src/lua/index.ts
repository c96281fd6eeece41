/**
 * lunakv's Lua 5.1 engine: host API.
 *
 * Lua source is compiled to JavaScript generator functions (see compiler.ts); every
 * call and loop back-edge spends one unit of an instruction budget, and when the
 * budget is spent the script yields control back to the host, which may resume or
 * kill it.
 *
 *   import { createGlobals, compile, hostFunction, LuaExecution, callSync, LuaError } from './lua/index.js';
 *
 *   const G = createGlobals();                      // fresh _G with the Redis 7.0 standard library
 *   G.set('redis', tableOf({ call: hostFunction('call', (args) => [...]) }));
 *   G.readonly = true;                              // "Attempt to modify a readonly table"
 *   const fn = compile(source, '@user_script', G);  // throws LuaError "user_script:1: ..." on syntax errors
 *
 *   const exec = new LuaExecution(fn, [keysTable, argvTable]);
 *   let r = exec.resume(100_000);                   // { status: 'done', values } | { status: 'suspended' }
 *                                                   // | { status: 'error', error: LuaError }
 *   while (r.status === 'suspended') { ...serve other clients...; r = exec.resume(100_000); }
 *   exec.kill();                                    // kills a suspended script: pcall cannot catch it;
 *                                                   // the next resume() (or kill() itself) reports status 'killed'
 *
 *   callSync(fn, args)  runs to completion without a budget; throws LuaError.
 *
 * Values (value.ts): nil = undefined, booleans, numbers (doubles), strings as byte
 * strings (one char per byte, codes 0..255), LuaTable, LuaFunction, Coroutine.
 * Host functions: `(args: LuaValue[]) => LuaValue[]`; throw `LuaLibError` (errors.ts)
 * for an error that gets the caller's "chunk:LINE: " prefix (as luaL_error), or
 * `LuaError` with any value (e.g. a table {err='...'}) to raise it unchanged.
 * A missing-global hook: give G a metatable whose __index is a host function that
 * throws (Redis: "Script attempted to access nonexistent global variable 'x'").
 * `resetRandomSeed()` reseeds math.random's Redis PRNG.
 */
import { compile as compileChunk, chunkDisplayName } from './load.js';
import { CoroutineYield, LuaError, LuaKill, MAX_BUDGET_SLICE, R, toLuaError } from './runtime.js';
import { installBase } from './std/base.js';
import { createCoroutineLibrary } from './std/coroutine.js';
import { createMathLibrary, resetRandomSeed } from './std/math.js';
import { createStringLibrary } from './std/string.js';
import { createTableLibrary } from './std/table.js';
import { tableOf } from './std/util.js';
import { LuaTable } from './table.js';
import { Coroutine, LuaFunction, type HostFunction, type LuaGenerator, type LuaValue, type } from './value.js';

export { LuaError, LuaKill, LuaTable, LuaFunction, Coroutine, resetRandomSeed, tableOf, type, chunkDisplayName };
export type { LuaValue, HostFunction };
export { LuaLibError, argError } from './errors.js';

/** A fresh globals table with the Lua standard library as Redis 7.0 exposes it. */
export function createGlobals(): LuaTable {
  const G = new LuaTable();
  installBase(G);
  G.set('string', createStringLibrary());
  G.set('table', createTableLibrary());
  G.set('math', createMathLibrary());
  G.set('coroutine', createCoroutineLibrary());
  return G;
}

/** Compiles `source`; chunkName as in Lua ("@user_script" shows as user_script). */
export function compile(source: string, chunkName: string, env: LuaTable): LuaFunction {
  return compileChunk(source, chunkName, env);
}

/** Wraps a JS function so Lua can call it. */
export function hostFunction(name: string, fn: HostFunction): LuaFunction {
  return LuaFunction.fromHost(name, fn);
}

/** Marks a table (and optionally the tables it holds, recursively) read-only. */
export function setReadonly(t: LuaTable, recursive = false, seen = new Set<LuaTable>()): void {
  if (seen.has(t)) return;
  seen.add(t);
  t.readonly = true;
  if (!recursive) return;
  for (let p = t.nextPosition(-1); p >= 0; p = t.nextPosition(p)) {
    const v = t.valueAt(p);
    if (v instanceof LuaTable) setReadonly(v, true, seen);
  }
}

export type ExecutionResult =
  | { status: 'done'; values: LuaValue[] }
  | { status: 'suspended' }
  | { status: 'error'; error: LuaError }
  | { status: 'killed' };

/** A Lua call that runs in budgeted slices. */
export class LuaExecution {
  private generator: LuaGenerator | null;
  private finished: ExecutionResult | null = null;

  constructor(fn: LuaFunction, args: LuaValue[]) {
    this.generator = fn.gen !== null ? fn.gen(...args) : hostAsGenerator(fn, args);
  }

  get done(): boolean {
    return this.finished !== null;
  }

  /** Runs until finished or until `budget` calls/loop iterations have been spent. */
  resume(budget: number): ExecutionResult {
    if (this.finished) return this.finished;
    return this.step(budget, false);
  }

  /** Kills the script: raises an uncatchable error at its suspension point. */
  kill(): ExecutionResult {
    if (this.finished) return this.finished;
    return this.step(Infinity, true);
  }

  private step(budget: number, kill: boolean): ExecutionResult {
    const gen = this.generator!;
    const savedBudget = R.budget;
    let remaining = budget;
    try {
      for (;;) {
        const slice = Math.max(0, Math.min(remaining, MAX_BUDGET_SLICE)) | 0;
        remaining -= slice;
        R.budget = slice;
        const r = kill ? gen.throw(new LuaKill()) : gen.next();
        kill = false;
        if (r.done) return this.finish({ status: 'done', values: r.value });
        if (r.value instanceof CoroutineYield) continue; // not reached: yield outside a coroutine raises first
        if (remaining > 0) continue; // a slice of a larger budget ran out
        return { status: 'suspended' };
      }
    } catch (e) {
      if (e instanceof LuaKill) return this.finish({ status: 'killed' });
      return this.finish({ status: 'error', error: toLuaError(e) });
    } finally {
      R.budget = savedBudget;
    }
  }

  private finish(r: ExecutionResult): ExecutionResult {
    this.finished = r;
    this.generator = null;
    return r;
  }
}

function* hostAsGenerator(fn: LuaFunction, args: LuaValue[]): LuaGenerator {
  return fn.host!(args);
}

/** Calls a Lua function to completion, without a budget. Throws LuaError. */
export function callSync(fn: LuaFunction, args: LuaValue[]): LuaValue[] {
  const exec = new LuaExecution(fn, args);
  const r = exec.resume(Infinity);
  if (r.status === 'done') return r.values;
  if (r.status === 'error') throw r.error;
  throw new LuaError('script did not finish');
}
