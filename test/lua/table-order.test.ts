/**
 * Table iteration order against redis-server 7.0.15: pairs/next order, cjson.encode
 * and cmsgpack.pack of multi-key tables, and tables that Redis's libraries and
 * conversions build (cjson.decode, cmsgpack.unpack, KEYS/ARGV, redis.call replies).
 * Redis's Lua hashes every byte of a string (stock lua5.1 skips bytes of long
 * strings), so long keys are covered here rather than in the lua5.1 corpus.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';

const withPair = pairPerFile({}, []);


/** Returns the keys of the table built by `build` in pairs() order, as one string. */
const KEYS = 'local function keys(t) local o = {} for k in pairs(t) do o[#o + 1] = tostring(k) end return table.concat(o, " ") end ';
const HEX = "local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ";

const SCRIPTS: string[] = [
  KEYS + 'return keys({a = 1, b = 2, c = 3, d = 4, e = 5, foo = 6, bar = 7, hello = 8})',
  KEYS + 'local t = {} for i = 1, 40 do t["key:" .. i] = i end return keys(t)',
  KEYS + 'local t = {} for i = 1, 12 do t[string.rep("long-key-", i)] = i end local o = {} for k, v in pairs(t) do o[#o + 1] = v end return table.concat(o, " ")',
  KEYS + 'local t = {} for i = 1, 30 do t[i * 7] = i end return keys(t)',
  KEYS + 'return keys({1, 2, 3, x = 1, [10] = 5, [2.5] = 3, [true] = 1, [false] = 0, [-1] = 2, [1e100] = 3})',
  KEYS + 'local t = {} for i = 1, 100 do t[i] = i end for i = 1, 90 do t[i] = nil end t.a = 1 t.b = 2 t.c = 3 return keys(t)',
  KEYS + 'local t = {} for i = 1, 50 do t[tostring(i)] = i if i % 3 == 0 then t[tostring(i - 1)] = nil end end return keys(t)',
  KEYS + 'local t = {} for i = 1, 20 do t["f" .. i] = i end for k in pairs(t) do if t[k] % 2 == 0 then t[k] = nil end end return keys(t)',
  KEYS + 'local t = {} for i = 1, 8 do t[i] = i t["s" .. i] = i end return keys(t)',
  'return cjson.encode({a = 1, b = 2, c = 3, name = "x", list = {1, 2, 3}, nested = {p = 1, q = 2, r = {s = 3}}})',
  'local t = {} for i = 1, 25 do t["field" .. i] = i end return cjson.encode(t)',
  'return cjson.encode({[1] = 1, [2] = 2, [5] = 5, x = "y"})',
  'return cjson.encode(cjson.decode(\'{"zeta":1,"alpha":2,"mid":{"b":1,"a":2,"c":3},"arr":[3,2,1],"k1":true,"k2":false}\'))',
  'local t = cjson.decode(\'{"one":1,"two":2,"three":3,"four":4,"five":5,"six":6,"seven":7}\') local o = {} for k in pairs(t) do o[#o + 1] = k end return o',
  HEX + 'return hex(cmsgpack.pack({a = 1, b = 2, c = 3, hello = "world", [10] = 10, [1.5] = 2}))',
  HEX + 'local t = {} for i = 1, 20 do t["m" .. i] = i end return hex(cmsgpack.pack(t))',
  HEX + 'return hex(cmsgpack.pack(cmsgpack.unpack(cmsgpack.pack({x = 1, y = 2, z = {3, 4}, w = {q = 1, r = 2}}))))',
  // Redis's unit/scripting "cmsgpack can pack and unpack circular references?"
  HEX + 'local a = {x = nil, y = 5} local b = {x = a} a.x = b local encoded = cmsgpack.pack(a) local h = hex(encoded) ' +
    'local re = cmsgpack.pack(cmsgpack.unpack(encoded)) assert(hex(re) == h) return h',
  KEYS + 'return keys(KEYS) .. "|" .. keys(ARGV)',
  KEYS + "redis.call('HSET', 'h', 'f1', 'a', 'f2', 'b', 'f3', 'c') return keys(redis.call('HGETALL', 'h'))",
  KEYS + "return keys(redis.pcall('NOSUCHCOMMAND')) .. '|' .. keys(redis.status_reply('OK'))",
  // returning a table with hash keys: only the array part is converted
  'local t = {1, 2, 3} t.x = 1 return t',
];

test('table order, cjson and cmsgpack match redis-server', withPair(async (pair) => {
  await pair.same('FLUSHALL');
  for (const script of SCRIPTS) {
    await pair.same('FLUSHALL');
    await pair.same('EVAL', script, '2', 'key-one', 'key-two', 'arg-one', 'arg-two', 'arg-three');
  }
}));
