/**
 * A stop-gap Lua standard library for the scripting layer while the engine's own
 * (src/lua) is being written: the base functions, `string`, `table`, `math`, and the
 * finished Redis libraries (`cjson`, `bit`, `struct`). Only lua-host.ts imports this;
 * when the engine ships its library, lua-host.ts switches and this file goes away.
 */
import { argError, LuaLibError } from '../lua/errors.js';
import { compile } from '../lua/load.js';
import {
  callValue, EMPTY, getMetatable, iteratorFunctions, LuaError, LuaKill, rawToString,
  stringMetaHolder, toLuaError, toStringMeta, where,
} from '../lua/runtime.js';
import { LuaTable } from '../lua/table.js';
import { LuaFunction, type LuaGenerator, type LuaValue, type } from '../lua/value.js';
import { bitLibrary } from '../lua/lib/bit.js';
import { createCjsonModule } from '../lua/lib/cjson.js';
import { structLibrary } from '../lua/lib/struct.js';
import { stringFormat } from '../lua/lib/format.js';
import { stringFind, stringMatch } from '../lua/lib/pattern.js';
import { stringToNumber } from '../lua/lib/number.js';
import { checkInt, checkNumber, checkString, optInt } from '../lua/lib/args.js';

type Fn = (args: LuaValue[]) => LuaValue[];

function lib(entries: Record<string, Fn>): LuaTable {
  const t = new LuaTable();
  for (const [name, fn] of Object.entries(entries)) t.set(name, LuaFunction.fromHost(name, fn));
  return t;
}

function checkTable(args: LuaValue[], i: number, fname: string): LuaTable {
  const v = args[i];
  if (!(v instanceof LuaTable)) throw argError(i + 1, fname, `table expected, got ${v === undefined && i >= args.length ? 'no value' : type(v)}`);
  return v;
}

function checkAny(args: LuaValue[], i: number, fname: string): void {
  if (i >= args.length) throw argError(i + 1, fname, 'value expected');
}

const next: Fn = (args) => {
  const t = checkTable(args, 0, 'next');
  const e = t.next(args[1]);
  return e ? [e[0], e[1]] : [undefined];
};
const nextFn = LuaFunction.fromHost('next', next);

const ipairsIter = LuaFunction.fromHost('ipairs_iter', (args) => {
  const i = (args[1] as number) + 1;
  const v = (args[0] as LuaTable).get(i);
  return v === undefined ? [undefined] : [i, v];
});

function tonumber(args: LuaValue[]): LuaValue[] {
  const base = args[1] === undefined ? 10 : checkInt(args, 1, 'tonumber');
  const v = args[0];
  if (base === 10) {
    checkAny(args, 0, 'tonumber');
    if (typeof v === 'number') return [v];
    if (typeof v === 'string') return [stringToNumber(v)];
    return [undefined];
  }
  if (base < 2 || base > 36) throw argError(2, 'tonumber', 'base out of range');
  const s = checkString(args, 0, 'tonumber').trim().toLowerCase();
  if (s === '' || !/^-?[0-9a-z]+$/.test(s)) return [undefined];
  let n = 0;
  const neg = s.startsWith('-');
  for (const ch of neg ? s.slice(1) : s) {
    const d = parseInt(ch, 36);
    if (d >= base) return [undefined];
    n = n * base + d;
  }
  return [neg ? -n : n];
}

/** pcall with Redis's twist: an error table with an `err` field yields that string. */
function* host_pcall(...args: LuaValue[]): LuaGenerator {
  if (args.length === 0) throw argError(1, 'pcall', 'value expected');
  try {
    const r = yield* callValue(args[0], args.slice(1));
    return [true, ...r];
  } catch (e) {
    if (e instanceof LuaKill) throw e;
    let v = toLuaError(e).value;
    if (v instanceof LuaTable) {
      const err = v.get('err');
      if (typeof err === 'string' || typeof err === 'number') v = err;
    }
    return [false, v];
  }
}

function* host_xpcall(...args: LuaValue[]): LuaGenerator {
  try {
    const r = yield* callValue(args[0], EMPTY);
    return [true, ...r];
  } catch (e) {
    if (e instanceof LuaKill) throw e;
    const r = yield* callValue(args[1], [toLuaError(e).value]);
    return [false, ...r];
  }
}

function* host_tostring(...args: LuaValue[]): LuaGenerator {
  if (args.length === 0) throw argError(1, 'tostring', 'value expected');
  return [yield* toStringMeta(args[0])];
}

function* host_sort(...args: LuaValue[]): LuaGenerator {
  const t = checkTable(args, 0, 'sort');
  const cmp = args[1];
  const n = t.length();
  const items: LuaValue[] = [];
  for (let i = 1; i <= n; i++) items.push(t.get(i));
  // Insertion-free merge sort that can yield inside the comparator.
  const less = function* (a: LuaValue, b: LuaValue): Generator<unknown, boolean, unknown> {
    if (cmp !== undefined) {
      const r = yield* callValue(cmp, [a, b]);
      return r[0] !== undefined && r[0] !== false;
    }
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    if (typeof a === 'string' && typeof b === 'string') return a < b;
    throw new LuaLibError(`attempt to compare ${type(a)} with ${type(b)}`);
  };
  const sorted = yield* mergeSort(items, less);
  for (let i = 0; i < sorted.length; i++) t.set(i + 1, sorted[i]);
  return EMPTY;
}

function* mergeSort(a: LuaValue[], less: (x: LuaValue, y: LuaValue) => Generator<unknown, boolean, unknown>): Generator<unknown, LuaValue[], unknown> {
  if (a.length < 2) return a;
  const mid = a.length >> 1;
  const l = yield* mergeSort(a.slice(0, mid), less);
  const r = yield* mergeSort(a.slice(mid), less);
  const out: LuaValue[] = [];
  let i = 0;
  let j = 0;
  while (i < l.length && j < r.length) out.push((yield* less(r[j], l[i])) ? r[j++] : l[i++]);
  while (i < l.length) out.push(l[i++]);
  while (j < r.length) out.push(r[j++]);
  return out;
}

function base(g: LuaTable): void {
  const fns: Record<string, Fn> = {
    error: (args) => {
      const level = args[1] === undefined ? 1 : checkInt(args, 1, 'error');
      let v = args[0];
      if (typeof v === 'string' && level > 0) v = where(level) + v;
      throw new LuaError(v);
    },
    assert: (args) => {
      if (args[0] === undefined || args[0] === false) {
        throw new LuaLibError(args[1] === undefined ? 'assertion failed!' : String(args[1]));
      }
      return args;
    },
    type: (args) => {
      checkAny(args, 0, 'type');
      return [type(args[0])];
    },
    tonumber,
    next,
    pairs: (args) => [nextFn, checkTable(args, 0, 'pairs'), undefined],
    ipairs: (args) => [ipairsIter, checkTable(args, 0, 'ipairs'), 0],
    select: (args) => {
      const n = args[0];
      if (n === '#') return [args.length - 1];
      const i = checkInt(args, 0, 'select');
      if (i < 0) {
        if (-i > args.length - 1) throw argError(1, 'select', 'index out of range');
        return args.slice(args.length + i);
      }
      if (i === 0) throw argError(1, 'select', 'index out of range');
      return args.slice(i);
    },
    unpack: (args) => {
      const t = checkTable(args, 0, 'unpack');
      const i = optInt(args, 1, 'unpack', 1);
      const j = args[2] === undefined ? t.length() : checkInt(args, 2, 'unpack');
      const out: LuaValue[] = [];
      for (let k = i; k <= j; k++) out.push(t.get(k));
      return out;
    },
    rawget: (args) => [checkTable(args, 0, 'rawget').get(args[1])],
    rawset: (args) => {
      checkTable(args, 0, 'rawset').set(args[1], args[2]);
      return [args[0]];
    },
    rawequal: (args) => [args[0] === args[1]],
    setmetatable: (args) => {
      const t = checkTable(args, 0, 'setmetatable');
      const m = args[1];
      if (m !== undefined && !(m instanceof LuaTable)) throw argError(2, 'setmetatable', 'nil or table expected');
      if (t.readonly) throw new LuaLibError('Attempt to modify a readonly table');
      t.metatable = (m as LuaTable | undefined) ?? null;
      return [t];
    },
    getmetatable: (args) => {
      const m = getMetatable(args[0]);
      if (m === null) return [undefined];
      const protectedMeta = m.getStr('__metatable');
      return [protectedMeta !== undefined ? protectedMeta : m];
    },
    loadstring: (args) => {
      const src = checkString(args, 0, 'loadstring');
      const name = args[1] === undefined ? src : checkString(args, 1, 'loadstring');
      try {
        return [compile(src, name, g)];
      } catch (e) {
        return [undefined, toLuaError(e).value];
      }
    },
    gcinfo: () => [0],
    collectgarbage: () => [0],
  };
  for (const [name, fn] of Object.entries(fns)) g.set(name, LuaFunction.fromHost(name, fn));
  g.set('pcall', LuaFunction.fromGenerator('pcall', host_pcall));
  g.set('xpcall', LuaFunction.fromGenerator('xpcall', host_xpcall));
  g.set('tostring', LuaFunction.fromGenerator('tostring', host_tostring));
  g.set('_VERSION', 'Lua 5.1');
  iteratorFunctions.next = nextFn;
  iteratorFunctions.ipairs = g.get('ipairs') as LuaFunction;
}

function stringLib(): LuaTable {
  const s = lib({
    len: (args) => [checkString(args, 0, 'len').length],
    sub: (args) => {
      const str = checkString(args, 0, 'sub');
      const l = str.length;
      let i = optInt(args, 1, 'sub', 1);
      let j = optInt(args, 2, 'sub', -1);
      if (i < 0) i = Math.max(l + i + 1, 1);
      else if (i === 0) i = 1;
      if (j < 0) j = l + j + 1;
      else if (j > l) j = l;
      return [i > j ? '' : str.slice(i - 1, j)];
    },
    upper: (args) => [checkString(args, 0, 'upper').replace(/[a-z]/g, (c) => c.toUpperCase())],
    lower: (args) => [checkString(args, 0, 'lower').replace(/[A-Z]/g, (c) => c.toLowerCase())],
    rep: (args) => {
      const str = checkString(args, 0, 'rep');
      const n = checkInt(args, 1, 'rep');
      return [n <= 0 ? '' : str.repeat(n)];
    },
    reverse: (args) => [checkString(args, 0, 'reverse').split('').reverse().join('')],
    byte: (args) => {
      const str = checkString(args, 0, 'byte');
      const l = str.length;
      let i = optInt(args, 1, 'byte', 1);
      let j = optInt(args, 2, 'byte', i);
      if (i < 0) i = l + i + 1;
      if (j < 0) j = l + j + 1;
      if (i < 1) i = 1;
      if (j > l) j = l;
      const out: LuaValue[] = [];
      for (let k = i; k <= j; k++) out.push(str.charCodeAt(k - 1));
      return out;
    },
    char: (args) => {
      let out = '';
      for (let i = 0; i < args.length; i++) {
        const c = checkInt(args, i, 'char');
        if (c < 0 || c > 255) throw argError(i + 1, 'char', 'invalid value');
        out += String.fromCharCode(c);
      }
      return [out];
    },
    format: (args) => stringFormat(args),
    find: (args) => stringFind(args),
    match: (args) => stringMatch(args),
  });
  const meta = new LuaTable();
  meta.set('__index', s);
  stringMetaHolder.meta = meta;
  return s;
}

function tableLib(): LuaTable {
  const t = lib({
    insert: (args) => {
      const tbl = checkTable(args, 0, 'insert');
      const n = tbl.length();
      if (args.length === 2) {
        tbl.set(n + 1, args[1]);
      } else if (args.length === 3) {
        let pos = checkInt(args, 1, 'insert');
        if (pos > n + 1) pos = n + 1;
        for (let i = n; i >= pos; i--) tbl.set(i + 1, tbl.get(i));
        tbl.set(pos, args[2]);
      } else {
        throw new LuaLibError("wrong number of arguments to 'insert'");
      }
      return EMPTY;
    },
    remove: (args) => {
      const tbl = checkTable(args, 0, 'remove');
      const n = tbl.length();
      const pos = optInt(args, 1, 'remove', n);
      if (n === 0) return [undefined];
      const v = tbl.get(pos);
      for (let i = pos; i < n; i++) tbl.set(i, tbl.get(i + 1));
      tbl.set(n, undefined);
      return [v];
    },
    concat: (args) => {
      const tbl = checkTable(args, 0, 'concat');
      const sep = args[1] === undefined ? '' : checkString(args, 1, 'concat');
      const i = optInt(args, 2, 'concat', 1);
      const j = args[3] === undefined ? tbl.length() : checkInt(args, 3, 'concat');
      const parts: string[] = [];
      for (let k = i; k <= j; k++) {
        const v = tbl.get(k);
        if (typeof v === 'string') parts.push(v);
        else if (typeof v === 'number') parts.push(rawToString(v));
        else throw new LuaLibError(`invalid value (at index ${k}) in table for 'concat'`);
      }
      return [parts.join(sep)];
    },
    getn: (args) => [checkTable(args, 0, 'getn').length()],
  });
  t.set('sort', LuaFunction.fromGenerator('sort', host_sort));
  return t;
}

function mathLib(): LuaTable {
  const one = (name: string, f: (x: number) => number): Fn => (args) => [f(checkNumber(args, 0, name))];
  const m = lib({
    floor: one('floor', Math.floor),
    ceil: one('ceil', Math.ceil),
    abs: one('abs', Math.abs),
    sqrt: one('sqrt', Math.sqrt),
    exp: one('exp', Math.exp),
    log: one('log', Math.log),
    log10: one('log10', Math.log10),
    sin: one('sin', Math.sin),
    cos: one('cos', Math.cos),
    tan: one('tan', Math.tan),
    fmod: (args) => [checkNumber(args, 0, 'fmod') % checkNumber(args, 1, 'fmod')],
    pow: (args) => [Math.pow(checkNumber(args, 0, 'pow'), checkNumber(args, 1, 'pow'))],
    max: (args) => {
      let r = checkNumber(args, 0, 'max');
      for (let i = 1; i < args.length; i++) r = Math.max(r, checkNumber(args, i, 'max'));
      return [r];
    },
    min: (args) => {
      let r = checkNumber(args, 0, 'min');
      for (let i = 1; i < args.length; i++) r = Math.min(r, checkNumber(args, i, 'min'));
      return [r];
    },
    random: (args) => {
      const r = Math.random();
      if (args.length === 0) return [r];
      const lo = args.length === 1 ? 1 : checkInt(args, 0, 'random');
      const hi = checkInt(args, args.length - 1, 'random');
      if (lo > hi) throw argError(args.length, 'random', 'interval is empty');
      return [Math.floor(r * (hi - lo + 1)) + lo];
    },
    randomseed: () => EMPTY,
  });
  m.set('pi', Math.PI);
  m.set('huge', Infinity);
  return m;
}

/** Installs the library into a global table. */
export function installStandardLibrary(g: LuaTable): void {
  base(g);
  g.set('string', stringLib());
  g.set('table', tableLib());
  g.set('math', mathLib());
  g.set('cjson', createCjsonModule());
  g.set('bit', lib(bitLibrary as unknown as Record<string, Fn>));
  g.set('struct', lib(structLibrary as unknown as Record<string, Fn>));
}
