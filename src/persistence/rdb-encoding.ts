/**
 * RDB length and string encodings (rdb.c: rdbSaveLen / rdbLoadLenByRef, rdbSaveRawString /
 * rdbGenericLoadStringObject), shared by DUMP payloads and RDB files.
 *
 * Length: 00xxxxxx (6 bits) | 01xxxxxx yyyyyyyy (14 bits, big-endian) | 0x80 + u32 BE |
 *         0x81 + u64 BE | 11xxxxxx = "special encoding" of kind xxxxxx.
 * String: length + bytes | 0xC0 i8 | 0xC1 i16le | 0xC2 i32le |
 *         0xC3 length(compressed) length(uncompressed) lzf-bytes.
 *
 * Strings come back as Buffers or as lunakv strings (one char per byte, 'latin1').
 */

import { lzfCompress, lzfDecompress, lzfMaxDecompressedLength } from './lzf.js';

const LENGTH_6BIT = 0;
const LENGTH_14BIT = 1;
const LENGTH_SPECIAL = 3;
const LENGTH_32BIT_MARKER = 0x80;
const LENGTH_64BIT_MARKER = 0x81;

/** The kinds that follow an 11xxxxxx byte in a string position. */
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

const TWO_POW_32 = 0x1_0000_0000;

/** The input is not a valid RDB encoding: short read, unknown encoding, bad LZF data. */
export class RdbFormatError extends Error {
  override name = 'RdbFormatError';
}

/** A bounds-checked cursor over RDB-encoded bytes. Every read past `end` throws RdbFormatError. */
export class RdbReader {
  /** Offset of the next byte to read, inside `buffer`. */
  position: number;
  /** Set by readLengthOrEncoding(): whether the value read was a special-encoding kind. */
  lastLengthWasEncoding = false;
  /** A read wanted bytes past `end` (the data may be cut short rather than corrupt). */
  ranOut = false;

  constructor(
    readonly buffer: Buffer,
    start = 0,
    /** Reads never go at or past this offset. */
    readonly end = buffer.length,
  ) {
    this.position = start;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  readByte(): number {
    if (this.position >= this.end) this.outOfData();
    return this.buffer[this.position++]!;
  }

  /** The next n bytes as a view into the underlying buffer (no copy). */
  readBytes(n: number): Buffer {
    const start = this.take(n);
    return this.buffer.subarray(start, start + n);
  }

  readUInt16LE(): number {
    const start = this.take(2);
    return this.buffer.readUInt16LE(start);
  }

  readUInt32LE(): number {
    const start = this.take(4);
    return this.buffer.readUInt32LE(start);
  }

  /** A u64 as a number (exact below 2^53; expire times), signed as int64 like Redis reads it. */
  readInt64LE(): number {
    const start = this.take(8);
    return this.buffer.readInt32LE(start + 4) * TWO_POW_32 + this.buffer.readUInt32LE(start);
  }

  readDoubleLE(): number {
    const start = this.take(8);
    return this.buffer.readDoubleLE(start);
  }

  readBigUInt64LE(): bigint {
    const start = this.take(8);
    return this.buffer.readBigUInt64LE(start);
  }

  /**
   * A length, or a special-encoding kind (then `lastLengthWasEncoding` is true), as
   * rdbLoadLenByRef. Wider forms than necessary are accepted. 64-bit lengths above
   * 2^53 come back rounded; they can never be satisfied by the remaining input anyway.
   */
  readLengthOrEncoding(): number {
    const first = this.readByte();
    const kind = first >>> 6;
    this.lastLengthWasEncoding = false;
    if (kind === LENGTH_SPECIAL) {
      this.lastLengthWasEncoding = true;
      return first & 0x3f;
    }
    if (kind === LENGTH_6BIT) return first & 0x3f;
    if (kind === LENGTH_14BIT) return ((first & 0x3f) << 8) | this.readByte();
    if (first === LENGTH_32BIT_MARKER) {
      const start = this.take(4);
      return this.buffer.readUInt32BE(start);
    }
    if (first === LENGTH_64BIT_MARKER) {
      const start = this.take(8);
      return this.buffer.readUInt32BE(start) * TWO_POW_32 + this.buffer.readUInt32BE(start + 4);
    }
    throw new RdbFormatError(`Unknown length encoding ${kind}`);
  }

  /**
   * A length as rdbLoadLen(rdb, NULL): like Redis, a special-encoding byte 11xxxxxx is
   * not rejected but read as the length xxxxxx.
   */
  readLength(): number {
    return this.readLengthOrEncoding();
  }

  /**
   * An RDB string as bytes. A raw string is returned as a view into the input (no
   * copy); copy it if the input buffer will be reused.
   */
  readStringBuffer(): Buffer {
    const length = this.readLengthOrEncoding();
    if (!this.lastLengthWasEncoding) return this.readBytes(length);
    switch (length) {
      case RDB_ENC_INT8:
      case RDB_ENC_INT16:
      case RDB_ENC_INT32:
        return Buffer.from(String(this.readEncodedInteger(length)), 'latin1');
      case RDB_ENC_LZF:
        return this.readLzfString();
      default:
        throw new RdbFormatError(`Unknown RDB string encoding type ${length}`);
    }
  }

  /** An RDB string as a lunakv string (one char per byte). */
  readString(): string {
    const length = this.readLengthOrEncoding();
    if (!this.lastLengthWasEncoding) {
      const start = this.take(length);
      return this.buffer.toString('latin1', start, start + length);
    }
    switch (length) {
      case RDB_ENC_INT8:
      case RDB_ENC_INT16:
      case RDB_ENC_INT32:
        return String(this.readEncodedInteger(length));
      case RDB_ENC_LZF:
        return this.readLzfString().toString('latin1');
      default:
        throw new RdbFormatError(`Unknown RDB string encoding type ${length}`);
    }
  }

  private readEncodedInteger(encoding: number): number {
    if (encoding === RDB_ENC_INT8) return this.buffer.readInt8(this.take(1));
    if (encoding === RDB_ENC_INT16) return this.buffer.readInt16LE(this.take(2));
    return this.buffer.readInt32LE(this.take(4));
  }

  private readLzfString(): Buffer {
    const compressedLength = this.readLength();
    const uncompressedLength = this.readLength();
    const start = this.take(compressedLength);
    // lzf_decompress reports failure as 0, and Redis compares the result with the
    // declared length: so a declared length of 0 "succeeds" whatever the data.
    if (uncompressedLength === 0) return Buffer.alloc(0);
    if (uncompressedLength > lzfMaxDecompressedLength(compressedLength)) {
      throw new RdbFormatError('Invalid LZF compressed string');
    }
    const output = Buffer.allocUnsafe(uncompressedLength);
    const produced = lzfDecompress(this.buffer, start, start + compressedLength, output, 0, uncompressedLength);
    if (produced !== uncompressedLength) throw new RdbFormatError('Invalid LZF compressed string');
    return output;
  }

  private outOfData(): never {
    this.ranOut = true;
    throw new RdbFormatError('Unexpected end of data');
  }

  /** Claims n bytes and returns their start offset. */
  private take(n: number): number {
    const start = this.position;
    if (n > this.end - start) this.outOfData();
    this.position = start + n;
    return start;
  }
}

/** Options for writing strings. */
export interface RdbStringOptions {
  /** Config `rdbcompression`: try LZF for strings over 20 bytes. Default true. */
  compression?: boolean;
}

/** Largest header before an LZF body: type byte + two 9-byte lengths. */
const MAX_LZF_HEADER = 19;
/** Scratch buffers above this size are not kept between calls. */
const SCRATCH_KEEP_LIMIT = 1 << 20;

let compressScratch: Buffer = Buffer.allocUnsafe(0);
let latin1Scratch: Buffer = Buffer.allocUnsafe(0);

function scratchFor(current: Buffer, size: number): Buffer {
  if (current.length >= size) return current;
  return Buffer.allocUnsafe(Math.max(size, Math.min(current.length * 2, SCRATCH_KEEP_LIMIT)));
}

/** Appends RDB encodings to a buffer that grows as needed. */
export class RdbWriter {
  private buffer: Buffer;
  private used = 0;

  constructor(initialCapacity = 256) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** The bytes written so far, as a view (valid until the next write). */
  view(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** A copy of the bytes written so far, trimmed to size. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }

  /** Forgets the bytes written so far, keeping the buffer (for writing a file in chunks). */
  clear(): void {
    this.used = 0;
  }

  writeByte(value: number): void {
    this.reserve(1);
    this.buffer[this.used++] = value;
  }

  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.reserve(end - start);
    this.buffer.set(bytes.subarray(start, end), this.used);
    this.used += end - start;
  }

  writeUInt16LE(value: number): void {
    this.reserve(2);
    this.used = this.buffer.writeUInt16LE(value, this.used);
  }

  /** A non-negative integer below 2^53 as a u64 (expire times), without a BigInt. */
  writeUInt64LE(value: number): void {
    this.reserve(8);
    this.used = this.buffer.writeUInt32LE(value % TWO_POW_32, this.used);
    this.used = this.buffer.writeUInt32LE(Math.floor(value / TWO_POW_32), this.used);
  }

  writeDoubleLE(value: number): void {
    this.reserve(8);
    this.used = this.buffer.writeDoubleLE(value, this.used);
  }

  writeBigUInt64LE(value: bigint): void {
    this.reserve(8);
    this.used = this.buffer.writeBigUInt64LE(value, this.used);
  }

  /** The shortest length form, as rdbSaveLen. */
  writeLength(length: number): void {
    this.reserve(9);
    this.used = encodeLength(this.buffer, this.used, length);
  }

  /**
   * An RDB string, choosing the form exactly as rdbSaveRawString: integer encoding for
   * canonical decimals that fit in 32 bits (at most 11 bytes), else LZF when enabled,
   * longer than 20 bytes and saving at least 4 bytes, else raw.
   */
  writeString(value: string | Uint8Array, options?: RdbStringOptions): void {
    const length = value.length;
    if (length <= 11) {
      const integer = parseRdbEncodableInteger(value);
      if (integer !== null) {
        this.writeEncodedInteger(integer);
        return;
      }
    }

    if ((options?.compression ?? true) && length > 20) {
      let source: Uint8Array;
      if (typeof value === 'string') {
        latin1Scratch = scratchFor(latin1Scratch, length);
        latin1Scratch.write(value, 0, length, 'latin1');
        source = latin1Scratch;
      } else {
        source = value;
      }
      // Like rdbSaveLzfStringObject: only worth it if it saves at least 4 bytes.
      const limit = length - 4;
      compressScratch = scratchFor(compressScratch, limit);
      const compressedLength = lzfCompress(source, 0, length, compressScratch, 0, limit);
      if (compressedLength > 0) {
        this.reserve(MAX_LZF_HEADER + compressedLength);
        this.buffer[this.used++] = (LENGTH_SPECIAL << 6) | RDB_ENC_LZF;
        this.used = encodeLength(this.buffer, this.used, compressedLength);
        this.used = encodeLength(this.buffer, this.used, length);
        this.buffer.set(compressScratch.subarray(0, compressedLength), this.used);
        this.used += compressedLength;
        this.releaseLargeScratch();
        return;
      }
      this.releaseLargeScratch();
    }

    this.writeLength(length);
    if (typeof value === 'string') {
      this.reserve(length);
      this.used += this.buffer.write(value, this.used, length, 'latin1');
    } else {
      this.writeBytes(value);
    }
  }

  private writeEncodedInteger(value: number): void {
    this.reserve(5);
    const special = LENGTH_SPECIAL << 6;
    if (value >= -128 && value <= 127) {
      this.buffer[this.used++] = special | RDB_ENC_INT8;
      this.used = this.buffer.writeInt8(value, this.used);
    } else if (value >= -32768 && value <= 32767) {
      this.buffer[this.used++] = special | RDB_ENC_INT16;
      this.used = this.buffer.writeInt16LE(value, this.used);
    } else {
      this.buffer[this.used++] = special | RDB_ENC_INT32;
      this.used = this.buffer.writeInt32LE(value, this.used);
    }
  }

  private releaseLargeScratch(): void {
    if (compressScratch.length > SCRATCH_KEEP_LIMIT) compressScratch = Buffer.allocUnsafe(0);
    if (latin1Scratch.length > SCRATCH_KEEP_LIMIT) latin1Scratch = Buffer.allocUnsafe(0);
  }

  private reserve(extra: number): void {
    const needed = this.used + extra;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}

/** Writes the shortest RDB length form of `length` at target[offset]; returns the end offset. */
export function encodeLength(target: Buffer, offset: number, length: number): number {
  if (length < 1 << 6) {
    target[offset] = (LENGTH_6BIT << 6) | length;
    return offset + 1;
  }
  if (length < 1 << 14) {
    target[offset] = (LENGTH_14BIT << 6) | (length >>> 8);
    target[offset + 1] = length & 0xff;
    return offset + 2;
  }
  if (length < TWO_POW_32) {
    target[offset] = LENGTH_32BIT_MARKER;
    target.writeUInt32BE(length, offset + 1);
    return offset + 5;
  }
  target[offset] = LENGTH_64BIT_MARKER;
  target.writeUInt32BE(Math.floor(length / TWO_POW_32), offset + 1);
  target.writeUInt32BE(length % TWO_POW_32, offset + 5);
  return offset + 9;
}

/** Number of bytes encodeLength() writes for `length`. */
export function encodedLengthSize(length: number): number {
  return length < 1 << 6 ? 1 : length < 1 << 14 ? 2 : length < TWO_POW_32 ? 5 : 9;
}

const CHAR_0 = 0x30;
const CHAR_1 = 0x31;
const CHAR_9 = 0x39;
const CHAR_MINUS = 0x2d;

/**
 * The value, if `value` is what rdbTryIntegerEncoding accepts: a canonical decimal as
 * string2ll parses it (optional '-', no leading zeros, no '+', no spaces, not "-0") that
 * fits in a signed 32-bit integer. Else null. Callers limit this to 11 bytes.
 */
export function parseRdbEncodableInteger(value: string | Uint8Array): number | null {
  const length = value.length;
  if (length === 0 || length > 11) return null;
  if (length === 1 && byteAt(value, 0) === CHAR_0) return 0;
  let i = 0;
  const negative = byteAt(value, 0) === CHAR_MINUS;
  if (negative) {
    i = 1;
    if (length === 1) return null;
  }
  const firstDigit = byteAt(value, i);
  if (firstDigit < CHAR_1 || firstDigit > CHAR_9) return null;
  let magnitude = 0;
  for (; i < length; i++) {
    const c = byteAt(value, i);
    if (c < CHAR_0 || c > CHAR_9) return null;
    magnitude = magnitude * 10 + (c - CHAR_0); // at most 11 digits: exact in a double
  }
  const result = negative ? -magnitude : magnitude;
  return result >= -0x8000_0000 && result <= 0x7fff_ffff ? result : null;
}

function byteAt(value: string | Uint8Array, index: number): number {
  return typeof value === 'string' ? value.charCodeAt(index) : value[index]!;
}
