/**
 * Streams in DUMP/RESTORE payloads and RDB files, against redis-server 7.0.15: identical
 * payloads for streams without XDEL (no tombstones), payloads and dump.rdb files loaded
 * across implementations with entries, IDs, counters, groups, PELs and consumers intact.
 * Also MEMORY USAGE's contract (plausible, growing with the value).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from '../../src/index.js';
import { RespClient } from '../support/resp-client.js';
import { ORACLE_MISSING, oracleAvailable, ownPair, pairPerFile } from '../support/oracle.js';
import { q, redisServerArgs, removeDir, spawnServer, stopChild, tempDir, testPort } from '../persistence-files/support.js';
import { decodeResp, type Resp } from '../support/resp-decode.js';

const withPair = pairPerFile();

/** A stream spanning several nodes (stream-node-max-entries 100), mixed field sets, big IDs. */
function streamCommands(key: string): (string | number)[][] {
  const cmds: (string | number)[][] = [];
  for (let i = 1; i <= 230; i++) {
    const fields = i % 7 === 0 ? ['other', `v${i}`, 'n', i] : ['name', `item-${i}`, 'n', i * 1000];
    cmds.push(['XADD', key, `${1700000000000 + Math.floor(i / 3)}-${i}`, ...fields]);
  }
  cmds.push(['XADD', key, '1800000000000-18446744073709551615', 'max', 'seq']);
  return cmds;
}

function groupCommands(key: string): (string | number)[][] {
  return [
    ['XGROUP', 'CREATE', key, 'readers', '0'],
    ['XGROUP', 'CREATE', key, 'late', '$'],
    ['XGROUP', 'CREATE', key, 'a-group-with-a-longer-name', '1700000000010-30', 'ENTRIESREAD', 30],
    ['XREADGROUP', 'GROUP', 'readers', 'alice', 'COUNT', 5, 'STREAMS', key, '>'],
    ['XREADGROUP', 'GROUP', 'readers', 'bob', 'COUNT', 3, 'STREAMS', key, '>'],
    ['XACK', key, 'readers', '1700000000000-1'],
    ['XGROUP', 'CREATECONSUMER', key, 'readers', 'idle-carol'],
  ];
}

/** What must survive a round trip (delivery and seen times are clocks, not compared). */
async function streamView(client: RespClient, key: string): Promise<Resp[]> {
  const pending = (await q(client, 'XPENDING', key, 'readers', '-', '+', 100)) as Resp[][];
  const consumers = (await q(client, 'XINFO', 'CONSUMERS', key, 'readers')) as Resp[][];
  return [
    await q(client, 'XRANGE', key, '-', '+'),
    await q(client, 'XINFO', 'STREAM', key),
    await q(client, 'XINFO', 'GROUPS', key),
    pending.map((p) => [p[0], p[1], p[3]]),
    consumers.map((c) => [c[1], c[3]]),
  ];
}

test('stream DUMP payloads equal redis-server\'s and RESTORE across implementations', withPair(async (pair) => {
  for (const c of streamCommands('s')) await pair.same(...c);
  await pair.same('XADD', 'empty', 'MAXLEN', 0, '5-5', 'f', 'v');
  await pair.same('XADD', 'one', '1-1', 'f', 'v');
  // Without consumer groups (no clocks inside), the payloads are byte-identical.
  await pair.same('DUMP', 's');
  await pair.same('DUMP', 'empty');
  await pair.same('DUMP', 'one');

  for (const c of groupCommands('s')) await pair.same(...c);
  await pair.same('XDEL', 's', '1700000000020-60', '1700000000000-2');
  const [fromRedis, fromOurs] = await pair.both('DUMP', 's');
  await pair.same('RESTORE', 'copy-of-ours', 0, Buffer.from(decodeResp(fromOurs) as string, 'latin1'));
  await pair.same('RESTORE', 'copy-of-redis', 0, Buffer.from(decodeResp(fromRedis) as string, 'latin1'));
  for (const key of ['s', 'copy-of-ours', 'copy-of-redis']) {
    await pair.same('XRANGE', key, '-', '+');
    await pair.same('XINFO', 'STREAM', key);
    await pair.same('XINFO', 'GROUPS', key);
    await pair.same('XPENDING', key, 'readers');
  }
  // Restored streams keep working like the original: appends, reads and trims.
  for (const key of ['copy-of-ours', 'copy-of-redis']) {
    await pair.same('XADD', key, '*', 'after', 'restore');
    await pair.same('XREADGROUP', 'GROUP', 'late', 'dave', 'STREAMS', key, '>');
    await pair.same('XTRIM', key, 'MAXLEN', '~', 50);
    await pair.same('XLEN', key);
    await pair.same('XINFO', 'GROUPS', key);
  }
  await pair.same('RESTORE', 'bad', 0, Buffer.from('\x13\x01\x10garbage\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1'));
}));

test('dump.rdb with streams: lunakv -> redis-check-rdb and redis-server, redis-server -> lunakv', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const dir = tempDir('stream-rdb');
  const lunakv = await startServer({ config: { dir } });
  const lc = await RespClient.connect(lunakv.port);
  try {
    for (const c of [...streamCommands('s'), ...groupCommands('s')]) await q(lc, ...c);
    await q(lc, 'XDEL', 's', '1700000000020-60');
    const expected = await streamView(lc, 's');
    assert.equal(await q(lc, 'SAVE'), 'OK');
    const check = spawnSync('redis-check-rdb', [path.join(dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);

    const port = await testPort();
    const redis = await spawnServer('redis-server', redisServerArgs(port, dir), port);
    const rc = await RespClient.connect(port);
    try {
      assert.deepEqual(await streamView(rc, 's'), expected);
      // And back: redis-server's own file loads into a fresh lunakv.
      await q(rc, 'XADD', 's', '1900000000000-0', 'written', 'by-redis');
      const redisView = await streamView(rc, 's');
      assert.equal(await q(rc, 'SAVE'), 'OK');
      const reloaded = await startServer({ config: { dir } });
      const rl = await RespClient.connect(reloaded.port);
      try {
        assert.deepEqual(await streamView(rl, 's'), redisView);
      } finally {
        rl.close();
        await reloaded.close();
      }
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

test('stream commands in the AOF: DEBUG LOADAOF with another node size gives what redis-server gives', ownPair({ 'enable-debug-command': 'yes', 'enable-protected-configs': 'yes', 'aof-use-rdb-preamble': 'no', appendfsync: 'always', 'stream-node-max-entries': '10' }, async (pair) => {
  const dirs = [tempDir('stream-aof-redis'), tempDir('stream-aof-lunakv')];
  try {
    // Each server logs to its own directory, from an empty dataset.
    for (const [i, port] of [pair.oracle.port, pair.lunakv.port].entries()) {
      const c = await RespClient.connect(port);
      assert.equal(await q(c, 'CONFIG', 'SET', 'dir', dirs[i]!), 'OK');
      assert.equal(await q(c, 'CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      for (let n = 0; n < 100 && String((await q(c, 'INFO', 'persistence')) ?? '').includes('aof_rewrite_in_progress:1'); n++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      c.close();
    }
    const commands: (string | number)[][] = [...streamCommands('s'), ...groupCommands('s')];
    // Generated sequence numbers, approximate trims (with and without LIMIT), NOACK and
    // normal group reads: the AOF must replay them exactly although nodes are cut
    // differently on reload.
    for (let i = 1; i <= 40; i++) commands.push(['XADD', 't', `${i}-*`, 'n', i]);
    commands.push(
      ['XADD', 't', 'MAXLEN', '~', 25, '41-*', 'n', 'x'],
      ['XADD', 't', 'MINID', '~', '35-0', 'LIMIT', 10, '42-*', 'n', 'y'],
      ['XTRIM', 't', 'MAXLEN', '~', 12],
      ['XGROUP', 'CREATE', 't', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'fast', 'NOACK', 'COUNT', 4, 'STREAMS', 't', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'slow', 'COUNT', 2, 'STREAMS', 't', '>'],
    );
    for (const c of commands) await pair.both(...c);
    const views: (string | number)[][] = [
      ['XRANGE', 's', '-', '+'],
      ['XRANGE', 't', '-', '+'],
      ['XINFO', 'STREAM', 's'],
      ['XINFO', 'STREAM', 't'],
      ['XINFO', 'GROUPS', 's'],
      ['XINFO', 'GROUPS', 't'],
      ['XPENDING', 's', 'readers'],
      ['XPENDING', 't', 'g'],
    ];
    for (const v of views) await pair.same(...v);
    await pair.both('CONFIG', 'SET', 'stream-node-max-entries', 3);
    await pair.same('DEBUG', 'LOADAOF');
    for (const v of views) await pair.same(...v);
  } finally {
    for (const dir of dirs) removeDir(dir);
  }
}));

test('MEMORY USAGE: null for missing keys, grows with the value, Redis errors', withPair(async (pair) => {
  await pair.same('MEMORY', 'USAGE', 'missing');
  await pair.same('SET', 'k', 'v');
  await pair.same('MEMORY', 'USAGE', 'k', 'SAMPLES');
  await pair.same('MEMORY', 'USAGE', 'k', 'SAMPLES', -1);
  await pair.same('MEMORY', 'USAGE', 'k', 'SAMPLES', 'x');
  await pair.same('MEMORY', 'USAGE', 'k', 'FOO', 1);
  await pair.same('MEMORY', 'HELP');
  await pair.same('MEMORY', 'FOO');
  const usage = async (...args: (string | number)[]) => decodeResp(await pair.ours.call('MEMORY', 'USAGE', ...args)) as number;
  const small = await usage('k');
  await pair.same('SET', 'k', 'v'.repeat(10000));
  const large = await usage('k', 'SAMPLES', 0);
  assert.ok(small > 16 && small < 100, `small string ${small}`);
  assert.ok(large > 10000 && large < 12000, `large string ${large}`);
  for (const [add, key] of [['RPUSH', 'l'], ['SADD', 's'], ['HSET', 'h'], ['ZADD', 'z']] as const) {
    const sizes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) {
        const n = round * 100 + i;
        if (add === 'HSET' || add === 'ZADD') await pair.ours.call(add, key, n, `member-${n}`);
        else await pair.ours.call(add, key, `member-${n}`);
      }
      sizes.push(await usage(key));
    }
    assert.ok(sizes[0] < sizes[1] && sizes[1] < sizes[2], `${key}: ${sizes}`);
  }
  const stats = decodeResp(await pair.ours.call('MEMORY', 'STATS')) as Resp[];
  assert.equal(stats[0], 'peak.allocated');
  assert.ok(stats.includes('keys.count'));
}));
