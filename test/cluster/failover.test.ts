/**
 * Failure detection and replica elections in a mixed cluster: masters R1 (redis-server),
 * L2 (lunakv), R3 (redis-server); replicas L4 of R1 and R5 of L2. Killing R1 makes the
 * others flag it PFAIL then FAIL (majority of masters), and L4 wins the election (votes
 * from L2 and R3) with R1's data; killing L2 then promotes R5, with L4's and R3's votes.
 * Also: a manual CLUSTER FAILOVER of a lunakv replica, and nodes.conf across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { oracleAvailable, ORACLE_MISSING } from '../support/oracle.js';
import { startServer } from '../../src/index.js';
import {
  call,
  clusterCheck,
  clusterCreate,
  eventually,
  lunakvClusterNode,
  redisCli,
  skipWithoutTools,
  redisClusterNode,
  text,
  waitClusterOk,
  nodesClosedAfterEach,
  type ClusterNodeHandle,
} from './support.js';

const nodes = nodesClosedAfterEach();

const skip = (t: { skip(msg: string): void }): boolean => skipWithoutTools(t, true);

async function myId(n: ClusterNodeHandle): Promise<string> {
  return (await call(n, 'CLUSTER', 'MYID')) as string;
}

/** The flags another node shows for `id` in its CLUSTER NODES. */
async function flagsOf(viewer: ClusterNodeHandle, id: string): Promise<string> {
  const lines = ((await call(viewer, 'CLUSTER', 'NODES')) as string).split('\n');
  return lines.find((l) => l.startsWith(id))?.split(' ')[2] ?? '';
}

async function makeReplica(replica: ClusterNodeHandle, master: ClusterNodeHandle, seed: ClusterNodeHandle): Promise<void> {
  assert.equal(text(await replica.client.call('CLUSTER', 'MEET', '127.0.0.1', seed.port, seed.cport)), '+OK\r\n');
  const masterId = await myId(master);
  await eventually(`${replica.kind} :${replica.port} learns its master`, async () => (await flagsOf(replica, masterId)).includes('master'));
  const reply = text(await replica.client.call('CLUSTER', 'REPLICATE', masterId));
  assert.equal(reply, '+OK\r\n');
  const replicaId = await myId(replica);
  await eventually('the master sees its replica', async () => (await flagsOf(master, replicaId)).includes('slave'));
  await eventually('the replica link is up', async () => /master_link_status:up/.test(text(await replica.client.call('INFO', 'replication'))));
}

test('PFAIL -> FAIL and replica elections, both ways between lunakv and redis-server', async (t) => {
  if (skip(t)) return;
  const r1 = await redisClusterNode();
  const l2 = await lunakvClusterNode();
  const r3 = await redisClusterNode();
  const l4 = await lunakvClusterNode();
  const r5 = await redisClusterNode();
  nodes.push(r1, l2, r3, l4, r5);
  await clusterCreate([r1, l2, r3]);
  await waitClusterOk([r1, l2, r3]);
  await makeReplica(l4, r1, l2);
  await makeReplica(r5, l2, r1);
  await clusterCheck(l4);

  // Data on R1 (through redis-cli -c, whichever slots R1 has) reaches L4.
  for (let i = 0; i < 50; i++) await redisCli(['-c', '-p', String(r1.port), 'SET', `k${i}`, `v${i}`]);
  const r1Keys = Number(text(await r1.client.call('DBSIZE')).slice(1, -2));
  assert.ok(r1Keys > 0, 'R1 holds some keys');
  await eventually('L4 replicated R1', async () => Number(text(await l4.client.call('DBSIZE')).slice(1, -2)) === r1Keys);
  // READONLY: the replica serves reads of its master's slots; else MOVED.
  const someKey = text(await r1.client.call('RANDOMKEY')).split('\r\n')[1]!;
  assert.match(text(await l4.client.call('GET', someKey)), /^-MOVED \d+ 127\.0\.0\.1:\d+\r\n$/);
  assert.equal(text(await l4.client.call('READONLY')), '+OK\r\n');
  assert.match(text(await l4.client.call('GET', someKey)), /^\$/);
  assert.match(text(await l4.client.call('SET', someKey, 'x')), /^-MOVED /);
  assert.equal(text(await l4.client.call('READWRITE')), '+OK\r\n');

  const r1Id = await myId(r1);
  const l4Id = await myId(l4);
  await r1.close();
  nodes.splice(nodes.indexOf(r1), 1);
  await eventually('lunakv L2 flags R1 as failed', async () => (await flagsOf(l2, r1Id)).includes('fail'), 30000);
  await eventually('L4 is promoted', async () => (await flagsOf(l4, l4Id)).includes('master'), 30000);
  await eventually('R3 sees L4 as a master', async () => (await flagsOf(r3, l4Id)).startsWith('master'), 30000);
  assert.equal(Number(text(await l4.client.call('DBSIZE')).slice(1, -2)), r1Keys, 'the promoted replica has R1 data');
  await waitClusterOk([l2, r3, l4]);
  assert.equal(text(await l4.client.call('GET', someKey)).startsWith('$'), true, 'L4 serves its slots');

  // Now the lunakv master L2 dies: its redis replica R5 is elected by L4 and R3.
  const l2Id = await myId(l2);
  const r5Id = await myId(r5);
  await l2.close();
  nodes.splice(nodes.indexOf(l2), 1);
  await eventually('R3 flags L2 as failed', async () => (await flagsOf(r3, l2Id)).includes('fail'), 30000);
  await eventually('R5 is promoted', async () => (await flagsOf(r5, r5Id)).includes('master'), 30000);
  await eventually('L4 sees R5 as a master', async () => (await flagsOf(l4, r5Id)).startsWith('master'), 30000);
  await waitClusterOk([r3, l4, r5]);
  assert.match(text(await l4.client.call('CLUSTER', 'INFO')), /cluster_current_epoch:[1-9]/);
});

test('CLUSTER FAILOVER: a lunakv replica takes over a redis-server master by agreement', async (t) => {
  if (skip(t)) return;
  const r1 = await redisClusterNode();
  const r2 = await redisClusterNode();
  const l3 = await lunakvClusterNode();
  const l4 = await lunakvClusterNode();
  nodes.push(r1, r2, l3, l4);
  await clusterCreate([r1, r2, l3]);
  await waitClusterOk([r1, r2, l3]);
  await makeReplica(l4, r1, r2);
  const r1Id = await myId(r1);
  const l4Id = await myId(l4);
  assert.equal(text(await l4.client.call('CLUSTER', 'FAILOVER')), '+OK\r\n');
  await eventually('L4 is the master', async () => (await flagsOf(l4, l4Id)).includes('master'), 20000);
  await eventually('R1 turned into a replica of L4', async () => {
    const lines = ((await call(r1, 'CLUSTER', 'NODES')) as string).split('\n');
    const me = lines.find((l) => l.startsWith(r1Id))!;
    return me.includes('slave') && me.includes(l4Id);
  }, 20000);
  await waitClusterOk([r1, r2, l3, l4]);
  await clusterCheck(r2);
});

test('nodes.conf: written in Redis format, loaded at restart, a corrupt one refused', async (t) => {
  const l1 = await lunakvClusterNode();
  nodes.push(l1);
  assert.equal(text(await l1.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '99')), '+OK\r\n');
  assert.equal(text(await l1.client.call('CLUSTER', 'SET-CONFIG-EPOCH', '7')), '+OK\r\n');
  const id = await myId(l1);
  const file = path.join(l1.dir, 'nodes.conf');
  await eventually('nodes.conf is written', async () => fs.readFileSync(file, 'latin1').includes(' 0-99'));
  const conf = fs.readFileSync(file, 'latin1');
  assert.match(conf, new RegExp(`^${id} :${l1.port}@${l1.cport} myself,master - 0 0 7 connected 0-99\\n`));
  assert.match(conf, /\nvars currentEpoch 7 lastVoteEpoch 0\n$/);

  // Restart from the same directory: the same node, slots and epochs.
  await l1.running!.close();
  l1.client.close();
  const again = await startServer({ port: l1.port, config: { 'cluster-enabled': 'yes', 'cluster-port': String(l1.cport), dir: l1.dir, appendonly: 'no', save: '' } });
  try {
    const c = await (await import('../support/resp-client.js')).RespClient.connect(l1.port);
    assert.equal(text(await c.call('CLUSTER', 'MYID')), `$40\r\n${id}\r\n`);
    assert.match(text(await c.call('CLUSTER', 'NODES')), new RegExp(`${id} :${l1.port}@${l1.cport} myself,master - 0 0 7 connected 0-99`));
    assert.match(text(await c.call('CLUSTER', 'INFO')), /cluster_current_epoch:7\r\n/);
    c.close();
  } finally {
    await again.close();
  }

  // Corrupt files: lunakv refuses to start, as redis-server does.
  const corrupt = [
    `${id} :1@2 myself,master - 0 0 7\n`,
    `xyz :1@2 myself,master - 0 0 7 connected\n`,
    `${id} :1@2 master - 0 0 7 connected\n`,
    `${id} :1@2 myself,master - 0 0 7 connected 0-99999\n`,
    `${id} noport myself,master - 0 0 7 connected\n`,
    `${id} :1@2 myself,master - 0 0 7 connected\nvars currentEpoch\n`,
    `${id} :1@2 myself,wizard - 0 0 7 connected\n`,
  ];
  for (const text of corrupt) {
    fs.writeFileSync(file, text);
    await assert.rejects(
      startServer({ port: 0, config: { 'cluster-enabled': 'yes', 'cluster-port': String(l1.cport), dir: l1.dir, appendonly: 'no', save: '' } }),
      /corrupted cluster config file|Unknown flag in redis cluster config file/,
      JSON.stringify(text),
    );
  }
  if (!oracleAvailable()) return t.diagnostic(ORACLE_MISSING + ' (redis-server not compared)');
  // redis-server exits on the same files.
  const { spawnSync } = await import('node:child_process');
  for (const text of corrupt) {
    fs.writeFileSync(file, text);
    const r = spawnSync('redis-server', ['--port', '0', '--cluster-enabled', 'yes', '--cluster-port', String(l1.cport), '--dir', l1.dir, '--save', '', '--appendonly', 'no'], { timeout: 10000 });
    assert.notEqual(r.status, 0, `redis-server refuses ${JSON.stringify(text)} too`);
  }
});
