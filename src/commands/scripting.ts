/**
 * EVAL / EVALSHA / SCRIPT and FCALL / FUNCTION (eval.c, functions.c). The machinery
 * lives in src/scripting/; this file parses arguments and shapes replies.
 */
import { entryByFullName, registerDynamicFlags, type Handler } from './registry.js';
import { helpLines, sanitizedError, subcommandSyntaxError } from './replies.js';
import { CmdFlag } from './spec.js';
import { parseInt64 } from './args.js';
import type { Client } from '../server/client.js';
import {
  ErrorReply, Errors, MapReply, OK, SetReply, SimpleReply, type Reply,
} from '../protocol/reply.js';
import { globMatch } from '../keyspace/glob.js';
import { decodeFunctionsPayload, encodeFunctionsPayload } from '../persistence/function-payload.js';
import { ScriptingEngine, type CachedScript } from '../scripting/engine.js';
import { ScriptDebugger } from '../scripting/debugger.js';
import { sha1hex } from '../scripting/bridge.js';
import { LibrarySet, type JoinPolicy, type Library } from '../scripting/library-set.js';
import { lowerAscii, parseEvalShebang, SCRIPT_FLAG_NAMES, ScriptFlag } from '../scripting/metadata.js';
import { luaArray } from '../scripting/lua-host.js';

const NOSCRIPT = new ErrorReply('NOSCRIPT No matching script. Please use EVAL.');
const BAD_NUMBER_OF_KEYS = new ErrorReply('ERR Bad number of keys provided');
const DEBUG_EVALSHA = new ErrorReply('ERR Please use EVAL instead of EVALSHA for debugging');
const BUSY_EVAL = new ErrorReply('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');

function engineOf(client: Client): ScriptingEngine {
  return ScriptingEngine.of(client.server);
}

function isWord(arg: string, word: string): boolean {
  return arg.length === word.length && lowerAscii(arg) === word;
}

/** numkeys for EVAL/FCALL: the count, or the error reply. */
function parseNumKeys(args: string[], badNumber: ErrorReply): number | ErrorReply {
  const n = parseInt64(args[2]);
  if (n === null) return badNumber;
  if (n > args.length - 3) return new ErrorReply("ERR Number of keys can't be greater than number of args");
  if (n < 0) return new ErrorReply("ERR Number of keys can't be negative");
  return Number(n);
}

/** scriptFlagsToCmdFlags */
function scriptFlagsToCommandFlags(cmdFlags: number, scriptFlags: number): number {
  let f = cmdFlags & ~(CmdFlag.STALE | CmdFlag.DENYOOM | CmdFlag.WRITE);
  if (!(scriptFlags & (ScriptFlag.ALLOW_OOM | ScriptFlag.NO_WRITES))) f |= CmdFlag.DENYOOM;
  if (!(scriptFlags & ScriptFlag.NO_WRITES)) f |= CmdFlag.WRITE;
  if (scriptFlags & ScriptFlag.ALLOW_STALE) f |= CmdFlag.STALE;
  return f & ~CmdFlag.MAY_REPLICATE;
}

// ---------------------------------------------------------------------------
// EVAL

function evalGeneric(client: Client, args: string[], evalsha: boolean, ro: boolean): Reply {
  const server = client.server;
  if (server.monitors.size !== 0) server.feedMonitors(client, args);
  if (evalsha && args[1].length !== 40) return NOSCRIPT;
  const engine = engineOf(client);
  const numKeys = parseNumKeys(args, Errors.notInteger);
  // SCRIPT DEBUG YES|SYNC: this EVAL is debugged (evalGenericCommandWithDebugging); the
  // session starts first, so even a bad numkeys comes at its end.
  const debug = ScriptDebugger.of(server);
  if (debug.modeOf(client) !== null) {
    if (evalsha) return DEBUG_EVALSHA;
    // Inside EXEC the reply is needed at once: no session (Redis starts one from EXEC).
    if (!client.denyBlocking && client.sink !== null) return debug.eval(engine, client, args, ro, numKeys);
  }
  if (numKeys instanceof ErrorReply) return numKeys;
  let script: CachedScript | undefined;
  if (evalsha) {
    script = engine.scriptBySha(args[1]);
    if (!script) return NOSCRIPT;
  } else {
    const sha = sha1hex(args[1]);
    script = engine.scripts.get(sha);
    if (!script) {
      const created = createScript(engine, args[1], sha);
      if (created instanceof ErrorReply) return created;
      script = created;
    }
  }
  const sha = script.sha;
  const refused = engine.checkRun(script.flags, ro, client.mustObey);
  if (refused) return refused;
  // KEYS and ARGV are globals of the (read-only) global table: set them raw.
  engine.evalGlobals.set('KEYS', luaArray(args, 3, 3 + numKeys));
  engine.evalGlobals.set('ARGV', luaArray(args, 3 + numKeys, args.length));
  return engine.run(client, script.fn, [], sha, true, script.flags, ro, args);
}

function createScript(engine: ScriptingEngine, body: string, sha: string) {
  const header = parseEvalShebang(body);
  if (typeof header === 'string') return new ErrorReply(`ERR ${header}`);
  return engine.createScript(body, sha, header.flags, header.shebangLength);
}

/** evalGetCommandFlags, for the command whose table flags are `entryFlags`. */
function evalFlags(evalsha: boolean, entryFlags: number) {
  return (client: Client, args: string[]): number => {
    if (args.length < 2) return entryFlags;
    if (evalsha && args[1].length !== 40) return entryFlags;
    const engine = engineOf(client);
    const cached = evalsha ? engine.scriptBySha(args[1]) : engine.scripts.get(sha1hex(args[1]));
    let flags: number;
    if (cached) flags = cached.flags;
    else {
      if (evalsha) return entryFlags;
      const header = parseEvalShebang(args[1]);
      if (typeof header === 'string') return entryFlags;
      flags = header.flags;
    }
    if (flags & ScriptFlag.EVAL_COMPAT) return entryFlags;
    return scriptFlagsToCommandFlags(entryFlags, flags);
  };
}

/** fcallGetCommandFlags, for the command whose table flags are `entryFlags`. */
function fcallFlags(entryFlags: number) {
  return (client: Client, args: string[]): number => {
    if (args.length < 2) return entryFlags;
    const f = engineOf(client).libraries.live.findFunction(args[1]);
    return f ? scriptFlagsToCommandFlags(entryFlags, f.flags) : entryFlags;
  };
}

const scriptHelp: Handler = () =>
  helpLines('SCRIPT', [
    'DEBUG (YES|SYNC|NO)',
    '    Set the debug mode for subsequent scripts executed.',
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);

const scriptCommands: Record<string, Handler> = {
  eval: (c, a) => evalGeneric(c, a, false, false),
  eval_ro: (c, a) => evalGeneric(c, a, false, true),
  evalsha: (c, a) => evalGeneric(c, a, true, false),
  evalsha_ro: (c, a) => evalGeneric(c, a, true, true),
  'script|help': scriptHelp,
  'script|load': (client, args) => {
    const sha = sha1hex(args[2]);
    const r = createScript(engineOf(client), args[2], sha);
    return r instanceof ErrorReply ? r : sha;
  },
  'script|exists': (client, args) => {
    const scripts = engineOf(client).scripts;
    const out: Reply[] = [];
    for (let i = 2; i < args.length; i++) out.push(scripts.has(args[i]) ? 1 : 0);
    return out;
  },
  'script|flush': (client, args) => {
    if (!(args.length === 2 || (args.length === 3 && (isWord(args[2], 'sync') || isWord(args[2], 'async'))))) {
      return new ErrorReply('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    }
    engineOf(client).flushScripts();
    return OK;
  },
  'script|kill': (client) => engineOf(client).kill(true),
  'script|debug': (client, args) => {
    // Replies still to be written (a pipeline, or inside EXEC) would mix with the session's.
    if (client.denyBlocking || client.sink?.hasPendingReplies?.()) {
      return new ErrorReply('ERR SCRIPT DEBUG must be called outside a pipeline');
    }
    const debug = ScriptDebugger.of(client.server);
    if (isWord(args[2], 'no')) debug.setMode(client, null);
    else if (isWord(args[2], 'yes')) debug.setMode(client, 'async');
    else if (isWord(args[2], 'sync')) debug.setMode(client, 'sync');
    else return new ErrorReply('ERR Use SCRIPT DEBUG YES/SYNC/NO');
    return OK;
  },
};

// ---------------------------------------------------------------------------
// FCALL

function fcallGeneric(client: Client, args: string[], ro: boolean): Reply {
  // Like EVAL (SKIP_MONITOR in the table): fed here, so that the commands the function
  // runs appear after it.
  const server = client.server;
  if (server.monitors.size !== 0) server.feedMonitors(client, args);
  const engine = engineOf(client);
  const fn = engine.libraries.live.findFunction(args[1]);
  if (!fn) return new ErrorReply('ERR Function not found');
  const numKeys = parseNumKeys(args, BAD_NUMBER_OF_KEYS);
  if (numKeys instanceof ErrorReply) return numKeys;
  const refused = engine.checkRun(fn.flags, ro, client.mustObey);
  if (refused) return refused;
  const keys = luaArray(args, 3, 3 + numKeys);
  const argv = luaArray(args, 3 + numKeys, args.length);
  return engine.run(client, fn.callback, [keys, argv], fn.name, false, fn.flags, ro, args);
}

// ---------------------------------------------------------------------------
// FUNCTION

function libraryReply(lib: Library, withCode: boolean): Reply {
  const functions: Reply[] = [];
  for (const f of lib.functions.values()) {
    const flags: Reply[] = [];
    for (const [name, bit] of SCRIPT_FLAG_NAMES) if (f.flags & bit) flags.push(new SimpleReply(name));
    functions.push(new MapReply(['name', f.name, 'description', f.description, 'flags', new SetReply(flags)]));
  }
  const entries: Reply[] = ['library_name', lib.name, 'engine', 'LUA', 'functions', functions];
  if (withCode) entries.push('library_code', lib.code);
  return new MapReply(entries);
}

const functionList: Handler = (client, args) => {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const arg = args[i];
    if (!withCode && isWord(arg, 'withcode')) {
      withCode = true;
      continue;
    }
    if (pattern === null && isWord(arg, 'libraryname')) {
      if (i >= args.length - 1) return new ErrorReply('ERR library name argument was not given');
      pattern = args[++i];
      continue;
    }
    return sanitizedError(`ERR Unknown argument ${arg}`);
  }
  const out: Reply[] = [];
  for (const lib of engineOf(client).libraries.live.libraries.values()) {
    if (pattern !== null && !globMatch(pattern, lib.name, true)) continue;
    out.push(libraryReply(lib, withCode));
  }
  return out;
};

const functionLoad: Handler = (client, args) => {
  let replace = false;
  for (let i = 2; i < args.length - 1; i++) {
    if (!isWord(args[i], 'replace')) return sanitizedError(`ERR Unknown option given: ${args[i]}`);
    replace = true;
  }
  const r = engineOf(client).libraries.load(args[args.length - 1], replace);
  if (typeof r !== 'string') return sanitizedError(`ERR ${r.error}`);
  client.server.dirty++;
  return r;
};

/** FUNCTION RESTORE's policies: FLUSH swaps the payload's libraries in, the others join them. */
type RestorePolicy = JoinPolicy | 'flush';

const functionRestore: Handler = (client, args) => {
  if (args.length > 4) return subcommandSyntaxError(args);
  let policy: RestorePolicy = 'append';
  if (args.length === 4) {
    const p = lowerAscii(args[3]);
    if (p !== 'append' && p !== 'replace' && p !== 'flush') {
      return new ErrorReply('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
    policy = p;
  }
  const libraries = engineOf(client).libraries;
  const decoded = decodeFunctionsPayload(Buffer.from(args[2], 'latin1'));
  // Everything compiles into a set of its own first, without the load timeout.
  const restored = libraries.compileAll(decoded.ok ? decoded.libraries : decoded.librariesBeforeError);
  if (!(restored instanceof LibrarySet)) return sanitizedError(`ERR ${restored.error}`);
  if (!decoded.ok) return new ErrorReply(decoded.error);
  if (policy === 'flush') libraries.live.swap(restored);
  else {
    const clash = libraries.live.join(restored, policy);
    if (clash !== null) return sanitizedError(`ERR ${clash}`);
  }
  client.server.dirty++;
  return OK;
};

const functionCommands: Record<string, Handler> = {
  fcall: (c, a) => fcallGeneric(c, a, false),
  fcall_ro: (c, a) => fcallGeneric(c, a, true),
  'function|load': functionLoad,
  'function|list': functionList,
  'function|restore': functionRestore,
  'function|dump': (client) => {
    const codes = [...engineOf(client).libraries.live.libraries.values()].map((l) => l.code);
    const compression = client.server.config.get('rdbcompression') === 'yes';
    return encodeFunctionsPayload(codes.map((c) => Buffer.from(c, 'latin1')), { compression }).toString('latin1');
  },
  'function|delete': (client, args) => {
    if (!engineOf(client).libraries.live.delete(args[2])) return new ErrorReply('ERR Library not found');
    client.server.dirty++;
    return OK;
  },
  'function|flush': (client, args) => {
    if (args.length > 3) return subcommandSyntaxError(args);
    if (args.length === 3 && !isWord(args[2], 'sync') && !isWord(args[2], 'async')) {
      return new ErrorReply('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    }
    engineOf(client).libraries.live.clear();
    client.server.dirty++;
    return OK;
  },
  'function|stats': (client) => {
    const engine = engineOf(client);
    const ctx = engine.current;
    if (ctx && ctx.isEval) return BUSY_EVAL;
    const running = ctx
      ? new MapReply(['name', ctx.funcName, 'command', ctx.argv.slice(), 'duration_ms', Date.now() - ctx.startTime])
      : null;
    const live = engine.libraries.live;
    return new MapReply([
      'running_script',
      running,
      'engines',
      new MapReply(['LUA', new MapReply(['libraries_count', live.libraries.size, 'functions_count', live.functionCount])]),
    ]);
  },
  'function|kill': (client) => engineOf(client).kill(false),
  'function|help': () =>
    helpLines('FUNCTION', [
      'LOAD [REPLACE] <FUNCTION CODE>',
      '    Create a new library with the given library name and code.',
      'DELETE <LIBRARY NAME>',
      '    Delete the given library.',
      'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
      '    Return general information on all the libraries:',
      '    * Library name',
      '    * The engine used to run the Library',
      '    * Library description',
      '    * Functions list',
      '    * Library code (if WITHCODE is given)',
      '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
      'STATS',
      '    Return information about the current function running:',
      '    * Function name',
      '    * Command used to run the function',
      '    * Duration in MS that the function is running',
      '    If no function is running, return nil',
      '    In addition, returns a list of available engines.',
      'KILL',
      '    Kill the current running function.',
      'FLUSH [ASYNC|SYNC]',
      '    Delete all the libraries.',
      '    When called without the optional mode argument, the behavior is determined by the',
      '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
      '    * ASYNC: Asynchronously flush the libraries.',
      '    * SYNC: Synchronously flush the libraries.',
      'DUMP',
      '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
      'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
      '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
      '    control how to handle existing libraries (default APPEND):',
      '    * FLUSH: delete all existing libraries.',
      '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
      '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
      '      libraries with the new libraries (notice that even on this option there is a chance of failure',
      '      in case of functions name collision with another library).',
    ]),
};

export function registerScriptingCommands(register: (group: Record<string, Handler>) => void): void {
  register(scriptCommands);
  register(functionCommands);
  for (const name of ['eval', 'eval_ro']) registerDynamicFlags(name, evalFlags(false, commandFlagsOf(name)));
  for (const name of ['evalsha', 'evalsha_ro']) registerDynamicFlags(name, evalFlags(true, commandFlagsOf(name)));
  for (const name of ['fcall', 'fcall_ro']) registerDynamicFlags(name, fcallFlags(commandFlagsOf(name)));
}

function commandFlagsOf(name: string): number {
  return entryByFullName(name)?.flags ?? 0;
}
