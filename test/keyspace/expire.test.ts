/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME,
 * PERSIST, and lazy and active expiry, against redis-server 7.0.15.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile } from '../support/oracle.js';
import { decodeReply } from '../support/resp-decode.js';

const withPair = pairPerFile({ 'enable-debug-command': 'yes' }, [['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['FLUSHALL']]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A unix time in seconds far in the future (2100-01-01). */
const FAR = 4102444800;

describe('EXPIRE family errors', () => {
  it('options, integers and overflow', withPair(async (p) => {
    await p.same('SET', 'foo', 'bar');
    await p.sameAll([
      ['EXPIRE', 'foo', 'abc'],
      ['EXPIRE', 'foo', '1.5'],
      ['EXPIRE', 'foo', '100', 'FOO'],
      ['EXPIRE', 'foo', 'abc', 'FOO'],
      ['EXPIRE', 'foo', '100', 'NX', 'XX'],
      ['EXPIRE', 'foo', '100', 'NX', 'GT'],
      ['EXPIRE', 'foo', '100', 'LT', 'NX'],
      ['EXPIRE', 'foo', '100', 'GT', 'LT'],
      ['EXPIRE', 'foo', '100', 'XX', 'GT', 'LT'],
      ['PEXPIRE', 'foo', '100', 'nx', 'xx'],
      ['EXPIRE', 'foo', '9223370399119966'],
      ['EXPIRE', 'foo', '9223372036854776'],
      ['EXPIRE', 'foo', '10000000000000000'],
      ['EXPIRE', 'foo', '18446744073709561'],
      ['EXPIRE', 'foo', '-9223372036854776'],
      ['EXPIRE', 'foo', '-9999999999999999'],
      ['EXPIREAT', 'foo', '9223372036854776'],
      ['PEXPIRE', 'foo', '9223372036854770000'],
      ['EXPIRE', 'foo', '99999999999999999999'],
      ['TTL', 'foo'],
      ['EXPIRE', 'foo'],
      ['TTL'],
      ['PERSIST', 'a', 'b'],
    ]);
  }));

  it('huge absolute times are stored; huge negative ones delete', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'foo', 'bar'],
      ['PEXPIREAT', 'foo', '9223372036854770000'],
      ['PEXPIRETIME', 'foo'],
      ['EXPIRETIME', 'foo'],
      ['PEXPIREAT', 'foo', '-9223372036854770000'],
      ['TTL', 'foo'],
      ['EXISTS', 'foo'],
    ]);
  }));
});

describe('EXPIRE family behaviour', () => {
  it('missing keys, TTL without expire, absolute times', withPair(async (p) => {
    await p.sameAll([
      ['EXPIRE', 'nokey', '100'],
      ['PEXPIREAT', 'nokey', String(FAR * 1000)],
      ['TTL', 'nokey'],
      ['PTTL', 'nokey'],
      ['EXPIRETIME', 'nokey'],
      ['PEXPIRETIME', 'nokey'],
      ['PERSIST', 'nokey'],
      ['SET', 'k', 'v'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PERSIST', 'k'],
      ['EXPIREAT', 'k', String(FAR)],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', String(FAR * 1000 + 1234)],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['EXPIRE', 'k', '100'],
      ['TTL', 'k'],
      ['PERSIST', 'k'],
      ['TTL', 'k'],
      ['PERSIST', 'k'],
    ]);
  }));

  it('TTL rounds to the nearest second, PTTL counts down', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v'],
      ['PEXPIRE', 'k', '1600'],
      ['TTL', 'k'],
      ['PEXPIRE', 'k', '1400'],
      ['TTL', 'k'],
      ['PEXPIRE', 'k', '400'],
      ['TTL', 'k'],
    ]);
    const pttl = decodeReply(await p.ours.call('PTTL', 'k')) as number;
    assert.ok(pttl > 300 && pttl <= 400, `PTTL ${pttl}`);
  }));

  it('NX, XX, GT and LT', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'XX'],
      ['EXPIRE', 'k', '100', 'GT'],
      ['EXPIRE', 'k', '100', 'LT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'NX'],
      ['EXPIRE', 'k', '300', 'NX'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '400', 'XX'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '300', 'GT'],
      // 401, not 400: with 400 the reply depends on whether a millisecond passed since XX 400.
      ['EXPIRE', 'k', '401', 'GT'],
      ['EXPIRE', 'k', '500', 'GT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '600', 'LT'],
      ['EXPIRE', 'k', '500', 'LT'],
      ['EXPIRE', 'k', '450', 'lt', 'xx'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '1000', 'XX', 'GT'],
      ['TTL', 'k'],
      ['PERSIST', 'k'],
      ['EXPIRE', 'k', '-1', 'LT'],
      ['EXISTS', 'k'],
    ]);
  }));

  it('a time in the past deletes the key', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'a', 'v'],
      ['EXPIRE', 'a', '-1'],
      ['EXISTS', 'a'],
      ['SET', 'b', 'v'],
      ['PEXPIRE', 'b', '0'],
      ['EXISTS', 'b'],
      ['SET', 'c', 'v'],
      ['EXPIREAT', 'c', '1'],
      ['EXISTS', 'c'],
      ['SET', 'd', 'v'],
      ['PEXPIREAT', 'd', '0'],
      ['GET', 'd'],
      ['DBSIZE'],
    ]);
  }));

  it('writes that replace the value clear the TTL; RENAME keeps it', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v', 'EX', '100'],
      ['SET', 'k', 'w'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '100'],
      ['RENAME', 'k', 'k2'],
      ['TTL', 'k2'],
    ]);
  }));
});

describe('expiry', () => {
  it('lazy: an expired key is gone on access even without active expiry', withPair(async (p) => {
    await p.same('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await p.sameAll([
      ['SET', 'k1', 'v'],
      ['SET', 'k2', 'v'],
      ['SET', 'k3', 'v'],
      ['PEXPIRE', 'k1', '30'],
      ['PEXPIRE', 'k2', '30'],
      ['PEXPIRE', 'k3', '30'],
      ['SET', 'keep', 'v'],
    ]);
    await sleep(80);
    await p.sameAll([
      ['DBSIZE'],
      ['KEYS', '*'],
      ['DBSIZE'],
      ['GET', 'k1'],
      ['DBSIZE'],
      ['EXISTS', 'k2'],
      ['TTL', 'k3'],
      ['DBSIZE'],
    ]);
  }));

  it('active: expired keys disappear without being accessed', withPair(async (p) => {
    const cmds: string[][] = [];
    for (let i = 0; i < 30; i++) cmds.push(['SET', `k${i}`, 'v', 'PX', String(20 + i)]);
    cmds.push(['SET', 'keep', 'v']);
    await p.redis.pipeline(cmds);
    await p.ours.pipeline(cmds);
    let ours = -1;
    for (let i = 0; i < 40 && ours !== 1; i++) {
      await sleep(50);
      ours = decodeReply(await p.ours.call('DBSIZE')) as number;
    }
    assert.equal(ours, 1);
    // The counter of INFO stats saw them.
    const info = decodeReply(await p.ours.call('INFO', 'stats')) as string;
    assert.match(info, /\r\nexpired_keys:(3\d|[4-9]\d)\r\n/);
  }));

  it('WATCH of a key that expires makes EXEC fail like Redis', withPair(async (p) => {
    await p.sameAll([['SET', 'w', 'v', 'PX', '30'], ['WATCH', 'w']]);
    await sleep(60);
    await p.sameAll([['MULTI'], ['PING'], ['EXEC']]);
  }));
});

describe('RESP3', () => {
  it('TTL family replies', withPair(async (p) => {
    await p.same('HELLO', '3');
    try {
      await p.sameAll([
        ['SET', 'k', 'v'],
        ['EXPIREAT', 'k', String(FAR)],
        ['TTL', 'nokey'],
        ['EXPIRETIME', 'k'],
        ['EXPIRE', 'k', 'x'],
        ['EXPIRE', 'k', '10', 'GT', 'LT'],
        ['PERSIST', 'k'],
      ]);
    } finally {
      await p.same('HELLO', '2');
    }
  }));
});
