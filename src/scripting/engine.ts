/**
 * Per-server scripting state: the EVAL script cache, the function libraries, the Lua
 * global tables, and the script being run (script.c's run context, run-context.ts).
 * The commands layer creates one engine per Server with the CommandRunner it runs
 * commands through (commands/script-runner.ts); ScriptingEngine.of finds it.
 */
import { sanitizedError, sanitizeErrorText } from '../protocol/reply-texts.js';
import { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { NO_REPLY, OK, ErrorReply, type Reply } from '../protocol/reply.js';
import { createErrorHandler, createLibraryApiTable, createRedisTable } from './bridge.js';
import { errorTable, luaToReply } from './convert.js';
import { FunctionLibraries, type LibraryHost } from './functions.js';
import {
  CHECK_INTERVAL, compileChunk, createGlobals, errorText, LuaExecution, LuaFunction, LuaTable, seal,
  type ExecutionResult, type LuaPosition, type LuaValue,
} from './lua-host.js';
import { rawToString } from '../lua/runtime.js';
import { lowerAscii, ScriptFlag } from './metadata.js';
import { prepareForRun, type CommandRunner, type RunContext, type ScriptDebugHooks, type ScriptHost } from './run-context.js';

/** The engine's slot in `server.extensions`. */
const SLOT = 'scripting';

export interface CachedScript {
  /** SHA1 of the body, lower-case hex. */
  sha: string;
  body: string;
  fn: LuaFunction;
  flags: number;
}

/** A running call suspends to the event loop this often once it has timed out. */
const SLICE_MS = 20;

export class ScriptingEngine implements ScriptHost, LibraryHost {
  /** EVAL scripts by SHA1 (lower-case hex). */
  readonly scripts = new Map<string, CachedScript>();
  readonly libraries: FunctionLibraries;
  /** The script being run, if any (redis.call needs it). */
  current: RunContext | null = null;
  /** The debugging session of the script being run (debugger.ts sets it while its script runs). */
  debugHooks: ScriptDebugHooks | null = null;
  /** The global table EVAL scripts share (read-only; KEYS and ARGV are set per call). */
  readonly evalGlobals: LuaTable;
  /** Globals of function libraries: empty, reads go through a switchable __index. */
  readonly functionGlobals: LuaTable;
  private readonly functionGlobalsMeta: LuaTable;
  /** What function callbacks see (the normal library, with the full `redis`). */
  private readonly functionRuntimeApi: LuaTable;
  /** The fake client EVAL scripts run their commands with. */
  readonly evalClient: Client;
  private readonly functionClient: Client;
  private activeCall: LuaExecution | null = null;

  private constructor(
    readonly server: Server,
    readonly runner: CommandRunner,
  ) {
    this.evalClient = new Client(server, null);
    this.evalClient.isScript = true;
    this.functionClient = new Client(server, null);
    this.functionClient.isScript = true;

    this.evalGlobals = createGlobals(true);
    this.evalGlobals.set('redis', createRedisTable(this));
    this.evalGlobals.set('__redis__err__handler', createErrorHandler());
    seal(this.evalGlobals);

    this.functionRuntimeApi = createGlobals(true);
    this.functionRuntimeApi.set('redis', createRedisTable(this));
    seal(this.functionRuntimeApi);

    this.libraries = new FunctionLibraries(this);
    this.functionGlobals = new LuaTable();
    this.functionGlobalsMeta = new LuaTable();
    this.functionGlobalsMeta.set('__index', this.functionRuntimeApi);
    this.functionGlobals.metatable = this.functionGlobalsMeta;
    this.functionGlobalsMeta.readonly = true; // Lua cannot swap it; withLoadApi switches it from the host
    this.functionGlobals.readonly = true;
  }

  /** Creates `server`'s engine, which runs commands through `runner`. */
  static install(server: Server, runner: CommandRunner): ScriptingEngine {
    const engine = new ScriptingEngine(server, runner);
    server.extensions.set(SLOT, engine);
    return engine;
  }

  /** `server`'s engine (created with the server by the commands layer). */
  static of(server: Server): ScriptingEngine {
    const engine = server.extensions.get(SLOT);
    if (!(engine instanceof ScriptingEngine)) throw new Error('this server has no scripting engine (createServer installs one)');
    return engine;
  }

  /** Runs library top-level code with the load-time API (only `redis.register_function` & co). */
  withLoadApi<T>(registerFunction: LuaFunction, body: () => T): T {
    const api = createGlobals(false);
    api.set('redis', createLibraryApiTable(this, registerFunction));
    seal(api);
    this.functionGlobalsMeta.set('__index', api);
    try {
      return body();
    } finally {
      this.functionGlobalsMeta.set('__index', this.functionRuntimeApi);
    }
  }

  // ---------------------------------------------------------------------------
  // EVAL scripts

  /** luaCreateFunction: compiles and caches a script; returns its SHA1 or an error reply. */
  createScript(body: string, sha: string, flags: number, shebangLength: number): CachedScript | ErrorReply {
    const cached = this.scripts.get(sha);
    if (cached) return cached;
    let fn: LuaFunction;
    try {
      fn = compileChunk(body.slice(shebangLength), 'user_script', this.evalGlobals);
    } catch (e) {
      return sanitizedError(`ERR Error compiling script (new function): ${errorText(e)}`);
    }
    const script = { sha, body, fn, flags };
    this.scripts.set(sha, script);
    this.lastShaArg = '';
    this.lastShaScript = undefined;
    return script;
  }

  /**
   * The script an EVALSHA argument names (any case). The last argument seen is
   * remembered: EVALSHA resolves it twice (flags, then the call) and clients repeat it.
   */
  scriptBySha(shaArg: string): CachedScript | undefined {
    if (shaArg === this.lastShaArg) return this.lastShaScript;
    const script = this.scripts.get(lowerAscii(shaArg));
    this.lastShaArg = shaArg;
    this.lastShaScript = script;
    return script;
  }

  private lastShaArg = '';
  private lastShaScript: CachedScript | undefined = undefined;

  flushScripts(): void {
    this.lastShaArg = '';
    this.lastShaScript = undefined;
    this.scripts.clear();
  }

  // ---------------------------------------------------------------------------
  // Running

  /**
   * scriptPrepareForRun's checks: the error reply, or null when the script may run.
   * `ro`: called as EVAL_RO / EVALSHA_RO / FCALL_RO; `obey`: the caller is the master
   * link or the AOF (mustObeyClient), exempt from the replica checks.
   */
  checkRun(flags: number, ro: boolean, obey = false): ErrorReply | null {
    return prepareForRun(this.server, this.runner, flags, ro, obey);
  }

  /**
   * Runs `fn` for `caller`. Returns the reply, or NO_REPLY when the script ran past
   * busy-reply-threshold and was suspended (the caller gets its reply later).
   */
  run(caller: Client, fn: LuaFunction, args: LuaValue[], funcName: string, isEval: boolean, flags: number, ro: boolean, argv: string[]): Reply {
    const scriptClient = isEval ? this.evalClient : this.functionClient;
    const ctx = this.newContext(caller, scriptClient, funcName, isEval, flags, ro, argv);
    const state = this.server.scriptState;
    this.current = ctx;
    state.running = true;
    state.timedOut = false;
    state.isEval = isEval;
    state.client = caller;
    const call = new LuaExecution(fn, args);
    this.activeCall = call;
    // Most calls finish within the first budget: read the config only past it.
    const first = this.step(ctx, call);
    if (first !== undefined) return this.finish(ctx, first);
    // Inside EXEC (or without a connection) the reply is needed now: never suspend.
    const mustFinish = caller.denyBlocking || caller.sink === null;
    const threshold = this.server.config.getInt('busy-reply-threshold');
    for (;;) {
      const r = this.step(ctx, call);
      if (r !== undefined) return this.finish(ctx, r);
      if (!mustFinish && threshold > 0 && Date.now() - ctx.startTime >= threshold) {
        this.enterTimedOut(ctx, call);
        return NO_REPLY;
      }
    }
  }

  /** scriptPrepareForRun's run context for `caller`, its commands run by `scriptClient` (reset here). */
  newContext(caller: Client, scriptClient: Client, funcName: string, isEval: boolean, flags: number, ro: boolean, argv: string[]): RunContext {
    const compat = (flags & ScriptFlag.EVAL_COMPAT) !== 0;
    scriptClient.db = caller.db;
    scriptClient.protocol = 2;
    scriptClient.propagateTo = 3; // redis.set_repl(redis.REPL_ALL)
    scriptClient.multi = null;
    scriptClient.denyBlocking = true;
    return {
      funcName,
      isEval,
      caller,
      scriptClient,
      resp: 2,
      readOnly: ro || (!compat && (flags & ScriptFlag.NO_WRITES) !== 0),
      allowOom: !compat && (flags & ScriptFlag.ALLOW_OOM) !== 0,
      allowCrossSlot: compat || (flags & ScriptFlag.ALLOW_CROSS_SLOT) !== 0,
      preOom: this.server.maxmemory > 0 && this.server.isOutOfMemory(),
      writeDirty: false,
      killed: false,
      startTime: Date.now(),
      argv,
    };
  }

  /** One budget's worth of the call: the final reply, or undefined to continue. */
  private step(ctx: RunContext, call: LuaExecution): Reply | undefined {
    return this.resultReply(ctx, ctx.killed ? call.kill() : call.resume(CHECK_INTERVAL));
  }

  /** The reply a call's result gives (luaCallFunction's end): undefined while it runs on. */
  resultReply(ctx: RunContext, r: ExecutionResult): Reply | undefined {
    switch (r.status) {
      case 'suspended': case 'paused': return undefined;
      case 'done': return luaToReply(r.values[0], ctx.resp);
      case 'error': return this.errorReply(ctx, r.error.value, r.position);
      case 'killed':
        this.server.log.warning('Lua script killed by user with SCRIPT KILL.');
        return this.errorReply(ctx, errorTable('Script killed by user with SCRIPT KILL...'), r.position);
    }
  }

  /** Past busy-reply-threshold: other clients get BUSY; the script continues in slices. */
  private enterTimedOut(ctx: RunContext, call: LuaExecution): void {
    const server = this.server;
    server.scriptState.timedOut = true;
    server.log.warning(
      `Slow script detected: still in execution after ${Date.now() - ctx.startTime} milliseconds. You can try killing the script using the ${ctx.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${ctx.funcName}.`,
    );
    const caller = ctx.caller;
    // Its pipelined commands wait for the script's reply.
    caller.blocked = 'script';
    const slice = (): void => {
      const until = Date.now() + SLICE_MS;
      for (;;) {
        const r = this.step(ctx, call);
        if (r !== undefined) {
          const reply = this.finish(ctx, r);
          caller.blocked = null;
          if (!caller.closed) caller.reply(reply);
          // The keys the script made ready are served now that it is over.
          server.afterCommand?.();
          caller.onResume();
          return;
        }
        if (Date.now() >= until) break;
      }
      setImmediate(slice);
    };
    setImmediate(slice);
  }

  private finish(ctx: RunContext, reply: Reply): Reply {
    const state = this.server.scriptState;
    const wasTimedOut = state.timedOut;
    this.current = null;
    this.activeCall = null;
    state.running = false;
    state.timedOut = false;
    state.client = null;
    ctx.scriptClient.protocol = 2;
    if (wasTimedOut) this.server.log.warning('Slow script finished');
    // Clients deferred while the script ran try again once this reply is out.
    if (this.server.hasDeferredClients()) queueMicrotask(() => this.server.resumeDeferred());
    return reply;
  }

  /** luaCallFunction's error path through __redis__err__handler. */
  private errorReply(ctx: RunContext, value: LuaValue, pos: LuaPosition | null): ErrorReply {
    let table: LuaTable;
    if (value instanceof LuaTable) table = value;
    else {
      table = new LuaTable();
      table.set('err', 'ERR ' + rawToString(value));
    }
    const err = table.get('err');
    let message = typeof err === 'string' ? err : typeof err === 'number' ? rawToString(err) : 'ERR (null)';
    if (pos) message += ` script: ${ctx.funcName}, on @${pos.chunk}:${pos.line}.`;
    return new ErrorReply(sanitizeErrorText(message), table.get('ignore_error_stats_update') === true);
  }

  /** SCRIPT KILL / FUNCTION KILL. */
  kill(isEval: boolean): Reply {
    const ctx = this.current;
    if (!ctx) return new ErrorReply('NOTBUSY No scripts in execution right now.');
    if (ctx.writeDirty) {
      return new ErrorReply(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    }
    if (isEval && !ctx.isEval) return new ErrorReply('BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
    if (!isEval && ctx.isEval) return new ErrorReply('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
    ctx.killed = true;
    return OK;
  }
}
