/**
 * Generic keyspace commands (Redis 7.0 db.c, expire.c and object.c behaviour and error
 * texts): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME(NX), COPY, MOVE,
 * TOUCH, the EXPIRE family, TTL family, PERSIST and OBJECT.
 */
import type { Database } from '../keyspace/database.js';
import { globMatch } from '../keyspace/glob.js';
import { typeOf, type RedisValue } from '../keyspace/value.js';
import { ErrorReply, Errors, OK, SimpleReply, err, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { LLONG_MAX, LLONG_MIN, is, parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { helpLines } from './replies.js';
import { NOVALUES_ONLY_HSCAN } from './type-helpers.js';
import { NotifyClass, notify } from '../server/notifications.js';

const SAME_OBJECT = err('ERR source and destination objects are the same');
const INT_MAX = 2147483647;

// ---------------------------------------------------------------------------------------
// Lookups with Redis's flags. `db.get` is lookupKeyWrite (expires, touches, no stats);
// `db.lookupRead` is lookupKeyRead; `peekRead` is lookupKeyReadWithFlags(LOOKUP_NOTOUCH).

/** lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expires the key and counts hits/misses, but does not update its access time. */
function peekRead(db: Database, key: string): RedisValue | undefined {
  const v = db.peek(key);
  if (v === undefined) db.misses++;
  else db.hits++;
  return v;
}

const INT32_RANGE = err('ERR value is out of range, value must between -2147483648 and 2147483647');

/** getIntFromObjectOrReply without a custom message: a 32-bit signed integer, or Redis's error. */
export function int32Arg(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return Errors.notInteger;
  if (typeof v === 'bigint' || v > INT_MAX || v < -INT_MAX - 1) return INT32_RANGE;
  return v;
}

/** selectDb's check: the database with index `id`, or undefined when out of range. */
function databaseAt(server: Server, id: number): Database | undefined {
  return id >= 0 && id < server.databases.length ? server.databases[id] : undefined;
}

// ---------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH

const del: Handler = (client, args) => {
  const db = client.db;
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    if (db.delete(args[i])) {
      notify(client.server, db.id, NotifyClass.GENERIC, 'del', args[i]);
      n++;
    }
  }
  return n;
};

const exists: Handler = (client, args) => {
  const db = client.db;
  let n = 0;
  for (let i = 1; i < args.length; i++) if (peekRead(db, args[i]) !== undefined) n++;
  return n;
};

const TYPE_NAMES: Record<string, SimpleReply> = {
  none: new SimpleReply('none'),
  string: new SimpleReply('string'),
  list: new SimpleReply('list'),
  set: new SimpleReply('set'),
  zset: new SimpleReply('zset'),
  hash: new SimpleReply('hash'),
  stream: new SimpleReply('stream'),
};

const type: Handler = (client, args) => {
  const v = peekRead(client.db, args[1]);
  return TYPE_NAMES[v === undefined ? 'none' : typeOf(v)];
};

const touch: Handler = (client, args) => {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (client.db.lookupRead(args[i]) !== undefined) n++;
  return n;
};

// ---------------------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY

const keys: Handler = (client, args) => {
  const db = client.db;
  const pattern = args[1];
  const all = pattern === '*';
  const out: string[] = [];
  for (const key of db.data.keys()) {
    if ((all || globMatch(pattern, key)) && !db.isLogicallyExpired(key)) out.push(key);
  }
  return out;
};

const ULONG_MAX = (1n << 64n) - 1n;

/**
 * parseScanCursorOrReply: strtoul base 10 over the whole argument. strtoul accepts a sign
 * ("-1" wraps around) and an empty string (0), but not leading spaces or overflow.
 */
export function parseScanCursor(s: string): bigint | null {
  if (s.length === 0) return 0n;
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const negative = s[0] === '-';
  const magnitude = BigInt(s[0] === '+' || negative ? s.slice(1) : s);
  if (magnitude > ULONG_MAX) return null;
  return negative && magnitude !== 0n ? ULONG_MAX + 1n - magnitude : magnitude;
}

const INVALID_CURSOR = err('ERR invalid cursor');

const scan: Handler = (client, args) => {
  const cursor = parseScanCursor(args[1]);
  if (cursor === null) return INVALID_CURSOR;
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (is(args[i], 'count') && hasValue) {
      const v = parseInt64(args[i + 1]);
      if (v === null) return Errors.notInteger;
      if (v < 1) return Errors.syntax;
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
    } else if (is(args[i], 'match') && hasValue) {
      // "*" matches everything: the same as no pattern.
      pattern = args[i + 1] === '*' ? null : args[i + 1];
    } else if (is(args[i], 'type') && hasValue) {
      typeName = args[i + 1].toLowerCase();
    } else if (is(args[i], 'novalues')) {
      return NOVALUES_ONLY_HSCAN;
    } else {
      return Errors.syntax;
    }
  }
  const db = client.db;
  // Our bucket index is addressed by 32 bits; the bits above can only name buckets
  // that do not exist, which Redis's cursor arithmetic discards the same way.
  const step = db.scan(Number(cursor & 0xffffffffn), Math.min(count, 0x7fffffff));
  const found: string[] = [];
  for (const key of step.keys) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (typeName !== null) {
      const v = peekRead(db, key);
      if ((v === undefined ? 'none' : typeOf(v)) !== typeName) continue;
    }
    if (db.expireIfNeeded(key)) continue;
    found.push(key);
  }
  return [String(step.next), found];
};

const randomkey: Handler = (client) => client.db.randomKey() ?? null;

// ---------------------------------------------------------------------------------------
// RENAME, RENAMENX, MOVE, COPY

function renameGeneric(client: Client, args: string[], nx: boolean): Reply {
  const db = client.db;
  const [, src, dst] = args;
  if (db.get(src) === undefined) return Errors.noSuchKey;
  if (src === dst) return nx ? 0 : OK;
  if (db.get(dst) !== undefined && nx) return 0;
  const entry = db.takeEntry(src)!;
  db.set(dst, entry.value);
  if (entry.expire !== undefined) db.setExpire(dst, entry.expire);
  db.modified(src);
  notify(client.server, db.id, NotifyClass.GENERIC, 'rename_from', src);
  notify(client.server, db.id, NotifyClass.GENERIC, 'rename_to', dst);
  return nx ? 1 : OK;
}

const rename: Handler = (client, args) => renameGeneric(client, args, false);
const renamenx: Handler = (client, args) => renameGeneric(client, args, true);

const move: Handler = (client, args) => {
  const server = client.server;
  if (server.cluster !== null) return new ErrorReply('ERR MOVE is not allowed in cluster mode');
  const src = client.db;
  const id = int32Arg(args[2]);
  if (id instanceof ErrorReply) return id;
  const dst = databaseAt(server, id);
  if (!dst) return Errors.dbIndexOutOfRange;
  if (dst === src) return SAME_OBJECT;
  const key = args[1];
  if (src.get(key) === undefined) return 0;
  if (dst.get(key) !== undefined) return 0;
  const entry = src.takeEntry(key)!;
  dst.set(key, entry.value);
  if (entry.expire !== undefined) dst.setExpire(key, entry.expire);
  src.modified(key);
  notify(server, src.id, NotifyClass.GENERIC, 'move_from', key);
  notify(server, dst.id, NotifyClass.GENERIC, 'move_to', key);
  return 1;
};

const copy: Handler = (client, args) => {
  const server = client.server;
  const src = client.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < args.length; j++) {
    if (is(args[j], 'replace')) {
      replace = true;
    } else if (is(args[j], 'db') && j + 1 < args.length) {
      const id = int32Arg(args[j + 1]);
      if (id instanceof ErrorReply) return id;
      const target = databaseAt(server, id);
      if (!target) return Errors.dbIndexOutOfRange;
      dst = target;
      j++;
    } else {
      return Errors.syntax;
    }
  }
  const [, key, newKey] = args;
  if (server.cluster !== null && (src.id !== 0 || dst.id !== 0)) return new ErrorReply('ERR Copying to another database is not allowed in cluster mode');
  if (src === dst && key === newKey) return SAME_OBJECT;
  const value = src.lookupRead(key);
  if (value === undefined) return 0;
  const expire = src.getExpire(key);
  if (dst.get(newKey) !== undefined && !replace) return 0;
  const duplicate = typeof value === 'string' ? value : value.clone();
  dst.set(newKey, duplicate);
  if (expire !== undefined) dst.setExpire(newKey, expire);
  notify(server, dst.id, NotifyClass.GENERIC, 'copy_to', newKey);
  return 1;
};

// ---------------------------------------------------------------------------------------
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** parseExtendedExpireArgumentsOrReply. */
function parseExpireFlags(args: string[]): number | ErrorReply {
  let flags = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = args[j].toLowerCase();
    if (opt === 'nx') flags |= EXPIRE_NX;
    else if (opt === 'xx') flags |= EXPIRE_XX;
    else if (opt === 'gt') flags |= EXPIRE_GT;
    else if (opt === 'lt') flags |= EXPIRE_LT;
    else return err(`ERR Unsupported option ${args[j]}`);
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    return err('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) return err('ERR GT and LT options at the same time are not compatible');
  return flags;
}

/**
 * expireGenericCommand. `relative`: the argument is added to the current time (EXPIRE,
 * PEXPIRE); `seconds`: the argument is in seconds. int64 overflow rules as Redis's.
 */
function expireGeneric(client: Client, args: string[], relative: boolean, seconds: boolean): Reply {
  const flags = parseExpireFlags(args);
  if (flags instanceof ErrorReply) return flags;
  const parsed = parseInt64(args[2]);
  if (parsed === null) return Errors.notInteger;
  const invalidTime = () => err(`ERR invalid expire time in '${args[0].toLowerCase()}' command`);
  let when = BigInt(parsed);
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return invalidTime();
    when *= 1000n;
  }
  const now = Date.now();
  if (relative) {
    const base = BigInt(now);
    if (when > LLONG_MAX - base) return invalidTime();
    when += base;
  }
  const db = client.db;
  const key = args[1];
  if (db.get(key) === undefined) return 0;
  const whenMs = Number(when);
  if (flags) {
    const current = db.getExpire(key);
    if (flags & EXPIRE_NX && current !== undefined) return 0;
    if (flags & EXPIRE_XX && current === undefined) return 0;
    // No TTL counts as an infinite one: GT never passes, LT always does.
    if (flags & EXPIRE_GT && (current === undefined || whenMs <= current)) return 0;
    if (flags & EXPIRE_LT && current !== undefined && whenMs >= current) return 0;
  }
  if (when <= BigInt(now)) {
    // A time in the past deletes the key (propagated as DEL by Redis).
    db.delete(key);
    notify(client.server, db.id, NotifyClass.GENERIC, 'del', key);
    return 1;
  }
  db.setExpire(key, whenMs);
  db.modified(key);
  notify(client.server, db.id, NotifyClass.GENERIC, 'expire', key);
  return 1;
}

const expire: Handler = (client, args) => expireGeneric(client, args, true, true);
const pexpire: Handler = (client, args) => expireGeneric(client, args, true, false);
const expireat: Handler = (client, args) => expireGeneric(client, args, false, true);
const pexpireat: Handler = (client, args) => expireGeneric(client, args, false, false);

/**
 * An expire time as an integer reply. Times beyond 2^53 are stored as doubles: their
 * shortest decimal form is the integer the client sent (9223372036854770000 stays so).
 */
function msReply(ms: number): number | bigint {
  return Number.isSafeInteger(ms) ? ms : BigInt(String(ms));
}

/** ttlGenericCommand. */
function ttlGeneric(client: Client, key: string, milliseconds: boolean, absolute: boolean): Reply {
  const db = client.db;
  if (peekRead(db, key) === undefined) return -2;
  const when = db.getExpire(key);
  if (when === undefined) return -1;
  let ttl = absolute ? when : when - Date.now();
  if (ttl < 0) ttl = 0;
  return msReply(milliseconds ? ttl : Math.floor((ttl + 500) / 1000));
}

const ttl: Handler = (client, args) => ttlGeneric(client, args[1], false, false);
const pttl: Handler = (client, args) => ttlGeneric(client, args[1], true, false);
const expiretime: Handler = (client, args) => ttlGeneric(client, args[1], false, true);
const pexpiretime: Handler = (client, args) => ttlGeneric(client, args[1], true, true);

const persist: Handler = (client, args) => {
  const db = client.db;
  const key = args[1];
  if (db.get(key) === undefined || !db.removeExpire(key)) return 0;
  db.modified(key);
  notify(client.server, db.id, NotifyClass.GENERIC, 'persist', key);
  return 1;
};

// ---------------------------------------------------------------------------------------
// OBJECT

/** Redis shares the integer objects 0..9999 unless an LRU/LFU maxmemory policy needs private ones. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = INT_MAX;
const EMBSTR_SIZE_LIMIT = 44;

function usesLfu(server: Server): boolean {
  return server.config.get('maxmemory-policy').includes('lfu');
}

function sharesIntegers(server: Server): boolean {
  const policy = server.config.get('maxmemory-policy');
  return server.maxmemory === 0 || !(policy.includes('lru') || policy.includes('lfu'));
}

/**
 * The encoding Redis's tryObjectEncoding gives a string value: "int" for a canonical
 * 64-bit integer, "embstr" up to 44 bytes, "raw" above.
 */
export function stringEncoding(value: string): 'int' | 'embstr' | 'raw' {
  if (value.length <= 20 && parseInt64(value) !== null) return 'int';
  return value.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

/** OBJECT ENCODING's answer for any value. */
export function encodingOf(server: Server, value: RedisValue, db?: Database, key?: string): string {
  if (typeof value !== 'string') return value.encoding(server.encodingLimits);
  if (db !== undefined && key !== undefined && db.isRawString(key)) return 'raw';
  return stringEncoding(value);
}

/** OBJECT REFCOUNT: shared integers report INT_MAX, everything else 1. */
export function refcountOf(server: Server, value: RedisValue): number {
  if (typeof value !== 'string' || value.length > 4 || !sharesIntegers(server)) return 1;
  const n = parseInt64(value);
  return typeof n === 'number' && n >= 0 && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

const LFU_INIT_VAL = 5;

const objectEncoding: Handler = (client, args) => {
  const v = peekRead(client.db, args[2]);
  return v === undefined ? null : encodingOf(client.server, v, client.db, args[2]);
};

const objectRefcount: Handler = (client, args) => {
  const v = peekRead(client.db, args[2]);
  return v === undefined ? null : refcountOf(client.server, v);
};

const objectIdletime: Handler = (client, args) => {
  const db = client.db;
  if (peekRead(db, args[2]) === undefined) return null;
  if (usesLfu(client.server)) {
    return err(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  return Math.floor(db.idleMs(args[2]) / 1000);
};

const objectFreq: Handler = (client, args) => {
  const db = client.db;
  if (peekRead(db, args[2]) === undefined) return null;
  if (!usesLfu(client.server)) {
    return err(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  // We keep no logarithmic access counter: report the initial value (or the one RESTORE
  // ... FREQ set), decayed by idle minutes as Redis's LFUDecrAndReturn does.
  const decay = client.server.config.getInt('lfu-decay-time');
  const periods = decay > 0 ? Math.floor(db.idleMs(args[2]) / 60000 / decay) : 0;
  return Math.max(0, (db.lfuCounter(args[2]) ?? LFU_INIT_VAL) - periods);
};

const objectHelp: Handler = () =>
  helpLines('OBJECT', [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);

export const keyspaceCommands: Record<string, Handler> = {
  del,
  unlink: del,
  exists,
  type,
  touch,
  keys,
  scan,
  randomkey,
  rename,
  renamenx,
  move,
  copy,
  expire,
  pexpire,
  expireat,
  pexpireat,
  ttl,
  pttl,
  expiretime,
  pexpiretime,
  persist,
  'object|encoding': objectEncoding,
  'object|refcount': objectRefcount,
  'object|idletime': objectIdletime,
  'object|freq': objectFreq,
  'object|help': objectHelp,
};
