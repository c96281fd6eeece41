/**
 * Reads RDB files (versions 1 to 12 where lunakv can represent the contents) and DUMP
 * payloads. Every encoding Redis has written is understood: plain lists/sets/hashes/
 * zsets, zipmap, ziplist, intset, quicklist (ziplist and listpack nodes), listpack.
 * Streams and module values are refused with a clear message.
 *
 * Loading never touches a live server: the result is fresh maps, which the caller
 * swaps in only when the whole file was read successfully.
 */
import { readStream } from './stream-rdb.js';
import { Crc64 } from './crc64.js';
import { FunctionRecordError, readFunctionRecord, verifyDumpPayload } from './function-payload.js';
import { decodeIntset } from './intset.js';
import { decodeListpack } from './listpack.js';
import { RdbFormatError, RdbReader } from './rdb-encoding.js';
import { RdbOpcode, RdbType } from './rdb-writer.js';
import { decodeZiplist, decodeZipmap } from './ziplist.js';
import type { EncodingLimits, RedisValue } from '../keyspace/value.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { RedisList } from '../keyspace/types/list.js';
import { RedisSet } from '../keyspace/types/set.js';
import { RedisZSet } from '../keyspace/types/zset.js';

/** Highest RDB version read (Redis 7.4); unknown types inside are still refused. */
export const MAX_READ_RDB_VERSION = 12;
const RDB_OPCODE_SLOT_INFO = 0xf4;

/** The data cannot be loaded: corrupt, truncated, or holding what lunakv cannot represent. */
export class RdbLoadError extends Error {
  override name = 'RdbLoadError';
}

/** A collection with no elements: skipped in files (as Redis does), refused by RESTORE. */
export class EmptyKeyError extends RdbFormatError {
  override name = 'EmptyKeyError';
}

export interface LoadedDatabase {
  data: Map<string, RedisValue>;
  expires: Map<string, number>;
}

export interface RdbContents {
  version: number;
  aux: Map<string, string>;
  /** Library sources from function records, in file order. */
  functions: string[];
  databases: Map<number, LoadedDatabase>;
  keysLoaded: number;
  keysExpired: number;
  /** Bytes consumed (an AOF with an RDB preamble continues after them). */
  length: number;
}

export interface RdbReadOptions {
  limits: EncodingLimits;
  /** Number of databases configured: a SELECTDB past it is refused. */
  databases: number;
  /** Keys whose expire time is before this (ms) are dropped, as a master does; null keeps all. */
  dropExpiredBefore: number | null;
  /** Told of each key dropped that way (a master feeds their DELs to its backlog). */
  onExpiredDropped?: (dbId: number, key: string) => void;
  /** Config rdbchecksum: verify the trailing CRC (a stored 0 means "not computed"). */
  verifyChecksum: boolean;
  /** Accept and ignore bytes after the checksum (an AOF preamble is followed by commands). */
  allowTrailingData?: boolean;
}

/** Parses a whole RDB file. Throws RdbLoadError with a message saying what is wrong. */
export function readRdbFile(buffer: Buffer, options: RdbReadOptions): RdbContents {
  const parser = new RdbStreamParser(options);
  parser.push(buffer);
  parser.parse(Infinity, true);
  if (!options.allowTrailingData && parser.rest().length !== 0) {
    throw new RdbLoadError('Unexpected data after the end of the RDB file');
  }
  return parser.contents;
}

/** Bad or cut data, as the decoders report it (RdbLoadError names it for the caller). */
function isDataError(error: unknown): boolean {
  return error instanceof RdbFormatError || error instanceof FunctionRecordError || error instanceof RangeError;
}

/**
 * An RDB read as its bytes arrive (a replica's diskless load, rdbLoadRio on a socket):
 * push() bytes, parse() what is complete, entry by entry. An entry cut by the end of
 * the bytes so far is parsed again once more bytes are in (and only when at least twice
 * as many are, so that a large value costs linear time, or when forced: the caller
 * knows that no more bytes are coming for now). Bytes after the RDB's end (the
 * checksum) are left in rest(). With `final`, the end of the bytes is the end of the
 * data: an incomplete entry is an error, as in a file.
 */
export class RdbStreamParser {
  readonly contents: RdbContents = {
    version: 0,
    aux: new Map(),
    functions: [],
    databases: new Map(),
    keysLoaded: 0,
    keysExpired: 0,
    length: 0,
  };
  /** The end of the RDB (EOF opcode and checksum) was read. */
  get done(): boolean {
    return this.phase === 'done';
  }
  private phase: 'header' | 'entries' | 'checksum' | 'done' = 'header';
  private chunks: Buffer[] = [];
  private pending = 0;
  /** Bytes that must be pending before an incomplete entry is tried again. */
  private retryAt = 0;
  private readonly crc = new Crc64();
  private db: LoadedDatabase;
  private dbId = 0;
  private expireMs = -1;

  constructor(private readonly options: RdbReadOptions) {
    this.db = databaseOf(this.contents, 0);
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.pending += chunk.length;
  }

  /**
   * An entry was cut short and not enough has come since to try it again: parse()
   * does nothing until then, unless forced (no more bytes are coming for now).
   */
  get waiting(): boolean {
    return this.pending < this.retryAt;
  }

  /** Bytes pushed and not parsed yet (after the end: what follows the RDB). */
  rest(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /**
   * Parses complete entries, at most `maxKeys` keys; returns the keys parsed. Throws
   * RdbLoadError for bad data (and, with `final`, for data that ends too soon).
   */
  parse(maxKeys: number, final: boolean, force = false): number {
    if (this.phase === 'done' || (!final && !force && this.waiting)) return 0;
    this.retryAt = 0;
    const buffer = this.rest();
    const reader = new RdbReader(buffer, 0);
    let consumed = 0;
    let keys = 0;
    try {
      if (this.phase === 'header') {
        if (buffer.length < 9 && !final) return 0;
        this.readHeader(buffer);
        consumed = reader.position = 9;
        this.phase = 'entries';
      }
      while (this.phase === 'entries' && keys < maxKeys) {
        try {
          if (this.entry(reader)) keys++;
        } catch (error) {
          // Only a read past the bytes so far may be completed by more; an error inside
          // them (or inside a value's own bytes, read by a nested decoder) is corruption.
          if (final || !reader.ranOut) throw error;
          reader.ranOut = false;
          // Cut by the end of what arrived: try again with twice as much.
          this.retryAt = 2 * (buffer.length - consumed);
          break;
        }
        consumed = reader.position;
      }
      this.crc.update(buffer, 0, consumed);
      if (this.phase === 'checksum') {
        if (this.contents.version < 5) {
          this.phase = 'done';
        } else if (buffer.length - consumed >= 8 || final) {
          const stored = reader.readBigUInt64LE();
          if (this.options.verifyChecksum && stored !== 0n && this.crc.digest() !== stored) throw new RdbLoadError('Wrong RDB checksum');
          consumed = reader.position;
          this.phase = 'done';
        }
      }
    } catch (error) {
      if (error instanceof RdbLoadError) throw error;
      if (isDataError(error)) throw new RdbLoadError(`Bad RDB data: ${(error as Error).message}`);
      throw error;
    }
    this.contents.length += consumed;
    const rest = buffer.subarray(consumed);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.pending = rest.length;
    return keys;
  }

  private readHeader(buffer: Buffer): void {
    if (buffer.length < 9 || buffer.toString('latin1', 0, 5) !== 'REDIS') {
      throw new RdbLoadError('Wrong signature trying to load DB from file');
    }
    const versionText = buffer.toString('latin1', 5, 9);
    const version = /^\d{4}$/.test(versionText) ? Number(versionText) : -1;
    if (version < 1 || version > MAX_READ_RDB_VERSION) throw new RdbLoadError(`Can't handle RDB format version ${versionText}`);
    this.contents.version = version;
  }

  /** One opcode and what it carries; true if it was a key. Sets `done` at EOF. */
  private entry(reader: RdbReader): boolean {
    const options = this.options;
    const contents = this.contents;
    const type = reader.readByte();
    switch (type) {
      case RdbOpcode.EXPIRETIME:
        this.expireMs = reader.readUInt32LE() * 1000;
        return false;
      case RdbOpcode.EXPIRETIME_MS:
        this.expireMs = reader.readInt64LE();
        return false;
      case RdbOpcode.FREQ:
        reader.readByte();
        return false;
      case RdbOpcode.IDLE:
        reader.readLength();
        return false;
      case RdbOpcode.SELECTDB: {
        const id = reader.readLength();
        if (id >= options.databases) {
          throw new RdbLoadError(
            `Data file was created with a Redis server configured to handle more than ${options.databases} databases`,
          );
        }
        this.db = databaseOf(contents, id);
        this.dbId = id;
        return false;
      }
      case RdbOpcode.RESIZEDB:
        reader.readLength();
        reader.readLength();
        return false;
      case RDB_OPCODE_SLOT_INFO:
        reader.readLength();
        reader.readLength();
        reader.readLength();
        return false;
      case RdbOpcode.AUX: {
        const name = reader.readString();
        contents.aux.set(name, reader.readString());
        return false;
      }
      case RdbOpcode.MODULE_AUX:
        throw new RdbLoadError('The RDB file contains module data, which lunakv cannot load');
      case RdbOpcode.FUNCTION:
      case RdbOpcode.FUNCTION2:
        contents.functions.push(readFunctionRecord(reader, type));
        return false;
      case RdbOpcode.EOF:
        this.phase = 'checksum';
        return false;
      default: {
        const key = reader.readString();
        let value: RedisValue | null;
        try {
          value = readValue(reader, type, options.limits);
        } catch (error) {
          if (!(error instanceof EmptyKeyError)) throw error;
          value = null; // rdbLoad skips empty keys with a warning
        }
        const expireMs = this.expireMs;
        const expired = expireMs !== -1 && options.dropExpiredBefore !== null && expireMs < options.dropExpiredBefore;
        const db = this.db;
        if (value !== null && !expired) {
          if (db.data.has(key)) throw new RdbLoadError(`Duplicate key '${printable(key)}' in the RDB file`);
          db.data.set(key, value);
          if (expireMs !== -1) db.expires.set(key, expireMs);
          contents.keysLoaded++;
        } else if (expired) {
          contents.keysExpired++;
          options.onExpiredDropped?.(this.dbId, key);
        }
        this.expireMs = -1;
        return true;
      }
    }
  }
}

function databaseOf(contents: RdbContents, id: number): LoadedDatabase {
  let db = contents.databases.get(id);
  if (!db) {
    db = { data: new Map(), expires: new Map() };
    contents.databases.set(id, db);
  }
  return db;
}

function printable(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}...` : key;
}

/**
 * RESTORE's payload: footer checked (null when wrong), then type byte and value.
 * Throws RdbFormatError for any data problem (RESTORE replies "Bad data format").
 */
export function decodeDumpPayload(payload: Buffer, limits: EncodingLimits, skipChecksum = false): RedisValue | null {
  if (!verifyDumpPayload(payload, { skipChecksum })) return null;
  // Like Redis, the object is read from the whole payload (it may run into the footer).
  const reader = new RdbReader(payload);
  const type = reader.readByte();
  return readValue(reader, type, limits);
}

/** rdbLoadObject: the value of one type, as a lunakv value. */
export function readValue(reader: RdbReader, type: number, limits: EncodingLimits): RedisValue {
  switch (type) {
    case RdbType.STRING:
      return reader.readString();
    case RdbType.LIST: {
      const count = reader.readLength();
      const elements: string[] = [];
      for (let i = 0; i < count; i++) elements.push(reader.readString());
      return listOf(elements);
    }
    case RdbType.SET: {
      const count = reader.readLength();
      const set = new RedisSet();
      for (let i = 0; i < count; i++) addMember(set, limits, reader.readString());
      return nonEmpty(set);
    }
    case RdbType.ZSET:
    case RdbType.ZSET_2: {
      const count = reader.readLength();
      const zset = new RedisZSet();
      for (let i = 0; i < count; i++) {
        const member = reader.readString();
        const score = type === RdbType.ZSET_2 ? reader.readDoubleLE() : readStringDouble(reader);
        addScored(zset, limits, member, score);
      }
      zset.fitEncoding(limits);
      return nonEmpty(zset);
    }
    case RdbType.HASH: {
      const count = reader.readLength();
      const hash = new RedisHash();
      for (let i = 0; i < count; i++) {
        const field = reader.readString();
        addField(hash, limits, field, reader.readString());
      }
      return nonEmpty(hash);
    }
    case RdbType.HASH_ZIPMAP:
      return hashOf(decodeZipmap(reader.readStringBuffer()), limits);
    case RdbType.HASH_ZIPLIST:
      return hashOf(decodeZiplist(reader.readStringBuffer()), limits);
    case RdbType.HASH_LISTPACK:
      return hashOf(decodeListpack(reader.readStringBuffer()), limits);
    case RdbType.LIST_ZIPLIST:
      return listOf(decodeZiplist(reader.readStringBuffer()));
    case RdbType.SET_INTSET:
      return setOf(decodeIntset(reader.readStringBuffer()), limits);
    case RdbType.SET_LISTPACK:
      return setOf(decodeListpack(reader.readStringBuffer()), limits);
    case RdbType.ZSET_ZIPLIST:
      return zsetOf(decodeZiplist(reader.readStringBuffer()), limits);
    case RdbType.ZSET_LISTPACK:
      return zsetOf(decodeListpack(reader.readStringBuffer()), limits);
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2:
      return readQuicklist(reader, type);
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
    case RdbType.STREAM_LISTPACKS_3:
      return readStream(reader, type);
    case RdbType.MODULE:
    case RdbType.MODULE_2:
      throw new RdbLoadError('The data contains a module value, which lunakv cannot load');
    default:
      throw new RdbFormatError(`Unknown RDB object type ${type}`);
  }
}

function readQuicklist(reader: RdbReader, type: number): RedisList {
  const nodes = reader.readLength();
  const elements: string[] = [];
  for (let i = 0; i < nodes; i++) {
    let container = 2; // QUICKLIST_NODE_CONTAINER_PACKED
    if (type === RdbType.LIST_QUICKLIST_2) {
      container = reader.readLength();
      if (container !== 1 && container !== 2) throw new RdbFormatError('Quicklist integrity check failed');
    }
    if (container === 1) {
      elements.push(reader.readString());
      continue;
    }
    const blob = reader.readStringBuffer();
    const items = type === RdbType.LIST_QUICKLIST_2 ? decodeListpack(blob) : decodeZiplist(blob);
    // Redis skips empty nodes (after a failed sanitization they could not exist).
    for (const item of items) elements.push(item);
  }
  return listOf(elements);
}

/** rdbLoadDoubleValue: 1 length byte (253 nan, 254 inf, 255 -inf) then ASCII. */
function readStringDouble(reader: RdbReader): number {
  const length = reader.readByte();
  if (length === 253) return NaN;
  if (length === 254) return Infinity;
  if (length === 255) return -Infinity;
  const text = reader.readBytes(length).toString('latin1');
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new RdbFormatError('Invalid double in RDB');
  return value;
}

function listOf(elements: string[]): RedisList {
  if (elements.length === 0) throw new EmptyKeyError('Empty list');
  const list = new RedisList();
  list.replaceAll(elements);
  return list;
}

function setOf(members: string[], limits: EncodingLimits): RedisSet {
  const set = new RedisSet();
  for (const m of members) addMember(set, limits, m);
  return nonEmpty(set);
}

function addMember(set: RedisSet, limits: EncodingLimits, member: string): void {
  if (!set.add(limits, member)) throw new RdbFormatError('Duplicate set members detected');
}

function hashOf(pairs: string[], limits: EncodingLimits): RedisHash {
  if (pairs.length % 2 !== 0) throw new RdbFormatError('Hash with an odd number of elements');
  const hash = new RedisHash();
  for (let i = 0; i < pairs.length; i += 2) addField(hash, limits, pairs[i]!, pairs[i + 1]!);
  return nonEmpty(hash);
}

function addField(hash: RedisHash, limits: EncodingLimits, field: string, value: string): void {
  if (!hash.set(limits, field, value)) throw new RdbFormatError('Duplicate hash fields detected');
}

function zsetOf(pairs: string[], limits: EncodingLimits): RedisZSet {
  if (pairs.length % 2 !== 0) throw new RdbFormatError('Zset with an odd number of elements');
  const zset = new RedisZSet();
  for (let i = 0; i < pairs.length; i += 2) {
    const text = pairs[i + 1]!;
    const score = parseScore(text);
    addScored(zset, limits, pairs[i]!, score);
  }
  zset.fitEncoding(limits);
  return nonEmpty(zset);
}

function addScored(zset: RedisZSet, limits: EncodingLimits, member: string, score: number): void {
  if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected');
  if (zset.score(member) !== undefined) throw new RdbFormatError('Duplicate zset fields detected');
  zset.set(limits, member, score);
}

/** zzlGetScore: strtod of the stored text. */
function parseScore(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new RdbFormatError('Invalid zset score');
  return value;
}

function nonEmpty<T extends { isEmpty(): boolean }>(value: T): T {
  if (value.isEmpty()) throw new EmptyKeyError('Empty collection');
  return value;
}
