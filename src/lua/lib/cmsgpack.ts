/**
 * lua-cmsgpack 0.4.0 as bundled by Redis 7.0 (lua_cmsgpack.c, Lua 5.1, 64-bit).
 *
 * Exported API:
 *   cmsgpackLibrary: Record<name, (args) => LuaValue[]> with pack, unpack, unpack_one,
 *     unpack_limit
 *   cmsgpackInfo: the module's string fields (_NAME, _VERSION, _COPYRIGHT, _DESCRIPTION)
 *   messagePackEncode(value) / messagePackDecode(bytes, offset, limit)   the conversions
 *
 * Encoding follows the C choices: a number equal to its int64 cast is packed as the
 * smallest integer form (positive ones as unsigned), others as float32 when exact, else
 * float64; a table whose keys are exactly the integers 1..n (in C int range) is an array,
 * anything else a map in next() order; tables nested 16 deep, nil, functions and
 * userdata are packed as nil. Decoding reads uint64 as a signed 64-bit value (as
 * lua_pushunsigned does on 64-bit builds).
 */
import { LuaLibError, argError } from '../errors.js';
import { LuaTable } from '../table.js';
import type { LuaValue } from '../value.js';
import { checkInteger, checkString, optInteger } from './args.js';

type MessagePackFunction = (args: unknown[]) => unknown[];

const MAX_NESTING = 16;

export const cmsgpackInfo = {
  _NAME: 'cmsgpack',
  _VERSION: 'lua-cmsgpack 0.4.0',
  _COPYRIGHT: 'Copyright (C) 2012, Salvatore Sanfilippo',
  _DESCRIPTION: 'MessagePack C implementation for Lua',
};

// ---------------------------------------------------------------- encoding

class ByteWriter {
  private parts: string[] = [];
  private bytes: number[] = [];

  byte(b: number): void {
    this.bytes.push(b & 0xff);
    if (this.bytes.length >= 4096) this.flush();
  }

  /** Big-endian unsigned integer of `size` bytes (size <= 4). */
  uint(value: number, size: number): void {
    for (let shift = (size - 1) * 8; shift >= 0; shift -= 8) this.byte(Math.floor(value / 2 ** shift) & 0xff);
  }

  raw(s: string): void {
    this.flush();
    this.parts.push(s);
  }

  private flush(): void {
    if (this.bytes.length > 0) {
      this.parts.push(String.fromCharCode(...this.bytes));
      this.bytes = [];
    }
  }

  result(): string {
    this.flush();
    return this.parts.join('');
  }
}

function encodeBytes(w: ByteWriter, s: string): void {
  const len = s.length;
  if (len < 32) w.byte(0xa0 | len);
  else if (len <= 0xff) {
    w.byte(0xd9);
    w.uint(len, 1);
  } else if (len <= 0xffff) {
    w.byte(0xda);
    w.uint(len, 2);
  } else {
    w.byte(0xdb);
    w.uint(len, 4);
  }
  w.raw(s);
}

const floatScratch = new DataView(new ArrayBuffer(8));

function encodeDouble(w: ByteWriter, d: number): void {
  // float32 when the value survives the round trip (NaN never compares equal)
  if (Math.fround(d) === d) {
    floatScratch.setFloat32(0, d);
    w.byte(0xca);
    for (let i = 0; i < 4; i++) w.byte(floatScratch.getUint8(i));
  } else {
    floatScratch.setFloat64(0, d);
    w.byte(0xcb);
    for (let i = 0; i < 8; i++) w.byte(floatScratch.getUint8(i));
  }
}

function encodeInt64(w: ByteWriter, marker: number, n: number): void {
  w.byte(marker);
  const bits = BigInt.asUintN(64, BigInt(n));
  for (let shift = 56n; shift >= 0n; shift -= 8n) w.byte(Number((bits >> shift) & 0xffn));
}

function encodeInteger(w: ByteWriter, n: number): void {
  if (n >= 0) {
    if (n <= 127) w.byte(n);
    else if (n <= 0xff) {
      w.byte(0xcc);
      w.uint(n, 1);
    } else if (n <= 0xffff) {
      w.byte(0xcd);
      w.uint(n, 2);
    } else if (n <= 0xffffffff) {
      w.byte(0xce);
      w.uint(n, 4);
    } else encodeInt64(w, 0xcf, n);
  } else if (n >= -32) w.byte(n & 0xff);
  else if (n >= -128) {
    w.byte(0xd0);
    w.byte(n & 0xff);
  } else if (n >= -32768) {
    w.byte(0xd1);
    w.uint(n & 0xffff, 2);
  } else if (n >= -2147483648) {
    w.byte(0xd2);
    w.uint(n >>> 0, 4);
  } else encodeInt64(w, 0xd3, n);
}

/** IS_INT64_EQUIVALENT: finite and equal to its (int64_t) cast. */
function isInt64Equivalent(n: number): boolean {
  return Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808;
}

function encodeNumber(w: ByteWriter, n: number): void {
  // + 0 packs -0 as the integer 0, as the C cast does
  if (isInt64Equivalent(n)) encodeInteger(w, n + 0);
  else encodeDouble(w, n);
}

function encodeCount(w: ByteWriter, n: number, fixMarker: number, marker16: number, marker32: number): void {
  if (n <= 15) w.byte(fixMarker | n);
  else if (n <= 0xffff) {
    w.byte(marker16);
    w.uint(n, 2);
  } else {
    w.byte(marker32);
    w.uint(n % 2 ** 32, 4);
  }
}

/** table_is_an_array: keys exactly 1..count, each a positive number in C int range. */
function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    const k = e[0];
    if (typeof k !== 'number' || !(k > 0) || !Number.isInteger(k) || k > 2147483647) return false;
    if (k > max) max = k;
    count++;
  }
  return max === count;
}

function encodeValue(w: ByteWriter, v: unknown, level: number): void {
  switch (typeof v) {
    case 'string':
      encodeBytes(w, v);
      return;
    case 'boolean':
      w.byte(v ? 0xc3 : 0xc2);
      return;
    case 'number':
      encodeNumber(w, v);
      return;
  }
  if (v instanceof LuaTable && level < MAX_NESTING) {
    if (isArray(v)) {
      const len = v.length();
      encodeCount(w, len, 0x90, 0xdc, 0xdd);
      for (let i = 1; i <= len; i++) encodeValue(w, v.get(i), level + 1);
    } else {
      let count = 0;
      for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) count++;
      encodeCount(w, count, 0x80, 0xde, 0xdf);
      for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) {
        encodeValue(w, e[0], level + 1);
        encodeValue(w, e[1], level + 1);
      }
    }
    return;
  }
  // nil, functions, userdata, threads, and tables nested too deep
  w.byte(0xc0);
}

export function messagePackEncode(value: unknown): string {
  const w = new ByteWriter();
  encodeValue(w, value, 0);
  return w.result();
}

// ---------------------------------------------------------------- decoding

class MissingBytes extends Error {}
class BadFormat extends Error {}

class ByteReader {
  constructor(
    private readonly data: string,
    public pos: number,
  ) {}

  get left(): number {
    return this.data.length - this.pos;
  }

  need(n: number): void {
    if (this.left < n) throw new MissingBytes();
  }

  /** Byte at pos + offset (call need() first). */
  at(offset: number): number {
    return this.data.charCodeAt(this.pos + offset);
  }

  /** Big-endian unsigned of `size` bytes starting at pos + offset. */
  uintAt(offset: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.at(offset + i);
    return v;
  }

  bigAt(offset: number): bigint {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.at(offset + i));
    return v;
  }

  slice(offset: number, len: number): string {
    return this.data.substr(this.pos + offset, len);
  }
}

function decodeValue(r: ByteReader): unknown {
  r.need(1);
  const b = r.at(0);
  switch (b) {
    case 0xcc: r.need(2); return consume(r, 2, r.at(1));
    case 0xd0: r.need(2); return consume(r, 2, (r.at(1) << 24) >> 24);
    case 0xcd: r.need(3); return consume(r, 3, r.uintAt(1, 2));
    case 0xd1: r.need(3); return consume(r, 3, (r.uintAt(1, 2) << 16) >> 16);
    case 0xce: r.need(5); return consume(r, 5, r.uintAt(1, 4));
    case 0xd2: r.need(5); return consume(r, 5, r.uintAt(1, 4) | 0);
    // both 64-bit forms arrive as signed int64 (lua_pushunsigned is lua_pushinteger here)
    case 0xcf:
    case 0xd3: r.need(9); return consume(r, 9, Number(BigInt.asIntN(64, r.bigAt(1))));
    case 0xc0: return consume(r, 1, undefined);
    case 0xc3: return consume(r, 1, true);
    case 0xc2: return consume(r, 1, false);
    case 0xca: {
      r.need(5);
      for (let i = 0; i < 4; i++) floatScratch.setUint8(i, r.at(1 + i));
      return consume(r, 5, floatScratch.getFloat32(0));
    }
    case 0xcb: {
      r.need(9);
      for (let i = 0; i < 8; i++) floatScratch.setUint8(i, r.at(1 + i));
      return consume(r, 9, floatScratch.getFloat64(0));
    }
    case 0xd9: r.need(2); return decodeString(r, 2, r.at(1));
    case 0xda: r.need(3); return decodeString(r, 3, r.uintAt(1, 2));
    case 0xdb: r.need(5); return decodeString(r, 5, r.uintAt(1, 4));
    case 0xdc: r.need(3); return decodeArray(r, 3, r.uintAt(1, 2));
    case 0xdd: r.need(5); return decodeArray(r, 5, r.uintAt(1, 4));
    case 0xde: r.need(3); return decodeMap(r, 3, r.uintAt(1, 2));
    case 0xdf: r.need(5); return decodeMap(r, 5, r.uintAt(1, 4));
  }
  if ((b & 0x80) === 0) return consume(r, 1, b);
  if ((b & 0xe0) === 0xe0) return consume(r, 1, b - 256);
  if ((b & 0xe0) === 0xa0) return decodeString(r, 1, b & 0x1f);
  if ((b & 0xf0) === 0x90) return decodeArray(r, 1, b & 0xf);
  if ((b & 0xf0) === 0x80) return decodeMap(r, 1, b & 0xf);
  throw new BadFormat();
}

function consume<T>(r: ByteReader, n: number, value: T): T {
  r.pos += n;
  return value;
}

function decodeString(r: ByteReader, header: number, len: number): string {
  r.need(header + len);
  const s = r.slice(header, len);
  r.pos += header + len;
  return s;
}

function decodeArray(r: ByteReader, header: number, len: number): LuaTable {
  r.pos += header;
  const t = new LuaTable();
  for (let i = 1; i <= len; i++) {
    const v = decodeValue(r);
    if (v !== undefined) t.set(i, v as LuaValue);
  }
  return t;
}

function decodeMap(r: ByteReader, header: number, len: number): LuaTable {
  r.pos += header;
  const t = new LuaTable();
  for (let i = 0; i < len; i++) {
    const k = decodeValue(r);
    const v = decodeValue(r);
    // lua_settable's own checks
    if (k === undefined) throw new LuaLibError('table index is nil');
    if (k !== k) throw new LuaLibError('table index is NaN');
    // assigning nil to an absent key creates nothing
    if (v !== undefined || t.get(k as LuaValue) !== undefined) t.set(k as LuaValue, v as LuaValue);
  }
  return t;
}

/**
 * mp_unpack_full: decode up to `limit` values from byte `offset` (limit 0 and offset 0:
 * everything). Returns the values, preceded by the next offset (-1 at the end of
 * input) unless decoding everything.
 */
export function messagePackDecode(data: string, limit: number, offset: number): unknown[] {
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    // (sic) the C message reports the input length where it means the limit
    throw new LuaLibError(`Invalid request to unpack with offset of ${offset | 0} and limit of ${data.length | 0}.`);
  }
  if (offset > data.length) throw new LuaLibError(`Start offset ${offset | 0} greater than input length ${data.length | 0}.`);
  const max = decodeAll ? 2147483647 : limit;
  const r = new ByteReader(data, offset);
  const values: unknown[] = [];
  try {
    for (let count = 0; r.left > 0 && count < max; count++) values.push(decodeValue(r));
  } catch (e) {
    if (e instanceof MissingBytes) throw new LuaLibError('Missing bytes in input.');
    if (e instanceof BadFormat) throw new LuaLibError('Bad data format in input.');
    throw e;
  }
  if (decodeAll) return values;
  return [r.left === 0 ? -1 : r.pos, ...values];
}

export const cmsgpackLibrary: Record<string, MessagePackFunction> = {
  pack: (args) => {
    if (args.length === 0) throw argError(0, 'pack', 'MessagePack pack needs input.');
    let out = '';
    for (const a of args) out += messagePackEncode(a);
    return [out];
  },
  unpack: (args) => messagePackDecode(checkString(args, 0, 'unpack'), 0, 0),
  unpack_one: (args) => {
    const offset = optInteger(args, 1, 'unpack_one', 0);
    return messagePackDecode(checkString(args, 0, 'unpack_one'), 1, offset);
  },
  unpack_limit: (args) => {
    const limit = checkInteger(args, 1, 'unpack_limit');
    const offset = optInteger(args, 2, 'unpack_limit', 0);
    return messagePackDecode(checkString(args, 0, 'unpack_limit'), limit, offset);
  },
};
