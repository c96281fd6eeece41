/**
 * XREAD and XREADGROUP, BLOCK included (Redis 7.0 t_stream.c xreadCommand): parsing,
 * serving the streams that have entries, and blocking until one has.
 */
import type { Database } from '../keyspace/database.js';
import { MAX_ID, RedisStream, type ConsumerGroup, type StreamId } from '../keyspace/types/stream.js';
import { ErrorReply, Errors, MapReply, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import { blockOrTimeout } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { entryReply, lastValidId, rangeEntries, readStream, strictId } from './stream-common.js';
import { deliverHistory, deliverNew, lookupConsumer, streamPropagation } from './stream-pel.js';

const STREAM_GONE = new ErrorReply('UNBLOCKED the stream key no longer exists');

function parseBlockMs(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return new ErrorReply('ERR timeout is not an integer or out of range');
  if (v < 0) return Errors.timeoutNegative;
  return Number(v);
}

/** XREAD / XREADGROUP arguments, as xreadCommand parses them. */
interface ReadOptions {
  /** -1 without BLOCK; 0 blocks forever. */
  blockMs: number;
  /** 0: no COUNT limit. */
  count: number;
  /** null for XREAD. */
  groupName: string | null;
  consumerName: string;
  noAck: boolean;
  keys: string[];
  /** The ID argument of each key, as given ("$", ">", or an ID). */
  idArgs: string[];
}

/** What each key reads after, resolved when the command runs ("$" = the last ID now). */
interface ReadTargets {
  ids: StreamId[];
  /** The group of each key (XREADGROUP); empty for XREAD. */
  groups: (ConsumerGroup | null)[];
}

function xreadGeneric(client: Client, args: string[], group: boolean): Reply {
  const options = parseReadOptions(client, args, group);
  if (options instanceof ErrorReply) return options;
  const db = client.db;
  const targets = resolveReadTargets(db, options, group);
  if (targets instanceof ErrorReply) return targets;
  const consumerName = options.groupName === null ? null : options.consumerName;
  const now = Date.now();
  const served = serveRead(client, db, options.keys, targets.ids, targets.groups, consumerName, options.count, options.noAck, now, false);
  if (served !== null) return served;
  if (options.blockMs === -1) return NULL_ARRAY;
  return blockRead(client, db, options, targets);
}

/** The options before STREAMS, then the keys and IDs after it. */
function parseReadOptions(client: Client, args: string[], group: boolean): ReadOptions | ErrorReply {
  let blockMs = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let groupName: string | null = null;
  let consumerName = '';
  let noAck = false;
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
  if (streamsArg === 0) return Errors.syntax;
  if (group && groupName === null) return new ErrorReply('ERR Missing GROUP option for XREADGROUP');
  const keys = args.slice(streamsArg, streamsArg + streamsCount);
  const idArgs = args.slice(streamsArg + streamsCount);
  return { blockMs, count, groupName, consumerName, noAck, keys, idArgs };
}

/** Each key's type and group, and its ID: "$" or "+" (XREAD), ">" (XREADGROUP) or an explicit ID. */
function resolveReadTargets(db: Database, options: ReadOptions, group: boolean): ReadTargets | ErrorReply {
  const { keys, idArgs, groupName } = options;
  const ids: StreamId[] = [];
  const groups: (ConsumerGroup | null)[] = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const idArg = idArgs[k];
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
    } else if (idArg === '+') {
      // Redis 7.4: the stream's last entry, read as "greater than the ID before it".
      if (group) {
        return new ErrorReply(
          'ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set.',
        );
      }
      if (s && s.lastId === 0n) return new ErrorReply('ERR the stream last element ID is 0-0');
      ids.push(s ? s.lastId - 1n : 0n);
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
  return { ids, groups };
}

/**
 * Blocks until a key has entries after its resolved ID, the timeout, or (XREADGROUP) its
 * stream or group is gone.
 */
function blockRead(client: Client, db: Database, options: ReadOptions, targets: ReadTargets): Reply {
  const { keys, groupName, count, noAck } = options;
  const { ids, groups } = targets;
  const consumerName = groupName === null ? null : options.consumerName;
  const deadline = options.blockMs === 0 ? 0 : Date.now() + options.blockMs;
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
    return serveRead(client, db, [key], [ids[k]], groupName !== null ? [groups[k]] : [], consumerName, count || 0, noAck, Date.now(), true) ?? undefined;
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

export const xread: Handler = (client, args) => xreadGeneric(client, args, false);
export const xreadgroup: Handler = (client, args) => xreadGeneric(client, args, true);
