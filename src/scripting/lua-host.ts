/**
 * The only module of the scripting layer that knows the Lua engine's internals:
 * compiling chunks, building sandboxed global tables, running a call with an
 * instruction budget (so a busy script can be suspended and killed), and finding the
 * Lua position an error was raised at (what Redis's `__redis__err__handler` reads
 * with debug.getinfo).
 *
 * The engine's own standard library (src/lua) is still being written; until it lands
 * the base functions come from ./fallback-stdlib.ts. Swapping is one import here.
 */
import { compile } from '../lua/load.js';
import { LuaError, LuaKill, R, sourceUrlFor, toLuaError } from '../lua/runtime.js';
import { LuaTable } from '../lua/table.js';
import { LuaFunction, type LuaValue } from '../lua/value.js';
import { LuaLibError } from '../lua/errors.js';
import { installStandardLibrary } from './fallback-stdlib.js';

export { LuaError, LuaKill, LuaTable, LuaFunction, LuaLibError, toLuaError };
export type { LuaValue };

/** Compiles `source` as a chunk named `@name` (errors print as "name:LINE: ..."). */
export function compileChunk(source: string, name: string, globals: LuaTable): LuaFunction {
  return compile(source, '@' + name, globals);
}

/** A host function callable from Lua. Throw LuaLibError for "chunk:LINE: msg" errors. */
export function hostFunction(name: string, fn: (args: LuaValue[]) => LuaValue[]): LuaFunction {
  return LuaFunction.fromHost(name, fn);
}

/**
 * A fresh global table holding the standard library Redis exposes, protected the way
 * Redis 7.0 protects it: reading an undefined global raises "Script attempted to access
 * nonexistent global variable", and (once `seal` is called) writing raises
 * "Attempt to modify a readonly table".
 */
export function createGlobals(withStdlib: boolean): LuaTable {
  const g = new LuaTable();
  if (withStdlib) {
    installStandardLibrary(g);
    g.set('_G', g);
  }
  const meta = new LuaTable();
  meta.set(
    '__index',
    hostFunction('__index', (args) => {
      throw new LuaLibError(`Script attempted to access nonexistent global variable '${String(args[1])}'`);
    }),
  );
  g.metatable = meta;
  return g;
}

/** Makes a table (and, for the globals, each library table in it) read-only. */
export function seal(globals: LuaTable): void {
  let k: LuaValue = undefined;
  for (;;) {
    const e = globals.next(k);
    if (!e) break;
    k = e[0];
    if (e[1] instanceof LuaTable && e[1] !== globals) e[1].readonly = true;
  }
  globals.readonly = true;
}

/** Where an error was raised: the innermost Lua frame recorded in the exception's stack. */
export interface LuaPosition {
  source: string;
  line: number;
}

const SOURCE_PREFIX = sourceUrlFor('');
/** compiler.ts puts each Lua line on the same JS line, after `new Function`'s 2 header lines. */
const FUNCTION_HEADER_LINES = 2;

interface CallSiteLike {
  getScriptNameOrSourceURL(): string | null;
  getLineNumber(): number | null;
  getFunctionName(): string | null;
}

/** Host functions named host_* count as C levels (see runtime.ts). */
const HOST_FRAME_PREFIX = 'host_';

export interface AnalyzedError {
  /** The raised Lua value (what pcall would return). */
  value: LuaValue;
  /** The innermost Lua frame: where __redis__err__handler says the error happened. */
  position: LuaPosition | null;
}

/**
 * The Lua value and position of an exception from a script. Both come from one look at
 * the JavaScript stack: V8 formats an exception's stack only once, so the position and
 * the "chunk:LINE:" prefix of library errors must be read together.
 */
export function analyzeError(e: unknown): AnalyzedError {
  if (!(e instanceof Error)) return { value: toLuaError(e).value, position: null };
  let position: LuaPosition | null = null;
  let firstLevelIsLua = false;
  let sawLevel = false;
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_err, sites) => {
    for (const s of sites as unknown as CallSiteLike[]) {
      const url = s.getScriptNameOrSourceURL();
      if (url && url.startsWith(SOURCE_PREFIX)) {
        if (!sawLevel) firstLevelIsLua = true;
        sawLevel = true;
        position = {
          source: '@' + decodeURIComponent(url.slice(SOURCE_PREFIX.length)),
          line: (s.getLineNumber() ?? 0) - FUNCTION_HEADER_LINES,
        };
        break;
      }
      const fname = s.getFunctionName();
      if (fname && fname.startsWith(HOST_FRAME_PREFIX)) sawLevel = true;
    }
    return '';
  };
  try {
    void e.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  const pos = position as LuaPosition | null;
  if (e instanceof LuaLibError) {
    const prefix = firstLevelIsLua && pos ? `${pos.source.slice(1)}:${pos.line}: ` : '';
    return { value: prefix + e.message, position: pos };
  }
  if (e instanceof LuaError) return { value: e.value, position: pos };
  if (e instanceof RangeError && /call stack/.test(e.message)) {
    return { value: (pos ? `${pos.source.slice(1)}:${pos.line}: ` : '') + 'stack overflow', position: pos };
  }
  return { value: toLuaError(e).value, position: pos };
}

/** How often (in budget units) a running call comes back to its driver. */
export const CHECK_INTERVAL = 100_000;

export type StepResult = { done: true; values: LuaValue[] } | { done: false };

/**
 * One call of a Lua function, driven step by step: `step()` runs until the call ends
 * or its instruction budget is spent. Errors propagate as exceptions (LuaError,
 * LuaLibError, LuaKill, RangeError for stack overflow).
 */
export class LuaCall {
  private readonly generator: Generator<unknown, LuaValue[], unknown> | null;
  private readonly immediate: LuaValue[] | null;

  constructor(fn: LuaFunction, args: LuaValue[]) {
    if (fn.host !== null) {
      this.generator = null;
      this.immediate = fn.host(args);
    } else {
      this.generator = fn.gen!(...args);
      this.immediate = null;
    }
  }

  step(budget = CHECK_INTERVAL): StepResult {
    if (this.generator === null) return { done: true, values: this.immediate! };
    const savedLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    R.budget = budget;
    try {
      const r = this.generator.next();
      if (r.done) return { done: true, values: r.value };
      return { done: false };
    } finally {
      R.budget = Infinity;
      Error.stackTraceLimit = savedLimit;
    }
  }

  /**
   * Ends a suspended call with LuaKill raised at the script's current position: the
   * budget counter becomes, for one resume, an accessor that throws when the compiled
   * code's next budget check reads it, so the exception's stack holds the Lua line.
   * Returns the exception that came out (LuaKill, or whatever a finalizer raised).
   */
  kill(): unknown {
    if (this.generator === null) return new LuaKill();
    const savedLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    Object.defineProperty(R, 'budget', {
      configurable: true,
      enumerable: true,
      get(): number {
        throw new LuaKill();
      },
      set(): void {},
    });
    try {
      for (;;) {
        const r = this.generator.next();
        if (r.done) return new LuaKill();
      }
    } catch (e) {
      return e;
    } finally {
      Object.defineProperty(R, 'budget', { configurable: true, enumerable: true, writable: true, value: Infinity });
      Error.stackTraceLimit = savedLimit;
    }
  }
}

/** Runs a call to completion without suspending (load-time code, EXEC). */
export function runToCompletion(fn: LuaFunction, args: LuaValue[], onCheck?: () => void): LuaValue[] {
  const c = new LuaCall(fn, args);
  for (;;) {
    const r = c.step();
    if (r.done) return r.values;
    onCheck?.();
  }
}
