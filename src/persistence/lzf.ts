/**
 * LZF (liblzf 3.6), the compression used for RDB strings.
 *
 * The decompressor validates everything: a corrupt stream yields an error code, never an
 * exception or an out-of-bounds read.
 *
 * The compressor makes exactly the choices of liblzf as Redis builds it (HLOG=16,
 * VERY_FAST=1, ULTRA_FAST=0, CHECK_INPUT=1), including its conservative output-space
 * checks, because those decide whether a string "fits" and therefore whether
 * FUNCTION DUMP / RDB output is stored compressed. Keep the structure of the main loop
 * as it is: moving a check changes the output bytes.
 *
 * Stream format:
 *   000LLLLL <L+1 bytes>           literal run of 1..32 bytes
 *   LLLooooo oooooooo              back-reference, length L+2 (3..8), distance o+1
 *   111ooooo LLLLLLLL oooooooo     back-reference, length L+9 (9..264), distance o+1
 */

/** Decompression failed because the output would exceed the expected length (liblzf's E2BIG). */
export const LZF_ERROR_OUTPUT_TOO_BIG = -1;
/** Decompression failed: input ends mid-token or a reference points before the output start (EINVAL). */
export const LZF_ERROR_CORRUPT = -2;

/**
 * Decompresses input[inStart, inEnd) into output[outStart, outStart + outLen).
 * Returns the number of bytes written, or LZF_ERROR_OUTPUT_TOO_BIG / LZF_ERROR_CORRUPT.
 * Never touches output outside that window and never reads input outside its range.
 */
export function lzfDecompress(
  input: Uint8Array,
  inStart: number,
  inEnd: number,
  output: Uint8Array,
  outStart: number,
  outLen: number,
): number {
  let ip = inStart;
  let op = outStart;
  const outEnd = outStart + outLen;

  while (ip < inEnd) {
    const ctrl = input[ip++]!;

    if (ctrl < 32) {
      const runLength = ctrl + 1;
      if (op + runLength > outEnd) return LZF_ERROR_OUTPUT_TOO_BIG;
      if (ip + runLength > inEnd) return LZF_ERROR_CORRUPT;
      // Runs are at most 32 bytes: a plain loop beats set() on a fresh subarray.
      const runEnd = ip + runLength;
      while (ip < runEnd) output[op++] = input[ip++]!;
      continue;
    }

    // Back-reference. Same check order as liblzf: input present, then output room,
    // then the reference must land inside what was already produced.
    let length = ctrl >>> 5;
    if (ip >= inEnd) return LZF_ERROR_CORRUPT;
    if (length === 7) {
      length += input[ip++]!;
      if (ip >= inEnd) return LZF_ERROR_CORRUPT;
    }
    let ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++]!;
    length += 2;
    if (op + length > outEnd) return LZF_ERROR_OUTPUT_TOO_BIG;
    if (ref < outStart) return LZF_ERROR_CORRUPT;

    if (length > 32 && op - ref >= length) {
      output.copyWithin(op, ref, ref + length);
      op += length;
    } else {
      // Short, or overlapping (run-length style): byte by byte, which also gives the
      // overlapping case its required semantics.
      const end = op + length;
      while (op < end) output[op++] = output[ref++]!;
    }
  }
  return op - outStart;
}

/** liblzf's HLOG: the hash table has 2^16 slots. */
const HASH_SLOTS = 1 << 16;
const MAX_LITERAL = 1 << 5;
const MAX_OFFSET = 1 << 13;
const MAX_REFERENCE = (1 << 8) + (1 << 3);

/**
 * The hash table, shared by all calls. Instead of clearing 256 KB per call (liblzf with
 * INIT_HTAB=0 does not clear it either), each slot stores `generationBase + position + 1`;
 * a value at or below the current base is from an earlier call and reads as "empty".
 * This behaves exactly like a zeroed table, which for these settings gives the same
 * output as Redis's uninitialised one (SPEC.md 1.3).
 */
const hashTable = new Int32Array(HASH_SLOTS);
let generationBase = 0;
const GENERATION_LIMIT = 0x7fff0000;

/** The slot for the 3 bytes whose value, packed big-endian, is in the low 24 bits of h. */
function hashSlot(h: number): number {
  return ((h >>> 8) - Math.imul(h, 5)) & (HASH_SLOTS - 1);
}

/**
 * Compresses input[inStart, inEnd) into output[outStart, ...), using at most outLen
 * bytes, exactly as liblzf's lzf_compress(in, inLen, out, outLen) does. Returns the
 * compressed length, or 0 if the result does not fit (or inLen or outLen is 0).
 * `output` must have at least outLen bytes from outStart; liblzf never writes past outLen.
 */
export function lzfCompress(
  input: Uint8Array,
  inStart: number,
  inEnd: number,
  output: Uint8Array,
  outStart: number,
  outLen: number,
): number {
  const inLen = inEnd - inStart;
  if (inLen <= 0 || outLen <= 0) return 0;
  // Slot values are int32 positions; Redis strings are at most 512 MB anyway.
  if (inLen >= GENERATION_LIMIT) throw new RangeError('lzfCompress: input larger than 2 GB');

  if (generationBase + inLen + 1 > GENERATION_LIMIT) {
    hashTable.fill(0);
    generationBase = 0;
  }
  const base = generationBase;
  generationBase += inLen + 1;
  // Positions below are relative to inStart, so a stored value is base + pos + 1.
  const table = hashTable;

  const outEnd = outStart + outLen;
  const lastHashable = inLen - 2; // the main loop runs while ip < inLen - 2
  let ip = 0;
  let op = outStart;
  let literalCount = 0;
  op++; // reserve the first literal run's control byte

  let hval = inLen > 1 ? (input[inStart]! << 8) | input[inStart + 1]! : 0;
  while (ip < lastHashable) {
    hval = (hval << 8) | input[inStart + ip + 2]!;
    const slot = hashSlot(hval);
    const stored = table[slot]! - base - 1; // -1 or less: empty or from an earlier call
    table[slot] = base + ip + 1;

    const offset = ip - stored - 1;
    if (
      stored > 0 && // liblzf: ref > in_data (a match can never start at byte 0)
      offset < MAX_OFFSET &&
      input[inStart + stored + 2] === input[inStart + ip + 2] &&
      input[inStart + stored] === input[inStart + ip] &&
      input[inStart + stored + 1] === input[inStart + ip + 1]
    ) {
      // Match found. liblzf first checks for room for the worst case (an optional
      // 3-byte reference plus the next run's control byte), then exactly.
      const pendingRun = literalCount === 0 ? 1 : 0;
      if (op + 3 + 1 >= outEnd && op - pendingRun + 3 + 1 >= outEnd) return 0;

      output[op - literalCount - 1] = (literalCount - 1) & 0xff; // close the literal run
      op -= pendingRun; // an empty run is dropped

      let length = 2;
      let maxLength = inLen - ip - length;
      if (maxLength > MAX_REFERENCE) maxLength = MAX_REFERENCE;
      const a = inStart + stored;
      const b = inStart + ip;
      extend: {
        // liblzf compares 16 bytes unrolled, without a bound check, whenever more than
        // 16 are allowed; this can make a match end past maxLength near the input end.
        if (maxLength > 16) {
          for (let k = 0; k < 16; k++) {
            length++;
            if (input[a + length] !== input[b + length]) break extend;
          }
        }
        do length++;
        while (length < maxLength && input[a + length] === input[b + length]);
      }

      length -= 2; // the length field is (bytes matched - 2)
      ip++;

      if (length < 7) {
        output[op++] = (offset >>> 8) + (length << 5);
      } else {
        output[op++] = (offset >>> 8) + (7 << 5);
        output[op++] = length - 7;
      }
      output[op++] = offset & 0xff;

      literalCount = 0;
      op++; // start a new run

      ip += length + 1;
      if (ip >= lastHashable) break;

      // VERY_FAST: re-hash only the last two positions covered by the match.
      ip -= 2;
      hval = (input[inStart + ip]! << 8) | input[inStart + ip + 1]!;
      hval = (hval << 8) | input[inStart + ip + 2]!;
      table[hashSlot(hval)] = base + ip + 1;
      ip++;
      hval = (hval << 8) | input[inStart + ip + 2]!;
      table[hashSlot(hval)] = base + ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      literalCount++;
      output[op++] = input[inStart + ip++]!;
      if (literalCount === MAX_LITERAL) {
        output[op - literalCount - 1] = literalCount - 1;
        literalCount = 0;
        op++;
      }
    }
  }

  // At most 2 input bytes are left; liblzf requires room for 3 more output bytes.
  if (op + 3 > outEnd) return 0;

  while (ip < inLen) {
    literalCount++;
    output[op++] = input[inStart + ip++]!;
    if (literalCount === MAX_LITERAL) {
      output[op - literalCount - 1] = literalCount - 1;
      literalCount = 0;
      op++;
    }
  }

  output[op - literalCount - 1] = (literalCount - 1) & 0xff; // close the last run
  if (literalCount === 0) op--;
  return op - outStart;
}

/**
 * The largest output a stream of `compressedLength` bytes can decode to (a 3-byte
 * back-reference yields at most 264 bytes). Lets a reader reject an absurd declared
 * length before allocating it.
 */
export function lzfMaxDecompressedLength(compressedLength: number): number {
  return compressedLength * 88;
}
