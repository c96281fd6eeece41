/**
 * Sorted set commands, blocking pops included (Redis 7.0 t_zset.c behaviour and error
 * texts). Scores are replied with addReplyDouble's "%.17g" (DoubleReply).
 */
import type { Database } from '../keyspace/database.js';
import { RedisSet } from '../keyspace/types/set.js';
import {
  RedisZSet,
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexBound,
  type LexRange,
  type ScoreRange,
  type ZNode,
} from '../keyspace/types/zset.js';
import { DoubleReply, ErrorReply, Errors, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import { formatDouble } from '../protocol/double.js';
import { arityError } from './replies.js';
import { blockOrTimeout, parseTimeout } from '../server/blocking.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import type { Server } from '../server/server.js';
import { is, parseDouble, parseInt64, parseInteger } from './args.js';
import type { Handler } from './registry.js';
import {
  COUNT_OUT_OF_RANGE,
  EMPTY_ARRAY,
  HALF_LONG_MAX,
  lookupTyped,
  parseRandomCount,
  parseScanArgs,
  randomIndex,
  sampleIndexes,
  scanReply,
  MUST_BE_POSITIVE,
} from './type-helpers.js';

const NAN_ERROR = new ErrorReply('ERR resulting score is not a number (NaN)');
const SCORE_RANGE_ERROR = new ErrorReply('ERR min or max is not a float');
const LEX_RANGE_ERROR = new ErrorReply('ERR min or max not valid string range item');

function readZset(db: Database, key: string): RedisZSet | undefined | ErrorReply {
  return lookupTyped<RedisZSet>(db, key, 'zset', true);
}

function writeZset(db: Database, key: string): RedisZSet | undefined | ErrorReply {
  return lookupTyped<RedisZSet>(db, key, 'zset', false);
}

/** Deletes a store command's destination for an empty result (`del` if it existed). */
function deleteDestination(client: Client, dst: string): void {
  if (client.db.delete(dst)) notify(client.server, client.db.id, NotifyClass.GENERIC, 'del', dst);
}

function removedFrom(server: Server, db: Database, key: string, z: RedisZSet, event: string): void {
  notify(server, db.id, NotifyClass.ZSET, event, key);
  if (z.isEmpty()) {
    db.delete(key);
    notify(server, db.id, NotifyClass.GENERIC, 'del', key);
  } else db.modified(key);
}

/** Appends member (+ score) in the shape Redis uses: nested pairs in RESP3 when `nested`. */
function pushScored(out: Reply[], member: string, score: number, withScores: boolean, nested: boolean): void {
  if (!withScores) out.push(member);
  else if (nested) out.push([member, new DoubleReply(score)]);
  else out.push(member, new DoubleReply(score));
}

// ---- range parsing ----

/** strtod over the whole string, as zslParseRange uses it (leading spaces allowed, "" is 0). */
export function strtodWhole(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (t === '' && s === '') return 0;
  const lower = t.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower[0] === '-' ? -Infinity : Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) return Number(t);
  if (/^[+-]?0x[0-9a-f]+$/.test(lower)) {
    const v = parseInt(lower.replace(/^[+-]/, '').slice(2), 16);
    return lower[0] === '-' ? -v : v;
  }
  return null;
}

function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; /* ( */
  const v = strtodWhole(ex ? s.slice(1) : s);
  if (v === null || Number.isNaN(v)) return null;
  return { v, ex };
}

export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseScoreBound(min);
  const b = parseScoreBound(max);
  if (!a || !b) return null;
  return { min: a.v, minEx: a.ex, max: b.v, maxEx: b.ex };
}

function parseLexBound(s: string): LexBound | null {
  if (s === '+') return { value: '', ex: false, inf: 1 };
  if (s === '-') return { value: '', ex: false, inf: -1 };
  const c = s[0];
  if (c === '(') return { value: s.slice(1), ex: true, inf: 0 };
  if (c === '[') return { value: s.slice(1), ex: false, inf: 0 };
  return null;
}

export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexBound(min);
  const b = parseLexBound(max);
  if (!a || !b) return null;
  return { min: a, max: b };
}

// ---- range iteration ----

/** Nodes of rank range [start, end] (clamped like Redis); reverse counts from the top. */
function rankNodes(z: RedisZSet, start: number, end: number, reverse: boolean): ZNode[] {
  const len = z.size;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [];
  if (end >= len) end = len - 1;
  const out: ZNode[] = [];
  let n = z.zsl.byRank(reverse ? len - start : start + 1);
  for (let i = start; i <= end && n !== null; i++) {
    out.push(n);
    n = reverse ? n.prev : n.next[0];
  }
  return out;
}

/** Nodes in a score range, with LIMIT offset/count as genericZrangebyscoreCommand applies them. */
function scoreNodes(z: RedisZSet, r: ScoreRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  if (offset > 0 && offset >= z.size) return [];
  if (offset < 0) return [];
  let n = reverse ? z.zsl.lastInRange(r) : z.zsl.firstInRange(r);
  while (n !== null && offset-- > 0) n = reverse ? n.prev : n.next[0];
  const out: ZNode[] = [];
  while (n !== null && limit-- !== 0) {
    if (reverse ? !scoreGteMin(n.score, r) : !scoreLteMax(n.score, r)) break;
    out.push(n);
    n = reverse ? n.prev : n.next[0];
  }
  return out;
}

function lexNodes(z: RedisZSet, r: LexRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  if (offset > 0 && offset >= z.size) return [];
  if (offset < 0) return [];
  let n = reverse ? z.zsl.lastInLex(r) : z.zsl.firstInLex(r);
  while (n !== null && offset-- > 0) n = reverse ? n.prev : n.next[0];
  const out: ZNode[] = [];
  while (n !== null && limit-- !== 0) {
    if (reverse ? !lexGteMin(n.member, r.min) : !lexLteMax(n.member, r.max)) break;
    out.push(n);
    n = reverse ? n.prev : n.next[0];
  }
  return out;
}

// ---- ZADD / ZINCRBY ----

const enum ZaddFlag {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
  CH = 16,
  INCR = 32,
}

function zaddGeneric(client: Client, args: string[], baseFlags: number): Reply {
  const key = args[1];
  let flags = baseFlags;
  let scoreIdx = 2;
  for (; scoreIdx < args.length; scoreIdx++) {
    const opt = args[scoreIdx].toLowerCase();
    if (opt === 'nx') flags |= ZaddFlag.NX;
    else if (opt === 'xx') flags |= ZaddFlag.XX;
    else if (opt === 'ch') flags |= ZaddFlag.CH;
    else if (opt === 'incr') flags |= ZaddFlag.INCR;
    else if (opt === 'gt') flags |= ZaddFlag.GT;
    else if (opt === 'lt') flags |= ZaddFlag.LT;
    else break;
  }
  const incr = (flags & ZaddFlag.INCR) !== 0;
  const nx = (flags & ZaddFlag.NX) !== 0;
  const xx = (flags & ZaddFlag.XX) !== 0;
  const gt = (flags & ZaddFlag.GT) !== 0;
  const lt = (flags & ZaddFlag.LT) !== 0;
  const elementArgs = args.length - scoreIdx;
  if (elementArgs % 2 || !elementArgs) return Errors.syntax;
  const elements = elementArgs / 2;
  if (nx && xx) return new ErrorReply('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return new ErrorReply('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (incr && elements > 1) return new ErrorReply('ERR INCR option supports a single increment-element pair');
  const scores: number[] = new Array(elements);
  for (let j = 0; j < elements; j++) {
    const s = parseDouble(args[scoreIdx + j * 2]);
    if (s === null) return Errors.notFloat;
    scores[j] = s;
  }
  const db = client.db;
  let z = writeZset(db, key);
  if (z instanceof ErrorReply) return z;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  if (z === undefined) {
    if (xx) return incr ? null : 0;
    z = new RedisZSet();
    db.set(key, z);
  }
  const limits = client.server.encodingLimits;
  for (let j = 0; j < elements; j++) {
    let score = scores[j];
    const member = args[scoreIdx + 1 + j * 2];
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          if (z.isEmpty()) db.delete(key);
          return NAN_ERROR;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      lastScore = score;
      if (score !== cur) {
        z.set(limits, member, score);
        updated++;
      }
    } else if (!xx) {
      z.set(limits, member, score);
      added++;
      processed++;
      lastScore = score;
    }
  }
  if (z.isEmpty()) db.delete(key);
  else if (added || updated) db.modified(key);
  if (added) db.signalReady(key);
  if (added || updated) notify(client.server, db.id, NotifyClass.ZSET, incr ? 'zincr' : 'zadd', key);
  if (incr) return processed ? new DoubleReply(lastScore) : null;
  return flags & ZaddFlag.CH ? added + updated : added;
}

const zadd: Handler = (client, args) => zaddGeneric(client, args, 0);
const zincrby: Handler = (client, args) => zaddGeneric(client, args, ZaddFlag.INCR);

const zrem: Handler = (client, args) => {
  const z = writeZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? 0;
  let deleted = 0;
  for (let i = 2; i < args.length; i++) {
    if (z.delete(args[i])) deleted++;
    if (z.isEmpty()) break;
  }
  if (deleted) removedFrom(client.server, client.db, args[1], z, 'zrem');
  return deleted;
};

const zcard: Handler = (client, args) => {
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? 0;
  return z.size;
};

const zscore: Handler = (client, args) => {
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? null;
  const s = z.score(args[2]);
  return s === undefined ? null : new DoubleReply(s);
};

const zmscore: Handler = (client, args) => {
  const z = readZset(client.db, args[1]);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let i = 2; i < args.length; i++) {
    const s = z?.score(args[i]);
    out.push(s === undefined ? null : new DoubleReply(s));
  }
  return out;
};

/** zrankGenericCommand (7.2+): WITHSCORE replies [rank, score], or a null array when absent. */
function zrankGeneric(client: Client, args: string[], reverse: boolean): Reply {
  if (args.length > 4) return arityError(reverse ? 'zrevrank' : 'zrank');
  const withScore = args.length === 4;
  if (withScore && !is(args[3], 'withscore')) return Errors.syntax;
  const missing = withScore ? NULL_ARRAY : null;
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? missing;
  const r = z.rank(args[2]);
  if (r === undefined) return missing;
  const rank = reverse ? z.size - 1 - r : r;
  return withScore ? [rank, new DoubleReply(z.score(args[2])!)] : rank;
}

const zrank: Handler = (client, args) => zrankGeneric(client, args, false);
const zrevrank: Handler = (client, args) => zrankGeneric(client, args, true);

const zcount: Handler = (client, args) => {
  const r = parseScoreRange(args[2], args[3]);
  if (!r) return SCORE_RANGE_ERROR;
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? 0;
  const first = z.zsl.firstInRange(r);
  if (!first) return 0;
  const last = z.zsl.lastInRange(r)!;
  return z.zsl.rank(last.score, last.member) - z.zsl.rank(first.score, first.member) + 1;
};

const zlexcount: Handler = (client, args) => {
  const r = parseLexRange(args[2], args[3]);
  if (!r) return LEX_RANGE_ERROR;
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? 0;
  const first = z.zsl.firstInLex(r);
  if (!first) return 0;
  const last = z.zsl.lastInLex(r)!;
  return z.zsl.rank(last.score, last.member) - z.zsl.rank(first.score, first.member) + 1;
};

// ---- ZRANGE family ----

type RangeType = 'auto' | 'rank' | 'score' | 'lex';

/**
 * zrangeGenericCommand: `argStart` indexes the source key; `dst` is ZRANGESTORE's
 * destination. `type`/`reverse` are fixed by the legacy commands.
 */
function zrangeGeneric(client: Client, args: string[], argStart: number, dst: string | null, type: RangeType, reverse: boolean | null): Reply {
  const key = args[argStart];
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let direction = reverse;
  for (let j = argStart + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const opt = args[j].toLowerCase();
    if (dst === null && opt === 'withscores') withScores = true;
    else if (opt === 'limit' && left >= 2) {
      const o = parseInteger(args[j + 1]);
      if (o === null) return Errors.notInteger;
      const l = parseInteger(args[j + 2]);
      if (l === null) return Errors.notInteger;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && direction !== true && opt === 'rev') direction = true;
    else if (type === 'auto' && opt === 'bylex') type = 'lex';
    else if (type === 'auto' && opt === 'byscore') type = 'score';
    else return Errors.syntax;
  }
  const rev = direction === true;
  if (type === 'auto') type = 'rank';
  if (limit !== -1 && type === 'rank') {
    return new ErrorReply('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && type === 'lex') return new ErrorReply('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  if (rev && type !== 'rank') {
    minIdx = argStart + 2;
    maxIdx = argStart + 1;
  }
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === 'rank') {
    const s = parseInteger(args[minIdx]);
    if (s === null) return Errors.notInteger;
    const e = parseInteger(args[maxIdx]);
    if (e === null) return Errors.notInteger;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(args[minIdx], args[maxIdx]);
    if (!scoreRange) return SCORE_RANGE_ERROR;
  } else {
    lexRange = parseLexRange(args[minIdx], args[maxIdx]);
    if (!lexRange) return LEX_RANGE_ERROR;
  }
  const db = client.db;
  const z = readZset(db, key);
  if (z instanceof ErrorReply) return z;
  let nodes: ZNode[] = [];
  if (z !== undefined) {
    if (type === 'rank') nodes = rankNodes(z, start, end, rev);
    else if (type === 'score') nodes = scoreNodes(z, scoreRange!, rev, offset, limit);
    else nodes = lexNodes(z, lexRange!, rev, offset, limit);
  } else if (dst === null) return EMPTY_ARRAY;
  if (dst !== null) {
    if (nodes.length === 0) {
      deleteDestination(client, dst);
      return 0;
    }
    const out = new RedisZSet();
    const limits = client.server.encodingLimits;
    if (type === 'rank' && nodes.length > limits.zsetMaxListpackEntries) out.listpack = false;
    for (const n of nodes) out.set(limits, n.member, n.score);
    db.set(dst, out);
    notify(client.server, db.id, NotifyClass.ZSET, 'zrangestore', dst);
    return nodes.length;
  }
  const nested = client.protocol === 3;
  const out: Reply[] = [];
  for (const n of nodes) pushScored(out, n.member, n.score, withScores, nested);
  return out;
}

const zrange: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'auto', null);
const zrangestore: Handler = (client, args) => zrangeGeneric(client, args, 2, args[1], 'auto', null);
const zrevrange: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'rank', true);
const zrangebyscore: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'score', false);
const zrevrangebyscore: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'score', true);
const zrangebylex: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'lex', false);
const zrevrangebylex: Handler = (client, args) => zrangeGeneric(client, args, 1, null, 'lex', true);

function zremrangeGeneric(client: Client, args: string[], type: 'rank' | 'score' | 'lex'): Reply {
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === 'rank') {
    const s = parseInteger(args[2]);
    const e = parseInteger(args[3]);
    if (s === null || e === null) return Errors.notInteger;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(args[2], args[3]);
    if (!scoreRange) return SCORE_RANGE_ERROR;
  } else {
    lexRange = parseLexRange(args[2], args[3]);
    if (!lexRange) return LEX_RANGE_ERROR;
  }
  const z = writeZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? 0;
  let nodes: ZNode[];
  if (type === 'rank') nodes = rankNodes(z, start, end, false);
  else if (type === 'score') nodes = scoreNodes(z, scoreRange!, false, 0, -1);
  else nodes = lexNodes(z, lexRange!, false, 0, -1);
  if (nodes.length === 0) return 0;
  const members = nodes.map((n) => n.member);
  for (const m of members) z.delete(m);
  removedFrom(client.server, client.db, args[1], z, `zremrangeby${type}`);
  return members.length;
}

const zremrangebyrank: Handler = (client, args) => zremrangeGeneric(client, args, 'rank');
const zremrangebyscore: Handler = (client, args) => zremrangeGeneric(client, args, 'score');
const zremrangebylex: Handler = (client, args) => zremrangeGeneric(client, args, 'lex');

// ---- ZUNION / ZINTER / ZDIFF ----

/** An input of the set operations: a zset, a plain set (scores 1), or a missing key. */
interface OpSource {
  value: RedisZSet | RedisSet | null;
  weight: number;
}

function sourceSize(s: OpSource): number {
  return s.value === null ? 0 : s.value.size;
}

function sourceScore(s: OpSource, member: string): number | undefined {
  if (s.value === null) return undefined;
  if (s.value instanceof RedisSet) return s.value.has(member) ? 1 : undefined;
  return s.value.score(member);
}

function* sourceEntries(s: OpSource): Generator<[string, number]> {
  if (s.value === null) return;
  if (s.value instanceof RedisSet) {
    for (const m of s.value.list()) yield [m, 1];
    return;
  }
  for (let n = s.value.zsl.first(); n !== null; n = n.next[0]) yield [n.member, n.score];
}

type Aggregate = 'sum' | 'min' | 'max';

function aggregate(acc: number, v: number, how: Aggregate): number {
  if (how === 'sum') {
    const r = acc + v;
    return Number.isNaN(r) ? 0 : r;
  }
  if (how === 'min') return v < acc ? v : acc;
  return v > acc ? v : acc;
}

type SetOp = 'union' | 'inter' | 'diff';

function zsetOpGeneric(client: Client, args: string[], numkeysIndex: number, dst: string | null, op: SetOp, cardinalityOnly: boolean): Reply {
  const setnum = parseInt64(args[numkeysIndex]);
  if (setnum === null) return Errors.notInteger;
  if (setnum < 1) return new ErrorReply(`ERR at least 1 input key is needed for '${args[0].toLowerCase()}' command`);
  if (setnum > args.length - (numkeysIndex + 1)) return Errors.syntax;
  const n = Number(setnum);
  const db = client.db;
  const sources: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < n; i++, j++) {
    const v = db.lookupRead(args[j]);
    if (v === undefined) sources.push({ value: null, weight: 1 });
    else if (typeof v === 'string' || (v.type !== 'zset' && v.type !== 'set')) return Errors.wrongType;
    else sources.push({ value: v as RedisZSet | RedisSet, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  let remaining = args.length - j;
  while (remaining > 0) {
    const opt = args[j].toLowerCase();
    if (op !== 'diff' && !cardinalityOnly && remaining >= n + 1 && opt === 'weights') {
      j++;
      remaining--;
      for (let i = 0; i < n; i++, j++, remaining--) {
        const w = parseDouble(args[j]);
        if (w === null) return new ErrorReply('ERR weight value is not a float');
        sources[i].weight = w;
      }
    } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && opt === 'aggregate') {
      const a = args[j + 1].toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') return Errors.syntax;
      how = a;
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardinalityOnly && opt === 'withscores') {
      withScores = true;
      j++;
      remaining--;
    } else if (cardinalityOnly && remaining >= 2 && opt === 'limit') {
      const l = parseInt64(args[j + 1]);
      if (l === null || l < 0) return new ErrorReply("ERR LIMIT can't be negative");
      limit = Number(l);
      j += 2;
      remaining -= 2;
    } else return Errors.syntax;
  }
  const ordered = op === 'diff' ? sources : sources.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
  const result = new Map<string, number>();
  let cardinality = 0;
  if (op === 'inter') {
    if (sourceSize(ordered[0]) > 0) {
      for (const [member, s0] of sourceEntries(ordered[0])) {
        let score = ordered[0].weight * s0;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < ordered.length; k++) {
          const v = ordered[k].value === ordered[0].value ? s0 : sourceScore(ordered[k], member);
          if (v === undefined) break;
          score = aggregate(score, v * ordered[k].weight, how);
        }
        if (k !== ordered.length) continue;
        if (cardinalityOnly) {
          cardinality++;
          if (limit && cardinality >= limit) break;
        } else result.set(member, score);
      }
    }
  } else if (op === 'union') {
    for (const src of ordered) {
      for (const [member, s] of sourceEntries(src)) {
        let score = src.weight * s;
        if (Number.isNaN(score)) score = 0;
        const cur = result.get(member);
        result.set(member, cur === undefined ? score : aggregate(cur, score, how));
      }
    }
  } else {
    for (const [member, s] of sourceEntries(ordered[0])) {
      let inOther = false;
      for (let k = 1; k < ordered.length; k++) {
        if (ordered[k].value === ordered[0].value || sourceScore(ordered[k], member) !== undefined) {
          inOther = true;
          break;
        }
      }
      if (!inOther) result.set(member, s);
    }
  }
  if (cardinalityOnly) return cardinality;
  const out = new RedisZSet();
  out.listpack = false;
  const limits = client.server.encodingLimits;
  for (const [m, s] of result) out.set(limits, m, s);
  if (dst !== null) {
    if (out.isEmpty()) {
      deleteDestination(client, dst);
      return 0;
    }
    out.fitEncoding(limits);
    db.set(dst, out);
    notify(client.server, db.id, NotifyClass.ZSET, `z${op}store`, dst);
    return out.size;
  }
  const nested = client.protocol === 3;
  const reply: Reply[] = [];
  for (let node = out.zsl.first(); node !== null; node = node.next[0]) pushScored(reply, node.member, node.score, withScores, nested);
  return reply;
}

const zunion: Handler = (client, args) => zsetOpGeneric(client, args, 1, null, 'union', false);
const zinter: Handler = (client, args) => zsetOpGeneric(client, args, 1, null, 'inter', false);
const zdiff: Handler = (client, args) => zsetOpGeneric(client, args, 1, null, 'diff', false);
const zunionstore: Handler = (client, args) => zsetOpGeneric(client, args, 2, args[1], 'union', false);
const zinterstore: Handler = (client, args) => zsetOpGeneric(client, args, 2, args[1], 'inter', false);
const zdiffstore: Handler = (client, args) => zsetOpGeneric(client, args, 2, args[1], 'diff', false);
const zintercard: Handler = (client, args) => zsetOpGeneric(client, args, 1, null, 'inter', true);

// ---- pops ----

/**
 * genericZpopCommand over the first existing key. `emitKey` prefixes the key (BZPOP*,
 * ZMPOP); `nested` uses [member, score] pairs. Returns undefined when no key exists.
 */
function zpopFrom(server: Server, db: Database, keys: readonly string[], max: boolean, count: number, emitKey: boolean, nested: boolean): Reply | undefined {
  let key = '';
  let z: RedisZSet | undefined;
  for (const k of keys) {
    const v = writeZset(db, k);
    if (v === undefined) continue;
    if (v instanceof ErrorReply) return v;
    key = k;
    z = v;
    break;
  }
  if (z === undefined) return undefined;
  if (count === 0) return EMPTY_ARRAY;
  const n = Math.min(count === -1 ? 1 : count, z.size);
  const items: Reply[] = [];
  for (let i = 0; i < n; i++) {
    const node = max ? z.zsl.tail! : z.zsl.first()!;
    const member = node.member;
    const score = node.score;
    z.delete(member);
    if (nested) items.push([member, new DoubleReply(score)]);
    else items.push(member, new DoubleReply(score));
  }
  removedFrom(server, db, key, z, max ? 'zpopmax' : 'zpopmin');
  if (!emitKey) return items;
  if (nested) return [key, items];
  return [key, ...items];
}

function zpopCommand(client: Client, args: string[], max: boolean): Reply {
  if (args.length > 3) return Errors.syntax;
  let count = -1;
  if (args.length === 3) {
    const c = parseInt64(args[2]);
    if (c === null || c < 0) return MUST_BE_POSITIVE;
    count = Number(c);
  }
  const nested = client.protocol === 3 && count !== -1;
  return zpopFrom(client.server, client.db, [args[1]], max, count, false, nested) ?? EMPTY_ARRAY;
}

const zpopmin: Handler = (client, args) => zpopCommand(client, args, false);
const zpopmax: Handler = (client, args) => zpopCommand(client, args, true);

function parseZmpop(args: string[], numkeysIndex: number): { keys: string[]; max: boolean; count: number } | ErrorReply {
  const numkeys = parseInt64(args[numkeysIndex]);
  if (numkeys === null || numkeys < 1) return new ErrorReply('ERR numkeys should be greater than 0');
  const whereIdx = numkeysIndex + Number(numkeys) + 1;
  if (whereIdx >= args.length) return Errors.syntax;
  const where = args[whereIdx].toLowerCase();
  if (where !== 'min' && where !== 'max') return Errors.syntax;
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && is(args[j], 'count') && more) {
      const c = parseInt64(args[++j]);
      if (c === null || c < 1) return new ErrorReply('ERR count should be greater than 0');
      count = Number(c);
    } else return Errors.syntax;
  }
  return { keys: args.slice(numkeysIndex + 1, whereIdx), max: where === 'max', count: count === -1 ? 1 : count };
}

const zmpop: Handler = (client, args) => {
  const p = parseZmpop(args, 1);
  if (p instanceof ErrorReply) return p;
  return zpopFrom(client.server, client.db, p.keys, p.max, p.count, true, true) ?? NULL_ARRAY;
};

/** Serves a blocked zset pop from `key`, or undefined when it holds no zset. */
function serveZpop(server: Server, db: Database, key: string, max: boolean, count: number, nested: boolean): Reply | undefined {
  const v = db.get(key);
  if (v === undefined || typeof v === 'string' || v.type !== 'zset') return undefined;
  return zpopFrom(server, db, [key], max, count, true, nested);
}

function bzpop(client: Client, args: string[], max: boolean): Reply {
  const deadline = parseTimeout(client.server, args[args.length - 1]);
  if (deadline instanceof ErrorReply) return deadline;
  const keys = args.slice(1, -1);
  const db = client.db;
  const now = zpopFrom(client.server, db, keys, max, -1, true, false);
  if (now !== undefined) return now;
  return blockOrTimeout(client, keys, deadline, NULL_ARRAY, (key) => serveZpop(client.server, db, key, max, -1, false));
}

const bzpopmin: Handler = (client, args) => bzpop(client, args, false);
const bzpopmax: Handler = (client, args) => bzpop(client, args, true);

const bzmpop: Handler = (client, args) => {
  const p = parseZmpop(args, 2);
  if (p instanceof ErrorReply) return p;
  const deadline = parseTimeout(client.server, args[1]);
  if (deadline instanceof ErrorReply) return deadline;
  const db = client.db;
  const now = zpopFrom(client.server, db, p.keys, p.max, p.count, true, true);
  if (now !== undefined) return now;
  return blockOrTimeout(client, p.keys, deadline, NULL_ARRAY, (key) => serveZpop(client.server, db, key, p.max, p.count, true));
};

// ---- ZRANDMEMBER / ZSCAN ----

const zrandmember: Handler = (client, args) => {
  if (args.length >= 3) {
    const l = parseRandomCount(args[2]);
    if (l instanceof ErrorReply) return l;
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withscores'))) return Errors.syntax;
    const withScores = args.length === 4;
    if (withScores && (l < -HALF_LONG_MAX || l > HALF_LONG_MAX)) return COUNT_OUT_OF_RANGE;
    const z = readZset(client.db, args[1]);
    if (z === undefined || z instanceof ErrorReply) return z ?? EMPTY_ARRAY;
    if (l === 0) return EMPTY_ARRAY;
    const nodes: ZNode[] = [];
    for (let n = z.zsl.first(); n !== null; n = n.next[0]) nodes.push(n);
    const nested = client.protocol === 3;
    const out: Reply[] = [];
    if (l < 0 || l === 1) {
      for (let k = Math.abs(l); k > 0; k--) {
        const n = nodes[randomIndex(nodes.length)];
        pushScored(out, n.member, n.score, withScores, nested);
      }
    } else if (l >= nodes.length) {
      // Redis's zset iterator (zuiNext) walks from the highest score down.
      for (let i = nodes.length - 1; i >= 0; i--) pushScored(out, nodes[i].member, nodes[i].score, withScores, nested);
    } else {
      for (const i of sampleIndexes(nodes.length, l)) pushScored(out, nodes[i].member, nodes[i].score, withScores, nested);
    }
    return out;
  }
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? null;
  return z.zsl.byRank(1 + randomIndex(z.size))!.member;
};

/**
 * How a listpack stores a score (zzlInsertAt): an integer when double2ll accepts it
 * (integral, |d| <= LLONG_MAX/2), else "%.17g". ZSCAN replies that stored text.
 */
function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= 4611686018427387903) {
    return Number.isSafeInteger(score) ? String(score === 0 ? 0 : score) : BigInt(score).toString();
  }
  return formatDouble(score);
}

const zscan: Handler = (client, args) => {
  const opts = parseScanArgs(args);
  if (opts instanceof ErrorReply) return opts;
  const z = readZset(client.db, args[1]);
  if (z === undefined || z instanceof ErrorReply) return z ?? ['0', EMPTY_ARRAY];
  const flat: string[] = [];
  if (z.listpack) {
    for (let n = z.zsl.first(); n !== null; n = n.next[0]) flat.push(n.member, listpackScoreText(n.score));
    return scanReply(0, flat, opts.pattern, true);
  }
  const step = z.scanState.scan(() => z.scores.keys(), opts.cursor, opts.count);
  for (const m of step.keys) flat.push(m, formatDouble(z.score(m)!));
  return scanReply(step.next, flat, opts.pattern, true);
};

export const zsetCommands: Record<string, Handler> = {
  zadd,
  zincrby,
  zrem,
  zcard,
  zscore,
  zmscore,
  zrank,
  zrevrank,
  zcount,
  zlexcount,
  zrange,
  zrangestore,
  zrevrange,
  zrangebyscore,
  zrevrangebyscore,
  zrangebylex,
  zrevrangebylex,
  zremrangebyrank,
  zremrangebyscore,
  zremrangebylex,
  zunion,
  zinter,
  zdiff,
  zunionstore,
  zinterstore,
  zdiffstore,
  zintercard,
  zpopmin,
  zpopmax,
  zmpop,
  bzpopmin,
  bzpopmax,
  bzmpop,
  zrandmember,
  zscan,
};
