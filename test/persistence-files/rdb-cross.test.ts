/**
 * RDB files across implementations: redis-server 7.0.15 writes, lunakv loads (and the
 * reverse, checked by redis-check-rdb too); BGSAVE is a point-in-time snapshot even
 * with writes during it; corrupt and truncated files are refused without loading half.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from '../../src/index.js';
import { PersistenceManager } from '../../src/persistence/manager.js';
import { RespClient } from '../support/resp-client.js';
import { ORACLE_MISSING, oracleAvailable } from '../support/oracle.js';
import { keyspaceView, loadDataset, q, redisServerArgs, removeDir, spawnServer, stopChild, tempDir, testPort } from './support.js';

async function waitForBgsave(server: import('../../src/server/server.js').Server): Promise<void> {
  const manager = PersistenceManager.of(server);
  for (let i = 0; i < 400 && manager.bgsave !== null; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(manager.bgsave, null, 'BGSAVE did not finish');
}

test('a dump.rdb written by redis-server loads into lunakv with every key, TTL and function', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('r2l');
  const port = await testPort();
  const redis = await spawnServer('redis-server', redisServerArgs(port, dir), port);
  const rc = await RespClient.connect(port);
  try {
    await loadDataset(rc);
    assert.equal(await q(rc, 'SAVE'), 'OK');
    const expected = await keyspaceView(rc);
    const functions = await q(rc, 'FUNCTION', 'LIST', 'WITHCODE');
    const lunakv = await startServer({ config: { dir } });
    const lc = await RespClient.connect(lunakv.port);
    try {
      assert.deepEqual(await keyspaceView(lc), expected);
      assert.deepEqual(await q(lc, 'FUNCTION', 'LIST', 'WITHCODE'), functions);
      assert.equal(await q(lc, 'FCALL', 'pf', 0), 42);
    } finally {
      lc.close();
      await lunakv.close();
    }
  } finally {
    rc.close();
    await stopChild(redis);
    removeDir(dir);
  }
});

test('a dump.rdb written by lunakv passes redis-check-rdb and loads into redis-server', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('l2r');
  const lunakv = await startServer({ config: { dir } });
  const lc = await RespClient.connect(lunakv.port);
  try {
    await loadDataset(lc);
    assert.equal(await q(lc, 'SAVE'), 'OK');
    const expected = await keyspaceView(lc);
    const check = spawnSync('redis-check-rdb', [path.join(dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /RDB looks OK/);
    const port = await testPort();
    const redis = await spawnServer('redis-server', redisServerArgs(port, dir), port);
    const rc = await RespClient.connect(port);
    try {
      assert.deepEqual(await keyspaceView(rc), expected);
      assert.equal(await q(rc, 'FCALL', 'pf', 0), 42);
    } finally {
      rc.close();
      await stopChild(redis);
    }
  } finally {
    lc.close();
    await lunakv.close();
    removeDir(dir);
  }
});

test('rdbcompression no and rdbchecksum no files are read by redis-server', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('l2r-plain');
  const lunakv = await startServer({ config: { dir, rdbcompression: 'no', rdbchecksum: 'no' } });
  const lc = await RespClient.connect(lunakv.port);
  try {
    await loadDataset(lc);
    assert.equal(await q(lc, 'SAVE'), 'OK');
    const bytes = fs.readFileSync(path.join(dir, 'dump.rdb'));
    assert.equal(bytes.readBigUInt64LE(bytes.length - 8), 0n, 'checksum field is 0 with rdbchecksum no');
    const expected = await keyspaceView(lc);
    const port = await testPort();
    const plain = ['--rdbcompression', 'no', '--rdbchecksum', 'no'];
    const redis = await spawnServer('redis-server', redisServerArgs(port, dir, plain), port);
    const rc = await RespClient.connect(port);
    try {
      assert.deepEqual(await keyspaceView(rc), expected);
    } finally {
      rc.close();
      await stopChild(redis);
    }
  } finally {
    lc.close();
    await lunakv.close();
    removeDir(dir);
  }
});

test('BGSAVE saves the data as it was when it started, whatever is written meanwhile', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('bgsave');
  const lunakv = await startServer({ config: { dir } });
  const lc = await RespClient.connect(lunakv.port);
  try {
    const batch: (string | number)[][] = [];
    for (let i = 0; i < 30000; i++) batch.push(['SET', `k${i}`, `v${i}`]);
    batch.push(['RPUSH', 'list', 'a', 'b', 'c'], ['HSET', 'hash', 'f', '1'], ['SELECT', '5'], ['SET', 'five', '5'], ['SELECT', '0']);
    await lc.pipeline(batch);
    // Writes sent in the same pipeline as BGSAVE run while the save is walking the keys.
    const replies = await lc.pipeline([
      ['BGSAVE'],
      ['BGSAVE'],
      ['SET', 'k29999', 'changed'],
      ['DEL', 'k29998'],
      ['SET', 'brand-new', 'x'],
      ['RPUSH', 'list', 'd'],
      ['HSET', 'hash', 'f', '2'],
      ['RENAME', 'k29997', 'renamed'],
      ['SELECT', '5'],
      ['FLUSHDB'],
      ['SELECT', '0'],
    ]);
    assert.equal(replies[0]!.toString(), '+Background saving started\r\n');
    assert.equal(replies[1]!.toString(), '-ERR Background save already in progress\r\n');
    assert.equal(await q(lc, 'GET', 'k29999'), 'changed');
    await waitForBgsave(lunakv.server);
    const port = await testPort();
    const redis = await spawnServer('redis-server', redisServerArgs(port, dir), port);
    const rc = await RespClient.connect(port);
    try {
      assert.equal(await q(rc, 'DBSIZE'), 30002);
      assert.equal(await q(rc, 'GET', 'k29999'), 'v29999');
      assert.equal(await q(rc, 'GET', 'k29998'), 'v29998');
      assert.equal(await q(rc, 'GET', 'k29997'), 'v29997');
      assert.equal(await q(rc, 'EXISTS', 'renamed', 'brand-new'), 0);
      assert.deepEqual(await q(rc, 'LRANGE', 'list', 0, -1), ['a', 'b', 'c']);
      assert.equal(await q(rc, 'HGET', 'hash', 'f'), '1');
      assert.equal(await q(rc, 'GET', 'k123'), 'v123');
      await q(rc, 'SELECT', 5);
      assert.equal(await q(rc, 'GET', 'five'), '5');
    } finally {
      rc.close();
      await stopChild(redis);
    }
  } finally {
    lc.close();
    await lunakv.close();
    removeDir(dir);
  }
});

test('corrupt, truncated and foreign files are refused with a clear message, loading nothing', async () => {
  const dir = tempDir('corrupt');
  try {
    const lunakv = await startServer({ config: { dir } });
    const lc = await RespClient.connect(lunakv.port);
    for (let i = 0; i < 100; i++) await q(lc, 'SET', `key${i}`, `value${i}`);
    assert.equal(await q(lc, 'SAVE'), 'OK');
    lc.close();
    await lunakv.close();
    const file = path.join(dir, 'dump.rdb');
    const good = fs.readFileSync(file);

    const attempt = async (bytes: Buffer): Promise<string> => {
      fs.writeFileSync(file, bytes);
      await assert.rejects(startServer({ config: { dir } }), (e: Error) => {
        assert.equal(e.name, 'RdbLoadError');
        return true;
      });
      try {
        await startServer({ config: { dir } });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    assert.match(await attempt(good.subarray(0, good.length - 20)), /Unexpected end of data|Bad RDB data/);
    const flipped = Buffer.from(good);
    flipped[good.length - 30] ^= 0x55;
    assert.match(await attempt(flipped), /checksum|Bad RDB data/);
    assert.match(await attempt(Buffer.from('NOTREDIS0010')), /Wrong signature/);
    const future = Buffer.from(good);
    future.write('0013', 5, 'latin1');
    assert.match(await attempt(future), /Can't handle RDB format version 0013/);
    // A malformed stream (RDB type 15 with nothing in it) is refused, not half-loaded.
    const stream = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([0xfe, 0, 15, 1, 0x73, 0, 0xff]), Buffer.alloc(8)]);
    assert.match(await attempt(stream), /stream/i);
  } finally {
    removeDir(dir);
  }
});
