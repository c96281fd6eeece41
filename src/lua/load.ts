/** Source -> LuaFunction: parse, compile to JavaScript, instantiate with `new Function`. */
import { compileToJs } from './compiler.js';
import { LuaSyntaxError, parse } from './parser.js';
import { LuaError, R, sourceUrlFor } from './runtime.js';
import { LuaTable } from './table.js';
import { LuaFunction } from './value.js';

const LUA_IDSIZE = 60;

/** luaO_chunkid: "@file" -> file, "=name" -> name, source -> [string "..."]. */
export function chunkDisplayName(source: string): string {
  if (source.startsWith('=')) return source.slice(1, LUA_IDSIZE);
  if (source.startsWith('@')) {
    const name = source.slice(1);
    const max = LUA_IDSIZE - 8;
    return name.length > max ? '...' + name.slice(name.length - max) : name;
  }
  let len = source.search(/[\n\r]/);
  const truncated = len >= 0;
  if (len < 0) len = source.length;
  const max = LUA_IDSIZE - 17;
  if (len > max) len = max;
  if (truncated || len < source.length) return `[string "${source.slice(0, len)}..."]`;
  return `[string "${source}"]`;
}

export interface CompileOptions {
  /**
   * Compile for a debugger: the chunk reports line events to the running execution's
   * line hook and can pause at them (LuaExecution's lineHook). Slower; a normal
   * compile carries none of it.
   */
  debug?: boolean;
}

type ChunkFactory = (r: typeof R, lf: typeof LuaFunction, t: typeof LuaTable, g: LuaTable) => LuaFunction;

/**
 * Compiles a chunk against the global table `env`. Throws LuaError with lua5.1's
 * message ("user_script:1: unexpected symbol near 'x'") on a syntax error.
 */
export function compile(source: string, chunkName: string, env: LuaTable, options: CompileOptions = {}): LuaFunction {
  const display = chunkDisplayName(chunkName);
  let js: string;
  try {
    js = compileToJs(parse(source, display), sourceUrlFor(display), options.debug ? { chunk: display } : null);
  } catch (e) {
    if (e instanceof LuaSyntaxError) throw new LuaError(e.message);
    throw e;
  }
  const factory = new Function('R', 'LF', 'T', 'G', js) as ChunkFactory;
  return factory(R, LuaFunction, LuaTable, env);
}
