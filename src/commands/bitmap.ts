/**
 * Bitmap commands (Redis 7.0 bitops.c behaviour and error texts): SETBIT, GETBIT,
 * BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * Bitmaps are ordinary string values (binary strings, one char per byte). JS strings
 * are immutable, so a write rebuilds the string: O(length) per SETBIT. Bit 0 is the
 * most significant bit of byte 0, as in Redis.
 */
import type { Database } from '../keyspace/database.js';
import { ErrorReply, Errors, type Reply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { is, parseInt64 } from './args.js';
import type { Handler } from './registry.js';
import { NotifyClass, notify } from '../server/notifications.js';

const BIT_OFFSET_ERROR = new ErrorReply('ERR bit offset is not an integer or out of range');
const BIT_VALUE_ERROR = new ErrorReply('ERR bit is not an integer or out of range');
const BITFIELD_TYPE_ERROR = new ErrorReply('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');

/** Set bits per byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

function protoMaxBulkLen(client: Client): number {
  return client.server.config.getInt('proto-max-bulk-len');
}

/**
 * getBitOffsetFromArgument: a non-negative bit offset within proto-max-bulk-len bytes.
 * With `bits` > 0 a "#N" offset means N * bits (BITFIELD).
 */
function parseBitOffset(client: Client, arg: string, bits: number): number | ErrorReply {
  const useHash = bits > 0 && arg.charCodeAt(0) === 35; /* '#' */
  const v = parseInt64(useHash ? arg.slice(1) : arg);
  if (v === null) return BIT_OFFSET_ERROR;
  let offset = BigInt(v);
  if (useHash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || offset >> 3n >= BigInt(protoMaxBulkLen(client))) return BIT_OFFSET_ERROR;
  return Number(offset);
}

/** The string at `key` for a read: undefined when absent, WRONGTYPE for another type. */
function readString(db: Database, key: string): string | undefined | ErrorReply {
  const v = db.lookupRead(key);
  if (v === undefined || typeof v === 'string') return v;
  return Errors.wrongType;
}

/**
 * lookupStringForBitCommand: the string at `key` zero-padded so byte `maxBit >> 3`
 * exists. `grew` tells whether the key was created or lengthened (counts as a change).
 */
function stringForBitWrite(db: Database, key: string, maxBit: number): { value: string; grew: boolean } | ErrorReply {
  const cur = db.get(key);
  if (cur !== undefined && typeof cur !== 'string') return Errors.wrongType;
  const need = Math.floor(maxBit / 8) + 1;
  if (cur === undefined) return { value: '\0'.repeat(need), grew: true };
  if (cur.length >= need) return { value: cur, grew: false };
  return { value: cur + '\0'.repeat(need - cur.length), grew: true };
}

/** Stores a bitmap written in place: Redis's value is then a raw-encoded string. */
function storeBitmap(client: Client, key: string, value: string, event: string): void {
  const db = client.db;
  db.set(key, value, true);
  db.markRawString(key);
  notify(client.server, db.id, NotifyClass.STRING, event, key);
}

function withByte(s: string, index: number, byte: number): string {
  return s.slice(0, index) + String.fromCharCode(byte) + s.slice(index + 1);
}

const setbit: Handler = (client, args) => {
  const offset = parseBitOffset(client, args[2], 0);
  if (offset instanceof ErrorReply) return offset;
  const on = parseInt64(args[3]);
  if (on === null || (on !== 0 && on !== 1)) return BIT_VALUE_ERROR;
  const target = stringForBitWrite(client.db, args[1], offset);
  if (target instanceof ErrorReply) return target;
  const byteIndex = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const byte = target.value.charCodeAt(byteIndex);
  const old = byte & mask ? 1 : 0;
  if (target.grew || old !== on) {
    const next = on ? byte | mask : byte & ~mask;
    storeBitmap(client, args[1], withByte(target.value, byteIndex, next), 'setbit');
  }
  return old;
};

const getbit: Handler = (client, args) => {
  const offset = parseBitOffset(client, args[2], 0);
  if (offset instanceof ErrorReply) return offset;
  const v = readString(client.db, args[1]);
  if (v === undefined || v instanceof ErrorReply) return v ?? 0;
  const byteIndex = Math.floor(offset / 8);
  if (byteIndex >= v.length) return 0;
  return v.charCodeAt(byteIndex) & (1 << (7 - (offset & 7))) ? 1 : 0;
};

function popcount(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += POPCOUNT[s.charCodeAt(i)];
  return n;
}

/** getLongLongFromObjectOrReply. */
function int64Arg(arg: string): number | ErrorReply {
  const v = parseInt64(arg);
  if (v === null) return Errors.notInteger;
  // Values beyond 2^53 behave like huge offsets: clamping keeps every comparison intact.
  return typeof v === 'bigint' ? (v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : v;
}

/** BIT / BYTE unit argument; null for anything else. */
function parseUnit(arg: string): boolean | null {
  if (is(arg, 'bit')) return true;
  if (is(arg, 'byte')) return false;
  return null;
}

const bitcount: Handler = (client, args) => {
  const v = readString(client.db, args[1]);
  if (v === undefined || v instanceof ErrorReply) return v ?? 0;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (args.length === 4 || args.length === 5) {
    const s = int64Arg(args[2]);
    if (s instanceof ErrorReply) return s;
    const e = int64Arg(args[3]);
    if (e instanceof ErrorReply) return e;
    start = s;
    end = e;
    if (start < 0 && end < 0 && start > end) return 0;
    let isBit = false;
    if (args.length === 5) {
      const unit = parseUnit(args[4]);
      if (unit === null) return Errors.syntax;
      isBit = unit;
    }
    const total = isBit ? v.length * 8 : v.length;
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (isBit && start <= end) {
      // Bits of the first and last bytes that lie outside the range.
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
      lastMask = (1 << (7 - (end & 7))) - 1;
      start = Math.floor(start / 8);
      end = Math.floor(end / 8);
    }
  } else if (args.length === 2) {
    start = 0;
    end = v.length - 1;
  } else {
    return Errors.syntax;
  }
  if (start > end) return 0;
  let count = popcount(v, start, end);
  if (firstMask) count -= POPCOUNT[v.charCodeAt(start) & firstMask];
  if (lastMask) count -= POPCOUNT[v.charCodeAt(end) & lastMask];
  return count;
}

/** Position of the first bit equal to `bit` within [fromBit, toBit], or -1. */
function findBit(s: string, fromBit: number, toBit: number, bit: number): number {
  let pos = fromBit;
  // Leading partial byte, then whole bytes, then the trailing bits.
  while (pos <= toBit && (pos & 7) !== 0) {
    if (((s.charCodeAt(Math.floor(pos / 8)) >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  const skip = bit ? 0 : 0xff;
  while (pos + 7 <= toBit && s.charCodeAt(pos / 8) === skip) pos += 8;
  for (; pos <= toBit; pos++) {
    if (((s.charCodeAt(Math.floor(pos / 8)) >> (7 - (pos & 7))) & 1) === bit) return pos;
  }
  return -1;
}

const bitpos: Handler = (client, args) => {
  const bitArg = parseInt64(args[2]);
  if (bitArg === null) return Errors.notInteger;
  if (bitArg !== 0 && bitArg !== 1) return new ErrorReply('ERR The bit argument must be 1 or 0.');
  const bit = bitArg;
  const v = readString(client.db, args[1]);
  if (v instanceof ErrorReply) return v;
  if (v === undefined) return bit ? -1 : 0;
  let start: number;
  let end: number;
  let isBit = false;
  let endGiven = false;
  if (args.length >= 4 && args.length <= 6) {
    const s = int64Arg(args[3]);
    if (s instanceof ErrorReply) return s;
    start = s;
    if (args.length === 6) {
      const unit = parseUnit(args[5]);
      if (unit === null) return Errors.syntax;
      isBit = unit;
    }
    if (args.length >= 5) {
      const e = int64Arg(args[4]);
      if (e instanceof ErrorReply) return e;
      end = e;
      endGiven = true;
    } else {
      end = isBit ? v.length * 8 + 7 : v.length - 1;
    }
    const total = isBit ? v.length * 8 : v.length;
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
  } else if (args.length === 3) {
    start = 0;
    end = v.length - 1;
  } else {
    return Errors.syntax;
  }
  if (start > end) return -1;
  const fromBit = isBit ? start : start * 8;
  const toBit = isBit ? end : end * 8 + 7;
  const pos = findBit(v, fromBit, toBit, bit);
  if (pos >= 0) return pos;
  // Looking for a clear bit past the end of the string: the string is taken as padded
  // with zeros, so the answer is the first bit after it, unless the range was explicit.
  if (bit === 1 || endGiven) return -1;
  return (Math.floor(toBit / 8) + 1) * 8;
};

const bitop: Handler = (client, args) => {
  const op = args[1].toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return Errors.syntax;
  if (op === 'not' && args.length !== 4) return new ErrorReply('ERR BITOP NOT must be called with a single source key.');
  const db = client.db;
  const sources: string[] = [];
  let maxLen = 0;
  for (let i = 3; i < args.length; i++) {
    const v = readString(db, args[i]);
    if (v instanceof ErrorReply) return v;
    const s = v ?? '';
    sources.push(s);
    if (s.length > maxLen) maxLen = s.length;
  }
  const target = args[2];
  if (maxLen === 0) {
    if (db.delete(target)) notify(client.server, db.id, NotifyClass.GENERIC, 'del', target);
    return 0;
  }
  const out = Buffer.alloc(maxLen);
  const first = sources[0];
  for (let j = 0; j < maxLen; j++) {
    let byte = j < first.length ? first.charCodeAt(j) : 0;
    if (op === 'not') byte = ~byte & 0xff;
    for (let i = 1; i < sources.length; i++) {
      const s = sources[i];
      const b = j < s.length ? s.charCodeAt(j) : 0;
      if (op === 'and') byte &= b;
      else if (op === 'or') byte |= b;
      else byte ^= b;
    }
    out[j] = byte;
  }
  db.set(target, out.toString('latin1'));
  db.markRawString(target);
  notify(client.server, db.id, NotifyClass.STRING, 'set', target);
  return maxLen;
};

// ---------------------------------------------------------------------------------
// BITFIELD

const enum Overflow {
  WRAP,
  SAT,
  FAIL,
}

const enum FieldOp {
  GET,
  SET,
  INCRBY,
}

interface BitfieldOp {
  op: FieldOp;
  offset: number;
  bits: number;
  signed: boolean;
  value: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63. */
function parseFieldType(arg: string): { signed: boolean; bits: number } | null {
  const c = arg.charCodeAt(0);
  if (c !== 105 /* i */ && c !== 117 /* u */) return null;
  const signed = c === 105;
  const bits = parseInt64(arg.slice(1));
  if (bits === null || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) return null;
  return { signed, bits: Number(bits) };
}

/** Reads `bits` bits at `offset` (bits past the end of the string read as zero). */
function readField(s: string, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byteIndex = Math.floor(pos / 8);
    const b = byteIndex < s.length ? (s.charCodeAt(byteIndex) >> (7 - (pos & 7))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return v;
}

/** Writes the low `bits` bits of `value` at `offset` into `buf`. */
function writeField(buf: Buffer, offset: number, bits: number, value: bigint): void {
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const bit = Number((value >> BigInt(bits - 1 - i)) & 1n);
    const byteIndex = Math.floor(pos / 8);
    const mask = 1 << (7 - (pos & 7));
    buf[byteIndex] = bit ? buf[byteIndex] | mask : buf[byteIndex] & ~mask;
  }
}

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow: the value stored for
 * `value + incr` in a field of `bits`, or null when it overflows under FAIL.
 */
function applyOverflow(value: bigint, incr: bigint, bits: number, signed: boolean, overflow: Overflow): { result: bigint; overflowed: boolean } {
  const width = BigInt(bits);
  const max = signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = value + incr;
  if (sum >= min && sum <= max) return { result: sum, overflowed: false };
  if (overflow === Overflow.SAT) return { result: sum > max ? max : min, overflowed: true };
  // WRAP (also the value FAIL would have stored: not used).
  const wrapped = signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
  return { result: wrapped, overflowed: true };
}

function bitfieldGeneric(client: Client, args: string[], readOnlyCommand: boolean): Reply {
  const ops: BitfieldOp[] = [];
  let overflow = Overflow.WRAP;
  let readOnly = true;
  let highestWrite = 0;
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1;
    const sub = args[j];
    let op: FieldOp;
    if (is(sub, 'get') && remaining >= 2) op = FieldOp.GET;
    else if (is(sub, 'set') && remaining >= 3) op = FieldOp.SET;
    else if (is(sub, 'incrby') && remaining >= 3) op = FieldOp.INCRBY;
    else if (is(sub, 'overflow') && remaining >= 1) {
      const kind = args[++j];
      if (is(kind, 'wrap')) overflow = Overflow.WRAP;
      else if (is(kind, 'sat')) overflow = Overflow.SAT;
      else if (is(kind, 'fail')) overflow = Overflow.FAIL;
      else return new ErrorReply('ERR Invalid OVERFLOW type specified');
      continue;
    } else return Errors.syntax;
    const type = parseFieldType(args[j + 1]);
    if (type === null) return BITFIELD_TYPE_ERROR;
    const offset = parseBitOffset(client, args[j + 2], type.bits);
    if (offset instanceof ErrorReply) return offset;
    let value = 0n;
    if (op !== FieldOp.GET) {
      readOnly = false;
      if (offset + type.bits - 1 > highestWrite) highestWrite = offset + type.bits - 1;
      const v = parseInt64(args[j + 3]);
      if (v === null) return Errors.notInteger;
      value = BigInt(v);
    }
    ops.push({ op, offset, bits: type.bits, signed: type.signed, value, overflow });
    j += op === FieldOp.GET ? 2 : 3;
  }

  const db = client.db;
  const key = args[1];
  if (readOnly) {
    const v = readString(db, key);
    if (v instanceof ErrorReply) return v;
    const s = v ?? '';
    return ops.map((o) => {
      const raw = readField(s, o.offset, o.bits);
      return toReply(o.signed ? BigInt.asIntN(o.bits, raw) : raw);
    });
  }
  if (readOnlyCommand) return new ErrorReply('ERR BITFIELD_RO only supports the GET subcommand');
  const target = stringForBitWrite(db, key, highestWrite);
  if (target instanceof ErrorReply) return target;
  const buf = Buffer.from(target.value, 'latin1');
  let changes = 0;
  const out: Reply[] = [];
  for (const o of ops) {
    // Reads see the writes of earlier operations in the same command.
    const raw = readFieldFromBuffer(buf, o.offset, o.bits);
    const current = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
    if (o.op === FieldOp.GET) {
      out.push(toReply(current));
      continue;
    }
    let next: bigint;
    let reply: bigint;
    let overflowed: boolean;
    if (o.op === FieldOp.INCRBY) {
      ({ result: next, overflowed } = applyOverflow(current, o.value, o.bits, o.signed, o.overflow));
      reply = next;
    } else {
      // SET stores the value as the C code sees it: unsigned fields take the 64-bit
      // two's complement of a negative argument (which then overflows).
      const asStored = o.signed ? o.value : BigInt.asUintN(64, o.value);
      ({ result: next, overflowed } = applyOverflow(asStored, 0n, o.bits, o.signed, o.overflow));
      reply = current;
    }
    if (overflowed && o.overflow === Overflow.FAIL) {
      out.push(null);
      continue;
    }
    out.push(toReply(reply));
    writeField(buf, o.offset, o.bits, next);
    if (target.grew || next !== current) changes++;
  }
  if (changes) storeBitmap(client, key, buf.toString('latin1'), 'setbit');
  else if (target.grew) {
    // Redis creates/pads the key before running the operations even if all fail.
    db.set(key, buf.toString('latin1'), true);
    db.markRawString(key);
  }
  return out;
}

function readFieldFromBuffer(buf: Buffer, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = buf[Math.floor(pos / 8)] ?? 0;
    v = (v << 1n) | BigInt((byte >> (7 - (pos & 7))) & 1);
  }
  return v;
}

function toReply(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const bitfield: Handler = (client, args) => bitfieldGeneric(client, args, false);
const bitfieldRo: Handler = (client, args) => bitfieldGeneric(client, args, true);

export const bitmapCommands: Record<string, Handler> = {
  setbit,
  getbit,
  bitcount,
  bitpos,
  bitop,
  bitfield,
  bitfield_ro: bitfieldRo,
};
