/**
 * Pub/Sub: subscribe replies, messages, RESP2 subscribed-mode restrictions, RESP3 pushes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';

const withPair = pairPerFile({}, []);

test('pubsub: subscribe, publish, patterns, unsubscribe (RESP2 and RESP3)', withPair(async (pair) => {
  for (const proto of ['2', '3']) {
    const [rSub, oSub]: [RespClient, RespClient] = await pair.connectBoth();
    const sub = async (...args: string[]) => {
      const [a, b] = [await rSub.call(...args), await oSub.call(...args)];
      assert.equal(show(b), show(a), JSON.stringify(args));
    };
    const readBoth = async () => {
      const [a, b] = [await rSub.read(), await oSub.read()];
      assert.equal(show(b), show(a));
    };
    await sub('HELLO', proto).catch(() => {});
    await sub('SUBSCRIBE', 'ch1');
    // SUBSCRIBE with two channels: two replies
    rSub.writeRaw('*3\r\n$9\r\nSUBSCRIBE\r\n$3\r\nch2\r\n$3\r\nch3\r\n');
    oSub.writeRaw('*3\r\n$9\r\nSUBSCRIBE\r\n$3\r\nch2\r\n$3\r\nch3\r\n');
    await readBoth();
    await readBoth();
    await sub('PSUBSCRIBE', 'c*');
    await pair.same('PUBLISH', 'ch1', 'hello');
    await readBoth();
    await readBoth();
    await pair.same('PUBSUB', 'NUMSUB', 'ch1', 'nope');
    await pair.same('PUBSUB', 'NUMPAT');
    await sub('GET', 'x');
    await sub('PING');
    await sub('PING', 'arg');
    await sub('UNSUBSCRIBE', 'ch1');
    await sub('PUNSUBSCRIBE');
    rSub.writeRaw('*1\r\n$11\r\nUNSUBSCRIBE\r\n');
    oSub.writeRaw('*1\r\n$11\r\nUNSUBSCRIBE\r\n');
    // Redis unsubscribes in its dict's order: compare the channel set, and the counts in order.
    const channelOf = (b: Buffer) => b.toString('latin1').split('\r\n')[4];
    const countOf = (b: Buffer) => b.toString('latin1').split('\r\n')[5];
    const r1: Buffer[] = [await rSub.read(), await rSub.read()];
    const o1: Buffer[] = [await oSub.read(), await oSub.read()];
    assert.deepEqual(o1.map(channelOf).sort(), r1.map(channelOf).sort());
    assert.deepEqual(o1.map(countOf), r1.map(countOf));
    await sub('UNSUBSCRIBE');
    await pair.same('PUBLISH', 'ch1', 'nobody');
    rSub.close();
    oSub.close();
  }
}));
