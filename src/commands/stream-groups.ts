/**
 * Consumer groups: XGROUP and its subcommands, XACK, XPENDING, XCLAIM and XAUTOCLAIM
 * (Redis 7.0 t_stream.c). The pending entries lists they work on are in stream-pel.ts.
 */
import { MAX_ID, RedisStream, formatId, sortedById, type Consumer, type ConsumerGroup, type PendingEntry, type StreamId } from '../keyspace/types/stream.js';
import { ErrorReply, Errors, NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { helpLines } from './replies.js';
import { EMPTY_ARRAY } from './type-helpers.js';
import { INVALID_ID, U64_MAX, entryReply, intervalId, notifyStream, parseId, readStream, strictId, writeStream } from './stream-common.js';
import { claimTo, lookupConsumer, propagateClaim, propagateGroupId, streamPropagation, type StreamPropagation } from './stream-pel.js';

/** XPENDING, XCLAIM, XAUTOCLAIM: the key or the group is missing. */
function noGroup(key: string, group: string): ErrorReply {
  return new ErrorReply(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

// ---- XGROUP ----

function parseEntriesRead(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return Errors.notInteger;
  if (v < 0 && v !== -1) return new ErrorReply('ERR value for ENTRIESREAD must be positive or -1');
  return Number(v);
}

export const xgroupCreate: Handler = (client, args) => {
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

export const xgroupSetid: Handler = (client, args) => {
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

export const xgroupDestroy: Handler = (client, args) => {
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

export const xgroupCreateconsumer: Handler = (client, args) => {
  const r = groupOf(client, args);
  if (r instanceof ErrorReply) return r;
  if (r.g.consumers.has(args[4])) return 0;
  lookupConsumer(client, args[2], r.g, args[4], Date.now());
  client.db.modified(args[2]);
  return 1;
};

export const xgroupDelconsumer: Handler = (client, args) => {
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

export const xgroupHelp: Handler = () =>
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

// ---- XACK / XPENDING ----

export const xack: Handler = (client, args) => {
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

/** XPENDING's extended form: [IDLE min-idle-time] start end count [consumer]. */
interface PendingRange {
  minIdle: number;
  start: StreamId;
  end: StreamId;
  count: number;
  consumerName: string | null;
}

export const xpending: Handler = (client, args) => {
  const justInfo = args.length === 3;
  if (args.length !== 3 && (args.length < 6 || args.length > 9)) return Errors.syntax;
  const range = justInfo ? null : parsePendingRange(args);
  if (range instanceof ErrorReply) return range;
  const s = readStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(args[2]);
  if (!s || !g) return noGroup(args[1], args[2]);
  return range === null ? pendingSummary(g) : pendingEntries(g, range);
};

function parsePendingRange(args: string[]): PendingRange | ErrorReply {
  let minIdle = 0;
  let startIdx = 3;
  if (args[3].toLowerCase() === 'idle') {
    const v = parseInt64(args[4]);
    if (v === null) return Errors.notInteger;
    if (args.length < 8) return Errors.syntax;
    minIdle = Number(v);
    startIdx += 2;
  }
  const c = parseInt64(args[startIdx + 2]);
  if (c === null) return Errors.notInteger;
  const count = c < 0 ? 0 : Number(c);
  const a = intervalId(args[startIdx], 0n);
  if (a instanceof ErrorReply) return a;
  let start = a.id;
  if (a.ex) {
    if (start === MAX_ID) return new ErrorReply('ERR invalid start ID for the interval');
    start++;
  }
  const b = intervalId(args[startIdx + 1], U64_MAX);
  if (b instanceof ErrorReply) return b;
  let end = b.id;
  if (b.ex) {
    if (end === 0n) return new ErrorReply('ERR invalid end ID for the interval');
    end--;
  }
  const consumerName = startIdx + 3 < args.length ? args[startIdx + 3] : null;
  return { minIdle, start, end, count, consumerName };
}

/** XPENDING key group: the count, the smallest and greatest IDs, and the count per consumer. */
function pendingSummary(g: ConsumerGroup): Reply {
  if (g.pending.size === 0) return [0, null, null, NULL_ARRAY];
  const all = sortedById(g.pending);
  const perConsumer = new Map<string, number>();
  for (const pe of all) perConsumer.set(pe.consumer.name, (perConsumer.get(pe.consumer.name) ?? 0) + 1);
  const names = [...perConsumer.keys()].sort();
  return [all.length, formatId(all[0].id), formatId(all[all.length - 1].id), names.map((n) => [n, String(perConsumer.get(n))])];
}

/** The extended form: the group's (or one consumer's) pending entries in the range. */
function pendingEntries(g: ConsumerGroup, range: PendingRange): Reply {
  const { minIdle, start, end, count, consumerName } = range;
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
}

// ---- XCLAIM / XAUTOCLAIM ----

/** XCLAIM's arguments after the key, group and consumer, as xclaimCommand reads them. */
interface ClaimOptions {
  minIdle: number;
  ids: StreamId[];
  /** When the run started; min-idle-time is measured against it. */
  now: number;
  /** The delivery time claimed entries get: IDLE / TIME, else (or out of range) now. */
  deliveryTime: number;
  /** -1: no RETRYCOUNT. */
  retryCount: number;
  force: boolean;
  justId: boolean;
  lastId: StreamId | null;
}

/** One XCLAIM run: the group it claims in and what it has done so far. */
interface ClaimRun {
  client: Client;
  args: string[];
  s: RedisStream;
  g: ConsumerGroup;
  options: ClaimOptions;
  propagation: StreamPropagation | null;
  /** The claiming consumer, created at the first entry it gets. */
  consumer: Consumer | undefined;
  /** LASTID moved the group and no XCLAIM propagated since carries the new last ID. */
  propagateLastId: boolean;
}

/** XCLAIM key group consumer min-idle-time id [id ...]: the first ID's index. */
const CLAIM_FIRST_ID = 5;

export const xclaim: Handler = (client, args) => {
  const s = writeStream(client.db, args[1]);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(args[2]);
  if (!s || !g) return noGroup(args[1], args[2]);
  const options = parseClaimOptions(args);
  if (options instanceof ErrorReply) return options;
  // XCLAIM is propagated as its effects: one normalized XCLAIM per claimed (or dropped)
  // entry, else XGROUP SETID when only LASTID moved the group.
  const run: ClaimRun = {
    client,
    args,
    s,
    g,
    options,
    propagation: streamPropagation(client, args[1], args[2]),
    consumer: undefined,
    propagateLastId: false,
  };
  if (options.lastId !== null && options.lastId > g.lastId) {
    g.lastId = options.lastId;
    run.propagateLastId = true;
  }
  const out: Reply[] = [];
  for (let k = 0; k < options.ids.length; k++) {
    const claimed = claimOne(run, k);
    if (claimed !== null) out.push(claimed);
  }
  if (run.propagateLastId && run.propagation !== null) propagateGroupId(run.propagation, g);
  client.db.modified(args[1]);
  return out;
};

/** min-idle-time, the IDs (up to the first argument that is not one), then the options. */
function parseClaimOptions(args: string[]): ClaimOptions | ErrorReply {
  const mi = parseInt64(args[4]);
  if (mi === null) return new ErrorReply('ERR Invalid min-idle-time argument for XCLAIM');
  const minIdle = mi < 0 ? 0 : Number(mi);
  const ids: StreamId[] = [];
  let j = CLAIM_FIRST_ID;
  for (; j < args.length; j++) {
    const p = parseId(args[j], 0n, true);
    if (!p) break;
    ids.push(p.id);
  }
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
  return { minIdle, ids, now, deliveryTime, retryCount, force, justId, lastId };
}

/** Claims the k-th ID for the run's consumer: its reply item, or null when not claimed. */
function claimOne(run: ClaimRun, k: number): Reply | null {
  const { args, g, options, propagation } = run;
  const id = options.ids[k];
  const idArg = args[CLAIM_FIRST_ID + k];
  let pe = g.pending.get(id);
  const entry = run.s.find(id);
  if (!entry) {
    // The entry was deleted: drop it from the PEL.
    if (pe) {
      if (propagation !== null) propagateClaim(propagation, g, idArg, pe);
      run.propagateLastId = false;
      g.pending.delete(id);
      pe.consumer.pending.delete(id);
    }
    return null;
  }
  // A pending entry FORCE creates has no owner yet: min-idle-time does not apply.
  let forced = false;
  if (options.force && !pe) {
    const consumer = (run.consumer ??= lookupConsumer(run.client, args[1], g, args[3], options.now));
    // streamCreateNACK starts the count at 1; the claim below adds one more.
    pe = { id, consumer, deliveryTime: options.now, deliveryCount: 1 };
    g.pending.set(id, pe);
    consumer.pending.set(id, pe);
    forced = true;
  }
  if (!pe) return null;
  if (!forced && options.minIdle && options.now - pe.deliveryTime < options.minIdle) return null;
  const consumer = (run.consumer ??= lookupConsumer(run.client, args[1], g, args[3], options.now));
  pe.deliveryTime = options.deliveryTime;
  if (options.retryCount >= 0) pe.deliveryCount = options.retryCount;
  else if (!options.justId) pe.deliveryCount++;
  claimTo(g, pe, consumer);
  const item = options.justId ? formatId(id) : entryReply(entry);
  if (propagation !== null) propagateClaim(propagation, g, idArg, pe);
  run.propagateLastId = false;
  return item;
}

export const xautoclaim: Handler = (client, args) => {
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
