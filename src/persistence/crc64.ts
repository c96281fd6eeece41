/**
 * CRC-64 "Jones", the checksum Redis puts at the end of RDB files and DUMP payloads.
 *
 * Parameters (they reproduce real Redis output): width 64, polynomial 0xad93d23594c935a9,
 * reflected input and output, init 0, xorout 0. Check value: crc64("123456789") ===
 * 0xe9c6d914c4b8d9ca.
 *
 * RDB files can be hundreds of MB, so this works on 32-bit halves (no BigInt in the loop)
 * and consumes 8 input bytes per step with eight 256-entry tables ("slicing-by-8"):
 * one table lookup per input byte, with no serial byte-to-byte dependency.
 */

/** The reflected form of the Jones polynomial, split in 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const SLICES = 8;

/**
 * TABLE_LO[k * 256 + n] / TABLE_HI[...]: the CRC state contribution of byte value n
 * that still has k more zero bytes to travel through the register. Slice 0 is the
 * classic byte-at-a-time table.
 */
const TABLE_LO = new Uint32Array(SLICES * 256);
const TABLE_HI = new Uint32Array(SLICES * 256);

function buildTables(): void {
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[n] = lo;
    TABLE_HI[n] = hi;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let n = 0; n < 256; n++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + n]!;
      const prevHi = TABLE_HI[(k - 1) * 256 + n]!;
      // Push the previous slice's value through one more zero byte.
      const index = prevLo & 0xff;
      TABLE_LO[k * 256 + n] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[index]!) >>> 0;
      TABLE_HI[k * 256 + n] = ((prevHi >>> 8) ^ TABLE_HI[index]!) >>> 0;
    }
  }
}
buildTables();

/**
 * An incremental CRC-64 (for checksumming a file while it is written or read in
 * chunks). The state is two 32-bit numbers, so update() never allocates.
 */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  constructor(initial: bigint = 0n) {
    this.lo = Number(initial & 0xffffffffn);
    this.hi = Number((initial >> 32n) & 0xffffffffn);
  }

  /** Feeds bytes[start, end) into the checksum. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const T_LO = TABLE_LO;
    const T_HI = TABLE_HI;

    // 8 bytes per step: XOR the next 8 input bytes into the register, then each of
    // the 8 register bytes is looked up in the slice matching its distance to the end.
    const wordEnd = end - ((end - i) & 7);
    while (i < wordEnd) {
      const b0 = (bytes[i]! ^ lo) & 0xff;
      const b1 = (bytes[i + 1]! ^ (lo >>> 8)) & 0xff;
      const b2 = (bytes[i + 2]! ^ (lo >>> 16)) & 0xff;
      const b3 = (bytes[i + 3]! ^ (lo >>> 24)) & 0xff;
      const b4 = (bytes[i + 4]! ^ hi) & 0xff;
      const b5 = (bytes[i + 5]! ^ (hi >>> 8)) & 0xff;
      const b6 = (bytes[i + 6]! ^ (hi >>> 16)) & 0xff;
      const b7 = (bytes[i + 7]! ^ (hi >>> 24)) & 0xff;
      lo =
        T_LO[1792 + b0]! ^ T_LO[1536 + b1]! ^ T_LO[1280 + b2]! ^ T_LO[1024 + b3]! ^
        T_LO[768 + b4]! ^ T_LO[512 + b5]! ^ T_LO[256 + b6]! ^ T_LO[b7]!;
      hi =
        T_HI[1792 + b0]! ^ T_HI[1536 + b1]! ^ T_HI[1280 + b2]! ^ T_HI[1024 + b3]! ^
        T_HI[768 + b4]! ^ T_HI[512 + b5]! ^ T_HI[256 + b6]! ^ T_HI[b7]!;
      i += 8;
    }
    // The 0..7 remaining bytes, one at a time.
    while (i < end) {
      const index = (bytes[i]! ^ lo) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[index]!;
      hi = (hi >>> 8) ^ T_HI[index]!;
      i++;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The checksum so far, as an unsigned 64-bit value. */
  digest(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Writes the checksum little-endian (as Redis stores it) at target[offset..offset+8). */
  writeLE(target: Uint8Array, offset: number): void {
    writeU32LE(target, offset, this.lo);
    writeU32LE(target, offset + 4, this.hi);
  }

  /** True if target[offset..offset+8) holds this checksum in little-endian order. */
  matchesLE(source: Uint8Array, offset: number): boolean {
    return readU32LE(source, offset) === this.lo && readU32LE(source, offset + 4) === this.hi;
  }
}

/** crc64(0, bytes[start, end)) as Redis computes it. */
export function crc64(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  return new Crc64().update(bytes, start, end).digest();
}

function writeU32LE(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
}

function readU32LE(source: Uint8Array, offset: number): number {
  return (
    (source[offset]! | (source[offset + 1]! << 8) | (source[offset + 2]! << 16) | (source[offset + 3]! << 24)) >>>
    0
  );
}
