/**
 * Corners of scripting and key DUMP/RESTORE found by Redis's unit/scripting, unit/functions
 * and unit/dump suites, compared byte for byte with redis-server: scripts calling noscript
 * commands after DEBUG SET-DISABLE-DENY-SCRIPTS (every DEBUG PROTOCOL type, both
 * protocols on each side), INFO's script and function counts, SCRIPT DEBUG NO, FUNCTION
 * FLUSH modes, shebang flag errors, and RESTORE IDLETIME / FREQ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, type Pair } from '../support/oracle.js';

const withPair = pairPerFile({ 'enable-debug-command': 'yes' }, []);



async function reset(p: Pair): Promise<void> {
  await p.same('HELLO', '2');
  await p.same('FLUSHALL');
  await p.same('FUNCTION', 'FLUSH');
  await p.same('SCRIPT', 'FLUSH');
  await p.same('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
}

const PROTOCOL_TYPES = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'verbatim', 'true', 'false'];

test('DEBUG SET-DISABLE-DENY-SCRIPTS: scripts see every DEBUG PROTOCOL type like Redis', withPair(async (pair) => {
  await reset(pair);
  // Refused while the deny list is on.
  await pair.same('EVAL', "return redis.call('debug', 'protocol', 'string')", '0');
  await pair.same('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1');
  try {
    for (const clientResp of ['2', '3']) {
      await pair.same('HELLO', clientResp);
      for (const scriptResp of ['2', '3']) {
        for (const type of PROTOCOL_TYPES) {
          await pair.same('EVAL', `redis.setresp(${scriptResp}); return redis.call('debug', 'protocol', '${type}')`, '0');
        }
      }
    }
    await pair.same('HELLO', '2');
    await pair.same('FUNCTION', 'LOAD', "#!lua name=dbg\nredis.register_function('attr', function() redis.setresp(3) return redis.call('debug', 'protocol', 'attrib') end)");
    await pair.same('FCALL', 'attr', '0');
  } finally {
    await pair.same('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0');
  }
  await pair.same('EVAL', "return redis.call('debug', 'protocol', 'string')", '0');
}));

test('INFO counts cached scripts, functions and libraries', withPair(async (pair) => {
  await reset(pair);
  const counts = async (): Promise<[string, string]> => {
    const [r, o] = await pair!.both('INFO', 'memory');
    const pick = (b: Buffer) =>
      b
        .toString('latin1')
        .split('\r\n')
        .filter((l) => /^number_of_(cached_scripts|functions|libraries):/.test(l))
        .join(',');
    return [pick(r), pick(o)];
  };
  let [redis, ours] = await counts();
  assert.equal(ours, redis);
  assert.equal(ours, 'number_of_cached_scripts:0,number_of_functions:0,number_of_libraries:0');
  await pair.same('SCRIPT', 'LOAD', 'return 1');
  await pair.same('EVAL', 'return 2', '0');
  await pair.same('FUNCTION', 'LOAD', "#!lua name=l1\nredis.register_function('a', function() return 1 end)\nredis.register_function('b', function() return 2 end)");
  await pair.same('FUNCTION', 'LOAD', "#!lua name=l2\nredis.register_function('c', function() return 3 end)");
  [redis, ours] = await counts();
  assert.equal(ours, redis);
  assert.equal(ours, 'number_of_cached_scripts:2,number_of_functions:3,number_of_libraries:2');
  await pair.same('SCRIPT', 'FLUSH', 'ASYNC');
  await pair.same('FUNCTION', 'DELETE', 'l1');
  [redis, ours] = await counts();
  assert.equal(ours, redis);
  assert.equal(ours, 'number_of_cached_scripts:0,number_of_functions:1,number_of_libraries:1');
}));

test('SCRIPT DEBUG NO, FUNCTION FLUSH modes, shebang and function flag errors', withPair(async (pair) => {
  await reset(pair);
  await pair.sameAll([
    ['SCRIPT', 'DEBUG', 'NO'],
    ['SCRIPT', 'DEBUG', 'no'],
    ['SCRIPT', 'DEBUG', 'maybe'],
    ['FUNCTION', 'LOAD', "#!lua name=f\nredis.register_function('f', function() return 1 end)"],
    ['FUNCTION', 'FLUSH', 'ASYNC'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'FLUSH', 'SYNC'],
    ['FUNCTION', 'FLUSH', 'LATER'],
    ['FUNCTION', 'FLUSH', 'ASYNC', 'SYNC'],
    ['EVAL', '#!lua flags=allow-stale,no-cluster\nreturn 1', '0'],
    ['EVAL', '#!lua flags=allow-cross-slot-keys,no-writes\nreturn 1', '0'],
    ['EVAL', '#!lua flags=bad-flag\nreturn 1', '0'],
    ['EVAL', '#!lua flags=no-writes,\nreturn 1', '0'],
    ['EVAL', '#!lua foo=bar\nreturn 1', '0'],
    ['EVAL', '#!lua name=x\nreturn 1', '0'],
    ['EVAL', '#!notlua\nreturn 1', '0'],
    ['EVAL', "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], '1')", '1', 'x'],
    ['FUNCTION', 'LOAD', "#!lua name=f1\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'no-cluster', 'bad'}}"],
    ['FUNCTION', 'LOAD', "#!lua name=f2\nredis.register_function{function_name='f', callback=function() return 1 end, flags='no-writes'}"],
    ['FUNCTION', 'LOAD', "#!lua name=f3\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}"],
    ['FCALL', 'f', '0'],
    ['EVAL', "return redis.acl_check_cmd('get', 'x')", '0'],
    ['EVAL', "return redis.acl_check_cmd('nosuch', 'x')", '0'],
    ['EVAL', "return redis.acl_check_cmd('config|get')", '0'],
    ['EVAL', 'return redis.acl_check_cmd()', '0'],
  ]);
}));

test('RESTORE IDLETIME and FREQ under LRU, LFU and noeviction policies', withPair(async (pair) => {
  await reset(pair);
  await pair.same('SET', 'foo', 'bar');
  const [payload] = await pair.both('DUMP', 'foo');
  const value = payload.subarray(payload.indexOf('\r\n') + 2, payload.length - 2);
  await pair.same('DEL', 'foo');

  await pair.same('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
  await pair.same('RESTORE', 'foo', '0', value, 'IDLETIME', '1000');
  await pair.same('OBJECT', 'IDLETIME', 'foo');
  await pair.same('GET', 'foo');
  await pair.same('OBJECT', 'IDLETIME', 'foo');
  // FREQ is ignored without an LFU policy.
  await pair.same('RESTORE', 'foo', '0', value, 'REPLACE', 'FREQ', '100');
  await pair.same('OBJECT', 'FREQ', 'foo');

  await pair.same('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
  await pair.same('RESTORE', 'foo', '0', value, 'REPLACE', 'FREQ', '100');
  await pair.same('OBJECT', 'FREQ', 'foo');
  await pair.same('OBJECT', 'IDLETIME', 'foo');
  // A new key of the same name starts from the initial counter.
  await pair.same('DEL', 'foo');
  await pair.same('SET', 'foo', 'bar');
  await pair.same('OBJECT', 'FREQ', 'foo');

  await pair.same('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  await pair.same('RESTORE', 'idle', '0', value, 'IDLETIME', '500');
  await pair.same('OBJECT', 'IDLETIME', 'idle');
  await pair.sameAll([
    ['RESTORE', 'x', '0', value, 'IDLETIME', '-1'],
    ['RESTORE', 'x', '0', value, 'FREQ', '256'],
    ['RESTORE', 'x', '0', value, 'IDLETIME', '1', 'FREQ', '1'],
    ['RESTORE', 'x', '0', value, 'IDLETIME'],
  ]);
}));
