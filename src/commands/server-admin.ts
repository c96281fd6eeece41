/**
 * Server commands (Redis 7.0 behaviour and error texts): DBSIZE, FLUSHDB, FLUSHALL,
 * SWAPDB, INFO, CONFIG, TIME, LASTSAVE, DEBUG, SLOWLOG, SHUTDOWN, WAIT, ROLE.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../keyspace/database.js';
import { ErrorReply, Errors, MapReply, NO_REPLY, OK, SimpleReply, VerbatimReply, err, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { Config } from '../server/config.js';
import type { Server, ShutdownRequest } from '../server/server.js';
import { RdbWriter } from '../persistence/rdb-encoding.js';
import { blockOrTimeout } from '../server/blocking.js';
import { is, parseInt64 } from './args.js';
import { datasetDigest, digestValue } from './debug-digest.js';
import { encodingOf, helpLines, refcountOf } from './keyspace.js';
import type { Handler } from './registry.js';
import { infoText, lruClock, parseInfoSections, resetInfoPeaks } from './server-info.js';

const INT_MAX = 2147483647;

/** getIntFromObjectOrReply: a 32-bit signed integer, or null. */
function parseInt32(s: string): number | null {
  const v = parseInt64(s);
  if (v === null || typeof v === 'bigint' || v > INT_MAX || v < -INT_MAX - 1) return null;
  return v;
}

/** addReplySubcommandSyntaxError. */
function subcommandSyntaxError(args: string[]): ErrorReply {
  const sub = args[1].slice(0, 128).replace(/[\r\n]/g, ' ');
  return err(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${args[0].toUpperCase()} HELP.`);
}

// ---------------------------------------------------------------------------------------
// DBSIZE, FLUSHDB, FLUSHALL, SWAPDB

const dbsize: Handler = (client) => client.db.size;

/** getFlushCommandFlags: FLUSHDB/FLUSHALL take nothing, ASYNC or SYNC (all flush at once here). */
function flushArgsError(args: string[]): ErrorReply | null {
  if (args.length === 1) return null;
  if (args.length === 2 && (is(args[1], 'sync') || is(args[1], 'async'))) return null;
  return Errors.syntax;
}

const flushdb: Handler = (client, args) => {
  const e = flushArgsError(args);
  if (e) return e;
  client.server.dirty += client.db.flush();
  return OK;
};

const flushall: Handler = (client, args) => {
  const e = flushArgsError(args);
  if (e) return e;
  const server = client.server;
  for (const db of server.databases) server.dirty += db.flush();
  return OK;
};

/** After SWAPDB, clients blocked on keys of `db` that now exist may be served. */
function signalBlockedKeys(server: Server, db: Database): void {
  const handler = server.keyReadyHandler;
  if (!handler) return;
  const keys = [...(handler.blockedKeys ? handler.blockedKeys(db) : db.data.keys())];
  for (const key of keys) if (db.data.has(key)) handler.keyReady(db, key);
}

const swapdb: Handler = (client, args) => {
  const server = client.server;
  const id1 = parseInt32(args[1]);
  if (id1 === null) return err('ERR invalid first DB index');
  const id2 = parseInt32(args[2]);
  if (id2 === null) return err('ERR invalid second DB index');
  const n = server.databases.length;
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) return Errors.dbIndexOutOfRange;
  if (id1 !== id2) {
    const a = server.databases[id1];
    const b = server.databases[id2];
    // WATCHed keys that exist on either side change value: transactions must fail.
    server.watches.touchAll(a, b);
    server.watches.touchAll(b, a);
    a.swapContents(b);
    signalBlockedKeys(server, a);
    signalBlockedKeys(server, b);
  }
  server.dirty++;
  return OK;
};

// ---------------------------------------------------------------------------------------
// INFO, TIME, LASTSAVE, ROLE, WAIT

const info: Handler = (client, args) => new VerbatimReply(infoText(client.server, parseInfoSections(args.slice(1))));

const time: Handler = () => {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  return [String(sec), String(us - sec * 1e6)];
};

const lastsave: Handler = (client) => client.server.lastSave;

const role: Handler = () => ['master', 0, []];

const NEVER_SERVED = (): undefined => undefined;

const wait: Handler = (client, args) => {
  const numReplicas = parseInt64(args[1]);
  if (numReplicas === null) return Errors.notInteger;
  const timeout = parseInt64(args[2]);
  if (timeout === null) return err('ERR timeout is not an integer or out of range');
  if (timeout < 0) return err('ERR timeout is negative');
  // No replica ever acknowledges: WAIT answers 0 at once when that is enough (or inside
  // MULTI), otherwise when its timeout passes (a 0 timeout waits for CLIENT UNBLOCK).
  if (numReplicas <= 0 || client.multi !== null) return 0;
  const deadline = timeout > 0 ? Date.now() + Number(timeout) : 0;
  return blockOrTimeout(client, [], deadline, 0, NEVER_SERVED);
};

// ---------------------------------------------------------------------------------------
// CONFIG

const configGet: Handler = (client, args) => {
  const out: Reply[] = [];
  for (const [name, value] of client.server.config.match(args.slice(2))) out.push(name, value);
  return new MapReply(out);
};

function isLocalClient(client: Client): boolean {
  const addr = client.addr;
  return addr === '' || addr.startsWith('127.0.0.1:') || addr.startsWith('::1:') || addr.startsWith('::ffff:127.0.0.1:');
}

/** allowProtectedAction: enable-protected-configs is "yes", or "local" for a local client. */
function mayChangeProtected(client: Client): boolean {
  const setting = client.server.config.get('enable-protected-configs');
  return setting === 'yes' || (setting === 'local' && isLocalClient(client));
}

const configSet: Handler = (client, args) => {
  if (args.length % 2 !== 0) return Errors.syntax;
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i], args[i + 1]]);
  const error = client.server.config.setMany(pairs, mayChangeProtected(client));
  return error === null ? OK : err(error);
};

const configResetstat: Handler = (client) => {
  const server = client.server;
  server.stats.reset();
  for (const db of server.databases) db.hits = db.misses = 0;
  resetInfoPeaks(server);
  return OK;
};

const configRewrite: Handler = (client) => {
  const server = client.server;
  if (server.configFile === null) return err('ERR The server is running without a config file');
  try {
    rewriteConfigFile(server.config, server.configFile);
  } catch (e) {
    const message = systemErrorText(e);
    server.log.warning(`CONFIG REWRITE failed: ${message}`);
    return err(`ERR Rewriting config file: ${message}`);
  }
  server.log.warning('CONFIG REWRITE executed with success.');
  return OK;
};

const configHelp: Handler = () =>
  helpLines('CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);

/** strerror-like text of a Node file system error. */
function systemErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'Permission denied',
    ENOENT: 'No such file or directory',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
  };
  return (code && known[code]) ?? (e as Error).message;
}

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

/** A config file argument, quoted as Redis's sdscatrepr when it needs to be. */
function configArg(value: string): string {
  if (value !== '' && /^[\x21-\x7e]+$/.test(value) && !/["'\\]/.test(value)) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const c = value.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** The config file lines for one parameter (save points get one line each, as Redis writes them). */
function configLines(name: string, value: string): string[] {
  if (name === 'save') {
    const parts = value.split(/\s+/).filter(Boolean);
    if (parts.length === 0) return ['save ""'];
    const out: string[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push(`save ${parts[i]} ${parts[i + 1]}`);
    return out;
  }
  return [`${name} ${configArg(value)}`];
}

/**
 * CONFIG REWRITE (rewriteConfig): keeps the file's comments, unknown lines and order;
 * replaces the lines of known parameters with their current values (dropping repeats);
 * appends parameters that differ from their defaults after the signature line.
 */
function rewriteConfigFile(config: Config, file: string): void {
  let old: string[] = [];
  try {
    old = fs.readFileSync(file, 'latin1').split('\n');
    if (old.length && old[old.length - 1] === '') old.pop();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const lines: (string | null)[] = old.map((l) => l.replace(/\r$/, '')).filter((l) => l !== REWRITE_SIGNATURE);
  const positions = new Map<string, number[]>();
  lines.forEach((line, i) => {
    const trimmed = line!.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const name = Config.canonicalName(trimmed.split(/\s+/)[0]);
    if (!name) return;
    let list = positions.get(name);
    if (!list) positions.set(name, (list = []));
    list.push(i);
  });
  const appended: string[] = [];
  for (const { name, value, isDefault } of config.all()) {
    const at = positions.get(name);
    if (!at && isDefault) continue;
    const fresh = configLines(name, value);
    if (!at) {
      appended.push(...fresh);
      continue;
    }
    // Reuse the old lines' places; extra old lines are dropped, extra new ones appended.
    at.forEach((lineNo, k) => (lines[lineNo] = k < fresh.length ? fresh[k] : null));
    appended.push(...fresh.slice(at.length));
  }
  const kept = lines.filter((l): l is string => l !== null);
  if (appended.length) kept.push(REWRITE_SIGNATURE, ...appended);
  const tmp = path.join(path.dirname(file), `.lunakv-config-rewrite-${process.pid}.tmp`);
  fs.writeFileSync(tmp, kept.join('\n') + '\n');
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_COUNT_ERROR = err('ERR count should be greater than or equal to -1');

const slowlogGet: Handler = (client, args) => {
  if (args.length > 3) return subcommandSyntaxError(args);
  const entries = client.server.slowlog.entries;
  let count = 10;
  if (args.length === 3) {
    const n = parseInt64(args[2]);
    if (n === null || n < -1) return SLOWLOG_COUNT_ERROR;
    count = n === -1 || typeof n === 'bigint' ? entries.length : n;
  }
  return entries.slice(0, count).map((e) => [e.id, e.time, e.durationUs, e.args, e.addr, e.name]);
};

const slowlogLen: Handler = (client) => client.server.slowlog.entries.length;

const slowlogReset: Handler = (client) => {
  client.server.slowlog.reset();
  return OK;
};

const slowlogHelp: Handler = () =>
  helpLines('SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);

// ---------------------------------------------------------------------------------------
// SHUTDOWN

const shutdown: Handler = (client, args) => {
  const request: ShutdownRequest = { save: false, nosave: false, now: false, force: false };
  let abort = false;
  for (let i = 1; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    if (opt === 'nosave') request.nosave = true;
    else if (opt === 'save') request.save = true;
    else if (opt === 'now') request.now = true;
    else if (opt === 'force') request.force = true;
    else if (opt === 'abort') abort = true;
    else return Errors.syntax;
  }
  const anyFlag = request.save || request.nosave || request.now || request.force;
  if ((abort && anyFlag) || (request.save && request.nosave)) return Errors.syntax;
  // Shutdown is never left in progress here (no replicas to wait for): nothing to abort.
  if (abort) return err('ERR No shutdown in progress.');
  if (!request.now && client.denyBlocking) {
    return err("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
  }
  const server = client.server;
  const script = server.scriptState;
  if (!request.nosave && script.timedOut) {
    return err(
      script.isEval
        ? 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'
        : 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.',
    );
  }
  server.log.warning('User requested shutdown...');
  server.shutdownRequest = request;
  // Stop accepting connections first; server.shutdown() runs the hooks (persistence
  // saves there), closes every client without a reply and calls onShutdown (the
  // program exits there; an embedded server just stops).
  server.listener?.close();
  void server.shutdown();
  return NO_REPLY;
};

// ---------------------------------------------------------------------------------------
// DEBUG (gated by enable-debug-command in dispatch)

const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** C's strtod on a prefix ("1.5s" is 1.5, "x" is 0), as DEBUG SLEEP reads its argument. */
function strtodPrefix(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?)/i.exec(s);
  if (!m) return 0;
  const t = m[0].trim().toLowerCase();
  if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** C's atoi: optional sign and leading digits, 0 otherwise. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? parseInt(m[0], 10) : 0;
}

/** Blocks the whole process, as DEBUG SLEEP stops Redis. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** rdbSavedObjectLen for a string value; collections report their memory estimate. */
function serializedLength(server: Server, value: string | { memoryUsage(): number }): number {
  if (typeof value !== 'string') return value.memoryUsage();
  const w = new RdbWriter(value.length + 16);
  w.writeString(value, { compression: server.config.getBool('rdbcompression') });
  return w.length;
}

/** A stable fake address per key for DEBUG OBJECT's "Value at:". */
function fakeAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return '0x7f' + (h >>> 0).toString(16).padStart(8, '0') + '00';
}

function debugObject(client: Client, key: string): Reply {
  const db = client.db;
  // Redis reads the dict directly: no expiry check, no access-time update.
  const value = db.data.get(key);
  if (value === undefined) return Errors.noSuchKey;
  const server = client.server;
  const idle = db.idleMs(key);
  const lru = lruClock(server.clock.now - idle);
  return new SimpleReply(
    `Value at:${fakeAddress(key)} refcount:${refcountOf(server, value)} encoding:${encodingOf(server, value)} ` +
      `serializedlength:${serializedLength(server, value)} lru:${lru} lru_seconds_idle:${Math.floor(idle / 1000)}`,
  );
}

const debug: Handler = (client, args) => {
  const sub = args[1].toLowerCase();
  const argc = args.length;
  if (sub === 'help' && argc === 2) return helpLines('DEBUG', DEBUG_HELP);
  if (sub === 'sleep' && argc === 3) {
    // Redis truncates to whole microseconds.
    sleepSync(Math.floor(strtodPrefix(args[2]) * 1e6) / 1000);
    return OK;
  }
  if (sub === 'set-active-expire' && argc === 3) {
    client.server.activeExpire.enabled = atoi(args[2]) !== 0;
    return OK;
  }
  if (sub === 'object' && argc === 3) return debugObject(client, args[2]);
  if (sub === 'digest' && argc === 2) return new SimpleReply(datasetDigest(client.server));
  if (sub === 'digest-value') return args.slice(2).map((key) => new SimpleReply(digestValue(client.db, key)));
  if (sub === 'error' && argc === 3) return new ErrorReply(args[2].replace(/[\r\n]/g, ' '));
  if (sub === 'log' && argc === 3) {
    client.server.log.warning(`DEBUG LOG: ${args[2]}`);
    return OK;
  }
  return subcommandSyntaxError(args);
};

export const serverCommands: Record<string, Handler> = {
  dbsize,
  flushdb,
  flushall,
  swapdb,
  info,
  time,
  lastsave,
  role,
  wait,
  'config|get': configGet,
  'config|set': configSet,
  'config|resetstat': configResetstat,
  'config|rewrite': configRewrite,
  'config|help': configHelp,
  'slowlog|get': slowlogGet,
  'slowlog|len': slowlogLen,
  'slowlog|reset': slowlogReset,
  'slowlog|help': slowlogHelp,
  shutdown,
  debug,
};
