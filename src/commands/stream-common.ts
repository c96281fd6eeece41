/**
 * What the stream command files share (Redis 7.0 t_stream.c): typed key lookups, ID
 * parsing (streamGenericParseIDOrReply and its callers), entry replies, range walks and
 * keyspace events.
 */
import type { Database } from '../keyspace/database.js';
import { MAX_ID, RedisStream, SEQ_MASK, makeId, formatId, type StreamEntry, type StreamId } from '../keyspace/types/stream.js';
import { ErrorReply, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { NotifyClass, notify } from '../server/notifications.js';
import { lookupTyped } from './type-helpers.js';

export const INVALID_ID = new ErrorReply('ERR Invalid stream ID specified as stream command argument');
export const U64_MAX = SEQ_MASK;

export function readStream(db: Database, key: string): RedisStream | undefined | ErrorReply {
  return lookupTyped<RedisStream>(db, key, 'stream', true);
}

export function writeStream(db: Database, key: string): RedisStream | undefined | ErrorReply {
  return lookupTyped<RedisStream>(db, key, 'stream', false);
}

/** string2ull: digits (strtoull also takes a '+'), within 64 bits. */
export function parseU64(s: string): bigint | null {
  if (!/^\+?\d+$/.test(s) || s.length > 21) return null;
  const v = BigInt(s);
  return v > U64_MAX ? null : v;
}

export interface ParsedId {
  id: StreamId;
  /** "ms-*": the sequence is to be generated (XADD only). */
  seqAuto: boolean;
  /** A full "ms-seq" was given (not just ms). */
  seqGiven: boolean;
}

/** streamGenericParseIDOrReply. `strict` refuses "-" and "+"; `allowSeqAuto` accepts "ms-*". */
export function parseId(s: string, missingSeq: bigint, strict: boolean, allowSeqAuto = false): ParsedId | null {
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

export function strictId(s: string): StreamId | ErrorReply {
  const p = parseId(s, 0n, true);
  return p ? p.id : INVALID_ID;
}

/** streamParseIntervalIDOrReply: "(" prefix = exclusive. */
export function intervalId(s: string, missingSeq: bigint): { id: StreamId; ex: boolean } | ErrorReply {
  if (s.length > 1 && s[0] === '(') {
    const p = parseId(s.slice(1), missingSeq, true);
    return p ? { id: p.id, ex: true } : INVALID_ID;
  }
  const p = parseId(s, missingSeq, false);
  return p ? { id: p.id, ex: false } : INVALID_ID;
}

export function entryReply(e: StreamEntry): Reply {
  return [formatId(e.id), e.fields];
}

export function nodeMaxEntries(client: Client): number {
  return client.server.config.getInt('stream-node-max-entries');
}

export function rangeEntries(s: RedisStream, start: StreamId, end: StreamId, count: number, rev: boolean): StreamEntry[] {
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

/** streamLastValidID: the last live entry's ID. */
export function lastValidId(s: RedisStream): StreamId {
  return s.entries.length ? s.entries[s.entries.length - 1].id : 0n;
}

export function notifyStream(client: Client, event: string, key: string): void {
  notify(client.server, client.db.id, NotifyClass.STREAM, event, key);
}
