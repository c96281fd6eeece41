/**
 * The intset byte format (intset.c): encoding:u32le (2, 4 or 8 bytes per value),
 * length:u32le, then the values little-endian, sorted ascending, no duplicates.
 * The encoding is the smallest that holds every value, as intsetAdd upgrades it.
 */
import { RdbFormatError } from './rdb-encoding.js';

const HEADER_SIZE = 8;

/** An intset blob for these members (canonical int64 decimals, any order). */
export function encodeIntset(members: Iterable<string>): Buffer {
  const values: bigint[] = [];
  let width = 2;
  for (const m of members) {
    const v = BigInt(m);
    values.push(v);
    if (v < -0x8000_0000n || v > 0x7fff_ffffn) width = 8;
    else if (width < 4 && (v < -0x8000n || v > 0x7fffn)) width = 4;
  }
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const blob = Buffer.allocUnsafe(HEADER_SIZE + values.length * width);
  blob.writeUInt32LE(width, 0);
  blob.writeUInt32LE(values.length, 4);
  let p = HEADER_SIZE;
  for (const v of values) {
    if (width === 2) p = blob.writeInt16LE(Number(v), p);
    else if (width === 4) p = blob.writeInt32LE(Number(v), p);
    else p = blob.writeBigInt64LE(v, p);
  }
  return blob;
}

/** The members of an intset blob, validated (size, encoding, strict ascending order). */
export function decodeIntset(blob: Buffer): string[] {
  if (blob.length < HEADER_SIZE) throw new RdbFormatError('Intset too short');
  const width = blob.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbFormatError('Invalid intset encoding');
  const count = blob.readUInt32LE(4);
  if (HEADER_SIZE + count * width !== blob.length) throw new RdbFormatError('Intset size mismatch');
  const out: string[] = new Array(count);
  let previous: bigint | null = null;
  for (let i = 0, p = HEADER_SIZE; i < count; i++, p += width) {
    const v = width === 2 ? BigInt(blob.readInt16LE(p)) : width === 4 ? BigInt(blob.readInt32LE(p)) : blob.readBigInt64LE(p);
    if (previous !== null && v <= previous) throw new RdbFormatError('Intset not sorted');
    previous = v;
    out[i] = v.toString();
  }
  return out;
}
