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
 *   exec.kill();                                    // kills a suspended script at its current line: pcall
 *                                                   // cannot catch it; reports { status: 'killed', position }
 *   errors report { status: 'error', error, position }: position = the innermost Lua line
 *   (errorPosition(e) gives the same for any exception a script raised).
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
import { compile as compileChunk, chunkDisplayName, type CompileOptions } from './load.js';
import {
  allowSyncAttempts, CoroutineYield, DEBUG_PAUSE, DebugRaise, debugState, errorPosition, LuaError, LuaKill, MAX_BUDGET_SLICE, R,
  toLuaError, type DebugFrame, type LineHook, type LuaPosition,
} from './runtime.js';
import { installBase } from './std/base.js';
import { createCoroutineLibrary } from './std/coroutine.js';
import { createMathLibrary, resetRandomSeed } from './std/math.js';
import { createStringLibrary } from './std/string.js';
import { createTableLibrary } from './std/table.js';
import { tableOf } from './std/util.js';
import { bitLibrary } from './lib/bit.js';
import { createCjsonModule } from './lib/cjson.js';
import { cmsgpackInfo, cmsgpackLibrary } from './lib/cmsgpack.js';
import { structLibrary } from './lib/struct.js';
import { LuaTable } from './table.js';
import { Coroutine, LuaFunction, type HostFunction, type LuaGenerator, type LuaValue, type } from './value.js';

export { LuaError, LuaKill, LuaTable, LuaFunction, Coroutine, resetRandomSeed, tableOf, type, chunkDisplayName };
export type { LuaValue, HostFunction, LuaPosition, CompileOptions, DebugFrame, LineHook };
export { errorPosition };
export { LuaLibError, argError } from './errors.js';

/** A fresh globals table with the Lua standard library as Redis 7.0 exposes it. */
export function createGlobals(): LuaTable {
  const G = new LuaTable();
  installBase(G);
  G.set('string', createStringLibrary());
  G.set('table', createTableLibrary());
  G.set('math', createMathLibrary());
  G.set('coroutine', createCoroutineLibrary());
  markPure(G, PURE_BASE);
  markPure(G.get('math') as LuaTable, PURE_MATH);
  markPure(G.get('string') as LuaTable, PURE_STRING);
  return G;
}

/**
 * Library functions without side effects that never call back into Lua: restartable
 * Lua functions (see runtime.ts) may call them from their synchronous variants.
 */
const PURE_BASE = ['type', 'select', 'rawget', 'rawequal', 'tonumber', 'unpack', 'next', 'ipairs', 'pairs', 'getmetatable'];
const PURE_MATH = ['abs', 'ceil', 'floor', 'sqrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'exp', 'log',
  'log10', 'pow', 'fmod', 'modf', 'frexp', 'ldexp', 'min', 'max', 'deg', 'rad', 'sinh', 'cosh', 'tanh', 'mod'];
const PURE_STRING = ['len', 'sub', 'byte', 'char', 'upper', 'lower', 'rep', 'reverse', 'find', 'match'];

function markPure(lib: LuaTable, names: string[]): void {
  for (const name of names) {
    const f = lib.get(name);
    if (!(f instanceof LuaFunction) || f.host === null) continue;
    const host = f.host;
    f.sync = (...args) => host(args);
  }
}

/**
 * Adds the libraries Redis links into its Lua (cjson, cmsgpack, bit, struct) to a
 * globals table, as the globals of the same names.
 */
export function installRedisLibraries(G: LuaTable): void {
  G.set('cjson', createCjsonModule());
  G.set('cmsgpack', libraryTable(cmsgpackLibrary, cmsgpackInfo));
  G.set('bit', libraryTable(bitLibrary, {}));
  G.set('struct', libraryTable(structLibrary, {}));
}

function libraryTable(functions: Record<string, (args: never[]) => unknown[]>, fields: Record<string, string>): LuaTable {
  const t = new LuaTable();
  for (const [name, fn] of Object.entries(functions)) t.set(name, LuaFunction.fromHost(name, fn as unknown as HostFunction));
  for (const [name, value] of Object.entries(fields)) t.set(name, value);
  return t;
}

/**
 * Compiles `source`; chunkName as in Lua ("@user_script" shows as user_script).
 * `{ debug: true }`: for a debugger (see LuaExecution's lineHook).
 */
export function compile(source: string, chunkName: string, env: LuaTable, options?: CompileOptions): LuaFunction {
  return compileChunk(source, chunkName, env, options);
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
  /** A chunk compiled with { debug: true } paused at a line event (its line hook asked). */
  | { status: 'paused' }
  /** `position`: the innermost Lua line the error was raised at (null: raised by the host). */
  | { status: 'error'; error: LuaError; position: LuaPosition | null }
  /** `position`: the Lua line the script was at when it was killed. */
  | { status: 'killed'; position: LuaPosition | null };

/** Stack frames captured per exception while a script runs: enough to reach its Lua line. */
const SCRIPT_STACK_TRACE_LIMIT = 100;

/** What the suspended budget check is resumed with to raise the kill (compiler.ts). */
const KILL_RESUME_VALUE = true;

/**
 * A Lua call that runs in budgeted slices.
 *
 * Debugging: chunks compiled with { debug: true } report each line event to
 * `lineHook` while this execution runs (with the frame: its line, locals and callers);
 * when the hook returns true the call pauses there and `resume` reports 'paused'.
 * The next `resume` goes on from that line, `raise(value)` raises `value` there as a
 * Lua error (the script's pcall can catch it), `kill()` kills it there.
 */
export class LuaExecution {
  private generator: LuaGenerator | null;
  private finished: ExecutionResult | null = null;
  /** A debugging execution's state (null for a normal one, which never touches debugState). */
  private readonly debug: DebugRun | null;

  constructor(fn: LuaFunction, args: LuaValue[], lineHook: LineHook | null = null) {
    this.generator = fn.gen !== null ? fn.gen(...args) : hostAsGenerator(fn, args);
    this.debug = lineHook === null ? null : { hook: lineHook, frame: null };
  }

  /** The innermost call level of a debug-compiled chunk (null: none, or not debugging). */
  get currentFrame(): DebugFrame | null {
    return this.debug === null ? null : this.debug.frame;
  }

  get done(): boolean {
    return this.finished !== null;
  }

  /** Runs until finished or until `budget` calls/loop iterations have been spent. */
  resume(budget: number): ExecutionResult {
    if (this.finished) return this.finished;
    return this.debug === null ? this.step(budget, false, undefined) : this.debugStep(budget, false, undefined);
  }

  /** Resumes an execution paused at a line by raising `value` as an error there. */
  raise(value: LuaValue, budget: number): ExecutionResult {
    if (this.finished) return this.finished;
    const send = new DebugRaise(value);
    return this.debug === null ? this.step(budget, false, send) : this.debugStep(budget, false, send);
  }

  /**
   * Kills the script: raises an uncatchable LuaKill at its current line (pcall and
   * coroutine.resume do not catch it). A finalizer cannot run Lua code afterwards, but
   * an error raised by the host while unwinding is reported as the result instead.
   */
  kill(): ExecutionResult {
    if (this.finished) return this.finished;
    return this.debug === null ? this.step(0, true, undefined) : this.debugStep(0, true, undefined);
  }

  /** `step` with this execution's line hook and frames installed. */
  private debugStep(budget: number, kill: boolean, send: unknown): ExecutionResult {
    const debug = this.debug!;
    const savedHook = debugState.hook;
    const savedFrame = debugState.current;
    debugState.hook = debug.hook;
    debugState.current = debug.frame;
    try {
      return this.step(budget, kill, send);
    } finally {
      debug.frame = debugState.current;
      debugState.hook = savedHook;
      debugState.current = savedFrame;
    }
  }

  /** `send`: what the first resumption hands the paused script (a DebugRaise). */
  private step(budget: number, kill: boolean, send: unknown): ExecutionResult {
    const gen = this.generator!;
    const savedBudget = R.budget;
    const savedLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = SCRIPT_STACK_TRACE_LIMIT;
    let remaining = budget;
    try {
      for (;;) {
        const slice = Math.max(0, Math.min(remaining, MAX_BUDGET_SLICE)) | 0;
        remaining -= slice;
        R.budget = slice;
        allowSyncAttempts();
        // A pause receives KILL_RESUME_VALUE; a script not yet started pauses at its
        // first budget check (the budget is 0), and the next turn kills it there.
        const r = kill ? gen.next(KILL_RESUME_VALUE) : gen.next(send);
        if (r.done) return this.finish({ status: 'done', values: r.value });
        send = undefined;
        if (kill) continue;
        if (r.value === DEBUG_PAUSE) return { status: 'paused' };
        if (r.value instanceof CoroutineYield) continue; // not reached: yield outside a coroutine raises first
        if (remaining > 0) continue; // a slice of a larger budget ran out
        return { status: 'suspended' };
      }
    } catch (e) {
      if (e instanceof LuaKill) return this.finish({ status: 'killed', position: errorPosition(e) });
      return this.finish({ status: 'error', error: toLuaError(e), position: errorPosition(e) });
    } finally {
      R.budget = savedBudget;
      Error.stackTraceLimit = savedLimit;
    }
  }

  private finish(r: ExecutionResult): ExecutionResult {
    this.finished = r;
    this.generator = null;
    return r;
  }
}

/** A debugging execution's line hook, and its innermost frame while it does not run. */
interface DebugRun {
  readonly hook: LineHook;
  frame: DebugFrame | null;
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
