/**
 * Number formatting shared by replies and commands, as Redis 7.0 does it in C.
 */

/** printf("%.{precision}g", n), as glibc prints it ("inf", "-inf", "nan", "1e+15"). */
export function formatG(n: number, precision: number): string {
  if (n !== n) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  const expo = n.toExponential(precision - 1);
  const e = expo.indexOf('e');
  const exp = Number(expo.slice(e + 1));
  if (exp < -4 || exp >= precision) {
    let mant = expo.slice(0, e);
    if (mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    return mant + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  }
  let fixed = n.toFixed(Math.max(0, precision - 1 - exp));
  if (fixed.includes('.')) fixed = fixed.replace(/\.?0+$/, '');
  return fixed;
}

/** addReplyDouble in Redis 7.0: "%.17g" (inf and -inf spelled out). */
export function formatDouble(n: number): string {
  return formatG(n, 17);
}

/**
 * Redis's long-double formatting used by INCRBYFLOAT and HINCRBYFLOAT
 * (ld2string with LD_STR_HUMAN): "%.17Lf" with trailing zeros removed. JS has no long
 * double; we print the shortest decimal that round-trips, which equals the long-double
 * output for every value a double can hold except where %.17Lf exposes extra digits.
 */
export function formatHumanDouble(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  let s = n.toFixed(17);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  // Prefer the shortest round-trip form when %.17f would print binary noise.
  const shortest = String(n);
  if (!shortest.includes('e') && Number(shortest) === n && shortest.length < s.length) return shortest;
  return s;
}
