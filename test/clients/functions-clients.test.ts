/**
 * Redis Functions and script caching through real clients: ioredis (FUNCTION LOAD,
 * FCALL/FCALL_RO, FUNCTION DUMP/RESTORE with Buffers, defineCommand's EVALSHA-then-EVAL
 * fallback) and node-redis (functionDump with a Buffer type mapping, functionRestore,
 * functions and scripts registered in createClient). DUMP payloads are compared with
 * redis-server 7.0.15's for the same library, and payloads cross between the servers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient, defineScript, RESP_TYPES, type CommandParser } from 'redis';
import { startPair, ORACLE_MISSING, type Pair } from '../support/oracle.js';

const LIBRARY = [
  '#!lua name=kvlib',
  "redis.register_function('getk', function(keys) return redis.call('GET', keys[1]) end)",
  "redis.register_function('setk', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "redis.register_function{function_name='readk', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
  "redis.register_function('echoall', function(keys, args) return {keys, args, 3.7, true} end)",
].join('\n');

let pair: Pair | null = null;
let ours: Redis;
let theirs: Redis;

before(async () => {
  pair = await startPair();
  if (!pair) return;
  ours = new Redis({ port: pair.lunakv.port, host: '127.0.0.1' });
  theirs = new Redis({ port: pair.oracle.port, host: '127.0.0.1' });
});

after(async () => {
  if (!pair) return;
  ours.disconnect();
  theirs.disconnect();
  await pair.close();
});

/** FUNCTION LIST with each library's functions sorted by name. */
function sortListing(listing: unknown[]): unknown[] {
  return listing.map((library) => {
    const fields = [...(library as unknown[])];
    const at = fields.indexOf('functions');
    const functions = [...(fields[at + 1] as unknown[][])];
    functions.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    fields[at + 1] = functions;
    return fields;
  });
}

async function flushBoth(): Promise<void> {
  for (const r of [ours, theirs]) {
    await r.flushall();
    await r.function('FLUSH');
    await r.script('FLUSH');
  }
}

test('ioredis: FUNCTION LOAD, FCALL, FCALL_RO and their errors', async (t) => {
  if (!pair) return t.skip(ORACLE_MISSING);
  await flushBoth();
  assert.equal(await ours.function('LOAD', LIBRARY), 'kvlib');
  await assert.rejects(ours.function('LOAD', LIBRARY), /ERR Library 'kvlib' already exists/);
  assert.equal(await ours.function('LOAD', 'REPLACE', LIBRARY), 'kvlib');
  assert.equal(await ours.fcall('setk', 1, 'user:1', 'ada'), 'OK');
  assert.equal(await ours.fcall('getk', 1, 'user:1'), 'ada');
  assert.equal(await ours.fcall_ro('readk', 1, 'user:1'), 'ada');
  assert.deepEqual(await ours.fcall('echoall', 2, 'a', 'b', 'x'), [['a', 'b'], ['x'], 3, 1]);
  await assert.rejects(ours.fcall_ro('setk', 1, 'user:1', 'x'), /ERR Can not execute a script with write flag using \*_ro command\./);
  await assert.rejects(ours.fcall('nosuchfn', 0), /ERR Function not found/);
  const binary = Buffer.from([0, 1, 254, 255, 13, 10]);
  await ours.fcall('setk', 1, 'bin', binary);
  assert.deepEqual(await ours.callBuffer('FCALL', 'getk', 1, 'bin'), binary);
  // The library listing a client sees is the one redis-server would give it (functions
  // inside a library come from a dict in Redis, so their order is not defined).
  await theirs.function('LOAD', LIBRARY);
  assert.deepEqual(sortListing(await ours.function('LIST', 'WITHCODE')), sortListing(await theirs.function('LIST', 'WITHCODE')));
  // Pipelines and transactions carry FCALL like any other command.
  const piped = await ours.pipeline().fcall('setk', 1, 'p', '1').fcall('getk', 1, 'p').exec();
  assert.deepEqual(piped, [[null, 'OK'], [null, '1']]);
  const tx = await ours.multi().fcall('setk', 1, 't', 'v').fcall_ro('readk', 1, 't').exec();
  assert.deepEqual(tx, [[null, 'OK'], [null, 'v']]);
});

test('ioredis: FUNCTION DUMP is byte-identical to redis-server and RESTORE round-trips', async (t) => {
  if (!pair) return t.skip(ORACLE_MISSING);
  await flushBoth();
  await ours.function('LOAD', LIBRARY);
  await theirs.function('LOAD', LIBRARY);
  const dump = await ours.functionBuffer('DUMP');
  assert.ok(Buffer.isBuffer(dump));
  assert.deepEqual(dump, await theirs.functionBuffer('DUMP'));

  assert.equal(await ours.function('RESTORE', dump, 'REPLACE'), 'OK');
  await assert.rejects(ours.function('RESTORE', dump), /ERR Library kvlib already exists/);
  await ours.function('FLUSH');
  assert.deepEqual(await ours.function('LIST'), []);
  assert.equal(await ours.function('RESTORE', dump), 'OK');
  await ours.fcall('setk', 1, 'k', 'restored');
  assert.equal(await ours.fcall('getk', 1, 'k'), 'restored');

  // Payloads cross between the servers in both directions.
  await theirs.function('FLUSH');
  assert.equal(await theirs.function('RESTORE', dump), 'OK');
  assert.deepEqual(await theirs.functionBuffer('DUMP'), dump);
  const corrupt = Buffer.from(dump);
  corrupt[corrupt.length - 1] ^= 0xff;
  await assert.rejects(ours.function('RESTORE', corrupt, 'FLUSH'), /ERR DUMP payload version or checksum are wrong/);
  await assert.rejects(theirs.function('RESTORE', corrupt, 'FLUSH'), /ERR DUMP payload version or checksum are wrong/);
});

interface Scripted {
  bump(key: string, by: number): Promise<[string, string]>;
}

test('ioredis: defineCommand caches the script, falls back to EVAL after SCRIPT FLUSH', async (t) => {
  if (!pair) return t.skip(ORACLE_MISSING);
  await flushBoth();
  const lua = "redis.call('INCRBY', KEYS[1], ARGV[1]) return {KEYS[1], redis.call('GET', KEYS[1])}";
  const r = new Redis({ port: pair.lunakv.port, host: '127.0.0.1' });
  try {
    r.defineCommand('bump', { numberOfKeys: 1, lua });
    // defineCommand adds methods ioredis's types do not know about.
    const bump = (key: string, by: number) => (r as unknown as Scripted).bump(key, by);
    await r.config('RESETSTAT');
    assert.deepEqual(await bump('counter', 5), ['counter', '5']);
    assert.deepEqual(await bump('counter', 2), ['counter', '7']);
    const sha = (await r.script('LOAD', lua)) as string;
    assert.deepEqual(await r.script('EXISTS', sha), [1]);
    assert.deepEqual(await r.evalsha(sha, 1, 'counter', 1), ['counter', '8']);
    // After SCRIPT FLUSH the client's EVALSHA gets NOSCRIPT and it retries with EVAL.
    await r.script('FLUSH');
    assert.deepEqual(await r.script('EXISTS', sha), [0]);
    await assert.rejects(r.evalsha(sha, 1, 'counter', 1), /NOSCRIPT No matching script\. Please use EVAL\./);
    assert.deepEqual(await bump('counter', 2), ['counter', '10']);
    const pipeline = r.pipeline() as unknown as Scripted & { exec(): Promise<unknown> };
    pipeline.bump('counter', 1);
    pipeline.bump('counter', 1);
    const piped = await pipeline.exec();
    assert.deepEqual(piped, [[null, ['counter', '11']], [null, ['counter', '12']]]);
    const stats = (await r.info('commandstats')) as string;
    assert.match(stats, /cmdstat_evalsha:calls=\d+/);
    assert.match(stats, /cmdstat_eval:calls=\d+/);
    assert.match((await r.info('memory')) as string, /number_of_cached_scripts:1\r\n/);
  } finally {
    r.disconnect();
  }
});

/** FCALL functions as node-redis's createClient({ functions }) wants them. */
const nodeRedisFunctions = {
  kvlib: {
    getk: {
      NUMBER_OF_KEYS: 1,
      IS_READ_ONLY: false,
      parseCommand(parser: CommandParser, key: string) {
        parser.pushKey(key);
      },
      transformReply: (reply: unknown) => reply as string | null,
    },
    readk: {
      NUMBER_OF_KEYS: 1,
      IS_READ_ONLY: true,
      parseCommand(parser: CommandParser, key: string) {
        parser.pushKey(key);
      },
      transformReply: (reply: unknown) => reply as string | null,
    },
    setk: {
      NUMBER_OF_KEYS: 1,
      parseCommand(parser: CommandParser, key: string, value: string) {
        parser.pushKey(key);
        parser.push(value);
      },
      transformReply: (reply: unknown) => reply as string,
    },
  },
};

const nodeRedisScripts = {
  swap: defineScript({
    SCRIPT: "local a = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return a",
    NUMBER_OF_KEYS: 1,
    parseCommand(parser: CommandParser, key: string, value: string) {
      parser.pushKey(key);
      parser.push(value);
    },
    transformReply: (reply: unknown) => reply as string | null,
  }),
};

function nodeRedisClient(port: number, RESP: 2 | 3) {
  return createClient({ url: `redis://127.0.0.1:${port}`, RESP, functions: nodeRedisFunctions, scripts: nodeRedisScripts });
}

test('node-redis: functionDump as a Buffer, functionRestore, registered functions and scripts', async (t) => {
  if (!pair) return t.skip(ORACLE_MISSING);
  for (const RESP of [2, 3] as const) {
    await flushBoth();
    await theirs.function('LOAD', LIBRARY);
    const c = nodeRedisClient(pair.lunakv.port, RESP);
    await c.connect();
    try {
      assert.equal(await c.functionLoad(LIBRARY), 'kvlib');
      const buffers = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const dump = await buffers.functionDump();
      assert.ok(Buffer.isBuffer(dump), `RESP${RESP}: DUMP comes back as a Buffer`);
      assert.deepEqual(dump, await theirs.functionBuffer('DUMP'));

      assert.equal(await c.kvlib.setk('fn:key', `v${RESP}`), 'OK');
      assert.equal(await c.kvlib.getk('fn:key'), `v${RESP}`);
      assert.equal(await c.kvlib.readk('fn:key'), `v${RESP}`);
      assert.equal(await c.kvlib.getk('fn:missing'), null);

      assert.equal(await c.functionFlush(), 'OK');
      await assert.rejects(c.kvlib.getk('fn:key'), /Function not found/);
      assert.equal(await c.functionRestore(dump), 'OK');
      assert.equal(await c.functionRestore(dump, { mode: 'REPLACE' }), 'OK');
      await assert.rejects(c.functionRestore(dump, { mode: 'APPEND' }), /already exists/);
      assert.equal(await c.kvlib.readk('fn:key'), `v${RESP}`);

      // defineScript: EVALSHA first, EVAL when the cache does not have it.
      assert.equal(await c.swap('s', 'one'), null);
      assert.equal(await c.swap('s', 'two'), 'one');
      await c.scriptFlush();
      assert.equal(await c.swap('s', 'three'), 'two');
      assert.deepEqual(await c.scriptExists(nodeRedisScripts.swap.SHA1), [1]);
      const multi = await c.multi().kvlib.setk('m', '1').kvlib.getk('m').exec();
      assert.deepEqual(multi, ['OK', '1']);
    } finally {
      c.destroy();
    }
  }
});
