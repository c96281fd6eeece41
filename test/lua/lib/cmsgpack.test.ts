import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaTable } from '../../../src/lua/table.js';
import type { LuaValue } from '../../../src/lua/value.js';
import { cmsgpackLibrary } from '../../../src/lua/lib/cmsgpack.js';
import { RedisOracle, luaNumber, luaQuote, redisAvailable, redisEvalExprs, type OracleResult, dumpValue, runLib } from './oracle.js';

let redis: RedisOracle | undefined;
before(async () => {
  if (redisAvailable) redis = await RedisOracle.start(7264);
});
after(() => redis?.stop());

/** A value described once, built both as Lua source and as our runtime value. */
type Desc = undefined | boolean | number | string | { entries: Array<[Desc, Desc]> } | { list: Desc[] } | { nested: number };

function toLua(d: Desc): string {
  if (d === undefined) return 'nil';
  if (typeof d === 'number') return luaNumber(d);
  if (typeof d === 'string') return luaQuote(d);
  if (typeof d === 'boolean') return String(d);
  if ('list' in d) return '{' + d.list.map(toLua).join(', ') + '}';
  if ('nested' in d) return `(function() local t = 1 for i = 1, ${d.nested} do t = {t} end return t end)()`;
  return '{' + d.entries.map(([k, v]) => `[${toLua(k)}] = ${toLua(v)}`).join(', ') + '}';
}

function toValue(d: Desc): unknown {
  if (d === undefined || typeof d !== 'object') return d;
  const t = new LuaTable();
  if ('nested' in d) {
    let v: unknown = 1;
    for (let i = 0; i < d.nested; i++) {
      const outer = new LuaTable();
      outer.set(1, v as LuaValue);
      v = outer;
    }
    return v;
  }
  if ('list' in d) d.list.forEach((v, i) => v !== undefined && t.set(i + 1, toValue(v) as LuaValue));
  else for (const [k, v] of d.entries) t.set(toValue(k) as LuaValue, toValue(v) as LuaValue);
  return t;
}

const DUMP = `local function D(v)
  local t = type(v)
  if t == 'table' then
    local ks = {}
    for k in pairs(v) do ks[#ks + 1] = k end
    table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
    local o = {}
    for _, k in ipairs(ks) do o[#o + 1] = D(k) .. '=' .. D(v[k]) end
    return '{' .. table.concat(o, ',') .. '}'
  elseif t == 'string' then return string.format('%q', v)
  else return t .. ':' .. tostring(v) end
end
local function J(...)
  local t = {}
  for i = 1, select('#', ...) do t[i] = D((select(i, ...))) end
  return select('#', ...) .. '|' .. table.concat(t, ';')
end`;


test('cmsgpack.pack agrees with Redis 7.0 byte for byte', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const numbers = [
    0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), -1, -32, -33, -128, -129, -32768, -32769,
    -(2 ** 31), -(2 ** 31) - 1, 0.5, 0.1, -1.5, 1e300, 3.4028234663852886e38, 1e-45, Infinity, -Infinity, NaN, 2 ** 64, 1.5e19,
  ];
  const cases: Desc[][] = numbers.map((n) => [n]);
  cases.push(
    [''], ['x'.repeat(31)], ['x'.repeat(32)], ['x'.repeat(255)], ['x'.repeat(256)], ['x'.repeat(65535)], ['x'.repeat(65536)], ['\0\xff'],
    [true], [false], [undefined], [1, 'two', true, undefined], [{ list: [] }], [{ list: [1, 2, 3] }], [{ list: Array.from({ length: 16 }, (_, i) => i) }],
    [{ list: Array.from({ length: 70000 }, () => 1) }], [{ list: [1, undefined, 3] }], [{ entries: [['a', 1]] }], [{ entries: [[2, 'x']] }],
    [{ entries: [[1.5, 'x']] }], [{ entries: [[-1, 'x']] }], [{ entries: [[2 ** 31, 'x']] }], [{ entries: [[true, 'x']] }],
    [{ entries: [[{ list: [] }, 'x']] }], [{ nested: 15 }], [{ nested: 16 }], [{ nested: 17 }], [{ entries: [['k', { list: [{ entries: [['z', 0.25]] }] }]] }],
  );
  const expected = await redisEvalExprs(redis, cases.map((args) => `cmsgpack.pack(${args.map(toLua).join(', ')})`));
  cases.forEach((args, i) => {
    assert.deepEqual(runLib(() => cmsgpackLibrary.pack(args.map(toValue))[0] as string), expected[i], `cmsgpack.pack(${args.map(toLua).join(', ').slice(0, 200)})`);
  });
});

test('cmsgpack.unpack / unpack_one / unpack_limit agree with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const blobs = [
    '', '\x01', '\x7f\x80', '\xff\xe0', '\xcc\xff', '\xd0\x80', '\xcd\x12\x34', '\xd1\xff\x00', '\xd1\x80\x01', '\xce\xff\xff\xff\xff',
    '\xd2\x80\x00\x00\x01', '\xcf\xff\xff\xff\xff\xff\xff\xff\xff', '\xcf\x00\x20\x00\x00\x00\x00\x00\x01', '\xd3\x80\x00\x00\x00\x00\x00\x00\x00',
    '\xc0', '\xc2\xc3', '\xca\x3f\xc0\x00\x00', '\xca\x7f\xc0\x00\x00', '\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a', '\xa3abc', '\xd9\x03xyz',
    '\xda\x00\x02hi', '\xdb\x00\x00\x00\x01!', '\x93\x01\x02\x03', '\x93\x01\xc0\x03', '\x82\xa1a\x01\xa1b\x92\xc3\xc2', '\xdc\x00\x01\x05',
    '\xdd\x00\x00\x00\x01\x05', '\xde\x00\x01\x01\x02', '\xdf\x00\x00\x00\x01\xa1k\xa1v', '\x81\xc0\x01', '\x81\x01\xc0', '\x81\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\x01',
    '\xa5ab', '\x93\x01', '\xcd\x01', '\xc1', '\xc4\x01a', '\xd4\x01\x02', '\x01\x02\x03\x04', '\x92\x92\x01', '\xdb\xff\xff\xff\xffabc',
  ];
  const cases: Array<[string, string[]]> = [];
  for (const b of blobs) {
    cases.push(['unpack', [luaQuote(b)]], ['unpack_one', [luaQuote(b)]], ['unpack_one', [luaQuote(b), '1']], ['unpack_limit', [luaQuote(b), '2']], ['unpack_limit', [luaQuote(b), '0', '1']]);
  }
  cases.push(
    ['unpack', []], ['unpack', ['{}']], ['unpack', ['12']], ['unpack_one', ['"\\1\\2"', '-1']], ['unpack_one', ['"\\1\\2"', '3']], ['unpack_one', ['"\\1\\2"', '2']],
    ['unpack_limit', ['"\\1\\2"']], ['unpack_limit', ['"\\1\\2"', '-1']], ['unpack_limit', ['"\\1\\2\\3"', '1', '1']], ['unpack_one', ['"\\1\\2"', '"1"']],
    ['pack', []],
  );
  const expected = await redisEvalExprs(redis, cases.map(([f, args]) => `(function() ${DUMP} return J(cmsgpack.${f}(${args.join(', ')})) end)()`));
  cases.forEach(([f, args], i) => {
    const ours = runLib(() => {
      const values = cmsgpackLibrary[f](args.map(luaLiteral));
      return values.length + '|' + values.map(dumpValue).join(';');
    });
    assert.deepEqual(ours, expected[i], `cmsgpack.${f}(${args.join(', ')})`);
  });
});

/** The literals used above: quoted strings (with \\ddd escapes), numbers, {}. */
function luaLiteral(s: string): unknown {
  if (s === '{}') return new LuaTable();
  if (s.startsWith('"')) return s.slice(1, -1).replace(/\\(\d{1,3})/g, (_, d: string) => String.fromCharCode(Number(d)));
  return Number(s);
}

test('pack and unpack round-trip', () => {
  const t = new LuaTable();
  t.set('key', 1.5);
  const [packed] = cmsgpackLibrary.pack([t, 7]);
  assert.equal(packed, '\x81\xa3key\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00'.replace('\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00', '\xca\x3f\xc0\x00\x00') + '\x07');
  const [decoded, seven] = cmsgpackLibrary.unpack([packed]);
  assert.equal((decoded as LuaTable).get('key'), 1.5);
  assert.equal(seven, 7);
});
