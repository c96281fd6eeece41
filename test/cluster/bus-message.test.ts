/**
 * The cluster bus codec: every message type round-trips, the layout matches cluster.h's
 * offsets, and malformed, truncated and oversized input is an error result, never an
 * exception. The differential part talks to a redis-server 7.0.15 bus port directly: it
 * accepts our MEET and PING (it answers PONGs and adds us, in handshake, to its nodes),
 * and we decode what it sends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  checkFrameStart,
  decodeMessage,
  encodeMessage,
  FrameReader,
  GOSSIP_LEN,
  HEADER_LEN,
  MAX_MESSAGE_LEN,
  MsgFlag0,
  MsgType,
  type BusMessage,
} from '../../src/cluster/bus-message.js';
import { crc16, keyHashSlot } from '../../src/cluster/key-slot.js';
import { oracleAvailable, ORACLE_MISSING } from '../support/oracle.js';
import { call, eventually, redisClusterNode, sleep } from './support.js';

const ID_A = 'a'.repeat(40);
const ID_B = '0123456789abcdef0123456789abcdef01234567';

function header(type: number, extra: Partial<BusMessage> = {}): BusMessage {
  const myslots = new Uint8Array(2048);
  myslots[0] = 0b101; // slots 0 and 2
  myslots[2047] = 0x80; // slot 16383
  return {
    type,
    port: 7000,
    currentEpoch: 12,
    configEpoch: 7,
    offset: 123456789,
    sender: ID_A,
    myslots,
    slaveof: null,
    myip: '10.0.0.1',
    pport: 0,
    cport: 17000,
    flags: 1,
    state: 0,
    mflags: [0, 0, 0],
    ...extra,
  };
}

function roundTrip(m: BusMessage): BusMessage {
  const buf = encodeMessage(m);
  const d = decodeMessage(buf);
  assert.ok(d.ok, d.ok ? '' : d.error);
  return d.message;
}

test('the header layout follows cluster.h offsets', () => {
  const buf = encodeMessage(header(MsgType.PING, { ping: { gossip: [], extensions: [] }, slaveof: ID_B }));
  assert.equal(buf.length, HEADER_LEN);
  assert.equal(buf.toString('latin1', 0, 4), 'RCmb');
  assert.equal(buf.readUInt32BE(4), HEADER_LEN);
  assert.equal(buf.readUInt16BE(8), 1, 'ver');
  assert.equal(buf.readUInt16BE(10), 7000, 'port');
  assert.equal(buf.readBigUInt64BE(16), 12n, 'currentEpoch');
  assert.equal(buf.readBigUInt64BE(24), 7n, 'configEpoch');
  assert.equal(buf.readBigUInt64BE(32), 123456789n, 'offset');
  assert.equal(buf.toString('latin1', 40, 80), ID_A, 'sender');
  assert.equal(buf[80], 0b101, 'myslots');
  assert.equal(buf.toString('latin1', 2128, 2168), ID_B, 'slaveof');
  assert.equal(buf.toString('latin1', 2168, 2176), '10.0.0.1', 'myip');
  assert.equal(buf.readUInt16BE(2248), 17000, 'cport');
  assert.equal(buf.readUInt16BE(2250), 1, 'flags');
});

test('every message type round-trips', () => {
  const gossip = [
    { nodename: ID_B, pingSent: 1, pongReceived: 1700000000, ip: '127.0.0.1', port: 7001, cport: 17001, flags: 2, pport: 0 },
    { nodename: ID_A, pingSent: 0, pongReceived: 0, ip: '::1', port: 7002, cport: 17002, flags: 9, pport: 5 },
  ];
  const ping = roundTrip(header(MsgType.PING, { ping: { gossip, extensions: [{ type: 0, hostname: 'host-1.example' }] } }));
  assert.deepEqual(ping.ping!.gossip, gossip);
  assert.deepEqual(ping.ping!.extensions, [{ type: 0, hostname: 'host-1.example' }]);
  assert.equal(ping.mflags[0] & MsgFlag0.EXT_DATA, MsgFlag0.EXT_DATA, 'EXT_DATA is set with extensions');
  assert.equal(encodeMessage(header(MsgType.PING, { ping: { gossip, extensions: [] } })).length, HEADER_LEN + 2 * GOSSIP_LEN);
  // 'host-1.example' + NUL = 15 bytes, padded to 16, plus the 8-byte extension header.
  assert.equal(encodeMessage(header(MsgType.PONG, { ping: { gossip: [], extensions: [{ type: 0, hostname: 'host-1.example' }] } })).length, HEADER_LEN + 24);

  const fail = roundTrip(header(MsgType.FAIL, { failing: ID_B }));
  assert.equal(fail.failing, ID_B);
  assert.equal(encodeMessage(header(MsgType.FAIL, { failing: ID_B })).length, HEADER_LEN + 40);

  const pub = roundTrip(header(MsgType.PUBLISH, { publish: { channel: Buffer.from('news'), message: Buffer.from([0, 1, 255]) } }));
  assert.deepEqual(pub.publish, { channel: Buffer.from('news'), message: Buffer.from([0, 1, 255]) });

  const slots = new Uint8Array(2048).fill(0xff);
  const upd = roundTrip(header(MsgType.UPDATE, { update: { configEpoch: 99, nodename: ID_B, slots } }));
  assert.equal(upd.update!.configEpoch, 99);
  assert.equal(upd.update!.nodename, ID_B);
  assert.deepEqual(upd.update!.slots, slots);

  for (const type of [MsgType.FAILOVER_AUTH_REQUEST, MsgType.FAILOVER_AUTH_ACK, MsgType.MFSTART]) {
    const m = roundTrip(header(type, { mflags: [MsgFlag0.FORCEACK, 0, 0] }));
    assert.equal(m.type, type);
    assert.equal(m.mflags[0], MsgFlag0.FORCEACK);
    assert.equal(encodeMessage(header(type)).length, HEADER_LEN);
  }
  const mod = roundTrip(header(MsgType.MODULE, { module: { moduleId: 42n, moduleType: 3, payload: Buffer.from('xyz') } }));
  assert.deepEqual(mod.module, { moduleId: 42n, moduleType: 3, payload: Buffer.from('xyz') });

  const m = roundTrip(header(MsgType.PONG, { slaveof: ID_B, myip: '', ping: { gossip: [], extensions: [] } }));
  assert.equal(m.slaveof, ID_B);
  assert.equal(m.myip, '');
  assert.equal(m.sender, ID_A);
  assert.equal(m.currentEpoch, 12);
});

test('unknown message types are accepted as they are (cluster.c assumes them well formed)', () => {
  const m = roundTrip(header(77, { unknownData: Buffer.from('future') }));
  assert.equal(m.type, 77);
  assert.deepEqual(m.unknownData, Buffer.from('future'));
});

test('malformed messages are errors, never exceptions', () => {
  const good = encodeMessage(header(MsgType.PING, { ping: { gossip: [], extensions: [] } }));
  const cases: [string, Buffer][] = [];
  cases.push(['empty', Buffer.alloc(0)]);
  cases.push(['7 bytes', good.subarray(0, 7)]);
  const badSig = Buffer.from(good);
  badSig.write('XXXX', 0, 'latin1');
  cases.push(['bad signature', badSig]);
  const shortLen = Buffer.from(good);
  shortLen.writeUInt32BE(100, 4);
  cases.push(['totlen below the header', shortLen]);
  cases.push(['truncated', good.subarray(0, 2000)]);
  const badVer = Buffer.from(good);
  badVer.writeUInt16BE(2, 8);
  cases.push(['protocol version 2', badVer]);
  const badCount = Buffer.from(good);
  badCount.writeUInt16BE(3, 14);
  cases.push(['gossip count past the end', badCount]);
  const fail = encodeMessage(header(MsgType.FAIL, { failing: ID_B }));
  const longFail = Buffer.concat([fail, Buffer.alloc(8)]);
  longFail.writeUInt32BE(longFail.length, 4);
  cases.push(['FAIL with trailing bytes', longFail]);
  const pub = encodeMessage(header(MsgType.PUBLISH, { publish: { channel: Buffer.from('c'), message: Buffer.from('m') } }));
  const badPub = Buffer.from(pub);
  badPub.writeUInt32BE(0xffffffff, HEADER_LEN);
  cases.push(['PUBLISH channel_len past the end', badPub]);
  const ext = encodeMessage(header(MsgType.PING, { ping: { gossip: [], extensions: [{ type: 0, hostname: 'h' }] } }));
  const badPad = Buffer.from(ext);
  badPad.writeUInt32BE(12, HEADER_LEN);
  cases.push(['extension not 8-aligned', badPad]);
  const bigExt = Buffer.from(ext);
  bigExt.writeUInt32BE(4096, HEADER_LEN);
  cases.push(['extension past the end', bigExt]);
  const zeroExt = Buffer.from(ext);
  zeroExt.writeUInt32BE(0, HEADER_LEN);
  cases.push(['zero-length extension', zeroExt]);
  const moreExt = Buffer.from(ext);
  moreExt.writeUInt16BE(5, 2214);
  cases.push(['more extensions than bytes', moreExt]);
  const huge = Buffer.from(good.subarray(0, 8));
  huge.writeUInt32BE(MAX_MESSAGE_LEN + 1, 4);
  cases.push(['oversized totlen', huge]);
  for (const [what, buf] of cases) {
    const d = decodeMessage(buf);
    assert.equal(d.ok, false, `${what} must be refused`);
    assert.ok(!d.ok && d.error.length > 0, `${what} has an error text`);
  }
  assert.equal(checkFrameStart(huge) !== null, true, 'an oversized frame is refused before it is buffered');
});

test('random bytes never throw', () => {
  for (let i = 0; i < 2000; i++) {
    const len = i % 3 === 0 ? 2256 + Math.floor(Math.random() * 600) : Math.floor(Math.random() * 3000);
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = Math.floor(Math.random() * 256);
    if (len >= 14 && i % 2 === 0) {
      buf.write('RCmb', 0, 'latin1');
      buf.writeUInt32BE(len, 4);
      buf.writeUInt16BE(1, 8);
      buf.writeUInt16BE(i % 12, 12);
    }
    assert.doesNotThrow(() => decodeMessage(buf));
  }
});

test('the frame reader splits a stream at message boundaries', () => {
  const a = encodeMessage(header(MsgType.PING, { ping: { gossip: [], extensions: [] } }));
  const b = encodeMessage(header(MsgType.FAIL, { failing: ID_B }));
  const stream = Buffer.concat([a, b, a]);
  const reader = new FrameReader();
  const frames: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 333) {
    const r = reader.push(stream.subarray(i, i + 333));
    assert.equal(r.error, null);
    frames.push(...r.frames);
  }
  assert.deepEqual(frames, [a, b, a]);
  const bad = new FrameReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  assert.notEqual(bad.error, null, 'a non-bus peer is refused on its first 8 bytes');
});

test('keyHashSlot: CRC16 XMODEM and hash tags', () => {
  assert.equal(crc16('123456789'), 0x31c3, 'the CRC16-XMODEM check value');
  assert.equal(keyHashSlot('foo'), 12182);
  assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('{user1000}.followers'));
  assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('user1000'));
  assert.equal(keyHashSlot('foo{}{bar}'), keyHashSlot('foo{}{bar}'.slice(0)), '{} is not a tag: the whole key hashes');
  assert.notEqual(keyHashSlot('foo{}{bar}'), keyHashSlot('bar'));
  assert.equal(keyHashSlot('foo{{bar}}zap'), keyHashSlot('{bar'));
});

test('differential: redis-server 7.0.15 accepts our MEET and PING, and we decode its replies', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const redis = await redisClusterNode();
  try {
    const redisId = (await call(redis, 'CLUSTER', 'MYID')) as string;
    const ourId = 'f'.repeat(40);
    const sock = net.connect({ host: '127.0.0.1', port: redis.cport });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const reader = new FrameReader();
    const received: BusMessage[] = [];
    const errors: string[] = [];
    sock.on('data', (d: Buffer) => {
      const { frames, error } = reader.push(d);
      if (error) errors.push(error);
      for (const f of frames) {
        const m = decodeMessage(f);
        if (m.ok) received.push(m.message);
        else errors.push(m.error);
      }
    });
    const gossip = [{ nodename: 'e'.repeat(40), pingSent: 0, pongReceived: 0, ip: '127.0.0.1', port: 1, cport: 2, flags: 1, pport: 0 }];
    const meet = header(MsgType.MEET, { sender: ourId, myslots: new Uint8Array(2048), myip: '127.0.0.1', port: 1234, cport: 11234, currentEpoch: 0, configEpoch: 0, offset: 0, ping: { gossip, extensions: [{ type: 0, hostname: 'lunakv-test' }] } });
    sock.write(encodeMessage(meet));
    await eventually('redis-server answers our MEET with a PONG', async () => received.some((m) => m.type === MsgType.PONG));
    const pong = received.find((m) => m.type === MsgType.PONG)!;
    assert.equal(pong.sender, redisId, 'the PONG comes from the redis node');
    assert.equal(pong.port, redis.port);
    assert.equal(pong.cport, redis.cport);
    assert.equal(pong.slaveof, null);
    assert.ok(pong.ping !== undefined);
    // It added us (in handshake: it connects back to the address we announced).
    const nodes = (await call(redis, 'CLUSTER', 'NODES')) as string;
    assert.match(nodes, /127\.0\.0\.1:1234@11234 handshake/, nodes);
    // A PING on the same link gets a PONG too.
    const before = received.length;
    sock.write(encodeMessage(header(MsgType.PING, { sender: ourId, myslots: new Uint8Array(2048), myip: '127.0.0.1', port: 1234, cport: 11234, currentEpoch: 0, configEpoch: 0, offset: 0, ping: { gossip: [], extensions: [] } })));
    await eventually('a PONG to our PING', async () => received.slice(before).some((m) => m.type === MsgType.PONG));
    const stats = (await call(redis, 'CLUSTER', 'INFO')) as string;
    assert.match(stats, /cluster_stats_messages_meet_received:1\r\n/);
    assert.match(stats, /cluster_stats_messages_ping_received:1\r\n/);
    // A malformed message is dropped by redis-server without harm.
    const bad = encodeMessage(header(MsgType.FAIL, { sender: ourId, failing: ID_B }));
    bad.writeUInt32BE(bad.length + 8, 4);
    sock.write(Buffer.concat([bad, Buffer.alloc(8)]));
    await sleep(100);
    assert.equal(await redis.client.text('PING'), '+PONG\r\n');
    assert.deepEqual(errors, [], 'everything redis-server sent decoded');
    sock.destroy();
  } finally {
    await redis.close();
  }
});
