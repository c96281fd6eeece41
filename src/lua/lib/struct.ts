/**
 * Roberto Ierusalimschy's "struct" library as bundled by Redis 7.0 (lua_struct.c), with
 * the sizes of x86-64 Linux: b/B 1, h/H 2, l/L 8, T 8, i/I 4 (iN/IN: N bytes, N <= 32),
 * f 4, d 8, x 1 padding byte, cN N-byte string (c0: whole string / size from the
 * previous result), s zero-terminated string; controls '>' '<' '!' (alignment, default
 * 8) and ' '. Default: little endian, alignment 1.
 *
 * Exported API:
 *   structLibrary: Record<name, (args) => LuaValue[]> with pack, unpack, size
 *
 * Integers go through C's 64-bit casts exactly as the C code does (a negative number is
 * cast to long, a non-negative one to unsigned long; sizes above 8 bytes keep only 64
 * bits of value).
 */
import { LuaLibError, argError } from '../errors.js';
import { checkNumber, checkString, doubleToInt64, optInteger, toNumberOrUndefined } from './args.js';

type StructFunction = (args: unknown[]) => (string | number)[];

const MAX_INT_SIZE = 32;
const MAX_ALIGN = 8;
const BIG = 0;
const LITTLE = 1;

interface Header {
  endian: number;
  align: number;
}

/** A cursor over the format string (a C string: it ends at the first NUL). */
class FormatReader {
  readonly fmt: string;
  pos = 0;
  constructor(fmt: string) {
    const nul = fmt.indexOf('\0');
    this.fmt = nul === -1 ? fmt : fmt.slice(0, nul);
  }
  atEnd(): boolean {
    return this.pos >= this.fmt.length;
  }
  next(): string {
    return this.fmt[this.pos++];
  }
  /** getnum: an optional decimal number, `def` when absent. */
  number(def: number): number {
    if (!isDigit(this.fmt[this.pos])) return def;
    let a = 0;
    do {
      const d = this.fmt.charCodeAt(this.pos) - 48;
      if (a > Math.floor(2147483647 / 10) || a * 10 > 2147483647 - d) throw new LuaLibError('integral size overflow');
      a = a * 10 + d;
      this.pos++;
    } while (isDigit(this.fmt[this.pos]));
    return a;
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

/** optsize: the size of an option (0 for controls and 's'). */
function optionSize(opt: string, reader: FormatReader): number {
  switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': case 'T': return 8;
    case 'f': return 4;
    case 'd': return 8;
    case 'x': return 1;
    case 'c': return reader.number(1);
    case 'i': case 'I': {
      const size = reader.number(4);
      if (size > MAX_INT_SIZE) throw new LuaLibError(`integral size ${size} is larger than limit of ${MAX_INT_SIZE}`);
      return size;
    }
    default: return 0;
  }
}

/** gettoalign: padding needed before an item of `size` bytes at offset `len`. */
function paddingFor(len: number, header: Header, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0;
  if (size > header.align) size = header.align;
  // the C code does this in size_t arithmetic with masks; sizes here are small
  return (size - (len & (size - 1))) & (size - 1);
}

/** controloptions: endianness, alignment and blanks; anything else is invalid. */
function applyControl(opt: string, reader: FormatReader, header: Header, fname: string): void {
  switch (opt) {
    case ' ': return;
    case '>': header.endian = BIG; return;
    case '<': header.endian = LITTLE; return;
    case '!': {
      const a = reader.number(MAX_ALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) throw new LuaLibError(`alignment ${a} is not a power of 2`);
      header.align = a;
      return;
    }
    default:
      throw argError(1, fname, `invalid format option '${opt}'`);
  }
}

const TWO_63 = 9223372036854775808;
const MASK_64 = (1n << 64n) - 1n;

/** putinteger's conversion: (unsigned long)(long)n for negatives, (unsigned long)n otherwise. */
function integerBits(n: number): bigint {
  if (n < 0) return BigInt(doubleToInt64(n)) & MASK_64;
  // (unsigned long)n as gcc compiles it on x86-64 (NaN takes this branch too)
  if (n >= TWO_63) return (BigInt(doubleToInt64(n - TWO_63)) & MASK_64) ^ (1n << 63n);
  return BigInt(doubleToInt64(n)) & MASK_64;
}

function packInteger(n: number, size: number, endian: number): string {
  let value = integerBits(n);
  const bytes: number[] = new Array(size);
  for (let i = 0; i < size; i++) {
    bytes[endian === LITTLE ? i : size - 1 - i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return String.fromCharCode(...bytes);
}

function unpackInteger(data: string, pos: number, size: number, endian: number, signed: boolean): number {
  let l = 0n;
  for (let k = 0; k < size; k++) {
    const i = endian === BIG ? k : size - 1 - k;
    l = ((l << 8n) | BigInt(data.charCodeAt(pos + i))) & MASK_64;
  }
  if (!signed) return Number(l);
  // x86 masks 64-bit shift counts to 6 bits, which the C code relies on for sizes > 8
  const mask = (MASK_64 << BigInt((size * 8 - 1) & 63)) & MASK_64;
  if ((l & mask) !== 0n) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function packFloat(n: number, size: 4 | 8, endian: number): string {
  const view = new DataView(new ArrayBuffer(size));
  if (size === 4) view.setFloat32(0, n, endian === LITTLE);
  else view.setFloat64(0, n, endian === LITTLE);
  return String.fromCharCode(...new Uint8Array(view.buffer));
}

function unpackFloat(data: string, pos: number, size: 4 | 8, endian: number): number {
  const view = new DataView(new ArrayBuffer(size));
  for (let i = 0; i < size; i++) view.setUint8(i, data.charCodeAt(pos + i));
  return size === 4 ? view.getFloat32(0, endian === LITTLE) : view.getFloat64(0, endian === LITTLE);
}

function pack(givenArgs: unknown[]): string[] {
  const reader = new FormatReader(checkString(givenArgs, 0, 'pack'));
  // b_pack then pushes a nil after its arguments, so the first missing one reads as nil
  const args = [...givenArgs, undefined];
  const header: Header = { endian: LITTLE, align: 1 };
  let argIndex = 1;
  let out = '';
  while (!reader.atEnd()) {
    const opt = reader.next();
    let size = optionSize(opt, reader);
    const padding = paddingFor(out.length, header, opt, size);
    out += '\0'.repeat(padding);
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        out += packInteger(checkNumber(args, argIndex++, 'pack'), size, header.endian);
        break;
      case 'x':
        out += '\0';
        break;
      case 'f':
        out += packFloat(checkNumber(args, argIndex++, 'pack'), 4, header.endian);
        break;
      case 'd':
        out += packFloat(checkNumber(args, argIndex++, 'pack'), 8, header.endian);
        break;
      case 'c':
      case 's': {
        const s = checkString(args, argIndex++, 'pack');
        if (size === 0) size = s.length;
        // the C code has already advanced its argument counter: the message names the next one
        if (s.length < size) throw argError(argIndex + 1, 'pack', 'string too short');
        out += s.slice(0, size);
        if (opt === 's') out += '\0';
        break;
      }
      default:
        applyControl(opt, reader, header, 'pack');
    }
  }
  return [out];
}

function unpack(args: unknown[]): (string | number)[] {
  const reader = new FormatReader(checkString(args, 0, 'unpack'));
  const data = checkString(args, 1, 'unpack');
  const offset = optInteger(args, 2, 'unpack', 1);
  if (offset === 0) throw argError(3, 'unpack', 'offset must be 1 or greater');
  // a negative offset is a huge size_t in C: nothing fits after it
  let pos = offset < 0 ? Infinity : offset - 1;
  const header: Header = { endian: LITTLE, align: 1 };
  const results: (string | number)[] = [];
  const fits = (size: number): boolean => size <= data.length && pos <= data.length - size;
  while (!reader.atEnd()) {
    const opt = reader.next();
    let size = optionSize(opt, reader);
    if (pos !== Infinity) pos += paddingFor(pos, header, opt, size);
    if (!fits(size)) throw argError(2, 'unpack', 'data string too short');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        results.push(unpackInteger(data, pos, size, header.endian, opt === opt.toLowerCase()));
        break;
      case 'x':
        break;
      case 'f':
        results.push(unpackFloat(data, pos, 4, header.endian));
        break;
      case 'd':
        results.push(unpackFloat(data, pos, 8, header.endian));
        break;
      case 'c': {
        if (size === 0) {
          const previous = results.length === 0 ? undefined : toNumberOrUndefined(results[results.length - 1]);
          if (previous === undefined) throw new LuaLibError("format 'c0' needs a previous size");
          results.pop();
          // (size_t) of the number: truncation; negative ones wrap to huge values
          size = previous < 0 ? Infinity : Math.trunc(previous);
          if (!fits(size)) throw argError(2, 'unpack', 'data string too short');
        }
        results.push(data.substr(pos, size));
        break;
      }
      case 's': {
        const end = data.indexOf('\0', pos);
        if (end === -1) throw new LuaLibError('unfinished string in data');
        size = end - pos + 1;
        results.push(data.slice(pos, end));
        break;
      }
      default:
        applyControl(opt, reader, header, 'unpack');
    }
    pos += size;
  }
  results.push(pos === Infinity ? offset : pos + 1);
  return results;
}

function size(args: unknown[]): number[] {
  const reader = new FormatReader(checkString(args, 0, 'size'));
  const header: Header = { endian: LITTLE, align: 1 };
  let pos = 0;
  while (!reader.atEnd()) {
    const opt = reader.next();
    const itemSize = optionSize(opt, reader);
    pos += paddingFor(pos, header, opt, itemSize);
    if (opt === 's') throw argError(1, 'size', "option 's' has no fixed size");
    if (opt === 'c' && itemSize === 0) throw argError(1, 'size', "option 'c0' has no fixed size");
    // unknown letters are silently ignored here, unlike in pack and unpack
    if (!isAlnum(opt)) applyControl(opt, reader, header, 'size');
    pos += itemSize;
  }
  return [pos];
}

export const structLibrary: Record<string, StructFunction> = { pack, unpack, size };
