/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as Redis 7.0's debug.c does
 * (SHA1 mixing; unordered collections xor their elements' digests), so digests can be
 * compared with redis-server's.
 *
 * The collection types read here are reached through small structural interfaces (a
 * list's toArray(), a set's list(), a hash's fields, a sorted set's scores) rather than
 * their classes, so this file only depends on what a digest needs.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../keyspace/database.js';
import type { RedisValue } from '../keyspace/value.js';
import type { Server } from '../server/server.js';

const TYPE_CODES: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** xorDigest: digest ^= SHA1(data). */
function xorDigest(digest: Buffer, data: Buffer): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) digest[i] ^= h[i];
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)). */
function mixDigest(digest: Buffer, data: Buffer): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** printf's %.17g, as Redis formats sorted set scores for digests. */
export function formatG17(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, expText] = x.toExponential(16).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 17) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 16 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

interface ListContent {
  toArray(): string[];
}
interface SetContent {
  list(): string[];
}
interface HashContent {
  fields: Map<string, string>;
}
interface StreamContent {
  entries: { id: bigint; fields: string[] }[];
}
interface ZSetContent {
  scores: Map<string, number>;
}

/** xorObjectDigest: mixes the value at `key` (with its type and whether it has a TTL) into `digest`. */
function xorObjectDigest(db: Database, key: string, digest: Buffer, value: RedisValue): void {
  const type = typeof value === 'string' ? 'string' : value.type;
  const code = Buffer.alloc(4);
  code.writeUInt32BE(TYPE_CODES[type] ?? 0);
  mixDigest(digest, code);
  if (typeof value === 'string') {
    mixDigest(digest, bytes(value));
  } else if (type === 'list') {
    for (const e of (value as unknown as ListContent).toArray()) mixDigest(digest, bytes(e));
  } else if (type === 'set') {
    for (const e of (value as unknown as SetContent).list()) xorDigest(digest, bytes(e));
  } else if (type === 'zset') {
    for (const [member, score] of (value as unknown as ZSetContent).scores) {
      const element = Buffer.alloc(20);
      mixDigest(element, bytes(member));
      mixDigest(element, bytes(formatG17(score)));
      xorDigest(digest, element);
    }
  } else if (type === 'hash') {
    for (const [field, v] of (value as unknown as HashContent).fields) {
      const element = Buffer.alloc(20);
      mixDigest(element, bytes(field));
      mixDigest(element, bytes(v));
      xorDigest(digest, element);
    }
  } else if (type === 'stream') {
    // Entries only, as Redis's digest: "ms.seq", then each field and value.
    for (const entry of (value as unknown as StreamContent).entries) {
      const ms = entry.id >> 64n;
      const seq = entry.id & 0xffffffffffffffffn;
      mixDigest(digest, bytes(`${ms}.${seq}`));
      for (const part of entry.fields) mixDigest(digest, bytes(part));
    }
  }
  if (db.getExpire(key) !== undefined) xorDigest(digest, bytes('!!expire!!'));
}

/** DEBUG DIGEST-VALUE of one key: 40 hex digits (all zeros for a missing key; expired keys still count). */
export function digestValue(db: Database, key: string): string {
  const digest = Buffer.alloc(20);
  const value = db.data.get(key);
  if (value !== undefined) xorObjectDigest(db, key, digest, value);
  return digest.toString('hex');
}

/** DEBUG DIGEST: the whole dataset (keys, values, TTL presence, database ids). */
export function datasetDigest(server: Server): string {
  const final = Buffer.alloc(20);
  for (const db of server.databases) {
    if (db.data.size === 0) continue;
    const id = Buffer.alloc(4);
    id.writeUInt32BE(db.id);
    mixDigest(final, id);
    for (const [key, value] of db.data) {
      const digest = Buffer.alloc(20);
      mixDigest(digest, bytes(key));
      xorObjectDigest(db, key, digest, value);
      xorDigest(final, digest);
    }
  }
  return final.toString('hex');
}
