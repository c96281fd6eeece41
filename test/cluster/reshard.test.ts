/**
 * redis-cli --cluster reshard between a lunakv primary and a redis-server 7.0.15 primary,
 * both ways. reshard opens each slot (CLUSTER SETSLOT IMPORTING / MIGRATING), moves its
 * keys with CLUSTER GETKEYSINSLOT and MIGRATE ... KEYS (RESTORE-ASKING on the target),
 * then assigns the slot (SETSLOT NODE). Keys of every type, some with a TTL, must arrive
 * with the same DEBUG DIGEST-VALUE and a TTL, leave the source, and --cluster check must
 * stay clean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyHashSlot } from '../../src/cluster/key-slot.js';
import {
  call,
  clusterCheck,
  clusterCreate,
  lunakvClusterNode,
  redisCli,
  redisClusterNode,
  skipWithoutTools,
  text,
  waitClusterOk,
  nodesClosedAfterEach,
  type ClusterNodeHandle,
} from './support.js';

const nodes = nodesClosedAfterEach();

const DEBUG = { 'enable-debug-command': 'yes' };

/** The slots `n` serves, ascending (CLUSTER SLOTS of itself). */
async function ownSlots(n: ClusterNodeHandle): Promise<number[]> {
  const slots = (await call(n, 'CLUSTER', 'SLOTS')) as unknown as [number, number, [string, number, string]][];
  const out: number[] = [];
  for (const [from, to, master] of slots) if (Number(master[1]) === n.port) for (let s = Number(from); s <= Number(to); s++) out.push(s);
  return out.sort((a, b) => a - b);
}

/** A hash tag whose keys hash to `slot`. */
function tagFor(slot: number): string {
  for (let i = 0; ; i++) if (keyHashSlot(`t${i}`) === slot) return `t${i}`;
}

/** Keys of every type (some with a TTL, some large enough for non-compact encodings). */
async function fill(n: ClusterNodeHandle, tag: string): Promise<string[]> {
  const k = (name: string) => `{${tag}}${name}`;
  const big = Array.from({ length: 300 }, (_, i) => `m${i}`);
  const cmds: (string | number)[][] = [
    ['SET', k('str'), 'value'],
    ['SET', k('int'), '42', 'PX', '600000'],
    ['RPUSH', k('list'), 'a', 'b', 'c'],
    ['RPUSH', k('biglist'), ...big],
    ['SADD', k('intset'), '1', '2', '3'],
    ['SADD', k('set'), ...big],
    ['ZADD', k('zset'), '1', 'a', '2', 'b'],
    ['ZADD', k('bigzset'), ...big.flatMap((m, i) => [String(i), m])],
    ['HSET', k('hash'), 'f', 'v'],
    ['HSET', k('bighash'), ...big.flatMap((m) => [m, m])],
    ['XADD', k('stream'), '1-1', 'f', 'v'],
    ['XGROUP', 'CREATE', k('stream'), 'g', '0'],
    ['PFADD', k('hll'), 'a', 'b'],
    ['PEXPIRE', k('list'), '500000'],
    ['PEXPIRE', k('bighash'), '400000'],
    ['PEXPIRE', k('stream'), '300000'],
  ];
  for (const c of cmds) {
    const r = text(await n.client.call(...c));
    assert.ok(!r.startsWith('-'), `${c.join(' ').slice(0, 60)} on ${n.kind}: ${r}`);
  }
  return ['str', 'int', 'list', 'biglist', 'intset', 'set', 'zset', 'bigzset', 'hash', 'bighash', 'stream', 'hll'].map(k);
}

interface Snapshot {
  digest: string;
  ttl: boolean;
}

async function snapshot(n: ClusterNodeHandle, keys: string[]): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const key of keys) {
    const digest = text(await n.client.call('DEBUG', 'DIGEST-VALUE', key));
    const pttl = Number(text(await n.client.call('PTTL', key)).slice(1, -2));
    assert.ok(pttl !== -2, `${key} exists on ${n.kind} :${n.port}`);
    out.set(key, { digest, ttl: pttl > 0 });
  }
  return out;
}

/** reshard `count` slots from `from` to `to`; the keys in the first slots move with them. */
async function reshard(from: ClusterNodeHandle, to: ClusterNodeHandle, count: number): Promise<void> {
  const fromId = text(await from.client.call('CLUSTER', 'MYID')).split('\r\n')[1]!;
  const toId = text(await to.client.call('CLUSTER', 'MYID')).split('\r\n')[1]!;
  const { code, out } = await redisCli(
    ['--cluster', 'reshard', `127.0.0.1:${from.port}`, '--cluster-from', fromId, '--cluster-to', toId, '--cluster-slots', String(count), '--cluster-yes', '--cluster-pipeline', '5'],
    120000,
  );
  assert.equal(code, 0, `reshard ${from.kind} -> ${to.kind} failed:\n${out}`);
  assert.doesNotMatch(out, /\[ERR\]|ERR/, out);
}

async function moveBothWays(kinds: ['redis' | 'lunakv', 'redis' | 'lunakv', 'redis' | 'lunakv']): Promise<void> {
  for (const k of kinds) nodes.push(k === 'redis' ? await redisClusterNode(DEBUG) : await lunakvClusterNode(DEBUG));
  const all = [...nodes];
  await clusterCreate(all);
  await waitClusterOk(all);
  const ours = all.find((n) => n.kind === 'lunakv')!;
  const theirs = all.find((n) => n.kind === 'redis')!;
  for (const [src, dst] of [
    [ours, theirs],
    [theirs, ours],
  ] as const) {
    // Keys in the first three slots of the source: reshard takes its slots in order.
    const slots = (await ownSlots(src)).slice(0, 3);
    const keys: string[] = [];
    for (const slot of slots) keys.push(...(await fill(src, tagFor(slot))));
    const before = await snapshot(src, keys);
    await reshard(src, dst, 5);
    await waitClusterOk(all);
    // The source keeps no key of the moved slots (it answers MOVED for them now).
    for (const slot of slots) {
      assert.equal(text(await src.client.call('CLUSTER', 'COUNTKEYSINSLOT', slot)), ':0\r\n', `slot ${slot} left the ${src.kind} source`);
      assert.equal(text(await dst.client.call('CLUSTER', 'COUNTKEYSINSLOT', slot)), `:${keys.length / slots.length}\r\n`, `slot ${slot} on the ${dst.kind} node`);
    }
    const after = await snapshot(dst, keys);
    for (const key of keys) {
      assert.deepEqual(after.get(key), before.get(key), `${key} moved ${src.kind} -> ${dst.kind}`);
      assert.match(text(await src.client.call('EXISTS', key)), /^-MOVED \d+ 127\.0\.0\.1:\d+\r\n$/, `${key} is redirected by the ${src.kind} source`);
    }
    const dstSlots = await ownSlots(dst);
    for (const slot of slots) assert.ok(dstSlots.includes(slot), `slot ${slot} is served by the ${dst.kind} node`);
    for (const n of all) await clusterCheck(n);
    // The moved keys are gone from where they were: clean up for the way back.
    for (const key of keys) await dst.client.call('DEL', key);
  }
}

test('reshard moves keys of every type with TTLs lunakv <-> redis-server (2 lunakv, 1 redis)', async (t) => {
  if (skipWithoutTools(t, true)) return;
  await moveBothWays(['lunakv', 'redis', 'lunakv']);
});

test('reshard moves keys of every type with TTLs redis-server <-> lunakv (1 lunakv, 2 redis)', async (t) => {
  if (skipWithoutTools(t, true)) return;
  await moveBothWays(['redis', 'lunakv', 'redis']);
});
