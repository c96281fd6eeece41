/**
 * lua-cjson 2.1.0 as bundled by Redis 7.0 (lua_cjson.c), on Lua tables and byte strings.
 *
 * Exported API:
 *   cjsonNull              the value of cjson.null (a NULL light userdata in C): decode
 *                          returns it for JSON null and encode writes it as null. It is a
 *                          LuaLightUserdata, so type() must report "userdata" for it.
 *   CjsonConfig            one module instance's settings (defaults as Redis)
 *   createCjsonFunctions(config?)   Record<name, (args) => LuaValue[]> with encode, decode,
 *                          encode_sparse_array, encode_max_depth, decode_max_depth,
 *                          encode_number_precision, encode_keep_buffer,
 *                          encode_invalid_numbers, decode_invalid_numbers, new
 *   createCjsonModule()    the "cjson" table: those functions (LuaFunction host functions)
 *                          plus null, _NAME = "cjson", _VERSION = "2.1.0"; `new` returns
 *                          another such table with its own settings
 *   jsonEncode(value, config) / jsonDecode(text, config)   the conversions themselves
 *
 * Objects are written in the table's own next() order, as lua_next would visit them.
 */
import { LuaLibError, argError } from '../errors.js';
import { LuaTable } from '../table.js';
import { LuaFunction, type LuaValue } from '../value.js';
import { LuaLightUserdata, argTypeName, checkInteger, checkString, luaTypeName, toStringOrUndefined } from './args.js';
import { formatG, strtodPrefix } from './number.js';

/** cjson.null: compare by identity. */
export const cjsonNull = new LuaLightUserdata('cjson.null');
const NULL_VALUE = cjsonNull as unknown as LuaValue;

export interface CjsonConfig {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 off, 1 on, 2 "null" */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: number;
  encodeKeepBuffer: number;
  encodeNumberPrecision: number;
}

export function defaultCjsonConfig(): CjsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: 1,
    encodeKeepBuffer: 1,
    encodeNumberPrecision: 14,
  };
}

// ---------------------------------------------------------------- encoding

const ESCAPES: (string | undefined)[] = new Array(256).fill(undefined);
for (let c = 0; c < 32; c++) ESCAPES[c] = '\\u' + c.toString(16).padStart(4, '0');
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[0x22] = '\\"';
ESCAPES[0x2f] = '\\/';
ESCAPES[0x5c] = '\\\\';
ESCAPES[0x7f] = '\\u007f';

function encodeString(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const escape = ESCAPES[s.charCodeAt(i)];
    if (escape !== undefined) {
      out += s.slice(runStart, i) + escape;
      runStart = i + 1;
    }
  }
  return out + s.slice(runStart) + '"';
}

function serialiseError(value: unknown, reason: string): LuaLibError {
  return new LuaLibError(`Cannot serialise ${luaTypeName(value)}: ${reason}`);
}

function encodeNumber(n: number, config: CjsonConfig): string {
  if (config.encodeInvalidNumbers === 0) {
    if (!Number.isFinite(n)) throw serialiseError(n, 'must not be NaN or Inf');
  } else if (config.encodeInvalidNumbers === 1) {
    // lua-cjson writes "nan" itself, since printf may give "-nan"
    if (n !== n) return 'nan';
  } else if (!Number.isFinite(n)) {
    return 'null';
  }
  return formatG(n, config.encodeNumberPrecision, false);
}

/** lua_array_length: the array size, or -1 when the table must be an object. */
function arrayLength(table: LuaTable, config: CjsonConfig): number {
  let max = 0;
  let items = 0;
  for (let entry = table.next(undefined); entry !== undefined; entry = table.next(entry[0])) {
    const k = entry[0];
    // key 0 is "false" in the C test, so it also makes an object
    if (typeof k === 'number' && k !== 0 && Math.floor(k) === k && k >= 1) {
      // max is a C int: keys beyond its range convert to INT_MIN (x86 cvttsd2si)
      if (k > max) max = k <= 2147483647 ? k : -2147483648;
      items++;
      continue;
    }
    return -1;
  }
  if (config.encodeSparseRatio > 0 && max > items * config.encodeSparseRatio && max > config.encodeSparseSafe) {
    if (!config.encodeSparseConvert) throw serialiseError(table, 'excessively sparse array');
    return -1;
  }
  return max;
}

function encodeValue(value: unknown, config: CjsonConfig, depth: number, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(encodeString(value));
      return;
    case 'number':
      out.push(encodeNumber(value, config));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'undefined':
      out.push('null');
      return;
  }
  if (value === cjsonNull) {
    out.push('null');
    return;
  }
  if (!(value instanceof LuaTable)) throw serialiseError(value, 'type not supported');
  depth++;
  if (depth > config.encodeMaxDepth) throw new LuaLibError(`Cannot serialise, excessive nesting (${depth})`);
  const length = arrayLength(value, config);
  if (length > 0) {
    out.push('[');
    for (let i = 1; i <= length; i++) {
      if (i > 1) out.push(',');
      encodeValue(value.get(i), config, depth, out);
    }
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (let entry = value.next(undefined); entry !== undefined; entry = value.next(entry[0])) {
    if (!first) out.push(',');
    first = false;
    const [k, v] = entry;
    if (typeof k === 'number') out.push('"' + encodeNumber(k, config) + '":');
    else if (typeof k === 'string') out.push(encodeString(k) + ':');
    else throw serialiseError(k, 'table key must be a number or string');
    encodeValue(v, config, depth, out);
  }
  out.push('}');
}

export function jsonEncode(value: unknown, config: CjsonConfig): string {
  const out: string[] = [];
  encodeValue(value, config, 0, out);
  return out.join('');
}

// ---------------------------------------------------------------- decoding

type TokenType =
  | 'T_OBJ_BEGIN' | 'T_OBJ_END' | 'T_ARR_BEGIN' | 'T_ARR_END' | 'T_STRING' | 'T_NUMBER' | 'T_BOOLEAN'
  | 'T_NULL' | 'T_COLON' | 'T_COMMA' | 'T_END' | 'T_ERROR';

interface Token {
  type: TokenType;
  /** 0-based offset of the token (of the failure point for T_ERROR). */
  index: number;
  value?: string | number | boolean;
  /** For T_ERROR: what went wrong ("invalid token", ...). */
  error?: string;
}

const SINGLE_CHAR_TOKENS: Record<string, TokenType> = {
  '{': 'T_OBJ_BEGIN', '}': 'T_OBJ_END', '[': 'T_ARR_BEGIN', ']': 'T_ARR_END', ',': 'T_COMMA', ':': 'T_COLON',
};

/** json_is_invalid_number: forms strtod accepts but strict JSON does not. */
function isInvalidJsonNumber(text: string, p: number): boolean {
  if (text[p] === '+') return true;
  if (text[p] === '-') p++;
  const c = text[p];
  if (c === '0') {
    const next = text.charCodeAt(p + 1);
    return (next | 0x20) === 0x78 || (next >= 0x30 && next <= 0x39);
  }
  // anything up to '9' (including the terminator) is an ordinary number
  if (c === undefined || c.charCodeAt(0) <= 0x39) return false;
  const word = text.slice(p, p + 3).toLowerCase();
  return word === 'inf' || word === 'nan';
}

function hexValue(text: string, p: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = text[p + i];
    const d = c === undefined ? -1 : '0123456789abcdef'.indexOf(c.toLowerCase());
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function utf8Bytes(codepoint: number): string {
  if (codepoint <= 0x7f) return String.fromCharCode(codepoint);
  if (codepoint <= 0x7ff) return String.fromCharCode(0xc0 | (codepoint >> 6), 0x80 | (codepoint & 0x3f));
  if (codepoint <= 0xffff) {
    return String.fromCharCode(0xe0 | (codepoint >> 12), 0x80 | ((codepoint >> 6) & 0x3f), 0x80 | (codepoint & 0x3f));
  }
  return String.fromCharCode(
    0xf0 | (codepoint >> 18), 0x80 | ((codepoint >> 12) & 0x3f), 0x80 | ((codepoint >> 6) & 0x3f), 0x80 | (codepoint & 0x3f),
  );
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' };

class JsonParser {
  pos = 0;
  depth = 0;

  /** `text` is already cut at its first NUL: the C parser stops there. */
  constructor(
    private readonly text: string,
    private readonly config: CjsonConfig,
  ) {}

  private errorToken(error: string): Token {
    return { type: 'T_ERROR', index: this.pos, error };
  }

  nextToken(): Token {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break;
      this.pos++;
    }
    const index = this.pos;
    if (index >= text.length) return { type: 'T_END', index };
    const c = text[index];
    const single = SINGLE_CHAR_TOKENS[c];
    if (single !== undefined) {
      this.pos++;
      return { type: single, index };
    }
    if (c === '"') return this.stringToken();
    if (c === '-' || (c >= '0' && c <= '9')) {
      if (!this.config.decodeInvalidNumbers && isInvalidJsonNumber(text, index)) return this.errorToken('invalid number');
      return this.numberToken();
    }
    if (!'fiInNt+'.includes(c)) return this.errorToken('invalid token');
    if (text.startsWith('true', index)) {
      this.pos += 4;
      return { type: 'T_BOOLEAN', index, value: true };
    }
    if (text.startsWith('false', index)) {
      this.pos += 5;
      return { type: 'T_BOOLEAN', index, value: false };
    }
    if (text.startsWith('null', index)) {
      this.pos += 4;
      return { type: 'T_NULL', index };
    }
    if (this.config.decodeInvalidNumbers && isInvalidJsonNumber(text, index)) return this.numberToken();
    return this.errorToken('invalid token');
  }

  private numberToken(): Token {
    const parsed = strtodPrefix(this.text, this.pos);
    if (parsed === undefined) return this.errorToken('invalid number');
    const index = this.pos;
    this.pos = parsed[1];
    return { type: 'T_NUMBER', index, value: parsed[0] };
  }

  private stringToken(): Token {
    const text = this.text;
    const index = this.pos;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= text.length) return this.errorToken('unexpected end of string');
      const c = text[this.pos];
      if (c === '"') break;
      if (c !== '\\') {
        this.pos++;
        continue;
      }
      out += text.slice(runStart, this.pos);
      const e = text[this.pos + 1];
      if (e === 'u') {
        const decoded = this.unicodeEscape();
        if (decoded === undefined) return this.errorToken('invalid unicode escape code');
        out += decoded;
      } else {
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple === undefined) return this.errorToken('invalid escape code');
        out += simple;
        this.pos += 2;
      }
      runStart = this.pos;
    }
    out += text.slice(runStart, this.pos);
    this.pos++; // closing quote
    return { type: 'T_STRING', index, value: out };
  }

  /** \uXXXX (or a surrogate pair of them) at pos: UTF-8 bytes, advancing pos. */
  private unicodeEscape(): string | undefined {
    const text = this.text;
    let codepoint = hexValue(text, this.pos + 2);
    if (codepoint < 0) return undefined;
    let length = 6;
    if ((codepoint & 0xf800) === 0xd800) {
      if (codepoint & 0x400) return undefined; // a low surrogate first
      if (text[this.pos + 6] !== '\\' || text[this.pos + 7] !== 'u') return undefined;
      const low = hexValue(text, this.pos + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return undefined;
      codepoint = (((codepoint & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      length = 12;
    }
    this.pos += length;
    return utf8Bytes(codepoint);
  }

  parseError(expected: string, token: Token): LuaLibError {
    const found = token.type === 'T_ERROR' ? token.error : token.type;
    return new LuaLibError(`Expected ${expected} but found ${found} at character ${token.index + 1}`);
  }

  private descend(): void {
    this.depth++;
    if (this.depth > this.config.decodeMaxDepth) {
      throw new LuaLibError(`Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  value(token: Token): unknown {
    switch (token.type) {
      case 'T_STRING':
      case 'T_NUMBER':
      case 'T_BOOLEAN':
        return token.value;
      case 'T_NULL':
        return cjsonNull;
      case 'T_OBJ_BEGIN':
        return this.object();
      case 'T_ARR_BEGIN':
        return this.array();
      default:
        throw this.parseError('value', token);
    }
  }

  private object(): LuaTable {
    this.descend();
    const table = new LuaTable();
    let token = this.nextToken();
    if (token.type === 'T_OBJ_END') {
      this.depth--;
      return table;
    }
    for (;;) {
      if (token.type !== 'T_STRING') throw this.parseError('object key string', token);
      const key = token.value as string;
      token = this.nextToken();
      if (token.type !== 'T_COLON') throw this.parseError('colon', token);
      table.set(key, this.value(this.nextToken()) as LuaValue);
      token = this.nextToken();
      if (token.type === 'T_OBJ_END') {
        this.depth--;
        return table;
      }
      if (token.type !== 'T_COMMA') throw this.parseError('comma or object end', token);
      token = this.nextToken();
    }
  }

  private array(): LuaTable {
    this.descend();
    const table = new LuaTable();
    let token = this.nextToken();
    if (token.type === 'T_ARR_END') {
      this.depth--;
      return table;
    }
    for (let i = 1; ; i++) {
      table.set(i, this.value(token) as LuaValue);
      token = this.nextToken();
      if (token.type === 'T_ARR_END') {
        this.depth--;
        return table;
      }
      if (token.type !== 'T_COMMA') throw this.parseError('comma or array end', token);
      token = this.nextToken();
    }
  }
}

export function jsonDecode(text: string, config: CjsonConfig): unknown {
  if (text.length >= 2 && (text[0] === '\0' || text[1] === '\0')) {
    throw new LuaLibError('JSON parser does not support UTF-16 or UTF-32');
  }
  const nul = text.indexOf('\0');
  const parser = new JsonParser(nul === -1 ? text : text.slice(0, nul), config);
  const result = parser.value(parser.nextToken());
  const end = parser.nextToken();
  if (end.type !== 'T_END') throw parser.parseError('the end', end);
  return result;
}

// ---------------------------------------------------------------- the module

type CjsonFunction = (args: unknown[]) => unknown[];

/** json_arg_init: at most `count` arguments; missing ones read as nil. */
function checkArgCount(args: unknown[], count: number, fname: string): void {
  if (args.length > count) throw argError(count + 1, fname, 'found too many arguments');
}

/** json_integer_option: set from args[index] unless nil (range errors name argument #1). */
function integerOption(args: unknown[], index: number, fname: string, current: number, min: number, max: number): number {
  if (args[index] === undefined) return current;
  // luaL_checkinteger then an int: the low 32 bits
  const value = checkInteger(args, index, fname) | 0;
  if (!(min <= value && value <= max)) throw argError(1, fname, `expected integer between ${min} and ${max}`);
  return value;
}

const ON_OFF = ['off', 'on'];

/** json_enum_option: returns the new setting. Booleans map to 0 / 1. */
function enumOption(args: unknown[], index: number, fname: string, current: number, options: string[]): number {
  const v = args[index];
  if (v === undefined) return current;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const name = toStringOrUndefined(v);
  if (name === undefined) throw argError(index + 1, fname, `string expected, got ${argTypeName(args, index)}`);
  const found = options.indexOf(name);
  if (found === -1) throw argError(index + 1, fname, `invalid option '${name}'`);
  return found;
}

function enumResult(setting: number, options: string[]): boolean | string {
  return setting === 0 || setting === 1 ? setting === 1 : options[setting];
}

export function createCjsonFunctions(config: CjsonConfig = defaultCjsonConfig()): Record<string, CjsonFunction> {
  return {
    encode: (args) => {
      if (args.length !== 1) throw argError(1, 'encode', 'expected 1 argument');
      return [jsonEncode(args[0], config)];
    },
    decode: (args) => {
      if (args.length !== 1) throw argError(1, 'decode', 'expected 1 argument');
      return [jsonDecode(checkString(args, 0, 'decode'), config)];
    },
    encode_sparse_array: (args) => {
      checkArgCount(args, 3, 'encode_sparse_array');
      config.encodeSparseConvert = enumOption(args, 0, 'encode_sparse_array', config.encodeSparseConvert, ON_OFF);
      config.encodeSparseRatio = integerOption(args, 1, 'encode_sparse_array', config.encodeSparseRatio, 0, 2147483647);
      config.encodeSparseSafe = integerOption(args, 2, 'encode_sparse_array', config.encodeSparseSafe, 0, 2147483647);
      return [enumResult(config.encodeSparseConvert, ON_OFF), config.encodeSparseRatio, config.encodeSparseSafe];
    },
    encode_max_depth: (args) => {
      checkArgCount(args, 1, 'encode_max_depth');
      config.encodeMaxDepth = integerOption(args, 0, 'encode_max_depth', config.encodeMaxDepth, 1, 2147483647);
      return [config.encodeMaxDepth];
    },
    decode_max_depth: (args) => {
      checkArgCount(args, 1, 'decode_max_depth');
      config.decodeMaxDepth = integerOption(args, 0, 'decode_max_depth', config.decodeMaxDepth, 1, 2147483647);
      return [config.decodeMaxDepth];
    },
    encode_number_precision: (args) => {
      checkArgCount(args, 1, 'encode_number_precision');
      config.encodeNumberPrecision = integerOption(args, 0, 'encode_number_precision', config.encodeNumberPrecision, 1, 14);
      return [config.encodeNumberPrecision];
    },
    encode_keep_buffer: (args) => {
      checkArgCount(args, 1, 'encode_keep_buffer');
      config.encodeKeepBuffer = enumOption(args, 0, 'encode_keep_buffer', config.encodeKeepBuffer, ON_OFF);
      return [enumResult(config.encodeKeepBuffer, ON_OFF)];
    },
    encode_invalid_numbers: (args) => {
      const options = ['off', 'on', 'null'];
      checkArgCount(args, 1, 'encode_invalid_numbers');
      config.encodeInvalidNumbers = enumOption(args, 0, 'encode_invalid_numbers', config.encodeInvalidNumbers, options);
      return [enumResult(config.encodeInvalidNumbers, options)];
    },
    decode_invalid_numbers: (args) => {
      checkArgCount(args, 1, 'decode_invalid_numbers');
      config.decodeInvalidNumbers = enumOption(args, 0, 'decode_invalid_numbers', config.decodeInvalidNumbers, ON_OFF);
      return [enumResult(config.decodeInvalidNumbers, ON_OFF)];
    },
    new: () => [createCjsonModule()],
  };
}

/** A fresh cjson module table with its own settings (what cjson.new() returns). */
export function createCjsonModule(): LuaTable {
  const table = new LuaTable();
  for (const [name, fn] of Object.entries(createCjsonFunctions())) {
    table.set(name, LuaFunction.fromHost(name, fn as (args: LuaValue[]) => LuaValue[]));
  }
  table.set('null', NULL_VALUE);
  table.set('_NAME', 'cjson');
  table.set('_VERSION', '2.1.0');
  return table;
}
