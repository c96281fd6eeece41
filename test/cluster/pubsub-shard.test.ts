/**
 * Sharded pub/sub and scripts in cluster mode, against redis-server 7.0.15:
 *
 * - one node of each kind alone (slots 0-100, cluster down): SSUBSCRIBE / SPUBLISH routing
 *   (MOVED-less CLUSTERDOWN, CROSSSLOT, cluster-allow-pubsubshard-when-down), the
 *   `sunsubscribe` push when a slot of a subscribed channel is deleted, the script checks
 *   that need a down cluster;
 * - mixed clusters (masters M1, M2, replica S1 of M1, lunakv and redis-server both ways):
 *   an SPUBLISH on M1 reaches subscribers on S1 and back (PUBLISHSHARD over the bus),
 *   MOVED / CROSSSLOT for channels, and the script cluster errors (no-cluster, non local
 *   key, cross slot, allow-cross-slot-keys, FCALL routing) compared node for node.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyHashSlot } from '../../src/cluster/key-slot.js';
import { RespClient } from '../support/resp-client.js';
import {
  call,
  eventually,
  lunakvClusterNode,
  redisClusterNode,
  skipWithoutTools,
  text,
  waitClusterOk,
  nodesClosedAfterEach,
  type ClusterNodeHandle,
} from './support.js';

const clients: RespClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
const nodes = nodesClosedAfterEach();

async function node(kind: 'redis' | 'lunakv', extra: Record<string, string> = {}): Promise<ClusterNodeHandle> {
  const n = kind === 'redis' ? await redisClusterNode(extra) : await lunakvClusterNode(extra);
  nodes.push(n);
  return n;
}

async function connect(n: ClusterNodeHandle): Promise<RespClient> {
  const c = await RespClient.connect(n.port);
  clients.push(c);
  return c;
}

/** The first name `prefix<i>` whose slot satisfies `ok`. */
function nameWhere(prefix: string, ok: (slot: number) => boolean): string {
  for (let i = 0; ; i++) if (ok(keyHashSlot(`${prefix}${i}`))) return `${prefix}${i}`;
}

// -- One node alone, the cluster down ---------------------------------------------------------

test('a lone node with slots 0-100: shard channel routing, pubsubshard-when-down, DELSLOTS', async (t) => {
  if (skipWithoutTools(t, true)) return;
  const pair = [await node('redis', { 'enable-debug-command': 'yes' }), await node('lunakv', { 'enable-debug-command': 'yes' })];
  for (const n of pair) assert.equal(text(await n.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '100')), '+OK\r\n');
  const served = nameWhere('ch', (s) => s <= 100);
  const served2 = nameWhere('x', (s) => s <= 100 && s !== keyHashSlot(served));
  const unserved = nameWhere('ch', (s) => s > 100);
  const subs = [await connect(pair[0]!), await connect(pair[1]!)];
  const same = async (...args: string[]) => {
    const [r, o] = [text(await subs[0]!.call(...args)), text(await subs[1]!.call(...args))];
    assert.equal(o, r, JSON.stringify(args));
    return r;
  };
  const sameOn = async (...args: string[]) => {
    const [r, o] = [text(await pair[0]!.client.call(...args)), text(await pair[1]!.client.call(...args))];
    assert.equal(o, r, JSON.stringify(args));
    return r;
  };
  for (const n of pair) assert.match(text(await n.client.call('CLUSTER', 'INFO')), /cluster_state:fail/);
  // cluster-allow-pubsubshard-when-down yes (default): served slots work while down.
  assert.equal(await same('SSUBSCRIBE', served), `*3\r\n$10\r\nssubscribe\r\n$${served.length}\r\n${served}\r\n:1\r\n`);
  assert.equal(await same('SSUBSCRIBE', unserved), '-CLUSTERDOWN Hash slot not served\r\n');
  assert.match(await same('SSUBSCRIBE', served, served2), /^-CROSSSLOT/);
  assert.equal(await sameOn('SPUBLISH', served, 'hi'), ':1\r\n');
  assert.equal(text(await subs[0]!.read()), text(await subs[1]!.read()));
  await sameOn('PUBSUB', 'SHARDNUMSUB', served);
  await sameOn('PUBSUB', 'SHARDCHANNELS');
  await sameOn('CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'no');
  assert.equal(await sameOn('SPUBLISH', served, 'hi'), '-CLUSTERDOWN The cluster is down\r\n');
  assert.equal(await same('SSUBSCRIBE', served), '-CLUSTERDOWN The cluster is down\r\n');
  assert.equal(await same('SUNSUBSCRIBE', served2), '-CLUSTERDOWN The cluster is down\r\n');
  await sameOn('CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'yes');
  // Deleting the slot unsubscribes its channels' subscribers (removeChannelsInSlot).
  await same('SSUBSCRIBE', served2);
  await sameOn('CLUSTER', 'DELSLOTS', String(keyHashSlot(served)));
  const pushes = [text(await subs[0]!.read()), text(await subs[1]!.read())];
  assert.equal(pushes[1], pushes[0]);
  assert.equal(pushes[0], `*3\r\n$12\r\nsunsubscribe\r\n$${served.length}\r\n${served}\r\n:1\r\n`);
  await sameOn('PUBSUB', 'SHARDCHANNELS');
  assert.equal(await sameOn('PUBSUB', 'SHARDNUMSUB', served, served2), `*4\r\n$${served.length}\r\n${served}\r\n:0\r\n$${served2.length}\r\n${served2}\r\n:1\r\n`);
  assert.equal(await same('SUNSUBSCRIBE'), `*3\r\n$12\r\nsunsubscribe\r\n$${served2.length}\r\n${served2}\r\n:0\r\n`);
  // DEBUG CLUSTERLINK KILL (used by Redis's unit/cluster/links): its refusals.
  assert.equal(await sameOn('DEBUG', 'CLUSTERLINK', 'KILL', 'to', 'nosuchnode'), '-ERR Unknown node nosuchnode\r\n');
  assert.match(await sameOn('DEBUG', 'CLUSTERLINK', 'STOP', 'to', 'x'), /^-ERR unknown subcommand or wrong number of arguments for 'CLUSTERLINK'/);
  assert.match(await sameOn('DEBUG', 'CLUSTERLINK', 'KILL', 'to'), /^-ERR unknown subcommand or wrong number of arguments/);
  const ids = [(await call(pair[0]!, 'CLUSTER', 'MYID')) as string, (await call(pair[1]!, 'CLUSTER', 'MYID')) as string];
  const sideways = [text(await pair[0]!.client.call('DEBUG', 'CLUSTERLINK', 'KILL', 'sideways', ids[0]!)), text(await pair[1]!.client.call('DEBUG', 'CLUSTERLINK', 'KILL', 'sideways', ids[1]!))];
  assert.equal(sideways[1], sideways[0]);
  assert.equal(sideways[0], '-ERR Unknown direction sideways\r\n');
  // debug.c replies +OK after that error too.
  assert.equal(text(await pair[1]!.client.read()), text(await pair[0]!.client.read()));
});

test('a lone node, cluster down: scripts and the down state', async (t) => {
  if (skipWithoutTools(t, true)) return;
  const pair = [await node('redis'), await node('lunakv')];
  for (const n of pair) assert.equal(text(await n.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '100')), '+OK\r\n');
  const served = nameWhere('k', (s) => s <= 100);
  const sameOn = async (...args: string[]) => {
    const [r, o] = [text(await pair[0]!.client.call(...args)), text(await pair[1]!.client.call(...args))];
    assert.equal(o, r, JSON.stringify(args));
    return r;
  };
  const get = "#!lua\nreturn redis.call('get', ARGV[1])";
  const set = "#!lua\nreturn redis.call('set', ARGV[1], 'v')";
  assert.match(await sameOn('EVAL', get, '0', served), /^-ERR Script attempted to execute a command while the cluster is down script: /);
  assert.match(await sameOn('EVAL', get, '1', served), /^-CLUSTERDOWN The cluster is down/);
  await sameOn('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes');
  assert.equal(await sameOn('EVAL', get, '0', served), '$-1\r\n');
  assert.match(await sameOn('EVAL', set, '0', served), /^-ERR Script attempted to execute a write command while the cluster is down and readonly script: /);
  assert.match(await sameOn('EVAL', "return redis.pcall('set', ARGV[1], 'v')", '0', served), /^-ERR Script attempted to execute a write/);
  assert.match(await sameOn('EVAL', "#!lua flags=no-cluster\nreturn 1", '0'), /^-ERR Can not run script on cluster, 'no-cluster' flag is set\./);
});

// -- Mixed clusters ----------------------------------------------------------------------------

async function myId(n: ClusterNodeHandle): Promise<string> {
  return (await call(n, 'CLUSTER', 'MYID')) as string;
}

interface Shards {
  m1: ClusterNodeHandle;
  s1: ClusterNodeHandle;
  m2: ClusterNodeHandle;
}

/** M1 (slots 0-8191) with replica S1, M2 (8192-16383); kinds as given. */
async function buildCluster(k1: 'redis' | 'lunakv', kS: 'redis' | 'lunakv', k2: 'redis' | 'lunakv'): Promise<Shards> {
  const m1 = await node(k1);
  const s1 = await node(kS);
  const m2 = await node(k2);
  assert.equal(text(await m1.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8191')), '+OK\r\n');
  assert.equal(text(await m2.client.call('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383')), '+OK\r\n');
  assert.equal(text(await m1.client.call('CLUSTER', 'SET-CONFIG-EPOCH', '1')), '+OK\r\n');
  assert.equal(text(await m2.client.call('CLUSTER', 'SET-CONFIG-EPOCH', '2')), '+OK\r\n');
  for (const n of [s1, m2]) assert.equal(text(await n.client.call('CLUSTER', 'MEET', '127.0.0.1', String(m1.port), String(m1.cport))), '+OK\r\n');
  const m1Id = await myId(m1);
  await eventually('S1 knows M1', async () => ((await call(s1, 'CLUSTER', 'NODES')) as string).includes(`${m1Id} `));
  await eventually('S1 replicates M1', async () => text(await s1.client.call('CLUSTER', 'REPLICATE', m1Id)) === '+OK\r\n');
  await eventually('the replica link is up', async () => /master_link_status:up/.test(text(await s1.client.call('INFO', 'replication'))));
  const s1Id = await myId(s1);
  for (const n of [m1, m2]) {
    await eventually(`${n.kind} :${n.port} sees S1 as M1's replica`, async () => {
      const line = ((await call(n, 'CLUSTER', 'NODES')) as string).split('\n').find((l) => l.startsWith(s1Id));
      return line !== undefined && line.includes('slave') && line.includes(m1Id);
    });
  }
  await waitClusterOk([m1, s1, m2]);
  return { m1, s1, m2 };
}

/** Subscribes on `from`, publishes on `to`: the message crosses the bus (PUBLISHSHARD). */
async function crossShard(sub: ClusterNodeHandle, pub: ClusterNodeHandle, channel: string, message: string): Promise<void> {
  const c = await connect(sub);
  assert.equal(text(await c.call('SSUBSCRIBE', channel)), `*3\r\n$10\r\nssubscribe\r\n$${channel.length}\r\n${channel}\r\n:1\r\n`);
  // SPUBLISH counts this node's subscribers only.
  assert.equal(text(await pub.client.call('SPUBLISH', channel, message)), ':0\r\n', `SPUBLISH on ${pub.kind} :${pub.port}`);
  const got = text(await c.read(5000));
  assert.equal(got, `*3\r\n$8\r\nsmessage\r\n$${channel.length}\r\n${channel}\r\n$${message.length}\r\n${message}\r\n`, `${sub.kind} :${sub.port} got it from ${pub.kind} :${pub.port}`);
  c.close();
}

async function shardPubsubInCluster(c: Shards): Promise<void> {
  const { m1, s1, m2 } = c;
  const ch1 = nameWhere('news', (s) => s < 8192);
  const ch2 = nameWhere('news', (s) => s >= 8192);
  // Both directions within shard 1: master -> replica, replica -> master.
  await crossShard(s1, m1, ch1, 'from-master');
  await crossShard(m1, s1, ch1, 'from-replica');
  // A subscriber on M1 and one on S1 both get an SPUBLISH on M1 (one local receiver).
  const a = await connect(m1);
  const b = await connect(s1);
  await a.call('SSUBSCRIBE', ch1);
  await b.call('SSUBSCRIBE', ch1);
  assert.equal(text(await m1.client.call('SPUBLISH', ch1, 'both')), ':1\r\n');
  assert.equal(text(await a.read()), text(await b.read()));
  // Shard 2 never hears of shard 1's messages: M2 refuses the channel.
  const moved1 = `-MOVED ${keyHashSlot(ch1)} 127.0.0.1:${m1.port}\r\n`;
  const moved2 = `-MOVED ${keyHashSlot(ch2)} 127.0.0.1:${m2.port}\r\n`;
  for (const n of [m1, s1]) {
    assert.equal(text(await n.client.call('SSUBSCRIBE', ch2)), moved2, `SSUBSCRIBE on ${n.kind} :${n.port}`);
    assert.equal(text(await n.client.call('SPUBLISH', ch2, 'x')), moved2, `SPUBLISH on ${n.kind} :${n.port}`);
    assert.equal(text(await n.client.call('SUNSUBSCRIBE', ch2)), moved2, `SUNSUBSCRIBE on ${n.kind} :${n.port}`);
    assert.equal(text(await n.client.call('SSUBSCRIBE', ch1, ch2)), "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
  }
  assert.equal(text(await m2.client.call('SSUBSCRIBE', ch1)), moved1);
  assert.equal(text(await m2.client.call('SPUBLISH', ch1, 'x')), moved1);
  // Plain PUBLISH still reaches the whole cluster.
  const p = await connect(m2);
  await p.call('SUBSCRIBE', 'plain');
  await m1.client.call('PUBLISH', 'plain', 'everyone');
  assert.equal(text(await p.read()), '*3\r\n$7\r\nmessage\r\n$5\r\nplain\r\n$8\r\neveryone\r\n');
}

/** The same script errors on both masters, each with keys of its own and of the other. */
async function scriptsInCluster(c: Shards): Promise<void> {
  const masters = [
    { n: c.m1, mine: (s: number) => s < 8192, otherNode: c.m2 },
    { n: c.m2, mine: (s: number) => s >= 8192, otherNode: c.m1 },
  ].map((m) => {
    const mine = nameWhere('key', m.mine);
    const mine2 = nameWhere('key', (s) => m.mine(s) && s !== keyHashSlot(mine));
    const other = nameWhere('key', (s) => !m.mine(s));
    return { ...m, mine, mine2, other };
  });
  /** A reply with the other master's slot and address replaced by a placeholder. */
  const normalized = (reply: string, m: (typeof masters)[number]) =>
    reply.replace(`${keyHashSlot(m.other)} 127.0.0.1:${m.otherNode.port}`, '<other>');
  const both = async (what: string, build: (m: (typeof masters)[number]) => string[]): Promise<string> => {
    const replies: string[] = [];
    for (const m of masters) replies.push(normalized(text(await m.n.client.call(...build(m))), m));
    assert.equal(replies[1], replies[0], `${what}: ${c.m1.kind} M1 vs ${c.m2.kind} M2`);
    return replies[0]!;
  };
  const get = "#!lua\nreturn redis.call('get', ARGV[1])";
  const get2 = "#!lua\nredis.call('get', ARGV[1])\nreturn redis.call('get', ARGV[2])";
  const pget = "#!lua\nreturn redis.pcall('get', ARGV[1])";
  const cross = "#!lua flags=allow-cross-slot-keys\nredis.call('set', KEYS[1], 'a')\nredis.call('set', ARGV[1], 'b')\nreturn redis.call('mget', ARGV[1])";
  const compat = "redis.call('set', KEYS[1], 'a')\nreturn redis.call('get', ARGV[1])";
  assert.match(await both('no-cluster', () => ['EVAL', "#!lua flags=no-cluster\nreturn 1", '0']), /^-ERR Can not run script on cluster, 'no-cluster' flag is set\.\r\n$/);
  assert.match(await both('non local key', (m) => ['EVAL', get, '0', m.other]), /^-ERR Script attempted to access a non local key in a cluster node script: \w+, on @user_script:2\.\r\n$/);
  assert.match(await both('non local key, pcall', (m) => ['EVAL', pget, '0', m.other]), /^-ERR Script attempted to access a non local key in a cluster node/);
  assert.match(await both('declared vs accessed slot', (m) => ['EVAL', get, '1', m.mine, m.mine2]), /^-ERR Script attempted to access keys that do not hash to the same slot script: /);
  assert.match(await both('first accessed key takes the slot', (m) => ['EVAL', get2, '0', m.mine, m.mine2]), /^-ERR Script attempted to access keys that do not hash to the same slot script: \w+, on @user_script:3\.\r\n$/);
  assert.equal(await both('same slot', (m) => ['EVAL', get2, '0', m.mine, m.mine]), '$-1\r\n');
  assert.equal(await both('allow-cross-slot-keys', (m) => ['EVAL', cross, '1', m.mine, m.mine2]), '*1\r\n$1\r\nb\r\n');
  assert.equal(await both('no shebang: cross slot allowed', (m) => ['EVAL', compat, '1', m.mine, m.mine2]), '$1\r\nb\r\n');
  assert.match(await both('no shebang: still local keys only', (m) => ['EVAL', compat, '1', m.mine, m.other]), /^-ERR Script attempted to access a non local key in a cluster node/);
  assert.equal(await both('declared key of the other shard', (m) => ['EVAL', get, '1', m.other]), '-MOVED <other>\r\n');
  assert.match(await both('declared keys of two slots', (m) => ['EVAL', get, '2', m.mine, m.other]), /^-CROSSSLOT/);
  assert.equal(await both('keyless commands', () => ['EVAL', "#!lua\nreturn redis.call('ping')", '0']), '+PONG\r\n');
  // Functions: FCALL routes by its declared keys; the flags are checked as for EVAL.
  const lib = [
    '#!lua name=clusterlib',
    "redis.register_function('fget', function(keys, args) return redis.call('get', args[1]) end)",
    "redis.register_function{function_name='nocluster', callback=function() return 1 end, flags={'no-cluster'}}",
  ].join('\n');
  for (const m of masters) assert.equal(text(await m.n.client.call('FUNCTION', 'LOAD', 'REPLACE', lib)), '$10\r\nclusterlib\r\n');
  assert.equal(await both('FCALL of a key elsewhere', (m) => ['FCALL', 'fget', '1', m.other]), '-MOVED <other>\r\n');
  assert.match(await both('FCALL accessing a non local key', (m) => ['FCALL', 'fget', '0', m.other]), /^-ERR Script attempted to access a non local key in a cluster node script: fget, on @user_function:2\.\r\n$/);
  assert.match(await both('FCALL cross slot', (m) => ['FCALL', 'fget', '1', m.mine, m.mine2]), /^-ERR Script attempted to access keys that do not hash to the same slot/);
  assert.equal(await both('FCALL no-cluster', (m) => ['FCALL', 'nocluster', '0']), "-ERR Can not run script on cluster, 'no-cluster' flag is set.\r\n");
  // An importing slot: after ASKING the script's commands are served here too (CLIENT_ASKING
  // is copied to the script client), without it they are not local.
  for (const m of masters) {
    const slot = String(keyHashSlot(m.other));
    assert.equal(text(await m.n.client.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', await myId(m.otherNode))), '+OK\r\n');
  }
  const asking = async (what: string, build: (m: (typeof masters)[number]) => string[]): Promise<string> => {
    const replies: string[] = [];
    for (const m of masters) {
      assert.equal(text(await m.n.client.call('ASKING')), '+OK\r\n');
      replies.push(normalized(text(await m.n.client.call(...build(m))), m));
    }
    assert.equal(replies[1], replies[0], `${what}: ${c.m1.kind} M1 vs ${c.m2.kind} M2`);
    return replies[0]!;
  };
  assert.equal(await asking('ASKING, undeclared key of the importing slot', (m) => ['EVAL', get, '0', m.other]), '$-1\r\n');
  assert.equal(await asking('ASKING, declared key of the importing slot', (m) => ['EVAL', "#!lua\nreturn redis.call('get', KEYS[1])", '1', m.other]), '$-1\r\n');
  assert.match(await both('no ASKING, importing slot', (m) => ['EVAL', get, '0', m.other]), /^-ERR Script attempted to access a non local key in a cluster node/);
  for (const m of masters) assert.equal(text(await m.n.client.call('CLUSTER', 'SETSLOT', String(keyHashSlot(m.other)), 'STABLE')), '+OK\r\n');
}

test('mixed cluster, lunakv M1 + redis replica S1 + redis M2: shard pub/sub and scripts', async (t) => {
  if (skipWithoutTools(t, true)) return;
  const c = await buildCluster('lunakv', 'redis', 'redis');
  await shardPubsubInCluster(c);
  await scriptsInCluster(c);
});

test('mixed cluster, redis M1 + lunakv replica S1 + lunakv M2: shard pub/sub and scripts', async (t) => {
  if (skipWithoutTools(t, true)) return;
  const c = await buildCluster('redis', 'lunakv', 'lunakv');
  await shardPubsubInCluster(c);
  await scriptsInCluster(c);
});
