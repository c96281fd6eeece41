/**
 * client-output-buffer-limit against redis-server 7.0.15: CONFIG SET validation, merging
 * and normalisation reply for reply, and a subscriber that stops reading is disconnected
 * by both servers once its unsent output passes the pubsub hard limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

const DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
const withPair = pairPerFile({}, [['CONFIG', 'SET', 'client-output-buffer-limit', DEFAULT]]);

test(
  'CONFIG SET client-output-buffer-limit: errors, units, merging, classes',
  withPair(async (p) => {
    const values = [
      'foo',
      'pubsub 1mb 512kb 10',
      'normal 1k 2K +3',
      'master 1 1 1',
      'normal -1 0 0',
      'normal kb 0 0',
      'normal 1 1 -1',
      'normal 1 1 x',
      "normal 1 1 ''",
      'replica 5gb 0 0',
      'normal 99999999999999999999 0 0',
      '',
      'normal  1 1 1',
      'NORMAL 1 1 1 pubsub 1 1 1',
      'normal 2 2 2 bogus 1 1 1',
    ];
    for (const v of values) {
      await p.same('CONFIG', 'SET', 'client-output-buffer-limit', v);
      await p.same('CONFIG', 'GET', 'client-output-buffer-limit');
    }
  }),
);

/** Subscribes, stops reading, lets `publish` flood it; resolves whether the server closed it. */
async function floodedSubscriberCloses(port: number, publisher: RespClient): Promise<boolean> {
  const sub = await RespClient.connect(port);
  await sub.call('SUBSCRIBE', 'flood');
  sub.socket.pause();
  const closed = new Promise<boolean>((resolve) => sub.socket.once('close', () => resolve(true)));
  const message = 'm'.repeat(64 * 1024);
  for (let i = 0; i < 400; i++) {
    await publisher.call('PUBLISH', 'flood', message);
  }
  // Reading again drains what the kernel held, then meets the end of the connection.
  sub.socket.removeAllListeners('data');
  sub.socket.on('data', () => {});
  sub.socket.resume();
  const result = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  sub.close();
  return result;
}

test(
  'a subscriber that does not read is disconnected past the pubsub hard limit',
  withPair(async (p) => {
    await p.same('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 0 0');
    const [redisPublisher, ourPublisher] = await p.connectBoth();
    try {
      assert.equal(await floodedSubscriberCloses(p.oracle.port, redisPublisher), true, 'redis-server closes it (the premise)');
      assert.equal(await floodedSubscriberCloses(p.lunakv.port, ourPublisher), true, 'lunakv closes it');
      // Without a limit the same flood is delivered in full.
      await p.same('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 0 0');
      assert.equal(await floodedSubscriberCloses(p.lunakv.port, ourPublisher), false);
    } finally {
      redisPublisher.close();
      ourPublisher.close();
    }
  }),
);
