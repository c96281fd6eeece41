/**
 * The scripting layer's one door into the Lua engine (src/lua): compiling chunks,
 * building the sandboxed global tables Redis 7.0 gives scripts, and running a call
 * in budgeted slices so a busy script can be suspended and killed.
 */
import {
  callSync, compile, Coroutine, createGlobals as createStandardGlobals, errorPosition, hostFunction, installRedisLibraries,
  LuaError, LuaExecution, LuaFunction, LuaKill, LuaLibError, LuaTable,
  type CompileOptions, type DebugFrame, type ExecutionResult, type LuaPosition, type LuaValue,
} from '../lua/index.js';
import { rawToString, toLuaError } from '../lua/runtime.js';

export { LuaError, LuaExecution, LuaKill, LuaTable, LuaFunction, LuaLibError, Coroutine, toLuaError, hostFunction, errorPosition, callSync };
export type { DebugFrame, ExecutionResult, LuaPosition, LuaValue };

/** Compiles `source` as a chunk named `@name` (errors print as "name:LINE: ..."). */
export function compileChunk(source: string, name: string, globals: LuaTable, options?: CompileOptions): LuaFunction {
  return compile(source, '@' + name, globals, options);
}

/**
 * A fresh global table protected the way Redis 7.0 protects it: reading an undefined
 * global raises "Script attempted to access nonexistent global variable", and (once
 * `seal` is called) writing raises "Attempt to modify a readonly table". With
 * `withStdlib`, it holds what EVAL scripts and function callbacks see: the Lua
 * standard library as Redis trims it, cjson, cmsgpack, bit, struct, and Redis's pcall.
 */
export function createGlobals(withStdlib: boolean): LuaTable {
  const g = withStdlib ? createStandardGlobals() : new LuaTable();
  if (withStdlib) {
    installRedisLibraries(g);
    g.set('pcall', redisPcall(g.get('pcall') as LuaFunction));
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

/**
 * luaRedisPcall: Lua's pcall, except that an error table carrying an `err` string
 * (what redis.call raises) comes back as that string.
 */
function redisPcall(luaPcall: LuaFunction): LuaFunction {
  const inner = luaPcall.gen!;
  return LuaFunction.fromGenerator('pcall', function* host_pcall(...args: LuaValue[]) {
    const r = yield* inner(...args);
    if (r[0] === false && r[1] instanceof LuaTable) {
      const err = r[1].get('err');
      if (typeof err === 'string' || typeof err === 'number') return [false, err];
    }
    return r;
  });
}

/** A Lua array of args[from..to) (KEYS / ARGV), without an intermediate slice. */
export function luaArray(args: string[], from: number, to: number): LuaTable {
  const t = new LuaTable(to - from, 0);
  for (let i = from; i < to; i++) t.set(i - from + 1, args[i]!);
  return t;
}

/** Makes the globals, their protecting metatable and each library table in them read-only. */
export function seal(globals: LuaTable): void {
  if (globals.metatable !== null) globals.metatable.readonly = true;
  let k: LuaValue = undefined;
  for (;;) {
    const e = globals.next(k);
    if (!e) break;
    k = e[0];
    if (e[1] instanceof LuaTable && e[1] !== globals) e[1].readonly = true;
  }
  globals.readonly = true;
}

/** How often (in budget units) a running call comes back to its driver. */
export const CHECK_INTERVAL = 100_000;

/**
 * Runs a call to completion without suspending (load-time code, EXEC); `onCheck` runs
 * between slices and may throw to abort. Throws LuaError (or LuaKill).
 */
export function runToCompletion(fn: LuaFunction, args: LuaValue[], onCheck?: () => void): LuaValue[] {
  const exec = new LuaExecution(fn, args);
  for (;;) {
    const r = exec.resume(CHECK_INTERVAL);
    switch (r.status) {
      case 'done': return r.values;
      case 'error': throw r.error;
      case 'killed': throw new LuaKill();
      case 'suspended': onCheck?.();
    }
  }
}

/** The text of a compile or run error (lua_tostring of the error value). */
export function errorText(e: unknown): string {
  return rawToString(toLuaError(e).value);
}
