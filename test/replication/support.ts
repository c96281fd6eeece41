/**
 * Replication test support: nodes (redis-server oracles or in-process lunakv servers)
 * chained with REPLICAOF, a workload of every data type and feature, and the checks that
 * a replica converged (offsets, DEBUG DIGEST, FUNCTION DUMP).
 */
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.js';
import { startOracle, type Oracle } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { decodeResp, type Resp } from '../support/resp-decode.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One server of a replication test, whatever its kind. */
export interface Node {
  kind: 'redis' | 'lunakv';
  port: number;
  client: RespClient;
  close(): Promise<void>;
  /** The in-process server, for lunakv nodes. */
  running?: RunningServer;
  oracle?: Oracle;
}

/** Master settings that keep tests fast: no 5 s wait for more replicas before a diskless sync. */
const FAST = { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes' };

let redisNodes = 0;

/** `binary`: another redis-server-like program (the newer oracles of ../shared/oracles). */
export async function redisNode(config: Record<string, string> = {}, binary?: string): Promise<Node> {
  // A replica saves what it loads: its own file, never loaded by another test's server.
  const all = { ...FAST, dbfilename: `repl-test-${process.pid}-${++redisNodes}.rdb`, ...config };
  const oracle = await startOracle(Object.entries(all).flatMap(([k, v]) => [`--${k}`, v]), binary);
  const client = await RespClient.connect(oracle.port);
  return {
    kind: 'redis',
    port: oracle.port,
    client,
    oracle,
    close: async () => {
      client.close();
      await oracle.stop();
    },
  };
}

export async function lunakvNode(config: Record<string, string> = {}): Promise<Node> {
  const running = await startServer({ port: 0, config: { ...FAST, ...config } });
  const client = await RespClient.connect(running.port);
  return {
    kind: 'lunakv',
    port: running.port,
    client,
    running,
    close: async () => {
      client.close();
      await running.close();
    },
  };
}

export function text(reply: Buffer): string {
  return reply.toString('latin1');
}

/** One field of INFO replication (or another section). */
export async function infoField(node: Node, field: string, section = 'replication'): Promise<string | undefined> {
  const info = text(await node.client.call('INFO', section));
  const m = new RegExp(`^${field}:(.*)\\r$`, 'm').exec(info);
  return m?.[1];
}

/** Polls `check` until it is true (or fails after `ms`). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for: ${what}`);
}

/** REPLICAOF, then waits until the link is up. */
export async function replicate(replica: Node, master: Node): Promise<void> {
  assert.equal(text(await replica.client.call('REPLICAOF', '127.0.0.1', master.port)), '+OK\r\n');
  await linkUp(replica);
}

export async function linkUp(replica: Node): Promise<void> {
  await eventually(`the ${replica.kind} replica's link is up`, async () => (await infoField(replica, 'master_link_status')) === 'up');
}

/** Waits until `replica` applied everything `master` has in its stream. */
export async function caughtUp(replica: Node, master: Node): Promise<void> {
  await eventually(`${replica.kind} replica catches up with its ${master.kind} master`, async () => {
    const want = await infoField(master, 'master_repl_offset');
    const got = await infoField(replica, 'slave_repl_offset');
    return want !== undefined && want === got && (await infoField(replica, 'master_link_status')) === 'up';
  });
}

/** DEBUG DIGEST and FUNCTION DUMP are the same on both (and the digest covers data). */
export async function sameDataset(a: Node, b: Node): Promise<void> {
  const digestA = text(await a.client.call('DEBUG', 'DIGEST'));
  const digestB = text(await b.client.call('DEBUG', 'DIGEST'));
  if (digestA !== digestB) assert.fail(`DEBUG DIGEST differs: ${await digestDifferences(a, b)}`);
  assert.equal(digestB, digestA, `DEBUG DIGEST of the ${b.kind} replica equals its ${a.kind} master's`);
  assert.notEqual(digestA, '+0000000000000000000000000000000000000000\r\n', 'the dataset is not empty');
  // The same libraries. FUNCTION DUMP lists them in the order of Redis's dict, which
  // differs between two redis-servers too, so the libraries are compared by name.
  assert.deepEqual(await libraries(b), await libraries(a), 'the same function libraries (FUNCTION LIST WITHCODE)');
  const restored = text(await b.client.call('FUNCTION', 'DUMP'));
  assert.ok(restored.startsWith('$'), 'FUNCTION DUMP works on the replica');
  for (let db = 0; db < 4; db++) {
    await a.client.call('SELECT', db);
    await b.client.call('SELECT', db);
    assert.equal(text(await b.client.call('DBSIZE')), text(await a.client.call('DBSIZE')), `DBSIZE of db ${db}`);
  }
  await a.client.call('SELECT', 0);
  await b.client.call('SELECT', 0);
}

/** FUNCTION LIST WITHCODE, each library's reply, sorted by library name. */
async function libraries(n: Node): Promise<string[]> {
  const list = decodeResp(await n.client.call('FUNCTION', 'LIST', 'WITHCODE')) as Resp[];
  return list.map((lib) => JSON.stringify(lib)).sort();
}

/** The keys whose DEBUG DIGEST-VALUE differs, per database (to say what went wrong). */
async function digestDifferences(a: Node, b: Node): Promise<string> {
  const out: string[] = [];
  for (let db = 0; db < 16; db++) {
    await a.client.call('SELECT', db);
    await b.client.call('SELECT', db);
    const keysOf = async (n: Node) => text(await n.client.call('KEYS', '*')).split('\r\n').filter((l, i) => i > 0 && i % 2 === 0);
    const keys = new Set([...(await keysOf(a)), ...(await keysOf(b))]);
    for (const key of keys) {
      const va = text(await a.client.call('DEBUG', 'DIGEST-VALUE', key));
      const vb = text(await b.client.call('DEBUG', 'DIGEST-VALUE', key));
      const ta = text(await a.client.call('PTTL', key));
      const tb = text(await b.client.call('PTTL', key));
      if (va !== vb || (ta === ':-1\r\n') !== (tb === ':-1\r\n')) out.push(`db${db} ${key}: ${a.kind} ${va.trim()} ttl ${ta.trim()}, ${b.kind} ${vb.trim()} ttl ${tb.trim()}`);
    }
  }
  await a.client.call('SELECT', 0);
  await b.client.call('SELECT', 0);
  return out.join('; ') || 'no key differs (expiry times?)';
}

const LIBRARY = (name: string, body = "return redis.call('INCR', keys[1])") =>
  `#!lua name=${name}\nredis.register_function('${name}_f', function(keys, args) ${body} end)`;

/**
 * Writes of every kind through `master`: types, functions (LOAD, DELETE, RESTORE, FLUSH),
 * EVAL with writes, expiry, MULTI/EXEC, a blocking pop served by a push, streams with
 * groups, several databases. `tag` keeps the keys of repeated runs apart.
 */
export async function workload(master: Node, tag: string, options: { functionRestore?: boolean } = {}): Promise<void> {
  const c = master.client;
  const ok = async (...args: (string | number)[]) => {
    const reply = text(await c.call(...args));
    assert.ok(!reply.startsWith('-'), `${args.join(' ')} -> ${reply}`);
    return reply;
  };
  await ok('SELECT', 0);
  await ok('SET', `${tag}:s`, 'value');
  await ok('SET', `${tag}:ex`, 'v', 'EX', 1000);
  await ok('SET', `${tag}:px`, 'v', 'PX', 60000);
  await ok('INCRBYFLOAT', `${tag}:f`, '1.5');
  await ok('APPEND', `${tag}:s`, '-more');
  await ok('RPUSH', `${tag}:l`, 'a', 'b', 'c', 'd');
  await ok('LPOP', `${tag}:l`);
  await ok('HSET', `${tag}:h`, 'f1', 'v1', 'f2', 'v2');
  await ok('HINCRBYFLOAT', `${tag}:h`, 'n', '2.25');
  await ok('SADD', `${tag}:set`, 'x', 'y', 'z', '1', '2');
  await ok('SPOP', `${tag}:set`);
  await ok('ZADD', `${tag}:z`, 1, 'one', 2, 'two', 3, 'three');
  await ok('ZINCRBY', `${tag}:z`, 5, 'one');
  await ok('PFADD', `${tag}:hll`, 'a', 'b', 'c');
  await ok('SETBIT', `${tag}:bits`, 100, 1);
  await ok('GEOADD', `${tag}:geo`, '13.361389', '38.115556', 'Palermo');
  // Streams with a group, a read and an ack.
  await ok('XADD', `${tag}:x`, '1-1', 'f', 'v');
  await ok('XADD', `${tag}:x`, '*', 'f', 'w');
  await ok('XGROUP', 'CREATE', `${tag}:x`, 'g', '0');
  await ok('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 1, 'STREAMS', `${tag}:x`, '>');
  await ok('XACK', `${tag}:x`, 'g', '1-1');
  await ok('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', `${tag}:x`, '>');
  // Expiry: relative TTLs become absolute, a key that expires is deleted by a DEL.
  await ok('SET', `${tag}:short`, 'gone', 'PX', 20);
  await ok('EXPIRE', `${tag}:h`, 5000);
  await ok('PERSIST', `${tag}:ex`);
  // Transactions.
  await ok('MULTI');
  await ok('INCR', `${tag}:counter`);
  await ok('LPUSH', `${tag}:l2`, 'q');
  await ok('EXEC');
  // Scripts and functions.
  await ok('EVAL', "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", 2, `${tag}:e1`, `${tag}:e2`, 'x');
  await ok('FUNCTION', 'LOAD', 'REPLACE', LIBRARY(`lib${tag}a`));
  await ok('FUNCTION', 'LOAD', 'REPLACE', LIBRARY(`lib${tag}b`));
  await ok('FCALL', `lib${tag}a_f`, 1, `${tag}:fc`);
  await ok('FUNCTION', 'DELETE', `lib${tag}b`);
  if (options.functionRestore ?? true) {
    const dump = await c.call('FUNCTION', 'DUMP');
    await ok('FUNCTION', 'FLUSH');
    const payload = dump.subarray(dump.indexOf('\r\n') + 2, dump.length - 2);
    const restored = text(await c.call('FUNCTION', 'RESTORE', payload.toString('latin1')));
    assert.equal(restored, '+OK\r\n');
  }
  // A blocking pop served by a push from another client.
  const blocker = await RespClient.connect(master.port);
  const popped = blocker.call('BLPOP', `${tag}:queue`, 5);
  await sleep(50);
  await ok('RPUSH', `${tag}:queue`, 'job1', 'job2');
  assert.match(text(await popped), /job1/);
  blocker.close();
  // Other databases, MOVE and SWAPDB-free moves.
  await ok('SELECT', 1);
  await ok('SET', `${tag}:db1`, 'one');
  await ok('SELECT', 2);
  await ok('HSET', `${tag}:db2`, 'a', 'b');
  await ok('SELECT', 0);
  await ok('MOVE', `${tag}:counter`, 3);
  await sleep(40);
  // Touching the short-lived key makes the master expire it (and propagate a DEL).
  await ok('GET', `${tag}:short`);
}
