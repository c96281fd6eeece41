/**
 * Argument parsing shared by command handlers, with Redis's acceptance rules
 * (string2ll, strtod) and error replies.
 */
import { ErrorReply, Errors } from '../protocol/reply.js';

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
const CANONICAL_INT = /^(0|-?[1-9][0-9]*)$/;

/**
 * string2ll: an optional '-', digits, no leading zeros, no '+', no spaces, within int64.
 * Returns a number when it is a safe integer, a bigint otherwise, or null.
 */
export function parseInt64(s: string): number | bigint | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  if (len < 16) {
    // Fast path without a regular expression: canonical decimal digits only.
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45 /* - */) {
      if (len === 1) return null;
      neg = true;
      i = 1;
    }
    const first = s.charCodeAt(i);
    if (first === 48 /* 0 */ && (len > i + 1 || neg)) return null; // "01", "-0"
    let n = 0;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      n = n * 10 + d;
    }
    return neg ? -n : n;
  }
  if (!CANONICAL_INT.test(s)) return null;
  const b = BigInt(s);
  if (b > LLONG_MAX || b < LLONG_MIN) return null;
  return Number.isSafeInteger(Number(s)) ? Number(s) : b;
}

/** An integer argument that must fit a JS safe integer (counts, indexes, times). */
export function parseInteger(s: string): number | null {
  const v = parseInt64(s);
  if (v === null) return null;
  if (typeof v === 'bigint') {
    // Clamp huge values: callers range-check them and Redis would accept them as int64.
    return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return v;
}

/** Like parseInteger, or the "not an integer" error reply. */
export function intArg(s: string): number | ErrorReply {
  const v = parseInteger(s);
  return v === null ? Errors.notInteger : v;
}

/**
 * strtod as Redis's getDoubleFromObject uses it: the whole string, no leading space,
 * not NaN. "inf", "-inf", "+inf", "1e5" are accepted.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const c = s.charCodeAt(0);
  if (c === 32 || (c >= 9 && c <= 13)) return null;
  const lower = s.toLowerCase();
  let v: number;
  if (/^[+-]?(inf|infinity)$/.test(lower)) v = lower[0] === '-' ? -Infinity : Infinity;
  else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) v = Number(s);
  else if (/^[+-]?0x[0-9a-f]+$/.test(lower)) v = lower[0] === '-' ? -parseInt(lower.slice(3), 16) : parseInt(lower.replace(/^\+/, '').slice(2), 16);
  else return null;
  if (Number.isNaN(v)) return null;
  return v;
}

/** Case-insensitive ASCII comparison of an argument with a lower-case keyword. */
export function is(arg: string, keyword: string): boolean {
  return arg.length === keyword.length && arg.toLowerCase() === keyword;
}

/** Formats an int64 that may be a bigint. */
export function int64Reply(v: number | bigint): number | bigint {
  return typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
