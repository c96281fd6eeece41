/**
 * The x87 80-bit long double arithmetic that Redis uses for INCRBYFLOAT and HINCRBYFLOAT
 * (strtold, one addition, printf("%.17Lf") with trailing zeros trimmed). A JS double
 * would print "5005.6" where Redis prints "5005.60000000000000009", so we compute with a
 * 64-bit mantissa in BigInt, rounding to nearest-even like the FPU.
 */

const MANTISSA_BITS = 64n;
const MAX_CHARS = 5 * 1024;

/** A finite long double: sign * mantissa * 2^exp, mantissa < 2^64 (0 has mantissa 0). */
interface LongDouble {
  neg: boolean;
  mantissa: bigint;
  exp: bigint;
}

function bitLength(n: bigint): bigint {
  return BigInt(n.toString(2).length);
}

/** Divides num/den (positive) and rounds to nearest, ties to even. */
function divRound(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num - q * den;
  const twice = 2n * r;
  if (twice > den || (twice === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Rounds the exact value num/den * 2^exp (num, den > 0) to a 64-bit mantissa. */
function normalise(neg: boolean, num: bigint, den: bigint, exp: bigint): LongDouble {
  if (num === 0n) return { neg, mantissa: 0n, exp: 0n };
  // Choose shift so that the quotient has exactly 64 bits.
  let shift = MANTISSA_BITS - (bitLength(num) - bitLength(den));
  let m: bigint;
  for (;;) {
    m = shift >= 0n ? divRound(num << shift, den) : divRound(num, den << -shift);
    const bits = bitLength(m);
    if (bits > MANTISSA_BITS) shift -= 1n;
    else if (bits < MANTISSA_BITS) shift += 1n;
    else break;
  }
  return { neg, mantissa: m, exp: exp - shift };
}

/** strtold for the decimal forms Redis accepts; null if not a number; 'inf' for infinities. */
export function parseLongDouble(s: string): LongDouble | 'inf' | null {
  if (s.length === 0 || s.length > MAX_CHARS) return null;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) {
    if (/^[+-]?(inf|infinity)$/i.test(s)) return 'inf';
    return null;
  }
  const [, sign, intPart, fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return null;
  const digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  let exp10 = BigInt(expPart ?? '0') - BigInt(fracPart.length);
  if (exp10 > 5000n) return 'inf';
  if (exp10 < -5000n) exp10 = -5000n;
  let num = digits;
  let den = 1n;
  if (exp10 >= 0n) num *= 10n ** exp10;
  else den = 10n ** -exp10;
  return normalise(sign === '-', num, den, 0n);
}

function add(a: LongDouble, b: LongDouble): LongDouble {
  const e = a.exp < b.exp ? a.exp : b.exp;
  const va = (a.neg ? -a.mantissa : a.mantissa) << (a.exp - e);
  const vb = (b.neg ? -b.mantissa : b.mantissa) << (b.exp - e);
  const sum = va + vb;
  return normalise(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed; "-0" becomes "0". */
function formatHuman(v: LongDouble): string {
  const scale = 10n ** 17n;
  let scaled: bigint;
  if (v.exp >= 0n) scaled = (v.mantissa << v.exp) * scale;
  else scaled = divRound(v.mantissa * scale, 1n << -v.exp);
  const intPart = scaled / scale;
  const frac = (scaled % scale).toString().padStart(17, '0').replace(/0+$/, '');
  let out = intPart.toString() + (frac ? '.' + frac : '');
  if (v.neg && out !== '0') out = '-' + out;

  return out;
}

/**
 * INCRBYFLOAT's arithmetic: current + increment, formatted as Redis stores it. Returns
 * 'not-float' when an operand is not a valid float, 'nan-or-inf' for an infinite result.
 */
export function incrByFloat(current: string, increment: string): string | 'not-float' | 'nan-or-inf' {
  const a = parseLongDouble(current);
  const b = parseLongDouble(increment);
  if (a === null || b === null) return 'not-float';
  if (a === 'inf' || b === 'inf') return 'nan-or-inf';
  const sum = add(a, b);
  // Beyond the long double range (about 1.19e4932) the FPU would give infinity.
  if (sum.mantissa !== 0n && sum.exp + MANTISSA_BITS > 16384n) return 'nan-or-inf';
  return formatHuman(sum);
}
