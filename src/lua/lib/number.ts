/**
 * Lua 5.1 number <-> string conversions, exactly as the C implementation (glibc) does them.
 *
 * Exported API:
 *   numberToString(n)             tostring(n) / `..` coercion: printf("%.14g", n)
 *   formatG(n, precision, alt)    C "%.<precision>g" ("#" flag when alt); sign included
 *   formatE(n, precision, alt)    C "%.<precision>e" (lower case; callers upper-case for %E)
 *   formatF(n, precision, alt)    C "%.<precision>f"
 *   isNegativeNaN(n)              true for a NaN whose sign bit is set (glibc prints "-nan")
 *   negativeNaN                   a NaN with the sign bit set (what x86 produces for 0/0)
 *   stringToNumber(s)             lua_str2number: tonumber(s) / arithmetic coercion, or undefined
 *   strtodPrefix(s, start)        C strtod at an offset: [value, end index] or undefined
 *
 * Non-finite values print as glibc does: "inf", "-inf", "nan", "-nan".
 * Rounding is correct and ties go to even on the exact binary value, as glibc does.
 */

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/** Whether the sign bit of a NaN is set: glibc prints such a NaN as "-nan". */
export function isNegativeNaN(n: number): boolean {
  f64[0] = n;
  return (u8[7] & 0x80) !== 0;
}

/** A NaN with its sign bit set: 0/0 on x86 yields this, and Lua 5.1 prints it "-nan". */
export const negativeNaN: number = (() => {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, 0xfff80000);
  view.setUint32(4, 0);
  return view.getFloat64(0);
})();

/** printf("%.14g", n): what tostring() and string coercion produce in Lua 5.1. */
export function numberToString(n: number): string {
  // Integers below 1e15 have at most 15 digits... but %.14g keeps only 14, so the
  // shortcut is exact only below 1e14 in magnitude.
  if (Number.isInteger(n) && n < 1e14 && n > -1e14) {
    return n === 0 && 1 / n < 0 ? '-0' : String(n);
  }
  return formatG(n, 14, false);
}

function nonFinite(n: number): string | undefined {
  if (n !== n) return isNegativeNaN(n) ? '-nan' : 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return undefined;
}

/**
 * The decimal digits of a positive finite double rounded to `count` significant
 * digits: returns [digits (length count), exponent] meaning d.ddd x 10^exponent.
 */
function significantDigits(x: number, count: number): [string, number] {
  // JS's toExponential is correctly rounded except that exact ties round up rather
  // than to even. A tie is only possible when the next digit is a 5, so check with
  // one more digit and fall back to exact arithmetic then.
  if (count <= 99) {
    const longer = x.toExponential(count);
    const mantissaEnd = longer.indexOf('e');
    if (longer.charCodeAt(mantissaEnd - 1) !== 0x35 /* '5' */) {
      const s = x.toExponential(count - 1);
      const e = s.indexOf('e');
      return [s.slice(0, e).replace('.', ''), Number(s.slice(e + 1))];
    }
  }
  const [digits, pointPos] = exactDecimal(x);
  // exact value = 0.digits x 10^pointPos; the first digit is non-zero
  const rounded = roundDigits(digits, count);
  if (rounded.length > count) return [rounded.slice(0, count), pointPos]; // carried: 9.99 -> 10.0
  return [rounded, pointPos - 1];
}

/**
 * The decimal digits of a non-negative finite double with `decimals` digits after
 * the point: returns the digit string of round(x * 10^decimals) (no leading zeros
 * beyond a single "0").
 */
function fixedDigits(x: number, decimals: number): string {
  if (x < 1e21 && decimals <= 99) {
    const longer = x.toFixed(decimals + 1);
    if (longer.charCodeAt(longer.length - 1) !== 0x35 /* '5' */) {
      return stripLeadingZeros(x.toFixed(decimals).replace('.', ''));
    }
  }
  if (x === 0) return '0';
  const [digits, pointPos] = exactDecimal(x);
  const keep = pointPos + decimals; // digits kept from `digits`
  if (keep < 0) return '0';
  if (keep === 0) {
    // value < 0.5 * 10^-decimals unless first digit > 5 or (=5 and more non-zero)
    const roundUp = digits[0] > '5' || (digits[0] === '5' && /[1-9]/.test(digits.slice(1)));
    return roundUp ? '1' : '0';
  }
  const padded = digits.length < keep ? digits + '0'.repeat(keep - digits.length) : digits;
  return stripLeadingZeros(roundDigits(padded, keep));
}

function stripLeadingZeros(s: string): string {
  const t = s.replace(/^0+/, '');
  return t === '' ? '0' : t;
}

/**
 * Round a digit string to its first `keep` digits (keep >= 1), half to even. The result
 * has keep digits, or keep + 1 when the rounding carried out of the first digit.
 */
function roundDigits(digits: string, keep: number): string {
  if (digits.length <= keep) return digits + '0'.repeat(keep - digits.length);
  const head = digits.slice(0, keep);
  const next = digits.charCodeAt(keep) - 48;
  const restNonZero = /[1-9]/.test(digits.slice(keep + 1));
  const lastOdd = (head.charCodeAt(keep - 1) - 48) % 2 === 1;
  const up = next > 5 || (next === 5 && (restNonZero || lastOdd));
  if (!up) return head;
  return (BigInt(head) + 1n).toString().padStart(keep, '0');
}

/**
 * The exact decimal expansion of a positive finite double: [digits, pointPos] with the
 * value equal to 0.<digits> x 10^pointPos, digits starting with a non-zero digit.
 */
function exactDecimal(x: number): [string, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExponent = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biasedExponent === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  // x = mantissa * 2^exponent
  if (exponent >= 0) {
    const digits = (mantissa << BigInt(exponent)).toString();
    return [digits, digits.length];
  }
  // mantissa * 2^-k = mantissa * 5^k / 10^k
  const k = -exponent;
  const scaled = (mantissa * 5n ** BigInt(k)).toString();
  const trimmed = scaled.replace(/0+$/, '');
  return [trimmed, scaled.length - k];
}

function signOf(n: number): string {
  return n < 0 || (n === 0 && 1 / n < 0) ? '-' : '';
}

function exponentSuffix(exp: number): string {
  return 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** C's "%.<precision>e". */
export function formatE(n: number, precision: number, alt: boolean): string {
  const special = nonFinite(n);
  if (special !== undefined) return special;
  const sign = signOf(n);
  const x = Math.abs(n);
  let digits: string;
  let exp: number;
  if (x === 0) {
    digits = '0'.repeat(precision + 1);
    exp = 0;
  } else {
    [digits, exp] = significantDigits(x, precision + 1);
  }
  const point = precision > 0 || alt ? '.' : '';
  return sign + digits[0] + point + digits.slice(1) + exponentSuffix(exp);
}

/** C's "%.<precision>f". */
export function formatF(n: number, precision: number, alt: boolean): string {
  const special = nonFinite(n);
  if (special !== undefined) return special;
  const sign = signOf(n);
  const digits = fixedDigits(Math.abs(n), precision);
  if (precision === 0) return sign + digits + (alt ? '.' : '');
  const padded = digits.padStart(precision + 1, '0');
  const cut = padded.length - precision;
  return sign + padded.slice(0, cut) + '.' + padded.slice(cut);
}

/** C's "%.<precision>g" (`alt` for the "#" flag: keep the point and trailing zeros). */
export function formatG(n: number, precision: number, alt: boolean): string {
  const special = nonFinite(n);
  if (special !== undefined) return special;
  if (precision === 0) precision = 1;
  const sign = signOf(n);
  const x = Math.abs(n);
  let digits: string;
  let exp: number;
  if (x === 0) {
    digits = '0'.repeat(precision);
    exp = 0;
  } else {
    [digits, exp] = significantDigits(x, precision);
  }
  let body: string;
  if (exp < -4 || exp >= precision) {
    let mantissa = digits[0] + '.' + digits.slice(1);
    mantissa = alt ? mantissa : trimFraction(mantissa);
    body = mantissa + exponentSuffix(exp);
  } else if (exp >= 0) {
    body = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    body = alt ? body : trimFraction(body);
  } else {
    body = '0.' + '0'.repeat(-exp - 1) + digits;
    body = alt ? body : trimFraction(body);
  }
  return sign + body;
}

/** Drop trailing zeros of the fraction, and the point if nothing remains after it. */
function trimFraction(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

/** C isspace in the C locale. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const hexPattern = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/;
const infPattern = /^([+-]?)inf(?:inity)?/i;
const nanPattern = /^([+-]?)nan(?:\([0-9A-Za-z_]*\))?/i;

/**
 * lua_str2number (luaO_str2d): glibc strtod over the whole string (leading and trailing
 * whitespace allowed; hex floats, "inf", "infinity", "nan" and "nan(...)" accepted).
 * The C code sees a C string, so the string ends at its first NUL byte.
 * Returns undefined when the string is not a number.
 */
export function stringToNumber(s: string): number | undefined {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  let start = 0;
  while (start < s.length && isSpace(s.charCodeAt(start))) start++;
  const rest = s.slice(start);
  const parsed = parseStrtod(rest);
  if (parsed === undefined) return undefined;
  for (let i = parsed[1]; i < rest.length; i++) {
    if (!isSpace(rest.charCodeAt(i))) return undefined;
  }
  return parsed[0];
}

/**
 * strtod at s[start] (no leading blanks expected): [value, index after the number], or
 * undefined when no number starts there.
 */
export function strtodPrefix(s: string, start: number): [number, number] | undefined {
  const parsed = parseStrtod(start === 0 ? s : s.slice(start));
  return parsed === undefined ? undefined : [parsed[0], start + parsed[1]];
}

/** strtod on a string without leading blanks: [value, characters consumed] or undefined. */
function parseStrtod(s: string): [number, number] | undefined {
  const hex = hexPattern.exec(s);
  if (hex && (hex[2] !== '' || (hex[3] !== undefined && hex[3] !== ''))) {
    // An exponent without digits ("0x1p") is not part of the number: the pattern only
    // takes "p" when digits follow, as strtod does.
    const value = hexFloatValue(hex[2], hex[3] ?? '', hex[4] === undefined ? 0 : Number(hex[4]));
    return [hex[1] === '-' ? -value : value, hex[0].length];
  }
  const dec = decimalPattern.exec(s);
  if (dec) return [Number(dec[0]), dec[0].length];
  const inf = infPattern.exec(s);
  if (inf) return [inf[1] === '-' ? -Infinity : Infinity, inf[0].length];
  const nan = nanPattern.exec(s);
  if (nan) return [nan[1] === '-' ? negativeNaN : NaN, nan[0].length];
  return undefined;
}

/** The value of hex digits "int.frac" times 2^binaryExponent, correctly rounded. */
function hexFloatValue(intDigits: string, fracDigits: string, binaryExponent: number): number {
  const all = (intDigits + fracDigits).replace(/^0+/, '');
  if (all === '') return 0;
  let mantissa = BigInt('0x' + all);
  let exponent = binaryExponent - 4 * fracDigits.length;
  // Keep 64 significant bits plus a sticky bit so Number() rounds once, correctly.
  const bits = mantissa.toString(2).length;
  if (bits > 64) {
    const drop = bits - 64;
    const sticky = (mantissa & ((1n << BigInt(drop)) - 1n)) !== 0n ? 1n : 0n;
    mantissa = (mantissa >> BigInt(drop)) | sticky;
    exponent += drop;
  }
  let value = Number(mantissa);
  // Scale in steps so intermediate powers of two stay finite and non-zero.
  while (exponent > 0) {
    const step = Math.min(exponent, 1000);
    value *= 2 ** step;
    exponent -= step;
  }
  while (exponent < 0) {
    const step = Math.max(exponent, -1000);
    value *= 2 ** step;
    exponent -= step;
  }
  return value;
}
