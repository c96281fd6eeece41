/**
 * Writes RDB version 10 (Redis 7.0): whole files and single values (DUMP payloads),
 * choosing for each value the RDB type Redis 7.0 writes for its encoding:
 *
 *   string                 -> 0  STRING
 *   list (quicklist)       -> 18 LIST_QUICKLIST_2: listpack nodes split as quicklist does
 *   set intset / hashtable -> 11 SET_INTSET / 2 SET
 *   zset listpack/skiplist -> 17 ZSET_LISTPACK / 5 ZSET_2 (greatest first)
 *   hash listpack/hashtable-> 16 HASH_LISTPACK / 4 HASH
 *
 * File: "REDIS0010", aux fields, function records, per database SELECTDB + RESIZEDB +
 * [EXPIRETIME_MS] type key value, EOF, CRC-64 of everything before it (0 without
 * rdbchecksum).
 */
import type { ReplicationSaveInfo } from '../server/server.js';
import { Crc64 } from './crc64.js';
import { appendDumpFooter, writeFunctionRecord } from './function-payload.js';
import { encodeIntset } from './intset.js';
import { ListpackBuilder, encodeListpack } from './listpack.js';
import { RdbWriter, type RdbStringOptions } from './rdb-encoding.js';
import type { CollectionValue, EncodingLimits, RedisValue } from '../keyspace/value.js';
import type { RedisHash } from '../keyspace/types/hash.js';
import type { RedisList } from '../keyspace/types/list.js';
import type { RedisSet } from '../keyspace/types/set.js';
import type { RedisZSet } from '../keyspace/types/zset.js';
import type { RedisStream } from '../keyspace/types/stream.js';
import { writeStream } from './stream-rdb.js';

export const RDB_VERSION = 10;

/** Object types (rdb.h). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

/** Opcodes (rdb.h). */
export const RdbOpcode = {
  FUNCTION2: 0xf5,
  FUNCTION: 0xf6,
  MODULE_AUX: 0xf7,
  IDLE: 0xf8,
  FREQ: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

const QUICKLIST_NODE_PACKED = 2;
/** quicklist.c: optimization_level[] for fill -1..-5, SIZE_SAFETY_LIMIT, SIZE_ESTIMATE_OVERHEAD. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;

export interface RdbValueOptions extends RdbStringOptions {
  limits: EncodingLimits;
}

/** The RDB type byte Redis 7.0 writes for this value in its current encoding. */
export function rdbTypeOf(value: RedisValue, limits: EncodingLimits): number {
  if (typeof value === 'string') return RdbType.STRING;
  switch (value.type) {
    case 'list':
      return RdbType.LIST_QUICKLIST_2;
    case 'set':
      return value.encoding(limits) === 'intset' ? RdbType.SET_INTSET : RdbType.SET;
    case 'zset':
      return value.encoding(limits) === 'listpack' ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
    case 'hash':
      return value.encoding(limits) === 'listpack' ? RdbType.HASH_LISTPACK : RdbType.HASH;
    case 'stream':
      return RdbType.STREAM_LISTPACKS_2;
    default:
      throw new Error(`Values of type ${value.type} cannot be saved in RDB yet`);
  }
}

/** rdbSaveObjectType + rdbSaveObject. */
export function writeTypedValue(writer: RdbWriter, value: RedisValue, options: RdbValueOptions): void {
  const type = rdbTypeOf(value, options.limits);
  writer.writeByte(type);
  writeValueBody(writer, type, value, options);
}

function writeValueBody(writer: RdbWriter, type: number, value: RedisValue, options: RdbValueOptions): void {
  if (typeof value === 'string') {
    writer.writeString(value, options);
    return;
  }
  switch (type) {
    case RdbType.LIST_QUICKLIST_2:
      writeQuicklist(writer, value as RedisList, options);
      return;
    case RdbType.SET_INTSET:
      writer.writeString(encodeIntset((value as RedisSet).members), options);
      return;
    case RdbType.SET: {
      const set = value as RedisSet;
      writer.writeLength(set.size);
      for (const member of set.members) writer.writeString(member, options);
      return;
    }
    case RdbType.ZSET_LISTPACK:
      writer.writeString(zsetListpack(value as RedisZSet), options);
      return;
    case RdbType.ZSET_2: {
      const zset = value as RedisZSet;
      writer.writeLength(zset.size);
      // Greatest first, as rdbSaveObject: loading then inserts at the head cheaply.
      for (let node = zset.zsl.tail; node !== null; node = node.prev) {
        writer.writeString(node.member, options);
        writer.writeDoubleLE(node.score);
      }
      return;
    }
    case RdbType.HASH_LISTPACK: {
      const builder = new ListpackBuilder();
      for (const [field, v] of (value as RedisHash).fields) {
        builder.append(field);
        builder.append(v);
      }
      writer.writeString(builder.finish(), options);
      return;
    }
    case RdbType.STREAM_LISTPACKS_2:
      writeStream(writer, value as RedisStream, options);
      return;
    case RdbType.HASH: {
      const hash = value as RedisHash;
      writer.writeLength(hash.size);
      for (const [field, v] of hash.fields) {
        writer.writeString(field, options);
        writer.writeString(v, options);
      }
      return;
    }
  }
  throw new Error(`Cannot save RDB type ${type} for ${(value as CollectionValue).type}`);
}

/**
 * A list as quicklist nodes, split the way RPUSH fills them (_quicklistNodeAllowInsert
 * with fill = list-max-listpack-size), so lists built by appending dump like Redis's.
 */
function writeQuicklist(writer: RdbWriter, list: RedisList, options: RdbValueOptions): void {
  const fill = options.limits.listMaxListpackSize;
  const nodes: Buffer[] = [];
  let node: ListpackBuilder | null = null;
  const length = list.length;
  for (let i = 0; i < length; i++) {
    const element = list.get(i);
    if (node === null || !nodeAllowsInsert(node, fill, element.length)) {
      if (node !== null) nodes.push(node.finish());
      node = new ListpackBuilder(Math.min(SIZE_SAFETY_LIMIT, 64 + element.length * 2));
    }
    node.append(element);
  }
  if (node !== null) nodes.push(node.finish());
  writer.writeLength(nodes.length);
  for (const blob of nodes) {
    writer.writeLength(QUICKLIST_NODE_PACKED);
    writer.writeString(blob, options);
  }
}

function nodeAllowsInsert(node: ListpackBuilder, fill: number, elementSize: number): boolean {
  const newSize = node.byteLength + elementSize + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const level = OPTIMIZATION_LEVEL[-fill - 1];
    if (level !== undefined && newSize <= level) return true;
  }
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return node.count < fill;
}

function zsetListpack(zset: RedisZSet): Buffer {
  const builder = new ListpackBuilder();
  for (let node = zset.zsl.first(); node !== null; node = node.next[0]!) {
    builder.append(node.member);
    builder.append(formatScore(node.score));
  }
  return builder.finish();
}

const HALF_LLONG_MAX = 4611686018427387903;

/** d2string: how a listpack-encoded zset stores a score. */
export function formatScore(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (Number.isInteger(value) && value >= -HALF_LLONG_MAX && value <= HALF_LLONG_MAX) {
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return formatG17(value);
}

/** C's "%.17g". */
export function formatG17(value: number): string {
  const exponential = value.toExponential(16); // "-d.dddddddddddddddde+X"
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  const negative = exponential[0] === '-';
  const digits = exponential.slice(negative ? 1 : 0, e).replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 17) {
    const mantissa = stripZeros(digits[0] + '.' + digits.slice(1));
    const abs = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  if (exponent >= 0) return sign + stripZeros(digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1));
  return sign + stripZeros('0.' + '0'.repeat(-exponent - 1) + digits);
}

function stripZeros(fixed: string): string {
  if (!fixed.includes('.')) return fixed;
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 0x30) end--;
  if (fixed.charCodeAt(end - 1) === 0x2e) end--;
  return fixed.slice(0, end);
}

/** DUMP: type byte, value, RDB version, CRC-64 (createDumpPayload). */
export function encodeDumpPayload(value: RedisValue, options: RdbValueOptions): Buffer {
  const writer = new RdbWriter(typeof value === 'string' ? value.length + 16 : 256);
  writeTypedValue(writer, value, options);
  appendDumpFooter(writer, RDB_VERSION);
  return writer.toBuffer();
}

/** What goes in the aux fields of a file. */
export interface RdbAuxInfo {
  usedMemory: number;
  /** True for the base file of an AOF (aof-base 1). */
  aofBase: boolean;
  /** rdbSaveInfo: where this dataset is in its replication history (null: none). */
  replication?: ReplicationSaveInfo | null;
}


/**
 * Encodes a file piece by piece into an internal buffer; take() hands out what has
 * been written so far (for writing the file in chunks). The CRC follows every byte.
 */
export class RdbFileEncoder {
  readonly writer = new RdbWriter(1 << 16);
  private readonly crc = new Crc64();
  readonly valueOptions: RdbValueOptions;

  constructor(
    limits: EncodingLimits,
    private readonly options: { compression: boolean; checksum: boolean },
  ) {
    this.valueOptions = { limits, compression: options.compression };
  }

  /** Bytes written and not yet taken. */
  get pending(): number {
    return this.writer.length;
  }

  header(aux: RdbAuxInfo, libraryCodes: readonly string[]): void {
    const w = this.writer;
    w.writeBytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
    this.aux('redis-ver', '7.0.15');
    this.aux('redis-bits', '64');
    this.aux('ctime', String(Math.floor(Date.now() / 1000)));
    this.aux('used-mem', String(aux.usedMemory));
    const repl = aux.replication;
    if (repl) {
      this.aux('repl-stream-db', String(repl.streamDb));
      this.aux('repl-id', repl.replId);
      this.aux('repl-offset', String(repl.offset));
    }
    this.aux('aof-base', aux.aofBase ? '1' : '0');
    for (const code of libraryCodes) writeFunctionRecord(w, code, this.valueOptions);
  }

  private aux(name: string, value: string): void {
    this.writer.writeByte(RdbOpcode.AUX);
    this.writer.writeString(name, this.valueOptions);
    this.writer.writeString(value, this.valueOptions);
  }

  selectDb(id: number, size: number, expiresSize: number): void {
    const w = this.writer;
    w.writeByte(RdbOpcode.SELECTDB);
    w.writeLength(id);
    w.writeByte(RdbOpcode.RESIZEDB);
    w.writeLength(size);
    w.writeLength(expiresSize);
  }

  /** Appends bytes encoded elsewhere (keys written out of order during a BGSAVE). */
  raw(bytes: Buffer): void {
    this.writer.writeBytes(bytes);
  }

  entry(key: string, value: RedisValue, expireMs: number | undefined): void {
    writeEntry(this.writer, key, value, expireMs, this.valueOptions);
  }

  /** The remaining bytes: whatever was not taken yet, EOF, and the checksum. */
  end(): Buffer {
    this.writer.writeByte(RdbOpcode.EOF);
    const tail = this.take();
    const footer = Buffer.alloc(8);
    footer.writeBigUInt64LE(this.options.checksum ? this.crc.digest() : 0n);
    return Buffer.concat([tail, footer]);
  }

  /** The bytes written since the last take(); valid until the next write. */
  take(): Buffer {
    const bytes = this.writer.view();
    this.crc.update(bytes);
    const copy = Buffer.from(bytes);
    this.writer.clear();
    return copy;
  }
}

/** One key: [EXPIRETIME_MS ms] type key value (rdbSaveKeyValuePair). */
export function writeEntry(writer: RdbWriter, key: string, value: RedisValue, expireMs: number | undefined, options: RdbValueOptions): void {
  if (expireMs !== undefined) {
    writer.writeByte(RdbOpcode.EXPIRETIME_MS);
    writer.writeUInt64LE(expireMs);
  }
  const type = rdbTypeOf(value, options.limits);
  writer.writeByte(type);
  writer.writeString(key, options);
  writeValueBody(writer, type, value, options);
}

/** A whole file in one buffer (SAVE of small data sets, tests, DEBUG RELOAD). */
export function encodeRdbFile(
  databases: ReadonlyArray<{ id: number; entries: Iterable<[string, RedisValue]>; size: number; expires: ReadonlyMap<string, number> }>,
  libraryCodes: readonly string[],
  options: { limits: EncodingLimits; compression: boolean; checksum: boolean; aux: RdbAuxInfo },
): Buffer {
  const encoder = new RdbFileEncoder(options.limits, options);
  const chunks: Buffer[] = [];
  encoder.header(options.aux, libraryCodes);
  for (const db of databases) {
    if (db.size === 0) continue;
    encoder.selectDb(db.id, db.size, db.expires.size);
    for (const [key, value] of db.entries) {
      encoder.entry(key, value, db.expires.get(key));
      if (encoder.pending > 1 << 20) chunks.push(encoder.take());
    }
  }
  chunks.push(encoder.end());
  return Buffer.concat(chunks);
}

/** For tests and callers that want a listpack of arbitrary strings. */
export { encodeListpack };
