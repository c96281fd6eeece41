/**
 * Stream commands (Redis 7.0 t_stream.c behaviour and error texts): XADD, XLEN, XDEL,
 * XRANGE / XREVRANGE and XSETID here, and the handler table of every stream command.
 * The others, by what they do:
 *   stream-trim.ts    XTRIM, and the trimming options XADD shares with it
 *   stream-read.ts    XREAD / XREADGROUP, BLOCK included
 *   stream-groups.ts  XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM
 *   stream-pel.ts     pending entries lists, consumers, and how group effects propagate
 *   stream-info.ts    XINFO
 *   stream-common.ts  key lookups, ID parsing, entry replies, ranges, events
 */
import { MAX_ID, RedisStream, formatId, idMs, idSeq, makeId, type StreamId } from '../keyspace/types/stream.js';
import { ErrorReply, Errors, NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { arityError } from './replies.js';
import { EMPTY_ARRAY } from './type-helpers.js';
import {
  INVALID_ID,
  U64_MAX,
  entryReply,
  intervalId,
  lastValidId,
  nodeMaxEntries,
  notifyStream,
  parseId,
  rangeEntries,
  readStream,
  strictId,
  writeStream,
} from './stream-common.js';
import { applyTrim, parseAddOrTrim, propagateAddOrTrim, xtrim } from './stream-trim.js';
import { xread, xreadgroup } from './stream-read.js';
import {
  xack,
  xautoclaim,
  xclaim,
  xgroupCreate,
  xgroupCreateconsumer,
  xgroupDelconsumer,
  xgroupDestroy,
  xgroupHelp,
  xgroupSetid,
  xpending,
} from './stream-groups.js';
import { xinfoConsumers, xinfoGroups, xinfoHelp, xinfoStream } from './stream-info.js';

// ---- XADD / XLEN / XDEL ----

const xadd: Handler = (client, args) => {
  const t = parseAddOrTrim(client, args, true);
  if (t instanceof ErrorReply) return t;
  const fieldPos = t.idIndex + 1;
  if (args.length - fieldPos < 2 || (args.length - fieldPos) % 2 === 1) {
    return arityError('xadd');
  }
  if (t.id && t.id.seqGiven && t.id.id === 0n) return new ErrorReply('ERR The ID specified in XADD must be greater than 0-0');
  const db = client.db;
  const found = writeStream(db, args[1]);
  if (found instanceof ErrorReply) return found;
  if (!found && t.noMkStream) return null;
  const s = found ?? new RedisStream();
  if (s.lastId === MAX_ID) return new ErrorReply('ERR The stream has exhausted the last possible ID, unable to add more items');
  let id: StreamId;
  const last = s.lastId;
  if (t.id === null) {
    const now = BigInt(Date.now());
    const lastMs = idMs(last);
    if (now > lastMs) id = makeId(now, 0n);
    else id = idSeq(last) === U64_MAX ? makeId(lastMs + 1n, 0n) : last + 1n;
  } else if (t.id.seqAuto) {
    const ms = idMs(t.id.id);
    const lastMs = idMs(last);
    if (ms === lastMs) {
      if (idSeq(last) === U64_MAX) return new ErrorReply('ERR The ID specified in XADD is equal or smaller than the target stream top item');
      id = last + 1n;
    } else if (ms > lastMs) id = makeId(ms, 0n);
    else return new ErrorReply('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  } else {
    id = t.id.id;
    if (id <= last) return new ErrorReply('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  s.append(id, args.slice(fieldPos), nodeMaxEntries(client));
  if (!found) db.set(args[1], s);
  else db.modified(args[1]);
  notifyStream(client, 'xadd', args[1]);
  if (applyTrim(s, t)) notifyStream(client, 'xtrim', args[1]);
  db.signalReady(args[1]);
  const added = formatId(id);
  propagateAddOrTrim(client, args, t, s, added);
  return added;
};

const xlen: Handler = (client, args) => {
  const s = readStream(client.db, args[1]);
  if (s === undefined || s instanceof ErrorReply) return s ?? 0;
  return s.length;
};

const xdel: Handler = (client, args) => {
  const ids: StreamId[] = [];
  for (let i = 2; i < args.length; i++) {
    const id = strictId(args[i]);
    if (id instanceof ErrorReply) return id;
    ids.push(id);
  }
  const s = writeStream(client.db, args[1]);
  if (s === undefined || s instanceof ErrorReply) return s ?? 0;
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted) {
    client.db.modified(args[1]);
    notifyStream(client, 'xdel', args[1]);
  }
  return deleted;
};

// ---- XRANGE / XREVRANGE ----

function xrangeGeneric(client: Client, args: string[], rev: boolean): Reply {
  const startArg = rev ? args[3] : args[2];
  const endArg = rev ? args[2] : args[3];
  const a = intervalId(startArg, 0n);
  if (a instanceof ErrorReply) return a;
  let start = a.id;
  if (a.ex) {
    if (start === MAX_ID) return new ErrorReply('ERR invalid start ID for the interval');
    start++;
  }
  const b = intervalId(endArg, U64_MAX);
  if (b instanceof ErrorReply) return b;
  let end = b.id;
  if (b.ex) {
    if (end === 0n) return new ErrorReply('ERR invalid end ID for the interval');
    end--;
  }
  let count = -1;
  for (let j = 4; j < args.length; j++) {
    if (args[j].toLowerCase() === 'count' && args.length - j - 1 >= 1) {
      const v = parseInt64(args[j + 1]);
      if (v === null) return Errors.notInteger;
      count = v < 0 ? 0 : Number(v);
      j++;
    } else return Errors.syntax;
  }
  const s = readStream(client.db, args[1]);
  if (s === undefined || s instanceof ErrorReply) return s ?? EMPTY_ARRAY;
  if (count === 0) return NULL_ARRAY;
  return rangeEntries(s, start, end, count === -1 ? 0 : count, rev).map(entryReply);
}

const xrange: Handler = (client, args) => xrangeGeneric(client, args, false);
const xrevrange: Handler = (client, args) => xrangeGeneric(client, args, true);

// ---- XSETID ----

const xsetid: Handler = (client, args) => {
  const p = parseId(args[2], 0n, true);
  if (!p) return INVALID_ID;
  let entriesAdded = -1;
  let maxDeleted: StreamId | null = null;
  for (let i = 3; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i].toLowerCase();
    if (opt === 'entriesadded' && more) {
      const v = parseInt64(args[++i]);
      if (v === null) return Errors.notInteger;
      if (v < 0) return new ErrorReply('ERR entries_added must be positive');
      entriesAdded = Number(v);
    } else if (opt === 'maxdeletedid' && more) {
      const id = strictId(args[++i]);
      if (id instanceof ErrorReply) return id;
      if (p.id < id) return new ErrorReply('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      maxDeleted = id;
    } else return Errors.syntax;
  }
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  if (entriesAdded !== -1 && s.length > entriesAdded) {
    return new ErrorReply('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  if (s.length > 0 && p.id < lastValidId(s)) {
    return new ErrorReply('ERR The ID specified in XSETID is smaller than the target stream top item');
  }
  s.lastId = p.id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted !== null) s.maxDeletedId = maxDeleted;
  client.db.modified(args[1]);
  notifyStream(client, 'xsetid', args[1]);
  return OK;
};

export const streamCommands: Record<string, Handler> = {
  xadd,
  xtrim,
  xlen,
  xdel,
  xrange,
  xrevrange,
  xread,
  xreadgroup,
  xack,
  xpending,
  xclaim,
  xautoclaim,
  xsetid,
  'xgroup|create': xgroupCreate,
  'xgroup|setid': xgroupSetid,
  'xgroup|destroy': xgroupDestroy,
  'xgroup|createconsumer': xgroupCreateconsumer,
  'xgroup|delconsumer': xgroupDelconsumer,
  'xgroup|help': xgroupHelp,
  'xinfo|stream': xinfoStream,
  'xinfo|groups': xinfoGroups,
  'xinfo|consumers': xinfoConsumers,
  'xinfo|help': xinfoHelp,
};
