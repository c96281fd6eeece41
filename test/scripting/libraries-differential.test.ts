/**
 * The libraries Redis links into its Lua (cjson, cmsgpack, bit, struct), the globals
 * scripts see, and math.random, through EVAL against redis-server 7.0.15: replies
 * compared byte for byte in RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';

const withPair = pairPerFile({}, []);


/** A script that returns a hex dump of its result, so binary output compares readably. */
const HEX = "local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ";

const SCRIPTS: string[] = [
  // cjson
  "return cjson.encode({1, 2, 3, 'x', true})",
  "return cjson.encode({a = {b = {c = 'deep'}}})",
  'return cjson.encode(3.14159265358979)',
  'return cjson.encode(1e300)',
  "return cjson.encode('quote\" slash/ ctrl\\1 tab\\t')",
  'return cjson.encode(cjson.null)',
  'return cjson.encode({})',
  'return cjson.encode({[1] = 1, [3] = 3})',
  'return cjson.encode({[1] = 1, [20] = 3})',
  'return cjson.encode(0/0)',
  'return cjson.encode(function() end)',
  "local t = cjson.decode('[1, 2.5, \"s\", null, true, {\"k\": [false]}]') return {t[1], t[2], t[3], tostring(t[4]), t[5], tostring(t[6].k[1])}",
  "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')",
  "return cjson.decode('{\"a\":1')",
  "return cjson.decode('[1,]')",
  "return cjson.decode('1e400')",
  "return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":null}]}'))",
  'local c = cjson.new() c.encode_max_depth(2) return {pcall(c.encode, {{{1}}})}',
  "cjson.encode_keep_buffer(false) return cjson.encode_number_precision(3), cjson.encode(1/3)",
  'return type(cjson.null) .. tostring(cjson.null == cjson.decode("null"))',
  // cmsgpack
  HEX + "return hex(cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, -32, -33, -129, 2^31, -2^31, 2^40))",
  HEX + "return hex(cmsgpack.pack(1.5, -0.25, 1e300, 'short', string.rep('x', 40), string.rep('y', 300)))",
  HEX + "return hex(cmsgpack.pack({1, 2, 3}, {a = 1}, {}, true, false, nil))",
  "local t = {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, {4}}, {k = 'v'}, 5.5))} return {t[1], t[2], t[3][1], t[3][2][1], t[4].k, tostring(t[5])}",
  "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
  "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",
  "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 1)}",
  "return {pcall(cmsgpack.unpack, '\\xc1')}",
  "return {pcall(cmsgpack.unpack, '\\x92\\x01')}",
  'return {pcall(cmsgpack.pack)}',
  // bit
  'return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4)}',
  "return {bit.tohex(255), bit.tohex(-1, -4), bit.tohex(0x12345678, 2), bit.tobit(2^32 + 5), bit.rol(0x12345678, 8), bit.ror(1, 1), bit.bswap(0x11223344)}",
  "return {pcall(bit.band, 'x')}",
  // struct
  HEX + "return hex(struct.pack('>I2<i4bBhHlLfd', 258, -2, -1, 255, -300, 65000, -5, 7, 1.5, -2.25))",
  HEX + "return hex(struct.pack('s', 'nul-terminated')) .. ' ' .. hex(struct.pack('i2c0', 3, 'abc'))",
  "return {struct.unpack('>I2i4', struct.pack('>I2i4', 513, -7))}",
  "return {struct.unpack('c3s', 'abcdef\\0gh')}",
  "return {struct.size('>I2i4d'), struct.size('!4bi')}",
  "return {pcall(struct.pack, 'q', 1)}",
  "return {pcall(struct.unpack, 'i4', 'ab')}",
  // the sandbox: what is and is not a global
  "local t = {} for k, v in pairs(_G) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t",
  "local t = {} for _, lib in ipairs({'cjson', 'cmsgpack', 'bit', 'struct', 'string', 'table', 'math', 'coroutine'}) do local names = {} for k in pairs(_G[lib]) do names[#names + 1] = k end table.sort(names) t[#t + 1] = lib .. ': ' .. table.concat(names, ' ') end return t",
  'return print',
  'return loadfile',
  "cjson.encode = nil",
  "bit.band = nil",
  'return {pcall(setmetatable, _G, {})}',
  'local g = getmetatable(_G) g.__index = {}',
  "return {pcall(error, {err = 'table error'})}",
  "return {pcall(redis.call, 'nosuchcommand')}",
  "return loadstring(string.dump(function() return 1 end))",
  "local f, e = loadstring('\\27Lua') return e",
  "return __redis__err__handler('boom')",
  "return __redis__err__handler(12)",
  "return __redis__err__handler({err = 'MY own'})",
];

test('cjson, cmsgpack, bit, struct and the sandbox match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  for (const proto of ['2', '3']) {
    await pair.same('HELLO', proto);
    await pair.same('FLUSHALL');
    for (const script of SCRIPTS) await pair.same('EVAL', script, '0');
  }
  await pair.same('HELLO', '2');
}));

test('math.random follows Redis: one generator for the process, never reseeded per script', withPair(async (pair) => {
  // Each test file runs in its own process with a fresh redis-server: both generators
  // start from rand.c's initial state, and scripts continue the same sequence.
  for (let i = 0; i < 3; i++) await pair.same('EVAL', 'return tostring(math.random())', '0');
  await pair.same('EVAL', 'return {math.random(10), math.random(5, 7), math.random(1000000)}', '0');
  await pair.same('EVAL', "return {pcall(math.random, 2, 1)}", '0');
  await pair.same('EVAL', 'math.randomseed(42) return {tostring(math.random()), math.random(100)}', '0');
  await pair.same('EVAL', 'return tostring(math.random())', '0');
  await pair.same('SCRIPT', 'FLUSH');
  await pair.same('EVAL', 'return tostring(math.random())', '0');
}));
