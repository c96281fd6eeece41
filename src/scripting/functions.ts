/**
 * Function libraries (functions.c, function_lua.c): compiling a library's code with the
 * load-time API, `redis.register_function`, and the live set FCALL reads. How libraries
 * are put together (replace or not, name clashes) is LibrarySet's (library-set.ts).
 *
 * Name rules: library names are case-sensitive; function names are looked up
 * case-insensitively across libraries. Redis 7.0 lets one library register both `f`
 * and `F` (then crashes on DELETE); lunakv rejects that at load time.
 */
import { errorTable } from './convert.js';
import {
  compileChunk, errorText, hostFunction, LuaError, LuaFunction, LuaTable, runToCompletion, toLuaError, type LuaValue,
} from './lua-host.js';
import { LibrarySet, type Library } from './library-set.js';
import { INVALID_NAME, isValidName, lowerAscii, parseLibraryHeader, scriptFlagByName } from './metadata.js';
import { numberToString } from '../lua/lib/number.js';

/** What compiling a library needs from its engine (the engine's function globals). */
export interface LibraryHost {
  /** The globals library code and callbacks are compiled with. */
  readonly functionGlobals: LuaTable;
  /** Runs `body` (a library's top level) with the load-time API in those globals. */
  withLoadApi<T>(registerFunction: LuaFunction, body: () => T): T;
}

/** lua_isstring + lua_tolstring: strings, and numbers formatted with %.14g. */
function luaString(v: LuaValue): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return null;
}

const LOAD_TIMEOUT_MS = 500;

export class FunctionLibraries {
  /** The libraries FCALL sees (functions.c's curr_functions_lib_ctx). */
  readonly live = new LibrarySet();
  /** The library whose top-level code is running (register_function adds to it). */
  private loading: Library | null = null;
  private readonly registerFunction: LuaFunction;

  constructor(private readonly host: LibraryHost) {
    this.registerFunction = hostFunction('register_function', (args) => {
      this.register(args);
      return [];
    });
  }

  /**
   * functionsCreateWithLibraryCtx: compiles `source` and joins it to `set`. Without
   * `replace`, a library of that name already in `set` is an error, before compiling.
   * `timeoutMs` 0 means no limit (RESTORE, loading). Returns the library name or an
   * error text (without "ERR ").
   */
  create(source: string, set: LibrarySet, replace: boolean, timeoutMs: number): string | { error: string } {
    const header = parseLibraryHeader(source);
    if (typeof header === 'string') return { error: header };
    if (lowerAscii(header.engine) !== 'lua') return { error: `Engine '${header.engine}' not found` };
    if (!replace && set.libraries.has(header.name)) return { error: `Library '${header.name}' already exists` };
    const lib: Library = { name: header.name, code: source, functions: new Map() };
    const error = this.compileLibrary(lib, header.code, timeoutMs);
    if (error !== null) return { error };
    if (lib.functions.size === 0) return { error: 'No functions registered' };
    const clash = set.join(LibrarySet.of(lib), 'replace');
    return clash === null ? lib.name : { error: clash };
  }

  /**
   * Compiles library sources (an RDB's, a RESTORE payload's) into a new set, as
   * rdbFunctionLoad does one by one; the set, or the first error text.
   */
  compileAll(sources: readonly string[]): LibrarySet | { error: string } {
    const set = new LibrarySet();
    for (const source of sources) {
      const r = this.create(source, set, false, 0);
      if (typeof r !== 'string') return r;
    }
    return set;
  }

  /** luaEngineCreate: compile, run the top level with the load API; null or the error text. */
  private compileLibrary(lib: Library, code: string, timeoutMs: number): string | null {
    let chunk: LuaFunction;
    try {
      chunk = compileChunk(code, 'user_function', this.host.functionGlobals);
    } catch (e) {
      return `Error compiling function: ${errorText(e)}`;
    }
    const start = Date.now();
    this.loading = lib;
    try {
      this.host.withLoadApi(this.registerFunction, () =>
        runToCompletion(chunk, [], () => {
          if (timeoutMs > 0 && Date.now() - start > timeoutMs) throw new LuaError(errorTable('FUNCTION LOAD timeout'));
        }),
      );
    } catch (e) {
      const v = toLuaError(e).value;
      let msg: string;
      if (v instanceof LuaTable) {
        const err = v.get('err');
        msg = typeof err === 'string' ? err : '(null)';
      } else {
        msg = 'ERR ' + errorText(e);
      }
      return `Error registering functions: ${msg}`;
    } finally {
      this.loading = null;
    }
    return null;
  }

  /** redis.register_function(name, callback) or redis.register_function{...}. */
  private register(args: LuaValue[]): void {
    const lib = this.loading;
    if (!lib) throw new LuaError(errorTable('redis.register_function can only be called on FUNCTION LOAD command'));
    const fail = (msg: string): never => {
      throw new LuaError(errorTable(msg));
    };
    if (args.length < 1 || args.length > 2) fail('wrong number of arguments to redis.register_function');
    let name: string | null = null;
    let callback: LuaFunction | null = null;
    let description: string | null = null;
    let flags = 0;
    if (args.length === 1) {
      const t = args[0];
      if (!(t instanceof LuaTable)) {
        fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      let k: LuaValue = undefined;
      for (;;) {
        const e = (t as LuaTable).next(k);
        if (!e) break;
        k = e[0];
        const v = e[1];
        const key = luaString(e[0]);
        if (key === null) fail('named argument key given to redis.register_function is not a string');
        const lk = lowerAscii(key!);
        if (lk === 'function_name') {
          name = luaString(v);
          if (name === null) fail('function_name argument given to redis.register_function must be a string');
        } else if (lk === 'description') {
          description = luaString(v);
          if (description === null) fail('description argument given to redis.register_function must be a string');
        } else if (lk === 'callback') {
          if (!(v instanceof LuaFunction)) fail('callback argument given to redis.register_function must be a function');
          callback = v as LuaFunction;
        } else if (lk === 'flags') {
          if (!(v instanceof LuaTable)) fail('flags argument to redis.register_function must be a table representing function flags');
          const f = readFlags(v as LuaTable);
          if (f === null) fail('unknown flag given');
          flags = f!;
        } else {
          fail('unknown argument given to redis.register_function');
        }
      }
      if (name === null) fail('redis.register_function must get a function name argument');
      if (callback === null) fail('redis.register_function must get a callback argument');
    } else {
      name = luaString(args[0]);
      if (name === null) fail('first argument to redis.register_function must be a string');
      if (!(args[1] instanceof LuaFunction)) fail('second argument to redis.register_function must be a function');
      callback = args[1] as LuaFunction;
    }
    if (!isValidName(name!)) fail(INVALID_NAME);
    // Case-insensitive here (Redis compares exactly, then misbehaves on f/F pairs).
    for (const existing of lib.functions.keys()) {
      if (lowerAscii(existing) === lowerAscii(name!)) fail('Function already exists in the library');
    }
    lib.functions.set(name!, { name: name!, callback: callback!, description, flags, library: lib });
  }

  /** FUNCTION LOAD [REPLACE]: the library name, or the error text. */
  load(source: string, replace: boolean): string | { error: string } {
    return this.create(source, this.live, replace, LOAD_TIMEOUT_MS);
  }
}

/** Flags table: the array part up to the first nil, case-insensitive names; null if unknown. */
function readFlags(t: LuaTable): number | null {
  let flags = 0;
  for (let j = 1; ; j++) {
    const v = t.get(j);
    if (v === undefined) break;
    const s = luaString(v);
    if (s === null) return null;
    const bit = scriptFlagByName(s, true);
    if (!bit) return null;
    flags |= bit;
  }
  return flags;
}
