/**
 * The listpack byte format (listpack.c in Redis 7.0), as it appears inside RDB files
 * and DUMP payloads: hashes, small sorted sets and quicklist nodes are stored as one
 * listpack blob each.
 *
 *   listpack := total-bytes:u32le count:u16le entry* 0xFF      (count 65535 = unknown)
 *   entry    := encoding [data] backlen
 *
 * Strings that parse as canonical int64 decimals (lpStringToInt64) are stored as
 * integers in the smallest form, so the bytes match what Redis writes.
 */
import { RdbFormatError } from './rdb-encoding.js';

const HEADER_SIZE = 6;
const END_MARKER = 0xff;
const COUNT_UNKNOWN = 65535;

/** Canonical int64 decimal (lpStringToInt64): the value as a bigint-free number pair, or null. */
export function listpackInteger(s: string): bigint | number | null {
  const length = s.length;
  if (length === 0 || length >= 21) return null;
  if (length === 1 && s.charCodeAt(0) === 0x30) return 0;
  let i = 0;
  if (s.charCodeAt(0) === 0x2d) {
    i = 1;
    if (length === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 0x31 || first > 0x39) return null;
  for (let j = i + 1; j < length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return null;
  }
  if (length <= 15) return Number(s);
  const value = BigInt(s);
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return null;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Builds one listpack; append() elements, then finish(). */
export class ListpackBuilder {
  private buffer: Buffer;
  private used = HEADER_SIZE;
  count = 0;

  constructor(initialCapacity = 64) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Bytes the listpack would have if finished now. */
  get byteLength(): number {
    return this.used + 1;
  }

  append(element: string): void {
    const integer = listpackInteger(element);
    const start = this.used;
    if (integer !== null) this.writeInteger(integer);
    else this.writeStringEntry(element);
    this.writeBacklen(this.used - start);
    this.count++;
  }

  finish(): Buffer {
    this.reserve(1);
    this.buffer[this.used++] = END_MARKER;
    this.buffer.writeUInt32LE(this.used, 0);
    this.buffer.writeUInt16LE(this.count < COUNT_UNKNOWN ? this.count : COUNT_UNKNOWN, 4);
    return this.buffer.subarray(0, this.used);
  }

  private writeInteger(value: number | bigint): void {
    this.reserve(9);
    const b = this.buffer;
    if (typeof value === 'number') {
      if (value >= 0 && value <= 127) {
        b[this.used++] = value;
        return;
      }
      if (value >= -4096 && value <= 4095) {
        const v = value < 0 ? (1 << 13) + value : value;
        b[this.used++] = (v >> 8) | 0xc0;
        b[this.used++] = v & 0xff;
        return;
      }
      if (value >= -32768 && value <= 32767) {
        b[this.used++] = 0xf1;
        this.used = b.writeInt16LE(value, this.used);
        return;
      }
      if (value >= -8388608 && value <= 8388607) {
        b[this.used++] = 0xf2;
        this.used = b.writeIntLE(value, this.used, 3);
        return;
      }
      if (value >= -2147483648 && value <= 2147483647) {
        b[this.used++] = 0xf3;
        this.used = b.writeInt32LE(value, this.used);
        return;
      }
    }
    b[this.used++] = 0xf4;
    this.used = b.writeBigInt64LE(BigInt(value), this.used);
  }

  private writeStringEntry(s: string): void {
    const length = s.length;
    this.reserve(length + 5);
    const b = this.buffer;
    if (length < 64) {
      b[this.used++] = 0x80 | length;
    } else if (length < 4096) {
      b[this.used++] = 0xe0 | (length >> 8);
      b[this.used++] = length & 0xff;
    } else {
      b[this.used++] = 0xf0;
      this.used = b.writeUInt32LE(length, this.used);
    }
    this.used += b.write(s, this.used, length, 'latin1');
  }

  /** lpEncodeBacklen: the entry length, 7 bits per byte, read right to left. */
  private writeBacklen(l: number): void {
    this.reserve(5);
    const b = this.buffer;
    if (l <= 127) {
      b[this.used++] = l;
    } else if (l < 16383) {
      b[this.used++] = l >>> 7;
      b[this.used++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[this.used++] = l >>> 14;
      b[this.used++] = ((l >>> 7) & 127) | 128;
      b[this.used++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[this.used++] = l >>> 21;
      b[this.used++] = ((l >>> 14) & 127) | 128;
      b[this.used++] = ((l >>> 7) & 127) | 128;
      b[this.used++] = (l & 127) | 128;
    } else {
      b[this.used++] = Math.floor(l / 2 ** 28);
      b[this.used++] = ((l >>> 21) & 127) | 128;
      b[this.used++] = ((l >>> 14) & 127) | 128;
      b[this.used++] = ((l >>> 7) & 127) | 128;
      b[this.used++] = (l & 127) | 128;
    }
  }

  private reserve(extra: number): void {
    const needed = this.used + extra + 1;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}

/** A listpack of these elements, as lpAppend would build it. */
export function encodeListpack(elements: Iterable<string>): Buffer {
  const builder = new ListpackBuilder();
  for (const e of elements) builder.append(e);
  return builder.finish();
}

/**
 * The elements of a listpack blob, as lunakv strings (integers in decimal). Validates
 * the header, every entry's bounds and backlen, and the terminator; throws RdbFormatError.
 */
export function decodeListpack(blob: Buffer): string[] {
  if (blob.length < HEADER_SIZE + 1) throw new RdbFormatError('Listpack too short');
  const total = blob.readUInt32LE(0);
  if (total !== blob.length) throw new RdbFormatError('Listpack size mismatch');
  const declared = blob.readUInt16LE(4);
  const out: string[] = [];
  let p = HEADER_SIZE;
  const end = total - 1;
  while (p < end) {
    const start = p;
    const e = blob[p]!;
    let value: string;
    if (e < 0x80) {
      value = String(e);
      p += 1;
    } else if (e < 0xc0) {
      const length = e & 0x3f;
      need(blob, p + 1 + length, end);
      value = blob.toString('latin1', p + 1, p + 1 + length);
      p += 1 + length;
    } else if (e < 0xe0) {
      need(blob, p + 2, end);
      let v = ((e & 0x1f) << 8) | blob[p + 1]!;
      if (v >= 1 << 12) v -= 1 << 13;
      value = String(v);
      p += 2;
    } else if (e < 0xf0) {
      need(blob, p + 2, end);
      const length = ((e & 0x0f) << 8) | blob[p + 1]!;
      need(blob, p + 2 + length, end);
      value = blob.toString('latin1', p + 2, p + 2 + length);
      p += 2 + length;
    } else if (e === 0xf0) {
      need(blob, p + 5, end);
      const length = blob.readUInt32LE(p + 1);
      need(blob, p + 5 + length, end);
      value = blob.toString('latin1', p + 5, p + 5 + length);
      p += 5 + length;
    } else if (e === 0xf1) {
      need(blob, p + 3, end);
      value = String(blob.readInt16LE(p + 1));
      p += 3;
    } else if (e === 0xf2) {
      need(blob, p + 4, end);
      value = String(blob.readIntLE(p + 1, 3));
      p += 4;
    } else if (e === 0xf3) {
      need(blob, p + 5, end);
      value = String(blob.readInt32LE(p + 1));
      p += 5;
    } else if (e === 0xf4) {
      need(blob, p + 9, end);
      value = blob.readBigInt64LE(p + 1).toString();
      p += 9;
    } else {
      throw new RdbFormatError('Invalid listpack entry encoding');
    }
    const entryLength = p - start;
    const backlenSize = entryLength <= 127 ? 1 : entryLength < 16383 ? 2 : entryLength < 2097151 ? 3 : entryLength < 268435455 ? 4 : 5;
    need(blob, p + backlenSize, end);
    if (decodeBacklen(blob, p + backlenSize - 1) !== entryLength) throw new RdbFormatError('Invalid listpack backlen');
    p += backlenSize;
    out.push(value);
  }
  if (p !== end || blob[end] !== END_MARKER) throw new RdbFormatError('Listpack not terminated');
  if (declared !== COUNT_UNKNOWN && declared !== out.length) throw new RdbFormatError('Listpack count mismatch');
  return out;
}

function need(blob: Buffer, upTo: number, end: number): void {
  if (upTo > end) throw new RdbFormatError('Listpack entry out of range');
}

/** Reads a backlen whose last byte is at `last`, walking left. */
function decodeBacklen(blob: Buffer, last: number): number {
  let value = 0;
  let shift = 1;
  for (let p = last; ; p--) {
    const byte = blob[p]!;
    value += (byte & 127) * shift;
    if (!(byte & 128)) return value;
    shift *= 128;
    if (last - p >= 4) return -1;
  }
}
