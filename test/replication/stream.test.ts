/**
 * The replication stream, differential against redis-server 7.0.15: a raw replica
 * (SYNC) is attached to both servers, the same commands run on both, and the commands
 * each master propagates must be identical (absolute times compared within a margin).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ORACLE_MISSING, startPair, type Pair } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { ReplicationStream } from './stream.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Absolute unix-ms timestamps differ by a few ms between the servers. */
function normalized(commands: string[][]): string[][] {
  const now = Date.now();
  return commands.map((argv) =>
    argv.map((a) => (/^\d{13}$/.test(a) && Math.abs(Number(a) - now) < 1e9 ? `<ms ${Math.round((Number(a) - now) / 10000)}>` : a)),
  );
}

describe('replication stream vs redis-server', () => {
  let pair: Pair | null = null;
  let oracleStream: ReplicationStream;
  let lunakvStream: ReplicationStream;
  let markers = 0;

  before(async () => {
    pair = await startPair({ dbfilename: `repl-stream-${process.pid}.rdb`, 'enable-debug-command': 'yes' });
    if (!pair) return;
    oracleStream = await ReplicationStream.attach(pair.oracle.port);
    lunakvStream = await ReplicationStream.attach(pair.lunakv.port);
  });

  after(async () => {
    oracleStream?.close();
    lunakvStream?.close();
    await pair?.close();
  });

  /** Runs `commands` on both servers (replies not compared) and compares the streams. */
  async function propagated(commands: (string | number)[][]): Promise<string[][]> {
    for (const c of commands) await pair!.both(...c);
    return sameStream();
  }

  /** The commands propagated by both since the last check, asserted identical. */
  async function sameStream(): Promise<string[][]> {
    const channel = `marker-${++markers}`;
    await pair!.both('PUBLISH', channel, 'x');
    const [expected, actual] = await Promise.all([oracleStream.takeUntilMarker(channel), lunakvStream.takeUntilMarker(channel)]);
    assert.deepEqual(normalized(actual), normalized(expected));
    return expected;
  }

  test('string commands: relative expiries become PXAT, GET is dropped, INCRBYFLOAT is a SET', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const stream = await propagated([
      ['FLUSHALL'],
      ['SET', 'a', '1'],
      ['set', 'b', '2', 'EX', 100],
      ['SET', 'c', '3', 'px', 100000, 'GET'],
      ['SET', 'a', '4', 'GET'],
      ['SET', 'a', '5', 'KEEPTTL', 'XX'],
      ['SET', 'a', 'never', 'NX'],
      ['SET', 'e', '1', 'EXAT', Math.floor(Date.now() / 1000) + 100],
      ['SETEX', 'f', 100, 'v'],
      ['PSETEX', 'g', 100000, 'v'],
      ['GETSET', 'a', '6'],
      ['GETDEL', 'f'],
      ['GETDEL', 'missing'],
      ['GETEX', 'g', 'EX', 50],
      ['GETEX', 'g', 'PERSIST'],
      ['GETEX', 'g'],
      ['INCRBYFLOAT', 'n', '1.5'],
      ['INCRBYFLOAT', 'n', '0.1'],
      ['INCR', 'i'],
      ['APPEND', 'a', 'x'],
      ['SETRANGE', 'a', 0, 'y'],
      ['MSET', 'm1', '1', 'm2', '2'],
      ['HINCRBYFLOAT', 'h', 'f', '2.5'],
      ['GET', 'a'],
    ]);
    assert.ok(stream.length > 15);
  });

  test('FLUSHDB and FLUSHALL are propagated even when there is nothing to flush', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const stream = await propagated([['SELECT', '3'], ['FLUSHDB'], ['FLUSHDB'], ['FLUSHALL'], ['FLUSHALL'], ['SELECT', '0']]);
    assert.equal(stream.filter((argv) => /^flush/i.test(argv[0]!)).length, 4);
  });

  test('EXPIRE family becomes PEXPIREAT (or DEL when already past)', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([
      ['FLUSHALL'],
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', 100],
      // Strictly later than the EXPIRE above whatever the clock did in between.
      ['PEXPIRE', 'k', 100500, 'GT'],
      ['EXPIRE', 'k', 10, 'NX'],
      ['EXPIREAT', 'k', Math.floor(Date.now() / 1000) + 100],
      ['PEXPIREAT', 'k', Date.now() + 100000],
      ['PERSIST', 'k'],
      ['PERSIST', 'k'],
      ['EXPIRE', 'missing', 10],
      ['EXPIREAT', 'k', 1],
      ['SET', 'k2', 'v'],
      ['EXPIRE', 'k2', -1],
    ]);
  });

  test('SPOP, pops and moves in their propagated forms', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([
      ['FLUSHALL'],
      ['SADD', 's', 'only'],
      ['SPOP', 's'],
      ['SADD', 's', 'a', 'b', 'c'],
      ['SPOP', 's', 10],
      ['SADD', 's', 'a'],
      ['SPOP', 's', 0],
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
      ['LPOP', 'l'],
      ['BLPOP', 'l', 0],
      ['BRPOP', 'l', 0],
      ['LMPOP', 1, 'l', 'RIGHT', 'COUNT', 5],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['BLMPOP', 0, 2, 'x', 'l', 'LEFT', 'COUNT', 2],
      ['BLMOVE', 'l', 'l2', 'left', 'RIGHT', 0],
      ['BRPOPLPUSH', 'l2', 'l', 0],
      ['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd'],
      ['BZPOPMIN', 'z', 0],
      ['BZPOPMAX', 'z', 0],
      ['ZMPOP', 1, 'z', 'MIN'],
      ['BZMPOP', 0, 1, 'z', 'MAX', 'COUNT', 10],
      ['BLPOP', 'nothing', 0.01],
    ]);
  });

  test('MULTI/EXEC: several writes wrapped, one write alone, reads not at all, SELECT inside', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const stream = await propagated([
      ['FLUSHALL'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['GET', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'b', '1'],
      ['GET', 'b'],
      ['EXEC'],
      ['MULTI'],
      ['GET', 'b'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'c', '1'],
      ['SELECT', 5],
      ['SET', 'c', '2'],
      ['SELECT', 0],
      ['SET', 'c', '3'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'd', '1', 'EX', 100],
      ['DEL', 'nothing'],
      ['EXEC'],
    ]);
    assert.ok(stream.some((c) => c[0] === 'MULTI'));
  });

  test('scripts propagate their effects, wrapped when more than one', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([
      ['FLUSHALL'],
      ['EVAL', "redis.call('SET', KEYS[1], 'x'); redis.call('INCR', KEYS[2]); return 1", 2, 'a', 'b'],
      ['EVAL', "return redis.call('SET', KEYS[1], 'y', 'EX', 100)", 1, 'a'],
      ['EVAL', "return redis.call('GET', KEYS[1])", 1, 'a'],
      ['EVAL', "redis.call('SELECT', 2); redis.call('SET', 'x', 1); redis.call('SELECT', 0); return redis.call('SPOP', 'none')", 0],
      ['FUNCTION', 'LOAD', "#!lua name=replib\nredis.register_function('w', function(keys) redis.call('SET', keys[1], 'f'); return redis.call('DEL', keys[2]) end)"],
      ['FCALL', 'w', 2, 'p', 'a'],
      ['FUNCTION', 'DELETE', 'replib'],
      ['MULTI'],
      ['EVAL', "return redis.call('SET', KEYS[1], 'in-multi')", 1, 'c'],
      ['SET', 'd', '1'],
      ['EXEC'],
    ]);
  });

  test('lazy expiry propagates DEL before the command that found the key expired', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([['FLUSHALL'], ['DEBUG', 'SET-ACTIVE-EXPIRE', 0], ['SET', 'k1', 'v', 'PX', 1], ['SET', 'k2', 'v', 'PX', 1], ['SET', 'k3', 'v', 'PX', 1]]);
    await sleep(20);
    await propagated([['GET', 'k1'], ['SET', 'k2', 'new'], ['EXISTS', 'k3'], ['DEBUG', 'SET-ACTIVE-EXPIRE', 1]]);
  });

  test('active expiry propagates DEL', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([['FLUSHALL'], ['SET', 'k1', 'v', 'PX', 5], ['SELECT', 3], ['SET', 'k2', 'v', 'PX', 5], ['SELECT', 0]]);
    await sleep(400);
    await sameStream();
  });

  test('a blocked pop served later is propagated after the push that served it', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([['FLUSHALL']]);
    const [oracleBlocked, lunakvBlocked] = await pair.connectBoth();
    const waits = [
      oracleBlocked.call('BLPOP', 'q', 0),
      lunakvBlocked.call('BLPOP', 'q', 0),
    ];
    const [oracleMove, lunakvMove] = await pair.connectBoth();
    const moves = [oracleMove.call('BLMOVE', 'q2', 'dst', 'RIGHT', 'LEFT', 0), lunakvMove.call('BLMOVE', 'q2', 'dst', 'RIGHT', 'LEFT', 0)];
    await sleep(50);
    await propagated([['RPUSH', 'q', 'a', 'b'], ['RPUSH', 'q2', 'x']]);
    await Promise.all([...waits, ...moves]);
    for (const c of [oracleBlocked, lunakvBlocked, oracleMove, lunakvMove]) c.close();
  });

  test('XREADGROUP becomes XCLAIM per delivered entry, XGROUP SETID after NOACK, CREATECONSUMER for NOACK consumers', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const stream = await propagated([
      ['FLUSHALL'],
      ['XADD', 's', '1-1', 'f', 'v1'],
      ['XADD', 's', '1-2', 'f', 'v2'],
      ['XADD', 's', '1-3', 'f', 'v3'],
      ['XGROUP', 'CREATE', 's', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 2, 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>'],
      ['XADD', 's', '1-4', 'f', 'v4'],
      ['XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
      ['MULTI'],
      ['XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '>'],
      ['EXEC'],
    ]);
    assert.ok(stream.some((argv) => argv[0]?.toUpperCase() === 'XCLAIM'));
    // A blocked NOACK reader served by an XADD.
    const [oracleBlocked, lunakvBlocked] = await pair.connectBoth();
    const waits = [
      oracleBlocked.call('XREADGROUP', 'GROUP', 'g', 'erin', 'NOACK', 'BLOCK', 0, 'STREAMS', 's', '>'),
      lunakvBlocked.call('XREADGROUP', 'GROUP', 'g', 'erin', 'NOACK', 'BLOCK', 0, 'STREAMS', 's', '>'),
    ];
    await sleep(50);
    await propagated([['XADD', 's', '1-5', 'f', 'v5']]);
    const [fromOracle, fromLunakv] = await Promise.all(waits);
    assert.equal(fromLunakv!.toString('latin1'), fromOracle!.toString('latin1'));
    for (const c of [oracleBlocked, lunakvBlocked]) c.close();
  });

  test('XCLAIM and XAUTOCLAIM become normalized XCLAIMs (or XGROUP SETID for LASTID alone)', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([
      ['FLUSHALL'],
      ['XADD', 'u', '1-1', 'f', 'a'],
      ['XADD', 'u', '1-2', 'f', 'b'],
      ['XADD', 'u', '1-3', 'f', 'c'],
      ['XADD', 'u', '1-4', 'f', 'd'],
      ['XGROUP', 'CREATE', 'u', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 'u', '>'],
      ['XCLAIM', 'u', 'g', 'bob', 0, '1-1', '1-2'],
      ['XCLAIM', 'u', 'g', 'bob', 3600000, '1-3'],
      ['XDEL', 'u', '1-4'],
      ['XCLAIM', 'u', 'g', 'bob', 0, '1-4'],
      ['XCLAIM', 'u', 'g', 'bob', 0, '1-3', 'JUSTID', 'RETRYCOUNT', 7],
      ['XCLAIM', 'u', 'g', 'carol', 0, '1-1', 'FORCE', 'LASTID', '1-9'],
      ['XCLAIM', 'u', 'g', 'carol', 0, '1-9', 'LASTID', '2-0'],
      ['XADD', 'u', '3-1', 'f', 'e'],
      ['XCLAIM', 'u', 'g', 'carol', 3600000, '3-1', 'FORCE'],
      ['XAUTOCLAIM', 'u', 'g', 'dave', 0, '0-0', 'COUNT', 10],
      ['XDEL', 'u', '1-2'],
      ['XAUTOCLAIM', 'u', 'g', 'erin', 0, '0-0', 'JUSTID'],
      ['XPENDING', 'u', 'g', '-', '+', 10],
    ]);
    await pair.same('XPENDING', 'u', 'g');
    await pair.same('XINFO', 'GROUPS', 'u');
  });

  test('XADD and XTRIM: generated IDs and approximate trims are propagated exactly', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const adds: (string | number)[][] = [];
    for (let i = 1; i <= 30; i++) adds.push(['XADD', 't', `${i}-*`, 'f', `v${i}`]);
    try {
      await propagated([
        ['FLUSHALL'],
        ['CONFIG', 'SET', 'stream-node-max-entries', 5],
        ...adds,
        ['XADD', 't', 'MAXLEN', '~', 12, '31-*', 'f', 'v'],
        ['XADD', 't', 'MAXLEN', '=', 100, '32-5', 'f', 'v'],
        ['XADD', 't', 'MINID', '~', '24-0', 'LIMIT', 100, '33-*', 'f', 'v'],
        ['XTRIM', 't', 'MAXLEN', '~', 3],
        ['XTRIM', 't', 'MAXLEN', '~', 3],
        ['XTRIM', 't', 'MINID', 33],
        ['XADD', 'missing', 'NOMKSTREAM', '*', 'f', 'v'],
        ['XDEL', 't', '33-0'],
        ['XADD', 't', 'MINID', '~', '0-1', '34-*', 'f', 'v'],
      ]);
    } finally {
      await pair.both('CONFIG', 'SET', 'stream-node-max-entries', 100);
    }
  });

  test('FLUSHALL, FLUSHDB, SWAPDB, MOVE, database changes, PUBLISH', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await propagated([
      ['FLUSHALL'],
      ['SET', 'a', '1'],
      ['SELECT', 1],
      ['SET', 'b', '1'],
      ['FLUSHDB'],
      ['SELECT', 0],
      ['MOVE', 'a', 2],
      ['SWAPDB', 0, 2],
      ['PUBLISH', 'ch', 'hello'],
      ['FLUSHALL', 'SYNC'],
      ['FLUSHALL'],
    ]);
  });

  test('INFO replication and ROLE show the replica', async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    const lunakv = await RespClient.connect(pair.lunakv.port);
    const info = (await lunakv.call('INFO', 'replication')).toString('latin1');
    assert.match(info, /connected_slaves:1\r\n/);
    assert.match(info, /slave0:ip=127\.0\.0\.1,port=0,state=online/);
    const offset = Number(/master_repl_offset:(\d+)/.exec(info)![1]);
    assert.ok(offset > 0);
    const role = (await lunakv.call('ROLE')).toString('latin1');
    assert.ok(role.startsWith(`*3\r\n$6\r\nmaster\r\n:${offset}\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n`), JSON.stringify(role));
    await pair.both('SET', 'grow', 'x');
    const after = (await lunakv.call('INFO', 'replication')).toString('latin1');
    assert.equal(Number(/master_repl_offset:(\d+)/.exec(after)![1]), offset + '*3\r\n$3\r\nSET\r\n$4\r\ngrow\r\n$1\r\nx\r\n'.length);
    lunakv.close();
    await sameStream();
  });
});

describe('SYNC / PSYNC / REPLCONF', () => {
  test('PSYNC answers FULLRESYNC then the payload, REPLCONF replies like Redis', async (t) => {
    const pair = await startPair({ dbfilename: `repl-psync-${process.pid}.rdb` });
    if (!pair) return t.skip(ORACLE_MISSING);
    try {
      for (const c of [
        ['REPLCONF', 'listening-port', '6380'],
        ['REPLCONF', 'listening-port', 'x'],
        ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'],
        ['REPLCONF', 'listening-port'],
        ['REPLCONF', 'nonsense', '1'],
        ['REPLCONF', 'rdb-only', '2'],
        ['REPLCONF'],
      ]) {
        await pair.same(...c);
      }
      await pair.same('SET', 'before', 'sync');
      const streams = await Promise.all([ReplicationStream.attach(pair.oracle.port, 'PSYNC ? -1'), ReplicationStream.attach(pair.lunakv.port, 'PSYNC ? -1')]);
      for (const s of streams) {
        assert.match(s.preamble[0]!, /^\+FULLRESYNC [0-9a-f]{40} \d+$/);
        assert.equal(s.payload!.toString('latin1', 0, 9), 'REDIS0010');
        assert.ok(s.payload!.includes('before'));
      }
      await pair.both('SET', 'after', 'sync');
      await pair.both('PUBLISH', 'm', 'x');
      const [expected, actual] = await Promise.all(streams.map((s) => s.takeUntilMarker('m')));
      assert.deepEqual(actual, expected);
      for (const s of streams) s.close();
    } finally {
      await pair.close();
    }
  });
});

describe('REPLICAOF', () => {
  test('a replica refuses writes, also in EXEC, and NO ONE makes it a master again', async (t) => {
    const pair = await startPair({ dbfilename: `repl-replicaof-${process.pid}.rdb` });
    if (!pair) return t.skip(ORACLE_MISSING);
    try {
      for (const c of [
        ['REPLICAOF', 'localhost', '70000'],
        ['REPLICAOF', 'localhost', 'x'],
        ['REPLICAOF', 'no', 'one'],
        ['SET', 'k', 'v'],
        ['MULTI'],
        ['SET', 'k', 'v2'],
        ['REPLICAOF', 'localhost', '9999'],
        ['SET', 'k', 'v3'],
        ['EXEC'],
        ['SET', 'k', 'v4'],
        ['GET', 'k'],
        ['REPLICAOF', 'localhost', '9999'],
        ['MULTI'],
        ['SET', 'k', 'v5'],
        ['EXEC'],
        ['REPLICAOF', 'NO', 'ONE'],
        ['SET', 'k', 'v6'],
        ['CONFIG', 'SET', 'replica-serve-stale-data', 'no'],
        ['MULTI'],
        ['GET', 'k'],
        ['REPLICAOF', 'localhost', '9999'],
        ['EXEC'],
        ['GET', 'k'],
        ['PING'],
        ['INFO', 'keyspace'],
        ['REPLICAOF', 'no', 'one'],
        ['CONFIG', 'SET', 'replica-serve-stale-data', 'yes'],
        ['CONFIG', 'SET', 'min-replicas-to-write', '2'],
        ['SET', 'k', 'v7'],
        ['MULTI'],
        ['INCR', 'n'],
        ['EXEC'],
        ['GET', 'k'],
        ['CONFIG', 'SET', 'min-replicas-to-write', '0'],
        ['SET', 'k', 'v8'],
      ]) {
        await pair.same(...c);
      }
    } finally {
      await pair.close();
    }
  });
});
