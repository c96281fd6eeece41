/**
 * Real clients drive lunakv unchanged: ioredis and node-redis, with pipelines,
 * transactions, pub/sub and RESP3.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../../src/index.js';

let server: RunningServer;
before(async () => {
  server = await startServer({ port: 0 });
});
after(async () => {
  await server.close();
});

test('ioredis: commands, pipeline, multi, binary values', async () => {
  const r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
  await r.connect();
  try {
    assert.equal(await r.set('a', '1'), 'OK');
    assert.equal(await r.incrby('a', 41), 42);
    assert.equal(await r.get('a'), '42');
    const results = await r.pipeline().set('p1', 'x').get('p1').incr('n').exec();
    assert.deepEqual(results, [[null, 'OK'], [null, 'x'], [null, 1]]);
    const tx = await r.multi().set('t', 'v').get('t').exec();
    assert.deepEqual(tx, [[null, 'OK'], [null, 'v']]);
    const bin = Buffer.from([0, 255, 13, 10, 128]);
    await r.set('bin', bin);
    assert.deepEqual(await r.getBuffer('bin'), bin);
    await assert.rejects(r.call('NOSUCH'), /unknown command/);
  } finally {
    r.disconnect();
  }
});

test('ioredis: pub/sub', async () => {
  const sub = new Redis({ port: server.port, host: '127.0.0.1' });
  const pub = new Redis({ port: server.port, host: '127.0.0.1' });
  try {
    const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, msg: string) => resolve([ch, msg])));
    await sub.subscribe('news');
    assert.equal(await pub.publish('news', 'hello'), 1);
    assert.deepEqual(await got, ['news', 'hello']);
  } finally {
    sub.disconnect();
    pub.disconnect();
  }
});

test('node-redis: RESP2 and RESP3, multi, pub/sub', async () => {
  for (const RESP of [2, 3] as const) {
    const c = createClient({ url: server.url, RESP });
    await c.connect();
    try {
      assert.equal(await c.set('k', 'v'), 'OK');
      assert.equal(await c.get('k'), 'v');
      const res = await c.multi().incr('cnt').incr('cnt').exec();
      assert.equal(res.length, 2);
      const sub = c.duplicate();
      await sub.connect();
      const got = new Promise<string>((resolve) => void sub.subscribe('ch', (m) => resolve(m)));
      await new Promise((r) => setTimeout(r, 50));
      await c.publish('ch', `m${RESP}`);
      assert.equal(await got, `m${RESP}`);
      await sub.quit();
    } finally {
      await c.quit();
    }
  }
});
