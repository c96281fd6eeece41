/**
 * Hash commands (Redis 7.0 t_hash.c behaviour and error texts).
 */
import type { Database } from '../keyspace/database.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { ErrorReply, Errors, MapReply, OK, type Reply } from '../protocol/reply.js';
import { incrByFloat, parseLongDouble } from '../protocol/long-double.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { LLONG_MAX, LLONG_MIN, is, parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { COUNT_OUT_OF_RANGE, EMPTY_ARRAY, HALF_LONG_MAX, lookupTyped, parseRandomCount, parseScanArgs, randomIndex, sampleIndexes, scanReply } from './type-helpers.js';
import { arityError } from './replies.js';

function readHash(db: Database, key: string): RedisHash | undefined | ErrorReply {
  return lookupTyped<RedisHash>(db, key, 'hash', true);
}

/** The hash at `key` for writing, created (not yet stored) when absent. */
function writeHash(db: Database, key: string): { hash: RedisHash; isNew: boolean } | ErrorReply {
  const v = lookupTyped<RedisHash>(db, key, 'hash', false);
  if (v instanceof ErrorReply) return v;
  if (v !== undefined) return { hash: v, isNew: false };
  return { hash: new RedisHash(), isNew: true };
}

/** Stores or marks the hash written, then publishes `event` (after `new`, as Redis). */
function commit(client: Client, key: string, hash: RedisHash, isNew: boolean, event: string): void {
  const db = client.db;
  if (isNew) db.set(key, hash);
  else db.modified(key);
  notify(client.server, db.id, NotifyClass.HASH, event, key);
}

function hsetGeneric(client: Client, args: string[], name: string): number | ErrorReply {
  if (args.length % 2 === 1) return arityError(name);
  const w = writeHash(client.db, args[1]);
  if (w instanceof ErrorReply) return w;
  const limits = client.server.encodingLimits;
  let created = 0;
  for (let i = 2; i < args.length; i += 2) if (w.hash.set(limits, args[i], args[i + 1])) created++;
  commit(client, args[1], w.hash, w.isNew, 'hset');
  return created;
}

const hset: Handler = (client, args) => hsetGeneric(client, args, 'hset');

const hmset: Handler = (client, args) => {
  const r = hsetGeneric(client, args, 'hmset');
  return r instanceof ErrorReply ? r : OK;
};

const hsetnx: Handler = (client, args) => {
  const w = writeHash(client.db, args[1]);
  if (w instanceof ErrorReply) return w;
  if (w.hash.fields.has(args[2])) return 0;
  w.hash.set(client.server.encodingLimits, args[2], args[3]);
  commit(client, args[1], w.hash, w.isNew, 'hset');
  return 1;
};

const hget: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? null;
  return h.fields.get(args[2]) ?? null;
};

const hmget: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h instanceof ErrorReply) return h;
  const out: Reply[] = [];
  for (let i = 2; i < args.length; i++) out.push(h?.fields.get(args[i]) ?? null);
  return out;
};

const hdel: Handler = (client, args) => {
  const h = lookupTyped<RedisHash>(client.db, args[1], 'hash', false);
  if (h === undefined || h instanceof ErrorReply) return h ?? 0;
  let deleted = 0;
  for (let i = 2; i < args.length; i++) {
    if (h.delete(args[i])) {
      deleted++;
      if (h.isEmpty()) break;
    }
  }
  if (deleted) {
    const db = client.db;
    const emptied = h.isEmpty();
    if (emptied) db.delete(args[1]);
    else db.modified(args[1]);
    notify(client.server, db.id, NotifyClass.HASH, 'hdel', args[1]);
    if (emptied) notify(client.server, db.id, NotifyClass.GENERIC, 'del', args[1]);
  }
  return deleted;
};

const hlen: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? 0;
  return h.size;
};

const hstrlen: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? 0;
  return h.fields.get(args[2])?.length ?? 0;
};

const hexists: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? 0;
  return h.fields.has(args[2]) ? 1 : 0;
};

const hkeys: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? EMPTY_ARRAY;
  return [...h.fields.keys()];
};

const hvals: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? EMPTY_ARRAY;
  return [...h.fields.values()];
};

const hgetall: Handler = (client, args) => {
  const h = readHash(client.db, args[1]);
  if (h instanceof ErrorReply) return h;
  const flat: Reply[] = [];
  if (h) for (const [k, v] of h.fields) flat.push(k, v);
  return new MapReply(flat);
};

const hincrby: Handler = (client, args) => {
  const incr = parseInt64(args[3]);
  if (incr === null) return Errors.notInteger;
  const w = writeHash(client.db, args[1]);
  if (w instanceof ErrorReply) return w;
  const cur = w.hash.fields.get(args[2]);
  let value = 0n;
  if (cur !== undefined) {
    const parsed = parseInt64(cur);
    if (parsed === null) return new ErrorReply('ERR hash value is not an integer');
    value = BigInt(parsed);
  }
  const next = value + BigInt(incr);
  if (next > LLONG_MAX || next < LLONG_MIN) return Errors.overflow;
  w.hash.set(client.server.encodingLimits, args[2], next.toString());
  commit(client, args[1], w.hash, w.isNew, 'hincrby');
  return Number.isSafeInteger(Number(next)) ? Number(next) : next;
};

const hincrbyfloat: Handler = (client, args) => {
  const incr = parseLongDouble(args[3]);
  if (incr === null) return Errors.notFloat;
  if (incr === 'inf') return new ErrorReply('ERR value is NaN or Infinity');
  const w = writeHash(client.db, args[1]);
  if (w instanceof ErrorReply) return w;
  const cur = w.hash.fields.get(args[2]);
  if (cur !== undefined && parseLongDouble(cur) === null) return new ErrorReply('ERR hash value is not a float');
  // x87 long double arithmetic, as Redis does it (see long-double.ts).
  const text = incrByFloat(cur ?? '0', args[3]);
  if (text === 'not-float') return new ErrorReply('ERR hash value is not a float');
  if (text === 'nan-or-inf') return new ErrorReply('ERR increment would produce NaN or Infinity');
  w.hash.set(client.server.encodingLimits, args[2], text);
  commit(client, args[1], w.hash, w.isNew, 'hincrbyfloat');
  return text;
};

const hrandfield: Handler = (client, args) => {
  if (args.length >= 3) {
    const l = parseRandomCount(args[2]);
    if (l instanceof ErrorReply) return l;
    let withValues = false;
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withvalues'))) return Errors.syntax;
    if (args.length === 4) {
      withValues = true;
      if (l < -HALF_LONG_MAX || l > HALF_LONG_MAX) return COUNT_OUT_OF_RANGE;
    }
    const h = readHash(client.db, args[1]);
    if (h === undefined || h instanceof ErrorReply) return h ?? EMPTY_ARRAY;
    return randomFields(client, h, l, withValues);
  }
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? null;
  const keys = [...h.fields.keys()];
  return keys[randomIndex(keys.length)];
};

function randomFields(client: Client, h: RedisHash, l: number, withValues: boolean): Reply {
  if (l === 0) return EMPTY_ARRAY;
  const resp3 = client.protocol === 3;
  const entries = [...h.fields];
  const out: Reply[] = [];
  const emit = (i: number) => {
    const [k, v] = entries[i];
    if (!withValues) out.push(k);
    else if (resp3) out.push([k, v]);
    else out.push(k, v);
  };
  if (l < 0 || l === 1) {
    for (let n = Math.abs(l); n > 0; n--) emit(randomIndex(entries.length));
    return out;
  }
  if (l >= entries.length) {
    for (let i = 0; i < entries.length; i++) emit(i);
    return out;
  }
  for (const i of sampleIndexes(entries.length, l)) emit(i);
  return out;
}

const hscan: Handler = (client, args) => {
  const opts = parseScanArgs(args, true);
  if (opts instanceof ErrorReply) return opts;
  const h = readHash(client.db, args[1]);
  if (h === undefined || h instanceof ErrorReply) return h ?? ['0', EMPTY_ARRAY];
  const withValues = !opts.noValues;
  const flat: string[] = [];
  if (!h.hashtable) {
    for (const [k, v] of h.fields) withValues ? flat.push(k, v) : flat.push(k);
    return scanReply(0, flat, opts.pattern, withValues);
  }
  const step = h.scanState.scan(() => h.fields.keys(), opts.cursor, opts.count);
  for (const k of step.keys) withValues ? flat.push(k, h.fields.get(k)!) : flat.push(k);
  return scanReply(step.next, flat, opts.pattern, withValues);
};

export const hashCommands: Record<string, Handler> = {
  hset,
  hmset,
  hsetnx,
  hget,
  hmget,
  hdel,
  hlen,
  hstrlen,
  hexists,
  hkeys,
  hvals,
  hgetall,
  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
};
