/**
 * Helpers shared by the hash, list, set, sorted set and stream command groups: typed
 * key lookup, SCAN-family argument parsing, and a few reply shapes.
 */
import type { Database } from '../keyspace/database.js';
import type { CollectionValue, RedisType } from '../keyspace/value.js';
import { globMatch } from '../keyspace/glob.js';
import { ErrorReply, Errors, type Reply } from '../protocol/reply.js';
import { parseInt64 } from './args.js';

/**
 * The collection of type `type` at `key`: undefined when absent, WRONGTYPE otherwise.
 * `read` counts a keyspace hit/miss (read commands), as Redis's lookupKeyRead does.
 */
export function lookupTyped<T extends CollectionValue>(db: Database, key: string, type: RedisType, read: boolean): T | undefined | ErrorReply {
  const v = read ? db.lookupRead(key) : db.get(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.type !== type) return Errors.wrongType;
  return v as T;
}

export interface ScanArgs {
  cursor: number;
  count: number;
  pattern: string | null;
  /** HSCAN NOVALUES (Redis 7.4): fields only. */
  noValues: boolean;
}

const INVALID_CURSOR = new ErrorReply('ERR invalid cursor');
/** Redis 7.4's scanGenericCommand refuses NOVALUES on anything but a hash. */
export const NOVALUES_ONLY_HSCAN = new ErrorReply('ERR NOVALUES option can only be used in HSCAN');

/** parseScanCursorOrReply: strtoul, no leading space, no junk. */
export function parseCursor(s: string): number | ErrorReply {
  if (!/^[+-]?\d+$/.test(s)) return INVALID_CURSOR;
  let n = BigInt(s);
  if (n < 0n) n = (1n << 64n) + n; // strtoul wraps negatives
  if (n < 0n || n >= 1n << 64n) return INVALID_CURSOR;
  // Our bucket cursors are 32-bit; a larger cursor simply ends the scan.
  return n > 0xffffffffn ? 0 : Number(n);
}

/** The cursor and MATCH/COUNT (and, for a hash, NOVALUES) options of HSCAN/SSCAN/ZSCAN (args[2] is the cursor). */
export function parseScanArgs(args: string[], isHash = false): ScanArgs | ErrorReply {
  const cursor = parseCursor(args[2]);
  if (cursor instanceof ErrorReply) return cursor;
  let count = 10;
  let pattern: string | null = null;
  let noValues = false;
  for (let i = 3; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    const more = args.length - i - 1;
    if (opt === 'count' && more >= 1) {
      const v = parseInt64(args[i + 1]);
      if (v === null) return Errors.notInteger;
      if (v < 1) return Errors.syntax;
      count = Number(v);
      i++;
    } else if (opt === 'match' && more >= 1) {
      pattern = args[i + 1];
      // "*" matches everything: skip the filtering work, as Redis does.
      if (pattern === '*') pattern = null;
      i++;
    } else if (opt === 'novalues') {
      if (!isHash) return NOVALUES_ONLY_HSCAN;
      noValues = true;
    } else return Errors.syntax;
  }
  return { cursor, count, pattern, noValues };
}

/**
 * Builds a scan reply. `pairs` means elements come as [key, value] in `items` (hash,
 * zset): the pattern applies to the key and filters the pair.
 */
export function scanReply(next: number, items: string[], pattern: string | null, pairs: boolean): Reply {
  if (pattern === null) return [String(next), items];
  const out: string[] = [];
  const step = pairs ? 2 : 1;
  for (let i = 0; i < items.length; i += step) {
    if (!globMatch(pattern, items[i])) continue;
    out.push(items[i]);
    if (pairs) out.push(items[i + 1]);
  }
  return [String(next), out];
}

export const EMPTY_ARRAY: Reply[] = [];

/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) as used by the *RANDMEMBER counts. */
export function parseRandomCount(s: string): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null) return Errors.notInteger;
  if (v === -9223372036854775808n) {
    return new ErrorReply('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  // Magnitude is what matters past 2^53 (range checks); precision is not.
  return Number(v);
}

/** LONG_MAX / 2: the bound on WITHVALUES / WITHSCORES counts (the reply doubles). */
export const HALF_LONG_MAX = 4611686018427387903;
export const COUNT_OUT_OF_RANGE = new ErrorReply('ERR value is out of range');

/** A uniformly random integer in [0, n). */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Picks `count` distinct indexes of [0, size) (count <= size), in random order. */
export function sampleIndexes(size: number, count: number): number[] {
  if (count * 3 > size) {
    const all = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = randomIndex(i + 1);
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  const seen = new Set<number>();
  while (seen.size < count) seen.add(randomIndex(size));
  return [...seen];
}

export const MUST_BE_POSITIVE = new ErrorReply('ERR value is out of range, must be positive');

/**
 * getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply(0, LONG_MAX): a
 * non-negative count. With a custom message, Redis uses it for parse errors too.
 */
export function nonNegativeLong(s: string, error: ErrorReply = MUST_BE_POSITIVE): number | ErrorReply {
  const v = parseInt64(s);
  if (v === null || v < 0) return error;
  return typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
}
