/**
 * DEBUG and its subcommands (gated by enable-debug-command in dispatch). Subcommands are
 * a table: other subsystems (persistence: RELOAD, LOADAOF) add theirs with
 * registerDebugSubcommand.
 */
import { BigNumberReply, BoolReply, DoubleReply, ErrorReply, Errors, MapReply, OK, PushReply, SetReply, SimpleReply, VerbatimReply, AttributeReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { RdbWriter } from '../persistence/rdb-encoding.js';
import { datasetDigest, digestValue } from './debug-digest.js';
import { encodingOf, refcountOf } from './keyspace.js';
import type { Handler } from './registry.js';
import { parseInt64 } from './args.js';
import { ReplicationState } from '../replication/state.js';
import { helpLines, sanitizedError, subcommandSyntaxError } from './replies.js';
import { lruClock } from './server-info.js';
import { debugReload, PersistenceManager } from '../persistence/manager.js';

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
    `Value at:${fakeAddress(key)} refcount:${refcountOf(server, value)} encoding:${encodingOf(server, value, db, key)} ` +
      `serializedlength:${serializedLength(server, value)} lru:${lru} lru_seconds_idle:${Math.floor(idle / 1000)}`,
  );
}


/** A DEBUG subcommand: handles `DEBUG <name> ...` when `arity` accepts args.length. */
interface DebugSubcommand {
  /** Exact argument count, or negative for "at least". */
  arity: number;
  run: Handler;
}

const subcommands = new Map<string, DebugSubcommand>();

export function registerDebugSubcommand(name: string, arity: number, run: Handler): void {
  subcommands.set(name, { arity, run });
}

/** DEBUG PROTOCOL <type>: a test value of each reply type (debug.c). */
function debugProtocol(client: Client, type: string): Reply {
  switch (type.toLowerCase()) {
    case 'string':
      return 'Hello World';
    case 'integer':
      return 12345;
    case 'double':
      return new DoubleReply(3.141);
    case 'bignum':
      return new BigNumberReply('1234567999999999999999999999999999999');
    case 'null':
      return null;
    case 'array':
      return [0, 1, 2];
    case 'set':
      return new SetReply([0, 1, 2]);
    case 'map':
      return new MapReply([0, new BoolReply(false), 1, new BoolReply(true), 2, new BoolReply(false)]);
    case 'attrib':
      return new AttributeReply(['key-popularity', ['key:123', 90]], 'Some real reply following the attribute');
    case 'push':
      if (client.protocol < 3) return new ErrorReply('ERR RESP2 is not supported by this command');
      client.push(new PushReply(['server-cpu-usage', 42]));
      return 'Some real reply following the push reply';
    case 'true':
      return new BoolReply(true);
    case 'false':
      return new BoolReply(false);
    case 'verbatim':
      return new VerbatimReply('This is a verbatim\nstring', 'txt');
    default:
      return new ErrorReply(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

registerDebugSubcommand('help', 2, () => helpLines('DEBUG', DEBUG_HELP));
registerDebugSubcommand('sleep', 3, (_c, args) => {
  // Redis truncates to whole microseconds.
  sleepSync(Math.floor(strtodPrefix(args[2]) * 1e6) / 1000);
  return OK;
});
registerDebugSubcommand('set-active-expire', 3, (client, args) => {
  client.server.activeExpire.enabled = atoi(args[2]) !== 0;
  return OK;
});
registerDebugSubcommand('object', 3, (client, args) => debugObject(client, args[2]));
registerDebugSubcommand('digest', 2, (client) => new SimpleReply(datasetDigest(client.server)));
registerDebugSubcommand('digest-value', -2, (client, args) => args.slice(2).map((key) => new SimpleReply(digestValue(client.db, key))));
registerDebugSubcommand('error', 3, (_c, args) => sanitizedError(args[2]));
registerDebugSubcommand('log', 3, (client, args) => {
  client.server.log.warning(`DEBUG LOG: ${args[2]}`);
  return OK;
});
registerDebugSubcommand('protocol', 3, (client, args) => debugProtocol(client, args[2]));
// Tuning knobs of Redis's C internals that have no equivalent here: accepted, no effect.
for (const name of ['quicklist-packed-threshold', 'replybuffer', 'pause-cron', 'change-repl-id', 'jmap']) {
  registerDebugSubcommand(name, -2, () => OK);
}
registerDebugSubcommand('set-skip-checksum-validation', 3, (client, args) => {
  client.server.skipChecksumValidation = atoi(args[2]) !== 0;
  return OK;
});
registerDebugSubcommand('set-disable-deny-scripts', 3, (client, args) => {
  client.server.scriptDenyDisabled = atoi(args[2]) !== 0;
  return OK;
});
registerDebugSubcommand('stringmatch-len', -2, () => OK);
registerDebugSubcommand('loadaof', 2, (client) => {
  try {
    PersistenceManager.of(client.server).loadAof();
  } catch (e) {
    return new ErrorReply(`ERR Error loading the append only file: ${(e as Error).message}`);
  }
  return OK;
});
registerDebugSubcommand('reload', -2, (client, args) => {
  const options = { save: true, flush: true, merge: false };
  for (const opt of args.slice(2)) {
    const o = opt.toLowerCase();
    if (o === 'merge') options.merge = true;
    else if (o === 'noflush') options.flush = false;
    else if (o === 'nosave') options.save = false;
    else return new ErrorReply('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  try {
    debugReload(client.server, options);
  } catch (e) {
    client.server.log.warning(`DEBUG RELOAD failed: ${(e as Error).message}`);
    return new ErrorReply('ERR Error trying to load the RDB dump, check server logs.');
  }
  client.server.log.warning('DB reloaded by DEBUG RELOAD');
  return OK;
});

/** DEBUG POPULATE count [prefix] [size]: keys prefix:N = "value:N" (padded or cut to size). */
registerDebugSubcommand('populate', -3, (client, args) => {
  if (args.length > 5) return subcommandSyntaxError(args);
  const count = parseInt64(args[2]!);
  if (count === null || count < 0) return new ErrorReply('ERR value is out of range, must be positive');
  let size = 0;
  if (args.length === 5) {
    const n = parseInt64(args[4]!);
    if (n === null || n < 0) return new ErrorReply('ERR value is out of range, must be positive');
    size = Number(n);
  }
  const prefix = args.length >= 4 ? args[3]! : 'key';
  const db = client.db;
  for (let j = 0; j < Number(count); j++) {
    const key = `${prefix}:${j}`;
    if (db.get(key) !== undefined) continue;
    const text = `value:${j}`;
    const value = size === 0 ? text : size <= text.length ? text.slice(0, size) : text + '\0'.repeat(size - text.length);
    db.set(key, value);
  }
  return OK;
});

/** DEBUG REPLICATE cmd [args]: the command goes to the replicas only (tests of divergence). */
registerDebugSubcommand('replicate', -3, (client, args) => {
  ReplicationState.of(client.server).feedUnselected(args.slice(2));
  return OK;
});

const debug: Handler = (client, args) => {
  const sub = subcommands.get(args[1].toLowerCase());
  if (!sub) return subcommandSyntaxError(args);
  const ok = sub.arity >= 0 ? args.length === sub.arity : args.length >= -sub.arity;
  if (!ok) return subcommandSyntaxError(args);
  return sub.run(client, args);
};

export const debugCommands: Record<string, Handler> = { debug };
