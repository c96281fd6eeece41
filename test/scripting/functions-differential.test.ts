/**
 * FUNCTION LOAD/LIST/DELETE/FLUSH/STATS, FCALL/FCALL_RO against redis-server 7.0.15,
 * and FUNCTION DUMP/RESTORE round trips between the two servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile } from '../support/oracle.js';
import { decodeReply, normalizeFunctionList } from '../support/resp-decode.js';

const withPair = pairPerFile({}, []);


const LIB = `#!lua name=lib1
local function helper(keys, args) return redis.call('get', keys[1]) end
redis.register_function('getter', helper)
redis.register_function{function_name = 'ro_getter', callback = helper, flags = {'no-writes'}, description = 'reads'}
redis.register_function{function_name = 'setter', callback = function(keys, args) return redis.call('set', keys[1], args[1]) end}
redis.register_function{function_name = 'raise', callback = function() error('boom') end, flags = {'allow-oom', 'ALLOW-STALE'}}
redis.register_function{function_name = 'ro_writer', callback = function(keys) return redis.call('set', keys[1], 'x') end, flags = {'no-writes'}}
redis.register_function('custom_error', function() return redis.error_reply('MYERR custom') end)
redis.register_function('nested', function() return redis.call('fcall', 'getter', 0) end)
redis.register_function('globals', function() return string.format('%s', type(KEYS)) end)`;

const LOAD_ERRORS = [
  'return 1',
  ' #!lua name=x\n',
  '#!lua name=x',
  '#!lua\n',
  '#!lua name=x name=y\n',
  '#!lua foo=bar\n',
  '#! lua name=x\n',
  '#!lua name=a-b\n',
  '#!lua name=\n',
  '#!python name=x\nreturn 1',
  '#!lua name=x\nreturn 1',
  '#!lua name=x\nlocal a = ',
  "#!lua name=x\nerror('load error')",
  '#!lua name=x\nundefined_var = 1',
  '#!lua name=x\nreturn string.format("x")',
  "#!lua name=x\nredis.register_function('f')",
  "#!lua name=x\nredis.register_function(1, 2)",
  "#!lua name=x\nredis.register_function{}",
  "#!lua name=x\nredis.register_function{function_name='f'}",
  "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}",
  "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags='no-writes'}",
  "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, other=1}",
  "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, description={}}",
  "#!lua name=x\nredis.register_function('bad-name', function() end)",
  "#!lua name=x\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)",
  "#!lua name=x\nredis.register_function('f', function() end, 3)",
  "#!lua name=x\nredis.register_function('getter', function() end)",
  "#!lua name=x\nredis.call('ping')",
  "#!lua name=x\nredis.log(redis.LOG_DEBUG, 'hello') redis.register_function('logf', function() return redis.REDIS_VERSION end)",
];

test('FUNCTION LOAD errors and successes match redis-server', withPair(async (pair) => {
  await pair.same('FUNCTION', 'FLUSH');
  await pair.same('FUNCTION', 'LOAD', LIB);
  for (const code of LOAD_ERRORS) await pair.same('FUNCTION', 'LOAD', code);
  await pair.sameAll([
    ['FUNCTION', 'LOAD', LIB],
    ['FUNCTION', 'LOAD', 'REPLACE', LIB],
    ['FUNCTION', 'LOAD', 'replace', 'REPLACE', LIB],
    ['FUNCTION', 'LOAD', 'bogus', LIB],
    ['FUNCTION', 'LOAD', 'REPLACE'],
    ['FUNCTION', 'DELETE', 'x'],
    ['FUNCTION', 'DELETE', 'nosuchlib'],
    ['FUNCTION', 'FLUSH', 'bogus'],
    ['FUNCTION', 'FLUSH', 'a', 'b'],
    ['FUNCTION', 'HELP'],
    ['FUNCTION', 'BOGUS'],
  ]);
}));

test('FCALL and FCALL_RO match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  await pair.same('FUNCTION', 'FLUSH');
  await pair.same('FUNCTION', 'LOAD', LIB);
  for (const proto of ['2', '3']) {
    await pair.sameAll([
      ['HELLO', proto],
      ['FLUSHALL'],
      ['FCALL', 'setter', '1', 'k', 'v'],
      ['FCALL', 'getter', '1', 'k'],
      ['FCALL', 'GETTER', '1', 'k'],
      ['FCALL_RO', 'ro_getter', '1', 'k'],
      ['FCALL_RO', 'getter', '1', 'k'],
      ['FCALL', 'ro_writer', '1', 'k'],
      ['FCALL', 'raise', '0'],
      ['FCALL', 'custom_error', '0'],
      ['FCALL', 'nested', '0'],
      ['FCALL', 'globals', '0'],
      ['FCALL', 'nosuch', '0'],
      ['FCALL', 'getter', 'x'],
      ['FCALL', 'getter', '5', 'a'],
      ['FCALL', 'getter', '-1'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch*'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME'],
      ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
      ['FUNCTION', 'LIST', 'bogus'],
      ['FUNCTION', 'STATS'],
    ]);
    // Library and function order is Redis's dict order: compare sorted.
    for (const cmd of [['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'LIB*'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'lib1']]) {
      const [r, o] = await pair.both(...cmd);
      assert.deepEqual(normalizeFunctionList(o), normalizeFunctionList(r), cmd.join(' '));
    }
  }
  await pair.same('HELLO', '2');
}));

test('FUNCTION DUMP on redis-server restores on lunakv, and the reverse', withPair(async (pair) => {
  const second = "#!lua name=lib2\nredis.register_function{function_name='two', callback=function(k, a) return {a[1], #a} end, flags={'no-writes', 'allow-cross-slot-keys'}, description='second'}";
  const [fromRedis, fromOurs] = await (async () => {
    await pair!.same('FUNCTION', 'FLUSH');
    await pair!.same('FUNCTION', 'LOAD', LIB);
    await pair!.same('FUNCTION', 'LOAD', second);
    const [r, o] = await pair!.both('FUNCTION', 'DUMP');
    return [decodeReply(r) as string, decodeReply(o) as string];
  })();
  for (const [payload, label] of [
    [fromRedis, 'redis-server dump'],
    [fromOurs, 'lunakv dump'],
  ] as const) {
    await pair.same('FUNCTION', 'FLUSH');
    await pair.same('FUNCTION', 'RESTORE', Buffer.from(payload, 'latin1'));
    const [r, o] = await pair.both('FUNCTION', 'LIST', 'WITHCODE');
    assert.deepEqual(normalizeFunctionList(o), normalizeFunctionList(r), label);
    await pair.same('FCALL', 'two', '0', 'a', 'b');
    await pair.same('FCALL', 'setter', '1', 'rk', 'rv');
    // Which colliding library is named depends on Redis's dict order.
    const [r2, o2] = await pair.both('FUNCTION', 'RESTORE', Buffer.from(payload, 'latin1'));
    assert.match(r2.toString(), /^-ERR Library lib[12] already exists\r\n$/);
    assert.match(o2.toString(), /^-ERR Library lib[12] already exists\r\n$/);
    await pair.same('FUNCTION', 'RESTORE', Buffer.from(payload, 'latin1'), 'REPLACE');
    await pair.same('FUNCTION', 'RESTORE', Buffer.from(payload, 'latin1'), 'FLUSH');
    await pair.same('FUNCTION', 'RESTORE', Buffer.from(payload, 'latin1'), 'bogus');
  }
  await pair.same('FUNCTION', 'FLUSH');
}));

test('FCALL inside MULTI/EXEC and function flags in the read-only path', withPair(async (pair) => {
  await pair.same('FUNCTION', 'FLUSH');
  await pair.same('FUNCTION', 'LOAD', LIB);
  await pair.sameAll([
    ['FLUSHALL'],
    ['MULTI'],
    ['FCALL', 'setter', '1', 'k', 'v1'],
    ['FCALL', 'getter', '1', 'k'],
    ['FCALL', 'raise', '0'],
    ['EXEC'],
  ]);
  await pair.same('FUNCTION', 'FLUSH');
}));
