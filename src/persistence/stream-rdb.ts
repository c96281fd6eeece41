/**
 * Streams in RDB files and DUMP payloads (rdbSaveObject / rdbLoadObject for OBJ_STREAM,
 * Redis 7.0 writes RDB_TYPE_STREAM_LISTPACKS_2).
 *
 *   stream  := nodes:len (node-key:string listpack:string)*
 *              length:len last-id first-id max-deleted-id entries-added:len
 *              groups:len group*
 *   id      := ms:len seq:len
 *   group   := name:string last-id entries-read:len pel:len (raw-id time:ms64 count:len)*
 *              consumers:len (name:string seen:ms64 [active:ms64, type 21] pel:len raw-id*)*
 *
 * A node key is the node's master ID as 16 big-endian bytes. Each listpack holds a
 * master entry (count, deleted, field names, 0) and then the entries, delta-encoded from
 * the master ID (see streamAppendItem):
 *   flags ms-diff seq-diff [num-fields field value ...|value ...] lp-count
 *
 * lunakv keeps no tombstones, so a node is written with its live entries only and the
 * first live entry as master: the bytes equal Redis's for streams without XDEL.
 */
import { RedisStream, idMs, idSeq, makeId, type Consumer, type PendingEntry, type StreamId } from '../keyspace/types/stream.js';
import { ListpackBuilder, decodeListpack } from './listpack.js';
import { RdbFormatError, type RdbReader, type RdbStringOptions, type RdbWriter } from './rdb-encoding.js';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const U32_MAX = 0xffffffffn;
const LENGTH_64BIT_MARKER = 0x81;

/** Layout versions: 15 (5.0), 19 (7.0: first ID, tombstone, entries-added), 21 (7.2: consumer active time). */
export const STREAM_LISTPACKS = 15;
export const STREAM_LISTPACKS_2 = 19;
export const STREAM_LISTPACKS_3 = 21;

/** rdbSaveLen of a 64-bit unsigned value. */
function writeLength64(writer: RdbWriter, value: bigint): void {
  if (value <= U32_MAX) {
    writer.writeLength(Number(value));
    return;
  }
  const bytes = Buffer.allocUnsafe(9);
  bytes[0] = LENGTH_64BIT_MARKER;
  bytes.writeBigUInt64BE(value, 1);
  writer.writeBytes(bytes);
}

/** rdbLoadLen with all 64 bits kept (stream IDs use the whole range). */
function readLength64(reader: RdbReader): bigint {
  const first = reader.readByte();
  if (first === LENGTH_64BIT_MARKER) return reader.readBytes(8).readBigUInt64BE(0);
  if (first === 0x80) return BigInt(reader.readBytes(4).readUInt32BE(0));
  const kind = first >>> 6;
  if (kind === 0) return BigInt(first & 0x3f);
  if (kind === 1) return BigInt(((first & 0x3f) << 8) | reader.readByte());
  if (kind === 3) return BigInt(first & 0x3f); // rdbLoadLen reads an encoding byte as its length
  throw new RdbFormatError(`Unknown length encoding ${first}`);
}

function writeId(writer: RdbWriter, id: StreamId): void {
  writeLength64(writer, idMs(id));
  writeLength64(writer, idSeq(id));
}

function readId(reader: RdbReader): StreamId {
  const ms = readLength64(reader);
  return makeId(ms, readLength64(reader));
}

/** The 16-byte big-endian form of an ID (rax keys, PEL entries). */
function rawId(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(idMs(id), 0);
  b.writeBigUInt64BE(idSeq(id), 8);
  return b;
}

function parseRawId(b: Buffer): StreamId {
  if (b.length !== 16) throw new RdbFormatError('Stream node key entry is not the size of a stream ID');
  return makeId(b.readBigUInt64BE(0), b.readBigUInt64BE(8));
}

/** rdbSaveMillisecondTime: int64 little-endian. */
function writeMsTime(writer: RdbWriter, ms: number): void {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(BigInt(Math.trunc(ms)), 0);
  writer.writeBytes(b);
}

function readMsTime(reader: RdbReader): number {
  return Number(reader.readBytes(8).readBigInt64LE(0));
}

/** An unsigned 64-bit difference as the int64 lpAppendInteger stores. */
function int64Text(value: bigint): string {
  return BigInt.asIntN(64, value).toString();
}

/** Byte-wise order of names, as radix trees iterate. Names are binary strings. */
function byName<T extends { name: string }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function byId<T extends { id: StreamId }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One node: entries delta-encoded from the master ID, the first live entry's fields as master fields. */
function nodeListpack(masterId: StreamId, entries: readonly { id: StreamId; fields: string[] }[]): Buffer {
  const master = entries[0];
  const masterMs = idMs(masterId);
  const masterSeq = idSeq(masterId);
  const masterFieldCount = master.fields.length / 2;
  const lp = new ListpackBuilder(256);
  lp.append(String(entries.length));
  lp.append('0');
  lp.append(String(masterFieldCount));
  for (let i = 0; i < master.fields.length; i += 2) lp.append(master.fields[i]);
  lp.append('0');
  for (const e of entries) {
    const fieldCount = e.fields.length / 2;
    let same = fieldCount === masterFieldCount;
    for (let i = 0; same && i < e.fields.length; i += 2) same = e.fields[i] === master.fields[i];
    lp.append(same ? String(FLAG_SAMEFIELDS) : '0');
    lp.append(int64Text(idMs(e.id) - masterMs));
    lp.append(int64Text(idSeq(e.id) - masterSeq));
    if (same) {
      for (let i = 1; i < e.fields.length; i += 2) lp.append(e.fields[i]);
      lp.append(String(fieldCount + 3));
    } else {
      lp.append(String(fieldCount));
      for (const f of e.fields) lp.append(f);
      lp.append(String(fieldCount * 2 + 4));
    }
  }
  return lp.finish();
}

/** rdbSaveObject for a stream (RDB_TYPE_STREAM_LISTPACKS_2 body). */
export function writeStream(writer: RdbWriter, stream: RedisStream, options: RdbStringOptions): void {
  const nodes = [...stream.nodes()];
  writer.writeLength(nodes.length);
  for (const { master, entries } of nodes) {
    writer.writeString(rawId(master), options);
    writer.writeString(nodeListpack(master, entries), options);
  }
  writer.writeLength(stream.length);
  writeId(writer, stream.lastId);
  writeId(writer, stream.firstId);
  writeId(writer, stream.maxDeletedId);
  writeLength64(writer, BigInt(stream.entriesAdded));
  writer.writeLength(stream.groups.size);
  for (const group of byName(stream.groups.values())) {
    writer.writeString(group.name, options);
    writeId(writer, group.lastId);
    writeLength64(writer, BigInt.asUintN(64, BigInt(group.entriesRead)));
    const pel = byId(group.pending.values());
    writer.writeLength(pel.length);
    for (const p of pel) {
      writer.writeBytes(rawId(p.id));
      writeMsTime(writer, p.deliveryTime);
      writer.writeLength(p.deliveryCount);
    }
    const consumers = byName(group.consumers.values());
    writer.writeLength(consumers.length);
    for (const c of consumers) {
      writer.writeString(c.name, options);
      writeMsTime(writer, c.seenTime);
      const own = byId(c.pending.values());
      writer.writeLength(own.length);
      for (const p of own) writer.writeBytes(rawId(p.id));
    }
  }
}

/** Decodes one node's listpack: its live entries and how many entries it received. */
function readNode(master: StreamId, blob: Buffer): { entries: { id: StreamId; fields: string[] }[]; filled: number } {
  const items = decodeListpack(blob);
  let p = 0;
  const next = (): string => {
    if (p >= items.length) throw new RdbFormatError('Stream listpack integrity check failed.');
    return items[p++];
  };
  const int = (): bigint => {
    const s = next();
    if (!/^-?\d+$/.test(s)) throw new RdbFormatError('Stream listpack integrity check failed.');
    return BigInt(s);
  };
  const count = Number(int());
  const deleted = Number(int());
  const masterFieldCount = Number(int());
  const masterFields: string[] = [];
  for (let i = 0; i < masterFieldCount; i++) masterFields.push(next());
  if (int() !== 0n) throw new RdbFormatError('Stream listpack integrity check failed.');
  const entries: { id: StreamId; fields: string[] }[] = [];
  const masterMs = idMs(master);
  const masterSeq = idSeq(master);
  for (let n = 0; n < count + deleted; n++) {
    const flags = Number(int());
    const ms = BigInt.asUintN(64, masterMs + int());
    const seq = BigInt.asUintN(64, masterSeq + int());
    const fields: string[] = [];
    if (flags & FLAG_SAMEFIELDS) {
      for (let i = 0; i < masterFieldCount; i++) fields.push(masterFields[i], next());
    } else {
      const fieldCount = Number(int());
      for (let i = 0; i < fieldCount * 2; i++) fields.push(next());
    }
    int(); // lp-count, for walking backwards
    if (!(flags & FLAG_DELETED)) entries.push({ id: makeId(ms, seq), fields });
  }
  if (p !== items.length || entries.length !== count) throw new RdbFormatError('Stream listpack integrity check failed.');
  return { entries, filled: count + deleted };
}

/** rdbLoadObject for RDB_TYPE_STREAM_LISTPACKS{,_2,_3}. */
export function readStream(reader: RdbReader, type: number): RedisStream {
  const stream = new RedisStream();
  let previous = -1n;
  for (let n = reader.readLength(); n > 0; n--) {
    const master = parseRawId(reader.readStringBuffer());
    if (master <= previous) throw new RdbFormatError('Listpack re-added with existing key');
    previous = master;
    const node = readNode(master, Buffer.from(reader.readStringBuffer()));
    if (node.filled === 0) throw new RdbFormatError('Empty listpack inside stream');
    stream.loadNode(master, node.entries, node.filled);
  }
  const length = reader.readLength();
  if (length !== stream.length) throw new RdbFormatError('Stream length inconsistent with rax entries');
  stream.lastId = readId(reader);
  if (type >= STREAM_LISTPACKS_2) {
    readId(reader); // first ID: lunakv derives it from the entries
    stream.maxDeletedId = readId(reader);
    stream.entriesAdded = Number(readLength64(reader));
  } else {
    stream.entriesAdded = stream.length;
  }
  for (let groups = reader.readLength(); groups > 0; groups--) {
    const name = reader.readString();
    if (stream.groups.has(name)) throw new RdbFormatError(`Duplicated consumer group name ${name}`);
    const lastId = readId(reader);
    const entriesRead = type >= STREAM_LISTPACKS_2 ? Number(BigInt.asIntN(64, readLength64(reader))) : -2;
    const group = { name, lastId, entriesRead, pending: new Map<StreamId, PendingEntry>(), consumers: new Map<string, Consumer>() };
    if (entriesRead === -2) group.entriesRead = stream.estimateDistance(lastId);
    stream.groups.set(name, group);
    // The group PEL comes first without owners; consumers then claim their entries.
    const unowned = new Map<StreamId, { deliveryTime: number; deliveryCount: number }>();
    for (let n = reader.readLength(); n > 0; n--) {
      const id = parseRawId(reader.readBytes(16));
      const deliveryTime = readMsTime(reader);
      const deliveryCount = reader.readLength();
      if (unowned.has(id)) throw new RdbFormatError('Duplicated global PEL entry loading stream consumer group');
      unowned.set(id, { deliveryTime, deliveryCount });
    }
    for (let n = reader.readLength(); n > 0; n--) {
      const consumerName = reader.readString();
      if (group.consumers.has(consumerName)) throw new RdbFormatError('Duplicate stream consumer detected.');
      const seenTime = readMsTime(reader);
      if (type >= STREAM_LISTPACKS_3) readMsTime(reader); // active time (7.2)
      const consumer: Consumer = { name: consumerName, seenTime, pending: new Map() };
      group.consumers.set(consumerName, consumer);
      for (let k = reader.readLength(); k > 0; k--) {
        const id = parseRawId(reader.readBytes(16));
        const nack = unowned.get(id);
        if (!nack) throw new RdbFormatError('Consumer entry not found in group global PEL');
        unowned.delete(id);
        const pe: PendingEntry = { id, consumer, deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount };
        consumer.pending.set(id, pe);
        group.pending.set(id, pe);
      }
    }
    if (unowned.size !== 0) throw new RdbFormatError('Stream CG PEL entry without consumer');
  }
  return stream;
}
