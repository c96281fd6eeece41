/**
 * Lua 5.1 number <-> string conversions, as the C implementation does them:
 * tostring uses printf("%.14g"); tonumber and arithmetic coercion use strtod (with hex
 * integers 0x..), allowing surrounding whitespace.
 */

/** printf("%.14g", n) as glibc prints it: inf, -inf, nan, -nan, -0, 1e+15. */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) {
    return n === 0 && 1 / n < 0 ? '-0' : String(n);
  }
  return formatG(n, 14, false);
}

/** C's %.<precision>g (with `alt` for the # flag: keep trailing zeros). */
export function formatG(n: number, precision: number, alt: boolean): string {
  if (n !== n) return isNegativeNaN(n) ? '-nan' : 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (precision === 0) precision = 1;
  if (n === 0) {
    const sign = 1 / n < 0 ? '-' : '';
    return sign + (alt ? '0.' + '0'.repeat(precision - 1) : '0');
  }
  const exp = Number(n.toExponential(precision - 1).split('e')[1]);
  let out: string;
  if (exp < -4 || exp >= precision) {
    out = n.toExponential(precision - 1);
    let [mant, e] = out.split('e');
    if (!alt && mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    const en = Number(e);
    out = mant + 'e' + (en < 0 ? '-' : '+') + String(Math.abs(en)).padStart(2, '0');
  } else {
    out = n.toFixed(Math.max(0, precision - 1 - exp));
    if (!alt && out.includes('.')) out = out.replace(/\.?0+$/, '');
  }
  return out;
}

// V8 does not preserve NaN sign bits reliably through arithmetic; a NaN produced by
// 0/0 on x86 is negative in C (printed "-nan"). Lua 5.1 on Linux prints 0/0 as "-nan"
// and -(0/0) as "nan". We track the sign via a Float64Array view.
const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
export function isNegativeNaN(n: number): boolean {
  f64[0] = n;
  return (u8[7] & 0x80) !== 0;
}

const WS = ' \f\n\r\t\v';

/**
 * lua_str2number: strtod, or a hex integer "0x..", surrounded by optional whitespace.
 * Returns undefined when the whole string is not a number.
 */
export function stringToNumber(s: string): number | undefined {
  let i = 0;
  let j = s.length;
  while (i < j && WS.includes(s[i])) i++;
  while (j > i && WS.includes(s[j - 1])) j--;
  if (i === j) return undefined;
  const body = s.slice(i, j);
  // hex: strtoul accepts an optional sign and 0x prefix
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(body);
  if (hex) {
    const v = parseInt(hex[2], 16);
    return hex[1] === '-' ? -v : v;
  }
  if (/^[+-]?(inf|infinity|nan)$/i.test(body)) {
    const neg = body[0] === '-';
    if (/nan/i.test(body)) return NaN;
    return neg ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return undefined;
  return Number(body);
}
