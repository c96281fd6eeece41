/**
 * MIGRATE, differential against redis-server 7.0.15: the same MIGRATE is sent by a
 * redis-server source and a lunakv source to the same target (a redis-server one and a
 * lunakv one: every direction), and their replies must be the same bytes. The redis
 * source moves into db 1 of the target, ours into db 2; the two dbs must then hold the
 * same values (DUMP by the target) and TTLs, and the sources the same keys.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type RunningServer } from '../../src/index.js';
import { ORACLE_MISSING, show, startOracle, startPair, type Oracle, type Pair } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

let pair: Pair | null = null;
let redisTarget: Oracle | null = null;
let oursTarget: RunningServer | null = null;
const targets: { name: string; port: number; client: RespClient }[] = [];
/** Accepts connections and never answers. */
let silent: net.Server | null = null;
let silentPort = 0;

before(async () => {
  pair = await startPair();
  if (pair === null) return;
  redisTarget = await startOracle(['--enable-debug-command', 'yes']);
  oursTarget = await startServer({ port: 0, config: { 'enable-debug-command': 'yes' } });
  targets.push({ name: 'redis target', port: redisTarget.port, client: await RespClient.connect(redisTarget.port) });
  targets.push({ name: 'lunakv target', port: oursTarget.port, client: await RespClient.connect(oursTarget.port) });
  silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as net.AddressInfo).port;
});

after(async () => {
  for (const t of targets) t.client.close();
  await pair?.close();
  await redisTarget?.stop();
  await oursTarget?.close();
  silent?.close();
});

beforeEach(async () => {
  if (pair === null) return;
  await pair.both('FLUSHALL');
  for (const t of targets) {
    await t.client.call('CONFIG', 'SET', 'requirepass', '');
    await t.client.call('FLUSHALL');
  }
});

function skipped(t: { skip(m: string): void }): boolean {
  if (pair !== null) return false;
  t.skip(ORACLE_MISSING);
  return true;
}

/** Keys of every type, some with a TTL, the same on both sources. */
async function fill(p: Pair, prefix = ''): Promise<string[]> {
  const k = (n: string) => prefix + n;
  await p.same('SET', k('str'), 'hello');
  await p.same('SET', k('int'), '12345');
  await p.same('RPUSH', k('list'), 'a', 'b', 'c');
  await p.same('SADD', k('set'), 'x', 'y', '1');
  await p.same('ZADD', k('zset'), '1', 'a', '2.5', 'b');
  await p.same('HSET', k('hash'), 'f', 'v', 'g', 'w');
  await p.same('XADD', k('stream'), '1-1', 'f', 'v');
  await p.same('PFADD', k('hll'), 'a', 'b', 'c');
  await p.same('PEXPIRE', k('list'), '100000');
  await p.same('PEXPIRE', k('hash'), '200000');
  return ['str', 'int', 'list', 'set', 'zset', 'hash', 'stream', 'hll'].map(k);
}

/** Sends MIGRATE from both sources (redis's into db 1, ours into db 2); asserts equal replies. */
async function migrateBoth(p: Pair, port: number, key: string, rest: string[] = [], timeout = '5000'): Promise<string> {
  const r = await p.redis.call('MIGRATE', '127.0.0.1', String(port), key, '1', timeout, ...rest);
  const o = await p.ours.call('MIGRATE', '127.0.0.1', String(port), key, '2', timeout, ...rest);
  assert.equal(show(o), show(r), `MIGRATE ${key} ${rest.join(' ')} to :${port}`);
  return r.toString('latin1');
}

/**
 * db 1 (moved by redis) and db 2 (moved by us) of a target hold the same keys and values
 * (DEBUG DIGEST-VALUE: a set's DUMP lists members in hash-table order).
 */
async function sameTargetDbs(target: RespClient, keys: string[]): Promise<void> {
  for (const key of keys) {
    await target.call('SELECT', '1');
    const r = await target.call('DEBUG', 'DIGEST-VALUE', key);
    assert.notEqual(show(r), show(Buffer.from('*1\r\n$40\r\n' + '0'.repeat(40) + '\r\n')), `${key} exists on the target`);
    const rt = Number((await target.call('PTTL', key)).toString('latin1').slice(1, -2));
    await target.call('SELECT', '2');
    const o = await target.call('DEBUG', 'DIGEST-VALUE', key);
    const ot = Number((await target.call('PTTL', key)).toString('latin1').slice(1, -2));
    assert.equal(show(o), show(r), `value of ${key} on the target`);
    assert.equal(ot < 0, rt < 0, `TTL of ${key} on the target: ${ot} vs ${rt}`);
    if (rt > 0) assert.ok(Math.abs(ot - rt) < 2000, `TTL of ${key}: ${ot} vs ${rt}`);
  }
  await target.call('SELECT', '0');
}

for (const which of [0, 1]) {
  const label = () => targets[which]!.name;
  test(`MIGRATE of every type with TTLs, KEYS, COPY, REPLACE, NOKEY (target ${which === 0 ? 'redis' : 'lunakv'})`, async (t) => {
    if (skipped(t)) return;
    const p = pair!;
    const target = targets[which]!;
    const keys = await fill(p);
    // One key, then the rest with KEYS (a missing key among them is skipped).
    assert.equal(await migrateBoth(p, target.port, 'str'), '+OK\r\n', label());
    assert.equal(await migrateBoth(p, target.port, '', ['KEYS', ...keys.slice(1), 'missing']), '+OK\r\n');
    await sameTargetDbs(target.client, keys);
    await p.same('DBSIZE');
    await p.same('MIGRATE', '127.0.0.1', String(target.port), 'str', '0', '1000');
    await p.same('MIGRATE', '127.0.0.1', String(target.port), '', '0', '1000', 'KEYS', 'a', 'b');
    // BUSYKEY from the target is forwarded; the source keeps its key.
    await fill(p);
    const busy = await migrateBoth(p, target.port, 'str');
    assert.equal(busy, '-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n');
    await p.same('EXISTS', 'str');
    // COPY REPLACE: replaced on the target, kept here.
    await p.same('SET', 'str', 'changed');
    assert.equal(await migrateBoth(p, target.port, 'str', ['COPY', 'REPLACE']), '+OK\r\n');
    await p.same('GET', 'str');
    await sameTargetDbs(target.client, ['str']);
    // REPLACE alone moves it.
    assert.equal(await migrateBoth(p, target.port, '', ['REPLACE', 'KEYS', ...keys]), '+OK\r\n');
    await p.same('DBSIZE');
    await sameTargetDbs(target.client, keys);
  });

  test(`MIGRATE with AUTH and AUTH2 (target ${which === 0 ? 'redis' : 'lunakv'})`, async (t) => {
    if (skipped(t)) return;
    const p = pair!;
    const target = targets[which]!;
    await target.client.call('ACL', 'SETUSER', 'mover', 'on', '>moverpw', '~*', '+@all');
    // No password configured: AUTH is refused, yet the RESTORE after it runs (the link's
    // user is still default): the key is on the target and stays on the source.
    await p.same('SET', 'k1', 'v1');
    const refused = await migrateBoth(p, target.port, 'k1', ['AUTH', 'nopass']);
    assert.match(refused, /^-ERR Target instance replied with error: ERR AUTH <password> called without any password/);
    await p.same('EXISTS', 'k1');
    await sameTargetDbs(target.client, ['k1']);
    const wrong = await migrateBoth(p, target.port, 'k1', ['REPLACE', 'AUTH2', 'mover', 'wrong']);
    assert.match(wrong, /^-ERR Target instance replied with error: WRONGPASS/);
    await p.same('EXISTS', 'k1');
    assert.equal(await migrateBoth(p, target.port, 'k1', ['REPLACE', 'AUTH2', 'mover', 'moverpw']), '+OK\r\n');
    await p.same('EXISTS', 'k1');
    await target.client.call('CONFIG', 'SET', 'requirepass', 'secret');
    await target.client.call('AUTH', 'secret');
    // New links must authenticate: the target closes none, so drop them by restarting nothing;
    // a wrong password leaves the RESTORE refused by the (already authenticated) link or not.
    await p.same('SET', 'k2', 'v2');
    const bad = await migrateBoth(p, target.port, 'k2', ['AUTH', 'bad']);
    assert.match(bad, /^-ERR Target instance replied with error: WRONGPASS/);
    await p.same('EXISTS', 'k2');
    assert.equal(await migrateBoth(p, target.port, 'k2', ['REPLACE', 'AUTH', 'secret']), '+OK\r\n');
    await p.same('EXISTS', 'k2');
    await sameTargetDbs(target.client, ['k1', 'k2']);
    await target.client.call('CONFIG', 'SET', 'requirepass', '');
    await target.client.call('ACL', 'DELUSER', 'mover');
  });
}

test('MIGRATE argument errors are the same as redis-server', async (t) => {
  if (skipped(t)) return;
  const p = pair!;
  await p.same('SET', 'k', 'v');
  const port = String(targets[0]!.port);
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0', '1000', 'FOO');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0', '1000', 'AUTH');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0', '1000', 'AUTH2', 'u');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0', '1000', 'KEYS', 'k');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0', 'x');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', 'x', '1000');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '0');
  await p.sameError('MIGRATE', '127.0.0.1', port, 'k', '99', '1000');
  await p.same('EXISTS', 'k');
});

test('MIGRATE timeouts and refused connections are the same as redis-server', async (t) => {
  if (skipped(t)) return;
  const p = pair!;
  await p.same('SET', 'k', 'v');
  const startedAt = Date.now();
  const reply = await p.sameError('MIGRATE', '127.0.0.1', String(silentPort), 'k', '0', '300');
  assert.equal(reply, 'IOERR error or timeout reading to target instance');
  assert.ok(Date.now() - startedAt >= 500, 'each side waited its timeout');
  await p.same('EXISTS', 'k');
  // Nobody listens on a port just freed.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const refused = await p.sameError('MIGRATE', '127.0.0.1', String(closedPort), 'k', '0', '300');
  // Redis's connect only waits for writability: the refusal shows when writing.
  assert.equal(refused, 'IOERR error or timeout writing to target instance');
  const unknown = await p.sameError('MIGRATE', 'no-such-host.invalid', '6379', 'k', '0', '300');
  assert.equal(unknown, 'IOERR error or timeout connecting to the client');
});

test('lunakv serves other clients while a MIGRATE waits for its target', async (t) => {
  if (skipped(t)) return;
  const p = pair!;
  await p.ours.call('SET', 'k', 'v');
  const other = await RespClient.connect(p.lunakv.port);
  const pending = p.ours.call('MIGRATE', '127.0.0.1', String(silentPort), 'k', '0', '1000');
  const startedAt = Date.now();
  assert.equal((await other.call('PING')).toString(), '+PONG\r\n');
  assert.ok(Date.now() - startedAt < 500, 'PING was answered during the MIGRATE');
  assert.equal((await pending).toString(), '-IOERR error or timeout reading to target instance\r\n');
  other.close();
});

test('a key changed during a MIGRATE is sent again, with its last value', async (t) => {
  if (skipped(t)) return;
  const p = pair!;
  // A target that answers late (one +OK per command): the key changes before the replies.
  const received: string[] = [];
  const late = net.createServer((socket) => {
    socket.on('data', (d) => {
      const chunk = d.toString('latin1');
      received.push(chunk);
      const commands = chunk.split(/\r\n(?=\*\d+\r\n)/).length;
      setTimeout(() => socket.write('+OK\r\n'.repeat(commands)), 200);
    });
  });
  await new Promise<void>((resolve) => late.listen(0, '127.0.0.1', resolve));
  const port = (late.address() as net.AddressInfo).port;
  await p.ours.call('SET', 'k', 'v');
  await p.ours.call('SET', 'other', 'x');
  const other = await RespClient.connect(p.lunakv.port);
  const pending = p.ours.call('MIGRATE', '127.0.0.1', String(port), '', '0', '2000', 'KEYS', 'k', 'other');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await other.call('APPEND', 'k', '2')).toString(), ':2\r\n', 'served during the MIGRATE');
  assert.equal((await pending).toString(), '+OK\r\n');
  // The second round sent "k" alone, with REPLACE; nothing is left here.
  assert.equal(received.length, 2, 'two rounds');
  assert.match(received[1]!, /^\*5\r\n\$7\r\nRESTORE\r\n\$1\r\nk\r\n\$1\r\n0\r\n\$\d+\r\n\x00\x02v2[^]*\r\n\$7\r\nREPLACE\r\n$/);
  assert.equal((await other.call('EXISTS', 'k', 'other')).toString(), ':0\r\n');
  // A key deleted meanwhile is simply gone.
  await p.ours.call('SET', 'k', 'v');
  const pending2 = p.ours.call('MIGRATE', '127.0.0.1', String(port), 'k', '0', '2000');
  await new Promise((r) => setTimeout(r, 50));
  await other.call('DEL', 'k');
  assert.equal((await pending2).toString(), '+OK\r\n');
  assert.equal(received.length, 3, 'one round');
  assert.equal((await other.call('EXISTS', 'k')).toString(), ':0\r\n');
  other.close();
  late.close();
});

test('MIGRATE inside MULTI/EXEC and from a script (blocking, as Redis does)', async (t) => {
  if (skipped(t)) return;
  const p = pair!;
  // The redis target: a lunakv one in this process could not answer while we block.
  const port = String(targets[0]!.port);
  await p.same('SET', 'm', '1');
  await p.same('MULTI');
  await p.same('MIGRATE', '127.0.0.1', port, 'm', '5', '1000', 'REPLACE');
  await p.same('SET', 'n', '2');
  const exec = await p.same('EXEC');
  assert.equal(exec.toString(), '*2\r\n+OK\r\n+OK\r\n');
  await p.same('EXISTS', 'm');
  await targets[0]!.client.call('FLUSHALL');
  const script = "return redis.call('MIGRATE', '127.0.0.1', ARGV[1], 'n', '6', '1000')";
  // Both sources move "n" into db 6 of the redis target; the second is refused (BUSYKEY).
  const r = await p.redis.call('EVAL', script, '0', port);
  assert.equal(r.toString(), '+OK\r\n');
  await p.same('SET', 'n', '2');
  const busy = await p.sameError('EVAL', script, '0', port);
  assert.match(busy, /^ERR Target instance replied with error: BUSYKEY Target key name already exists\. script: /);
  await targets[0]!.client.call('SELECT', '6');
  await targets[0]!.client.call('DEL', 'n');
  assert.equal((await p.ours.call('EVAL', script, '0', port)).toString(), '+OK\r\n');
  assert.equal((await targets[0]!.client.call('GET', 'n')).toString(), '$1\r\n2\r\n');
  await targets[0]!.client.call('SELECT', '0');
  assert.equal((await p.ours.call('EXISTS', 'n')).toString(), ':0\r\n');
});
