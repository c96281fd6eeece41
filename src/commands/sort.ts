/**
 * SORT and SORT_RO (Redis 7.0 sort.c behaviour and error texts).
 */
import type { Database } from '../keyspace/database.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { RedisList } from '../keyspace/types/list.js';
import { RedisSet } from '../keyspace/types/set.js';
import { RedisZSet } from '../keyspace/types/zset.js';
import { ErrorReply, Errors, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { parseInteger } from './args.js';
import type { Handler } from './registry.js';
import { strtodWhole } from './zset.js';

const SCORE_ERROR = new ErrorReply("ERR One or more scores can't be converted into double");

/**
 * lookupKeyByPattern: "#" is the element itself; the first "*" is replaced by the
 * element; "->field" reads a hash field. Null when anything is missing or mistyped.
 */
function lookupByPattern(db: Database, pattern: string, subst: string): string | null {
  if (pattern === '#') return subst;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, keyEnd);
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (hasField) {
    if (!(v instanceof RedisHash)) return null;
    return v.fields.get(pattern.slice(arrow + 2)) ?? null;
  }
  return typeof v === 'string' ? v : null;
}

/** strtod with Redis's checks in SORT: whole string, no NaN, no ERANGE. */
function sortScore(s: string): number | null {
  const v = strtodWhole(s);
  if (v === null || Number.isNaN(v)) return null;
  const lower = s.trim().toLowerCase();
  if (!Number.isFinite(v) && !/inf/.test(lower)) return null; // overflow
  if (v === 0 && /[1-9]/.test(lower.split('e')[0]) && !lower.startsWith('0x')) return null; // underflow
  return v;
}

interface SortItem {
  element: string;
  score: number;
  cmp: string | null;
}

function sortGeneric(client: Client, args: string[], readOnly: boolean): Reply {
  const db = client.db;
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortBy: string | null = null;
  let dontSort = false;
  let storeKey: string | null = null;
  const getPatterns: string[] = [];
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const opt = args[j].toLowerCase();
    if (opt === 'asc') desc = false;
    else if (opt === 'desc') desc = true;
    else if (opt === 'alpha') alpha = true;
    else if (opt === 'limit' && left >= 2) {
      const s = parseInteger(args[j + 1]);
      const c = parseInteger(args[j + 2]);
      if (s === null || c === null) return Errors.notInteger;
      limitStart = s;
      limitCount = c;
      j += 2;
    } else if (!readOnly && opt === 'store' && left >= 1) {
      storeKey = args[++j];
    } else if (opt === 'by' && left >= 1) {
      sortBy = args[++j];
      // A pattern without "*" cannot differ per element: keep the natural order.
      if (!sortBy.includes('*')) dontSort = true;
    } else if (opt === 'get' && left >= 1) {
      getPatterns.push(args[++j]);
    } else return Errors.syntax;
  }
  const value = db.lookupRead(args[1]);
  if (value !== undefined && !(value instanceof RedisList || value instanceof RedisSet || value instanceof RedisZSet)) return Errors.wrongType;
  // Redis converts a sorted set to a skiplist before sorting it (and it stays so).
  if (value instanceof RedisZSet) value.listpack = false;
  // Unordered sets are sorted anyway when the result is stored or seen by a script.
  if (dontSort && value instanceof RedisSet && (storeKey !== null || client.isScript)) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }
  const length = value === undefined ? 0 : value instanceof RedisList ? value.length : value.size;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  let elements: string[];
  if (value === undefined) elements = [];
  else if (value instanceof RedisList) elements = value.toArray();
  else if (value instanceof RedisSet) elements = value.list().slice();
  else if (dontSort) {
    // BY nosort on a zset: the rank range itself, reversed for DESC.
    elements = [];
    if (end >= start) {
      const len = value.size;
      for (let r = start; r <= end; r++) {
        const node = value.zsl.byRank(desc ? len - r : r + 1);
        if (node) elements.push(node.member);
      }
    }
    end -= start;
    start = 0;
  } else {
    elements = [];
    for (let n = value.zsl.first(); n !== null; n = n.next[0]) elements.push(n.member);
  }

  const items: SortItem[] = elements.map((element) => ({ element, score: 0, cmp: null }));
  if (!dontSort) {
    for (const item of items) {
      let byValue: string | null = item.element;
      if (sortBy !== null) {
        byValue = lookupByPattern(db, sortBy, item.element);
        if (byValue === null) continue;
      }
      if (alpha) {
        if (sortBy !== null) item.cmp = byValue;
      } else {
        const score = sortScore(byValue);
        if (score === null) return SCORE_ERROR;
        item.score = score;
      }
    }
    const byPattern = sortBy !== null;
    const sign = desc ? -1 : 1;
    items.sort((a, b) => {
      let cmp: number;
      if (!alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : a.element < b.element ? -1 : a.element > b.element ? 1 : 0;
      } else if (byPattern) {
        if (a.cmp === null || b.cmp === null) cmp = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else cmp = a.cmp < b.cmp ? -1 : a.cmp > b.cmp ? 1 : 0;
      } else cmp = a.element < b.element ? -1 : a.element > b.element ? 1 : 0;
      return sign * cmp;
    });
  }

  const out: (string | null)[] = [];
  for (let j = start; j <= end; j++) {
    const element = items[j].element;
    if (getPatterns.length === 0) out.push(element);
    else for (const p of getPatterns) out.push(lookupByPattern(db, p, element));
  }
  if (storeKey === null) return out;
  if (out.length) {
    const list = new RedisList();
    for (const v of out) list.pushTail(v ?? '');
    db.set(storeKey, list);
    db.signalReady(storeKey);
    notify(client.server, db.id, NotifyClass.LIST, 'sortstore', storeKey);
  } else if (db.delete(storeKey)) notify(client.server, db.id, NotifyClass.GENERIC, 'del', storeKey);
  return out.length;
}

const sort: Handler = (client, args) => sortGeneric(client, args, false);
const sortRo: Handler = (client, args) => sortGeneric(client, args, true);

export const sortCommands: Record<string, Handler> = { sort, sort_ro: sortRo };
