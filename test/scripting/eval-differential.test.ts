/**
 * EVAL, EVALSHA, SCRIPT and the redis.* bridge against redis-server 7.0.15: the same
 * scripts on both servers, replies compared byte for byte in RESP2 and RESP3.
 */
import { test } from 'node:test';
import { pairPerFile } from '../support/oracle.js';

const withPair = pairPerFile({}, []);


/** Scripts whose replies must match exactly (the script's SHA1 appears in errors). */
const SCRIPTS: [string, ...string[]][] = [
  ['return 1'],
  ['return 3.99'],
  ['return -3.99'],
  ['return 1e20'],
  ["return 'hello'"],
  ['return true'],
  ['return false'],
  ['return nil'],
  ["return {1, 2, 3, 'four', {5, 6}}"],
  ['return {1, 2, nil, 4}'],
  ["return {ok = 'fine'}"],
  ["return {err = 'My Error'}"],
  ["return redis.error_reply('MYERR custom')"],
  ["return redis.error_reply('no code')"],
  ["return redis.status_reply('STATUS')"],
  ['return {double = 3.14}'],
  ["return {big_number = '1234567890123456789012'}"],
  ["return {map = {a = 1}}"],
  ["return {set = {a = true}}"],
  ["return {verbatim_string = {format = 'txt', string = 'hello'}}"],
  ['return KEYS[1] .. ARGV[1]', '1', 'key', 'arg'],
  ['return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', '2', 'a', 'b', 'c', 'd'],
  ["return redis.call('set', KEYS[1], ARGV[1])", '1', 'k', 'v'],
  ["return redis.call('get', KEYS[1])", '1', 'k'],
  ["return redis.call('get', 'missing')"],
  ["redis.call('rpush', 'l', 'a', 'b', 'c') return redis.call('lrange', 'l', 0, -1)"],
  ["return redis.call('incr', 'k')"],
  ["return redis.pcall('incr', 'k')"],
  ["local r = redis.pcall('incr', 'k') return r['err']"],
  ["return redis.call('nosuchcommand')"],
  ["return redis.call('get')"],
  ["return redis.call()"],
  ["return redis.call('set', 'x', {})"],
  ["return redis.call('eval', 'return 1', 0)"],
  ["return redis.call('ping')"],
  ["return redis.call('set', 'n', 1.5)"],
  ["return redis.call('get', 'n')"],
  ["redis.call('set', 'n', 12345678901234) return redis.call('get', 'n')"],
  ['return undefined_global'],
  ['undefined_global = 1'],
  ["error('boom')"],
  ["error({err = 'TABLE error'})"],
  ['error()'],
  ['local t = nil; return t.x'],
  ['return 1 +'],
  ["return redis.sha1hex('')"],
  ["return redis.sha1hex('abc')"],
  ["return redis.REDIS_VERSION"],
  ['return redis.REDIS_VERSION_NUM'],
  ['return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}'],
  ['return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}'],
  ["redis.setresp(3) return redis.call('hgetall', 'nohash')"],
  ["redis.setresp(4)"],
  ['redis.setresp()'],
  ['redis.log()'],
  ["redis.log('x', 'y')"],
  ["redis.log(9, 'y')"],
  ["redis.set_repl(99)"],
  ["return redis.replicate_commands()"],
  ["local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"],
  ["return pcall(error, 'x')"],
  ["return type(cjson.encode({1,2,3}))"],
  ["return cjson.encode({a = 1})"],
  ["return bit.band(7, 3)"],
  ["return string.format('%d-%s', 5, 'x')"],
  ["return tostring(10/2)"],
  ['#!lua\nreturn 1'],
  ['#!lua flags=no-writes\nreturn redis.call("set", "k", "v")'],
  ['#!lua flags=no-writes\nreturn redis.call("get", "k")'],
  ['#!lua flags=bogus\nreturn 1'],
  ['#!lua name=x\nreturn 1'],
  ['#!python\nreturn 1'],
  ['#!lua'],
  ['#!lua flags=no-writes,allow-oom\nreturn 2'],
  ["#!lua\nreturn {err = 'line check'}"],
  ["\n\nerror('third line')"],
];

test('EVAL replies match redis-server in RESP2 and RESP3', withPair(async (pair) => {
  for (const proto of ['2', '3']) {
    await pair.same('HELLO', proto);
    await pair.same('FLUSHALL');
    await pair.same('SCRIPT', 'FLUSH');
    for (const [script, numkeys = '0', ...rest] of SCRIPTS) await pair.same('EVAL', script, numkeys, ...rest);
  }
  await pair.same('HELLO', '2');
}));

test('RESP3 replies converted for scripts that call redis.setresp(3)', withPair(async (pair) => {
  await pair.same('FLUSHALL');
  await pair.same('HSET', 'h', 'f', 'v');
  await pair.same('SADD', 's', 'm');
  for (const proto of ['2', '3']) {
    await pair.same('HELLO', proto);
    for (const script of [
      "redis.setresp(3) return redis.call('hgetall', 'h')",
      "redis.setresp(3) local r = redis.call('hgetall', 'h') return r['map']['f']",
      "redis.setresp(3) return redis.call('smembers', 's')",
      "redis.setresp(3) return redis.call('get', 'nokey')",
      "redis.setresp(3) return type(redis.call('get', 'nokey'))",
      "redis.setresp(2) return type(redis.call('get', 'nokey'))",
      "redis.setresp(3) return true",
      "redis.setresp(3) return false",
      "redis.setresp(3) return {double = 1.5}",
    ]) {
      await pair.same('EVAL', script, '0');
    }
  }
  await pair.same('HELLO', '2');
}));

test('EVALSHA, EVAL_RO, SCRIPT LOAD/EXISTS/FLUSH and argument errors', withPair(async (pair) => {
  await pair.sameAll([
    ['FLUSHALL'],
    ['SCRIPT', 'FLUSH'],
    ['SCRIPT', 'LOAD', 'return 42'],
    ['EVALSHA', '1fa00e76656cc152ad327c13fe365858fd7be306', '0'],
    ['EVALSHA', '1FA00E76656CC152AD327C13FE365858FD7BE306', '0'],
    ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306', 'ffffffffffffffffffffffffffffffffffffffff'],
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
    ['EVALSHA', 'short', '0'],
    ['SCRIPT', 'LOAD', 'return +'],
    ['SCRIPT', 'LOAD', '#!lua flags=nope\nreturn 1'],
    ['SCRIPT', 'FLUSH', 'ASYNC'],
    ['SCRIPT', 'FLUSH', 'bogus'],
    ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306'],
    ['EVAL', 'return 1', 'x'],
    ['EVAL', 'return 1', '2', 'a'],
    ['EVAL', 'return 1', '-1'],
    ['EVAL_RO', "return redis.call('set', 'k', 'v')", '0'],
    ['EVAL_RO', "return redis.call('get', 'k')", '0'],
    ['EVAL_RO', '#!lua\nreturn 1', '0'],
    ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0'],
    ['SCRIPT', 'KILL'],
    ['FUNCTION', 'KILL'],
    ['SCRIPT', 'HELP'],
    ['SCRIPT', 'BOGUS'],
  ]);
}));

test('EVAL inside MULTI/EXEC', withPair(async (pair) => {
  await pair.sameAll([
    ['FLUSHALL'],
    ['MULTI'],
    ['EVAL', "return redis.call('incr', 'c')", '0'],
    ['EVAL', "return redis.call('incr', 'c')", '0'],
    ['EVAL', "error('inside')", '0'],
    ['EXEC'],
  ]);
}));
