/**
 * String commands, compared byte for byte with redis-server 7.0.15 in RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';

const withPair = pairPerFile({}, []);

type Cmd = (string | number)[];

const CASES: Record<string, Cmd[]> = {
  'get/set basics': [
    ['SET', 'k', 'v'], ['GET', 'k'], ['GET', 'missing'], ['SET', 'k', ''], ['GET', 'k'],
    ['SET', 'bin', '\x00\xff\r\n'], ['GET', 'bin'], ['STRLEN', 'bin'],
  ],
  'set options': [
    ['SET', 'k', 'v', 'NX'], ['SET', 'k', 'v2', 'NX'], ['SET', 'k', 'v3', 'XX'], ['GET', 'k'],
    ['SET', 'nokey', 'v', 'XX'], ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'XX', 'NX'],
    ['SET', 'k', 'v', 'EX', '10', 'PX', '100'], ['SET', 'k', 'v', 'EX'], ['SET', 'k', 'v', 'EX', 'abc'],
    ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', '-5'], ['SET', 'k', 'v', 'PX', '0'],
    ['SET', 'k', 'v', 'EX', '9223372036854775807'], ['SET', 'k', 'v', 'PX', '9223372036854775807'],
    ['SET', 'k', 'v', 'EXAT', '9223372036854775807'], ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'],
    ['SET', 'k', 'v', 'EX', '100'], ['TTL', 'k'], ['SET', 'k', 'w', 'KEEPTTL'], ['TTL', 'k'], ['SET', 'k', 'x'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'GET'], ['SET', 'new', 'v', 'GET'], ['SET', 'k', 'z', 'NX', 'GET'], ['SET', 'k2', 'z', 'XX', 'GET'],
    ['SET', 'k', 'v', 'foo'], ['SET', 'k', 'v', 'ex', '5', 'get'], ['SET', 'k', 'v', 'PXAT', '1'], ['GET', 'k'],
    ['SET', 'k', 'v', 'EXAT', '4000000000'], ['EXPIRETIME', 'k'],
  ],
  'setnx setex psetex getset getdel getex': [
    ['SETNX', 'a', '1'], ['SETNX', 'a', '2'], ['GET', 'a'], ['SETEX', 'b', '100', 'x'], ['TTL', 'b'],
    ['SETEX', 'b', '0', 'x'], ['SETEX', 'b', 'x', 'x'], ['PSETEX', 'c', '100000', 'y'], ['PSETEX', 'c', '-1', 'y'],
    ['GETSET', 'a', '9'], ['GETSET', 'nope', '1'], ['GETDEL', 'a'], ['GETDEL', 'a'], ['EXISTS', 'a'],
    ['SET', 'e', 'v'], ['GETEX', 'e', 'EX', '100'], ['TTL', 'e'], ['GETEX', 'e', 'PERSIST'], ['TTL', 'e'],
    ['GETEX', 'e', 'EX', '10', 'PERSIST'], ['GETEX', 'e', 'NX'], ['GETEX', 'missing', 'EX', '10'], ['GETEX', 'e', 'PXAT', '1'], ['GET', 'e'],
    ['GETEX', 'e', 'EX', '0'],
  ],
  'mget mset msetnx': [
    ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'],
    ['MSETNX', 'x', '1', 'a', '2'], ['MSETNX', 'x', '1', 'y', '2'], ['MGET', 'x', 'y', 'a'],
  ],
  'append strlen getrange setrange substr': [
    ['APPEND', 's', 'hello'], ['APPEND', 's', ' world'], ['GET', 's'], ['STRLEN', 's'], ['STRLEN', 'none'],
    ['GETRANGE', 's', '0', '4'], ['GETRANGE', 's', '-5', '-1'], ['GETRANGE', 's', '5', '2'], ['GETRANGE', 's', '-100', '100'],
    ['GETRANGE', 's', '-1', '-5'], ['GETRANGE', 'none', '0', '1'], ['GETRANGE', 's', 'a', '1'], ['SUBSTR', 's', '1', '3'],
    ['SETRANGE', 's', '6', 'WORLD'], ['GET', 's'], ['SETRANGE', 'pad', '5', 'x'], ['GET', 'pad'], ['SETRANGE', 'empty', '3', ''],
    ['EXISTS', 'empty'], ['SETRANGE', 's', '-1', 'x'], ['SETRANGE', 's', '536870912', 'x'], ['SETRANGE', 's', '0', ''],
  ],
  'incr decr family': [
    ['INCR', 'n'], ['INCRBY', 'n', '10'], ['DECR', 'n'], ['DECRBY', 'n', '3'], ['GET', 'n'],
    ['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'], ['SET', 'n', '-9223372036854775808'], ['DECR', 'n'],
    ['DECRBY', 'n', '-9223372036854775808'], ['SET', 'n', '1'], ['DECRBY', 'n', '-9223372036854775808'],
    ['SET', 'n', 'abc'], ['INCR', 'n'], ['SET', 'n', ' 1'], ['INCR', 'n'], ['SET', 'n', '01'], ['INCR', 'n'],
    ['INCRBY', 'x', 'abc'], ['INCRBY', 'x', '1.5'], ['SET', 'big', '12345678901234567'], ['INCR', 'big'], ['INCRBY', 'big', '-99999999999999999'],
  ],
  incrbyfloat: [
    ['INCRBYFLOAT', 'f', '10.5'], ['INCRBYFLOAT', 'f', '0.1'], ['INCRBYFLOAT', 'f', '-5'], ['INCRBYFLOAT', 'f', '5.0e3'],
    ['INCRBYFLOAT', 'f', 'abc'], ['INCRBYFLOAT', 'f', 'inf'], ['SET', 'g', '3'], ['INCRBYFLOAT', 'g', '1.25'],
    ['SET', 'h', '1e3'], ['INCRBYFLOAT', 'h', '1'], ['INCRBYFLOAT', 'z', '0'],
  ],
  lcs: [
    ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'], ['LCS', 'key1', 'key2'], ['LCS', 'key1', 'key2', 'LEN'],
    ['LCS', 'key1', 'key2', 'IDX'], ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4'], ['LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'key1', 'key2', 'IDX', 'LEN'], ['LCS', 'key1', 'nokey'], ['LCS', 'key1', 'key2', 'FOO'],
  ],
  'wrong type and arity': [
    ['SET', 'x', '1'], ['GET'], ['SET', 'x'], ['GETRANGE', 'x', '1'], ['MGET'], ['APPEND', 'x'], ['GETEX'],
  ],
};

for (const [name, cmds] of Object.entries(CASES)) {
  for (const proto of [2, 3]) {
    test(`strings: ${name} (RESP${proto})`, withPair(async (pair) => {
      await pair.same('FLUSHALL');
      await pair.same('HELLO', String(proto));
      for (const c of cmds) await pair.same(...c);
      await pair.same('HELLO', '2');
    }));
  }
}

test('strings: OBJECT ENCODING after in-place writes (APPEND, SETRANGE, INCR)', withPair(async (pair) => {
  await pair.same('FLUSHALL');
  for (const c of [
    ['SET', 'k', '1234'], ['OBJECT', 'ENCODING', 'k'], ['SETRANGE', 'k', '0', '2'], ['OBJECT', 'ENCODING', 'k'],
    ['SET', 'k', '1234'], ['SETRANGE', 'k', '0', ''], ['OBJECT', 'ENCODING', 'k'], ['APPEND', 'k', '5'], ['OBJECT', 'ENCODING', 'k'],
    ['INCR', 'k'], ['OBJECT', 'ENCODING', 'k'], ['APPEND', 'new', 'abc'], ['OBJECT', 'ENCODING', 'new'],
    ['SETRANGE', 'fresh', '2', 'x'], ['OBJECT', 'ENCODING', 'fresh'], ['SET', 'long', 'x'.repeat(45)], ['OBJECT', 'ENCODING', 'long'],
    ['SET', 's', 'abc'], ['OBJECT', 'ENCODING', 's'], ['GETRANGE', 's', '0', '1'], ['OBJECT', 'ENCODING', 's'],
  ]) await pair.same(...c);
}));
