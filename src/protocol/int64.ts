/**
 * Redis's string2ll (util.c): the int64 grammar of integer arguments and of integer-like
 * strings (a set of them is an intset). Commands wrap it with their error replies
 * (commands/args.ts); the keyspace uses it as is.
 */

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
