/**
 * Stream commands (Redis 7.0 t_stream.c behaviour and error texts), XREAD/XREADGROUP
 * BLOCK included.
 */
import type { Database } from '../keyspace/database.js';
import {
  MAX_ID,
  RedisStream,
  SEQ_MASK,
  formatId,
  idMs,
  idSeq,
  makeId,
  sortedById,
  type Consumer,
  type ConsumerGroup,
  type PendingEntry,
  type StreamEntry,
  type StreamId,
} from '../keyspace/types/stream.js';
import { ErrorReply, Errors, MapReply, NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import { blockOrTimeout } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { listeningPropagator } from '../server/propagation.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { EMPTY_ARRAY, lookupTyped } from './type-helpers.js';
import { arityError, helpLines } from './replies.js';

const INVALID_ID = new ErrorReply('ERR Invalid stream ID specified as stream command argument');
const U64_MAX = SEQ_MASK;
const STREAM_GONE = new ErrorReply('UNBLOCKED the stream key no longer exists');

function readStream(db: Database, key: string): RedisStream | undefined | ErrorReply {
  return lookupTyped<RedisStream>(db, key, 'stream', true);
}

function writeStream(db: Database, key: string): RedisStream | undefined | ErrorReply {
  return lookupTyped<RedisStream>(db, key, 'stream', false);
}

/** string2ull: digits (strtoull also takes a '+'), within 64 bits. */
function parseU64(s: string): bigint | null {
  if (!/^\+?\d+$/.test(s) || s.length > 21) return null;
  const v = BigInt(s);
  return v > U64_MAX ? null : v;
}

interface ParsedId {
  id: StreamId;
  /** "ms-*": the sequence is to be generated (XADD only). */
  seqAuto: boolean;
  /** A full "ms-seq" was given (not just ms). */
  seqGiven: boolean;
}

/** streamGenericParseIDOrReply. `strict` refuses "-" and "+"; `allowSeqAuto` accepts "ms-*". */
function parseId(s: string, missingSeq: bigint, strict: boolean, allowSeqAuto = false): ParsedId | null {
  if (s.length > 127) return null;
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { id: s === '-' ? 0n : MAX_ID, seqAuto: false, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqAuto: false, seqGiven: false };
  const seqText = s.slice(dash + 1);
  if (allowSeqAuto && seqText === '*') return { id: makeId(ms, 0n), seqAuto: true, seqGiven: false };
  const seq = parseU64(seqText);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqAuto: false, seqGiven: true };
}

function strictId(s: string): StreamId | ErrorReply {
  const p = parseId(s, 0n, true);
  return p ? p.id : INVALID_ID;
}

/** streamParseIntervalIDOrReply: "(" prefix = exclusive. */
function intervalId(s: string, missingSeq: bigint): { id: StreamId; ex: boolean } | ErrorReply {
  if (s.length > 1 && s[0] === '(') {
    const p = parseId(s.slice(1), missingSeq, true);
    return p ? { id: p.id, ex: true } : INVALID_ID;
  }
  const p = parseId(s, missingSeq, false);
  return p ? { id: p.id, ex: false } : INVALID_ID;
}

function entryReply(e: StreamEntry): Reply {
  return [formatId(e.id), e.fields];
}

function nodeMaxEntries(client: Client): number {
  return client.server.config.getInt('stream-node-max-entries');
}

// ---- XADD / XTRIM ----

interface TrimArgs {
  maxLen?: number;
  minId?: StreamId;
  approx: boolean;
  limit: number;
  noMkStream: boolean;
  id: ParsedId | null;
  /** Index of the ID argument (XADD). */
  idIndex: number;
  /** Index of the "~" of an approximate trim, and of the MAXLEN / MINID threshold. */
  approxIndex: number;
  thresholdIndex: number;
}

function parseAddOrTrim(client: Client, args: string[], xadd: boolean): TrimArgs | ErrorReply {
  const out: TrimArgs = { approx: false, limit: 0, noMkStream: false, id: null, idIndex: -1, approxIndex: -1, thresholdIndex: -1 };
  let strategy: 'none' | 'maxlen' | 'minid' = 'none';
  let limitGiven = false;
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i];
    const lower = opt.toLowerCase();
    if (xadd && opt === '*') break;
    if ((lower === 'maxlen' || lower === 'minid') && more) {
      if (strategy !== 'none') return new ErrorReply('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      out.approx = false;
      const next = args[i + 1];
      out.approxIndex = -1;
      if (more >= 2 && next === '~') {
        out.approx = true;
        out.approxIndex = i + 1;
        i++;
      } else if (more >= 2 && next === '=') i++;
      out.thresholdIndex = i + 1;
      if (lower === 'maxlen') {
        const v = parseInt64(args[i + 1]);
        if (v === null) return Errors.notInteger;
        if (v < 0) return new ErrorReply('ERR The MAXLEN argument must be >= 0.');
        out.maxLen = Number(v);
        strategy = 'maxlen';
      } else {
        const id = strictId(args[i + 1]);
        if (id instanceof ErrorReply) return id;
        out.minId = id;
        strategy = 'minid';
      }
      i++;
    } else if (lower === 'limit' && more) {
      const v = parseInt64(args[i + 1]);
      if (v === null) return Errors.notInteger;
      if (v < 0) return new ErrorReply('ERR The LIMIT argument must be >= 0.');
      out.limit = Number(v);
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') out.noMkStream = true;
    else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (!p) return INVALID_ID;
      out.id = p;
      break;
    } else return Errors.syntax;
  }
  out.idIndex = i;
  if (out.limit && strategy === 'none') return new ErrorReply('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && strategy === 'none') return new ErrorReply('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (client.mustObey) {
    // The AOF holds the exact form XADD/XTRIM propagated (the threshold was rewritten).
    out.limit = 0;
  } else if (limitGiven) {
    if (!out.approx) return new ErrorReply('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (out.approx) out.limit = 100 * nodeMaxEntries(client);
  return out;
}

/**
 * XADD / XTRIM propagate deterministically (xaddCommand's argv rewrites): the generated
 * ID instead of "*" or "ms-*", and an approximate trim as an exact one ("=" and the
 * resulting length, or the first ID left), since nodes may be cut elsewhere on replay.
 */
function propagateAddOrTrim(client: Client, args: string[], t: TrimArgs, s: RedisStream, addedId: string | null): void {
  const propagator = listeningPropagator(client.server);
  if (propagator === null) return;
  const argv = args.slice();
  if (t.approx) {
    argv[t.approxIndex] = '=';
    argv[t.thresholdIndex] = t.maxLen !== undefined ? String(s.length) : formatId(s.firstEdgeId);
  }
  if (addedId !== null && (t.id === null || t.id.seqAuto)) argv[t.idIndex] = addedId;
  propagator.propagate(client.db.id, argv);
}

function applyTrim(s: RedisStream, t: TrimArgs): number {
  if (t.maxLen === undefined && t.minId === undefined) return 0;
  return s.trim({ maxLen: t.maxLen, minId: t.minId }, t.approx, t.limit);
}

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

const xtrim: Handler = (client, args) => {
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const t = parseAddOrTrim(client, args, false);
  if (t instanceof ErrorReply) return t;
  if (s === undefined) return 0;
  const n = applyTrim(s, t);
  if (n) {
    client.db.modified(args[1]);
    notifyStream(client, 'xtrim', args[1]);
    propagateAddOrTrim(client, args, t, s, null);
  }
  return n;
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

function rangeEntries(s: RedisStream, start: StreamId, end: StreamId, count: number, rev: boolean): StreamEntry[] {
  const out: StreamEntry[] = [];
  if (start > end) return out;
  if (!rev) {
    for (let i = s.lowerBound(start); i < s.entries.length && s.entries[i].id <= end; i++) {
      out.push(s.entries[i]);
      if (count && out.length >= count) break;
    }
  } else {
    let i = s.lowerBound(end);
    if (i >= s.entries.length || s.entries[i].id > end) i--;
    for (; i >= 0 && s.entries[i].id >= start; i--) {
      out.push(s.entries[i]);
      if (count && out.length >= count) break;
    }
  }
  return out;
}

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

// ---- consumer groups ----

/** streamLookupConsumer, creating it (streamCreateConsumer, with its event on `key`) when absent. */
function lookupConsumer(client: Client, key: string, group: ConsumerGroup, name: string, now: number): Consumer {
  let c = group.consumers.get(name);
  if (c) {
    c.seenTime = now;
    return c;
  }
  c = { name, seenTime: now, pending: new Map() };
  group.consumers.set(name, c);
  notifyStream(client, 'xgroup-createconsumer', key);
  return c;
}

function notifyStream(client: Client, event: string, key: string): void {
  notify(client.server, client.db.id, NotifyClass.STREAM, event, key);
}

function noGroup(key: string, group: string): ErrorReply {
  return new ErrorReply(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

/**
 * Delivers new entries (after the group's last ID) to `consumer`, as
 * streamReplyWithRange does for XREADGROUP ... >.
 */
function deliverNew(
  s: RedisStream,
  group: ConsumerGroup,
  consumer: Consumer,
  count: number,
  noAck: boolean,
  now: number,
  propagation: StreamPropagation | null,
): StreamEntry[] {
  const out = rangeEntries(s, group.lastId + 1n, MAX_ID, count, false);
  for (const e of out) {
    if (group.entriesRead !== -1 && !s.rangeHasTombstones(e.id)) group.entriesRead++;
    else if (s.entriesAdded) group.entriesRead = s.estimateDistance(e.id);
    group.lastId = e.id;
    if (noAck) continue;
    const old = group.pending.get(e.id);
    if (old) {
      old.consumer.pending.delete(e.id);
      group.pending.delete(e.id);
    }
    const pe: PendingEntry = { id: e.id, consumer, deliveryTime: now, deliveryCount: 1 };
    group.pending.set(e.id, pe);
    consumer.pending.set(e.id, pe);
    if (propagation !== null) propagateClaim(propagation, group, formatId(e.id), pe);
  }
  // With NOACK no XCLAIM carries the new last ID: the group's position goes on its own.
  if (propagation !== null && noAck && out.length > 0) propagateGroupId(propagation, group);
  return out;
}

/** Where the effects of a group read are propagated: the key and group name as given. */
interface StreamPropagation {
  propagate(argv: string[]): void;
  key: string;
  groupName: string;
}

function streamPropagation(client: Client, key: string, groupName: string): StreamPropagation | null {
  const propagator = listeningPropagator(client.server);
  if (propagator === null) return null;
  const dbId = client.db.id;
  return { propagate: (argv) => propagator.propagate(dbId, argv), key, groupName };
}

/** streamPropagateXCLAIM: an idempotent XCLAIM recreating one pending entry. */
function propagateClaim(p: StreamPropagation, group: ConsumerGroup, id: string, pe: PendingEntry): void {
  p.propagate([
    'XCLAIM',
    p.key,
    p.groupName,
    pe.consumer.name,
    '0',
    id,
    'TIME',
    String(pe.deliveryTime),
    'RETRYCOUNT',
    String(pe.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(group.lastId),
  ]);
}

/** streamPropagateGroupID */
function propagateGroupId(p: StreamPropagation, group: ConsumerGroup): void {
  p.propagate(['XGROUP', 'SETID', p.key, p.groupName, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

/** XREADGROUP with an explicit ID: the consumer's own pending entries after `after`. */
function deliverHistory(s: RedisStream, consumer: Consumer, after: StreamId, count: number, now: number): Reply[] {
  const out: Reply[] = [];
  for (const pe of sortedById(consumer.pending)) {
    if (pe.id <= after) continue;
    const e = s.find(pe.id);
    if (e) {
      pe.deliveryTime = now;
      pe.deliveryCount++;
      out.push(entryReply(e));
    } else out.push([formatId(pe.id), NULL_ARRAY]);
    if (count && out.length >= count) break;
  }
  return out;
}

function parseEntriesRead(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return Errors.notInteger;
  if (v < 0 && v !== -1) return new ErrorReply('ERR value for ENTRIESREAD must be positive or -1');
  return Number(v);
}

const xgroupCreate: Handler = (client, args) => {
  const db = client.db;
  let mkstream = false;
  let entriesRead = -1;
  for (let i = 5; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    if (opt === 'mkstream') mkstream = true;
    else if (opt === 'entriesread' && i + 1 < args.length) {
      const v = parseEntriesRead(args[++i]);
      if (v instanceof ErrorReply) return v;
      entriesRead = v;
    } else return Errors.syntax;
  }
  const found = writeStream(db, args[2]);
  if (found instanceof ErrorReply) return found;
  if (!found && !mkstream) {
    return new ErrorReply(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  }
  let id: StreamId;
  if (args[4] === '$') id = found ? found.lastId : 0n;
  else {
    // streamParseIDOrReply: "-" and "+" are accepted here.
    const p = parseId(args[4], 0n, false);
    if (!p) return INVALID_ID;
    id = p.id;
  }
  const s = found ?? new RedisStream();
  if (s.groups.has(args[3])) return new ErrorReply('BUSYGROUP Consumer Group name already exists');
  s.groups.set(args[3], { name: args[3], lastId: id, entriesRead, pending: new Map(), consumers: new Map() });
  if (!found) db.set(args[2], s);
  else db.modified(args[2]);
  notifyStream(client, 'xgroup-create', args[2]);
  return OK;
};

function groupOf(client: Client, args: string[]): { s: RedisStream; g: ConsumerGroup } | ErrorReply {
  const s = writeStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) {
    return new ErrorReply(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  }
  const g = s.groups.get(args[3]);
  if (!g) return new ErrorReply(`NOGROUP No such consumer group '${args[3]}' for key name '${args[2]}'`);
  return { s, g };
}

const xgroupSetid: Handler = (client, args) => {
  let entriesRead = -1;
  for (let i = 5; i < args.length; i++) {
    if (args[i].toLowerCase() === 'entriesread' && i + 1 < args.length) {
      const v = parseEntriesRead(args[++i]);
      if (v instanceof ErrorReply) return v;
      entriesRead = v;
    } else return Errors.syntax;
  }
  const r = groupOf(client, args);
  if (r instanceof ErrorReply) return r;
  let id: StreamId;
  if (args[4] === '$') id = r.s.lastId;
  else {
    // streamParseIDOrReply: "-" and "+" are accepted here.
    const p = parseId(args[4], 0n, false);
    if (!p) return INVALID_ID;
    id = p.id;
  }
  r.g.lastId = id;
  r.g.entriesRead = entriesRead;
  client.db.modified(args[2]);
  notifyStream(client, 'xgroup-setid', args[2]);
  return OK;
};

const xgroupDestroy: Handler = (client, args) => {
  const s = writeStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) {
    return new ErrorReply(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  }
  if (!s.groups.delete(args[3])) return 0;
  client.db.modified(args[2]);
  notifyStream(client, 'xgroup-destroy', args[2]);
  // Clients blocked in XREADGROUP on this group learn it is gone.
  client.db.signalReady(args[2]);
  return 1;
};

const xgroupCreateconsumer: Handler = (client, args) => {
  const r = groupOf(client, args);
  if (r instanceof ErrorReply) return r;
  if (r.g.consumers.has(args[4])) return 0;
  lookupConsumer(client, args[2], r.g, args[4], Date.now());
  client.db.modified(args[2]);
  return 1;
};

const xgroupDelconsumer: Handler = (client, args) => {
  const r = groupOf(client, args);
  if (r instanceof ErrorReply) return r;
  const c = r.g.consumers.get(args[4]);
  if (!c) return 0;
  const pending = c.pending.size;
  for (const id of c.pending.keys()) r.g.pending.delete(id);
  r.g.consumers.delete(args[4]);
  client.db.modified(args[2]);
  notifyStream(client, 'xgroup-delconsumer', args[2]);
  return pending;
};

const xgroupHelp: Handler = () =>
  helpLines('XGROUP', [
    'CREATE <key> <groupname> <id|$> [option]',
    '    Create a new consumer group. Options are:',
    '    * MKSTREAM',
    '      Create the empty stream if it does not exist.',
    '    * ENTRIESREAD entries_read',
    '      Set the group\'s entries_read counter (internal use).',
    'CREATECONSUMER <key> <groupname> <consumer>',
    '    Create a new consumer in the specified group.',
    'DELCONSUMER <key> <groupname> <consumer>',
    '    Remove the specified consumer.',
    'DESTROY <key> <groupname>',
    '    Remove the specified group.',
    'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
    '    Set the current group ID and entries_read counter.',
  ]);

// ---- XREAD / XREADGROUP ----

function parseBlockMs(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return new ErrorReply('ERR timeout is not an integer or out of range');
  if (v < 0) return Errors.timeoutNegative;
  return Number(v);
}

function xreadGeneric(client: Client, args: string[], group: boolean): Reply {
  let blockMs = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let groupName: string | null = null;
  let consumerName = '';
  let noAck = false;
  const cmd = args[0].toUpperCase();
  for (let i = 1; i < args.length; i++) {
    const more = args.length - i - 1;
    const o = args[i].toLowerCase();
    if (o === 'block' && more) {
      if (client.isScript) return new ErrorReply(`ERR ${args[0]} command is not allowed with BLOCK option from scripts`);
      const t = parseBlockMs(args[++i]);
      if (t instanceof ErrorReply) return t;
      blockMs = t;
    } else if (o === 'count' && more) {
      const v = parseInt64(args[++i]);
      if (v === null) return Errors.notInteger;
      count = v < 0 ? 0 : Number(v);
    } else if (o === 'streams' && more) {
      streamsArg = i + 1;
      streamsCount = args.length - streamsArg;
      if (streamsCount % 2 !== 0) {
        return new ErrorReply("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      streamsCount /= 2;
      break;
    } else if (o === 'group' && more >= 2) {
      if (!group) return new ErrorReply('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      groupName = args[i + 1];
      consumerName = args[i + 2];
      i += 2;
    } else if (o === 'noack') {
      if (!group) return new ErrorReply('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noAck = true;
    } else return Errors.syntax;
  }
  void cmd;
  if (streamsArg === 0) return Errors.syntax;
  if (group && groupName === null) return new ErrorReply('ERR Missing GROUP option for XREADGROUP');
  const db = client.db;
  const keys = args.slice(streamsArg, streamsArg + streamsCount);
  const ids: StreamId[] = [];
  const groups: (ConsumerGroup | null)[] = [];
  for (let k = 0; k < streamsCount; k++) {
    const key = keys[k];
    const idArg = args[streamsArg + streamsCount + k];
    const s = readStream(db, key);
    if (s instanceof ErrorReply) return s;
    if (groupName !== null) {
      const g = s?.groups.get(groupName);
      if (!g) return new ErrorReply(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
      groups.push(g);
    }
    if (idArg === '$') {
      if (group) {
        return new ErrorReply(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids.push(s ? s.lastId : 0n);
    } else if (idArg === '>') {
      if (!group) {
        return new ErrorReply('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      }
      ids.push(MAX_ID);
    } else {
      const id = strictId(idArg);
      if (id instanceof ErrorReply) return id;
      ids.push(id);
    }
  }
  const now = Date.now();
  const served = serveRead(client, db, keys, ids, groups, groupName === null ? null : consumerName, count, noAck, now, false);
  if (served !== null) return served;
  if (blockMs === -1) return NULL_ARRAY;
  const deadline = blockMs === 0 ? 0 : Date.now() + blockMs;
  // Blocked reads wait for entries after the IDs resolved now ("$" = last ID now).
  return blockOrTimeout(client, keys, deadline, NULL_ARRAY, (key) => {
    const k = keys.indexOf(key);
    const s = db.get(key);
    if (s === undefined || typeof s === 'string' || s.type !== 'stream') {
      // A group reader can never be served once its stream is gone: a new stream would
      // not have the group (unblockDeletedStreamReadgroupClients).
      return groupName !== null ? STREAM_GONE : undefined;
    }
    const stream = s as RedisStream;
    if (groupName !== null) {
      const g = stream.groups.get(groupName);
      if (!g) return new ErrorReply('NOGROUP the consumer group this client was blocked on no longer exists');
      groups[k] = g;
    }
    return serveRead(client, db, [key], [ids[k]], groupName !== null ? [groups[k]] : [], groupName === null ? null : consumerName, count || 0, noAck, Date.now(), true) ?? undefined;
  });
}

/** Builds the XREAD reply for the streams that have something; null when none has. */
function serveRead(
  client: Client,
  db: Database,
  keys: string[],
  ids: StreamId[],
  groups: (ConsumerGroup | null)[],
  consumerName: string | null,
  count: number,
  noAck: boolean,
  now: number,
  fromBlock: boolean,
): Reply | null {
  const perKey: Reply[] = [];
  for (let k = 0; k < keys.length; k++) {
    const v = db.get(keys[k]);
    if (v === undefined || typeof v === 'string' || v.type !== 'stream') continue;
    const s = v as RedisStream;
    const gt = ids[k];
    const g = consumerName !== null ? groups[k] : null;
    let items: Reply[] | null = null;
    if (g) {
      const serveHistory = gt !== MAX_ID && !fromBlock;
      if (serveHistory || (s.length && lastValidId(s) > g.lastId)) {
        // XREADGROUP is propagated as its effects (see deliverNew); a consumer that only
        // NOACK reads create would be missing from the AOF and replicas: it goes alone.
        const propagation = streamPropagation(client, keys[k], g.name);
        const isNewConsumer = !g.consumers.has(consumerName!);
        const consumer = lookupConsumer(client, keys[k], g, consumerName!, now);
        if (isNewConsumer && noAck && propagation !== null) {
          propagation.propagate(['XGROUP', 'CREATECONSUMER', keys[k], g.name, consumerName!]);
        }
        items = serveHistory ? deliverHistory(s, consumer, gt, count, now) : deliverNew(s, g, consumer, count, noAck, now, propagation).map(entryReply);
        db.modified(keys[k]);
      }
    } else if (s.length && lastValidId(s) > gt) {
      items = rangeEntries(s, gt + 1n, MAX_ID, count, false).map(entryReply);
    }
    if (items === null) continue;
    perKey.push(keys[k], items);
  }
  if (perKey.length === 0) return null;
  if (client.protocol === 3) return new MapReply(perKey);
  const out: Reply[] = [];
  for (let i = 0; i < perKey.length; i += 2) out.push([perKey[i], perKey[i + 1]]);
  return out;
}

/** streamLastValidID: the last live entry's ID. */
function lastValidId(s: RedisStream): StreamId {
  return s.entries.length ? s.entries[s.entries.length - 1].id : 0n;
}

const xread: Handler = (client, args) => xreadGeneric(client, args, false);
const xreadgroup: Handler = (client, args) => xreadGeneric(client, args, true);

// ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ----

const xack: Handler = (client, args) => {
  const ids: StreamId[] = [];
  for (let i = 3; i < args.length; i++) {
    const id = strictId(args[i]);
    if (id instanceof ErrorReply) return id;
    ids.push(id);
  }
  const s = writeStream(client.db, args[1]);
  if (s === undefined || s instanceof ErrorReply) return s ?? 0;
  const g = s.groups.get(args[2]);
  if (!g) return 0;
  let acked = 0;
  for (const id of ids) {
    const pe = g.pending.get(id);
    if (!pe) continue;
    g.pending.delete(id);
    pe.consumer.pending.delete(id);
    acked++;
  }
  if (acked) client.db.modified(args[1]);
  return acked;
};

const xpending: Handler = (client, args) => {
  const justInfo = args.length === 3;
  if (args.length !== 3 && (args.length < 6 || args.length > 9)) return Errors.syntax;
  let minIdle = 0;
  let startIdx = 3;
  let start = 0n;
  let end = MAX_ID;
  let count = 0;
  let consumerName: string | null = null;
  if (!justInfo) {
    if (args[3].toLowerCase() === 'idle') {
      const v = parseInt64(args[4]);
      if (v === null) return Errors.notInteger;
      if (args.length < 8) return Errors.syntax;
      minIdle = Number(v);
      startIdx += 2;
    }
    const c = parseInt64(args[startIdx + 2]);
    if (c === null) return Errors.notInteger;
    count = c < 0 ? 0 : Number(c);
    const a = intervalId(args[startIdx], 0n);
    if (a instanceof ErrorReply) return a;
    start = a.id;
    if (a.ex) {
      if (start === MAX_ID) return new ErrorReply('ERR invalid start ID for the interval');
      start++;
    }
    const b = intervalId(args[startIdx + 1], U64_MAX);
    if (b instanceof ErrorReply) return b;
    end = b.id;
    if (b.ex) {
      if (end === 0n) return new ErrorReply('ERR invalid end ID for the interval');
      end--;
    }
    if (startIdx + 3 < args.length) consumerName = args[startIdx + 3];
  }
  const s = readStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(args[2]);
  if (!s || !g) return noGroup(args[1], args[2]);
  if (justInfo) {
    if (g.pending.size === 0) return [0, null, null, NULL_ARRAY];
    const all = sortedById(g.pending);
    const perConsumer = new Map<string, number>();
    for (const pe of all) perConsumer.set(pe.consumer.name, (perConsumer.get(pe.consumer.name) ?? 0) + 1);
    const names = [...perConsumer.keys()].sort();
    return [all.length, formatId(all[0].id), formatId(all[all.length - 1].id), names.map((n) => [n, String(perConsumer.get(n))])];
  }
  const now = Date.now();
  let source: Map<StreamId, PendingEntry> = g.pending;
  if (consumerName !== null) {
    const c = g.consumers.get(consumerName);
    if (!c) return EMPTY_ARRAY;
    source = c.pending;
  }
  const out: Reply[] = [];
  for (const pe of sortedById(source)) {
    if (out.length >= count) break;
    if (pe.id < start || pe.id > end) continue;
    const idle = Math.max(0, now - pe.deliveryTime);
    if (minIdle && idle < minIdle) continue;
    out.push([formatId(pe.id), pe.consumer.name, idle, pe.deliveryCount]);
  }
  return out;
};

function claimTo(g: ConsumerGroup, pe: PendingEntry, consumer: Consumer): void {
  if (pe.consumer === consumer) return;
  pe.consumer.pending.delete(pe.id);
  pe.consumer = consumer;
  consumer.pending.set(pe.id, pe);
  void g;
}

const xclaim: Handler = (client, args) => {
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(args[2]);
  if (!s || !g) return noGroup(args[1], args[2]);
  const mi = parseInt64(args[4]);
  if (mi === null) return new ErrorReply('ERR Invalid min-idle-time argument for XCLAIM');
  const minIdle = mi < 0 ? 0 : Number(mi);
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < args.length; j++) {
    const p = parseId(args[j], 0n, true);
    if (!p) break;
    ids.push(p.id);
  }
  const firstIdArg = 5;
  const now = Date.now();
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justId = false;
  let lastId: StreamId | null = null;
  for (; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j].toLowerCase();
    if (opt === 'force') force = true;
    else if (opt === 'justid') justId = true;
    else if (opt === 'idle' && more) {
      const v = parseInt64(args[++j]);
      if (v === null) return new ErrorReply('ERR Invalid IDLE option argument for XCLAIM');
      deliveryTime = now - Number(v);
    } else if (opt === 'time' && more) {
      const v = parseInt64(args[++j]);
      if (v === null) return new ErrorReply('ERR Invalid TIME option argument for XCLAIM');
      deliveryTime = Number(v);
    } else if (opt === 'retrycount' && more) {
      const v = parseInt64(args[++j]);
      if (v === null) return new ErrorReply('ERR Invalid RETRYCOUNT option argument for XCLAIM');
      retryCount = Number(v);
    } else if (opt === 'lastid' && more) {
      const id = strictId(args[++j]);
      if (id instanceof ErrorReply) return id;
      lastId = id;
    } else return new ErrorReply(`ERR Unrecognized XCLAIM option '${args[j]}'`);
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  } else deliveryTime = now;
  // XCLAIM is propagated as its effects: one normalized XCLAIM per claimed (or dropped)
  // entry, else XGROUP SETID when only LASTID moved the group.
  const propagation = streamPropagation(client, args[1], args[2]);
  let propagateLastId = false;
  if (lastId !== null && lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  let consumer: Consumer | undefined;
  const out: Reply[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    let pe = g.pending.get(id);
    const entry = s.find(id);
    if (!entry) {
      // The entry was deleted: drop it from the PEL.
      if (pe) {
        if (propagation !== null) propagateClaim(propagation, g, args[firstIdArg + k], pe);
        propagateLastId = false;
        g.pending.delete(id);
        pe.consumer.pending.delete(id);
      }
      continue;
    }
    // A pending entry FORCE creates has no owner yet: min-idle-time does not apply.
    let forced = false;
    if (force && !pe) {
      consumer ??= lookupConsumer(client, args[1], g, args[3], now);
      // streamCreateNACK starts the count at 1; the claim below adds one more.
      pe = { id, consumer: consumer!, deliveryTime: now, deliveryCount: 1 };
      g.pending.set(id, pe);
      consumer!.pending.set(id, pe);
      forced = true;
    }
    if (!pe) continue;
    if (!forced && minIdle && now - pe.deliveryTime < minIdle) continue;
    consumer ??= lookupConsumer(client, args[1], g, args[3], now);
    pe.deliveryTime = deliveryTime;
    if (retryCount >= 0) pe.deliveryCount = retryCount;
    else if (!justId) pe.deliveryCount++;
    claimTo(g, pe, consumer!);
    out.push(justId ? formatId(id) : entryReply(entry));
    if (propagation !== null) propagateClaim(propagation, g, args[firstIdArg + k], pe);
    propagateLastId = false;
  }
  if (propagateLastId && propagation !== null) propagateGroupId(propagation, g);
  client.db.modified(args[1]);
  return out;
};

const xautoclaim: Handler = (client, args) => {
  // Arguments are checked before the key, like Redis (syntax errors come first).
  const mi = parseInt64(args[4]);
  if (mi === null) return new ErrorReply('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = mi < 0 ? 0 : Number(mi);
  const start = intervalId(args[5], 0n);
  if (start instanceof ErrorReply) return start;
  if (start.ex && start.id === MAX_ID) return new ErrorReply('ERR invalid start ID for the interval');
  const startId = start.ex ? start.id + 1n : start.id;
  let count = 100;
  let justId = false;
  const attemptsFactor = 10;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j].toLowerCase();
    if (opt === 'count' && more) {
      const v = parseInt64(args[++j]);
      if (v === null || v < 1 || v > Math.floor(9223372036854775807 / attemptsFactor)) return new ErrorReply('ERR COUNT must be > 0');
      count = Number(v);
    } else if (opt === 'justid') justId = true;
    else return Errors.syntax;
  }
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(args[2]);
  if (!s || !g) return noGroup(args[1], args[2]);
  const now = Date.now();
  // Propagated as one normalized XCLAIM per claimed or dropped entry, like XCLAIM.
  const propagation = streamPropagation(client, args[1], args[2]);
  let attempts = count * attemptsFactor;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  let consumer: Consumer | undefined;
  const pel = sortedById(g.pending).filter((pe) => pe.id >= startId);
  let i = 0;
  // COUNT limits the reply: claimed and deleted IDs both use it up.
  for (; attempts-- > 0 && count > 0 && i < pel.length; i++) {
    const pe = pel[i];
    const entry = s.find(pe.id);
    if (!entry) {
      if (propagation !== null) propagateClaim(propagation, g, formatId(pe.id), pe);
      g.pending.delete(pe.id);
      pe.consumer.pending.delete(pe.id);
      deleted.push(formatId(pe.id));
      count--;
      continue;
    }
    if (minIdle && now - pe.deliveryTime < minIdle) continue;
    consumer ??= lookupConsumer(client, args[1], g, args[3], now);
    pe.deliveryTime = now;
    if (!justId) pe.deliveryCount++;
    claimTo(g, pe, consumer!);
    claimed.push(justId ? formatId(pe.id) : entryReply(entry));
    count--;
    if (propagation !== null) propagateClaim(propagation, g, formatId(pe.id), pe);
  }
  const next = i < pel.length ? formatId(pel[i].id) : '0-0';
  client.db.modified(args[1]);
  return [next, claimed, deleted];
};

// ---- XINFO / XSETID ----

const xinfoStream: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  let full = false;
  let count = 10;
  if (args.length > 3) {
    if (args[3].toLowerCase() !== 'full') return Errors.syntax;
    full = true;
    if (args.length > 4) {
      if (args.length !== 6 || args[4].toLowerCase() !== 'count') return Errors.syntax;
      const v = parseInt64(args[5]);
      if (v === null) return Errors.notInteger;
      count = v < 0 ? 0 : Number(v);
    }
  }
  const head: Reply[] = [
    'length',
    s.length,
    'radix-tree-keys',
    s.nodeCount,
    'radix-tree-nodes',
    s.radixTreeNodes,
    'last-generated-id',
    formatId(s.lastId),
    'max-deleted-entry-id',
    formatId(s.maxDeletedId),
    'entries-added',
    s.entriesAdded,
    'recorded-first-entry-id',
    formatId(s.firstId),
  ];
  if (!full) {
    head.push('groups', s.groups.size);
    head.push('first-entry', s.length ? entryReply(s.entries[0]) : null);
    head.push('last-entry', s.length ? entryReply(s.entries[s.length - 1]) : null);
    return new MapReply(head);
  }
  const now = Date.now();
  head.push('entries', rangeEntries(s, 0n, MAX_ID, count, false).map(entryReply));
  const groups: Reply[] = [];
  for (const g of [...s.groups.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const pel = sortedById(g.pending);
    const consumers: Reply[] = [];
    for (const c of [...g.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const cpel = sortedById(c.pending);
      consumers.push(
        new MapReply([
          'name',
          c.name,
          'seen-time',
          c.seenTime,
          'pel-count',
          cpel.length,
          'pending',
          (count ? cpel.slice(0, count) : cpel).map((pe) => [formatId(pe.id), pe.deliveryTime, pe.deliveryCount]),
        ]),
      );
    }
    const lag = s.lag(g);
    groups.push(
      new MapReply([
        'name',
        g.name,
        'last-delivered-id',
        formatId(g.lastId),
        'entries-read',
        g.entriesRead === -1 ? null : g.entriesRead,
        'lag',
        lag,
        'pel-count',
        pel.length,
        'pending',
        (count ? pel.slice(0, count) : pel).map((pe) => [formatId(pe.id), pe.consumer.name, pe.deliveryTime, pe.deliveryCount]),
        'consumers',
        consumers,
      ]),
    );
  }
  void now;
  head.push('groups', groups);
  return new MapReply(head);
};

const xinfoGroups: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  return [...s.groups.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(
      (g) =>
        new MapReply([
          'name',
          g.name,
          'consumers',
          g.consumers.size,
          'pending',
          g.pending.size,
          'last-delivered-id',
          formatId(g.lastId),
          'entries-read',
          g.entriesRead === -1 ? null : g.entriesRead,
          'lag',
          s.lag(g),
        ]),
    );
};

const xinfoConsumers: Handler = (client, args) => {
  const s = readStream(client.db, args[2]);
  if (s instanceof ErrorReply) return s;
  if (!s) return Errors.noSuchKey;
  const g = s.groups.get(args[3]);
  if (!g) return new ErrorReply(`NOGROUP No such consumer group '${args[3]}' for key name '${args[2]}'`);
  const now = Date.now();
  return [...g.consumers.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c) => new MapReply(['name', c.name, 'pending', c.pending.size, 'idle', Math.max(0, now - c.seenTime)]));
};

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
  'xinfo|help': () =>
    helpLines('XINFO', [
      'CONSUMERS <key> <groupname>',
      '    Show consumers of <groupname>.',
      'GROUPS <key>',
      '    Show the stream consumer groups.',
      'STREAM <key> [FULL [COUNT <count>]',
      '    Show information about the stream.',
    ]),
};
