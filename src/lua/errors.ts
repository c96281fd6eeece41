/**
 * Errors raised by library functions written in TypeScript (string.rep, cjson.decode,
 * ...). Like luaL_error, the runtime prefixes the message with the position of the
 * calling Lua code ("chunk:LINE: ") before raising it as a Lua error.
 */
export class LuaLibError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaLibError';
  }
}

/** luaL_argerror: "bad argument #N to 'fname' (extramsg)". */
export function argError(argIndex: number, functionName: string, extraMessage: string): LuaLibError {
  return new LuaLibError(`bad argument #${argIndex} to '${functionName}' (${extraMessage})`);
}
