/**
 * Key DUMP / RESTORE against redis-server 7.0.15: identical payloads for every
 * deterministic encoding, payloads restored across implementations, identical errors,
 * and fuzzed payloads that never crash lunakv nor change its data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crc64 } from '../../src/persistence/crc64.js';
import { pairPerFile } from '../support/oracle.js';
import { datasetCommands, keyspaceView, q } from './support.js';
import { decodeResp } from '../support/resp-decode.js';

const withPair = pairPerFile();

const DETERMINISTIC = /^(str|list|set:intset|set:wide|hash:lp|zset:lp)/;

test('DUMP payloads are byte-identical, RESTORE works across implementations, errors match', withPair(async (pair) => {
  for (const c of datasetCommands()) {
    if (c[0] === 'FUNCTION') continue;
    await pair.same(...c);
  }
  await pair.same('SELECT', 0);
  const keys = (decodeResp((await pair.both('KEYS', '*'))[0]) as string[]).sort();
  let compared = 0;
  for (const key of keys) {
    if (!DETERMINISTIC.test(key)) continue;
    await pair.same('DUMP', key);
    compared++;
  }
  assert.ok(compared >= 13, `compared ${compared} payloads`);

  // Every payload, deterministic or not, restores on the other side to the same value.
  for (const key of keys) {
    const [fromRedis, fromOurs] = await pair.both('DUMP', key);
    const redisPayload = decodeResp(fromRedis) as string;
    const ourPayload = decodeResp(fromOurs) as string;
    await pair.same('RESTORE', `copy:${key}`, 0, Buffer.from(ourPayload, 'latin1'));
    await pair.same('RESTORE', `copy2:${key}`, 0, Buffer.from(redisPayload, 'latin1'));
  }
  const [redisView, ourView] = [await keyspaceView(pair.redis, 1), await keyspaceView(pair.ours, 1)];
  for (const key of keys) {
    assert.deepEqual(ourView[`0:copy:${key}`]!.content, redisView[`0:${key}`]!.content, key);
    assert.deepEqual(ourView[`0:copy2:${key}`]!.content, redisView[`0:${key}`]!.content, key);
    assert.equal(ourView[`0:copy:${key}`]!.encoding, redisView[`0:copy:${key}`]!.encoding, key);
  }

  const payload = Buffer.from(decodeResp(await pair.same('DUMP', 'str:raw')) as string, 'latin1');
  await pair.same('DUMP', 'missing');
  await pair.same('RESTORE', 'str:raw', 0, payload);
  await pair.same('RESTORE', 'str:raw', 0, payload, 'REPLACE');
  await pair.same('RESTORE', 'ttl', 100000, payload);
  assert.equal(decodeResp(await pair.ours.call('PTTL', 'ttl')) as number > 99000, true);
  await pair.same('RESTORE', 'abs', Date.now() + 100000, payload, 'ABSTTL');
  await pair.same('RESTORE', 'past', 1, payload, 'ABSTTL');
  await pair.same('EXISTS', 'past');
  await pair.same('RESTORE', 'x', -1, payload);
  await pair.same('RESTORE', 'x', 'abc', payload);
  await pair.same('RESTORE', 'x', 0, payload, 'IDLETIME', -1);
  await pair.same('RESTORE', 'x', 0, payload, 'IDLETIME', 10);
  await pair.same('RESTORE', 'y', 0, payload, 'FREQ', 256);
  await pair.same('RESTORE', 'y', 0, payload, 'FREQ', 5, 'IDLETIME', 10);
  await pair.same('RESTORE', 'y', 0, payload, 'BOGUS');
  await pair.same('RESTORE', 'y', 0, 'not a payload');
  await pair.same('RESTORE', 'y', 0, Buffer.concat([payload.subarray(0, 3), payload.subarray(4)]));
  const wrongVersion = Buffer.from(payload);
  wrongVersion[wrongVersion.length - 10] = 11;
  await pair.same('RESTORE', 'y', 0, wrongVersion);
  // A valid footer around bad data: "Bad data format".
  await pair.same('RESTORE', 'y', 0, withFooter(Buffer.from([0x0e, 0x01, 0x02])));
  await pair.same('RESTORE', 'y', 0, withFooter(Buffer.from([0x63])));
  await pair.same('EXISTS', 'y');
}));

/** Appends version 10 and a correct CRC-64 to a body. */
function withFooter(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 10);
  body.copy(out);
  out.writeUInt16LE(10, body.length);
  out.writeBigUInt64LE(new Crc64().update(out, 0, body.length + 2).digest(), body.length + 2);
  return out;
}

test('fuzzed DUMP payloads never crash lunakv and never change its data', withPair(async (pair) => {
  const client = pair.ours;
  for (const c of datasetCommands()) if (c[0] !== 'FUNCTION') await q(client, ...c);
  const keys = ((await q(client, 'KEYS', '*')) as string[]).filter((k) => !k.includes('big'));
  const payloads = [];
  for (const key of keys) payloads.push(Buffer.from((await q(client, 'DUMP', key)) as string, 'latin1'));
  const size = await q(client, 'DBSIZE');
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 1500; i++) {
    const base = payloads[random(payloads.length)]!;
    const body = Buffer.from(base.subarray(0, base.length - 10));
    const mutations = 1 + random(4);
    for (let m = 0; m < mutations; m++) {
      const kind = random(3);
      if (kind === 0 && body.length > 0) body[random(body.length)] = random(256);
      else if (kind === 1 && body.length > 1) body[random(body.length)] ^= 1 << random(8);
      else if (body.length > 2) body.writeUInt8(random(256), random(body.length));
    }
    const cut = random(10) === 0 ? body.subarray(0, random(body.length)) : body;
    const reply = await q(client, 'RESTORE', 'fuzz:target', 0, withFooter(Buffer.from(cut)), 'REPLACE');
    if (reply === 'OK') {
      accepted++;
      await q(client, 'DEL', 'fuzz:target');
    } else {
      refused++;
      assert.deepEqual(reply, { error: 'ERR Bad data format' });
      assert.equal(await q(client, 'EXISTS', 'fuzz:target'), 0);
    }
  }
  assert.equal(await q(client, 'DBSIZE'), size);
  assert.equal(await q(client, 'PING'), 'PONG');
  assert.ok(refused > 100 && accepted + refused === 1500, `accepted ${accepted}, refused ${refused}`);
}));
