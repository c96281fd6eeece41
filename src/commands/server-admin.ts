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
import { is, parseInt64 } from './args.js';
import { datasetDigest, digestValue } from './debug-digest.js';
import { encodingOf, refcountOf } from './keyspace.js';
import type { Handler } from './registry.js';
import { helpLines, subcommandSyntaxError } from './replies.js';
import { infoText, lruClock, parseInfoSections, resetInfoPeaks } from './server-info.js';

const INT_MAX = 2147483647;

/** getIntFromObjectOrReply: a 32-bit signed integer, or null. */
function parseInt32(s: string): number | null {
  const v = parseInt64(s);
  if (v === null || typeof v === 'bigint' || v > INT_MAX || v < -INT_MAX - 1) return null;
  return v;
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

/**
 * After SWAPDB, clients blocked on keys of `db` that now exist may be served, and
 * XREADGROUP clients whose stream is gone get an error (scanDatabaseForDeletedStreams).
 */
function signalBlockedKeys(server: Server, db: Database): void {
  const handler = server.keyReadyHandler;
  if (!handler) return;
  const keys = [...(handler.blockedKeys ? handler.blockedKeys(db) : db.data.keys())];
  for (const key of keys) handler.keyReady(db, key);
}

const swapdb: Handler = (client, args) => {
  const server = client.server;
  if (server.cluster !== null) return err('ERR SWAPDB is not allowed in cluster mode');
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

/** Parameters CONFIG SET refuses while loading (Redis's DENY_LOADING_CONFIG). */
const DENY_LOADING_CONFIGS = new Set(['appendonly', 'repl-diskless-load', 'dir']);

const configSet: Handler = (client, args) => {
  if (args.length % 2 !== 0) return Errors.syntax;
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i], args[i + 1]]);
  // DENY_LOADING_CONFIG while a replica loads its master's payload; the error wins over others.
  if (client.server.replication.loading !== 0 && pairs.some(([name]) => DENY_LOADING_CONFIGS.has(Config.canonicalName(name) ?? ''))) {
    return err('LOADING Redis is loading the dataset in memory');
  }
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
  // rewriteConfigReplicaOfOption: "replicaof <host> <port>", two arguments.
  if (name === 'replicaof') {
    const [host, port] = value.split(/\s+/);
    return host && port ? [`replicaof ${configArg(host)} ${port}`] : [];
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

export const serverCommands: Record<string, Handler> = {
  dbsize,
  flushdb,
  flushall,
  swapdb,
  info,
  time,
  lastsave,
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
};
