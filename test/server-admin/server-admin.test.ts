/**
 * Server commands against redis-server 7.0.15: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, CONFIG,
 * TIME, LASTSAVE, SLOWLOG, ROLE, WAIT, DEBUG, SHUTDOWN (RESP2 and RESP3).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ORACLE_MISSING, pairPerFile, startPair } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { configPairs, decodeReply } from '../support/resp-decode.js';

const withPair = pairPerFile({ 'enable-debug-command': 'yes' });

describe('DBSIZE, FLUSHDB, FLUSHALL', () => {
  it('count and flush, with their option errors', withPair(async (p) => {
    await p.sameAll([
      ['DBSIZE'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['DBSIZE'],
      ['SELECT', '3'],
      ['SET', 'c', '3'],
      ['FLUSHDB', 'FOO'],
      ['FLUSHDB', 'ASYNC', 'SYNC'],
      ['FLUSHDB', 'sync'],
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['FLUSHALL', 'bar'],
      ['FLUSHALL', 'async'],
      ['DBSIZE'],
      ['SET', 'x', '1'],
      ['FLUSHDB', 'ASYNC'],
      ['FLUSHALL', 'SYNC'],
      ['FLUSHALL'],
      ['DBSIZE', 'x'],
    ]);
  }));
});

describe('SWAPDB', () => {
  it('errors and swapping', withPair(async (p) => {
    await p.sameAll([
      ['SWAPDB', 'a', '1'],
      ['SWAPDB', '0', 'b'],
      ['SWAPDB', '99999999999', '1'],
      ['SWAPDB', '0', '16'],
      ['SWAPDB', '-1', '0'],
      ['SWAPDB', '0'],
      ['SET', 'in0', 'x'],
      ['EXPIRE', 'in0', '100'],
      ['SELECT', '1'],
      ['SET', 'in1', 'y'],
      ['SET', 'in1b', 'y'],
      ['SWAPDB', '0', '1'],
      ['DBSIZE'],
      ['GET', 'in0'],
      ['TTL', 'in0'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['GET', 'in1'],
      ['SWAPDB', '2', '2'],
      ['SWAPDB', '1', '0'],
      ['GET', 'in0'],
    ]);
  }));

  it('fails transactions watching keys in either database', withPair(async (p) => {
    const [r2, o2] = await p.connectBoth();
    try {
      await p.sameAll([['SET', 'w', '1'], ['WATCH', 'w'], ['MULTI'], ['PING']]);
      assert.deepEqual((await o2.call('SWAPDB', '0', '5')).toString(), (await r2.call('SWAPDB', '0', '5')).toString());
      await p.same('EXEC');
      // A watched key that exists in neither database is not touched.
      await p.sameAll([['WATCH', 'absent'], ['MULTI'], ['PING']]);
      await o2.call('SWAPDB', '0', '6');
      await r2.call('SWAPDB', '0', '6');
      await p.same('EXEC');
    } finally {
      r2.close();
      o2.close();
    }
  }));
});

describe('CONFIG', () => {
  it('GET: exact names keep their case, patterns, several arguments', withPair(async (p) => {
    await p.sameAll([
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'MAXMEMORY'],
      ['CONFIG', 'GET', 'MaxMemory', 'maxmemory'],
      ['CONFIG', 'GET', 'no-such-config'],
      ['CONFIG', 'GET', 'slaveof'],
      ['CONFIG', 'GET'],
    ]);
    for (const args of [['maxmemory*'], ['hash-max-*'], ['*max-*-entries', 'hz'], ['h?', 'hz', 'HZ'], ['lua-time-limit', 'busy-reply-threshold'], ['appendonly', 'databases', 'dbfilename']]) {
      const [r, o] = await p.both('CONFIG', 'GET', ...args);
      assert.deepEqual(configPairs(o), configPairs(r), `CONFIG GET ${args.join(' ')}`);
    }
  }));

  it('SET: errors, all-or-nothing, several pairs', withPair(async (p) => {
    await p.sameAll([
      ['CONFIG', 'SET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '1', 'hz'],
      ['CONFIG', 'SET', 'foo', '1'],
      ['CONFIG', 'SET', 'maxmemory', 'abc'],
      ['CONFIG', 'SET', 'maxmemory', '-1'],
      ['CONFIG', 'SET', 'maxmemory', '1.5gb'],
      ['CONFIG', 'SET', 'hz', 'abc'],
      ['CONFIG', 'SET', 'hz', '-5'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'foo'],
      ['CONFIG', 'SET', 'databases', '5'],
      ['CONFIG', 'SET', 'foo', '1', 'databases', '4'],
      ['CONFIG', 'SET', 'databases', '4', 'foo', '1'],
      ['CONFIG', 'SET', 'hz', '10', 'hz', '11'],
      ['CONFIG', 'SET', 'hz', '10', 'HZ', '11'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '10', 'hash-max-ziplist-entries', '11'],
      ['CONFIG', 'SET', 'save', '1 2 3'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Z'],
      ['CONFIG', 'SET', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'hz', 'abc'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '1gb', 'HZ', '20', 'maxmemory-policy', 'ALLKEYS-LRU'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'maxmemory', '0', 'hz', '10', 'maxmemory-policy', 'noeviction'],
      ['CONFIG', 'SET', 'appendonly', 'NO'],
      ['CONFIG', 'GET', 'appendonly'],
    ]);
  }));

  it('HELP, RESETSTAT, REWRITE without a file, unknown subcommands', withPair(async (p) => {
    await p.sameAll([
      ['CONFIG', 'HELP'],
      ['CONFIG', 'RESETSTAT'],
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'FOO'],
      ['CONFIG'],
      ['CONFIG', 'HELP', 'x'],
    ]);
  }));

  it('RESP3: CONFIG GET is a map', withPair(async (p) => {
    await p.same('HELLO', '3');
    try {
      await p.sameAll([['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'nothing'], ['CONFIG', 'SET', 'hz', 'x']]);
    } finally {
      await p.same('HELLO', '2');
    }
  }));

  it('REWRITE keeps the file and rewrites changed parameters', withPair(async (p) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunakv-rewrite-'));
    const file = path.join(dir, 'lunakv.conf');
    fs.writeFileSync(file, '# my settings\nport 6379\nmaxmemory 100mb\nunknown-directive yes\nhz 10\nhz 12\n');
    const server = p.lunakv.server;
    server.configFile = file;
    try {
      assert.equal((await p.ours.call('CONFIG', 'SET', 'maxmemory', '2mb', 'maxmemory-policy', 'allkeys-lru')).toString(), '+OK\r\n');
      assert.equal((await p.ours.call('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
      const text = fs.readFileSync(file, 'latin1').split('\n');
      assert.equal(text[0], '# my settings');
      assert.ok(text.includes('maxmemory 2097152'), text.join('|'));
      assert.ok(text.includes('unknown-directive yes'));
      assert.equal(text.filter((l) => l.startsWith('hz ')).length, 1);
      assert.ok(text.includes('# Generated by CONFIG REWRITE'));
      assert.ok(text.includes('maxmemory-policy allkeys-lru'));
    } finally {
      server.configFile = null;
      await p.ours.call('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }));
});

describe('TIME, LASTSAVE, ROLE, WAIT', () => {
  it('TIME is [seconds, microseconds] near now', withPair(async (p) => {
    const [sec, usec] = decodeReply(await p.ours.call('TIME')) as string[];
    assert.match(sec, /^\d+$/);
    assert.match(usec, /^\d{1,6}$/);
    assert.ok(Math.abs(Number(sec) - Date.now() / 1000) < 5);
    await p.same('TIME', 'x');
  }));

  it('LASTSAVE is an integer; ROLE of a master', withPair(async (p) => {
    assert.match((await p.ours.call('LASTSAVE')).toString(), /^:\d+\r\n$/);
    // The replication offset is the oracle's own history (it grows once a backlog
    // exists); compare the reply with the offset masked.
    const [r, o] = await p.both('ROLE');
    const mask = (b: Buffer) => b.toString('latin1').replace(/^(\*3\r\n\$6\r\nmaster\r\n:)\d+/, '$1N');
    assert.equal(mask(o), mask(r));
    await p.same('LASTSAVE', 'x');
  }));

  it('WAIT answers 0 (no replicas), after its timeout when replicas are wanted', withPair(async (p) => {
    await p.sameAll([
      ['WAIT', '0', '0'],
      ['WAIT', 'abc', '0'],
      ['WAIT', '0', 'abc'],
      ['WAIT', '0', '-1'],
      ['WAIT', '-5', '100'],
      ['WAIT', '0'],
    ]);
    const start = Date.now();
    await p.same('WAIT', '1', '50');
    assert.ok(Date.now() - start >= 50);
    await p.sameAll([['MULTI'], ['WAIT', '1', '0'], ['EXEC']]);
  }));

  it('WAIT with no timeout blocks until CLIENT UNBLOCK', withPair(async (p) => {
    const [r2, o2] = await p.connectBoth();
    try {
      for (const [main, other] of [[p.redis, r2], [p.ours, o2]] as const) {
        const id = decodeReply(await other.call('CLIENT', 'ID')) as number;
        other.writeRaw('*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$1\r\n0\r\n');
        await new Promise((r) => setTimeout(r, 30));
        assert.equal((await main.call('CLIENT', 'UNBLOCK', String(id))).toString(), ':1\r\n');
        assert.equal((await other.read()).toString(), ':0\r\n');
      }
    } finally {
      r2.close();
      o2.close();
    }
  }));
});

describe('SLOWLOG', () => {
  it('records commands over the threshold', withPair(async (p) => {
    await p.sameAll([
      ['SLOWLOG', 'HELP'],
      ['SLOWLOG', 'GET', '-2'],
      ['SLOWLOG', 'GET', 'abc'],
      ['SLOWLOG', 'GET', '1', '2'],
      ['SLOWLOG', 'LEN', 'x'],
      ['SLOWLOG', 'FOO'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['SLOWLOG', 'RESET'],
      ['SET', 'slow', 'x'.repeat(200)],
      ['GET', 'slow'],
    ]);
    try {
      const [r, o] = await p.both('SLOWLOG', 'GET', '-1');
      const entries = (x: Buffer) => (decodeReply(x) as unknown[][]).map((e) => [e[3], e[5]]);
      assert.deepEqual(entries(o), entries(r));
      const first = (decodeReply(o) as unknown[][])[0];
      assert.equal(typeof first[0], 'number');
      assert.ok(Math.abs((first[1] as number) - Date.now() / 1000) < 5);
      assert.match(first[4] as string, /^127\.0\.0\.1:\d+$/);
      await p.same('SLOWLOG', 'LEN');
      const one = decodeReply((await p.both('SLOWLOG', 'GET', '1'))[1]) as unknown[];
      assert.equal(one.length, 1);
    } finally {
      await p.sameAll([['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN']]);
    }
  }));
});

describe('DEBUG', () => {
  it('HELP, errors, SLEEP, SET-ACTIVE-EXPIRE', withPair(async (p) => {
    await p.sameAll([
      ['DEBUG', 'HELP'],
      ['DEBUG', 'FOO'],
      ['DEBUG', 'SLEEP'],
      ['DEBUG', 'SLEEP', '0'],
      ['DEBUG', 'SLEEP', 'abc'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'OBJECT', 'nokey'],
      ['DEBUG', 'ERROR', 'MYERR custom'],
      ['DEBUG'],
    ]);
    const start = Date.now();
    await p.same('DEBUG', 'SLEEP', '0.05');
    assert.ok(Date.now() - start >= 50);
  }));

  it('DIGEST and DIGEST-VALUE match Redis', withPair(async (p) => {
    await p.sameAll([['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE'], ['DEBUG', 'DIGEST-VALUE', 'nokey']]);
    await p.sameAll([['SET', 'a', '1'], ['SET', 'b', 'hello', 'EX', '100'], ['SELECT', '2'], ['SET', 'c', 'x'], ['SELECT', '0']]);
    await p.sameAll([['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'a', 'b', 'nokey']]);
    const collections: string[][] = [
      ['RPUSH', 'l', 'a', 'b', '3'],
      ['SADD', 's', 'x', 'y', '1', '2'],
      ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'],
      ['ZADD', 'z', '1.5', 'm1', '-2', 'm2', '1e30', 'm3', '0.1', 'm4'],
    ];
    for (const cmd of collections) {
      const [, ours] = await p.both(...cmd);
      if (ours.toString().startsWith('-ERR unknown command')) continue;
      await p.same('DEBUG', 'DIGEST-VALUE', cmd[1]);
    }
    await p.same('DEBUG', 'DIGEST');
  }));

  it('OBJECT describes strings like Redis', withPair(async (p) => {
    const parse = (b: Buffer) => {
      const text = b.toString('latin1');
      assert.match(text, /^\+Value at:0x[0-9a-f]+ refcount:\d+ encoding:\w+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$/);
      // Shared integers carry the idle time of the shared object: not comparable.
      return text.replace(/at:0x[0-9a-f]+/, 'at:X').replace(/lru:\d+ lru_seconds_idle:\d+/, 'lru:N');
    };
    const values = ['1', '100', '123456', '-70000', '3000000000', 'hello', 'x'.repeat(44), 'ab'.repeat(100), 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3)];
    for (const [i, v] of values.entries()) {
      await p.same('SET', `d${i}`, v);
      const [r, o] = await p.both('DEBUG', 'OBJECT', `d${i}`);
      assert.equal(parse(o), parse(r), `DEBUG OBJECT of ${JSON.stringify(v)}`);
      assert.match(o.toString(), / lru_seconds_idle:0\r\n$/);
    }
  }));
});

describe('SHUTDOWN', () => {
  it('option errors and ABORT', withPair(async (p) => {
    await p.sameAll([
      ['SHUTDOWN', 'FOO'],
      ['SHUTDOWN', 'SAVE', 'NOSAVE'],
      ['SHUTDOWN', 'ABORT', 'NOW'],
      ['SHUTDOWN', 'ABORT'],
      ['MULTI'],
      ['SHUTDOWN'],
      ['DISCARD'],
    ]);
  }));

  it('closes every client and the listening socket', async (t) => {
    const own = await startPair();
    if (!own) return t.skip(ORACLE_MISSING);
    try {
      const [r2, o2] = await own.connectBoth();
      await own.redis.call('SET', 'k', 'v');
      own.redis.writeRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      own.ours.writeRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      await Promise.all([own.redis.waitClosed(), own.ours.waitClosed(), r2.waitClosed(), o2.waitClosed()]);
      await assert.rejects(RespClient.connect(own.lunakv.port));
    } finally {
      await own.close();
    }
  });
});
