/**
 * The AOF records what Redis 7.0.15 propagates: the same commands run on lunakv and on
 * redis-server, both with appendonly yes, leave the same commands in the incr file
 * (MULTI/EXEC around transactions and scripts, DEL for expired keys, SELECT), and
 * redis-server loads lunakv's AOF to the same data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../../src/index.js';
import { ORACLE_MISSING, freePort, oracleAvailable } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { keyspaceView, redisServerArgs, removeDir, spawnServer, stopChild, tempDir } from '../persistence-files/support.js';

const WORKLOAD: (string | number)[][] = [
  ['SET', 'a', '1', 'EX', 1000],
  ['DEBUG', 'SET-ACTIVE-EXPIRE', 0],
  ['SET', 'short', 'v', 'PX', 1],
  ['MULTI'],
  ['SET', 'b', '1'],
  ['INCRBYFLOAT', 'b', '1.5'],
  ['SELECT', 4],
  ['SADD', 's', 'x'],
  ['EXEC'],
  ['EVAL', "redis.call('SET', KEYS[1], 'x'); redis.call('SPOP', KEYS[2]); return 1", 2, 'c', 's'],
  ['SELECT', 4],
  ['SPOP', 's'],
  ['SELECT', 0],
  ['PUBLISH', 'not', 'logged'],
  ['EXPIRE', 'a', 500],
];

/** The commands in an AOF incr file. */
function commandsIn(file: string): string[][] {
  const text = fs.readFileSync(file, 'latin1');
  const out: string[][] = [];
  let p = 0;
  const line = () => {
    const end = text.indexOf('\r\n', p);
    const s = text.slice(p, end);
    p = end + 2;
    return s;
  };
  while (p < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(p, p + len));
      p += len + 2;
    }
    out.push(argv.map((a) => (/^\d{13}$/.test(a) ? '<ms>' : a)));
  }
  return out;
}

async function runWorkload(port: number): Promise<void> {
  const c = await RespClient.connect(port);
  for (const command of WORKLOAD.slice(0, 3)) await c.call(...command);
  await new Promise((r) => setTimeout(r, 20));
  await c.call('GET', 'short'); // lazily expired: DEL
  for (const command of WORKLOAD.slice(3)) await c.call(...command);
  c.close();
  await new Promise((r) => setTimeout(r, 100));
}

test('the AOF holds the commands redis-server logs for the same workload, and loads in it', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const redisDir = tempDir('aof-redis');
  const lunakvDir = tempDir('aof-lunakv');
  const redisPort = await freePort();
  const redis = await spawnServer('redis-server', redisServerArgs(redisPort, redisDir, ['--appendonly', 'yes', '--enable-debug-command', 'yes']), redisPort);
  const lunakv = await startServer({ port: 0, config: { dir: lunakvDir, appendonly: 'yes', save: '', 'enable-debug-command': 'yes' } });
  try {
    await runWorkload(redisPort);
    await runWorkload(lunakv.port);
    const incr = (dir: string) => path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const expected = commandsIn(incr(redisDir));
    assert.ok(expected.some((c) => c[0] === 'MULTI'));
    assert.deepEqual(commandsIn(incr(lunakvDir)).map((c) => c.join(" ")), expected.map((c) => c.join(" ")));

    const lunakvView = await keyspaceView(await RespClient.connect(lunakv.port));
    await lunakv.server.shutdown();
    await lunakv.close();
    const loaderPort = await freePort();
    const loader = await spawnServer('redis-server', redisServerArgs(loaderPort, lunakvDir, ['--appendonly', 'yes']), loaderPort);
    try {
      const rc = await RespClient.connect(loaderPort);
      assert.deepEqual(await keyspaceView(rc), lunakvView);
      rc.close();
    } finally {
      await stopChild(loader);
    }
  } finally {
    await stopChild(redis);
    removeDir(redisDir);
    removeDir(lunakvDir);
  }
});
