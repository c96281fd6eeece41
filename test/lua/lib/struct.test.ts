import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaLibError } from '../../../src/lua/errors.js';
import { numberToString } from '../../../src/lua/lib/number.js';
import { structLibrary } from '../../../src/lua/lib/struct.js';
import { RedisOracle, luaNumber, luaQuote, redisAvailable, redisEvalExprs } from './oracle.js';

let redis: RedisOracle | undefined;
before(async () => {
  if (redisAvailable) redis = await RedisOracle.start(7262);
});
after(() => redis?.stop());

type Arg = number | string | undefined;
const JOIN = `(function(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end return table.concat(t, ',') end)`;

function luaArg(a: Arg): string {
  return typeof a === 'number' ? luaNumber(a) : typeof a === 'string' ? luaQuote(a) : 'nil';
}

function ours(fname: string, args: Arg[]): { ok: boolean; value: string } {
  try {
    const values = structLibrary[fname](args);
    return { ok: true, value: values.map((v) => (typeof v === 'number' ? numberToString(v) : v)).join(',') };
  } catch (e) {
    if (e instanceof LuaLibError) return { ok: false, value: e.message };
    throw e;
  }
}

test('struct.pack / unpack / size agree with Redis 7.0', async (t) => {
  if (!redis) return t.skip('redis-server not installed');
  const numbers = [0, 1, -1, 127, 128, 255, 256, -129, 65535, -32769, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, 2 ** 64, -(2 ** 63), 1e30, -1e30, 3.7, -3.7, 0.1, NaN, Infinity, -Infinity];
  const intFormats = ['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', '>i', '<I', 'i3', '>i3', 'I5', '>I7', 'i9', '>i12', 'I16', 'i32', '>I32', 'f', 'd', '>f', '>d'];
  const cases: Array<[string, Arg[]]> = [];
  for (const f of intFormats) {
    for (const n of numbers) {
      cases.push(['pack', [f, n]]);
    }
  }
  // unpack signed/unsigned readings of assorted byte strings
  const blobs = ['\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', '\xff'.repeat(32), '\x80' + '\x00'.repeat(31), '\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20', '\x00'.repeat(7) + '\x80' + '\xff'.repeat(24)];
  for (const f of intFormats) for (const b of blobs) cases.push(['unpack', [f, b]]);
  cases.push(
    ['pack', ['!4 b i', 1, 2]], ['pack', ['!b h b i b d', 1, 2, 3, 4, 5, 6]], ['pack', ['!2 b i b l', 1, 2, 3, 4]], ['pack', ['! b d', 1, 2]],
    ['pack', ['c5', 'hello world']], ['pack', ['c0', 'hello']], ['pack', ['c5', 'ab']], ['pack', ['s', 'abc']], ['pack', ['s', 'a\0c']],
    ['pack', ['xbx', 7]], ['pack', ['y', 1]], ['pack', ['i33', 1]], ['pack', ['!3', 1]], ['pack', ['i', 'x']], ['pack', ['i']], ['pack', ['i', '12']],
    ['pack', ['i99999999999', 1]], ['pack', ['>!4 h i c3 s d', 1, 2, 'abc', 'zz', 0.5]], ['pack', ['b\0b', 1, 2]], ['pack', [12, 1]],
    ['unpack', ['i', '\x01\x00\x00\x00\x02\x00\x00\x00', 5]], ['unpack', ['i', '\x01\x00\x00', 1]], ['unpack', ['i', '\x01\x00\x00\x00', 0]],
    ['unpack', ['i', '\x01\x00\x00\x00', -1]], ['unpack', ['', 'abc', -3]], ['unpack', ['b c0', '\x03abcdef']], ['unpack', ['c0', 'abc']],
    ['unpack', ['b c0', '\x09abc']], ['unpack', ['s s', 'ab\0cd\0ef']], ['unpack', ['s', 'abc']], ['unpack', ['c2 x c2', 'abcdef']],
    ['unpack', ['!4 b i', '\x01\x00\x00\x00\x02\x00\x00\x00']], ['unpack', ['>!4 h i c3 s d', '\x00\x01\x00\x00\x00\x00\x00\x02abczz\x00\x00\x00\x00\x00\x00\x00?\xe0\x00\x00\x00\x00\x00\x00']],
    ['unpack', ['f d', '\x00\x00\xc0\x7f\x00\x00\x00\x00\x00\x00\xf0\x7f']], ['unpack', ['y', 'abc']], ['unpack', ['i']], ['unpack', ['B', 'xyz', 3]],
    ['unpack', ['B', 'xyz', 4]], ['unpack', ['x', 'x', 2]], ['unpack', ['c', '']], ['unpack', ['s c0', '3\0abcd']],
    ['size', ['i']], ['size', ['!8 b d']], ['size', ['b h l T f d x c7 i3']], ['size', ['s']], ['size', ['c0']], ['size', ['y b']], ['size', ['#']],
    ['size', ['!4 b i b h']], ['size', ['!5']], ['size', ['>< i']], ['size', []], ['pack', []], ['unpack', ['i']],
  );
  const expected = await redisEvalExprs(redis, cases.map(([f, args]) => `${JOIN}(struct.${f}(${args.map(luaArg).join(', ')}))`));
  cases.forEach(([f, args], i) => assert.deepEqual(ours(f, args), expected[i], `struct.${f}(${args.map((a) => JSON.stringify(a)).join(', ')})`));
});

test('pack and unpack round-trip with alignment', () => {
  const [packed] = structLibrary.pack(['!4 b i', 1, -2]);
  assert.equal(packed, '\x01\x00\x00\x00\xfe\xff\xff\xff');
  assert.deepEqual(structLibrary.unpack(['!4 b i', packed]), [1, -2, 9]);
  assert.deepEqual(structLibrary.size(['!4 b i']), [8]);
});
