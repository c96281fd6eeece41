/**
 * Lua 5.1 values as JavaScript values.
 *
 *   nil      -> undefined
 *   boolean  -> boolean
 *   number   -> number (a double)
 *   string   -> string, one char per byte (char codes 0..255): binary-safe byte strings
 *   table    -> LuaTable
 *   function -> LuaFunction (compiled Lua, or a host function)
 *   thread   -> Coroutine
 */
import { LuaTable } from './table.js';

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | Coroutine;

/**
 * The generator a Lua function runs as. It yields to hand control back to its driver
 * (budget spent: yields BUDGET; coroutine.yield: yields a CoroutineYield) and
 * returns the function's results.
 */
export type LuaGenerator = Generator<unknown, LuaValue[], unknown>;

/** A Lua function or a generator-aware host function: positional arguments. */
export type LuaGeneratorFunction = (...args: LuaValue[]) => LuaGenerator;

/**
 * The synchronous variant of a side-effect-free function (see compiler.ts, "restartable
 * functions"): runs without pausing and throws to give up; its caller then runs the
 * generator from the start instead.
 */
export type SyncFunction = (...args: LuaValue[]) => LuaValue[];

/** A plain host function: never suspends, never calls back into Lua. */
export type HostFunction = (args: LuaValue[]) => LuaValue[];

/**
 * A callable Lua value. Exactly one of `gen` and `host` is set: call sites test
 * `host !== null` and either call it with an argument array or `yield*` into `gen`.
 */
export class LuaFunction {
  constructor(
    /** Name used in messages such as "bad argument #1 to 'insert'". */
    public readonly name: string,
    public readonly gen: LuaGeneratorFunction | null,
    public readonly host: HostFunction | null,
    /** A generator written in the host (pcall, table.sort, ...), not compiled Lua. */
    public readonly isHostGenerator = false,
    /**
     * Set for functions that have no side effects (pure compiled Lua, math functions):
     * callers try it first. Cleared when it gives up for a reason other than the
     * budget, so a function that keeps needing its generator stops being tried.
     */
    public sync: SyncFunction | null = null,
  ) {}

  static fromHost(name: string, fn: HostFunction): LuaFunction {
    return new LuaFunction(name, null, fn);
  }

  static fromGenerator(name: string, fn: LuaGeneratorFunction): LuaFunction {
    return new LuaFunction(name, fn, null, true);
  }
}

export type CoroutineStatus = 'suspended' | 'running' | 'normal' | 'dead';

/** A Lua thread: the generator of its body, driven by coroutine.resume. */
export class Coroutine {
  status: CoroutineStatus = 'suspended';
  /** Created on first resume, from `body`. */
  generator: LuaGenerator | null = null;
  constructor(public readonly body: LuaFunction) {}
}

/** Lua's type() names. */
export function type(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined': return 'nil';
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
    default:
      if (v instanceof LuaFunction) return 'function';
      if (v instanceof Coroutine) return 'thread';
      if (v instanceof LuaTable) return 'table';
      // host objects: cjson.null is a LuaLightUserdata, named by lib/args.ts luaTypeName
      return (v as object).constructor?.name === 'LuaLightUserdata' ? 'userdata' : 'table';
  }
}

/** Lua truthiness: only nil and false are false. */
export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}
