/**
 * List commands, blocking ones included (Redis 7.0 t_list.c behaviour and error texts).
 */
import type { Database } from '../keyspace/database.js';
import { RedisList } from '../keyspace/types/list.js';
import { ErrorReply, Errors, NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import { blockOrTimeout, parseTimeout } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import type { Server } from '../server/server.js';
import { parseInt64, parseInteger } from './args.js';
import type { Handler } from './registry.js';
import { EMPTY_ARRAY, lookupTyped, nonNegativeLong } from './type-helpers.js';
import { arityError } from './replies.js';


function readList(db: Database, key: string): RedisList | undefined | ErrorReply {
  return lookupTyped<RedisList>(db, key, 'list', true);
}

function writeList(db: Database, key: string): RedisList | undefined | ErrorReply {
  return lookupTyped<RedisList>(db, key, 'list', false);
}


/** LEFT/RIGHT (getListPositionFromObjectOrReply): true for the head. */
function parseSide(s: string): boolean | ErrorReply {
  const lower = s.toLowerCase();
  if (lower === 'left') return true;
  if (lower === 'right') return false;
  return Errors.syntax;
}

/**
 * After removing elements (listElementsRemoved): publishes `event`, then deletes the
 * emptied key with its `del` event, or marks it modified.
 */
function removed(server: Server, db: Database, key: string, list: RedisList, event: string): void {
  notify(server, db.id, NotifyClass.LIST, event, key);
  if (list.isEmpty()) {
    db.delete(key);
    notify(server, db.id, NotifyClass.GENERIC, 'del', key);
  } else db.modified(key);
}

function popEvent(head: boolean): string {
  return head ? 'lpop' : 'rpop';
}

function pushGeneric(client: Client, args: string[], head: boolean, onlyIfExists: boolean): Reply {
  const db = client.db;
  const found = writeList(db, args[1]);
  if (found instanceof ErrorReply) return found;
  if (!found && onlyIfExists) return 0;
  const list = found ?? new RedisList();
  for (let i = 2; i < args.length; i++) {
    if (head) list.pushHead(args[i]);
    else list.pushTail(args[i]);
  }
  if (found) db.modified(args[1]);
  else db.set(args[1], list);
  db.signalReady(args[1]);
  notify(client.server, db.id, NotifyClass.LIST, head ? 'lpush' : 'rpush', args[1]);
  return list.length;
}

const lpush: Handler = (client, args) => pushGeneric(client, args, true, false);
const rpush: Handler = (client, args) => pushGeneric(client, args, false, false);
const lpushx: Handler = (client, args) => pushGeneric(client, args, true, true);
const rpushx: Handler = (client, args) => pushGeneric(client, args, false, true);

/** Pops up to `count` elements from one end (in pop order). */
function popRange(list: RedisList, head: boolean, count: number): string[] {
  const n = Math.min(count, list.length);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = (head ? list.popHead() : list.popTail())!;
  return out;
}

function popGeneric(client: Client, args: string[], head: boolean): Reply {
  if (args.length > 3) return arityError(head ? 'lpop' : 'rpop');
  const hasCount = args.length === 3;
  let count = 0;
  if (hasCount) {
    const c = nonNegativeLong(args[2]);
    if (c instanceof ErrorReply) return c;
    count = c;
  }
  const db = client.db;
  const list = writeList(db, args[1]);
  if (list === undefined) return hasCount ? NULL_ARRAY : null;
  if (list instanceof ErrorReply) return list;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  if (!hasCount) {
    const v = head ? list.popHead()! : list.popTail()!;
    removed(client.server, db, args[1], list, popEvent(head));
    return v;
  }
  const out = popRange(list, head, count);
  removed(client.server, db, args[1], list, popEvent(head));
  return out;
}

const lpop: Handler = (client, args) => popGeneric(client, args, true);
const rpop: Handler = (client, args) => popGeneric(client, args, false);

const llen: Handler = (client, args) => {
  const list = readList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? 0;
  return list.length;
};

const lindex: Handler = (client, args) => {
  const list = readList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? null;
  let index = parseInteger(args[2]);
  if (index === null) return Errors.notInteger;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return null;
  return list.get(index);
};

const lset: Handler = (client, args) => {
  const list = writeList(client.db, args[1]);
  if (list === undefined) return Errors.noSuchKey;
  if (list instanceof ErrorReply) return list;
  let index = parseInteger(args[2]);
  if (index === null) return Errors.notInteger;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return Errors.outOfRange;
  list.setAt(index, args[3]);
  client.db.modified(args[1]);
  notify(client.server, client.db.id, NotifyClass.LIST, 'lset', args[1]);
  return OK;
};

const linsert: Handler = (client, args) => {
  const where = args[2].toLowerCase();
  if (where !== 'before' && where !== 'after') return Errors.syntax;
  const list = writeList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? 0;
  const pivot = args[3];
  for (let i = 0; i < list.length; i++) {
    if (list.get(i) !== pivot) continue;
    list.insertAt(where === 'after' ? i + 1 : i, args[4]);
    client.db.modified(args[1]);
    notify(client.server, client.db.id, NotifyClass.LIST, 'linsert', args[1]);
    return list.length;
  }
  return -1;
};

/** Clamps [start, end] as addListRangeReply does; null when the range is empty. */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

const lrange: Handler = (client, args) => {
  const start = parseInteger(args[2]);
  const end = parseInteger(args[3]);
  if (start === null || end === null) return Errors.notInteger;
  const list = readList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? EMPTY_ARRAY;
  const r = clampRange(start, end, list.length);
  return r ? list.range(r[0], r[1]) : EMPTY_ARRAY;
};

const ltrim: Handler = (client, args) => {
  const start = parseInteger(args[2]);
  const end = parseInteger(args[3]);
  if (start === null || end === null) return Errors.notInteger;
  const list = writeList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? OK;
  const r = clampRange(start, end, list.length);
  if (r === null) list.replaceAll([]);
  else if (r[0] !== 0 || r[1] !== list.length - 1) list.replaceAll(list.range(r[0], r[1]));
  removed(client.server, client.db, args[1], list, 'ltrim');
  return OK;
};

const lrem: Handler = (client, args) => {
  const count = parseInteger(args[2]);
  if (count === null) return Errors.notInteger;
  const list = writeList(client.db, args[1]);
  if (list === undefined || list instanceof ErrorReply) return list ?? 0;
  const items = list.toArray();
  const target = args[3];
  let removedCount = 0;
  const limit = count === 0 ? Infinity : Math.abs(count);
  if (count >= 0) {
    const kept: string[] = [];
    for (const v of items) {
      if (v === target && removedCount < limit) removedCount++;
      else kept.push(v);
    }
    if (removedCount) list.replaceAll(kept);
  } else {
    const kept: string[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      if (items[i] === target && removedCount < limit) removedCount++;
      else kept.push(items[i]);
    }
    if (removedCount) list.replaceAll(kept.reverse());
  }
  if (removedCount) removed(client.server, client.db, args[1], list, 'lrem');
  return removedCount;
};

const lpos: Handler = (client, args) => {
  const element = args[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = args[j].toLowerCase();
    const more = args.length - 1 - j;
    if (opt === 'rank' && more) {
      const r = parseInteger(args[++j]);
      if (r === null) return Errors.notInteger;
      if (r === 0) {
        return new ErrorReply(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
      rank = r;
    } else if (opt === 'count' && more) {
      const c = nonNegativeLong(args[++j], new ErrorReply("ERR COUNT can't be negative"));
      if (c instanceof ErrorReply) return c;
      count = c;
    } else if (opt === 'maxlen' && more) {
      const m = nonNegativeLong(args[++j], new ErrorReply("ERR MAXLEN can't be negative"));
      if (m instanceof ErrorReply) return m;
      maxlen = m;
    } else return Errors.syntax;
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = readList(client.db, args[1]);
  if (list === undefined) return count !== -1 ? EMPTY_ARRAY : null;
  if (list instanceof ErrorReply) return list;
  const len = list.length;
  const out: number[] = [];
  let matches = 0;
  for (let index = 0; index < len && (maxlen === 0 || index < maxlen); index++) {
    const pos = fromTail ? len - 1 - index : index;
    if (list.get(pos) !== element) continue;
    matches++;
    if (matches < rank) continue;
    if (count === -1) return pos;
    out.push(pos);
    if (count && matches - rank + 1 >= count) break;
  }
  return count === -1 ? null : out;
}

/** lmoveHandlePush: pushes onto dst (created when absent) and signals it. */
function pushMoved(server: Server, db: Database, dstKey: string, dst: RedisList | undefined, value: string, head: boolean): void {
  const list = dst ?? new RedisList();
  if (head) list.pushHead(value);
  else list.pushTail(value);
  if (dst) db.modified(dstKey);
  else db.set(dstKey, list);
  db.signalReady(dstKey);
  notify(server, db.id, NotifyClass.LIST, head ? 'lpush' : 'rpush', dstKey);
}

/** Pops from src and pushes to dst; the moved value, null when src is empty, or an error. */
function moveElement(server: Server, db: Database, src: string, dst: string, fromHead: boolean, toHead: boolean): Reply {
  const srcList = writeList(db, src);
  if (srcList === undefined || srcList instanceof ErrorReply) return srcList ?? null;
  const dstList = writeList(db, dst);
  if (dstList instanceof ErrorReply) return dstList;
  const value = fromHead ? srcList.popHead()! : srcList.popTail()!;
  // src == dst: the popped list is the one pushed to (rotation).
  // Events as lmoveGenericCommand: the push on dst, then the pop (and del) on src.
  pushMoved(server, db, dst, dstList, value, toHead);
  removed(server, db, src, srcList, popEvent(fromHead));
  return value;
}

const lmove: Handler = (client, args) => {
  const from = parseSide(args[3]);
  if (from instanceof ErrorReply) return from;
  const to = parseSide(args[4]);
  if (to instanceof ErrorReply) return to;
  return moveElement(client.server, client.db, args[1], args[2], from, to);
};

const rpoplpush: Handler = (client, args) => moveElement(client.server, client.db, args[1], args[2], false, true);

/** Parses LMPOP/BLMPOP from numkeys on: keys, side and count. */
function parseMpop(args: string[], numkeysIndex: number): { keys: string[]; head: boolean; count: number } | ErrorReply {
  const numkeys = parseInt64(args[numkeysIndex]);
  if (numkeys === null || numkeys < 1) return new ErrorReply('ERR numkeys should be greater than 0');
  const whereIndex = numkeysIndex + Number(numkeys) + 1;
  if (whereIndex >= args.length) return Errors.syntax;
  const head = parseSide(args[whereIndex]);
  if (head instanceof ErrorReply) return head;
  let count = -1;
  for (let j = whereIndex + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && args[j].toLowerCase() === 'count' && more) {
      const c = parseInt64(args[++j]);
      if (c === null || c < 1) return new ErrorReply('ERR count should be greater than 0');
      count = typeof c === 'bigint' ? Number.MAX_SAFE_INTEGER : c;
    } else return Errors.syntax;
  }
  return { keys: args.slice(numkeysIndex + 1, whereIndex), head, count: count === -1 ? 1 : count };
}

/** The first non-empty list among `keys`: [key, popped...] reply, undefined, or an error. */
function mpopFirst(server: Server, db: Database, keys: string[], head: boolean, count: number): Reply | undefined {
  for (const key of keys) {
    const list = writeList(db, key);
    if (list === undefined) continue;
    if (list instanceof ErrorReply) return list;
    const out = popRange(list, head, count);
    removed(server, db, key, list, popEvent(head));
    return [key, out];
  }
  return undefined;
}

const lmpop: Handler = (client, args) => {
  const p = parseMpop(args, 1);
  if (p instanceof ErrorReply) return p;
  return mpopFirst(client.server, client.db, p.keys, p.head, p.count) ?? NULL_ARRAY;
};

// ---- blocking variants ----

/** Serves a single-element pop of `key` for BLPOP/BRPOP, or undefined when it cannot. */
function popOne(server: Server, db: Database, key: string, head: boolean): Reply | undefined {
  const v = db.get(key);
  if (v === undefined || typeof v === 'string' || v.type !== 'list') return undefined;
  const list = v as RedisList;
  const value = head ? list.popHead()! : list.popTail()!;
  removed(server, db, key, list, popEvent(head));
  return [key, value];
}

function blockingPop(client: Client, args: string[], head: boolean): Reply {
  const deadline = parseTimeout(client.server, args[args.length - 1]);
  if (deadline instanceof ErrorReply) return deadline;
  const keys = args.slice(1, -1);
  const db = client.db;
  for (const key of keys) {
    const list = writeList(db, key);
    if (list === undefined) continue;
    if (list instanceof ErrorReply) return list;
    return popOne(client.server, db, key, head)!;
  }
  return blockOrTimeout(client, keys, deadline, NULL_ARRAY, (key) => popOne(client.server, db, key, head));
}

const blpop: Handler = (client, args) => blockingPop(client, args, true);
const brpop: Handler = (client, args) => blockingPop(client, args, false);

function blockingMove(client: Client, src: string, dst: string, fromHead: boolean, toHead: boolean, timeoutArg: string): Reply {
  const deadline = parseTimeout(client.server, timeoutArg);
  if (deadline instanceof ErrorReply) return deadline;
  const db = client.db;
  const srcList = writeList(db, src);
  if (srcList instanceof ErrorReply) return srcList;
  if (srcList !== undefined) return moveElement(client.server, db, src, dst, fromHead, toHead);
  return blockOrTimeout(
    client,
    [src],
    deadline,
    NULL_ARRAY,
    () => {
      const v = db.get(src);
      if (v === undefined || typeof v === 'string' || v.type !== 'list') return undefined;
      return moveElement(client.server, db, src, dst, fromHead, toHead);
    },
    null,
  );
}

const blmove: Handler = (client, args) => {
  const from = parseSide(args[3]);
  if (from instanceof ErrorReply) return from;
  const to = parseSide(args[4]);
  if (to instanceof ErrorReply) return to;
  return blockingMove(client, args[1], args[2], from, to, args[5]);
};

const brpoplpush: Handler = (client, args) => blockingMove(client, args[1], args[2], false, true, args[3]);

const blmpop: Handler = (client, args) => {
  const p = parseMpop(args, 2);
  if (p instanceof ErrorReply) return p;
  const deadline = parseTimeout(client.server, args[1]);
  if (deadline instanceof ErrorReply) return deadline;
  const db = client.db;
  const now = mpopFirst(client.server, db, p.keys, p.head, p.count);
  if (now !== undefined) return now;
  return blockOrTimeout(client, p.keys, deadline, NULL_ARRAY, (key) => {
    const v = db.get(key);
    if (v === undefined || typeof v === 'string' || v.type !== 'list') return undefined;
    return mpopFirst(client.server, db, [key], p.head, p.count);
  });
};

export const listCommands: Record<string, Handler> = {
  lpush,
  rpush,
  lpushx,
  rpushx,
  lpop,
  rpop,
  llen,
  lindex,
  lset,
  linsert,
  lrange,
  ltrim,
  lrem,
  lpos,
  lmove,
  rpoplpush,
  lmpop,
  blpop,
  brpop,
  blmove,
  brpoplpush,
  blmpop,
};
