/**
 * CLUSTER's subcommands, ASKING/READONLY/READWRITE and routing errors, byte for byte
 * against redis-server 7.0.15 with cluster-enabled yes (node ids, ports and handshake ids
 * replaced by placeholders, since they differ), and the standalone-mode refusals.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleAvailable, ORACLE_MISSING, pairPerFile } from '../support/oracle.js';
import { call, clusterInfo, eventually, lunakvClusterNode, redisClusterNode, sleep, text, type ClusterNodeHandle } from './support.js';

const withPair = pairPerFile();

test('standalone mode: cluster commands are refused as Redis does', withPair(async (p) => {
  for (const c of [
    ['CLUSTER', 'INFO'],
    ['CLUSTER', 'NODES'],
    ['CLUSTER', 'KEYSLOT', 'x'],
    ['CLUSTER', 'MEET', '127.0.0.1', '1'],
    ['CLUSTER', 'ADDSLOTS', '1'],
    ['CLUSTER', 'HELP'],
    ['CLUSTER', 'FOO'],
    ['CLUSTER'],
    ['CLUSTER', 'INFO', 'extra'],
    ['ASKING'],
    ['READONLY'],
    ['READWRITE'],
  ]) {
    await p.same(...c);
  }
  await p.same('SELECT', '1');
}));

let redis: ClusterNodeHandle | null = null;
let ours: ClusterNodeHandle | null = null;
before(async () => {
  if (!oracleAvailable()) return;
  // A long node timeout: handshake nodes (MEET to nowhere) serve as the "other" node.
  redis = await redisClusterNode({ 'cluster-node-timeout': '120000' });
  ours = await lunakvClusterNode({ 'cluster-node-timeout': '120000' });
});
after(async () => {
  await redis?.close();
  await ours?.close();
});

/** Ids and ports of a node, replaced in its replies by placeholders. */
interface Names {
  [real: string]: string;
}
const names = new Map<ClusterNodeHandle, Names>();

function normalize(n: ClusterNodeHandle, reply: Buffer): string {
  let s = text(reply);
  for (const [real, placeholder] of Object.entries(names.get(n) ?? {})) s = s.split(real).join(placeholder);
  return s;
}

async function both(...args: (string | number)[]): Promise<[string, string]> {
  return [normalize(redis!, await redis!.client.call(...args)), normalize(ours!, await ours!.client.call(...args))];
}

async function same(...args: (string | number)[]): Promise<string> {
  const [r, o] = await both(...args);
  assert.equal(JSON.stringify(o), JSON.stringify(r), `reply to ${JSON.stringify(args)}`);
  return r;
}

/** CLUSTER NODES, its lines sorted (Redis lists them in its dict's order). */
async function sameNodes(): Promise<void> {
  const [r, o] = await both('CLUSTER', 'NODES');
  // ping-sent and pong-recv are times: when a cron tick sent the last ping is a race.
  const times = (line: string) => line.split(' ').map((f, i) => (i === 4 || i === 5 ? '<time>' : f)).join(' ');
  const lines = (s: string) => s.split('\n').slice(1).map(times).sort();
  assert.deepEqual(lines(o), lines(r), 'CLUSTER NODES');
  // The bulk length follows the times' digits; the lines above hold everything else.
  assert.ok(o.startsWith('$') && o.endsWith('\n\r\n') && r.endsWith('\n\r\n'), 'CLUSTER NODES is a bulk of lines');
}

async function learn(n: ClusterNodeHandle, real: string, placeholder: string): Promise<void> {
  names.set(n, { ...(names.get(n) ?? {}), [real]: placeholder });
}

const skipped = (t: { skip(m: string): void }) => {
  if (redis === null) {
    t.skip(ORACLE_MISSING);
    return true;
  }
  return false;
};

test('a fresh node: MYID, NODES, INFO, HELP, KEYSLOT and argument errors', async (t) => {
  if (skipped(t)) return;
  for (const n of [redis!, ours!]) {
    const id = (await call(n, 'CLUSTER', 'MYID')) as string;
    assert.match(id, /^[0-9a-f]{40}$/);
    await learn(n, id, '<myid>');
    await learn(n, `:${n.port}@${n.cport}`, ':<port>@<cport>');
    await learn(n, `\r\n:${n.port}\r\n`, '\r\n:<port>\r\n');
  }
  await same('CLUSTER', 'MYID');
  await same('CLUSTER', 'NODES');
  await same('CLUSTER', 'INFO');
  await same('CLUSTER', 'HELP');
  await same('CLUSTER', 'SLOTS');
  await same('CLUSTER', 'SHARDS');
  await same('CLUSTER', 'LINKS');
  for (const k of ['foo', '{user1000}.following', '', 'a{}b', '{{x}}', '\xff\x00z']) await same('CLUSTER', 'KEYSLOT', k);
  for (const c of [
    ['CLUSTER', 'COUNTKEYSINSLOT', '-1'],
    ['CLUSTER', 'COUNTKEYSINSLOT', '16384'],
    ['CLUSTER', 'COUNTKEYSINSLOT', 'abc'],
    ['CLUSTER', 'COUNTKEYSINSLOT', '5'],
    ['CLUSTER', 'GETKEYSINSLOT', '0', '-1'],
    ['CLUSTER', 'GETKEYSINSLOT', '0', 'x'],
    ['CLUSTER', 'GETKEYSINSLOT', '16384', '5'],
    ['CLUSTER', 'GETKEYSINSLOT', '12182', '5'],
    ['CLUSTER', 'ADDSLOTS', '16384'],
    ['CLUSTER', 'ADDSLOTS', '-1'],
    ['CLUSTER', 'ADDSLOTS', 'abc'],
    ['CLUSTER', 'ADDSLOTS', '1', '1'],
    ['CLUSTER', 'ADDSLOTS', '1', 'x'],
    ['CLUSTER', 'ADDSLOTSRANGE', '10', '5'],
    ['CLUSTER', 'ADDSLOTSRANGE', '1', '2', '3'],
    ['CLUSTER', 'ADDSLOTSRANGE', '1', '5', '3', '8'],
    ['CLUSTER', 'DELSLOTS', '5000'],
    ['CLUSTER', 'DELSLOTSRANGE', '5000', '5001'],
    ['CLUSTER', 'SETSLOT', '1', 'foo'],
    ['CLUSTER', 'SETSLOT', '1', 'MIGRATING', 'abc'],
    ['CLUSTER', 'SETSLOT', '1', 'IMPORTING', 'abc'],
    ['CLUSTER', 'SETSLOT', '1', 'NODE', 'abc'],
    ['CLUSTER', 'SETSLOT', '50000', 'STABLE'],
    ['CLUSTER', 'SETSLOT', '1', 'STABLE', 'x'],
    ['CLUSTER', 'MEET', 'not-an-ip', '1'],
    ['CLUSTER', 'MEET', '127.0.0.1', 'abc'],
    ['CLUSTER', 'MEET', '127.0.0.1', '1', 'x'],
    ['CLUSTER', 'MEET', '127.0.0.1', '70000'],
    ['CLUSTER', 'MEET', '1', '2', '3', '4'],
    ['CLUSTER', 'FORGET', 'abc'],
    ['CLUSTER', 'FORGET', '<myid>'],
    ['CLUSTER', 'REPLICATE', 'abc'],
    ['CLUSTER', 'REPLICAS', 'abc'],
    ['CLUSTER', 'SLAVES', 'abc'],
    ['CLUSTER', 'COUNT-FAILURE-REPORTS', 'abc'],
    ['CLUSTER', 'FAILOVER'],
    ['CLUSTER', 'FAILOVER', 'bogus'],
    ['CLUSTER', 'FAILOVER', 'FORCE'],
    ['CLUSTER', 'FAILOVER', 'a', 'b'],
    ['CLUSTER', 'RESET', 'bogus'],
    ['CLUSTER', 'RESET', 'a', 'b'],
    ['CLUSTER', 'SET-CONFIG-EPOCH', '-1'],
    ['CLUSTER', 'SET-CONFIG-EPOCH', 'abc'],
    ['CLUSTER', 'BUMPEPOCH'],
    ['CLUSTER', 'BUMPEPOCH'],
    ['CLUSTER', 'SAVECONFIG'],
    ['CLUSTER', 'NOSUCH'],
    ['CLUSTER', 'INFO', 'x'],
    ['SELECT', '1'],
    ['SELECT', '0'],
    ['SELECT', 'x'],
    ['MOVE', 'k', '1'],
    ['SWAPDB', '0', '1'],
    ['COPY', 'a', 'b', 'DB', '1'],
    ['REPLICAOF', 'NO', 'ONE'],
    ['ASKING'],
    ['READONLY'],
    ['READWRITE'],
  ]) {
    await sameWithIds(c);
  }
  await same('CLUSTER', 'INFO');
});

function realId(n: ClusterNodeHandle): string {
  return Object.entries(names.get(n)!).find(([, v]) => v === '<myid>')![0];
}

/** Sends `args` to both, with each server's own id where args hold '<myid>'. */
async function sameWithIds(args: string[]): Promise<void> {
  const forNode = (n: ClusterNodeHandle) => args.map((a) => (a === '<myid>' ? realId(n) : a));
  const r = normalize(redis!, await redis!.client.call(...forNode(redis!)));
  const o = normalize(ours!, await ours!.client.call(...forNode(ours!)));
  assert.equal(JSON.stringify(o), JSON.stringify(r), `reply to ${JSON.stringify(args)}`);
}

test('slots, epochs and the single-node cluster state', async (t) => {
  if (skipped(t)) return;
  await same('CLUSTER', 'SET-CONFIG-EPOCH', '5');
  await same('CLUSTER', 'SET-CONFIG-EPOCH', '6');
  await same('CLUSTER', 'BUMPEPOCH');
  await same('CLUSTER', 'ADDSLOTS', '1', '2', '3');
  await same('CLUSTER', 'ADDSLOTS', '2');
  await same('CLUSTER', 'ADDSLOTSRANGE', '100', '200', '300', '300');
  await same('CLUSTER', 'ADDSLOTSRANGE', '150', '160');
  await same('CLUSTER', 'DELSLOTS', '2');
  await same('CLUSTER', 'DELSLOTSRANGE', '100', '149');
  await same('CLUSTER', 'NODES');
  await same('CLUSTER', 'SLOTS');
  await same('CLUSTER', 'SHARDS');
  await sameWithIds(['CLUSTER', 'REPLICAS', '<myid>']);
  await sameWithIds(['CLUSTER', 'COUNT-FAILURE-REPORTS', '<myid>']);
  await sameWithIds(['CLUSTER', 'SETSLOT', '1', 'MIGRATING', '<myid>']);
  await sameWithIds(['CLUSTER', 'SETSLOT', '1', 'IMPORTING', '<myid>']);
  await sameWithIds(['CLUSTER', 'SETSLOT', '7', 'IMPORTING', '<myid>']);
  await same('CLUSTER', 'NODES');
  await same('CLUSTER', 'SETSLOT', '7', 'STABLE');
  await same('CLUSTER', 'SETSLOT', '1', 'STABLE');
  await sameWithIds(['CLUSTER', 'SETSLOT', '9', 'NODE', '<myid>']);
  await same('CLUSTER', 'FLUSHSLOTS');
  await same('CLUSTER', 'NODES');
  await same('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  await same('CLUSTER', 'INFO');
  for (const n of [redis!, ours!]) await eventually(`cluster_state:ok on ${n.kind}`, async () => (await clusterInfo(n, 'cluster_state')) === 'ok');
  await same('CLUSTER', 'INFO');
  await same('CLUSTER', 'COUNTKEYSINSLOT', '12182');
  await same('SET', 'foo', 'bar');
  await same('SET', 'x{foo}', 'bar2');
  await same('CLUSTER', 'COUNTKEYSINSLOT', '12182');
  await same('CLUSTER', 'GETKEYSINSLOT', '12182', '1');
  await same('CLUSTER', 'FLUSHSLOTS');
  await same('CLUSTER', 'RESET');
  await same('CLUSTER', 'SETSLOT', '12182', 'NODE', 'abc');
});

test('routing: CROSSSLOT, transactions, scripts, MOVED, ASK, TRYAGAIN, CLUSTERDOWN', async (t) => {
  if (skipped(t)) return;
  await same('FLUSHALL');
  await same('MSET', 'a', '1', 'b', '2');
  await same('MSET', '{a}1', 'x', '{a}2', 'y');
  await same('MGET', '{a}1', '{a}2');
  await same('GET', 'a');
  await same('MULTI');
  await same('SET', 'a', '1');
  await same('SET', 'b', '1');
  await same('EXEC');
  await same('MULTI');
  await same('SET', 'a', '1');
  await same('MSET', 'a', '1', 'b', '2');
  await same('EXEC');
  await same('EVAL', 'return 1', '2', 'a', 'b');
  await same('EVAL', "return redis.call('get', KEYS[1])", '1', '{a}1');
  await same('PING');
  await same('DBSIZE');

  // Another node: a handshake node (MEET to an address where no bus answers).
  for (const n of [redis!, ours!]) {
    assert.equal(text(await n.client.call('CLUSTER', 'MEET', '127.0.0.1', '1', '2')), '+OK\r\n');
    const nodes = (await call(n, 'CLUSTER', 'NODES')) as string;
    const other = nodes.split('\n').find((l) => l.includes('handshake'))!.split(' ')[0]!;
    await learn(n, other, '<other>');
  }
  await sameNodes();
  const withOther = async (args: string[]) => {
    const forNode = (n: ClusterNode) => args.map((a) => (a === '<other>' ? idOf(n, '<other>') : a === '<myid>' ? idOf(n, '<myid>') : a));
    const r = normalize(redis!, await redis!.client.call(...forNode(redis!)));
    const o = normalize(ours!, await ours!.client.call(...forNode(ours!)));
    assert.equal(JSON.stringify(o), JSON.stringify(r), `reply to ${JSON.stringify(args)}`);
  };
  type ClusterNode = ClusterNodeHandle;
  const idOf = (n: ClusterNode, placeholder: string) => Object.entries(names.get(n)!).find(([, v]) => v === placeholder)![0];

  // MOVED: the slot of 'moved' is given to the other node.
  const movedSlot = Number(text(await ours!.client.call('CLUSTER', 'KEYSLOT', 'moved')).slice(1, -2));
  await withOther(['CLUSTER', 'SETSLOT', String(movedSlot), 'NODE', '<other>']);
  await same('GET', 'moved');
  await same('SET', 'moved', '1');
  await same('CLUSTER', 'KEYSLOT', 'moved');
  // IMPORTING it back: only with ASKING, one command at a time.
  await withOther(['CLUSTER', 'SETSLOT', String(movedSlot), 'IMPORTING', '<other>']);
  await same('GET', 'moved');
  await same('ASKING');
  await same('GET', 'moved');
  await same('GET', 'moved');
  await same('ASKING');
  await same('MGET', '{moved}1', '{moved}2');
  await same('ASKING');
  await same('MULTI');
  await same('GET', 'moved');
  await same('EXEC');

  // MIGRATING one of ours: ASK for missing keys, TRYAGAIN for a mix.
  await same('SET', '{mig}a', '1');
  const migSlot = Number(text(await ours!.client.call('CLUSTER', 'KEYSLOT', '{mig}')).slice(1, -2));
  await withOther(['CLUSTER', 'SETSLOT', String(migSlot), 'MIGRATING', '<other>']);
  await same('GET', '{mig}a');
  await same('GET', '{mig}b');
  await same('MGET', '{mig}a', '{mig}b');
  await same('MGET', '{mig}a', '{mig}a');
  await sameNodes();
  await same('CLUSTER', 'SETSLOT', String(migSlot), 'STABLE');
  await same('CLUSTER', 'SETSLOT', String(movedSlot), 'STABLE');

  // An unassigned slot, then the cluster down.
  await same('CLUSTER', 'DELSLOTS', String(migSlot));
  await same('GET', '{mig}a');
  await sleep(50);
  await same('GET', 'a');
  await same('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes');
  await same('GET', 'a');
  await same('SET', 'a', '2');
  await same('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'no');
  await same('CONFIG', 'SET', 'cluster-require-full-coverage', 'no');
  await same('CLUSTER', 'INFO');
  await same('PING');
});
