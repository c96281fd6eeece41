/**
 * Generic keyspace commands against redis-server 7.0.15: DEL, UNLINK, EXISTS, TYPE,
 * TOUCH, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, OBJECT (RESP2 and RESP3).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, type Pair } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';
import { decodeReply, scanReply } from '../support/resp-decode.js';

const withPair = pairPerFile();

async function setBoth(p: Pair, ...pairs: string[]): Promise<void> {
  for (let i = 0; i < pairs.length; i += 2) await p.same('SET', pairs[i], pairs[i + 1]);
}

/** Scans to the end on one connection; returns every key returned (with repeats) and the number of calls. */
async function fullScan(c: RespClient, ...opts: string[]): Promise<{ keys: string[]; calls: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let calls = 0;
  do {
    const r = scanReply(await c.call('SCAN', cursor, ...opts));
    cursor = r.cursor;
    keys.push(...r.keys);
    calls++;
  } while (cursor !== '0' && calls < 100000);
  return { keys, calls };
}

describe('DEL, UNLINK, EXISTS, TYPE, TOUCH', () => {
  it('count existing keys and delete them', withPair(async (p) => {
    await setBoth(p, 'a', '1', 'b', '2', 'c', '3');
    await p.sameAll([
      ['EXISTS', 'a', 'b', 'nokey', 'a'],
      ['TOUCH', 'a', 'nokey', 'c'],
      ['DEL', 'a', 'nokey', 'a'],
      ['UNLINK', 'b', 'c', 'b'],
      ['EXISTS', 'a', 'b', 'c'],
      ['DEL', 'nokey'],
      ['DEL'],
      ['UNLINK'],
      ['EXISTS'],
      ['TOUCH'],
    ]);
  }));

  it('TYPE of strings and missing keys, and its arity', withPair(async (p) => {
    await setBoth(p, 's', 'v', 'n', '12');
    await p.sameAll([['TYPE', 's'], ['TYPE', 'n'], ['TYPE', 'missing'], ['TYPE'], ['TYPE', 'a', 'b']]);
  }));

  it('TYPE of collections when the types exist', withPair(async (p) => {
    const [, hset] = await p.both('HSET', 'h', 'f', 'v');
    if (hset.toString().startsWith('-ERR unknown command')) return;
    await p.same('TYPE', 'h');
  }));
});

describe('KEYS', () => {
  const keys = ['foo', 'fao', 'f*o', 'f\\o', 'a[b', 'hello', 'hallo', 'hxllo', 'h-llo', 'hllo', 'heeeello', 'key:1', 'key:12', 'key:2', '', 'F', 'f'];
  const patterns = [
    '*', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo', 'h[\\-]llo', 'h[-]llo',
    'f\\*o', 'f\\\\o', 'f\\', 'f\\o', '[', 'a[', 'a\\[b', 'a[[]b', '*[', '*llo', 'key:?', 'key:*', 'key:[12]*',
    '', 'x*', '?', '[f-F]', '[^a-z]*', 'h[a-', 'h[]llo', '**', '*\\', 'h[a-e-x]llo',
  ];

  it('matches exactly as stringmatchlen', withPair(async (p) => {
    for (const k of keys) await p.same('SET', k, 'v');
    for (const pattern of patterns) await p.sameSorted('KEYS', pattern);
  }));

  it('skips expired keys and answers an empty array on an empty db', withPair(async (p) => {
    await p.same('KEYS', '*');
    await setBoth(p, 'a', '1', 'b', '2');
    await p.same('PEXPIRE', 'a', '1');
    await new Promise((r) => setTimeout(r, 20));
    await p.same('KEYS', '*');
    await p.same('KEYS');
  }));
});

describe('SCAN', () => {
  it('rejects bad cursors and options like Redis', withPair(async (p) => {
    await p.sameAll([
      ['SCAN', 'abc'],
      ['SCAN', ' 1'],
      ['SCAN', '1 '],
      ['SCAN', '0x10'],
      ['SCAN', '18446744073709551616'],
      ['SCAN', '+'],
      ['SCAN', '-'],
      ['SCAN', '1.5'],
      ['SCAN', '0', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'abc'],
      ['SCAN', '0', 'COUNT', '0', 'BAD'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'COUNT'],
      ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN'],
    ]);
  }));

  it('accepts what strtoul accepts, on an empty database', withPair(async (p) => {
    for (const cursor of ['0', '', '+0', '-0', '00', '18446744073709551615', '-1']) await p.same('SCAN', cursor);
    await p.same('SCAN', '0', 'count', '5', 'match', '*', 'type', 'string');
  }));

  it('returns every key exactly as the key set, with MATCH and TYPE filters', withPair(async (p) => {
    const [rc, oc] = [p.redis, p.ours];
    const cmds: string[][] = [];
    for (let i = 0; i < 1000; i++) cmds.push(['SET', `key:${i}`, String(i)]);
    await rc.pipeline(cmds);
    await oc.pipeline(cmds);
    for (const opts of [[], ['COUNT', '100'], ['COUNT', '1'], ['MATCH', 'key:1*'], ['MATCH', 'key:[2-3]?', 'COUNT', '50'], ['TYPE', 'string'], ['TYPE', 'STRING'], ['TYPE', 'list'], ['TYPE', 'none']]) {
      const ours = await fullScan(oc, ...opts);
      const theirs = await fullScan(rc, ...opts);
      assert.deepEqual([...new Set(ours.keys)].sort(), [...new Set(theirs.keys)].sort(), `SCAN ${opts.join(' ')}`);
    }
  }));

  it('COUNT bounds the work of one call', withPair(async (p) => {
    const cmds: string[][] = [];
    for (let i = 0; i < 200; i++) cmds.push(['SET', `k${i}`, 'v']);
    await p.ours.pipeline(cmds);
    const first = scanReply(await p.ours.call('SCAN', '0', 'COUNT', '10'));
    assert.notEqual(first.cursor, '0');
    assert.ok(first.keys.length >= 1 && first.keys.length < 40, `${first.keys.length} keys for COUNT 10`);
    const big = scanReply(await p.ours.call('SCAN', '0', 'COUNT', '1000'));
    assert.equal(big.cursor, '0');
    assert.equal(new Set(big.keys).size, 200);
  }));

  it('returns all keys present for the whole scan despite inserts and deletes in between', withPair(async (p) => {
    for (const c of [p.ours, p.redis]) {
      const stable = new Set<string>();
      const cmds: string[][] = [];
      for (let i = 0; i < 500; i++) {
        cmds.push(['SET', `stable:${i}`, 'v'], ['SET', `volatile:${i}`, 'v']);
        stable.add(`stable:${i}`);
      }
      await c.pipeline(cmds);
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const r = scanReply(await c.call('SCAN', cursor, 'COUNT', '20'));
        cursor = r.cursor;
        for (const k of r.keys) seen.add(k);
        // Grow (forcing rehashes) and shrink the table between calls.
        const churn: string[][] = [];
        for (let i = 0; i < 40; i++) churn.push(['SET', `new:${round}:${i}`, 'v']);
        for (let i = 0; i < 10; i++) churn.push(['DEL', `volatile:${round * 10 + i}`]);
        await c.pipeline(churn);
        round++;
      } while (cursor !== '0');
      for (const k of stable) assert.ok(seen.has(k), `missing ${k}`);
      await c.call('FLUSHALL');
    }
  }));

  it('does not return expired keys', withPair(async (p) => {
    await setBoth(p, 'a', '1', 'b', '2');
    await p.same('PEXPIRE', 'a', '1');
    await new Promise((r) => setTimeout(r, 20));
    await p.same('SCAN', '0');
    await p.same('DBSIZE');
  }));
});

describe('RANDOMKEY', () => {
  it('answers null on an empty database and a key otherwise', withPair(async (p) => {
    await p.same('RANDOMKEY');
    await p.same('SET', 'only', 'v');
    await p.same('RANDOMKEY');
    await setBoth(p, 'a', '1', 'b', '2');
    const got = decodeReply(await p.ours.call('RANDOMKEY'));
    assert.ok(['only', 'a', 'b'].includes(got as string));
  }));

  it('never returns an expired key', withPair(async (p) => {
    await setBoth(p, 'gone', 'v');
    await p.same('PEXPIRE', 'gone', '1');
    await new Promise((r) => setTimeout(r, 20));
    await p.same('RANDOMKEY');
  }));
});

describe('RENAME, RENAMENX', () => {
  it('errors and same-key cases', withPair(async (p) => {
    await p.sameAll([
      ['RENAME', 'nokey', 'x'],
      ['RENAMENX', 'nokey', 'x'],
      ['RENAME', 'nokey', 'nokey'],
      ['RENAMENX', 'nokey', 'nokey'],
      ['SET', 'k', 'v'],
      ['RENAME', 'k', 'k'],
      ['RENAMENX', 'k', 'k'],
      ['GET', 'k'],
      ['RENAME', 'k'],
      ['RENAMENX', 'k', 'a', 'b'],
    ]);
  }));

  it('moves the value and its TTL, replacing the target', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'src', 'v1'],
      ['EXPIRE', 'src', '100'],
      ['SET', 'dst', 'old'],
      ['EXPIRE', 'dst', '500'],
      ['RENAME', 'src', 'dst'],
      ['EXISTS', 'src'],
      ['GET', 'dst'],
      ['TTL', 'dst'],
      ['SET', 'plain', 'x'],
      ['RENAME', 'plain', 'dst'],
      ['TTL', 'dst'],
      ['SET', 'a', '1'],
      ['RENAMENX', 'a', 'dst'],
      ['RENAMENX', 'a', 'fresh'],
      ['GET', 'fresh'],
      ['EXISTS', 'a'],
    ]);
  }));

  it('treats an expired source as missing', withPair(async (p) => {
    await p.same('SET', 'e', 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    await p.same('RENAME', 'e', 'x');
  }));
});

describe('COPY', () => {
  it('option and argument errors', withPair(async (p) => {
    await p.same('SET', 'k', 'v');
    await p.sameAll([
      ['COPY', 'k', 'k'],
      ['COPY', 'k', 'k', 'DB', '0'],
      ['COPY', 'k', 'x', 'DB'],
      ['COPY', 'k', 'x', 'DB', 'abc'],
      ['COPY', 'k', 'x', 'DB', '16'],
      ['COPY', 'k', 'x', 'DB', '-1'],
      ['COPY', 'k', 'x', 'DB', '2147483648'],
      ['COPY', 'k', 'x', 'FOO'],
      ['COPY', 'k', 'x', 'REPLACE', 'FOO'],
      ['COPY', 'nokey', 'x'],
      ['COPY', 'k'],
    ]);
  }));

  it('copies values and TTLs, within and across databases', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100'],
      ['COPY', 'k', 'c'],
      ['GET', 'c'],
      ['TTL', 'c'],
      ['SET', 'other', 'o'],
      ['COPY', 'k', 'other'],
      ['GET', 'other'],
      ['COPY', 'k', 'other', 'REPLACE'],
      ['GET', 'other'],
      ['TTL', 'other'],
      ['COPY', 'k', 'k', 'DB', '1'],
      ['COPY', 'k', 'k', 'db', '1', 'replace'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['TTL', 'k'],
      ['SELECT', '0'],
      ['SET', 'k', 'changed'],
      ['GET', 'c'],
    ]);
  }));

  it('copies collections when the types exist', withPair(async (p) => {
    const [, probe] = await p.both('RPUSH', 'l', 'a', 'b');
    if (probe.toString().startsWith('-ERR unknown command')) return;
    await p.sameAll([
      ['COPY', 'l', 'l2'],
      ['RPUSH', 'l', 'c'],
      ['LRANGE', 'l2', '0', '-1'],
      ['LRANGE', 'l', '0', '-1'],
    ]);
  }));
});

describe('MOVE', () => {
  it('errors, missing keys and existing targets', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v'],
      ['MOVE', 'k', '0'],
      ['MOVE', 'k', 'abc'],
      ['MOVE', 'k', '16'],
      ['MOVE', 'k', '-1'],
      ['MOVE', 'k', '99999999999'],
      ['MOVE', 'nokey', '1'],
      ['MOVE', 'nokey', '0'],
      ['SELECT', '1'],
      ['SET', 'k', 'there'],
      ['SELECT', '0'],
      ['MOVE', 'k', '1'],
      ['GET', 'k'],
      ['MOVE', 'k'],
    ]);
  }));

  it('moves the value and its TTL', withPair(async (p) => {
    await p.sameAll([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100'],
      ['MOVE', 'k', '2'],
      ['EXISTS', 'k'],
      ['SELECT', '2'],
      ['GET', 'k'],
      ['TTL', 'k'],
    ]);
  }));
});

describe('OBJECT', () => {
  it('ENCODING and REFCOUNT of strings', withPair(async (p) => {
    const values = ['1', '0', '9999', '10000', '-1', '01', '+1', ' 1', '12345678901234567890', '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'hello', 'x'.repeat(44), 'x'.repeat(45), ''];
    for (const [i, v] of values.entries()) {
      await p.same('SET', `s${i}`, v);
      await p.same('OBJECT', 'ENCODING', `s${i}`);
      await p.same('OBJECT', 'REFCOUNT', `s${i}`);
    }
  }));

  it('missing keys, help, errors, IDLETIME and FREQ', withPair(async (p) => {
    await p.sameAll([
      ['OBJECT', 'ENCODING', 'missing'],
      ['OBJECT', 'REFCOUNT', 'missing'],
      ['OBJECT', 'IDLETIME', 'missing'],
      ['OBJECT', 'FREQ', 'missing'],
      ['OBJECT', 'HELP'],
      ['OBJECT', 'help', 'extra'],
      ['OBJECT', 'FOO', 'k'],
      ['OBJECT', 'ENCODING'],
      ['OBJECT'],
      ['SET', 'k', 'hello'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['OBJECT', 'FREQ', 'k'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ]);
  }));

  it('IDLETIME grows while a key is not accessed and resets on access', withPair(async (p) => {
    const c = p.ours;
    await c.call('SET', 'idle', 'v');
    await c.call('OBJECT', 'IDLETIME', 'idle');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(decodeReply(await c.call('OBJECT', 'IDLETIME', 'idle')), 1);
    // OBJECT, TYPE and EXISTS do not touch; GET does.
    await c.call('TYPE', 'idle');
    assert.equal(decodeReply(await c.call('OBJECT', 'IDLETIME', 'idle')), 1);
    await c.call('GET', 'idle');
    assert.equal(decodeReply(await c.call('OBJECT', 'IDLETIME', 'idle')), 0);
  }));
});

describe('RESP3', () => {
  it('replies in RESP3 like Redis', withPair(async (p) => {
    await p.same('HELLO', '3');
    try {
      await p.sameAll([
        ['RANDOMKEY'],
        ['OBJECT', 'ENCODING', 'missing'],
        ['SET', 'k', 'v'],
        ['TYPE', 'k'],
        ['TYPE', 'missing'],
        ['KEYS', '*'],
        ['SCAN', '0'],
        ['OBJECT', 'ENCODING', 'k'],
        ['OBJECT', 'HELP'],
        ['TTL', 'k'],
        ['EXPIRE', 'k', '100'],
        ['TTL', 'k'],
        ['EXPIRETIME', 'missing'],
        ['RENAME', 'k', 'k2'],
        ['COPY', 'k2', 'k3'],
        ['EXISTS', 'k2', 'k3'],
      ]);
    } finally {
      await p.same('HELLO', '2');
    }
  }));
});

describe('DEBUG gate', () => {
  it('is refused while enable-debug-command is no', withPair(async (p) => {
    await p.same('DEBUG', 'SLEEP', '0');
    await p.same('DEBUG', 'OBJECT', 'k');
  }));
});
