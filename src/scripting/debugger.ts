/**
 * The Lua debugger (LDB) of SCRIPT DEBUG YES|SYNC|NO, following Redis 7.0's eval.c
 * (ldbStartSession ... luaLdbLineHook, ldbRepl).
 *
 * After SCRIPT DEBUG, the client's next EVAL starts a session. The session talks to
 * its client outside of the normal command flow:
 *
 *   server -> client   each batch of log entries as a multi-bulk of status replies
 *                      (ldbSendLogs: "\r" and "\n" in an entry become spaces):
 *                        *2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   return 1\r\n
 *   client -> server   debugger commands as RESP arrays, read by the session itself
 *                      (ldbReplParseCommand, a forgiving parser with Redis's bounds):
 *                        *<1..1024>\r\n then per argument $<1..1024>\r\n<bytes>\r\n
 *                      garbage before the first '*' is skipped; a bad count or length
 *                      raises "protocol error" in the script; more than 1 MB of an
 *                      incomplete command raises "max client buffer reached". Input is
 *                      taken 1024 bytes at a time, and what follows a parsed command in
 *                      that read is dropped, as Redis's connRead + cbuf reset do.
 *   end                "<endsession>" as the last entry, then the EVAL's reply, then the
 *                      connection closes (redis-cli shows the reply and reconnects).
 *
 * Debugger commands: h[elp] s[tep] n[ext] c[ontinue] l[ist] [line] [ctx] w[hole]
 * p[rint] [var] b[reak] [line|-line|0] t[race] e[val] <code> r[edis] <cmd> m[axlen]
 * [len] a[bort]; anything else gets "<error> Unknown Redis Lua debugger command or
 * wrong number of arguments.".
 *
 * The script is compiled for debugging (src/lua's { debug: true }: line events, and
 * pauses at them); while it waits for its next command the event loop runs.
 *
 * SYNC: the script runs against the real dataset and its changes stay. Redis blocks
 * while the session lasts; here the server's script state says a script runs, so
 * dispatch defers every other client's commands until the session ends.
 *
 * YES (async): Redis forks, the child debugs and exits, the parent closes the client
 * and goes on serving others; the child's writes are lost with it. Node cannot fork a
 * copy of its heap, so the session runs against a private copy of the databases,
 * swapped into the server only while the script (or a debugger command) runs, with
 * propagation, keyspace notifications and the dirty count held off meanwhile. Other
 * clients are served between those moments, as by the forking parent, and the copy is
 * dropped at the end: the script's writes vanish.
 *
 * The debugging client disconnecting ends the session: a sync one runs the script to
 * its end without stops (a timeout stop then raises an error, as Redis's hook does); an
 * async one is dropped. Not modelled: EVAL inside MULTI/EXEC while debugging runs
 * without a session (Redis starts one, from within EXEC); the Lua stack guard of
 * ldbRedis (lua_checkstack cannot fail for Redis's 1024 arguments either).
 */
import { Database, type KeyspaceListener } from '../keyspace/database.js';
import { encodeReply } from '../protocol/resp-encoder.js';
import { ErrorReply, NO_REPLY, type Reply } from '../protocol/reply.js';
import { sdsRepr } from '../protocol/repr.js';
import { formatG } from '../protocol/double.js';
import { Client, type InputHook } from '../server/client.js';
import { sanitizedError } from '../protocol/reply-texts.js';
import { sha1hex } from './bridge.js';
import type { Server } from '../server/server.js';
import { Slot } from '../server/slot.js';
import { errorTable } from './convert.js';
import type { ScriptingEngine } from './engine.js';
import {
  CHECK_INTERVAL, compileChunk, Coroutine, errorText, luaArray, LuaExecution, LuaFunction, LuaTable, runToCompletion, toLuaError,
  type DebugFrame, type ExecutionResult, type LuaValue,
} from './lua-host.js';
import { parseEvalShebang } from './metadata.js';
import type { RunContext, ScriptDebugHooks } from './run-context.js';

export type DebugMode = 'async' | 'sync';

/** LDB_BREAKPOINTS_MAX */
const BREAKPOINTS_MAX = 64;
/** LDB_MAX_LEN_DEFAULT */
const MAX_LEN_DEFAULT = 256;
/** LDB_MAX_VALUES_DEPTH (LUA_MINSTACK / 2) */
const MAX_VALUES_DEPTH = 10;
/** ldbReplParseCommand's bounds on the argument count and each argument's length. */
const MAX_ARGS = 1024;
const MAX_ARG_LEN = 1024;
/** ldbRepl reads this much at a time... */
const READ_SIZE = 1024;
/** ...and gives up on a command buffer larger than this. */
const MAX_COMMAND_BUFFER = 1 << 20;
/**
 * Input queued while the script runs (Redis leaves it in the socket): past this much,
 * the client is only sending garbage and is disconnected.
 */
const MAX_UNREAD = 4 * MAX_COMMAND_BUFFER;
/** A running session gives the event loop a turn this often. */
const SLICE_MS = 20;
/** Redis's timeout for the debugger's infinite-loop stop when busy-reply-threshold is 0. */
const DEFAULT_TIMEOUT_MS = 5000;

const UNKNOWN_COMMAND = '<error> Unknown Redis Lua debugger command or wrong number of arguments.';

const HELP = [
  'Redis Lua debugger help:',
  '[h]elp               Show this help.',
  '[s]tep               Run current line and stop again.',
  '[n]ext               Alias for step.',
  '[c]ontinue           Run till next breakpoint.',
  '[l]ist               List source code around current line.',
  '[l]ist [line]        List source code around [line].',
  '                     line = 0 means: current position.',
  '[l]ist [line] [ctx]  In this form [ctx] specifies how many lines',
  '                     to show before/after [line].',
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  '[p]rint              Show all the local variables.',
  '[p]rint <var>        Show the value of the specified variable.',
  '                     Can also show global vars KEYS and ARGV.',
  '[b]reak              Show all breakpoints.',
  '[b]reak <line>       Add a breakpoint to the specified line.',
  '[b]reak -<line>      Remove breakpoint from the specified line.',
  '[b]reak 0            Remove all breakpoints.',
  '[t]race              Show a backtrace.',
  '[e]val <code>        Execute some Lua code (in a different callframe).',
  '[r]edis <cmd>        Execute a Redis command.',
  '[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.',
  '                     Specifying zero as <len> means unlimited.',
  '[a]bort              Stop the execution of the script. In sync',
  '                     mode dataset changes will be retained.',
  '',
  'Debugger functions you can call from Lua scripts:',
  'redis.debug()        Produce logs in the debugger console.',
  'redis.breakpoint()   Stop execution like if there was a breakpoint in the',
  '                     next line of code.',
];

// ---------------------------------------------------------------------------
// C library behaviour the protocol depends on

/** C's atoi: leading white space, a sign, digits; 0 when there are none. */
export function atoi(s: string): number {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let n = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    if (n > 2 ** 31) break; // overflow is undefined in C; clamp
  }
  n = neg ? -n : n;
  return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, n));
}

/** Redis's string2l: the whole string is a canonical decimal long, or null. */
function string2l(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** A byte string as C string functions see it: up to its first NUL. */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

// ---------------------------------------------------------------------------
// ldbReplParseCommand

/**
 * One debugger command from the start of `buf` (the grammar in the header): its
 * arguments, 'more' to wait for more input, or 'error' (a protocol error). `buf` is
 * searched the way Redis's C string functions search it: a NUL ends strchr/strstr.
 */
export function parseDebuggerCommand(buf: string): string[] | 'more' | 'error' {
  if (buf.length === 0) return 'more';
  const end = (from: number): number => {
    const z = buf.indexOf('\0', from);
    return z < 0 ? buf.length : z;
  };
  const star = buf.indexOf('*');
  if (star < 0 || star >= end(0)) return 'error';
  let crlf = buf.indexOf('\r\n', star);
  if (crlf < 0 || crlf >= end(star)) return 'more';
  const argc = atoi(buf.slice(star + 1, crlf));
  if (argc <= 0 || argc > MAX_ARGS) return 'error';
  let p = crlf + 2;
  const argv: string[] = [];
  while (argv.length < argc) {
    if (p >= buf.length || buf[p] === '\0') return 'more';
    if (buf[p] !== '$') return 'error';
    crlf = buf.indexOf('\r\n', p);
    if (crlf < 0 || crlf >= end(p)) return 'more';
    const len = atoi(buf.slice(p + 1, crlf));
    if (len <= 0 || len > MAX_ARG_LEN) return 'error';
    p = crlf + 2;
    if (p + len + 2 > buf.length) return 'more';
    argv.push(buf.slice(p, p + len));
    p += len;
    if (buf[p] !== '\r' || buf[p + 1] !== '\n') return 'error';
    p += 2;
  }
  return argv;
}

// ---------------------------------------------------------------------------
// ldbCatStackValue and ldbRedisProtocolToHuman

const addresses = new WeakMap<object, number>();
let nextAddress = 0x5581a0;

/** A stand-in for %p: stable per object (Redis prints the Lua object's address). */
function addressOf(o: object): string {
  let a = addresses.get(o);
  if (a === undefined) {
    a = nextAddress;
    nextAddress += 0x40;
    addresses.set(o, a);
  }
  return '0x' + (0x7f0000000000 + a * 0x10).toString(16);
}

/** ldbCatStackValueRec: a Lua value as the debugger prints it. */
export function luaValueRepr(v: LuaValue, level = 0): string {
  if (level === MAX_VALUES_DEPTH) return '<max recursion level reached! Nested table?>';
  level++;
  if (typeof v === 'string') return sdsRepr(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatG(v, 6);
  if (v === undefined || v === null) return 'nil';
  if (v instanceof LuaTable) {
    let expected = 1;
    let isArray = true;
    const asArray: string[] = [];
    const asHash: string[] = [];
    for (let p = v.nextPosition(-1); p >= 0; p = v.nextPosition(p)) {
      const key = v.keyAt(p);
      const value = v.valueAt(p);
      if (isArray && (typeof key !== 'number' || key !== expected)) isArray = false;
      const shown = luaValueRepr(value, level);
      asArray.push(shown);
      asHash.push(`[${luaValueRepr(key, level)}]=${shown}`);
      expected++;
    }
    return '{' + (isArray ? asArray : asHash).join('; ') + '}';
  }
  if (v instanceof LuaFunction) return `"function@${addressOf(v)}"`;
  if (v instanceof Coroutine) return `"thread@${addressOf(v)}"`;
  return '"<unknown-lua-type>"';
}

/** ldbRedisProtocolToHuman of the RESP text at `p`: [text, the position after it]. */
function protocolToHuman(r: string, p: number): [string, number] {
  const lineEnd = r.indexOf('\r', p + 1);
  const line = r.slice(p + 1, lineEnd);
  switch (r[p]) {
    case ':': return [line, lineEnd + 2];
    case '$': {
      const len = Number(line);
      if (len === -1) return ['NULL', lineEnd + 2];
      return [sdsRepr(r.slice(lineEnd + 2, lineEnd + 2 + len)), lineEnd + 2 + len + 2];
    }
    case '+': case '-': return [sdsRepr(r.slice(p, lineEnd)), lineEnd + 2];
    case '*': case '~': case '%': {
      const n = Number(line);
      let q = lineEnd + 2;
      if (r[p] === '*' && n === -1) return ['NULL', q];
      const items: string[] = [];
      for (let i = 0; i < n; i++) {
        let item: string;
        [item, q] = protocolToHuman(r, q);
        if (r[p] === '%') {
          let value: string;
          [value, q] = protocolToHuman(r, q);
          item += ' => ' + value;
        }
        items.push(item);
      }
      const [open, close] = r[p] === '*' ? ['[', ']'] : r[p] === '~' ? ['~(', ')'] : ['{', '}'];
      return [open + items.join(',') + close, q];
    }
    case '_': return ['(null)', lineEnd + 2];
    case '#': return [r[p + 1] === 't' ? '#true' : '#false', lineEnd + 2];
    case ',': return ['(double) ' + line, lineEnd + 2];
    default: return ['', p]; // types Redis's converter does not know add nothing
  }
}

/** A reply in the debugger's human form ("<reply> " entries). */
export function replyToHuman(reply: Reply, resp: 2 | 3): string {
  return protocolToHuman(encodeReply(reply, resp).toString('latin1'), 0)[0];
}

// ---------------------------------------------------------------------------
// The per-server debugger: SCRIPT DEBUG's modes and the sessions

/** A keyspace listener that hears nothing: the private databases of an async session. */
const QUIET: KeyspaceListener = {
  keyModified() {},
  keyReady() {},
  keyCreated() {},
  keyExpired() {},
  databaseFlushed() {},
};

export class ScriptDebugger {
  static readonly slot = new Slot('lua-debugger', (server: Server) => new ScriptDebugger(server));

  /** SCRIPT DEBUG YES|SYNC per client (CLIENT_LUA_DEBUG and CLIENT_LUA_DEBUG_SYNC). */
  private readonly modes = new WeakMap<Client, DebugMode>();

  private constructor(readonly server: Server) {}

  static of(server: Server): ScriptDebugger {
    return server.slot(ScriptDebugger.slot);
  }

  /** ldbEnable / ldbDisable */
  setMode(client: Client, mode: DebugMode | null): void {
    if (mode === null) this.modes.delete(client);
    else this.modes.set(client, mode);
  }

  modeOf(client: Client): DebugMode | null {
    return this.modes.get(client) ?? null;
  }

  /**
   * evalGenericCommandWithDebugging: EVAL `args` for `client` in a debugging session.
   * The reply comes at the end of the session (NO_REPLY now).
   */
  eval(engine: ScriptingEngine, client: Client, args: string[], ro: boolean, numKeys: number | ErrorReply): Reply {
    const mode = this.modes.get(client)!;
    this.modes.delete(client);
    const session = new DebugSession(engine, client, mode);
    session.start(args, ro, numKeys);
    return NO_REPLY;
  }
}

/** Where the session is. */
const enum State {
  /** The script runs (or waits for its next slice). */
  Running,
  /** Stopped at a line, waiting for debugger commands. */
  Stopped,
  Ended,
}

/** What running a debugger command leaves the session to do. */
type Next = 'repl' | 'resume' | { raise: string };

class DebugSession implements ScriptDebugHooks, InputHook {
  private state = State.Running;
  private logs: string[] = [];
  /** Lines of the script (ldb.src, without trailing newlines). */
  private src: string[] = [];
  /** ldb.bp: C ints, so that ldbDelBreakpoint's byte-count memmove does what it does in Redis. */
  private readonly bp = new Int32Array(BREAKPOINTS_MAX);
  private bpcount = 0;
  private stepping = true;
  private luabp = false;
  private currentLine = 0;
  private maxlen = MAX_LEN_DEFAULT;
  private maxlenHintSent = false;
  /** Input received and not read yet (Redis: still in the socket). */
  private unread = '';
  /** ldb.cbuf */
  private cbuf = '';
  private clientGone = false;
  /** busy-reply-threshold passed without a stop: stop at the next line (luaLdbLineHook's timeout). */
  private timedOut = false;
  /** When the script last started running after a stop (rctx->start_time). */
  private runStart = Date.now();
  private ctx: RunContext | null = null;
  private exec: LuaExecution | null = null;
  private keys: LuaTable | null = null;
  private argvTable: LuaTable | null = null;
  /** The async session's private databases. */
  private databases: Database[] | null = null;
  private scriptClient: Client;

  constructor(
    private readonly engine: ScriptingEngine,
    private readonly client: Client,
    private readonly mode: DebugMode,
  ) {
    this.scriptClient = engine.evalClient;
  }

  get logging(): boolean {
    return this.stepping;
  }

  // -------------------------------------------------------------------------
  // Start and end (ldbStartSession, evalGenericCommand, ldbEndSession)

  /** `numKeys`: EVAL's numkeys argument as the command parsed it. */
  start(args: string[], ro: boolean, numKeys: number | ErrorReply): void {
    const server = this.engine.server;
    const client = this.client;
    client.inputHook = this;
    client.blocked = 'script';
    if (this.mode === 'sync') {
      server.log.warning('Redis synchronous debugging eval session started');
      const state = server.scriptState;
      state.running = true;
      state.timedOut = false;
      state.isEval = true;
      state.client = client;
    } else {
      server.log.warning('Redis forked for debugging eval');
      this.databases = copyDatabases(server);
      // The fork's own fake client: the engine's may be running someone else's script.
      this.scriptClient = newScriptClient(this.engine.evalClient);
    }
    let body = args[1];
    let end = body.length;
    while (end > 0 && (body[end - 1] === '\n' || body[end - 1] === '\r')) end--;
    this.src = body.slice(0, end).split('\n');
    const prepared = this.prepare(args, ro, numKeys);
    if (prepared instanceof ErrorReply) {
      this.end(prepared);
      return;
    }
    this.proceed();
  }

  /** evalGenericCommand up to the call: the run context and the execution, or the error. */
  private prepare(args: string[], ro: boolean, n: number | ErrorReply): ErrorReply | null {
    const engine = this.engine;
    if (n instanceof ErrorReply) return n;
    const body = args[1];
    const header = parseEvalShebang(body);
    if (typeof header === 'string') return new ErrorReply(`ERR ${header}`);
    const sha = sha1hex(body);
    // A sync session caches the script as EVAL does; the async one's cache dies with its fork.
    if (this.mode === 'sync') {
      const cached = engine.createScript(body, sha, header.flags, header.shebangLength);
      if (cached instanceof ErrorReply) return cached;
    }
    let fn: LuaFunction;
    try {
      fn = compileChunk(body.slice(header.shebangLength), 'user_script', engine.evalGlobals, { debug: true });
    } catch (e) {
      return sanitizedError(`ERR Error compiling script (new function): ${errorText(e)}`);
    }
    const refused = engine.checkRun(header.flags, ro, this.client.mustObey);
    if (refused) return refused;
    this.keys = luaArray(args, 3, 3 + n);
    this.argvTable = luaArray(args, 3 + n, args.length);
    this.ctx = engine.newContext(this.client, this.scriptClient, sha, true, header.flags, ro, args);
    if (this.databases !== null) this.scriptClient.db = this.databases[this.client.db.id]!;
    this.exec = new LuaExecution(fn, [], (frame) => this.lineHook(frame));
    return null;
  }

  /** ldbEndSession: the last logs and "<endsession>", the reply, then the client is closed. */
  private end(reply: Reply | null): void {
    if (this.state === State.Ended) return;
    this.state = State.Ended;
    const server = this.engine.server;
    const client = this.client;
    client.inputHook = null;
    client.blocked = null;
    this.exec = null;
    this.databases = null;
    if (!client.closed && !this.clientGone) {
      this.log('<endsession>');
      this.sendLogs();
      if (reply !== null) client.reply(reply);
      client.sink?.close(true);
    }
    if (this.mode === 'sync') {
      server.log.warning('Redis synchronous debugging eval session ended');
      const state = server.scriptState;
      state.running = false;
      state.client = null;
      // The keys the script made ready are served, and deferred clients go on.
      server.afterCommand?.();
      if (server.hasDeferredClients()) queueMicrotask(() => server.resumeDeferred());
    } else {
      server.log.warning('Lua debugging session child exiting');
    }
  }

  // -------------------------------------------------------------------------
  // Running the script

  /** Swaps the session in: its run context, KEYS/ARGV, and (async) its databases. Returns the undo. */
  private enter(): () => void {
    const engine = this.engine;
    const server = engine.server;
    const G = engine.evalGlobals;
    const saved = {
      current: engine.current,
      hooks: engine.debugHooks,
      keys: G.get('KEYS'),
      argv: G.get('ARGV'),
    };
    engine.current = this.ctx;
    engine.debugHooks = this;
    G.set('KEYS', this.keys!);
    G.set('ARGV', this.argvTable!);
    let restoreDatabases: (() => void) | null = null;
    if (this.databases !== null) {
      const real = { databases: server.databases, observer: server.commandObserver, notify: server.notifyFlags, dirty: server.dirty };
      server.databases = this.databases;
      server.commandObserver = null;
      server.notifyFlags = 0;
      restoreDatabases = () => {
        server.databases = real.databases;
        server.commandObserver = real.observer;
        server.notifyFlags = real.notify;
        server.dirty = real.dirty;
      };
    }
    return () => {
      engine.current = saved.current;
      engine.debugHooks = saved.hooks;
      G.set('KEYS', saved.keys);
      G.set('ARGV', saved.argv);
      restoreDatabases?.();
    };
  }

  /** Runs the script until it stops at a line or ends; gives the event loop a turn now and then. */
  private proceed(raise?: string): void {
    if (this.state === State.Ended) return;
    this.state = State.Running;
    const until = Date.now() + SLICE_MS;
    const timeout = this.timeoutMs();
    const leave = this.enter();
    let r: ExecutionResult;
    try {
      for (;;) {
        const exec = this.exec!;
        if (raise !== undefined) {
          r = exec.raise(errorTable(raise), CHECK_INTERVAL);
          raise = undefined;
        } else {
          r = exec.resume(CHECK_INTERVAL);
        }
        if (r.status !== 'suspended') break;
        if (!this.stepping && Date.now() - this.runStart >= timeout) this.timedOut = true;
        if (Date.now() >= until) {
          setImmediate(() => this.proceed());
          return;
        }
      }
    } finally {
      leave();
    }
    if (r.status === 'paused') {
      this.stopped();
      return;
    }
    this.end(this.engine.resultReply(this.ctx!, r) ?? null);
  }

  private timeoutMs(): number {
    const t = this.engine.server.config.getInt('busy-reply-threshold');
    return t > 0 ? t : DEFAULT_TIMEOUT_MS;
  }

  /** luaLdbLineHook: whether to stop at this line event (the stop's logs are written here). */
  private lineHook(frame: DebugFrame): boolean {
    this.currentLine = frame.line;
    const bp = this.isBreakpoint(frame.line) || this.luabp;
    const timeout = this.timedOut;
    if (!this.stepping && !bp && !timeout) return false;
    this.timedOut = false;
    if (this.clientGone) {
      // ldbRepl cannot read: the script goes on without stops, unless it timed out.
      this.stepping = false;
      this.luabp = false;
      this.bpcount = 0;
      if (!timeout) return false;
      this.pendingRaise = 'timeout during Lua debugging with client closing connection';
      return true;
    }
    let reason = 'step over';
    if (bp) reason = this.luabp ? 'redis.breakpoint() called' : 'break point';
    else if (timeout) reason = 'timeout reached, infinite loop?';
    this.stepping = false;
    this.luabp = false;
    this.log(`* Stopped at ${this.currentLine}, stop reason = ${reason}`);
    this.logSourceLine(this.currentLine);
    this.sendLogs();
    return true;
  }

  /** Set by the hook when the stop must raise at once (no client to ask). */
  private pendingRaise: string | null = null;

  /** The script paused at a line: read commands (ldbRepl). */
  private stopped(): void {
    this.state = State.Stopped;
    if (this.pendingRaise !== null) {
      const message = this.pendingRaise;
      this.pendingRaise = null;
      this.proceed(message);
      return;
    }
    this.repl();
  }

  // -------------------------------------------------------------------------
  // Input (ldbRepl)

  data(bytes: string): void {
    if (this.state === State.Ended) return;
    this.unread += bytes;
    if (this.unread.length > MAX_UNREAD) {
      // Redis would leave this in the socket; here it is memory: drop the client.
      this.client.sink?.close(false);
      return;
    }
    if (this.state === State.Stopped) this.repl();
  }

  closed(): void {
    if (this.state === State.Ended) return;
    this.clientGone = true;
    if (this.mode === 'async') {
      // The fork would go on alone, on a dataset nobody sees: drop it.
      this.end(null);
      return;
    }
    this.stepping = false;
    this.bpcount = 0;
    if (this.state === State.Stopped) this.proceed();
  }

  /** Reads and runs commands until one resumes the script, or more input is needed. */
  private repl(): void {
    const leave = this.enter();
    let next: Next = 'repl';
    try {
      while (next === 'repl') {
        const parsed = parseDebuggerCommand(this.cbuf);
        if (parsed === 'error') {
          next = { raise: 'protocol error' };
          break;
        }
        if (parsed === 'more') {
          if (this.unread.length === 0) return; // wait for data (or the close)
          this.cbuf += this.unread.slice(0, READ_SIZE);
          this.unread = this.unread.slice(READ_SIZE);
          if (this.cbuf.length > MAX_COMMAND_BUFFER) {
            this.cbuf = '';
            next = { raise: 'max client buffer reached' };
          }
          continue;
        }
        this.cbuf = '';
        next = this.command(parsed);
      }
    } finally {
      leave();
    }
    this.runStart = Date.now();
    if (next === 'resume') this.proceed();
    else if (typeof next === 'object') this.proceed(next.raise);
  }

  /** One debugger command (ldbRepl's dispatch). */
  private command(argv: string[]): Next {
    const name = cString(argv[0]!).toLowerCase();
    const argc = argv.length;
    const is = (short: string, long: string) => name === short || name === long;
    if (is('h', 'help')) {
      for (const line of HELP) this.log(line);
    } else if (is('s', 'step') || is('n', 'next')) {
      this.stepping = true;
      return 'resume';
    } else if (is('c', 'continue')) {
      return 'resume';
    } else if (is('t', 'trace')) {
      this.trace();
    } else if (is('m', 'maxlen')) {
      this.maxlenCommand(argv);
    } else if (is('b', 'break')) {
      this.breakCommand(argv);
    } else if (is('e', 'eval')) {
      this.evalCommand(argv);
    } else if (is('a', 'abort')) {
      return { raise: 'script aborted for user request' };
    } else if (argc > 1 && is('r', 'redis')) {
      this.redisCommand(argv);
    } else if (is('p', 'print')) {
      if (argc === 2) this.print(argv[1]!);
      else this.printAll();
    } else if (is('l', 'list')) {
      let around = this.currentLine;
      let context = 5;
      if (argc > 1) {
        const n = atoi(argv[1]!);
        if (n > 0) around = n;
      }
      if (argc > 2) context = atoi(argv[2]!);
      this.list(around, context);
    } else if (is('w', 'whole')) {
      this.list(1, 1000000);
    } else {
      this.log(UNKNOWN_COMMAND);
    }
    this.sendLogs();
    return 'repl';
  }

  // -------------------------------------------------------------------------
  // Logs

  log(entry: string): void {
    this.logs.push(entry);
  }

  /** ldbLogWithMaxLen */
  private logWithMaxLen(entry: string): void {
    let trimmed = false;
    if (this.maxlen && entry.length > this.maxlen) {
      entry = entry.slice(0, this.maxlen) + ' ...';
      trimmed = true;
    }
    this.log(entry);
    if (trimmed && !this.maxlenHintSent) {
      this.maxlenHintSent = true;
      this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    }
  }

  /** ldbSendLogs */
  private sendLogs(): void {
    let out = `*${this.logs.length}\r\n`;
    for (const entry of this.logs) out += '+' + entry.replace(/[\r\n]/g, ' ') + '\r\n';
    this.logs = [];
    if (!this.client.closed) this.client.sink?.sendRaw?.(out);
  }

  logCommand(argv: string[]): void {
    let entry = '<redis>';
    for (let j = 0; j < argv.length; j++) {
      if (j === 10) {
        entry += ` ... (${argv.length - j - 1} more)`;
        break;
      }
      entry += ' ' + argv[j];
    }
    this.log(entry);
  }

  logReply(reply: Reply, resp: 2 | 3): void {
    this.logWithMaxLen('<reply> ' + replyToHuman(reply, resp));
  }

  breakpoint(): void {
    this.luabp = true;
  }

  debug(values: unknown[]): void {
    this.log(`<debug> line ${this.currentLine}: ` + values.map((v) => luaValueRepr(v as LuaValue)).join(', '));
  }

  // -------------------------------------------------------------------------
  // Commands

  private sourceLine(line: number): string {
    const idx = line - 1;
    return idx < 0 || idx >= this.src.length ? '<out of range source code line>' : this.src[idx]!;
  }

  /** ldbLogSourceLine */
  private logSourceLine(line: number): void {
    const bp = this.isBreakpoint(line);
    const current = this.currentLine === line;
    const prefix = current && bp ? '->#' : current ? '-> ' : bp ? '  #' : '   ';
    this.log(`${prefix}${String(line).padEnd(3)} ${this.sourceLine(line)}`);
  }

  /** ldbList */
  private list(around: number, context: number): void {
    for (let j = 1; j <= this.src.length; j++) {
      if (around !== 0 && Math.abs(around - j) > context) continue;
      this.logSourceLine(j);
    }
  }

  private isBreakpoint(line: number): boolean {
    for (let j = 0; j < this.bpcount; j++) if (this.bp[j] === line) return true;
    return false;
  }

  /** ldbAddBreakpoint */
  private addBreakpoint(line: number): boolean {
    if (line <= 0 || line > this.src.length) return false;
    if (!this.isBreakpoint(line) && this.bpcount !== BREAKPOINTS_MAX) {
      this.bp[this.bpcount++] = line;
      return true;
    }
    return false;
  }

  /**
   * ldbDelBreakpoint, including its memmove of `bpcount - j` bytes (not ints): the
   * breakpoints after the removed one come out as they do in Redis.
   */
  private delBreakpoint(line: number): boolean {
    for (let j = 0; j < this.bpcount; j++) {
      if (this.bp[j] === line) {
        this.bpcount--;
        const bytes = new Uint8Array(this.bp.buffer);
        bytes.copyWithin(j * 4, (j + 1) * 4, (j + 1) * 4 + (this.bpcount - j));
        return true;
      }
    }
    return false;
  }

  /** ldbBreak */
  private breakCommand(argv: string[]): void {
    if (argv.length === 1) {
      if (this.bpcount === 0) {
        this.log("No breakpoints set. Use 'b <line>' to add one.");
        return;
      }
      this.log(`${this.bpcount} breakpoints set:`);
      for (let j = 0; j < this.bpcount; j++) this.logSourceLine(this.bp[j]!);
      return;
    }
    for (let j = 1; j < argv.length; j++) {
      const arg = argv[j]!;
      const line = string2l(arg);
      if (line === null) {
        this.log(`Invalid argument:'${cString(arg)}'`);
      } else if (line === 0) {
        this.bpcount = 0;
        this.log('All breakpoints removed.');
      } else if (line > 0) {
        if (this.bpcount === BREAKPOINTS_MAX) this.log('Too many breakpoints set.');
        else if (this.addBreakpoint(line)) this.list(line, 1);
        else this.log('Wrong line number.');
      } else {
        this.log(this.delBreakpoint(-line) ? 'Breakpoint removed.' : 'No breakpoint in the specified line.');
      }
    }
  }

  /** ldbMaxlen */
  private maxlenCommand(argv: string[]): void {
    if (argv.length === 2) {
      let n = atoi(argv[1]!);
      this.maxlenHintSent = true;
      if (n !== 0 && n <= 60) n = 60;
      this.maxlen = n;
    }
    this.log(this.maxlen ? `<value> replies are truncated at ${this.maxlen} bytes.` : '<value> replies are unlimited.');
  }

  /** The innermost level the script stopped in. */
  private frame(): DebugFrame | null {
    return this.exec?.currentFrame ?? null;
  }

  /** ldbTrace */
  private trace(): void {
    let level = 0;
    for (let f = this.frame(); f !== null; f = f.parent, level++) {
      if (!f.chunk.includes('user_script')) continue;
      this.log(`${level === 0 ? 'In' : 'From'} ${f.name ?? 'top level'}:`);
      this.logSourceLine(f.line);
    }
    if (level === 0) this.log("<error> Can't retrieve Lua stack.");
  }

  /** ldbPrint: the first local of that name from the current level outwards, then KEYS / ARGV. */
  private print(name: string): void {
    const wanted = cString(name);
    for (let f = this.frame(); f !== null; f = f.parent) {
      for (const [local, value] of f.locals()) {
        if (local === wanted) {
          this.logWithMaxLen('<value> ' + luaValueRepr(value));
          return;
        }
      }
    }
    if (wanted === 'ARGV' || wanted === 'KEYS') {
      this.logWithMaxLen('<value> ' + luaValueRepr(this.engine.evalGlobals.get(wanted)));
    } else {
      this.log('No such variable.');
    }
  }

  /** ldbPrintAll */
  private printAll(): void {
    const f = this.frame();
    let n = 0;
    if (f !== null) {
      for (const [local, value] of f.locals()) {
        this.logWithMaxLen(`<value> ${local} = ${luaValueRepr(value)}`);
        n++;
      }
    }
    if (n === 0) this.log('No local variables in the current context.');
  }

  /** ldbEval: as an expression ("return " prepended), else as statements; in a call of its own. */
  private evalCommand(argv: string[]): void {
    const code = argv.slice(1).join(' ');
    const G = this.engine.evalGlobals;
    let fn: LuaFunction;
    try {
      fn = compileChunk('return ' + code, 'ldb_eval', G);
    } catch {
      try {
        fn = compileChunk(code, 'ldb_eval', G);
      } catch (e) {
        this.log(`<error> ${errorText(e)}`);
        return;
      }
    }
    // Redis would wait forever for an endless fragment; this one is stopped.
    const deadline = Date.now() + this.timeoutMs();
    let values: LuaValue[];
    try {
      values = runToCompletion(fn, [], () => {
        if (Date.now() >= deadline) throw new EvalTimeout();
      });
    } catch (e) {
      this.log(`<error> ${e instanceof EvalTimeout ? 'ldb_eval: the code ran too long and was stopped' : evalErrorText(e)}`);
      return;
    }
    this.logWithMaxLen('<retval> ' + luaValueRepr(values[0]));
  }

  /** ldbRedis: redis.call with logging on; its error is caught and dropped (lua_pcall). */
  private redisCommand(argv: string[]): void {
    const redis = this.engine.evalGlobals.get('redis');
    const call = redis instanceof LuaTable ? redis.get('call') : undefined;
    if (!(call instanceof LuaFunction) || call.host === null) return;
    this.stepping = true;
    try {
      call.host(argv.slice(1));
    } catch {
      // lua_pcall's error value is popped
    } finally {
      this.stepping = false;
    }
  }
}

class EvalTimeout extends Error {}

/**
 * The text of an error raised by debugger-evaluated code. A table has none in Lua
 * (Redis 7.0.15 crashes on lua_tostring's NULL there): a redis.call error table shows
 * its `err`, any other value how Lua names it.
 */
function evalErrorText(e: unknown): string {
  const value = toLuaError(e).value;
  if (value instanceof LuaTable) {
    const err = value.get('err');
    if (typeof err === 'string') return err;
  }
  return errorText(e);
}

// ---------------------------------------------------------------------------
// Helpers

/** The async session's dataset: a copy of every database, deaf to the server. */
function copyDatabases(server: Server): Database[] {
  return server.databases.map((db) => {
    const copy = new Database(db.id, db.clock, QUIET, db.expireEnabled);
    for (const [key, value] of db.data) copy.data.set(key, typeof value === 'string' ? value : value.clone());
    for (const [key, when] of db.expires) copy.expires.set(key, when);
    return copy;
  });
}

/** A fake client like the engine's EVAL client, for a session of its own. */
function newScriptClient(model: Client): Client {
  const c = new Client(model.server, null);
  c.isScript = true;
  return c;
}
