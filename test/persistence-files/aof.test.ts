/**
 * The multi-part AOF: lunakv writes it, redis-check-aof accepts it, redis-server
 * 7.0.15 loads it to the same data (including commands whose effect is random or
 * time-relative, logged in their propagated form); BGREWRITEAOF; truncated files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, type RunningServer } from '../../src/index.js';
import { PersistenceManager } from '../../src/persistence/manager.js';
import { RespClient } from '../support/resp-client.js';
import { ORACLE_MISSING, oracleAvailable } from '../support/oracle.js';
import { keyspaceView, q, redisServerArgs, removeDir, spawnServer, stopChild, tempDir, testPort } from './support.js';

const WORKLOAD: (string | number)[][] = [
  ['SET', 'plain', 'v'],
  ['SET', 'ex', 'v', 'EX', 1000],
  ['SETEX', 'setex', 1000, 'v'],
  ['SET', 'counter', '10'],
  ['INCR', 'counter'],
  ['INCRBYFLOAT', 'float', '1.5'],
  ['INCRBYFLOAT', 'float', '0.1'],
  ['EXPIRE', 'plain', 5000],
  ['PERSIST', 'plain'],
  ['SADD', 'set', 'a', 'b', 'c', 'd', 'e', 'f'],
  ['SPOP', 'set'],
  ['SPOP', 'set', 2],
  ['HSET', 'hash', 'f', '1'],
  ['HINCRBYFLOAT', 'hash', 'f', '2.25'],
  ['RPUSH', 'list', 'a', 'b', 'c', 'd'],
  ['BLPOP', 'list', 0],
  ['BLMOVE', 'list', 'list2', 'RIGHT', 'LEFT', 0],
  ['ZADD', 'zset', 1, 'a', 2, 'b', 3, 'c'],
  ['BZPOPMIN', 'zset', 0],
  ['EVAL', "redis.call('SET', KEYS[1], 'from-script'); return redis.call('SPOP', KEYS[2])", 2, 'scripted', 'set'],
  ['MULTI'],
  ['SET', 'in-multi', '1'],
  ['INCR', 'in-multi'],
  ['EXEC'],
  ['SELECT', 3],
  ['SET', 'db3', 'x'],
  ['SELECT', 0],
  ['SET', 'gone', 'x'],
  ['DEL', 'gone'],
  ['SET', 'expired', 'x'],
  ['PEXPIRE', 'expired', 1],
];

async function runWorkload(client: RespClient, port: number): Promise<void> {
  for (const c of WORKLOAD) await q(client, ...c);
  // A pop served later, by a push from another client.
  const other = await RespClient.connect(port);
  const pending = other.call('BRPOP', 'later', 0);
  await new Promise((r) => setTimeout(r, 50));
  await q(client, 'RPUSH', 'later', 'x', 'y');
  await pending;
  other.close();
  await new Promise((r) => setTimeout(r, 20));
}

async function stopLunakv(running: RunningServer): Promise<void> {
  await running.server.shutdown();
  await running.close();
}

function manifestPath(dir: string): string {
  return path.join(dir, 'appendonlydir', 'appendonly.aof.manifest');
}

async function redisView(dir: string): Promise<Record<string, unknown>> {
  const port = await testPort();
  const redis = await spawnServer('redis-server', redisServerArgs(port, dir, ['--appendonly', 'yes']), port);
  const rc = await RespClient.connect(port);
  try {
    return await keyspaceView(rc);
  } finally {
    rc.close();
    await stopChild(redis);
  }
}

for (const preamble of ['yes', 'no']) {
  test(`the AOF (aof-use-rdb-preamble ${preamble}) passes redis-check-aof and loads into redis-server and lunakv`, async (t) => {
    if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
    const dir = tempDir(`aof-${preamble}`);
    try {
      const config = { dir, appendonly: 'yes', appendfsync: 'always', save: '', 'aof-use-rdb-preamble': preamble };
      const lunakv = await startServer({ config });
      const lc = await RespClient.connect(lunakv.port);
      await runWorkload(lc, lunakv.port);
      const expected = await keyspaceView(lc);
      lc.close();
      await stopLunakv(lunakv);
      const manifest = fs.readFileSync(manifestPath(dir), 'utf8');
      assert.match(manifest, new RegExp(`file appendonly\\.aof\\.1\\.base\\.${preamble === 'yes' ? 'rdb' : 'aof'} seq 1 type b\\n`));
      assert.match(manifest, /file appendonly\.aof\.1\.incr\.aof seq 1 type i\n/);
      const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      assert.match(check.stdout, /is valid/);
      assert.deepEqual(await redisView(dir), expected);
      const again = await startServer({ config });
      const ac = await RespClient.connect(again.port);
      assert.deepEqual(await keyspaceView(ac), expected);
      ac.close();
      await stopLunakv(again);
    } finally {
      removeDir(dir);
    }
  });
}

test('BGREWRITEAOF switches to a new base and incr file that redis-server loads', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('aof-rewrite');
  try {
    const lunakv = await startServer({ config: { dir, appendonly: 'yes', save: '' } });
    const lc = await RespClient.connect(lunakv.port);
    const batch: (string | number)[][] = [];
    for (let i = 0; i < 5000; i++) batch.push(['SET', `k${i}`, i]);
    await lc.pipeline(batch);
    const replies = await lc.pipeline([['BGREWRITEAOF'], ['SET', 'k1', 'during'], ['DEL', 'k2'], ['RPUSH', 'l', 'x']]);
    assert.equal(replies[0]!.toString(), '+Background append only file rewriting started\r\n');
    const manager = PersistenceManager.of(lunakv.server);
    for (let i = 0; i < 200 && manager.aof?.rewrite; i++) await new Promise((r) => setTimeout(r, 25));
    await q(lc, 'SET', 'after', 'rewrite');
    const expected = await keyspaceView(lc);
    lc.close();
    await stopLunakv(lunakv);
    const manifest = fs.readFileSync(manifestPath(dir), 'utf8');
    assert.equal(manifest, 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'appendonlydir')).sort(), [
      'appendonly.aof.2.base.rdb',
      'appendonly.aof.2.incr.aof',
      'appendonly.aof.manifest',
    ]);
    const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.deepEqual(await redisView(dir), expected);
  } finally {
    removeDir(dir);
  }
});

test('a truncated last command is dropped with aof-load-truncated yes and refused with no', async () => {
  const dir = tempDir('aof-trunc');
  try {
    const config = { dir, appendonly: 'yes', appendfsync: 'always', save: '' };
    const lunakv = await startServer({ config });
    const lc = await RespClient.connect(lunakv.port);
    await q(lc, 'SET', 'a', '1');
    await q(lc, 'SET', 'b', '2');
    lc.close();
    await stopLunakv(lunakv);
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    fs.appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n');
    await assert.rejects(startServer({ config: { ...config, 'aof-load-truncated': 'no' } }), /Unexpected end of file/);
    const loaded = await startServer({ config });
    const c = await RespClient.connect(loaded.port);
    assert.deepEqual(await q(c, 'MGET', 'a', 'b', 'c'), ['1', '2', null]);
    await q(c, 'SET', 'd', '4');
    c.close();
    await stopLunakv(loaded);
    const check = spawnSync('redis-check-aof', [path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  } finally {
    removeDir(dir);
  }
});
