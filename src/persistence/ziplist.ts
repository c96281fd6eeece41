/**
 * Read-only decoders for the encodings older RDB files (before Redis 7.0) use:
 * ziplist (ziplist.c) and zipmap (zipmap.c). lunakv never writes them.
 *
 *   ziplist := zlbytes:u32le zltail:u32le zllen:u16le entry* 0xFF
 *   entry   := prevlen (1 byte, or 0xFE + u32le) encoding data
 *   zipmap  := zmlen:u8 (len key len free value pad)* 0xFF
 */
import { RdbFormatError } from './rdb-encoding.js';

export function decodeZiplist(blob: Buffer): string[] {
  if (blob.length < 11) throw new RdbFormatError('Ziplist too short');
  if (blob.readUInt32LE(0) !== blob.length) throw new RdbFormatError('Ziplist size mismatch');
  const out: string[] = [];
  let p = 10;
  const end = blob.length - 1;
  while (p < end) {
    p += blob[p] === 0xfe ? 5 : 1; // prevlen
    check(p, end);
    const e = blob[p]!;
    const kind = e >> 6;
    let value: string;
    if (kind === 0) {
      value = slice(blob, p + 1, e & 0x3f, end);
      p += 1 + (e & 0x3f);
    } else if (kind === 1) {
      check(p + 1, end);
      const length = ((e & 0x3f) << 8) | blob[p + 1]!;
      value = slice(blob, p + 2, length, end);
      p += 2 + length;
    } else if (kind === 2) {
      check(p + 4, end);
      const length = blob.readUInt32BE(p + 1);
      value = slice(blob, p + 5, length, end);
      p += 5 + length;
    } else if (e === 0xc0) {
      check(p + 2, end);
      value = String(blob.readInt16LE(p + 1));
      p += 3;
    } else if (e === 0xd0) {
      check(p + 4, end);
      value = String(blob.readInt32LE(p + 1));
      p += 5;
    } else if (e === 0xe0) {
      check(p + 8, end);
      value = blob.readBigInt64LE(p + 1).toString();
      p += 9;
    } else if (e === 0xf0) {
      check(p + 3, end);
      value = String(blob.readIntLE(p + 1, 3));
      p += 4;
    } else if (e === 0xfe) {
      check(p + 1, end);
      value = String(blob.readInt8(p + 1));
      p += 2;
    } else if (e >= 0xf1 && e <= 0xfd) {
      value = String((e & 0x0f) - 1);
      p += 1;
    } else {
      throw new RdbFormatError('Invalid ziplist entry encoding');
    }
    out.push(value);
  }
  if (p !== end || blob[end] !== 0xff) throw new RdbFormatError('Ziplist not terminated');
  return out;
}

/** Alternating keys and values of a zipmap blob. */
export function decodeZipmap(blob: Buffer): string[] {
  const out: string[] = [];
  let p = 1;
  const end = blob.length - 1;
  const readLength = (): number => {
    check(p, end);
    const first = blob[p]!;
    if (first < 254) {
      p += 1;
      return first;
    }
    if (first === 254) {
      check(p + 4, end);
      const length = blob.readUInt32LE(p + 1);
      p += 5;
      return length;
    }
    throw new RdbFormatError('Invalid zipmap length');
  };
  while (p < end && blob[p] !== 0xff) {
    const keyLength = readLength();
    out.push(slice(blob, p, keyLength, end));
    p += keyLength;
    const valueLength = readLength();
    check(p, end);
    const free = blob[p]!;
    p += 1;
    out.push(slice(blob, p, valueLength, end));
    p += valueLength + free;
  }
  if (p !== end || blob[end] !== 0xff) throw new RdbFormatError('Zipmap not terminated');
  return out;
}

function check(at: number, end: number): void {
  if (at >= end) throw new RdbFormatError('Entry out of range');
}

function slice(blob: Buffer, start: number, length: number, end: number): string {
  if (start + length > end) throw new RdbFormatError('Entry out of range');
  return blob.toString('latin1', start, start + length);
}
