/**
 * Keyspace notifications of the data-type commands: the messages a PSUBSCRIBE * client
 * receives from redis-server 7.0.15 and lunakv for the same commands, in the same order
 * (event names, classes, `new` before the command's event, `del` after it when the
 * command empties a key, both sides of moves and stores, blocked pops).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show, type Pair } from '../support/oracle.js';
import { encodeCommand, type RespClient } from '../support/resp-client.js';

const withPair = pairPerFile({}, []);

/** A command sent to both servers through `same`, or a custom step. */
type Step = string[] | ((p: Pair) => Promise<void>);

async function drain(c: RespClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    try {
      out.push(show(await c.read(50)));
    } catch {
      return out;
    }
  }
}

/**
 * Runs `steps` on both servers with a PSUBSCRIBE * listener and asserts the listeners
 * received identical message streams. Returns how many messages each received, so
 * callers can check the stream was not trivially empty.
 */
async function compareEvents(p: Pair, classes: string, steps: Step[]): Promise<number> {
  await p.same('FLUSHALL');
  await p.same('CONFIG', 'SET', 'notify-keyspace-events', classes);
  const [rSub, oSub] = await p.connectBoth();
  await rSub.call('PSUBSCRIBE', '*');
  await oSub.call('PSUBSCRIBE', '*');
  try {
    for (const s of steps) {
      if (typeof s === 'function') await s(p);
      else await p.same(...s);
    }
    await p.same('PING'); // everything before it was published
    await new Promise((r) => setTimeout(r, 30));
    const expected = await drain(rSub);
    assert.deepEqual(await drain(oSub), expected, `events for ${classes}`);
    return expected.length;
  } finally {
    rSub.close();
    oSub.close();
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', '');
  }
}

/** A command whose reply is random (SPOP): run on both, only the events are compared. */
function randomReply(...args: string[]): Step {
  return async (p) => {
    await p.both(...args);
  };
}

/** A step that blocks one extra client per server on `blocking`, runs `wake`, and compares the served replies. */
function blockedStep(blocking: string[], wake: string[][]): Step {
  return async (p) => {
    const [rb, ob] = await p.connectBoth();
    try {
      rb.writeRaw(encodeCommand(blocking));
      ob.writeRaw(encodeCommand(blocking));
      await new Promise((r) => setTimeout(r, 50)); // both are blocked before the wake-up
      for (const c of wake) await p.same(...c);
      assert.equal(show(await ob.read()), show(await rb.read()), `served ${blocking.join(' ')}`);
    } finally {
      rb.close();
      ob.close();
    }
  };
}

test('notifications: hash commands', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'c', '3'], ['HSETNX', 'h', 'a', 'x'],
    ['HSETNX', 'h', 'd', '4'], ['HINCRBY', 'h', 'n', '5'], ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HINCRBY', 'h', 'a', 'x'],
    ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b'], ['HDEL', 'h', 'c', 'd', 'n', 'f'], ['HGET', 'h', 'a'],
    ['HINCRBYFLOAT', 'h2', 'x', '2'],
  ]);
  assert.ok(n > 10);
}));

test('notifications: list commands and moves', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c', 'd', 'e'], ['LPUSHX', 'l', 'z'], ['RPUSHX', 'nol', 'z'], ['RPUSHX', 'l', 'y'],
    ['LINSERT', 'l', 'BEFORE', 'c', 'x'], ['LINSERT', 'l', 'AFTER', 'nothere', 'x'], ['LSET', 'l', '0', 'q'],
    ['LREM', 'l', '0', 'nothere'], ['LREM', 'l', '1', 'x'], ['LTRIM', 'l', '0', '-1'], ['LTRIM', 'l', '1', '-2'],
    ['LPOP', 'l'], ['RPOP', 'l', '2'], ['LPOP', 'l', '0'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'l2', 'l2'],
    ['RPOPLPUSH', 'l2', 'l3'], ['LMOVE', 'nol', 'l3', 'LEFT', 'LEFT'], ['RPUSH', 'm', '1', '2', '3'],
    ['LMPOP', '2', 'nol', 'm', 'RIGHT', 'COUNT', '2'], ['LMPOP', '1', 'm', 'LEFT', 'COUNT', '5'], ['RPUSH', 't', 'a'],
    ['LTRIM', 't', '1', '0'], ['RPUSH', 'r', 'a', 'a'], ['LREM', 'r', '0', 'a'], ['LPOP', 'l3'],
  ]);
  assert.ok(n > 30);
}));

test('notifications: blocked list pops are served with pop, move and del events', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    blockedStep(['BLPOP', 'b1', '0'], [['RPUSH', 'b1', 'x']]),
    blockedStep(['BRPOP', 'b2', '0'], [['RPUSH', 'b2', 'x', 'y']]),
    blockedStep(['BLMOVE', 'b3', 'dst', 'RIGHT', 'LEFT', '0'], [['LPUSH', 'b3', 'v']]),
    blockedStep(['BRPOPLPUSH', 'b4', 'dst', '0'], [['LPUSH', 'b4', 'v', 'w']]),
    blockedStep(['BLMPOP', '0', '2', 'b5', 'b6', 'LEFT', 'COUNT', '3'], [['RPUSH', 'b6', '1', '2']]),
    ['RPUSH', 'now', 'a'], ['BLPOP', 'now', '0'], ['BLMOVE', 'dst', 'dst2', 'LEFT', 'RIGHT', '0'],
  ]);
  assert.ok(n > 20);
}));

test('notifications: set commands and stores', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'zz'], ['SREM', 's', 'a'], ['SADD', 't', 'b', 'x'],
    ['SMOVE', 's', 't', 'b'], ['SMOVE', 's', 'u', 'c'], ['SMOVE', 'nos', 't', 'a'], ['SMOVE', 't', 't', 'x'],
    ['SADD', 'p', '1', '2', '3'], randomReply('SPOP', 'p'), ['SPOP', 'p', '0'], randomReply('SPOP', 'p', '1'),
    randomReply('SPOP', 'p', '5'), ['SADD', 'q', '1'], ['SPOP', 'q'], ['SADD', 'a1', '1', '2'], ['SADD', 'a2', '2', '3'],
    ['SINTERSTORE', 'd1', 'a1', 'a2'], ['SUNIONSTORE', 'd2', 'a1', 'a2'], ['SDIFFSTORE', 'd3', 'a1', 'a2'],
    ['SINTERSTORE', 'd1', 'a1', 'nos'], ['SDIFFSTORE', 'd2', 'a1', 'a1'], ['SUNIONSTORE', 'd9', 'nos'],
    ['SINTERSTORE', 'd3', 'a1', 'a2'], ['SREM', 'u', 'c'],
  ]);
  assert.ok(n > 30);
}));

test('notifications: sorted set commands, stores and pops', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'NX', '5', 'a'],
    ['ZADD', 'z', 'XX', '9', 'nothere'], ['ZADD', 'z', 'INCR', '1', 'a'], ['ZINCRBY', 'z', '2', 'e'], ['ZADD', 'z', 'GT', '0', 'e'],
    ['ZREM', 'z', 'nothere'], ['ZREM', 'z', 'e'], ['ZREMRANGEBYSCORE', 'z', '100', '200'], ['ZREMRANGEBYSCORE', 'z', '2', '2'],
    ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZADD', 'x', '0', 'a', '0', 'b', '0', 'c'], ['ZREMRANGEBYLEX', 'x', '[a', '[b'],
    ['ZREMRANGEBYLEX', 'x', '-', '+'], ['ZADD', 'y', '1', 'a', '2', 'b'], ['ZUNIONSTORE', 'u', '2', 'z', 'y'],
    ['ZINTERSTORE', 'i', '2', 'z', 'y'], ['ZDIFFSTORE', 'df', '2', 'y', 'z'], ['ZINTERSTORE', 'i', '2', 'z', 'noz'],
    ['ZDIFFSTORE', 'df', '1', 'noz'], ['ZRANGESTORE', 'rs', 'y', '0', '-1'], ['ZRANGESTORE', 'rs', 'y', '5', '6'],
    ['ZPOPMIN', 'y'], ['ZPOPMAX', 'u', '0'], ['ZPOPMAX', 'u', '10'], ['ZMPOP', '2', 'noz', 'z', 'MIN', 'COUNT', '1'],
    ['ZREM', 'z', 'c', 'd', 'zz'],
  ]);
  assert.ok(n > 30);
}));

test('notifications: blocked sorted set pops', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    blockedStep(['BZPOPMIN', 'bz', '0'], [['ZADD', 'bz', '1', 'a']]),
    blockedStep(['BZPOPMAX', 'bz2', '0'], [['ZADD', 'bz2', '1', 'a', '2', 'b']]),
    blockedStep(['BZMPOP', '0', '1', 'bz3', 'MAX', 'COUNT', '5'], [['ZADD', 'bz3', '1', 'a', '2', 'b']]),
  ]);
  assert.ok(n > 10);
}));

test('notifications: stream commands and consumer groups', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['XADD', 'st', '1-1', 'f', 'v'], ['XADD', 'st', '2-1', 'f', 'v'], ['XADD', 'st', 'MAXLEN', '1', '3-1', 'f', 'v'],
    ['XADD', 'st', 'MAXLEN', '5', '4-1', 'f', 'v'], ['XADD', 'nost', 'NOMKSTREAM', '*', 'f', 'v'], ['XDEL', 'st', '9-9'],
    ['XDEL', 'st', '3-1'], ['XTRIM', 'st', 'MAXLEN', '10'], ['XADD', 'st', '5-1', 'f', 'v'], ['XTRIM', 'st', 'MINID', '5'],
    ['XSETID', 'st', '10-0'], ['XGROUP', 'CREATE', 'st', 'g', '0'], ['XGROUP', 'CREATE', 'st', 'g', '0'],
    ['XGROUP', 'CREATE', 'st2', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATECONSUMER', 'st', 'g', 'c1'],
    ['XGROUP', 'CREATECONSUMER', 'st', 'g', 'c1'], ['XGROUP', 'SETID', 'st', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'st', '>'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 'st', '>'],
    ['XCLAIM', 'st', 'g', 'c4', '0', '5-1', 'JUSTID'], ['XAUTOCLAIM', 'st', 'g', 'c5', '0', '0', 'JUSTID'],
    ['XGROUP', 'DELCONSUMER', 'st', 'g', 'c1'], ['XGROUP', 'DELCONSUMER', 'st', 'g', 'nobody'],
    ['XGROUP', 'DESTROY', 'st', 'g'], ['XGROUP', 'DESTROY', 'st', 'g'], ['XDEL', 'st', '5-1'],
  ]);
  assert.ok(n > 20);
}));

test('notifications: blocked XREADGROUP creates its consumer when served', withPair(async (pair) => {
  const n = await compareEvents(pair, 'KEA', [
    ['XGROUP', 'CREATE', 'bs', 'g', '$', 'MKSTREAM'],
    blockedStep(['XREADGROUP', 'GROUP', 'g', 'late', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 'bs', '>'], [['XADD', 'bs', '1-1', 'f', 'v']]),
    blockedStep(['XREAD', 'BLOCK', '0', 'STREAMS', 'bs', '$'], [['XADD', 'bs', '2-1', 'f', 'v']]),
  ]);
  assert.ok(n > 5);
}));

test('notifications: SORT STORE, RESTORE and class filtering', withPair(async (pair) => {
  const steps: Step[] = [
    ['RPUSH', 'src', '3', '1', '2'], ['SORT', 'src', 'STORE', 'dst'], ['SORT', 'nosrc', 'STORE', 'dst'],
    ['SORT', 'nosrc', 'STORE', 'dst'], ['SADD', 'ss', 'b', 'a'], ['SORT', 'ss', 'ALPHA', 'STORE', 'ss'],
    async (p) => {
      // Same payload on both sides: DUMP is byte-compatible.
      const [dump] = await p.both('DUMP', 'src');
      const payload = dump.subarray(dump.indexOf('\r\n') + 2, dump.length - 2);
      await p.same('RESTORE', 'r1', '0', payload);
      await p.same('RESTORE', 'r1', '0', payload, 'REPLACE');
      await p.same('RESTORE', 'r2', '100000', payload);
      await p.same('RESTORE', 'r2', '1', payload, 'REPLACE', 'ABSTTL');
      await p.same('EXISTS', 'r2');
    },
    ['HSET', 'h', 'a', '1'], ['SADD', 'st', 'a'], ['ZADD', 'z', '1', 'a'], ['XADD', 'x', '1-1', 'f', 'v'], ['LPUSH', 'l', 'a'],
    ['HDEL', 'h', 'a'], ['SREM', 'st', 'a'], ['ZREM', 'z', 'a'], ['LPOP', 'l'],
  ];
  assert.ok((await compareEvents(pair, 'KEA', steps)) > 20);
  // One class at a time: only that class's events (and no `del` without g).
  for (const classes of ['Kl', 'Es', 'Eh', 'Kz', 'Et', 'Eg', 'KEn']) await compareEvents(pair, classes, steps);
}));
