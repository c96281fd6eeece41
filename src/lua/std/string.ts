/** The Lua 5.1 string library, wired to the pure helpers in lib/pattern.ts and lib/format.ts. */
import { argError, LuaLibError } from '../errors.js';
import { checkInt, checkInteger, checkString, optInteger } from '../lib/args.js';
import { stringFormat } from '../lib/format.js';
import {
  checkGmatchArgs, checkGsubArgs, gmatchStep, Gsub, stringFind, stringGsubNonFunction, stringMatch,
} from '../lib/pattern.js';
import { callValue, index, LuaError, stringMetaHolder, where } from '../runtime.js';
import { LuaTable } from '../table.js';
import { LuaFunction, type LuaGenerator, type LuaValue } from '../value.js';
import { generator, host, tableOf } from './util.js';

/** Largest string string.rep will build (Redis's proto-max-bulk-len is 512MB). */
const MAX_STRING = 512 * 1024 * 1024;

/** posrelat: negative positions count from the end. */
function relative(pos: number, len: number): number {
  if (pos < 0) pos += len + 1;
  return pos >= 0 ? pos : 0;
}

/** luaU_header for x86-64: ESC "Lua", version 0x51, format 0, little-endian, sizes 4 8 4 8, doubles. */
const BINARY_CHUNK_HEADER = '\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00';

export function createStringLibrary(): LuaTable {
  const lib = tableOf({
    byte: host('byte', (args) => {
      const s = checkString(args, 0, 'byte');
      const l = s.length;
      let posi = relative(optInteger(args, 1, 'byte', 1), l);
      let pose = relative(optInteger(args, 2, 'byte', posi), l);
      if (posi <= 0) posi = 1;
      if (pose > l) pose = l;
      if (posi > pose) return [];
      const out: LuaValue[] = [];
      for (let i = posi; i <= pose; i++) out.push(s.charCodeAt(i - 1));
      return out;
    }),
    char: host('char', (args) => {
      let out = '';
      for (let i = 0; i < args.length; i++) {
        const c = checkInt(args, i, 'char');
        if ((c & 0xff) !== c) throw argError(i + 1, 'char', 'invalid value');
        out += String.fromCharCode(c);
      }
      return [out];
    }),
    dump: host('dump', (args) => {
      if (!(args[0] instanceof LuaFunction)) {
        throw argError(1, 'dump', `function expected, got ${args.length ? typeNameOf(args[0]) : 'no value'}`);
      }
      if (args[0].host !== null || args[0].isHostGenerator) throw new LuaLibError('unable to dump given function');
      // No bytecode exists to dump: return a Lua 5.1 chunk header (which marks a
      // binary chunk) and nothing loadable, as loading binary chunks is refused anyway.
      return [BINARY_CHUNK_HEADER];
    }),
    find: host('find', (args) => stringFind(args)),
    format: host('format', (args) => stringFormat(args)),
    gmatch: host('gmatch', (args) => gmatch(args)),
    gfind: host('gfind', (args) => gmatch(args)),
    gsub: generator('gsub', function* host_gsub(...args: LuaValue[]): LuaGenerator {
      const r = args[2];
      if (!(r instanceof LuaFunction || r instanceof LuaTable)) return stringGsubNonFunction(args);
      const { subject, pattern, maxReplacements } = checkGsubArgs(args, () => true);
      const g = new Gsub(subject, pattern, maxReplacements);
      for (let m; (m = g.nextMatch()) !== null;) {
        let v: LuaValue;
        if (r instanceof LuaFunction) v = (yield* callValue(r, m.captures() as LuaValue[]))[0];
        else v = yield* index(r, m.capture(0), undefined);
        try {
          g.addValue(v);
        } catch (e) {
          // luaL_error in gsub: positioned at gsub's caller (this frame is a C level)
          if (e instanceof LuaLibError) throw new LuaError(where(2) + e.message);
          throw e;
        }
      }
      return g.finish();
    }),
    len: host('len', (args) => [checkString(args, 0, 'len').length]),
    lower: host('lower', (args) => [checkString(args, 0, 'lower').replace(/[A-Z]+/g, (x) => x.toLowerCase())]),
    upper: host('upper', (args) => [checkString(args, 0, 'upper').replace(/[a-z]+/g, (x) => x.toUpperCase())]),
    match: host('match', (args) => stringMatch(args)),
    rep: host('rep', (args) => {
      const s = checkString(args, 0, 'rep');
      const n = checkInteger(args, 1, 'rep');
      if (n <= 0 || s.length === 0) return [''];
      if (s.length * n > MAX_STRING) throw new LuaLibError('not enough memory');
      return [s.repeat(n)];
    }),
    reverse: host('reverse', (args) => [checkString(args, 0, 'reverse').split('').reverse().join('')]),
    sub: host('sub', (args) => {
      const s = checkString(args, 0, 'sub');
      const l = s.length;
      let start = relative(checkInteger(args, 1, 'sub'), l);
      let end = relative(optInteger(args, 2, 'sub', -1), l);
      if (start < 1) start = 1;
      if (end > l) end = l;
      return [start <= end ? s.slice(start - 1, end) : ''];
    }),
  });
  const meta = new LuaTable();
  meta.set('__index', lib);
  stringMetaHolder.meta = meta;
  return lib;
}

function typeNameOf(v: LuaValue): string {
  return v === undefined ? 'nil' : v instanceof LuaTable ? 'table' : typeof v === 'object' ? 'thread' : typeof v;
}

function gmatch(args: LuaValue[]): LuaValue[] {
  const [subject, pattern] = checkGmatchArgs(args);
  let position = 0;
  const iterator = host('gmatch_iterator', () => {
    // at the end gmatch_aux returns no values at all
    if (position > subject.length) return [];
    const step = gmatchStep(subject, pattern, position);
    if (step === null) {
      position = subject.length + 1;
      return [];
    }
    position = step.nextPosition;
    return step.captures;
  });
  return [iterator];
}
