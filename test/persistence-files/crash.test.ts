/**
 * kill -9 of the lunakv-server program: acknowledged writes survive with appendfsync
 * always (all of them) and everysec (all those written before the last fsync); an RDB
 * written by SAVE survives; a corrupt file makes the program exit with a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RespClient } from '../support/resp-client.js';
import { q, removeDir, spawnServer, stopChild, tempDir, testPort } from './support.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/lunakv-server.js');

async function startProgram(dir: string, extra: string[] = []) {
  const port = await testPort();
  return spawnServer(process.execPath, [BIN, '--port', String(port), '--dir', dir, ...extra], port);
}

for (const fsync of ['always', 'everysec']) {
  test(`kill -9 with appendfsync ${fsync} keeps every acknowledged write`, async () => {
    const dir = tempDir(`crash-${fsync}`);
    try {
      const first = await startProgram(dir, ['--appendfsync', fsync]);
      const c = await RespClient.connect(first.port);
      for (let i = 0; i < 300; i++) assert.equal(await q(c, 'SET', `key${i}`, `value${i}`), 'OK');
      assert.equal(await q(c, 'RPUSH', 'list', 'a', 'b'), 2);
      if (fsync === 'everysec') await new Promise((r) => setTimeout(r, 1500));
      c.close();
      await stopChild(first, 'SIGKILL');
      const second = await startProgram(dir, ['--appendfsync', fsync]);
      const d = await RespClient.connect(second.port);
      assert.equal(await q(d, 'DBSIZE'), 301);
      assert.equal(await q(d, 'GET', 'key299'), 'value299');
      assert.deepEqual(await q(d, 'LRANGE', 'list', 0, -1), ['a', 'b']);
      d.close();
      await stopChild(second, 'SIGTERM');
    } finally {
      removeDir(dir);
    }
  });
}

test('kill -9 after SAVE keeps the RDB (appendonly no); SIGTERM saves on shutdown', async () => {
  const dir = tempDir('crash-rdb');
  try {
    const first = await startProgram(dir, ['--appendonly', 'no']);
    const c = await RespClient.connect(first.port);
    await q(c, 'SET', 'saved', '1');
    assert.equal(await q(c, 'SAVE'), 'OK');
    await q(c, 'SET', 'unsaved', '1');
    c.close();
    await stopChild(first, 'SIGKILL');
    const second = await startProgram(dir, ['--appendonly', 'no']);
    const d = await RespClient.connect(second.port);
    assert.deepEqual(await q(d, 'MGET', 'saved', 'unsaved'), ['1', null]);
    await q(d, 'SET', 'on-shutdown', '1');
    d.close();
    await stopChild(second, 'SIGTERM');
    const third = await startProgram(dir, ['--appendonly', 'no']);
    const e = await RespClient.connect(third.port);
    assert.equal(await q(e, 'GET', 'on-shutdown'), '1');
    e.close();
    await stopChild(third, 'SIGKILL');

    fs.writeFileSync(path.join(dir, 'dump.rdb'), 'REDIS0010garbage');
    const broken = await startProgram(dir, ['--appendonly', 'no']);
    assert.equal(await broken.exited, 1);
    assert.match(broken.stdout() + broken.stderr(), /Fatal error loading the DB/);
  } finally {
    removeDir(dir);
  }
});
