/**
 * maxmemory eviction. Which keys a sampled policy picks differs between servers by
 * design, so most checks are invariants (as Redis's unit/maxmemory): used memory is
 * brought back under the limit, volatile-* policies only evict keys with a TTL,
 * volatile-ttl evicts the nearest expiry first, `evicted` events agree with INFO's
 * evicted_keys. Where the outcome is determined (everything evicted, OOM refusals),
 * replies and events are compared with redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, type Pair, show } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

const withPair = pairPerFile({}, []);

async function infoField(c: RespClient, field: string): Promise<number> {
  const text = (await c.call('INFO')).toString('latin1');
  const m = new RegExp(`\\r\\n${field}:(\\d+)`).exec(text);
  assert.ok(m, `INFO has ${field}`);
  return Number(m[1]);
}

/** Reads every pushed message until the connection is quiet. */
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

/** Resets lunakv (our side of the pair) to an empty dataset without a memory limit. */
async function reset(c: RespClient): Promise<void> {
  await c.call('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'notify-keyspace-events', '');
  await c.call('FLUSHALL');
  await c.call('CONFIG', 'RESETSTAT');
}

/**
 * Redis's "is the memory limit honoured" scenario on lunakv: fills up to 100 KB over
 * the current usage with `write(i)`, writes as many again, and returns what happened.
 */
async function fillPastLimit(pair: Pair, policy: string, write: (i: number) => string[], writeMore = write) {
  const c = pair.ours;
  await reset(c);
  const limit = (await infoField(c, 'used_memory')) + 100 * 1024;
  await c.call('CONFIG', 'SET', 'maxmemory', String(limit), 'maxmemory-policy', policy, 'notify-keyspace-events', 'Ee');
  const [listener] = [await RespClient.connect(pair.lunakv.port)];
  await listener.call('SUBSCRIBE', '__keyevent@0__:evicted');
  let n = 0;
  while ((await infoField(c, 'used_memory')) + 4096 <= limit) await c.call(...write(n++));
  assert.ok(n > 10, `filled with ${n} keys`);
  const errors: string[] = [];
  for (let j = 0; j < n; j++) {
    const r = (await c.call(...writeMore(n + j))).toString('latin1');
    if (r.startsWith('-')) errors.push(r);
  }
  const used = await infoField(c, 'used_memory');
  const evicted = await infoField(c, 'evicted_keys');
  const events = await drain(listener);
  listener.close();
  return { limit, used, evicted, events, errors, written: 2 * n, filled: n };
}

for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
  test(`eviction: ${policy} keeps used memory under maxmemory, events match evicted_keys`, withPair(async (pair) => {
    const r = await fillPastLimit(pair, policy, (i) => ['SET', `key:${i}`, 'x'.repeat(20)]);
    assert.deepEqual(r.errors, []);
    assert.ok(r.used < r.limit + 4096, `used ${r.used} < limit ${r.limit} + 4096`);
    assert.ok(r.evicted > 0);
    assert.equal(r.events.length, r.evicted, 'one evicted event per evicted key');
    assert.equal(Number((await pair.ours.call('DBSIZE')).toString().slice(1, -2)), r.written - r.evicted);
  }));
}

for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
  test(`eviction: ${policy} evicts only keys with a TTL`, withPair(async (pair) => {
    const c = pair.ours;
    // Odd keys are volatile while filling; then only volatile keys are added.
    const r = await fillPastLimit(
      pair,
      policy,
      (i) => (i % 2 ? ['SETEX', `key:${i}`, '10000', 'x'] : ['SET', `key:${i}`, 'x']),
      (i) => ['SETEX', `foo:${i}`, '10000', 'x'],
    );
    assert.deepEqual(r.errors, []);
    assert.ok(r.used < r.limit + 4096, `used ${r.used} < limit ${r.limit} + 4096`);
    assert.ok(r.evicted > 0);
    assert.equal(r.events.length, r.evicted);
    for (const e of r.events) {
      const m = /(key|foo):(\d+)/.exec(e)!;
      assert.ok(m[1] === 'foo' || Number(m[2]) % 2 === 1, `evicted ${m[0]} had a TTL`);
    }
    for (let j = 0; j < r.filled; j += 2) assert.equal((await c.call('EXISTS', `key:${j}`)).toString(), ':1\r\n', `key:${j} kept`);
  }));
}

test('eviction: volatile-ttl evicts the nearest expiry first', withPair(async (pair) => {
  const c = pair.ours;
  await reset(c);
  await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
  for (let i = 0; i < 10; i++) await c.call('SET', `t:${i}`, 'v'.repeat(200), 'EX', String(1000 * (10 - i)));
  await c.call('SET', 'persistent', 'v'.repeat(200));
  const listener = await RespClient.connect(pair.lunakv.port);
  await listener.call('SUBSCRIBE', '__keyevent@0__:evicted');
  const used = await infoField(c, 'used_memory');
  // Room for all but about three of the keys.
  await c.call('CONFIG', 'SET', 'maxmemory', String(used - 700), 'maxmemory-policy', 'volatile-ttl');
  await c.call('PING');
  const evicted = (await drain(listener)).map((m) => /t:(\d)/.exec(m)![1]);
  listener.close();
  assert.ok(evicted.length >= 2 && evicted.length <= 5, `evicted ${evicted.join(',')}`);
  // t:9 expires first, then t:8, ...
  assert.deepEqual(evicted, ['9', '8', '7', '6', '5'].slice(0, evicted.length));
  assert.equal((await c.call('EXISTS', 'persistent')).toString(), ':1\r\n');
  await reset(c);
}));

test('eviction: a limit below the baseline evicts every key, as redis-server (sorted events, OOM replies)', withPair(async (pair) => {
  for (const policy of ['allkeys-random', 'allkeys-lru']) {
    await pair.same('CONFIG', 'SET', 'maxmemory', '0');
    await pair.same('FLUSHALL');
    await pair.same('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 20; i++) await pair.same('SET', `k${i}`, String(i));
    await pair.same('SELECT', '3');
    await pair.same('RPUSH', 'other-db', 'a', 'b');
    await pair.same('SELECT', '0');
    await pair.same('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    const [rSub, oSub] = await pair.connectBoth();
    await rSub.call('PSUBSCRIBE', '__keyevent@*__:evicted');
    await oSub.call('PSUBSCRIBE', '__keyevent@*__:evicted');
    await pair.same('CONFIG', 'SET', 'maxmemory-policy', policy);
    await pair.same('CONFIG', 'SET', 'maxmemory', '1');
    await pair.same('GET', 'k1'); // reads are served even when nothing is left to evict
    await pair.same('DBSIZE');
    await pair.same('SET', 'k1', 'v'); // OOM error text
    await pair.same('INCR', 'n');
    await pair.same('DEL', 'k2'); // not denyoom: allowed
    await new Promise((r) => setTimeout(r, 30));
    const expected = (await drain(rSub)).sort();
    assert.equal(expected.length, 21);
    assert.deepEqual((await drain(oSub)).sort(), expected);
    const redisEvicted = await infoField(pair.redis, 'evicted_keys');
    assert.equal(await infoField(pair.ours, 'evicted_keys'), redisEvicted);
    rSub.close();
    oSub.close();
  }
  await pair.same('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'notify-keyspace-events', '');
}));

test('eviction: noeviction and volatile policies without volatile keys refuse writes with OOM, as redis-server', withPair(async (pair) => {
  for (const policy of ['noeviction', 'volatile-lru', 'volatile-ttl', 'volatile-random']) {
    await pair.same('CONFIG', 'SET', 'maxmemory', '0');
    await pair.same('FLUSHALL');
    await pair.same('SET', 'a', '1');
    await pair.same('CONFIG', 'SET', 'maxmemory-policy', policy, 'maxmemory', '1');
    await pair.same('SET', 'b', '1');
    await pair.same('LPUSH', 'l', 'x');
    await pair.same('GET', 'a');
    await pair.same('DBSIZE');
    await pair.same('MULTI');
    await pair.same('GET', 'a'); // any command is refused inside MULTI when over the limit
    await pair.same('EXEC');
    await pair.same('EVAL', "return redis.call('set', 'x', '1')", '0');
    await pair.same('DEL', 'a');
  }
  await pair.same('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction');
}));
