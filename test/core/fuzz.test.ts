/**
 * Bad input: random argument vectors for every implemented command, and random or
 * truncated RESP. The server must never crash or hang, and every reply must be valid
 * RESP. The seed is printed on failure (LUNAKV_FUZZ_SEED reproduces a run).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.js';
import { RespClient } from '../support/resp-client.js';
import { topLevelSpecs } from '../../src/commands/table/lookup.js';
import { isImplemented } from '../../src/commands/registry.js';
import type { ArgSpec, CommandSpec } from '../../src/commands/spec.js';

const SEED = Number(process.env.LUNAKV_FUZZ_SEED ?? Date.now() % 100000);

/** Commands that would stop the server, block, or change the connection's mode. */
const SKIP = new Set([
  'shutdown', 'debug', 'monitor', 'quit', 'reset', 'subscribe', 'psubscribe', 'ssubscribe', 'client|pause', 'client|kill',
  'config|set', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'xread', 'xreadgroup',
  'sync', 'psync', 'replicaof', 'slaveof', 'failover', 'wait', 'save', 'bgsave', 'bgrewriteaof', 'hello', 'auth', 'function|kill',
  'script|kill', 'client|reply', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'function|load', 'function|restore',
  'swapdb', 'select', 'client|unblock', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
]);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const VALUES = ['k1', 'k2', 'k3', '0', '1', '-1', '2', '10', '-100', '9223372036854775807', '-9223372036854775808', '99999999999999999999',
  '1.5', '-0.5', 'inf', '-inf', '+inf', 'nan', '', 'abc', '*', '[a-', '\\', '\x00\xff', 'COUNT', 'LIMIT', 'WITHSCORES', 'MATCH', 'TYPE', 'NX', 'XX', 'GT', 'LT', 'EX', 'PX'];

function tokensOf(args: ArgSpec[] | undefined, out: string[]): string[] {
  for (const a of args ?? []) {
    if (a.token) out.push(a.token);
    tokensOf(a.arguments, out);
  }
  return out;
}

function randomArgv(spec: CommandSpec, rand: () => number): string[] {
  const argv = spec.container ? [spec.container, spec.name] : [spec.name];
  const tokens = tokensOf(spec.arguments, []);
  const n = Math.floor(rand() * 7);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.3 && tokens.length) argv.push(tokens[Math.floor(rand() * tokens.length)]);
    else if (r < 0.95) argv.push(VALUES[Math.floor(rand() * VALUES.length)]);
    else argv.push(String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256))));
  }
  return argv;
}

let server: RunningServer;
before(async () => {
  server = await startServer({ port: 0 });
});
after(async () => {
  await server.close();
});

test(`fuzz: random argument vectors to every implemented command (seed ${SEED})`, async () => {
  const rand = rng(SEED);
  const client = await RespClient.connect(server.port);
  const specs: CommandSpec[] = [];
  for (const s of topLevelSpecs()) {
    if (s.subcommands) for (const sub of Object.values(s.subcommands)) specs.push(sub);
    else specs.push(s);
  }
  const implemented = specs.filter((s) => isImplemented(s.fullName) && !SKIP.has(s.fullName));
  assert.ok(implemented.length > 20, 'enough commands to fuzz');
  // Seed some data of each type so commands meet existing keys.
  await client.call('SET', 'k1', '10');
  for (let round = 0; round < 15; round++) {
    for (const spec of implemented) {
      const argv = randomArgv(spec, rand);
      let reply: Buffer;
      try {
        reply = await client.call(...argv);
      } catch (e) {
        throw new Error(`seed ${SEED}: no valid reply to ${JSON.stringify(argv)}: ${(e as Error).message}`);
      }
      assert.ok(reply.length > 0, `seed ${SEED}: empty reply to ${JSON.stringify(argv)}`);
    }
  }
  await client.call('DISCARD'); // a random MULTI may still be open
  assert.equal((await client.call('PING')).toString(), '+PONG\r\n');
  client.close();
});

test(`fuzz: random and truncated RESP never crash the server (seed ${SEED})`, async () => {
  const rand = rng(SEED + 1);
  const pieces = ['*', '$', '\r\n', '\n', '1', '-1', '3', '99999999999', 'PING', 'SET', 'GET', 'x', '"', "'", ' ', '\x00', '*2\r\n', '$3\r\n'];
  for (let i = 0; i < 200; i++) {
    const c = await RespClient.connect(server.port);
    c.socket.on('data', () => {});
    let input = '';
    const n = 1 + Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) input += pieces[Math.floor(rand() * pieces.length)];
    c.writeRaw(input);
    await new Promise((r) => setTimeout(r, 2));
    c.close();
  }
  const check = await RespClient.connect(server.port);
  assert.equal((await check.call('PING')).toString(), '+PONG\r\n');
  check.close();
});
