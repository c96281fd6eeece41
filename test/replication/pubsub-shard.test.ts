/**
 * Sharded pub/sub over standalone replication, both ways with redis-server 7.0.15: out of
 * cluster mode SPUBLISH is propagated to replicas (spublishCommand's
 * forceCommandPropagation), which deliver it to their own shard subscribers.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleAvailable, ORACLE_MISSING } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { lunakvNode, redisNode, replicate, text, type Node } from './support.js';

const nodes: Node[] = [];
const clients: RespClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes.splice(0)) await n.close();
});

async function node(kind: 'redis' | 'lunakv'): Promise<Node> {
  const n = kind === 'redis' ? await redisNode() : await lunakvNode();
  nodes.push(n);
  return n;
}

for (const [masterKind, replicaKind] of [['redis', 'lunakv'], ['lunakv', 'redis']] as const) {
  test(`SPUBLISH on a ${masterKind} master reaches SSUBSCRIBE clients of its ${replicaKind} replica`, async (t) => {
    if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
    const master = await node(masterKind);
    const replica = await node(replicaKind);
    await replicate(replica, master);
    const sub = await RespClient.connect(replica.port);
    clients.push(sub);
    await sub.call('HELLO', '3');
    assert.equal(text(await sub.call('SSUBSCRIBE', 'orders')), '>3\r\n$10\r\nssubscribe\r\n$6\r\norders\r\n:1\r\n');
    // The master's own subscribers count; the replica's are reached through the stream.
    assert.equal(text(await master.client.call('SPUBLISH', 'orders', 'o-1')), ':0\r\n');
    assert.equal(text(await sub.read()), '>3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$3\r\no-1\r\n');
    // A plain PUBLISH travels the same way, and does not reach shard subscribers.
    assert.equal(text(await sub.call('SUBSCRIBE', 'orders')), '>3\r\n$9\r\nsubscribe\r\n$6\r\norders\r\n:1\r\n');
    await master.client.call('PUBLISH', 'orders', 'plain');
    assert.equal(text(await sub.read()), '>3\r\n$7\r\nmessage\r\n$6\r\norders\r\n$5\r\nplain\r\n');
    await master.client.call('SPUBLISH', 'orders', 'o-2');
    assert.equal(text(await sub.read()), '>3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$3\r\no-2\r\n');
  });
}
