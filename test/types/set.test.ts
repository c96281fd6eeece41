/**
 * Set commands against redis-server 7.0.15, RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { sameInBothProtocols, sameLength, sameUnordered, type Command } from './helpers.js';

const withPair = pairPerFile();

// Integer-only sets are intsets in Redis 7.0: their iteration order (sorted) is exact.
const script: Command[] = [
  ['SADD', 'i', '3', '1', '2', '-5', '1'],
  ['SMEMBERS', 'i'],
  ['OBJECT', 'ENCODING', 'i'],
  ['SADD', 'i2', '2', '3', '4', '100'],
  ['SCARD', 'i'],
  ['SCARD', 'nokey'],
  ['SISMEMBER', 'i', '2'],
  ['SISMEMBER', 'i', '9'],
  ['SISMEMBER', 'nokey', '9'],
  ['SMISMEMBER', 'i', '2', '9', '3'],
  ['SMISMEMBER', 'nokey', '2'],
  ['SMEMBERS', 'nokey'],
  ['SINTER', 'i', 'i2'],
  ['SINTER', 'i', 'nokey'],
  ['SINTER', 'i'],
  ['SINTERCARD', '2', 'i', 'i2'],
  ['SINTERCARD', '2', 'i', 'i2', 'LIMIT', '1'],
  ['SINTERCARD', '2', 'i', 'i2', 'LIMIT', '-1'],
  ['SINTERCARD', '0', 'i'],
  ['SINTERCARD', '5', 'i'],
  ['SINTERCARD', '1', 'i', 'FOO'],
  ['SINTERCARD', 'x', 'i'],
  ['SINTERSTORE', 'd', 'i', 'i2'],
  ['SMEMBERS', 'd'],
  ['SINTERSTORE', 'd', 'i', 'nokey'],
  ['EXISTS', 'd'],
  ['SUNION', 'i', 'i2', 'nokey'],
  ['SUNIONSTORE', 'u', 'i', 'i2'],
  ['SMEMBERS', 'u'],
  ['SDIFF', 'i', 'i2'],
  ['SDIFF', 'i', 'i'],
  ['SDIFF', 'nokey', 'i'],
  ['SDIFFSTORE', 'df', 'i2', 'i'],
  ['SMEMBERS', 'df'],
  ['SDIFFSTORE', 'df', 'nokey', 'i'],
  ['EXISTS', 'df'],
  ['SREM', 'i', '1', '1', '77'],
  ['SREM', 'nokey', '1'],
  ['SMOVE', 'i', 'i2', '2'],
  ['SMOVE', 'i', 'i2', '42'],
  ['SMOVE', 'nokey', 'i2', '42'],
  ['SMOVE', 'i', 'i', '3'],
  ['SMOVE', 'i', 'fresh', '3'],
  ['SMEMBERS', 'fresh'],
  ['SMEMBERS', 'i'],
  ['SMEMBERS', 'i2'],
  ['SET', 'str', 'v'],
  ['SADD', 'str', 'a'],
  ['SMEMBERS', 'str'],
  ['SINTER', 'i2', 'str'],
  ['SINTER', 'nokey', 'str'],
  ['SUNION', 'i2', 'str'],
  ['SDIFF', 'str'],
  ['SMOVE', 'str', 'i2', 'a'],
  ['SMOVE', 'i2', 'str', '3'],
  ['SPOP', 'str'],
  ['SRANDMEMBER', 'str'],
  ['SSCAN', 'str', '0'],
  ['SPOP', 'nokey'],
  ['SPOP', 'nokey', '3'],
  ['SPOP', 'i2', '-1'],
  ['SPOP', 'i2', 'x'],
  ['SPOP', 'i2', '0'],
  ['SPOP', 'i2', '1', '2'],
  ['SRANDMEMBER', 'nokey'],
  ['SRANDMEMBER', 'nokey', '5'],
  ['SRANDMEMBER', 'i2', '0'],
  ['SRANDMEMBER', 'i2', '100'],
  ['SRANDMEMBER', 'i2', 'x'],
  ['SRANDMEMBER', 'i2', '1', '2'],
  ['SRANDMEMBER', 'i2', '-9223372036854775808'],
  ['SSCAN', 'i2', '0'],
  ['SSCAN', 'i2', '0', 'MATCH', '1*'],
  ['SSCAN', 'i2', '0', 'COUNT', '0'],
  ['SSCAN', 'nokey', '0'],
  ['SPOP', 'i2', '100'],
  ['EXISTS', 'i2'],
  ['SADD', 'one', '7'],
  ['SPOP', 'one'],
  ['EXISTS', 'one'],
  ['SADD', 'm', '1', 'a'],
  ['OBJECT', 'ENCODING', 'm'],
  ['SREM', 'm', 'a'],
  ['OBJECT', 'ENCODING', 'm'],
  ['SADD', 'big', '9223372036854775807', '-9223372036854775808', '01'],
  ['OBJECT', 'ENCODING', 'big'],
  ['SADD', 'big2', '9223372036854775807', '-9223372036854775808', '12'],
  ['SMEMBERS', 'big2'],
  ['OBJECT', 'ENCODING', 'big2'],
];

test('set commands match redis-server', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
  await pair.both('FLUSHALL');
  await pair.same('SADD', 's1', 'a', 'b', 'c', 'd');
  await pair.same('SADD', 's2', 'c', 'd', 'e');
  await sameUnordered(pair, 'SMEMBERS', 's1');
  await sameUnordered(pair, 'SINTER', 's1', 's2');
  await sameUnordered(pair, 'SUNION', 's1', 's2');
  await sameUnordered(pair, 'SDIFF', 's1', 's2');
  await pair.same('SUNIONSTORE', 'u', 's1', 's2');
  await pair.same('OBJECT', 'ENCODING', 'u');
  await sameLength(pair, 'SRANDMEMBER', 's1', '-10');
  await sameLength(pair, 'SRANDMEMBER', 's1', '3');
  await sameLength(pair, 'SPOP', 's1', '2');
  await pair.same('SCARD', 's1');
  // set-max-intset-entries
  await pair.both('CONFIG', 'SET', 'set-max-intset-entries', '3');
  await pair.same('SADD', 'n', '1', '2', '3');
  await pair.same('OBJECT', 'ENCODING', 'n');
  await pair.same('SADD', 'n', '4');
  await pair.same('OBJECT', 'ENCODING', 'n');
  await sameLength(pair, 'SPOP', 'n', '3');
  await pair.same('OBJECT', 'ENCODING', 'n');
  await pair.both('CONFIG', 'SET', 'set-max-intset-entries', '512');
}));
