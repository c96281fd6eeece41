/**
 * Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO)
 * against redis-server 7.0.15, RESP2 and RESP3, plus seeded random sequences.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { randInt, sameInBothProtocols, seededRandom, type Command } from './helpers.js';

const withPair = pairPerFile();

const script: Command[] = [
  ['SETBIT', 'b', 7, 1],
  ['SETBIT', 'b', 7, 1],
  ['SETBIT', 'b', 7, 0],
  ['SETBIT', 'b', 100, 1],
  ['GET', 'b'],
  ['OBJECT', 'ENCODING', 'b'],
  ['GETBIT', 'b', 100],
  ['GETBIT', 'b', 101],
  ['GETBIT', 'b', 100000],
  ['GETBIT', 'nokey', 3],
  ['SETBIT', 'b', -1, 1],
  ['SETBIT', 'b', 'x', 1],
  ['SETBIT', 'b', 4294967296, 1],
  ['SETBIT', 'b', 1, 2],
  ['SETBIT', 'b', 1, -1],
  ['SETBIT', 'b', 1, 'a'],
  ['GETBIT', 'b', -1],
  ['GETBIT', 'b', '1.5'],
  ['SET', 'n', '123'],
  ['GETBIT', 'n', 2],
  ['SETBIT', 'n', 2, 1],
  ['GET', 'n'],
  ['LPUSH', 'l', 'a'],
  ['SETBIT', 'l', 1, 1],
  ['GETBIT', 'l', 1],
  ['BITCOUNT', 'l'],
  ['BITPOS', 'l', 1],
  ['BITFIELD', 'l', 'GET', 'u8', 0],
  ['BITFIELD_RO', 'l', 'GET', 'u8', 0],
  ['BITOP', 'AND', 'dest', 'b', 'l'],
  ['SET', 's', 'foobar'],
  ['BITCOUNT', 's'],
  ['BITCOUNT', 's', 0, 0],
  ['BITCOUNT', 's', 1, 1],
  ['BITCOUNT', 's', 1, 1, 'BYTE'],
  ['BITCOUNT', 's', 5, 30, 'BIT'],
  ['BITCOUNT', 's', -5, -1, 'bit'],
  ['BITCOUNT', 's', -1, -5],
  ['BITCOUNT', 's', 2, 1],
  ['BITCOUNT', 's', 0, 1000],
  ['BITCOUNT', 's', 0],
  ['BITCOUNT', 's', 0, 1, 'foo'],
  ['BITCOUNT', 's', 'a', 1],
  ['BITCOUNT', 'nokey', 'a', 1],
  ['BITCOUNT', 'nokey', 0],
  ['BITCOUNT', 's', 0, 1, 'bit', 'x'],
  ['SET', 'p', '\xff\xf0\x00'],
  ['BITPOS', 'p', 0],
  ['BITPOS', 'p', 1],
  ['BITPOS', 'p', 0, 2, -1],
  ['BITPOS', 'p', 1, 2],
  ['BITPOS', 'p', 0, 7, 15, 'BIT'],
  ['BITPOS', 'p', 0, 7, 11, 'bit'],
  ['BITPOS', 'p', 1, 7, 15, 'BIT'],
  ['BITPOS', 'p', 1, 2, 2],
  ['BITPOS', 'p', 1, 0, -1, 'byte'],
  ['BITPOS', 'p', 2],
  ['BITPOS', 'p', 'x'],
  ['BITPOS', 'p', 1, 'x'],
  ['BITPOS', 'p', 1, 0, 'x'],
  ['BITPOS', 'p', 1, 0, 1, 'words'],
  ['BITPOS', 'nokey', 0],
  ['BITPOS', 'nokey', 1],
  ['SET', 'ones', '\xff\xff'],
  ['BITPOS', 'ones', 0],
  ['BITPOS', 'ones', 0, 0],
  ['BITPOS', 'ones', 0, 0, -1],
  ['BITPOS', 'ones', 0, 3, 'bit'],
  ['BITPOS', 'ones', 0, 3, 9, 'bit'],
  ['SET', 'empty', ''],
  ['BITPOS', 'empty', 0],
  ['BITPOS', 'empty', 1],
  ['BITCOUNT', 'empty'],
  ['SET', 'a', 'abcdef'],
  ['SET', 'c', 'xyz'],
  ['BITOP', 'AND', 'd', 'a', 'c'],
  ['GET', 'd'],
  ['BITOP', 'or', 'd', 'a', 'c', 'nokey'],
  ['GET', 'd'],
  ['BITOP', 'XOR', 'd', 'a', 'c'],
  ['GET', 'd'],
  ['BITOP', 'NOT', 'd', 'a'],
  ['GET', 'd'],
  ['BITOP', 'NOT', 'd', 'a', 'c'],
  ['BITOP', 'NAND', 'd', 'a'],
  ['BITOP', 'AND', 'd', 'nokey', 'nokey2'],
  ['EXISTS', 'd'],
  ['BITFIELD', 'bf', 'SET', 'i8', 0, 100, 'GET', 'u4', 0, 'INCRBY', 'i8', 0, 100],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', 0, 100, 'INCRBY', 'u2', 100, -5],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', 0, 100, 'SET', 'u8', '#1', 300, 'GET', 'u8', 8],
  ['BITFIELD', 'bf', 'SET', 'i64', 0, '-9223372036854775808', 'GET', 'i64', 0, 'INCRBY', 'i64', 0, -1],
  ['BITFIELD', 'bf', 'SET', 'u63', 0, '9223372036854775807', 'GET', 'u63', 0, 'INCRBY', 'u63', 0, 1],
  ['BITFIELD', 'bf', 'OVERFLOW', 'WRAP', 'SET', 'u8', 0, -1, 'SET', 'i5', '#3', 100, 'GET', 'i5', '#3'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'SET', 'u8', 0, -1, 'SET', 'i5', '#3', -100, 'GET', 'i5', '#3'],
  ['BITFIELD', 'bf', 'GET', 'u64', 0],
  ['BITFIELD', 'bf', 'GET', 'i65', 0],
  ['BITFIELD', 'bf', 'GET', 'x8', 0],
  ['BITFIELD', 'bf', 'GET', 'i0', 0],
  ['BITFIELD', 'bf', 'GET', 'i8', -1],
  ['BITFIELD', 'bf', 'GET', 'i8', '#-1'],
  ['BITFIELD', 'bf', 'GET', 'i8'],
  ['BITFIELD', 'bf', 'SET', 'i8', 0, 'x'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'MAYBE'],
  ['BITFIELD', 'bf', 'FOO', 'i8', 0],
  ['BITFIELD', 'bf'],
  ['BITFIELD', 'newkey', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', 10, 9],
  ['GET', 'newkey'],
  ['BITFIELD', 'newkey2', 'GET', 'i8', 0],
  ['EXISTS', 'newkey2'],
  ['BITFIELD_RO', 'bf', 'GET', 'i8', 0, 'GET', 'u3', 77],
  ['BITFIELD_RO', 'bf', 'SET', 'i8', 0, 1],
  ['BITFIELD_RO', 'bf', 'INCRBY', 'i8', 0, 1],
  ['BITFIELD_RO', 'bf'],
  ['BITFIELD', 's', 'GET', 'u8', 40, 'GET', 'u8', 48, 'GET', 'i16', 44],
  ['SET', 'num', '12345'],
  ['BITFIELD', 'num', 'INCRBY', 'u8', 0, 1],
  ['GET', 'num'],
];

test('bitmap commands match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
}));

test('random SETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD sequences match redis-server', withPair(async (pair) => {
  const rand = seededRandom(1234);
  const keys = ['k1', 'k2', 'k3'];
  const key = () => keys[randInt(rand, 0, keys.length - 1)];
  const unit = () => (rand() < 0.5 ? 'BIT' : 'BYTE');
  const types = ['u1', 'u7', 'i8', 'u16', 'i13', 'i32', 'u63', 'i64', 'u33'];
  for (let i = 0; i < 1500; i++) {
    const r = rand();
    if (r < 0.3) await pair.same('SETBIT', key(), randInt(rand, 0, 300), randInt(rand, 0, 1));
    else if (r < 0.4) await pair.same('BITCOUNT', key(), randInt(rand, -50, 50), randInt(rand, -50, 50), unit());
    else if (r < 0.45) await pair.same('BITCOUNT', key(), randInt(rand, -10, 10), randInt(rand, -10, 10));
    else if (r < 0.55) await pair.same('BITPOS', key(), randInt(rand, 0, 1), randInt(rand, -60, 60), randInt(rand, -60, 60), unit());
    else if (r < 0.6) await pair.same('BITPOS', key(), randInt(rand, 0, 1), randInt(rand, -10, 10));
    else if (r < 0.63) await pair.same('BITPOS', key(), randInt(rand, 0, 1));
    else if (r < 0.68) {
      const op = ['AND', 'OR', 'XOR'][randInt(rand, 0, 2)];
      await pair.same('BITOP', op, key(), key(), key());
    } else if (r < 0.7) await pair.same('BITOP', 'NOT', key(), key());
    else if (r < 0.9) {
      const ow = ['WRAP', 'SAT', 'FAIL'][randInt(rand, 0, 2)];
      const t1 = types[randInt(rand, 0, types.length - 1)];
      const t2 = types[randInt(rand, 0, types.length - 1)];
      const big = () => String(BigInt(randInt(rand, -1e9, 1e9)) * BigInt(randInt(rand, 0, 1e9)));
      await pair.same('BITFIELD', key(), 'OVERFLOW', ow, 'INCRBY', t1, randInt(rand, 0, 200), big(), 'SET', t2, `#${randInt(rand, 0, 5)}`, big(), 'GET', t1, randInt(rand, 0, 200));
    } else if (r < 0.95) await pair.same('BITFIELD_RO', key(), 'GET', types[randInt(rand, 0, types.length - 1)], randInt(rand, 0, 400));
    else await pair.same('GET', key());
  }
  for (const k of keys) await pair.same('GET', k);
}));
