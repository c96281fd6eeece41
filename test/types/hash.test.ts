/**
 * Hash commands against redis-server 7.0.15, RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';
import { sameInBothProtocols, sameLength, sameUnordered, type Command } from './helpers.js';
import { scanReply } from '../support/resp-decode.js';

const withPair = pairPerFile();

const script: Command[] = [
  ['HSET', 'h', 'a', '1', 'b', '2'],
  ['HSET', 'h', 'a', '3', 'c', '4'],
  ['HSET', 'h', 'a'],
  ['HSET', 'h', 'a', '1', 'b'],
  ['HMSET', 'h', 'x', '1', 'y'],
  ['HMSET', 'h', 'x', '9', 'y', '8'],
  ['HGETALL', 'h'],
  ['HGET', 'h', 'a'],
  ['HGET', 'h', 'nope'],
  ['HGET', 'nokey', 'a'],
  ['HMGET', 'h', 'a', 'nope', 'b'],
  ['HMGET', 'nokey', 'a', 'b'],
  ['HSETNX', 'h', 'a', 'z'],
  ['HSETNX', 'h', 'new', 'z'],
  ['HSETNX', 'h2', 'f', 'v'],
  ['HLEN', 'h'],
  ['HLEN', 'nokey'],
  ['HSTRLEN', 'h', 'new'],
  ['HSTRLEN', 'h', 'nope'],
  ['HEXISTS', 'h', 'a'],
  ['HEXISTS', 'h', 'nope'],
  ['HKEYS', 'h'],
  ['HVALS', 'h'],
  ['HKEYS', 'nokey'],
  ['HVALS', 'nokey'],
  ['HGETALL', 'nokey'],
  ['HDEL', 'h', 'a', 'a', 'nope'],
  ['HDEL', 'nokey', 'a'],
  ['HDEL', 'h2', 'f'],
  ['EXISTS', 'h2'],
  ['HINCRBY', 'h', 'n', '5'],
  ['HINCRBY', 'h', 'n', '-15'],
  ['HINCRBY', 'h', 'n', 'x'],
  ['HINCRBY', 'h', 'n', '9223372036854775807'],
  ['HSET', 'h', 'big', '9223372036854775800'],
  ['HINCRBY', 'h', 'big', '7'],
  ['HINCRBY', 'h', 'big', '1'],
  ['HINCRBY', 'h', 'x', '1'],
  ['HSET', 'h', 'str', 'abc'],
  ['HINCRBY', 'h', 'str', '1'],
  ['HINCRBYFLOAT', 'h', 'str', '1'],
  ['HINCRBYFLOAT', 'h', 'f', '1.5'],
  ['HINCRBYFLOAT', 'h', 'f', '0.25'],
  ['HINCRBYFLOAT', 'h', 'f', '0.1'],
  ['HINCRBYFLOAT', 'h', 'n', '3.0'],
  ['HINCRBYFLOAT', 'h', 'f', '-1e3'],
  ['HINCRBYFLOAT', 'h', 'f', 'abc'],
  ['HINCRBYFLOAT', 'h', 'f', 'inf'],
  ['HINCRBYFLOAT', 'h', 'f2', '3.0'],
  ['HINCRBYFLOAT', 'h', 'f', '5.0e3'],
  ['HSET', 'h', 'sp', ' 1'],
  ['HINCRBYFLOAT', 'h', 'sp', '1'],
  ['HGETALL', 'h'],
  ['SET', 's', 'v'],
  ['HSET', 's', 'a', '1'],
  ['HGET', 's', 'a'],
  ['HGETALL', 's'],
  ['HLEN', 's'],
  ['HDEL', 's', 'a'],
  ['HINCRBY', 's', 'a', '1'],
  ['HRANDFIELD', 's'],
  ['HSCAN', 's', '0'],
  ['HRANDFIELD', 'nokey'],
  ['HRANDFIELD', 'nokey', '3'],
  ['HRANDFIELD', 'h', '0'],
  ['HRANDFIELD', 'h', '100'],
  ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
  ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
  ['HRANDFIELD', 'h', '1', 'bad'],
  ['HRANDFIELD', 'h', 'x'],
  ['HRANDFIELD', 'h', '-9223372036854775808'],
  ['HRANDFIELD', 'h', '-9223372036854775807', 'WITHVALUES'],
  ['HSCAN', 'h', '0'],
  ['HSCAN', 'h', '0', 'MATCH', 'b*'],
  ['HSCAN', 'h', '0', 'COUNT', '0'],
  ['HSCAN', 'h', '0', 'COUNT', 'x'],
  ['HSCAN', 'h', 'x'],
  ['HSCAN', 'h', '0', 'MATCH'],
  ['HSCAN', 'h', '0', 'FOO', 'bar'],
  ['HSCAN', 'nokey', '0'],
  ['OBJECT', 'ENCODING', 'h'],
  ['HSET', 'long', 'f', 'x'.repeat(65)],
  ['OBJECT', 'ENCODING', 'long'],
  ['HSET', 'longfield', 'f'.repeat(65), 'x'],
  ['OBJECT', 'ENCODING', 'longfield'],
];

test('hash commands match redis-server', withPair(async (pair) => {
  await sameInBothProtocols(pair, script);
  // Conversion to hashtable past hash-max-listpack-entries, and HSCAN over it.
  await pair.both('FLUSHALL');
  const args: Command = ['HSET', 'big'];
  for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`);
  await pair.same(...args);
  await pair.same('OBJECT', 'ENCODING', 'big');
  await pair.same('HLEN', 'big');
  await sameUnordered(pair, 'HKEYS', 'big');
  await sameUnordered(pair, 'HGETALL', 'big');
  for (let i = 0; i < 590; i++) await pair.same('HDEL', 'big', `f${i}`);
  await pair.same('OBJECT', 'ENCODING', 'big');
  await sameLength(pair, 'HRANDFIELD', 'big', '5');
  await sameLength(pair, 'HRANDFIELD', 'big', '-20', 'WITHVALUES');
  await pair.both('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
  await pair.same('HSET', 'c', 'a', '1', 'b', '2');
  await pair.same('OBJECT', 'ENCODING', 'c');
  await pair.same('HSET', 'c', 'c', '3');
  await pair.same('OBJECT', 'ENCODING', 'c');
  await pair.both('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
}));

test('HSCAN over a hashtable returns every field exactly once', withPair(async (pair) => {
  const args: Command = ['HSET', 'big'];
  for (let i = 0; i < 1000; i++) args.push(`f${i}`, `${i}`);
  await pair.ours.call(...args);
  const seen = new Map<string, string>();
  let cursor = '0';
  do {
    const reply = scanReply(await pair.ours.call('HSCAN', 'big', cursor, 'COUNT', '50'));
    cursor = reply.cursor;
    const items = reply.keys;
    for (let i = 0; i + 1 < items.length; i += 2) seen.set(items[i], items[i + 1]);
  } while (cursor !== '0');
  if (seen.size !== 1000) throw new Error(`HSCAN saw ${seen.size} fields`);
  if (seen.get('f7') !== '7') throw new Error('HSCAN value mismatch');
}));
