/**
 * The `redis` table scripts see (script_lua.c's luaRegisterRedisAPI): redis.call and
 * friends turn Lua arguments into argv, run it through the run context's checks
 * (run-context.ts, script.c's scriptCall) and convert replies with convert.ts.
 */
import { createHash } from 'node:crypto';
import type { LogLevel } from '../server/logger.js';
import { AclDenial } from '../server/acl.js';
import { ErrorReply } from '../protocol/reply.js';
import { formatG } from '../protocol/double.js';
import { errorTable, replyToLua } from './convert.js';
import { createGlobals, hostFunction, LuaError, LuaFunction, LuaTable, type LuaValue } from './lua-host.js';
import { callerPermission, Refusal, scriptCall, type ScriptHost } from './run-context.js';
import { rawToString } from '../lua/runtime.js';

export const REDIS_VERSION = '7.0.15';
export const REDIS_VERSION_NUM = 0x0007000f;

const LOG_LEVELS: LogLevel[] = ['debug', 'verbose', 'notice', 'warning'];

/** Raises an `{err=...}` table like luaPushError + luaError. */
function raise(message: string): never {
  throw new LuaError(errorTable(message));
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** luaArgsToRedisArgv: strings as they are, numbers as %.17g; null if another type is found. */
function toArgv(args: LuaValue[]): string[] | null {
  const argv: string[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string') argv[i] = a;
    else if (typeof a === 'number') argv[i] = formatG(a, 17);
    else return null;
  }
  return argv;
}

function genericCall(host: ScriptHost, args: LuaValue[], raiseError: boolean): LuaValue[] {
  const ctx = host.current;
  if (!ctx) raise('redis.call/pcall can only be called inside a script invocation');
  let failure: string | null = null;
  let argv: string[] | null = null;
  if (args.length === 0) failure = 'Please specify at least one argument for this redis lib call';
  else if ((argv = toArgv(args)) === null) failure = 'Lua redis lib command arguments must be strings or integers';
  const dbg = host.debugHooks;
  if (failure !== null) {
    if (dbg !== null && dbg.logging) dbg.log(`<error> ${failure}`);
    const t = errorTable(failure);
    if (raiseError) throw new LuaError(t);
    return [t];
  }
  if (dbg !== null && dbg.logging) dbg.logCommand(argv!);
  const reply = scriptCall(host, ctx, argv!);
  if (reply instanceof Refusal) {
    if (dbg !== null && dbg.logging) dbg.log(`<error> ${reply.message}`);
    const t = errorTable(reply.message);
    t.set('ignore_error_stats_update', true);
    host.server.stats.error(errorCode(t.get('err') as string));
    if (raiseError) throw new LuaError(t);
    return [t];
  }
  const value = replyToLua(reply, ctx.resp);
  if (dbg !== null && dbg.logging) {
    // redisProtocolToLuaType_Error logs the error as it converts it, then the reply is logged.
    if (reply instanceof ErrorReply) dbg.log(`<error> -${reply.message}`);
    dbg.logReply(reply, ctx.resp);
  }
  if (raiseError && reply instanceof ErrorReply) throw new LuaError(value);
  return [value];
}

function errorCode(message: string): string {
  const sp = message.indexOf(' ');
  return sp < 0 ? message : message.slice(0, sp);
}

function singleFieldTable(field: string, args: LuaValue[]): LuaValue[] {
  if (args.length !== 1 || typeof args[0] !== 'string') return [errorTable('wrong number or type of arguments')];
  const t = new LuaTable(0, 1);
  t.set(field, args[0]);
  return [t];
}

function toNumberLoose(v: LuaValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** redis.log(level, ...) */
function logFunction(host: ScriptHost) {
  return hostFunction('log', (args) => {
    if (args.length < 2) raise('redis.log() requires two arguments or more.');
    const lv = args[0];
    if (typeof lv !== 'number' && !(typeof lv === 'string' && lv.trim() !== '' && !Number.isNaN(Number(lv)))) {
      raise('First argument must be a number (log level).');
    }
    const level = Math.trunc(toNumberLoose(lv));
    if (level < 0 || level > 3) raise('Invalid debug level.');
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'string' || typeof a === 'number') parts.push(typeof a === 'string' ? a : rawToString(a));
    }
    host.server.log.log(LOG_LEVELS[level], parts.join(' '));
    return [];
  });
}

function setConstants(t: LuaTable): void {
  t.set('REDIS_VERSION_NUM', REDIS_VERSION_NUM);
  t.set('REDIS_VERSION', REDIS_VERSION);
  t.set('LOG_DEBUG', 0);
  t.set('LOG_VERBOSE', 1);
  t.set('LOG_NOTICE', 2);
  t.set('LOG_WARNING', 3);
}

/**
 * The global `__redis__err__handler` EVAL scripts can see: Redis runs it on errors to
 * turn them into {err=...} tables and add the position. lunakv finds the position
 * natively (lua-host), so calling it directly only does the conversion.
 */
export function createErrorHandler(): LuaFunction {
  return hostFunction('__redis__err__handler', (args) => {
    const err = args[0];
    if (err instanceof LuaTable) return [err];
    const t = new LuaTable(0, 1);
    t.set('err', 'ERR ' + rawToString(err));
    return [t];
  });
}

/** The full `redis` table used while scripts and functions run. */
export function createRedisTable(host: ScriptHost): LuaTable {
  const t = new LuaTable();
  setConstants(t);
  t.set('log', logFunction(host));
  t.set('call', hostFunction('call', (args) => genericCall(host, args, true)));
  t.set('pcall', hostFunction('pcall', (args) => genericCall(host, args, false)));
  t.set(
    'setresp',
    hostFunction('setresp', (args) => {
      const ctx = host.current;
      if (!ctx) raise('redis.setresp can only be called inside a script invocation');
      if (args.length !== 1) raise('redis.setresp() requires one argument.');
      const resp = Math.trunc(toNumberLoose(args[0]));
      if (resp !== 2 && resp !== 3) raise('RESP version must be 2 or 3.');
      ctx.resp = resp;
      ctx.scriptClient.protocol = resp;
      return [];
    }),
  );
  t.set(
    'sha1hex',
    hostFunction('sha1hex', (args) => {
      if (args.length !== 1) raise('wrong number of arguments');
      const a = args[0];
      const s = typeof a === 'string' ? a : typeof a === 'number' ? rawToString(a) : '';
      return [sha1hex(s)];
    }),
  );
  t.set(
    'error_reply',
    hostFunction('error_reply', (args) => {
      if (args.length !== 1 || typeof args[0] !== 'string') return [errorTable('wrong number or type of arguments')];
      const e = args[0];
      return [errorTable(e.startsWith('-') ? e : '-' + e)];
    }),
  );
  t.set('status_reply', hostFunction('status_reply', (args) => singleFieldTable('ok', args)));
  t.set(
    'set_repl',
    hostFunction('set_repl', (args) => {
      const ctx = host.current;
      if (!ctx) raise('redis.set_repl can only be called inside a script invocation');
      if (args.length !== 1) raise('redis.set_repl() requires two arguments.');
      const flags = Math.trunc(toNumberLoose(args[0]));
      if ((flags & ~3) !== 0) raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      ctx.scriptClient.propagateTo = flags;
      return [];
    }),
  );
  t.set('REPL_NONE', 0);
  t.set('REPL_AOF', 1);
  t.set('REPL_SLAVE', 2);
  t.set('REPL_REPLICA', 2);
  t.set('REPL_ALL', 3);
  t.set(
    'acl_check_cmd',
    hostFunction('acl_check_cmd', (args) => {
      const ctx = host.current;
      if (!ctx) raise('redis.acl_check_cmd can only be called inside a script invocation');
      if (args.length === 0) raise('Please specify at least one argument for this redis lib call');
      const argv = toArgv(args);
      if (argv === null) raise('Lua redis lib command arguments must be strings or integers');
      const command = host.runner.lookup(argv);
      if (!command) raise('Invalid command passed to redis.acl_check_cmd()');
      return [callerPermission(host, ctx, command, argv) === AclDenial.OK];
    }),
  );
  // Without a debugging session: false, and nothing (luaRedisBreakpointCommand, luaRedisDebugCommand).
  t.set(
    'breakpoint',
    hostFunction('breakpoint', () => {
      const dbg = host.debugHooks;
      if (dbg === null) return [false];
      dbg.breakpoint();
      return [true];
    }),
  );
  t.set(
    'debug',
    hostFunction('debug', (args) => {
      host.debugHooks?.debug(args);
      return [];
    }),
  );
  t.set('replicate_commands', hostFunction('replicate_commands', () => [true]));
  return t;
}

/** The `redis` table visible while a library's top-level code runs (function_lua.c). */
export function createLibraryApiTable(host: ScriptHost, registerFunction: LuaValue): LuaTable {
  // Missing fields raise like missing globals (Redis protects this table the same way).
  const t = createGlobals(false);
  setConstants(t);
  t.set('log', logFunction(host));
  t.set('register_function', registerFunction);
  return t;
}
