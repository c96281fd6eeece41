/**
 * Sharded pub/sub in standalone mode, byte for byte against redis-server 7.0.15:
 * SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH replies and pushes in RESP2 and RESP3, PUBSUB
 * SHARDCHANNELS / SHARDNUMSUB, the RESP2 subscribed context, CLIENT LIST ssub=, RESET,
 * MULTI, and the separation from plain channels (counts, patterns).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';

const withPair = pairPerFile({}, [['FLUSHALL']]);

/** A pair of connections, one to each server, compared reply by reply. */
function mirror(r: RespClient, o: RespClient) {
  return {
    /** Sends a command to both and compares the first reply. */
    async same(...args: string[]): Promise<string> {
      const [a, b] = [await r.call(...args), await o.call(...args)];
      assert.equal(show(b), show(a), JSON.stringify(args));
      return a.toString('latin1');
    },
    /** Reads the next reply (or push) of both and compares them. */
    async next(what: string): Promise<string> {
      const [a, b] = [await r.read(), await o.read()];
      assert.equal(show(b), show(a), what);
      return a.toString('latin1');
    },
    raw(data: string): void {
      r.writeRaw(data);
      o.writeRaw(data);
    },
  };
}

/** CLIENT LIST's sub=, psub= and ssub= fields (the rest differs between servers). */
function subFields(line: string): string {
  return /sub=\d+ psub=\d+ ssub=\d+/.exec(line)?.[0] ?? `no sub fields in ${line}`;
}

test('sharded pub/sub: replies and pushes in RESP2 and RESP3', withPair(async (pair) => {
  for (const proto of ['2', '3']) {
    const [rSub, oSub] = await pair.connectBoth();
    const m = mirror(rSub, oSub);
    if (proto === '3') await Promise.all([rSub.call('HELLO', '3'), oSub.call('HELLO', '3')]);
    // SUNSUBSCRIBE with nothing subscribed: one reply with a null channel.
    await m.same('SUNSUBSCRIBE');
    await m.same('SSUBSCRIBE', 'sch1');
    m.raw('*3\r\n$10\r\nSSUBSCRIBE\r\n$4\r\nsch2\r\n$4\r\nsch1\r\n');
    await m.next('ssubscribe sch2');
    await m.next('ssubscribe sch1 again (count unchanged)');
    // Shard channels are counted apart from plain channels and patterns.
    await m.same('SUBSCRIBE', 'plain');
    await m.same('PSUBSCRIBE', 's*');
    assert.equal((await pair.same('SPUBLISH', 'sch1', 'hello')).toString('latin1'), ':1\r\n');
    await m.next('smessage');
    // PUBLISH reaches neither shard subscribers nor, by the shard name, patterns of shard channels.
    await pair.same('PUBLISH', 'sch1', 'plain message');
    await m.next('pmessage for the plain PUBLISH');
    await pair.same('SPUBLISH', 'nobody', 'x');
    await pair.same('PUBSUB', 'SHARDNUMSUB', 'sch1', 'sch2', 'nobody');
    await pair.same('PUBSUB', 'SHARDNUMSUB');
    await pair.sameSorted('PUBSUB', 'SHARDCHANNELS');
    await pair.same('PUBSUB', 'SHARDCHANNELS', '*1');
    await pair.same('PUBSUB', 'CHANNELS');
    await pair.sameError('PUBSUB', 'SHARDCHANNELS', 'a', 'b');
    await pair.same('PUBSUB', 'NUMSUB', 'plain');
    // The subscribed context: shard subscriptions count for it (RESP2 only).
    await m.same('GET', 'k');
    await m.same('PING');
    await m.same('PING', 'arg');
    await m.same('UNSUBSCRIBE');
    await m.same('PUNSUBSCRIBE');
    await m.same('GET', 'k'); // still subscribed to shard channels in RESP2
    await m.same('SUNSUBSCRIBE', 'sch1');
    await m.same('SUNSUBSCRIBE', 'sch1');
    await m.same('SUNSUBSCRIBE');
    await m.same('GET', 'k');
    await pair.same('PUBSUB', 'SHARDCHANNELS');
    rSub.close();
    oSub.close();
  }
}));

test('sharded pub/sub: MULTI, RESET, CLIENT LIST ssub=, INFO, arity', withPair(async (pair) => {
  const [r, o] = await pair.connectBoth();
  const m = mirror(r, o);
  // Unlike SUBSCRIBE, SSUBSCRIBE is refused inside MULTI/EXEC (CLIENT_DENY_BLOCKING).
  await m.same('MULTI');
  await m.same('SSUBSCRIBE', 'x');
  await m.same('EXEC');
  await m.same('SSUBSCRIBE', 'a', 'b');
  await m.next('ssubscribe b');
  await m.same('SUBSCRIBE', 'c');
  await m.same('CLIENT', 'NOPE'); // refused in the subscribed context
  await m.same('RESET');
  assert.equal(subFields((await o.call('CLIENT', 'INFO')).toString('latin1')), 'sub=0 psub=0 ssub=0');
  await Promise.all([r.call('HELLO', '3'), o.call('HELLO', '3')]);
  await m.same('SSUBSCRIBE', 'a', 'b');
  await m.next('ssubscribe b');
  const [ri, oi] = [await r.call('CLIENT', 'INFO'), await o.call('CLIENT', 'INFO')];
  assert.equal(subFields(oi.toString('latin1')), subFields(ri.toString('latin1')));
  assert.equal(subFields(oi.toString('latin1')), 'sub=0 psub=0 ssub=2');
  const infoField = (b: Buffer) => /pubsubshard_channels:\d+/.exec(b.toString('latin1'))?.[0];
  const [rInfo, oInfo] = await pair.both('INFO', 'stats');
  assert.equal(infoField(oInfo), infoField(rInfo));
  assert.equal(infoField(oInfo), 'pubsubshard_channels:2');
  await m.same('RESET');
  await pair.same('PUBSUB', 'SHARDNUMSUB', 'a');
  await pair.sameError('SSUBSCRIBE');
  await pair.sameError('SPUBLISH', 'a');
  await pair.same('COMMAND', 'GETKEYS', 'SPUBLISH', 'a', 'b'); // shard channels are not keys
  r.close();
  o.close();
}));

test('sharded pub/sub: a closed subscriber leaves no channel behind', withPair(async (pair) => {
  const [r, o] = await pair.connectBoth();
  await r.call('SSUBSCRIBE', 'gone');
  await o.call('SSUBSCRIBE', 'gone');
  await pair.same('PUBSUB', 'SHARDNUMSUB', 'gone');
  r.close();
  o.close();
  await r.waitClosed();
  await o.waitClosed();
  for (let i = 0; i < 50; i++) {
    const [a, b] = await pair.both('PUBSUB', 'SHARDNUMSUB', 'gone');
    if (show(a) === show(b) && a.toString('latin1').endsWith(':0\r\n')) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  await pair.same('PUBSUB', 'SHARDNUMSUB', 'gone');
  assert.fail('the closed subscriber is still counted');
}));
