import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaLibError } from '../../../src/lua/errors.js';
import { bitLibrary } from '../../../src/lua/lib/bit.js';
import { numberToString } from '../../../src/lua/lib/number.js';
import { RedisOracle, luaNumber, luaQuote, redisAvailable, redisEvalExprs } from './oracle.js';

let redis: RedisOracle | undefined;
before(async () => {
  if (redisAvailable) redis = await RedisOracle.start(7261);
});
after(() => redis?.stop());

type Arg = number | string | undefined | boolean;

function ours(fname: string, args: Arg[]): { ok: boolean; value: string } {
  try {
    const [r] = bitLibrary[fname](args);
    return { ok: true, value: typeof r === 'number' ? numberToString(r) : r };
  } catch (e) {
    if (e instanceof LuaLibError) return { ok: false, value: e.message };
    throw e;
  }
}

function luaArg(a: Arg): string {
  return typeof a === 'number' ? luaNumber(a) : typeof a === 'string' ? luaQuote(a) : String(a ?? 'nil');
}

const VALUES: number[] = [
  0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, 3.7, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 32 + 3, -(2 ** 32) - 3, 2 ** 52, 2 ** 53 + 2,
  1e15 + 0.5, 1e20, -1e20, 1437217655, 0x12345678, 0xdeadbeef, 255, 65535, Infinity, -Infinity, NaN, 4294967295.5, 123456789.49,
];

test('bit functions agree with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const cases: Array<[string, Arg[]]> = [];
  for (const v of VALUES) {
    for (const f of ['tobit', 'bnot', 'bswap', 'tohex']) cases.push([f, [v]]);
    for (const n of [0, 1, 4, 31, 32, 33, -1, -8, 9, 2.5]) {
      for (const f of ['lshift', 'rshift', 'arshift', 'rol', 'ror', 'tohex']) cases.push([f, [v, n]]);
    }
    cases.push(['band', [v, 0xff00ff]], ['bor', [v, 7, -8]], ['bxor', [v, v, 3]], ['band', [v]]);
  }
  cases.push(
    ['tobit', []], ['tobit', ['12']], ['tobit', ['0x10']], ['tobit', ['x']], ['tobit', [undefined]], ['band', [1, true]],
    ['bor', [1, 2, 'z']], ['tohex', [255, undefined]], ['tohex', [255, -(2 ** 31)]], ['lshift', [1]], ['bnot', [' 5 ']],
  );
  const expected = await redisEvalExprs(redis, cases.map(([f, args]) => `bit.${f}(${args.map(luaArg).join(', ')})`));
  cases.forEach(([f, args], i) => assert.deepEqual(ours(f, args), expected[i], `bit.${f}(${args.map(String).join(', ')})`));
});

test('tobit rounds half to even before wrapping', () => {
  assert.deepEqual(bitLibrary.tobit([2.5]), [2]);
  assert.deepEqual(bitLibrary.tobit([3.5]), [4]);
  assert.deepEqual(bitLibrary.tobit([2 ** 32 + 1]), [1]);
  assert.deepEqual(bitLibrary.tohex([-1, -4]), ['FFFF']);
});
