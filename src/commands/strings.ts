/**
 * String commands (Redis 7.0 t_string.c behaviour and error texts).
 */
import type { Database } from '../keyspace/database.js';
import { ErrorReply, Errors, MapReply, OK, type Reply } from '../protocol/reply.js';
import { incrByFloat } from '../protocol/long-double.js';
import type { Client } from '../server/client.js';
import { LLONG_MAX, LLONG_MIN, is, parseInt64, parseInteger } from './args.js';
import type { Handler } from './registry.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { arityError } from './replies.js';

const PROTO_MAX_STRING = 512 * 1024 * 1024;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The string at `key`: undefined when absent, WRONGTYPE error for another type. */
export function getString(db: Database, key: string): string | undefined | ErrorReply {
  const v = db.lookupRead(key);
  if (v === undefined || typeof v === 'string') return v;
  return Errors.wrongType;
}

function getStringForWrite(db: Database, key: string): string | undefined | ErrorReply {
  const v = db.get(key);
  if (v === undefined || typeof v === 'string') return v;
  return Errors.wrongType;
}

function expireTimeError(client: Client, args: string[]): ErrorReply {
  void client;
  const name = args[0].toLowerCase();
  return new ErrorReply(`ERR invalid expire time in '${name}' command`);
}

const enum SetFlag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  PERSIST = 16,
  EX = 32,
  PX = 64,
  EXAT = 128,
  PXAT = 256,
}
const ANY_EXPIRE = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;

interface ExtendedArgs {
  flags: number;
  expire: string | null;
}

/** parseExtendedStringArgumentsOrReply: the options of SET (isSet) and GETEX. */
function parseExtendedArgs(args: string[], isSet: boolean): ExtendedArgs | ErrorReply {
  let flags = 0;
  let expire: string | null = null;
  for (let j = isSet ? 3 : 2; j < args.length; j++) {
    const opt = args[j].toLowerCase();
    const hasNext = j < args.length - 1;
    if (opt === 'nx' && !(flags & SetFlag.XX) && isSet) flags |= SetFlag.NX;
    else if (opt === 'xx' && !(flags & SetFlag.NX) && isSet) flags |= SetFlag.XX;
    else if (opt === 'get' && isSet) flags |= SetFlag.GET;
    else if (opt === 'keepttl' && !(flags & (SetFlag.PERSIST | ANY_EXPIRE)) && isSet) flags |= SetFlag.KEEPTTL;
    else if (opt === 'persist' && !isSet && !(flags & (ANY_EXPIRE | SetFlag.KEEPTTL))) flags |= SetFlag.PERSIST;
    else if (
      (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') &&
      !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST | ANY_EXPIRE)) &&
      hasNext
    ) {
      flags |= opt === 'ex' ? SetFlag.EX : opt === 'px' ? SetFlag.PX : opt === 'exat' ? SetFlag.EXAT : SetFlag.PXAT;
      expire = args[++j];
    } else return Errors.syntax;
  }
  return { flags, expire };
}

/** getExpireMillisecondsOrReply: absolute unix ms, or an error. */
function expireMillis(client: Client, args: string[], flags: number, expire: string): number | ErrorReply {
  const v = parseInt64(expire);
  if (v === null) return Errors.notInteger;
  const seconds = (flags & (SetFlag.EX | SetFlag.EXAT)) !== 0;
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > LLONG_MAX / 1000n)) return expireTimeError(client, args);
  if (seconds) ms *= 1000n;
  if (flags & (SetFlag.EX | SetFlag.PX)) ms += BigInt(client.server.clock.now);
  if (ms <= 0n || ms > LLONG_MAX) return expireTimeError(client, args);
  return Number(ms);
}

function setGeneric(
  client: Client,
  args: string[],
  flags: number,
  key: string,
  value: string,
  expire: string | null,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const db = client.db;
  let when = 0;
  if (expire !== null) {
    const ms = expireMillis(client, args, flags, expire);
    if (ms instanceof ErrorReply) return ms;
    when = ms;
  }
  let old: Reply = null;
  if (flags & SetFlag.GET) {
    const cur = getString(db, key);
    if (cur instanceof ErrorReply) return cur;
    old = cur ?? null;
  }
  // lookupKeyWrite: needed for NX/XX, and for its side effect of expiring the key
  // (events, propagated DEL) when any key has a TTL; otherwise a lookup changes nothing.
  const conditional = (flags & (SetFlag.NX | SetFlag.XX)) !== 0;
  const found = (conditional || db.expires.size !== 0) && db.get(key) !== undefined;
  if ((flags & SetFlag.NX && found) || (flags & SetFlag.XX && !found)) {
    return flags & SetFlag.GET ? old : abortReply;
  }
  db.set(key, value, (flags & SetFlag.KEEPTTL) !== 0);
  notify(client.server, db.id, NotifyClass.STRING, 'set', key);
  if (expire !== null) {
    db.setExpire(key, when);
    notify(client.server, db.id, NotifyClass.GENERIC, 'expire', key);
  }
  return flags & SetFlag.GET ? old : okReply;
}

const set: Handler = (client, args) => {
  const parsed = parseExtendedArgs(args, true);
  if (parsed instanceof ErrorReply) return parsed;
  return setGeneric(client, args, parsed.flags, args[1], args[2], parsed.expire, OK, null);
};

const setnx: Handler = (client, args) => setGeneric(client, args, SetFlag.NX, args[1], args[2], null, 1, 0);
const setex: Handler = (client, args) => setGeneric(client, args, SetFlag.EX, args[1], args[3], args[2], OK, null);
const psetex: Handler = (client, args) => setGeneric(client, args, SetFlag.PX, args[1], args[3], args[2], OK, null);

const get: Handler = (client, args) => {
  const v = getString(client.db, args[1]);
  return v === undefined ? null : v;
};

const getex: Handler = (client, args) => {
  const parsed = parseExtendedArgs(args, false);
  if (parsed instanceof ErrorReply) return parsed;
  const db = client.db;
  const key = args[1];
  // Redis looks the key up before it validates the expire time.
  const v = getString(db, key);
  if (v === undefined || v instanceof ErrorReply) return v ?? null;
  if (parsed.expire !== null) {
    const when = expireMillis(client, args, parsed.flags, parsed.expire);
    if (when instanceof ErrorReply) return when;
    if (parsed.flags & (SetFlag.EXAT | SetFlag.PXAT) && when <= client.server.clock.now) {
      db.delete(key);
      notify(client.server, db.id, NotifyClass.GENERIC, 'del', key);
    } else {
      db.setExpire(key, when);
      db.modified(key);
      notify(client.server, db.id, NotifyClass.GENERIC, 'expire', key);
    }
  } else if (parsed.flags & SetFlag.PERSIST) {
    if (db.removeExpire(key)) {
      db.modified(key);
      notify(client.server, db.id, NotifyClass.GENERIC, 'persist', key);
    }
  }
  return v;
};

const getdel: Handler = (client, args) => {
  const v = getString(client.db, args[1]);
  if (v === undefined || v instanceof ErrorReply) return v ?? null;
  client.db.delete(args[1]);
  notify(client.server, client.db.id, NotifyClass.GENERIC, 'del', args[1]);
  return v;
};

const getset: Handler = (client, args) => {
  const db = client.db;
  const v = getString(db, args[1]);
  if (v instanceof ErrorReply) return v;
  db.set(args[1], args[2]);
  notify(client.server, db.id, NotifyClass.STRING, 'set', args[1]);
  return v ?? null;
};

const mget: Handler = (client, args) => {
  const db = client.db;
  const out: Reply[] = new Array(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = db.lookupRead(args[i]);
    out[i - 1] = typeof v === 'string' ? v : null;
  }
  return out;
};

function msetGeneric(client: Client, args: string[], nx: boolean): Reply {
  if (args.length % 2 === 0) return arityError(nx ? 'msetnx' : 'mset');
  const db = client.db;
  if (nx) {
    for (let i = 1; i < args.length; i += 2) if (db.get(args[i]) !== undefined) return 0;
  }
  for (let i = 1; i < args.length; i += 2) {
    db.set(args[i], args[i + 1]);
    notify(client.server, db.id, NotifyClass.STRING, 'set', args[i]);
  }
  return nx ? 1 : OK;
}

const mset: Handler = (client, args) => msetGeneric(client, args, false);
const msetnx: Handler = (client, args) => msetGeneric(client, args, true);

function checkStringLength(size: number): ErrorReply | null {
  return size > PROTO_MAX_STRING ? new ErrorReply('ERR string exceeds maximum allowed size (proto-max-bulk-len)') : null;
}

const append: Handler = (client, args) => {
  const db = client.db;
  const cur = getStringForWrite(db, args[1]);
  if (cur instanceof ErrorReply) return cur;
  if (cur === undefined) {
    db.set(args[1], args[2]);
    notify(client.server, db.id, NotifyClass.STRING, 'append', args[1]);
    return args[2].length;
  }
  const tooBig = checkStringLength(cur.length + args[2].length);
  if (tooBig) return tooBig;
  const next = cur + args[2];
  db.set(args[1], next, true);
  db.markRawString(args[1]);
  notify(client.server, db.id, NotifyClass.STRING, 'append', args[1]);
  return next.length;
};

const strlen: Handler = (client, args) => {
  const v = getString(client.db, args[1]);
  if (v instanceof ErrorReply) return v;
  return v === undefined ? 0 : v.length;
};

function getrangeGeneric(client: Client, args: string[]): Reply {
  const startArg = parseInteger(args[2]);
  const endArg = parseInteger(args[3]);
  if (startArg === null || endArg === null) return Errors.notInteger;
  const v = getString(client.db, args[1]);
  if (v instanceof ErrorReply) return v;
  if (v === undefined) return '';
  let start = startArg;
  let end = endArg;
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return '';
  return v.slice(start, end + 1);
}

const setrange: Handler = (client, args) => {
  const db = client.db;
  const offset = parseInteger(args[2]);
  if (offset === null) return Errors.notInteger;
  if (offset < 0) return new ErrorReply('ERR offset is out of range');
  const value = args[3];
  const cur = getStringForWrite(db, args[1]);
  if (cur instanceof ErrorReply) return cur;
  if (cur === undefined) {
    if (value.length === 0) return 0;
    const tooBig = checkStringLength(offset + value.length);
    if (tooBig) return tooBig;
    db.set(args[1], '\0'.repeat(offset) + value);
    db.markRawString(args[1]);
    notify(client.server, db.id, NotifyClass.STRING, 'setrange', args[1]);
    return offset + value.length;
  }
  if (value.length === 0) return cur.length;
  const tooBig = checkStringLength(offset + value.length);
  if (tooBig) return tooBig;
  const padded = cur.length < offset ? cur + '\0'.repeat(offset - cur.length) : cur;
  const next = padded.slice(0, offset) + value + padded.slice(offset + value.length);
  db.set(args[1], next, true);
  db.markRawString(args[1]);
  notify(client.server, db.id, NotifyClass.STRING, 'setrange', args[1]);
  return next.length;
};

function incrGeneric(client: Client, key: string, incr: number | bigint): Reply {
  const db = client.db;
  const cur = getStringForWrite(db, key);
  if (cur instanceof ErrorReply) return cur;
  let value: number | bigint = 0;
  if (cur !== undefined) {
    const parsed = parseInt64(cur);
    if (parsed === null) return Errors.notInteger;
    value = parsed;
  }
  let result: number | bigint;
  if (typeof value === 'number' && typeof incr === 'number') {
    result = value + incr;
    if (!Number.isSafeInteger(result)) result = BigInt(value) + BigInt(incr);
  } else {
    result = BigInt(value) + BigInt(incr);
  }
  if (typeof result === 'bigint') {
    if (result > LLONG_MAX || result < LLONG_MIN) return Errors.overflow;
    if (result >= -BigInt(MAX_SAFE) && result <= BigInt(MAX_SAFE)) result = Number(result);
  }
  db.set(key, String(result), true);
  notify(client.server, db.id, NotifyClass.STRING, 'incrby', key);
  return result;
}

function incrByArg(s: string): number | bigint | ErrorReply {
  const v = parseInt64(s);
  return v === null ? Errors.notInteger : v;
}

const incr: Handler = (client, args) => incrGeneric(client, args[1], 1);
const decr: Handler = (client, args) => incrGeneric(client, args[1], -1);
const incrby: Handler = (client, args) => {
  const by = incrByArg(args[2]);
  return by instanceof ErrorReply ? by : incrGeneric(client, args[1], by);
};
const decrby: Handler = (client, args) => {
  const by = incrByArg(args[2]);
  if (by instanceof ErrorReply) return by;
  if (typeof by === 'bigint' && by === LLONG_MIN) return new ErrorReply('ERR decrement would overflow');
  return incrGeneric(client, args[1], typeof by === 'bigint' ? -by : -by);
};

const incrbyfloat: Handler = (client, args) => {
  const db = client.db;
  const cur = getStringForWrite(db, args[1]);
  if (cur instanceof ErrorReply) return cur;
  const result = incrByFloat(cur ?? '0', args[2]);
  if (result === 'not-float') return Errors.notFloat;
  if (result === 'nan-or-inf') return new ErrorReply('ERR increment would produce NaN or Infinity');
  db.set(args[1], result, true);
  notify(client.server, db.id, NotifyClass.STRING, 'incrbyfloat', args[1]);
  return result;
};

/** LCS: the longest common subsequence of two strings (with LEN, IDX, MINMATCHLEN, WITHMATCHLEN). */
const lcs: Handler = (client, args) => {
  const db = client.db;
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = args[j];
    const more = args.length - j - 1;
    if (is(opt, 'idx')) getIdx = true;
    else if (is(opt, 'len')) getLen = true;
    else if (is(opt, 'withmatchlen')) withMatchLen = true;
    else if (is(opt, 'minmatchlen') && more >= 1) {
      const v = parseInteger(args[++j]);
      if (v === null) return Errors.notInteger;
      minMatchLen = v < 0 ? 0 : v;
    } else return Errors.syntax;
  }
  const a = db.lookupRead(args[1]);
  const b = db.lookupRead(args[2]);
  if ((a !== undefined && typeof a !== 'string') || (b !== undefined && typeof b !== 'string')) {
    return new ErrorReply('ERR The specified keys must contain string values');
  }
  if (getIdx && getLen) {
    return new ErrorReply('ERR If you want both the length and indexes, please just use IDX.');
  }
  const s1 = (a as string | undefined) ?? '';
  const s2 = (b as string | undefined) ?? '';
  const n1 = s1.length;
  const n2 = s2.length;
  if ((n1 + 1) * (n2 + 1) > 0x7fffffff / 4) return new ErrorReply('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  // Dynamic programming table of LCS lengths, (n1+1) x (n2+1).
  const w = n2 + 1;
  const dp = new Uint32Array((n1 + 1) * w);
  for (let i = 1; i <= n1; i++) {
    for (let j = 1; j <= n2; j++) {
      dp[i * w + j] = s1[i - 1] === s2[j - 1] ? dp[(i - 1) * w + j - 1] + 1 : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
    }
  }
  const total = dp[n1 * w + n2];
  if (getLen) return total;
  // Walk back to build the string and the matching ranges (as Redis does, from the end).
  const chars: string[] = new Array(total);
  let idx = total;
  const matches: Reply[] = [];
  let arange: [number, number] | null = null;
  let brange: [number, number] | null = null;
  let i = n1;
  let j = n2;
  const emit = () => {
    if (arange && brange) {
      const len = arange[1] - arange[0] + 1;
      if (len >= minMatchLen) {
        const m: Reply[] = [[arange[0], arange[1]], [brange[0], brange[1]]];
        if (withMatchLen) m.push(len);
        matches.push(m);
      }
    }
  };
  while (i > 0 && j > 0) {
    if (s1[i - 1] === s2[j - 1]) {
      chars[--idx] = s1[i - 1];
      if (arange && arange[0] === i && brange![0] === j) {
        arange[0] = i - 1;
        brange![0] = j - 1;
      } else {
        emit();
        arange = [i - 1, i - 1];
        brange = [j - 1, j - 1];
      }
      i--;
      j--;
    } else if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) {
      i--;
    } else {
      j--;
    }
  }
  emit();
  if (!getIdx) return chars.join('');
  return new MapReply(['matches', matches, 'len', total]);
};

export const stringCommands: Record<string, Handler> = {
  get,
  set,
  setnx,
  setex,
  psetex,
  getex,
  getdel,
  getset,
  mget,
  mset,
  msetnx,
  append,
  strlen,
  getrange: getrangeGeneric,
  substr: getrangeGeneric,
  setrange,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
  lcs,
};
