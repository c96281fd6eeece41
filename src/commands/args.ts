/**
 * Argument parsing shared by command handlers, with Redis's acceptance rules
 * (string2ll, strtod) and error replies.
 */
import { ErrorReply, Errors } from '../protocol/reply.js';
import { parseInt64 } from '../protocol/int64.js';

export { LLONG_MAX, LLONG_MIN, parseInt64 } from '../protocol/int64.js';

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
