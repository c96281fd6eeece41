/**
 * Keyspace notifications: the messages a PSUBSCRIBE * client receives for the same
 * commands on redis-server 7.0.15 and lunakv, in the same order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show, type Pair } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';

const withPair = pairPerFile({}, []);

/** Runs commands on both servers with a PSUBSCRIBE * listener and compares all messages. */
async function compareEvents(p: Pair, classes: string, commands: string[][], settleMs = 30): Promise<void> {
  await p.same('CONFIG', 'SET', 'notify-keyspace-events', classes);
  await p.same('CONFIG', 'GET', 'notify-keyspace-events');
  const [rSub, oSub]: [RespClient, RespClient] = await p.connectBoth();
  await rSub.call('PSUBSCRIBE', '*');
  await oSub.call('PSUBSCRIBE', '*');
  for (const c of commands) {
    // ['sleep', ms] pauses the test itself (both servers see the same elapsed time).
    if (c[0] === 'sleep') await new Promise((r) => setTimeout(r, Number(c[1])));
    else await p.same(...c);
  }
  await p.same('PING'); // a marker: everything before it was published
  await new Promise((r) => setTimeout(r, settleMs));
  const drain = async (c: RespClient) => {
    const out: string[] = [];
    for (;;) {
      try {
        out.push(show(await c.read(50)));
      } catch {
        return out;
      }
    }
  };
  assert.deepEqual(await drain(oSub), await drain(rSub), `events for ${classes}`);
  rSub.close();
  oSub.close();
}

test('notifications: strings and generic events (KEA)', withPair(async (pair) => {
  await pair.same('FLUSHALL');
  await compareEvents(pair, 'KEA', [
    ['SET', 'a', '1'], ['SET', 'a', '2', 'EX', '100'], ['INCR', 'a'], ['INCRBY', 'a', '5'], ['DECR', 'a'], ['INCRBYFLOAT', 'a', '1.5'],
    ['APPEND', 'a', 'x'], ['SETRANGE', 'a', '1', 'yy'], ['GETSET', 'a', 'z'], ['MSET', 'b', '1', 'c', '2'], ['SETNX', 'd', '1'],
    ['EXPIRE', 'b', '100'], ['PERSIST', 'b'], ['PEXPIRE', 'c', '-1'], ['RENAME', 'a', 'a2'], ['COPY', 'a2', 'a3'], ['MOVE', 'a3', '1'],
    ['GETEX', 'd', 'EX', '10'], ['GETEX', 'd', 'PERSIST'], ['GETDEL', 'd'], ['DEL', 'a2', 'nokey'], ['UNLINK', 'b'],
  ]);
}));

test('notifications: new-key and expired events (En, Ex)', withPair(async (pair) => {
  await pair.same('FLUSHALL');
  await compareEvents(pair, 'En', [['SET', 'foo', 'bar'], ['SET', 'foo', 'baz'], ['MSET', 'x', '1', 'y', '2']]);
  await compareEvents(pair, 'Ex', [['SET', 'e', '1', 'PX', '5'], ['sleep', '30'], ['GET', 'e']]);
  await pair.same('CONFIG', 'SET', 'notify-keyspace-events', '');
}));

test('notifications: CONFIG GET shows the canonical class string', withPair(async (pair) => {
  for (const v of ['gKE', '$lshzxeKE', 'KA', 'EA', 'AKEm', 'nA', 'xE', 'Q', '']) {
    await pair.same('CONFIG', 'SET', 'notify-keyspace-events', v);
    await pair.same('CONFIG', 'GET', 'notify-keyspace-events');
  }
}));
