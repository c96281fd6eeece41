/**
 * string.format as Lua 5.1 implements it on top of glibc's sprintf (x86-64 Linux).
 *
 * Exported API:
 *   stringFormat(args)   string.format(fmt, ...): returns [result]; arguments are checked
 *                        like luaL_checknumber / luaL_checklstring ("bad argument #2 to
 *                        'format' (number expected, got string)", "... (no value)")
 *   quoteString(s)       the %q rendering of a byte string
 *
 * 5.1 specifics kept: at most 5 flag characters and 2-digit width/precision, %d casts to a
 * C long (truncation, INT64_MIN when out of range), %o/%u/%x cast to unsigned long the way
 * gcc compiles it, %c of 0 yields nothing (the item is cut at its first NUL), %s of a
 * string of 100+ bytes without precision is copied whole, %s stops at NUL otherwise, and
 * %q ignores width and flags.
 */
import { LuaLibError, argError } from '../errors.js';
import { checkNumber, checkString, doubleToInt64 } from './args.js';
import { formatE, formatF, formatG } from './number.js';

const FLAG_CHARS = '-+ #0';

interface Spec {
  leftAlign: boolean;
  plus: boolean;
  space: boolean;
  alternate: boolean;
  zeroPad: boolean;
  width: number;
  /** undefined when the spec has no '.'; "%.d" has precision 0. */
  precision: number | undefined;
  conversion: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** scanformat: parse "flags width .precision conversion" starting after the '%'. */
function scanSpec(fmt: string, start: number): [Spec, number] {
  let p = start;
  while (p < fmt.length && FLAG_CHARS.includes(fmt[p])) p++;
  const flags = fmt.slice(start, p);
  if (flags.length >= FLAG_CHARS.length + 1) throw new LuaLibError('invalid format (repeated flags)');
  let widthText = '';
  if (isDigit(fmt[p])) widthText += fmt[p++];
  if (isDigit(fmt[p])) widthText += fmt[p++];
  let precision: number | undefined;
  if (fmt[p] === '.') {
    p++;
    let precisionText = '';
    if (isDigit(fmt[p])) precisionText += fmt[p++];
    if (isDigit(fmt[p])) precisionText += fmt[p++];
    precision = precisionText === '' ? 0 : Number(precisionText);
  }
  if (isDigit(fmt[p])) throw new LuaLibError('invalid format (width or precision too long)');
  const spec: Spec = {
    leftAlign: flags.includes('-'),
    plus: flags.includes('+'),
    space: flags.includes(' '),
    alternate: flags.includes('#'),
    zeroPad: flags.includes('0'),
    width: widthText === '' ? 0 : Number(widthText),
    precision,
    // past the end the C code reads the terminating NUL
    conversion: p < fmt.length ? fmt[p] : '\0',
  };
  return [spec, p + 1];
}

/** Pad `prefix + body` to the width: zeros go between the prefix (sign, 0x) and the body. */
function pad(spec: Spec, prefix: string, body: string, zerosAllowed: boolean): string {
  const length = prefix.length + body.length;
  if (length >= spec.width) return prefix + body;
  const fill = spec.width - length;
  if (spec.leftAlign) return prefix + body + ' '.repeat(fill);
  if (spec.zeroPad && zerosAllowed) return prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + prefix + body;
}

/** Cut at the first NUL: Lua adds the item with strlen(). */
function cStringPrefix(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

const TWO_63 = 9223372036854775808;
const TWO_64_BIG = 1n << 64n;

/** (unsigned long)d as gcc compiles it on x86-64. */
function doubleToUint64(d: number): bigint {
  let bits: bigint;
  if (d >= TWO_63) bits = BigInt(doubleToInt64(d - TWO_63)) ^ (1n << 63n);
  else bits = BigInt(doubleToInt64(d));
  return ((bits % TWO_64_BIG) + TWO_64_BIG) % TWO_64_BIG;
}

function formatInteger(spec: Spec, n: number): string {
  const conv = spec.conversion;
  let sign = '';
  let magnitude: bigint;
  if (conv === 'd' || conv === 'i') {
    const v = BigInt(doubleToInt64(n));
    magnitude = v < 0n ? -v : v;
    sign = v < 0n ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  } else {
    magnitude = doubleToUint64(n);
  }
  const radix = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  let digits = magnitude.toString(radix);
  if (conv === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) {
    digits = magnitude === 0n && spec.precision === 0 ? '' : digits.padStart(spec.precision, '0');
  }
  let prefix = sign;
  if (spec.alternate) {
    if (conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
    else if (conv === 'x' && magnitude !== 0n) prefix += '0x';
    else if (conv === 'X' && magnitude !== 0n) prefix += '0X';
  }
  return pad(spec, prefix, digits, spec.precision === undefined);
}

function formatFloat(spec: Spec, n: number): string {
  const conv = spec.conversion;
  const precision = spec.precision ?? 6;
  const lower = conv.toLowerCase();
  let text =
    lower === 'e' ? formatE(n, precision, spec.alternate) : lower === 'f' ? formatF(n, precision, spec.alternate) : formatG(n, precision, spec.alternate);
  if (conv === 'E' || conv === 'G') text = text.toUpperCase();
  let sign = '';
  if (text.startsWith('-')) {
    sign = '-';
    text = text.slice(1);
  } else if (spec.plus) {
    sign = '+';
  } else if (spec.space) {
    sign = ' ';
  }
  // glibc pads inf and nan with spaces even under the 0 flag
  return pad(spec, sign, text, Number.isFinite(n));
}

/** %q: quote a string so that Lua 5.1 can read it back. */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    switch (c) {
      case '"':
      case '\\':
      case '\n':
        out += '\\' + c;
        break;
      case '\r':
        out += '\\r';
        break;
      case '\0':
        out += '\\000';
        break;
      default:
        out += c;
    }
  }
  return out + '"';
}

/** string.format(fmt, ...) */
export function stringFormat(args: unknown[]): [string] {
  const fmt = checkString(args, 0, 'format');
  let out = '';
  let argIndex = 0; // index of the last consumed argument (0 is the format)
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    argIndex++;
    if (argIndex >= args.length) throw argError(argIndex + 1, 'format', 'no value');
    const [spec, next] = scanSpec(fmt, i + 1);
    i = next;
    out += formatItem(spec, args, argIndex);
  }
  return [out];
}

function formatItem(spec: Spec, args: unknown[], argIndex: number): string {
  switch (spec.conversion) {
    case 'c': {
      // (int)d, then the low byte
      const n = doubleToInt64(checkNumber(args, argIndex, 'format'));
      const code = n >= -2147483648 && n <= 2147483647 ? n & 0xff : 0;
      return cStringPrefix(pad(spec, '', String.fromCharCode(code), false));
    }
    case 'd':
    case 'i':
    case 'o':
    case 'u':
    case 'x':
    case 'X':
      return formatInteger(spec, checkNumber(args, argIndex, 'format'));
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G':
      return formatFloat(spec, checkNumber(args, argIndex, 'format'));
    case 'q':
      return quoteString(checkString(args, argIndex, 'format'));
    case 's': {
      const s = checkString(args, argIndex, 'format');
      // too long for sprintf's buffer: Lua copies it whole, ignoring width
      if (spec.precision === undefined && s.length >= 100) return s;
      let body = cStringPrefix(s);
      if (spec.precision !== undefined) body = body.slice(0, spec.precision);
      return pad(spec, '', body, false);
    }
    default: {
      // lua_pushfstring's %c stops at a NUL, so "%" at the very end reads as "'%'"
      const option = spec.conversion === '\0' ? '' : spec.conversion;
      throw new LuaLibError(`invalid option '%${option}' to 'format'`);
    }
  }
}
