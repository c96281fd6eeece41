/**
 * Persistence commands: SAVE, BGSAVE, BGREWRITEAOF, and key DUMP / RESTORE with
 * payloads byte-compatible with Redis 7.0 (RDB type + value + RDB version + CRC-64).
 * LASTSAVE lives with the server commands.
 */
import { ErrorReply, Errors, OK, SimpleReply, err, type Reply } from '../protocol/reply.js';
import { verifyDumpPayload } from '../persistence/function-payload.js';
import { PersistenceManager } from '../persistence/manager.js';
import { decodeDumpPayload } from '../persistence/rdb-reader.js';
import { encodeDumpPayload } from '../persistence/rdb-writer.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { is, parseInt64 } from './args.js';
import type { Handler } from './registry.js';

const BUSYKEY = new ErrorReply('BUSYKEY Target key name already exists.');
const BAD_FOOTER = new ErrorReply('ERR DUMP payload version or checksum are wrong');
const BAD_DATA = new ErrorReply('ERR Bad data format');

const save: Handler = (client) => {
  const error = PersistenceManager.of(client.server).save();
  return error === null ? OK : err(error);
};

const bgsave: Handler = (client, args) => {
  let schedule = false;
  if (args.length > 1) {
    if (args.length === 2 && is(args[1]!, 'schedule')) schedule = true;
    else return Errors.syntax;
  }
  return status(PersistenceManager.of(client.server).bgsaveCommand(schedule));
};

const bgrewriteaof: Handler = (client) => status(PersistenceManager.of(client.server).bgrewriteaofCommand());

function status(reply: Reply): Reply {
  return typeof reply === 'string' ? new SimpleReply(reply) : reply;
}

const dump: Handler = (client, args) => {
  const value = client.db.lookupRead(args[1]!);
  if (value === undefined) return null;
  const server = client.server;
  const payload = encodeDumpPayload(value, {
    limits: server.encodingLimits,
    compression: server.config.getBool('rdbcompression'),
  });
  return payload.toString('latin1');
};

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checks in Redis's order. */
const restore: Handler = (client, args) => {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    const option = args[j]!;
    if (is(option, 'replace')) {
      replace = true;
    } else if (is(option, 'absttl')) {
      absttl = true;
    } else if (is(option, 'idletime') && more >= 1 && freq === -1) {
      const value = parseInt64(args[++j]!);
      if (value === null) return Errors.notInteger;
      if (value < 0) return err('ERR Invalid IDLETIME value, must be >= 0');
      idle = Number(value);
    } else if (is(option, 'freq') && more >= 1 && idle === -1) {
      const value = parseInt64(args[++j]!);
      if (value === null) return Errors.notInteger;
      if (value < 0 || value > 255) return err('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = Number(value);
    } else {
      return Errors.syntax;
    }
  }
  const db = client.db;
  const key = args[1]!;
  if (!replace && db.get(key) !== undefined) return BUSYKEY;
  const ttlArg = parseInt64(args[2]!);
  if (ttlArg === null) return Errors.notInteger;
  if (ttlArg < 0) return err('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(args[3]!, 'latin1');
  if (!verifyDumpPayload(payload)) return BAD_FOOTER;
  let value;
  try {
    value = decodeDumpPayload(payload, client.server.encodingLimits);
  } catch {
    return BAD_DATA;
  }
  if (value === null) return BAD_FOOTER;
  const deleted = replace ? db.delete(key) : false;
  let ttl = Number(ttlArg);
  if (ttl !== 0 && !absttl) ttl += Date.now();
  if (ttl !== 0 && ttl <= Date.now()) {
    // Already expired: nothing is created (a replaced key stays deleted).
    if (deleted) notify(client.server, db.id, NotifyClass.GENERIC, 'del', key);
    return OK;
  }
  db.set(key, value);
  if (ttl !== 0) db.setExpire(key, ttl);
  // objectSetLRUOrLFU: an LFU policy keeps FREQ, any other policy keeps IDLETIME.
  if (client.server.config.get('maxmemory-policy').includes('lfu')) {
    if (freq >= 0) db.setLfuCounter(key, freq);
  } else if (idle >= 0) {
    db.setIdleMs(key, idle * 1000);
  }
  notify(client.server, db.id, NotifyClass.GENERIC, 'restore', key);
  return OK;
};

export const persistenceCommands: Record<string, Handler> = {
  save,
  bgsave,
  bgrewriteaof,
  dump,
  restore,
  // RESTORE with the ASKING flag: routing lets it into a slot being imported.
  'restore-asking': restore,
};
