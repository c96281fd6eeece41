/**
 * The `redis` table scripts see (script_lua.c's luaRegisterRedisAPI): redis.call and
 * friends run commands through a fake client with Redis's script checks (noscript,
 * read-only scripts, OOM), and convert replies with convert.ts.
 */
import { createHash } from 'node:crypto';
import { CmdFlag } from '../commands/spec.js';
import { lookupCommand, lookupSubcommand, type CommandEntry } from '../commands/registry.js';
import { findCommandSpec, findSubcommandSpec } from '../commands/table/lookup.js';
import { call } from '../server/dispatch.js';
import type { LogLevel } from '../server/logger.js';
import { Errors, ErrorReply } from '../protocol/reply.js';
import { formatG } from '../protocol/double.js';
import { errorTable, replyToLua } from './convert.js';
import { createGlobals, hostFunction, LuaError, LuaFunction, LuaTable, type LuaValue } from './lua-host.js';
import type { RunContext, ScriptingEngine } from './engine.js';
import { rawToString } from '../lua/runtime.js';
import { aclStore, AclDenial, checkPermission } from '../server/acl.js';

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

/** lookupCommand(argv, argc) as scripts see it: null for unknown commands and subcommands. */
function findCommand(argv: string[]): CommandEntry | null {
  const top = lookupCommand(argv[0]);
  if (top) {
    if (!top.subcommands || argv.length < 2) return top;
    const sub = lookupSubcommand(top, argv[1]);
    if (sub) return sub;
  }
  return unimplementedCommand(argv);
}

/**
 * A command of Redis's table that lunakv has no handler for: an entry without a
 * handler, so scripts still get Redis's checks (noscript, arity) before "unknown".
 */
function unimplementedCommand(argv: string[]): CommandEntry | null {
  const topSpec = findCommandSpec(argv[0]);
  if (!topSpec) return null;
  let spec = topSpec;
  if (topSpec.subcommands && argv.length > 1) {
    const subSpec = findSubcommandSpec(topSpec, argv[1]);
    if (!subSpec) return null;
    spec = subSpec;
  }
  return { spec, handler: null, subcommands: null, flags: spec.flagBits };
}

/** shared.noreplicaserr */
export const NO_REPLICAS_ERROR = 'NOREPLICAS Not enough good replicas to write.';

/** Why scriptCall refused to run a command (the text becomes an `{err=...}` table). */
class Refusal {
  constructor(readonly message: string) {}
}

/** scriptCall's checks, then the command; the reply converted for the script. */
function runCommand(engine: ScriptingEngine, ctx: RunContext, argv: string[]): { value: LuaValue; isError: boolean } | Refusal {
  const entry = findCommand(argv);
  if (!entry) return new Refusal('Unknown Redis command called from script');
  const refusal = checkCommand(engine, ctx, entry, argv);
  const server = engine.server;
  if (refusal !== null) {
    server.stats.command(entry.spec.fullName).rejectedCalls++;
    return refusal;
  }
  if (entry.flags & CmdFlag.WRITE) ctx.writeDirty = true;
  const client = ctx.scriptClient;
  if (server.monitors.size !== 0) server.feedMonitors(client, argv);
  const reply = call(client, entry, argv);
  return { value: replyToLua(reply, ctx.resp), isError: reply instanceof ErrorReply };
}

/** Why a known command may not run from this script now (null: it may). */
function checkCommand(engine: ScriptingEngine, ctx: RunContext, entry: CommandEntry, argv: string[]): Refusal | null {
  const arity = entry.spec.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
    return new Refusal('Wrong number of args calling Redis command from script');
  }
  const flags = entry.flags;
  if (flags & CmdFlag.NOSCRIPT && !engine.server.scriptDenyDisabled) return new Refusal('This Redis command is not allowed from script');
  // A command in Redis's table that lunakv does not implement yet (e.g. CLUSTER) still
  // gets Redis's checks above, so scripts see the same refusals.
  if (!entry.handler) return new Refusal('Unknown Redis command called from script');
  // scriptVerifyAllowStale: a replica cut off from its master, told not to serve stale data.
  const replication = engine.server.replication;
  if (replication.master !== null && !replication.linkUp && !(flags & CmdFlag.STALE) && !engine.server.config.getBool('replica-serve-stale-data')) {
    return new Refusal('Can not execute the command on a stale replica');
  }
  // The script runs with its caller's permissions (scriptCall's ACL check).
  const denial = checkPermission(ctx.caller.user ?? aclStore(engine.server).defaultUser, entry.spec, argv);
  if (denial !== AclDenial.OK) {
    return new Refusal(
      denial === AclDenial.COMMAND
        ? "The user executing the script can't run this command or subcommand"
        : "The user executing the script can't access at least one of the keys mentioned in the command arguments",
    );
  }
  if (ctx.readOnly && flags & (CmdFlag.WRITE | CmdFlag.MAY_REPLICATE)) {
    return new Refusal('Write commands are not allowed from read-only scripts.');
  }
  // Server-state checks for writes, skipped once the script has written (it cannot
  // fail halfway on an unpredictable state).
  if (flags & CmdFlag.WRITE && !ctx.writeDirty) {
    const server = engine.server;
    if (server.replication.master !== null && server.config.getBool('replica-read-only') && !ctx.caller.mustObey) {
      return new Refusal("-READONLY You can't write against a read only replica.");
    }
    if (!engine.enoughGoodReplicas()) return new Refusal('-' + NO_REPLICAS_ERROR);
  }
  if (!ctx.allowOom && ctx.preOom && !ctx.writeDirty && flags & CmdFlag.DENYOOM) {
    return new Refusal('-' + Errors.oom.message);
  }
  return null;
}

function genericCall(engine: ScriptingEngine, args: LuaValue[], raiseError: boolean): LuaValue[] {
  const ctx = engine.current;
  if (!ctx) raise('redis.call/pcall can only be called inside a script invocation');
  let failure: string | null = null;
  let argv: string[] | null = null;
  if (args.length === 0) failure = 'Please specify at least one argument for this redis lib call';
  else if ((argv = toArgv(args)) === null) failure = 'Lua redis lib command arguments must be strings or integers';
  if (failure !== null) {
    const t = errorTable(failure);
    if (raiseError) throw new LuaError(t);
    return [t];
  }
  const r = runCommand(engine, ctx, argv!);
  if (r instanceof Refusal) {
    const t = errorTable(r.message);
    t.set('ignore_error_stats_update', true);
    engine.server.stats.error(errorCode(t.get('err') as string));
    if (raiseError) throw new LuaError(t);
    return [t];
  }
  if (raiseError && r.isError) throw new LuaError(r.value);
  return [r.value];
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
function logFunction(engine: ScriptingEngine) {
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
    engine.server.log.log(LOG_LEVELS[level], parts.join(' '));
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

/** The full `redis` table used while scripts and functions run. */
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

export function createRedisTable(engine: ScriptingEngine): LuaTable {
  const t = new LuaTable();
  setConstants(t);
  t.set('log', logFunction(engine));
  t.set('call', hostFunction('call', (args) => genericCall(engine, args, true)));
  t.set('pcall', hostFunction('pcall', (args) => genericCall(engine, args, false)));
  t.set(
    'setresp',
    hostFunction('setresp', (args) => {
      const ctx = engine.current;
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
      const ctx = engine.current;
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
      if (!engine.current) raise('redis.acl_check_cmd can only be called inside a script invocation');
      if (args.length === 0) raise('Please specify at least one argument for this redis lib call');
      const argv = toArgv(args);
      if (argv === null) raise('Lua redis lib command arguments must be strings or integers');
      const entry = findCommand(argv);
      if (!entry) raise('Invalid command passed to redis.acl_check_cmd()');
      const caller = engine.current.caller;
      return [checkPermission(caller.user ?? aclStore(engine.server).defaultUser, entry.spec, argv) === AclDenial.OK];
    }),
  );
  t.set('breakpoint', hostFunction('breakpoint', () => [false]));
  t.set('debug', hostFunction('debug', () => []));
  t.set('replicate_commands', hostFunction('replicate_commands', () => [true]));
  return t;
}

/** The `redis` table visible while a library's top-level code runs (function_lua.c). */
export function createLibraryApiTable(engine: ScriptingEngine, registerFunction: LuaValue): LuaTable {
  // Missing fields raise like missing globals (Redis protects this table the same way).
  const t = createGlobals(false);
  setConstants(t);
  t.set('log', logFunction(engine));
  t.set('register_function', registerFunction);
  return t;
}
