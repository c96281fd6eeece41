/**
 * HyperLogLog values in Redis's exact string format (hyperloglog.c), so a key written
 * by PFADD reads back with GET, DUMP or an RDB file byte for byte as redis-server's.
 *
 * Layout: a 16-byte header "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, and
 * the cached cardinality as 8 little-endian bytes whose top bit marks it stale. Then
 * 16384 registers of 6 bits: packed (dense, 12288 bytes, register 0 in the low bits of
 * byte 0) or run-length coded (sparse) with three opcodes:
 *   ZERO  00xxxxxx           1-64 zero registers
 *   XZERO 01xxxxxx yyyyyyyy  1-16384 zero registers
 *   VAL   1vvvvvxx           1-4 registers of value 1-32
 * The element hash is MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the
 * register, the run of zero bits above them (plus one) is the candidate value.
 */

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_SPARSE_VAL_MAX_VALUE = 32;
const HLL_SPARSE_VAL_MAX_LEN = 4;
const HLL_SPARSE_ZERO_MAX_LEN = 64;
const HLL_SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.721347520444481703680;
const CARD_STALE_BIT = 0x80;

// Sparse opcode helpers on a byte.
const isZero = (b: number) => (b & 0xc0) === 0;
const isXZero = (b: number) => (b & 0xc0) === 0x40;
const isVal = (b: number) => (b & 0x80) !== 0;
const zeroLen = (b: number) => (b & 0x3f) + 1;
const xzeroLen = (b: number, b2: number) => (((b & 0x3f) << 8) | b2) + 1;
const valValue = (b: number) => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number) => (b & 0x3) + 1;
const valOp = (value: number, len: number) => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;

// ---------------------------------------------------------------------------------
// MurmurHash64A on 32-bit halves (no BigInt on the PFADD hot path).

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
let hashHi = 0;
let hashLo = 0;

/** (hi, lo) * m mod 2^64, into hashHi/hashLo. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const b0 = M_LO & 0xffff;
  const b1 = M_LO >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const t = a0 * b0 + (mid % 65536) * 65536;
  const low = t >>> 0;
  const carry = Math.floor(t / 4294967296);
  let high = a1 * b1 + Math.floor(mid / 65536) + carry;
  high = (high + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
  hashHi = high;
  hashLo = low;
}

/** MurmurHash64A(element, seed 0xadc83b19) of a binary string; result in hashHi/hashLo. */
function murmur64(s: string): void {
  const len = s.length;
  // h = seed ^ (len * m)
  mulM(0, len);
  let hHi = hashHi;
  let hLo = (hashLo ^ 0xadc83b19) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mulM(kHi, kLo);
    // k ^= k >> 47
    let k1Hi = hashHi;
    let k1Lo = (hashLo ^ (hashHi >>> 15)) >>> 0;
    mulM(k1Hi, k1Lo);
    k1Hi = hashHi;
    k1Lo = hashLo;
    mulM((hHi ^ k1Hi) >>> 0, (hLo ^ k1Lo) >>> 0);
    hHi = hashHi;
    hLo = hashLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const byte = s.charCodeAt(blocks + j);
      if (j >= 4) hHi = (hHi ^ (byte << ((j - 4) * 8))) >>> 0;
      else hLo = (hLo ^ (byte << (j * 8))) >>> 0;
    }
    mulM(hHi, hLo);
    hHi = hashHi;
    hLo = hashLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mulM(hHi, hLo);
  hHi = hashHi;
  hLo = (hashLo ^ (hashHi >>> 15)) >>> 0;
  hashHi = hHi;
  hashLo = hLo;
}

let patIndex = 0;

/** hllPatLen: the register index (into patIndex) and the value an element proposes. */
function patternLength(element: string): number {
  murmur64(element);
  patIndex = hashLo & (HLL_REGISTERS - 1);
  // hash >> 14, with bit 50 set so the count stops at Q + 1.
  let lo = ((hashLo >>> HLL_P) | (hashHi << (32 - HLL_P))) >>> 0;
  const hi = ((hashHi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  let count = 1;
  if (lo === 0) {
    count += 32;
    lo = hi;
  }
  while ((lo & 1) === 0) {
    count++;
    lo >>>= 1;
  }
  return count;
}

function denseGet(regs: Uint8Array, base: number, index: number): number {
  const byte = base + ((index * HLL_BITS) >> 3);
  const fb = (index * HLL_BITS) & 7;
  const b1 = byte + 1 < regs.length ? regs[byte + 1] : 0;
  return ((regs[byte] >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSet(regs: Uint8Array, base: number, index: number, value: number): void {
  const byte = base + ((index * HLL_BITS) >> 3);
  const fb = (index * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  regs[byte] = (regs[byte] & ~(HLL_REGISTER_MAX << fb)) | (value << fb);
  // The last register never spills into a following byte (Redis relies on sds's NUL).
  if (byte + 1 < regs.length) regs[byte + 1] = (regs[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)) | (value >> fb8);
}

/** Redis's estimator helpers (Ertl's improved raw estimator). */
function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount's estimate from a histogram of register values. */
export function estimateFromHistogram(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * hllSigma(histogram[0] / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** True when `s` is a string Redis accepts as an HLL (isHLLObjectOrReply). */
export function isHllString(s: string): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 || s.charCodeAt(3) !== 76) return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_SPARSE) return false;
  if (enc === HLL_DENSE && s.length !== HLL_DENSE_SIZE) return false;
  return true;
}

/** A mutable HLL: the bytes of the string value, edited in place then stored back. */
export class Hll {
  private constructor(
    public bytes: Uint8Array,
    /** Bytes in use (the sparse form leaves spare capacity at the end). */
    public length: number,
  ) {}

  /** createHLLObject: sparse, all registers zero (one XZERO opcode), cardinality 0. */
  static empty(): Hll {
    const len = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS + HLL_SPARSE_XZERO_MAX_LEN - 1) / HLL_SPARSE_XZERO_MAX_LEN) * 2;
    const bytes = new Uint8Array(len + 16);
    bytes.set([72, 89, 76, 76, HLL_SPARSE]);
    let p = HLL_HDR_SIZE;
    for (let left = HLL_REGISTERS; left > 0; ) {
      const run = Math.min(left, HLL_SPARSE_XZERO_MAX_LEN) - 1;
      bytes[p++] = (run >> 8) | 0x40;
      bytes[p++] = run & 0xff;
      left -= run + 1;
    }
    return new Hll(bytes, len);
  }

  /** Wraps a string that passed isHllString. */
  static fromString(s: string): Hll {
    const bytes = new Uint8Array(s.length + (s.charCodeAt(4) === HLL_SPARSE ? 16 : 0));
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new Hll(bytes, s.length);
  }

  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('latin1');
  }

  get encoding(): number {
    return this.bytes[4];
  }

  invalidateCache(): void {
    this.bytes[15] |= CARD_STALE_BIT;
  }

  /** The cached cardinality, or null when stale. */
  cachedCardinality(): number | null {
    const b = this.bytes;
    if (b[15] & CARD_STALE_BIT) return null;
    const lo = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
    const hi = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0;
    return hi * 4294967296 + lo;
  }

  setCachedCardinality(card: number): void {
    const b = this.bytes;
    const lo = card % 4294967296;
    const hi = Math.floor(card / 4294967296);
    for (let i = 0; i < 4; i++) {
      b[8 + i] = (lo >>> (i * 8)) & 0xff;
      b[12 + i] = (hi >>> (i * 8)) & 0xff;
    }
  }

  /** hllAdd: 1 if a register changed, 0 if not, -1 for a corrupt sparse form. */
  add(element: string): number {
    const count = patternLength(element);
    return this.setRegister(patIndex, count);
  }

  /** Raises register `index` to `count` (never lowers it): 1 if changed. */
  setRegister(index: number, count: number): number {
    if (this.encoding === HLL_DENSE) {
      if (denseGet(this.bytes, HLL_HDR_SIZE, index) >= count) return 0;
      denseSet(this.bytes, HLL_HDR_SIZE, index, count);
      return 1;
    }
    return this.sparseSet(index, count);
  }

  /** hllSparseToDense: false when the sparse form is corrupt. No-op when dense. */
  toDense(): boolean {
    if (this.encoding === HLL_DENSE) return true;
    const dense = new Uint8Array(HLL_DENSE_SIZE);
    dense.set(this.bytes.subarray(0, HLL_HDR_SIZE));
    dense[4] = HLL_DENSE;
    const src = this.bytes;
    let idx = 0;
    for (let p = HLL_HDR_SIZE; p < this.length; ) {
      const op = src[p];
      if (isZero(op)) {
        idx += zeroLen(op);
        p++;
      } else if (isXZero(op)) {
        idx += xzeroLen(op, src[p + 1]);
        p += 2;
      } else {
        let run = valLen(op);
        const value = valValue(op);
        if (run + idx > HLL_REGISTERS) break;
        while (run--) denseSet(dense, HLL_HDR_SIZE, idx++, value);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.bytes = dense;
    this.length = HLL_DENSE_SIZE;
    return true;
  }

  /**
   * hllSparseSet, step by step as Redis so the bytes come out identical: split the
   * opcode covering `index` into up to five, then merge equal adjacent VAL opcodes.
   * Promotes to dense when the value exceeds 32 or the string would pass
   * hll-sparse-max-bytes.
   */
  private sparseSet(index: number, count: number): number {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    if (this.bytes.length < this.length + 3) {
      const grown = new Uint8Array(this.length * 2 + 16);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    const b = this.bytes;
    const sparse = HLL_HDR_SIZE;
    let end = this.length;
    let p = sparse;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let oplen = 1;
      if (isZero(op)) span = zeroLen(op);
      else if (isVal(op)) span = valLen(op);
      else {
        span = xzeroLen(op, b[p + 1]);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    let next = isXZero(b[p]) ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const op = b[p];
    const opIsZero = isZero(op);
    const opIsXZero = isXZero(op);
    const runlen = opIsZero ? zeroLen(op) : opIsXZero ? xzeroLen(op, b[p + 1]) : valLen(op);

    let updatedInPlace = false;
    if (!opIsZero && !opIsXZero) {
      if (valValue(op) >= count) return 0;
      if (runlen === 1) {
        b[p] = valOp(count, 1);
        updatedInPlace = true;
      }
    }
    if (!updatedInPlace && opIsZero && runlen === 1) {
      b[p] = valOp(count, 1);
      updatedInPlace = true;
    }
    if (!updatedInPlace) {
      const seq: number[] = [];
      const last = first + span - 1;
      const pushZeros = (len: number) => {
        if (len > HLL_SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff);
        else seq.push(len - 1);
      };
      if (opIsZero || opIsXZero) {
        if (index !== first) pushZeros(index - first);
        seq.push(valOp(count, 1));
        if (index !== last) pushZeros(last - index);
      } else {
        const cur = valValue(op);
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      const oldlen = opIsXZero ? 2 : 1;
      const delta = seq.length - oldlen;
      if (delta > 0 && this.length + delta > this.sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
      this.length += delta;
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
      end += delta;
    }

    // Step 4: merge adjacent VAL opcodes of equal value, scanning 5 opcodes from prev.
    p = prev >= 0 ? prev : sparse;
    let scan = 5;
    while (p < end && scan--) {
      if (isXZero(b[p])) {
        p += 2;
        continue;
      } else if (isZero(b[p])) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(b[p + 1])) {
        const v1 = valValue(b[p]);
        const v2 = valValue(b[p + 1]);
        if (v1 === v2) {
          const len = valLen(b[p]) + valLen(b[p + 1]);
          if (len <= HLL_SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, len);
            b.copyWithin(p, p + 1, end);
            this.length--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  /** hll-sparse-max-bytes, set by the caller from the server config. */
  sparseMaxBytes = 3000;

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    denseSet(this.bytes, HLL_HDR_SIZE, index, count);
    return 1;
  }

  /** hllMerge: max[i] = max(max[i], register i). False for a corrupt sparse form. */
  mergeInto(max: Uint8Array): boolean {
    const b = this.bytes;
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const v = denseGet(b, HLL_HDR_SIZE, i);
        if (v > max[i]) max[i] = v;
      }
      return true;
    }
    let i = 0;
    for (let p = HLL_HDR_SIZE; p < this.length; ) {
      const op = b[p];
      if (isZero(op)) {
        i += zeroLen(op);
        p++;
      } else if (isXZero(op)) {
        i += xzeroLen(op, b[p + 1]);
        p += 2;
      } else {
        let run = valLen(op);
        const value = valValue(op);
        if (run + i > HLL_REGISTERS) break;
        while (run--) {
          if (value > max[i]) max[i] = value;
          i++;
        }
        p++;
      }
    }
    return i === HLL_REGISTERS;
  }

  /** hllCount: the estimate, or null when the sparse form does not cover 16384 registers. */
  count(): number | null {
    const histogram = new Int32Array(64);
    const b = this.bytes;
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGet(b, HLL_HDR_SIZE, i)]++;
    } else {
      let idx = 0;
      for (let p = HLL_HDR_SIZE; p < this.length; ) {
        const op = b[p];
        if (isZero(op)) {
          const run = zeroLen(op);
          idx += run;
          histogram[0] += run;
          p++;
        } else if (isXZero(op)) {
          const run = xzeroLen(op, b[p + 1]);
          idx += run;
          histogram[0] += run;
          p += 2;
        } else {
          const run = valLen(op);
          idx += run;
          histogram[valValue(op)] += run;
          p++;
        }
      }
      if (idx !== HLL_REGISTERS) return null;
    }
    return estimateFromHistogram(histogram);
  }

  /** Every register's value (PFDEBUG GETREG, after toDense). */
  registers(): number[] {
    const out = new Array<number>(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(this.bytes, HLL_HDR_SIZE, i);
    return out;
  }

  /** PFDEBUG DECODE: the sparse opcodes as text ("Z:16384", "z:3", "v:2,1"). */
  decode(): string {
    const parts: string[] = [];
    const b = this.bytes;
    for (let p = HLL_HDR_SIZE; p < this.length; ) {
      const op = b[p];
      if (isZero(op)) {
        parts.push(`z:${zeroLen(op)}`);
        p++;
      } else if (isXZero(op)) {
        parts.push(`Z:${xzeroLen(op, b[p + 1])}`);
        p += 2;
      } else {
        parts.push(`v:${valValue(op)},${valLen(op)}`);
        p++;
      }
    }
    return parts.join(' ');
  }
}

/** The estimate for merged registers (PFCOUNT of several keys). */
export function countRegisters(max: Uint8Array): number {
  const histogram = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[max[i]]++;
  return estimateFromHistogram(histogram);
}
