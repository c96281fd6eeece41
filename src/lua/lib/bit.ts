/**
 * LuaBitOp ("bit" library) as Redis bundles it (lua_bit.c, Lua 5.1 build, doubles).
 *
 * Exported API:
 *   bitLibrary: Record<name, (args) => LuaValue[]> with tobit, bnot, band, bor, bxor,
 *     lshift, rshift, arshift, rol, ror, bswap, tohex
 *   toBit(d)    LuaBitOp's number -> 32-bit normalisation (d + 2^52 + 2^51, low word),
 *               i.e. round half to even, then modulo 2^32; returned as a signed int32
 *
 * Results are signed 32-bit numbers. A non-number argument raises
 * "bad argument #N to 'fname' (number expected, got T)"; numeric strings are accepted.
 */
import { argError } from '../errors.js';
import { argTypeName, toNumberOrUndefined } from './args.js';

type BitFunction = (args: unknown[]) => number[] | string[];

const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** The low 32 bits of the double d + 2^52 + 2^51, as LuaBitOp computes them. */
export function toBit(d: number): number {
  scratch[0] = d + 6755399441055744.0;
  return scratchWords[LOW_WORD];
}

/** barg: argument i (0-based) of fname as a 32-bit value. */
function bitArg(args: unknown[], index: number, fname: string): number {
  const n = toNumberOrUndefined(args[index]);
  if (n === undefined) throw argError(index + 1, fname, `number expected, got ${argTypeName(args, index)}`);
  return toBit(n);
}

function reduce(fname: string, op: (a: number, b: number) => number): BitFunction {
  return (args) => {
    let b = bitArg(args, 0, fname);
    // the C loop reads the arguments from the last one down
    for (let i = args.length - 1; i > 0; i--) b = op(b, bitArg(args, i, fname));
    return [b | 0];
  };
}

function shift(fname: string, op: (b: number, n: number) => number): BitFunction {
  return (args) => {
    const b = bitArg(args, 0, fname);
    const n = bitArg(args, 1, fname) & 31;
    return [op(b, n) | 0];
  };
}

export const bitLibrary: Record<string, BitFunction> = {
  tobit: (args) => [bitArg(args, 0, 'tobit')],
  bnot: (args) => [~bitArg(args, 0, 'bnot')],
  band: reduce('band', (a, b) => a & b),
  bor: reduce('bor', (a, b) => a | b),
  bxor: reduce('bxor', (a, b) => a ^ b),
  lshift: shift('lshift', (b, n) => b << n),
  rshift: shift('rshift', (b, n) => b >>> n),
  arshift: shift('arshift', (b, n) => b >> n),
  // a shift by 32 is a shift by 0 on x86, so rotating by 0 gives b | b = b
  rol: shift('rol', (b, n) => (b << n) | (b >>> (32 - n))),
  ror: shift('ror', (b, n) => (b << (32 - n)) | (b >>> n)),
  bswap: (args) => {
    const b = bitArg(args, 0, 'bswap');
    return [((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0];
  },
  tohex: (args) => {
    let b = bitArg(args, 0, 'tohex');
    let n = args.length < 2 ? 8 : bitArg(args, 1, 'tohex');
    let digits = '0123456789abcdef';
    if (n < 0) {
      n = -n; // gcc assumes no overflow here: -INT32_MIN behaves as 2^31 (then capped at 8)
      digits = '0123456789ABCDEF';
    }
    if (n > 8) n = 8;
    let out = '';
    for (let i = n; --i >= 0; ) {
      out = digits[b & 15] + out;
      b >>>= 4;
    }
    return [out];
  },
};
