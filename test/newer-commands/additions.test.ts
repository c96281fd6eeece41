/**
 * Differential tests of the smaller Redis 7.2/7.4 additions against redis-server 7.4.1
 * (../shared/oracles): ZRANK/ZREVRANK WITHSCORE, HSCAN NOVALUES, CLIENT SETINFO,
 * CLIENT NO-TOUCH, CLIENT KILL MAXAGE and XREAD's "+" ID, in RESP2 and RESP3.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newerOracleBinary, newerOracleMissing, startPair, type Pair } from '../support/oracle.js';

const binary = newerOracleBinary('redis-server-7.4.1');

describe('7.2/7.4 additions vs redis-server 7.4.1', { skip: binary ? false : newerOracleMissing('redis-server-7.4.1') }, () => {
  let pair: Pair;
  before(async () => {
    pair = (await startPair({}, binary!))!;
  });
  after(async () => pair?.close());

  for (const protocol of ['2', '3']) {
    test(`ZRANK/ZREVRANK WITHSCORE, RESP${protocol}`, async () => {
      await pair.both('HELLO', protocol); // the versions differ (7.0.15 here)
      await pair.same('FLUSHALL');
      await pair.same('ZADD', 'z', '1', 'a', '2.5', 'b', '-inf', 'c');
      for (const command of ['ZRANK', 'ZREVRANK']) {
        await pair.same(command, 'z', 'b', 'WITHSCORE');
        await pair.same(command, 'z', 'c', 'withscore');
        await pair.same(command, 'z', 'nosuch', 'WITHSCORE');
        await pair.same(command, 'nokey', 'a', 'WITHSCORE');
        await pair.same(command, 'z', 'a');
        await pair.sameError(command, 'z', 'a', 'WITHSCORES');
        await pair.sameError(command, 'z', 'a', 'WITHSCORE', 'x');
      }
      await pair.same('SET', 'str', 'x');
      await pair.sameError('ZRANK', 'str', 'a', 'WITHSCORE');
    });

    test(`HSCAN NOVALUES and NOVALUES elsewhere, RESP${protocol}`, async () => {
      await pair.both('HELLO', protocol); // the versions differ (7.0.15 here)
      await pair.same('FLUSHALL');
      await pair.same('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
      await pair.same('HSCAN', 'h', '0', 'NOVALUES');
      await pair.same('HSCAN', 'h', '0', 'MATCH', 'f1', 'NOVALUES');
      await pair.same('HSCAN', 'h', '0', 'NOVALUES', 'COUNT', '5');
      await pair.same('HSCAN', 'nokey', '0', 'NOVALUES');
      const fields = Array.from({ length: 300 }, (_, i) => [`field:${i}`, `v${i}`]).flat();
      await pair.same('HSET', 'big', ...fields);
      let cursor = '0';
      const seen: string[] = [];
      do {
        const reply = (await pair.ours.call('HSCAN', 'big', cursor, 'NOVALUES', 'COUNT', '50')).toString('latin1');
        const parts = reply.split('\r\n');
        cursor = parts[2];
        for (let i = 5; i < parts.length; i += 2) if (parts[i]) seen.push(parts[i]);
      } while (cursor !== '0');
      assert.equal(new Set(seen).size, 300, 'HSCAN NOVALUES over a hashtable returns every field once, no values');
      assert.ok(seen.every((f) => f.startsWith('field:')));
      await pair.sameError('SCAN', '0', 'NOVALUES');
      await pair.same('SADD', 's', 'a');
      await pair.sameError('SSCAN', 's', '0', 'NOVALUES');
      await pair.same('ZADD', 'zz', '1', 'a');
      await pair.sameError('ZSCAN', 'zz', '0', 'NOVALUES');
    });
  }

  test('CLIENT SETINFO and the CLIENT INFO fields it sets', async () => {
    await pair.both('HELLO', '2');
    await pair.same('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib');
    await pair.same('CLIENT', 'SETINFO', 'lib-ver', '1.2.3');
    await pair.sameError('CLIENT', 'SETINFO', 'lib-ver', '1 2');
    await pair.sameError('CLIENT', 'SETINFO', 'lib-name', 'a\nb');
    await pair.sameError('CLIENT', 'SETINFO', 'foo', 'x');
    await pair.sameError('CLIENT', 'SETINFO', 'lib-name');
    const tail = async (which: 'redis' | 'ours') => {
      const line = (await pair[which].call('CLIENT', 'INFO')).toString('latin1');
      return line.match(/lib-name=\S* lib-ver=\S*/)?.[0];
    };
    assert.equal(await tail('ours'), 'lib-name=mylib lib-ver=1.2.3');
    assert.equal(await tail('ours'), await tail('redis'));
    await pair.same('CLIENT', 'SETINFO', 'lib-name', '');
    assert.equal(await tail('ours'), await tail('redis'));
    await pair.same('RESET');
    assert.equal(await tail('ours'), 'lib-name= lib-ver=1.2.3', 'RESET keeps the library');
  });

  test('CLIENT NO-TOUCH: the flag, its errors, and access times left alone', async () => {
    await pair.same('CLIENT', 'NO-TOUCH', 'ON');
    await pair.sameError('CLIENT', 'NO-TOUCH', 'maybe');
    await pair.sameError('CLIENT', 'NO-TOUCH');
    const flags = async (which: 'redis' | 'ours') => (await pair[which].call('CLIENT', 'INFO')).toString('latin1').match(/flags=(\S+)/)?.[1];
    assert.equal(await flags('ours'), 'T');
    assert.equal(await flags('ours'), await flags('redis'));
    await pair.same('CLIENT', 'NO-TOUCH', 'OFF');
    assert.equal(await flags('ours'), await flags('redis'));
    // OBJECT IDLETIME: a GET from a no-touch client leaves it growing, TOUCH resets it.
    await pair.ours.call('SET', 'k', 'v');
    await pair.ours.call('OBJECT', 'IDLETIME', 'k');
    await pair.ours.call('CLIENT', 'NO-TOUCH', 'ON');
    await new Promise((r) => setTimeout(r, 2100));
    await pair.ours.call('GET', 'k');
    const idle = (await pair.ours.call('OBJECT', 'IDLETIME', 'k')).toString('latin1');
    assert.ok(Number(idle.slice(1)) >= 2, `idle ${idle} after a no-touch GET`);
    await pair.ours.call('TOUCH', 'k');
    assert.equal((await pair.ours.call('OBJECT', 'IDLETIME', 'k')).toString('latin1'), ':0\r\n');
    await pair.ours.call('CLIENT', 'NO-TOUCH', 'OFF');
  });

  test('CLIENT KILL MAXAGE', async () => {
    await pair.sameError('CLIENT', 'KILL', 'MAXAGE', '0');
    await pair.sameError('CLIENT', 'KILL', 'MAXAGE', 'x');
    await pair.same('CLIENT', 'KILL', 'MAXAGE', '100000');
    const [redisExtra, oursExtra] = await pair.connectBoth();
    await new Promise((r) => setTimeout(r, 1100));
    await pair.same('CLIENT', 'KILL', 'MAXAGE', '1', 'SKIPME', 'yes');
    redisExtra.close();
    oursExtra.close();
  });

  for (const protocol of ['2', '3']) {
    test(`XREAD with the + ID, RESP${protocol}`, async () => {
      await pair.both('HELLO', protocol); // the versions differ (7.0.15 here)
      await pair.same('FLUSHALL');
      await pair.same('XADD', 's', '1-1', 'a', '1');
      await pair.same('XADD', 's', '2-1', 'b', '2');
      await pair.same('XREAD', 'STREAMS', 's', '+');
      await pair.same('XREAD', 'COUNT', '5', 'STREAMS', 's', 'nokey', '+', '+');
      await pair.same('XDEL', 's', '2-1');
      await pair.same('XREAD', 'STREAMS', 's', '+');
      await pair.same('XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM');
      await pair.sameError('XREAD', 'STREAMS', 'e', '+');
      await pair.sameError('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'e', '+');
    });
  }
});
