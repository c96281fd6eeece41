/**
 * The Lua 5.1 base library as Redis 7.0 exposes it (no print, dofile, loadfile,
 * require, setfenv, getfenv, newproxy).
 */
import { argError, LuaLibError } from '../errors.js';
import { argTypeName, checkInt, checkString, optInt } from '../lib/args.js';
import { numberToString, stringToNumber } from '../lib/number.js';
import { compile } from '../load.js';
import {
  callValue, iteratorFunctions, LuaError, LuaKill, rawToString, toLuaError, toStringMeta, where,
} from '../runtime.js';
import { LuaTable } from '../table.js';
import { LuaFunction, type LuaGenerator, type LuaValue, truthy, type as luaType } from '../value.js';
import { checkAny, checkFunction, checkTable, generator, host } from './util.js';

/** Installs the base functions into `G` (which also becomes _G and the env of load). */
export function installBase(G: LuaTable): void {
  const set = (name: string, v: LuaValue) => G.set(name, v);

  set('_G', G);
  set('_VERSION', 'Lua 5.1');

  set('assert', host('assert', (args) => {
    checkAny(args, 0, 'assert');
    if (!truthy(args[0])) {
      const msg = args.length > 1 ? checkString(args, 1, 'assert') : 'assertion failed!';
      throw new LuaLibError(msg);
    }
    return args;
  }));

  set('collectgarbage', host('collectgarbage', (args) => {
    const opt = args[0] === undefined ? 'collect' : checkString(args, 0, 'collectgarbage');
    const options = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul'];
    if (!options.includes(opt)) throw argError(1, 'collectgarbage', `invalid option '${opt}'`);
    if (opt === 'count') return [process.memoryUsage().heapUsed / 1024];
    if (opt === 'step') return [false];
    return [0];
  }));

  set('gcinfo', host('gcinfo', () => [Math.floor(process.memoryUsage().heapUsed / 1024)]));

  set('error', host('error', (args) => {
    const v = args[0];
    const level = optInt(args, 1, 'error', 1);
    // lua_isstring: a number gets the position too (and becomes a string).
    if (typeof v === 'string' && level > 0) throw new LuaError(where(level) + v);
    if (typeof v === 'number' && level > 0) throw new LuaError(where(level) + numberToString(v));
    throw new LuaError(v);
  }));

  set('getmetatable', host('getmetatable', (args) => {
    checkAny(args, 0, 'getmetatable');
    const v = args[0];
    const mt = v instanceof LuaTable ? v.metatable : typeof v === 'string' ? stringMeta.meta : null;
    if (mt === null) return [undefined];
    const protectedValue = mt.getStr('__metatable');
    return [protectedValue !== undefined ? protectedValue : mt];
  }));

  set('setmetatable', host('setmetatable', (args) => {
    const t = checkTable(args, 0, 'setmetatable');
    const mt = args[1];
    if (args.length < 2 || !(mt === undefined || mt instanceof LuaTable)) throw argError(2, 'setmetatable', 'nil or table expected');
    if (t.metatable !== null && t.metatable.getStr('__metatable') !== undefined) {
      throw new LuaLibError('cannot change a protected metatable');
    }
    if (t.readonly) throw new LuaError(where(1) + 'Attempt to modify a readonly table');
    t.metatable = mt ?? null;
    return [t];
  }));

  const next = host('next', (args) => {
    const t = checkTable(args, 0, 'next');
    let entry: [LuaValue, LuaValue] | undefined;
    try {
      entry = t.next(args[1]);
    } catch {
      throw new LuaLibError("invalid key to 'next'");
    }
    return entry === undefined ? [undefined] : entry;
  });
  set('next', next);
  iteratorFunctions.next = next;

  set('pairs', host('pairs', (args) => {
    const t = checkTable(args, 0, 'pairs');
    return [next, t, undefined];
  }));

  const ipairsIterator = host('ipairs_iterator', (args) => {
    const t = checkTable(args, 0, 'ipairs');
    const i = (args[1] as number) + 1;
    const v = t.get(i);
    return v === undefined ? [undefined] : [i, v];
  });
  iteratorFunctions.ipairs = ipairsIterator;
  set('ipairs', host('ipairs', (args) => [ipairsIterator, checkTable(args, 0, 'ipairs'), 0]));

  set('rawequal', host('rawequal', (args) => {
    checkAny(args, 0, 'rawequal');
    checkAny(args, 1, 'rawequal');
    return [args[0] === args[1]];
  }));
  set('rawget', host('rawget', (args) => {
    const t = checkTable(args, 0, 'rawget');
    checkAny(args, 1, 'rawget');
    return [t.get(args[1])];
  }));
  set('rawset', host('rawset', (args) => {
    const t = checkTable(args, 0, 'rawset');
    checkAny(args, 1, 'rawset');
    checkAny(args, 2, 'rawset');
    if (t.readonly) throw new LuaError(where(1) + 'Attempt to modify a readonly table');
    const k = args[1];
    if (k === undefined) throw new LuaLibError('table index is nil');
    if (k !== k) throw new LuaLibError('table index is NaN');
    t.set(k, args[2]);
    return [t];
  }));

  set('select', host('select', (args) => {
    const n = args.length;
    if (args[0] === '#') return [n - 1];
    let i = checkInt(args, 0, 'select');
    if (i < 0) i = n + i;
    else if (i > n) i = n;
    if (i < 1) throw argError(1, 'select', 'index out of range');
    return args.slice(i);
  }));

  set('tonumber', host('tonumber', (args) => {
    const base = optInt(args, 1, 'tonumber', 10);
    if (base === 10) {
      checkAny(args, 0, 'tonumber');
      const v = args[0];
      if (typeof v === 'number') return [v];
      if (typeof v === 'string') return [stringToNumber(v)];
      return [undefined];
    }
    const s = checkString(args, 0, 'tonumber');
    if (base < 2 || base > 36) throw argError(2, 'tonumber', 'base out of range');
    return [parseUnsignedLong(s, base)];
  }));

  set('tostring', generator('tostring', function* host_tostring(...args: LuaValue[]): LuaGenerator {
    checkAny(args, 0, 'tostring');
    return [yield* toStringMeta(args[0])];
  }));

  set('type', host('type', (args) => {
    checkAny(args, 0, 'type');
    return [luaType(args[0])];
  }));

  set('unpack', host('unpack', (args) => {
    const t = checkTable(args, 0, 'unpack');
    const i = optInt(args, 1, 'unpack', 1);
    const e = args[2] === undefined ? t.length() : checkInt(args, 2, 'unpack');
    if (i > e) return [];
    const n = e - i + 1;
    if (n <= 0 || n >= 8000) throw new LuaLibError('too many results to unpack');
    const out: LuaValue[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = t.get(i + k);
    return out;
  }));

  set('pcall', generator('pcall', function* host_pcall(...args: LuaValue[]): LuaGenerator {
    checkAny(args, 0, 'pcall');
    try {
      const r = yield* callFromHost(args[0], args.slice(1));
      return [true, ...r];
    } catch (e) {
      if (e instanceof LuaKill) throw e;
      return [false, toLuaError(e).value];
    }
  }));

  set('xpcall', generator('xpcall', function* host_xpcall(...args: LuaValue[]): LuaGenerator {
    checkAny(args, 1, 'xpcall');
    try {
      const r = yield* callFromHost(args[0], []);
      return [true, ...r];
    } catch (e) {
      if (e instanceof LuaKill) throw e;
      const handled = yield* callValue(args[1], [toLuaError(e).value]);
      return [false, handled[0]];
    }
  }));

  const loadChunk = (source: string, chunkName: string): LuaValue[] => {
    try {
      return [compile(source, chunkName, G)];
    } catch (e) {
      if (e instanceof LuaError) return [undefined, e.value];
      throw e;
    }
  };

  set('loadstring', host('loadstring', (args) => {
    const s = checkString(args, 0, 'loadstring');
    const name = args[1] === undefined ? s : checkString(args, 1, 'loadstring');
    return loadChunk(s, name);
  }));

  set('load', generator('load', function* host_load(...args: LuaValue[]): LuaGenerator {
    const f = checkFunction(args, 0, 'load');
    const name = args[1] === undefined ? '=(load)' : checkString(args, 1, 'load');
    let source = '';
    for (;;) {
      const piece = (yield* callValue(f, []))[0];
      if (piece === undefined || piece === '') break;
      if (typeof piece !== 'string' && typeof piece !== 'number') {
        return [undefined, 'reader function must return a string'];
      }
      source += typeof piece === 'number' ? numberToString(piece) : piece;
    }
    return loadChunk(source, name);
  }));

  void argTypeName;
  void rawToString;
}

/**
 * A call made by a host function (pcall): a host callee's "bad argument" errors name
 * the function '?', as lua5.1 cannot name a function called from C.
 */
function* callFromHost(f: LuaValue, args: LuaValue[]): LuaGenerator {
  if (f instanceof LuaFunction && (f.host !== null || f.isHostGenerator)) {
    try {
      return f.host !== null ? f.host(args) : yield* f.gen!(...args);
    } catch (e) {
      if (e instanceof LuaLibError) {
        const converted = toLuaError(e);
        const m = /^bad argument #(\d+) to '[^']*' /.exec(converted.message);
        if (m) throw new LuaError(`bad argument #${m[1]} to '?' ` + converted.message.slice(m[0].length));
        throw converted;
      }
      throw e;
    }
  }
  return yield* callValue(f, args);
}

/** The string metatable holder lives in runtime.ts; re-exported here for getmetatable. */
import { stringMetaHolder as stringMeta } from '../runtime.js';

/** strtoul(s, &end, base) accepting only a fully numeric string (with spaces around). */
function parseUnsignedLong(s: string, base: number): number | undefined {
  const m = /^[ \f\n\r\t\v]*([+-]?)([0-9a-zA-Z]+)[ \f\n\r\t\v]*$/.exec(s);
  if (!m) return undefined;
  let v = 0;
  for (const ch of m[2].toLowerCase()) {
    const d = ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 87;
    if (d >= base) return undefined;
    v = v * base + d;
  }
  if (v >= 2 ** 64) v = 2 ** 64 - 1; // strtoul saturates at ULONG_MAX
  if (m[1] === '-' && v !== 0) v = 2 ** 64 - v;
  return v;
}
