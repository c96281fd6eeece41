/**
 * Blocking commands against redis-server 7.0.15: each scenario runs on both servers
 * over several connections and the transcripts of replies must be identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCommand, RespClient } from '../support/resp-client.js';
import { pairPerFile, type Pair } from '../support/oracle.js';

const withPair = pairPerFile({}, []);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scenario drives connections and appends every reply it sees to `log`. */
type Scenario = (c: RespClient[], log: string[]) => Promise<void>;

/** Sends a command without waiting for its reply (it is expected to block). */
function send(c: RespClient, ...args: string[]): void {
  c.writeRaw(encodeCommand(args));
}

async function record(c: RespClient, log: string[], ...args: string[]): Promise<void> {
  log.push(`${args.join(' ')} -> ${(await c.call(...args)).toString('latin1')}`);
}

async function readInto(c: RespClient, log: string[], label: string): Promise<void> {
  log.push(`${label} => ${(await c.read(3000)).toString('latin1')}`);
}

async function runOn(port: number, clients: number, scenario: Scenario): Promise<string[]> {
  const conns: RespClient[] = [];
  for (let i = 0; i < clients; i++) conns.push(await RespClient.connect(port));
  const log: string[] = [];
  try {
    await conns[0].call('FLUSHALL');
    await scenario(conns, log);
  } finally {
    for (const c of conns) c.close();
  }
  return log;
}

async function sameScenario(pair: Pair, clients: number, scenario: Scenario): Promise<void> {
  const theirs = await runOn(pair.oracle.port, clients, scenario);
  const ours = await runOn(pair.lunakv.port, clients, scenario);
  assert.deepEqual(ours, theirs);
}

const scenarios: Record<string, [number, Scenario]> = {
  'BLPOP served by RPUSH': [
    2,
    async ([a, b], log) => {
      send(a, 'BLPOP', 'k', 'other', '0');
      await pause(40);
      await record(b, log, 'RPUSH', 'k', 'x', 'y');
      await readInto(a, log, 'a');
      await record(b, log, 'LRANGE', 'k', '0', '-1');
    },
  ],
  'FIFO among clients blocked on one key': [
    4,
    async ([a, b, c, d], log) => {
      send(a, 'BRPOP', 'k', '0');
      await pause(30);
      send(b, 'BLPOP', 'k', '0');
      await pause(30);
      send(c, 'BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '2');
      await pause(30);
      await record(d, log, 'RPUSH', 'k', '1', '2', '3', '4', '5');
      await readInto(a, log, 'a');
      await readInto(b, log, 'b');
      await readInto(c, log, 'c');
      await record(d, log, 'LRANGE', 'k', '0', '-1');
    },
  ],
  'timeouts reply null': [
    1,
    async ([a], log) => {
      await record(a, log, 'BLPOP', 'k', '0.05');
      await record(a, log, 'BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.05');
      await record(a, log, 'BZPOPMIN', 'k', '0.05');
      await record(a, log, 'BZMPOP', '0.05', '1', 'k', 'MIN');
      await record(a, log, 'BLMPOP', '0.05', '1', 'k', 'LEFT');
      await record(a, log, 'HELLO', '3').catch(() => {});
      log.pop();
      await record(a, log, 'BLPOP', 'k', '0.05');
      await record(a, log, 'BRPOPLPUSH', 'k', 'd', '0.05');
    },
  ],
  'MULTI/EXEC wakes clients after EXEC, and never blocks inside': [
    2,
    async ([a, b], log) => {
      send(a, 'BLPOP', 'k', '0');
      await pause(40);
      await b.call('MULTI');
      await b.call('RPUSH', 'k', 'a');
      await b.call('RPUSH', 'k', 'b');
      await b.call('LPOP', 'k');
      await record(b, log, 'EXEC');
      await readInto(a, log, 'a');
      await b.call('MULTI');
      await b.call('BLPOP', 'nokey', '0');
      await b.call('BZPOPMAX', 'nokey', '0');
      await b.call('BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0');
      await record(b, log, 'EXEC');
    },
  ],
  'BLMOVE chains into another blocked client': [
    3,
    async ([a, b, c], log) => {
      send(a, 'BLPOP', 'dst', '0');
      await pause(30);
      send(b, 'BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
      await pause(30);
      await record(c, log, 'RPUSH', 'src', 'x', 'y');
      await readInto(b, log, 'b');
      await readInto(a, log, 'a');
      await record(c, log, 'LRANGE', 'src', '0', '-1');
      await record(c, log, 'EXISTS', 'dst');
    },
  ],
  'wrong type and deletion while blocked': [
    2,
    async ([a, b], log) => {
      send(a, 'BLPOP', 'k', '0');
      await pause(40);
      await record(b, log, 'SET', 'k', 'str');
      await record(b, log, 'DEL', 'k');
      await record(b, log, 'ZADD', 'k', '1', 'm');
      await record(b, log, 'DEL', 'k');
      await record(b, log, 'LPUSH', 'k', 'v');
      await readInto(a, log, 'a');
    },
  ],
  'RENAME onto a waited key serves it': [
    2,
    async ([a, b], log) => {
      send(a, 'BZPOPMAX', 'z', '0');
      await pause(40);
      await record(b, log, 'ZADD', 'tmp', '1', 'a', '2', 'b');
      await record(b, log, 'RENAME', 'tmp', 'z');
      await readInto(a, log, 'a');
      await record(b, log, 'ZRANGE', 'z', '0', '-1');
    },
  ],
  'CLIENT UNBLOCK': [
    2,
    async ([a, b], log) => {
      const id = (await a.call('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      send(a, 'BLPOP', 'k', '0');
      await pause(40);
      await record(b, log, 'CLIENT', 'UNBLOCK', id, 'TIMEOUT');
      await readInto(a, log, 'a');
      send(a, 'BZPOPMIN', 'k', '0');
      await pause(40);
      await record(b, log, 'CLIENT', 'UNBLOCK', id, 'ERROR');
      await readInto(a, log, 'a');
      await record(b, log, 'CLIENT', 'UNBLOCK', id);
      await record(b, log, 'CLIENT', 'UNBLOCK', id, 'FOO');
      await record(b, log, 'CLIENT', 'UNBLOCK', 'x');
    },
  ],
  'commands pipelined after a blocking one wait for it': [
    2,
    async ([a, b], log) => {
      a.writeRaw(Buffer.concat([encodeCommand(['BZMPOP', '0', '2', 'z1', 'z2', 'MAX', 'COUNT', '2']), encodeCommand(['ECHO', 'after'])]));
      await pause(40);
      await record(b, log, 'ZADD', 'z2', '1', 'a', '2', 'b', '3', 'c');
      await readInto(a, log, 'a1');
      await readInto(a, log, 'a2');
    },
  ],
  'XREAD BLOCK and XREADGROUP BLOCK': [
    3,
    async ([a, b, c], log) => {
      await record(c, log, 'XADD', 's', '1-0', 'f', 'v');
      await record(c, log, 'XGROUP', 'CREATE', 's', 'g', '$');
      send(a, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', 'other', '$', '0');
      await pause(30);
      send(b, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
      await pause(30);
      await record(c, log, 'XADD', 's', '2-0', 'f', 'w');
      await readInto(a, log, 'a');
      await readInto(b, log, 'b');
      await record(c, log, 'XPENDING', 's', 'g');
      await record(a, log, 'XREAD', 'BLOCK', '50', 'STREAMS', 's', '$');
      send(b, 'XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
      await pause(30);
      await record(c, log, 'XGROUP', 'DESTROY', 's', 'g');
      await readInto(b, log, 'b');
      await c.call('MULTI');
      await c.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await record(c, log, 'EXEC');
    },
  ],
  'a closed blocked client is forgotten': [
    3,
    async ([a, b, c], log) => {
      send(a, 'BLPOP', 'k', '0');
      await pause(30);
      send(b, 'BLPOP', 'k', '0');
      await pause(30);
      a.close();
      await pause(30);
      await record(c, log, 'RPUSH', 'k', 'v');
      await readInto(b, log, 'b');
    },
  ],
};

test('blocking commands behave like redis-server', withPair(async (pair, t) => {
  for (const [name, [clients, scenario]] of Object.entries(scenarios)) {
    await t.test(name, () => sameScenario(pair, clients, scenario));
  }
}));
