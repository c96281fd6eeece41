/**
 * Argument checking for library functions, mirroring lauxlib's luaL_check* / luaL_opt*
 * (numbers given as strings are coerced, strings given as numbers are formatted with
 * %.14g, and messages read "bad argument #N to 'fname' (number expected, got no value)").
 *
 * Exported API:
 *   LuaLightUserdata            class of light userdata values (cjson.null is one)
 *   luaTypeName(v)              Lua's type() name, "userdata" for LuaLightUserdata
 *   argTypeName(args, i)        luaL_typename: "no value" past the last argument
 *   checkNumber(args, i, fname)         luaL_checknumber (i is 0-based)
 *   checkInteger(args, i, fname)        luaL_checkinteger: truncated as (ptrdiff_t)double on x86-64
 *   optInteger(args, i, fname, def)     luaL_optinteger
 *   checkInt(args, i, fname) / optInt   luaL_checkint / luaL_optint: further cast to C int
 *   checkString(args, i, fname)         luaL_checklstring
 *   toNumberOrUndefined(v)              lua_tonumber without the error
 *   toStringOrUndefined(v)              lua_tolstring without the error
 *   doubleToInt64(d) / int64ToInt32(n)  the C casts, as doubles
 */
import { argError } from '../errors.js';
import { type LuaValue, type as luaType } from '../value.js';
import { numberToString, stringToNumber } from './number.js';

/** A light userdata: an opaque, unique value (type() is "userdata"). */
export class LuaLightUserdata {
  constructor(public readonly label: string) {}
}

export function luaTypeName(v: unknown): string {
  if (v instanceof LuaLightUserdata) return 'userdata';
  return luaType(v as LuaValue);
}

export function argTypeName(args: readonly unknown[], index: number): string {
  return index >= args.length ? 'no value' : luaTypeName(args[index]);
}

export function toNumberOrUndefined(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

export function toStringOrUndefined(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

export function checkNumber(args: readonly unknown[], index: number, fname: string): number {
  const n = toNumberOrUndefined(args[index]);
  if (n === undefined) throw argError(index + 1, fname, `number expected, got ${argTypeName(args, index)}`);
  return n;
}

const INT64_MIN = -9223372036854775808;

/**
 * (ptrdiff_t)d as gcc compiles it on x86-64 (cvttsd2si): truncation toward zero, and
 * the "integer indefinite" value INT64_MIN for NaN and out-of-range values.
 */
export function doubleToInt64(d: number): number {
  if (!(d >= INT64_MIN && d < 9223372036854775808)) return INT64_MIN;
  return Math.trunc(d) + 0; // + 0 turns -0 into 0
}

/** (int) of an integer-valued double in the int64 range: its low 32 bits, signed. */
export function int64ToInt32(n: number): number {
  return n | 0;
}

export function checkInteger(args: readonly unknown[], index: number, fname: string): number {
  return doubleToInt64(checkNumber(args, index, fname));
}

export function optInteger(args: readonly unknown[], index: number, fname: string, def: number): number {
  return args[index] === undefined ? def : checkInteger(args, index, fname);
}

export function checkInt(args: readonly unknown[], index: number, fname: string): number {
  return int64ToInt32(checkInteger(args, index, fname));
}

export function optInt(args: readonly unknown[], index: number, fname: string, def: number): number {
  return args[index] === undefined ? def : checkInt(args, index, fname);
}

export function checkString(args: readonly unknown[], index: number, fname: string): string {
  const s = toStringOrUndefined(args[index]);
  if (s === undefined) throw argError(index + 1, fname, `string expected, got ${argTypeName(args, index)}`);
  return s;
}
