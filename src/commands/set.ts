/**
 * Set commands (Redis 7.0 t_set.c behaviour and error texts).
 */
import type { Database } from '../keyspace/database.js';
import { RedisSet } from '../keyspace/types/set.js';
import { ErrorReply, Errors, SetReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { EMPTY_ARRAY, lookupTyped, nonNegativeLong, parseRandomCount, parseScanArgs, randomIndex, sampleIndexes, scanReply } from './type-helpers.js';

const EMPTY_SET = new SetReply([]);

function readSet(db: Database, key: string): RedisSet | undefined | ErrorReply {
  return lookupTyped<RedisSet>(db, key, 'set', true);
}

function writeSet(db: Database, key: string): RedisSet | undefined | ErrorReply {
  return lookupTyped<RedisSet>(db, key, 'set', false);
}


/** After removing members: publishes `event`, then deletes the emptied key with its `del` event. */
function removedMembers(client: Client, key: string, set: RedisSet, event: string): void {
  const db = client.db;
  notify(client.server, db.id, NotifyClass.SET, event, key);
  if (set.isEmpty()) {
    db.delete(key);
    notify(client.server, db.id, NotifyClass.GENERIC, 'del', key);
  } else db.modified(key);
}

const sadd: Handler = (client, args) => {
  const found = writeSet(client.db, args[1]);
  if (found instanceof ErrorReply) return found;
  const set = found ?? new RedisSet();
  const limits = client.server.encodingLimits;
  let added = 0;
  for (let i = 2; i < args.length; i++) if (set.add(limits, args[i])) added++;
  if (!found) client.db.set(args[1], set);
  else if (added) client.db.modified(args[1]);
  if (added) notify(client.server, client.db.id, NotifyClass.SET, 'sadd', args[1]);
  return added;
};

const srem: Handler = (client, args) => {
  const set = writeSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? 0;
  let removed = 0;
  for (let i = 2; i < args.length; i++) {
    if (set.delete(args[i])) {
      removed++;
      if (set.isEmpty()) break;
    }
  }
  if (removed) removedMembers(client, args[1], set, 'srem');
  return removed;
};

const scard: Handler = (client, args) => {
  const set = readSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? 0;
  return set.size;
};

const sismember: Handler = (client, args) => {
  const set = readSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? 0;
  return set.has(args[2]) ? 1 : 0;
};

const smismember: Handler = (client, args) => {
  const set = readSet(client.db, args[1]);
  if (set instanceof ErrorReply) return set;
  const out: Reply[] = [];
  for (let i = 2; i < args.length; i++) out.push(set?.has(args[i]) ? 1 : 0);
  return out;
};

const smembers: Handler = (client, args) => {
  const set = readSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? EMPTY_SET;
  return new SetReply(set.list().slice());
};

const smove: Handler = (client, args) => {
  const db = client.db;
  const src = writeSet(db, args[1]);
  const dst = writeSet(db, args[2]);
  if (src === undefined) return 0;
  if (src instanceof ErrorReply) return src;
  if (dst instanceof ErrorReply) return dst;
  const member = args[3];
  if (src === dst) return src.has(member) ? 1 : 0;
  if (!src.delete(member)) return 0;
  removedMembers(client, args[1], src, 'srem');
  if (dst) {
    if (!dst.add(client.server.encodingLimits, member)) return 1;
    db.modified(args[2]);
  } else {
    const created = new RedisSet();
    created.add(client.server.encodingLimits, member);
    db.set(args[2], created);
  }
  notify(client.server, db.id, NotifyClass.SET, 'sadd', args[2]);
  return 1;
};

const spop: Handler = (client, args) => {
  if (args.length > 3) return Errors.syntax;
  const db = client.db;
  if (args.length === 3) {
    const count = nonNegativeLong(args[2]);
    if (count instanceof ErrorReply) return count;
    const set = writeSet(db, args[1]);
    if (set === undefined || set instanceof ErrorReply) return set ?? EMPTY_SET;
    if (count === 0) return EMPTY_SET;
    notify(client.server, db.id, NotifyClass.SET, 'spop', args[1]);
    if (count >= set.size) {
      const all = set.list().slice();
      db.delete(args[1]);
      notify(client.server, db.id, NotifyClass.GENERIC, 'del', args[1]);
      return new SetReply(all);
    }
    const members = set.list();
    const picked = sampleIndexes(members.length, count).map((i) => members[i]);
    for (const m of picked) set.delete(m);
    db.modified(args[1]);
    return new SetReply(picked);
  }
  const set = writeSet(db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? null;
  const member = set.random();
  set.delete(member);
  removedMembers(client, args[1], set, 'spop');
  return member;
};

const srandmember: Handler = (client, args) => {
  if (args.length > 3) return Errors.syntax;
  if (args.length === 3) {
    const l = parseRandomCount(args[2]);
    if (l instanceof ErrorReply) return l;
    const set = readSet(client.db, args[1]);
    if (set === undefined || set instanceof ErrorReply) return set ?? EMPTY_ARRAY;
    if (l === 0) return EMPTY_ARRAY;
    const members = set.list();
    if (l < 0) {
      const out: string[] = [];
      for (let n = -l; n > 0; n--) out.push(members[randomIndex(members.length)]);
      return out;
    }
    if (l >= members.length) return members.slice();
    return sampleIndexes(members.length, l).map((i) => members[i]);
  }
  const set = readSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? null;
  return set.random();
};

/** Looks up every key as a set (missing = null). */
function lookupSets(db: Database, keys: string[]): (RedisSet | null)[] | ErrorReply {
  const sets: (RedisSet | null)[] = [];
  for (const k of keys) {
    const s = readSet(db, k);
    if (s instanceof ErrorReply) return s;
    sets.push(s ?? null);
  }
  return sets;
}

/** Stores `result` at `dstkey` (deleting it when empty); the reply is its size. */
function storeSet(client: Client, dstkey: string, members: Iterable<string>, event: string): number {
  const set = new RedisSet();
  const limits = client.server.encodingLimits;
  for (const m of members) set.add(limits, m);
  return storeResult(client, dstkey, set, event);
}

/** Stores a non-empty result with its `event`, or deletes dstkey (`del` if it existed). */
function storeResult(client: Client, dstkey: string, set: RedisSet, event: string): number {
  const db = client.db;
  if (set.size > 0) {
    db.set(dstkey, set);
    notify(client.server, db.id, NotifyClass.SET, event, dstkey);
    return set.size;
  }
  deleteDestination(client, dstkey);
  return 0;
}

function deleteDestination(client: Client, dstkey: string): void {
  if (client.db.delete(dstkey)) notify(client.server, client.db.id, NotifyClass.GENERIC, 'del', dstkey);
}

/** sinterGenericCommand: null dstkey replies the members; limit < 0 means "replies the cardinality". */
function interGeneric(client: Client, keys: string[], dstkey: string | null, cardinalityOnly: boolean, limit: number): Reply {
  const found = lookupSets(client.db, keys);
  if (found instanceof ErrorReply) return found;
  if (found.includes(null)) {
    if (dstkey !== null) {
      deleteDestination(client, dstkey);
      return 0;
    }
    return cardinalityOnly ? 0 : EMPTY_SET;
  }
  const sets = (found as RedisSet[]).slice().sort((a, b) => a.size - b.size);
  const out: string[] = [];
  let cardinality = 0;
  for (const m of sets[0].list()) {
    let inAll = true;
    for (let j = 1; j < sets.length; j++) {
      if (sets[j] !== sets[0] && !sets[j].has(m)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    cardinality++;
    if (cardinalityOnly) {
      if (limit && cardinality >= limit) break;
    } else out.push(m);
  }
  if (cardinalityOnly) return cardinality;
  if (dstkey !== null) return storeSet(client, dstkey, out, 'sinterstore');
  return new SetReply(out);
}

const sinter: Handler = (client, args) => interGeneric(client, args.slice(1), null, false, 0);
const sinterstore: Handler = (client, args) => interGeneric(client, args.slice(2), args[1], false, 0);

const sintercard: Handler = (client, args) => {
  const numkeys = parseInt64(args[1]);
  if (numkeys === null || numkeys < 1) return new ErrorReply('ERR numkeys should be greater than 0');
  if (numkeys > args.length - 2) return new ErrorReply("ERR Number of keys can't be greater than number of args");
  const n = Number(numkeys);
  let limit = 0;
  for (let j = 2 + n; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (args[j].toLowerCase() === 'limit' && more) {
      j++;
      const l = nonNegativeLong(args[j], new ErrorReply("ERR LIMIT can't be negative"));
      if (l instanceof ErrorReply) return l;
      limit = l;
    } else return Errors.syntax;
  }
  return interGeneric(client, args.slice(2, 2 + n), null, true, limit);
};

/** sunionDiffGenericCommand. */
function unionDiffGeneric(client: Client, keys: string[], dstkey: string | null, diff: boolean): Reply {
  const sets = lookupSets(client.db, keys);
  if (sets instanceof ErrorReply) return sets;
  // Built as Redis builds its result set, so the reply follows that set's encoding order.
  const result = new RedisSet();
  const limits = client.server.encodingLimits;
  if (!diff) {
    for (const s of sets) if (s) for (const m of s.list()) result.add(limits, m);
  } else if (sets[0]) {
    for (const m of sets[0].list()) {
      let keep = true;
      for (let j = 1; j < sets.length; j++) {
        const s = sets[j];
        if (s === sets[0]) {
          keep = false;
          break;
        }
        if (s && s.has(m)) {
          keep = false;
          break;
        }
      }
      if (keep) result.add(limits, m);
    }
  }
  if (dstkey === null) return new SetReply(result.list().slice());
  return storeResult(client, dstkey, result, diff ? 'sdiffstore' : 'sunionstore');
}

const sunion: Handler = (client, args) => unionDiffGeneric(client, args.slice(1), null, false);
const sunionstore: Handler = (client, args) => unionDiffGeneric(client, args.slice(2), args[1], false);
const sdiff: Handler = (client, args) => unionDiffGeneric(client, args.slice(1), null, true);
const sdiffstore: Handler = (client, args) => unionDiffGeneric(client, args.slice(2), args[1], true);

const sscan: Handler = (client, args) => {
  const opts = parseScanArgs(args);
  if (opts instanceof ErrorReply) return opts;
  const set = readSet(client.db, args[1]);
  if (set === undefined || set instanceof ErrorReply) return set ?? ['0', EMPTY_ARRAY];
  if (set.intset) return scanReply(0, set.list().slice(), opts.pattern, false);
  const step = set.scanState.scan(() => set.members, opts.cursor, opts.count);
  return scanReply(step.next, step.keys, opts.pattern, false);
};

export const setCommands: Record<string, Handler> = {
  sadd,
  srem,
  scard,
  sismember,
  smismember,
  smembers,
  smove,
  spop,
  srandmember,
  sinter,
  sintercard,
  sinterstore,
  sunion,
  sunionstore,
  sdiff,
  sdiffstore,
  sscan,
};
