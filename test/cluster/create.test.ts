/**
 * The milestone check: redis-cli --cluster create of lunakv primaries, alone and mixed
 * with redis-server 7.0.15 nodes. Afterwards --cluster check is clean from every node,
 * CLUSTER NODES / SLOTS / SHARDS agree on every node, and redis-cli -c routes SET/GET
 * across the nodes (following MOVED).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterCheck,
  clusterCreate,
  lunakvClusterNode,
  nodesView,
  redisCli,
  redisClusterNode,
  shardsView,
  slotsView,
  waitClusterOk,
  eventually,
  skipWithoutTools,
  nodesClosedAfterEach,
  type ClusterNodeHandle,
} from './support.js';

const nodes = nodesClosedAfterEach();

async function start(kinds: ('redis' | 'lunakv')[]): Promise<ClusterNodeHandle[]> {
  for (const k of kinds) nodes.push(k === 'redis' ? await redisClusterNode() : await lunakvClusterNode());
  return [...nodes];
}

const skip = skipWithoutTools;

/** Everything the milestone asks of a created cluster. */
async function checkCluster(all: ClusterNodeHandle[]): Promise<void> {
  await waitClusterOk(all);
  // Gossip settles within a few PINGs: every node's view of the table is the same.
  await eventually('CLUSTER NODES agree on every node', async () => {
    const views = await Promise.all(all.map((n) => nodesView(n)));
    return views.every((v) => JSON.stringify(v) === JSON.stringify(views[0]));
  });
  const first = await nodesView(all[0]!);
  assert.equal(first.length, all.length, 'every node knows every node');
  for (const n of all) {
    await clusterCheck(n);
    assert.deepEqual(await nodesView(n), first, `CLUSTER NODES of ${n.kind} :${n.port}`);
    assert.equal(await slotsView(n), await slotsView(all[0]!), `CLUSTER SLOTS of ${n.kind} :${n.port}`);
    assert.equal(await shardsView(n), await shardsView(all[0]!), `CLUSTER SHARDS of ${n.kind} :${n.port}`);
  }
  // redis-cli -c follows MOVED: every key set through one node is read through every node.
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  for (const [i, k] of keys.entries()) {
    const entry = all[i % all.length]!;
    const set = await redisCli(['-c', '-p', String(entry.port), 'SET', k, `value-${k}`]);
    assert.equal(set.out.trim(), 'OK', `SET ${k} through :${entry.port}`);
  }
  for (const n of all) {
    for (const k of keys) {
      const got = await redisCli(['-c', '-p', String(n.port), 'GET', k]);
      assert.equal(got.out.trim(), `value-${k}`, `GET ${k} through ${n.kind} :${n.port}`);
    }
  }
  // Keys really are spread: each master holds some (8 keys over 3 masters).
  const sizes = await Promise.all(all.map(async (n) => Number((await n.client.text('DBSIZE')).slice(1, -2))));
  assert.equal(sizes.reduce((a, b) => a + b, 0), keys.length, `keys per node: ${sizes}`);
  assert.ok(sizes.filter((s) => s > 0).length >= 2, `keys are on several nodes: ${sizes}`);
}

test('redis-cli --cluster create of 3 lunakv primaries', async (t) => {
  if (skip(t, false)) return;
  const all = await start(['lunakv', 'lunakv', 'lunakv']);
  await clusterCreate(all);
  await checkCluster(all);
});

test('a mixed cluster: 1 lunakv and 2 redis-server primaries', async (t) => {
  if (skip(t, true)) return;
  const all = await start(['redis', 'lunakv', 'redis']);
  await clusterCreate(all);
  await checkCluster(all);
});

test('a mixed cluster: 2 lunakv and 1 redis-server primaries', async (t) => {
  if (skip(t, true)) return;
  const all = await start(['lunakv', 'redis', 'lunakv']);
  await clusterCreate(all);
  await checkCluster(all);
});
