/**
 * SCRIPT DEBUG and the Lua debugger (LDB), compared byte for byte with redis-server
 * 7.0.15: whole debugging sessions spoken in RESP (every reply of a session, then the
 * close), sessions driven by `redis-cli --ldb-sync-mode --eval` with scripted input,
 * sync mode (other clients wait, changes stay) and async mode (others are served,
 * changes are rolled back), and a debugging client sending garbage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { encodeCommand, replyLength, RespClient } from '../support/resp-client.js';
import { pairPerFile, show, type Pair } from '../support/oracle.js';

const withPair = pairPerFile({}, [['SELECT', '0'], ['FLUSHALL'], ['SCRIPT', 'FLUSH']]);

/** One step of a session: a command (or raw bytes) and how many replies it gets. */
interface Step {
  send: string[] | { raw: string };
  replies?: number;
}

/** Complete RESP replies at the start of `buf`. */
function countReplies(buf: Buffer): number {
  let n = 0;
  let pos = 0;
  for (;;) {
    const len = replyLength(buf.subarray(pos));
    if (len < 0) return n;
    pos += len;
    n++;
  }
}

/**
 * Runs a session on a fresh connection: SCRIPT DEBUG `mode`, then each step, waiting
 * for its replies; then waits for the server to close the connection (or closes it:
 * `hangUp`). The transcript: every byte the server sent, and whether it closed.
 */
async function transcript(port: number, mode: string, steps: Step[], hangUp = false): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buf = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => {});
  const waitFor = async (done: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
  };
  const all: Step[] = [{ send: ['SCRIPT', 'DEBUG', mode] }, ...steps];
  let expected = 0;
  for (const step of all) {
    if (closed) break;
    socket.write(Array.isArray(step.send) ? encodeCommand(step.send) : Buffer.from(step.send.raw, 'latin1'));
    expected += step.replies ?? 1;
    await waitFor(() => closed || countReplies(buf) >= expected, 1500);
  }
  // Hanging up: what the last step set off arrives first (a session's end comes in two writes).
  await waitFor(() => closed, hangUp ? 200 : 1500);
  socket.destroy();
  return buf.toString('latin1') + (closed ? '[closed]' : '[open]');
}

/** The same session against both servers: the transcripts must be equal. */
async function sameSession(pair: Pair, mode: string, steps: Step[], hangUp = false): Promise<string> {
  const ours = await transcript(pair.lunakv.port, mode, steps, hangUp);
  const redis = await transcript(pair.oracle.port, mode, steps, hangUp);
  // Functions print with their address (%p); only that may differ.
  const addresses = (s: string) => s.replace(/(function|thread)@0x[0-9a-f]+/g, '$1@ADDR');
  assert.equal(JSON.stringify(addresses(ours)), JSON.stringify(addresses(redis)));
  return redis;
}

const cmd = (...args: string[]): Step => ({ send: args });
const evalStep = (script: string, ...rest: string[]): Step => ({ send: ['EVAL', script, ...rest] });

const SCRIPT = [
  'local a = 1',
  "redis.call('set', KEYS[1], ARGV[1])",
  "local t = {1, 2, 'x', {a = 1}, 3.25}",
  "redis.debug('hello', a, t, nil, true)",
  'redis.breakpoint()',
  'for i = 1, 3 do',
  '  a = a + i',
  'end',
  "return redis.call('get', KEYS[1])",
].join('\n');

test('a stepping session: help, print, list, whole, break, trace, eval, redis, maxlen, continue', withPair(async (pair) => {
  const out = await sameSession(pair, 'sync', [
    evalStep(SCRIPT, '1', 'k', 'v1'),
    cmd('h'), cmd('s'), cmd('step'), cmd('p'), cmd('p', 'a'), cmd('p', 'KEYS'), cmd('p', 'ARGV'), cmd('p', 'nope'),
    cmd('l'), cmd('list', '3', '1'), cmd('l', '0'), cmd('l', '-5', '2'), cmd('w'),
    cmd('b', '7'), cmd('b'), cmd('b', '-7'), cmd('b', '100'), cmd('b', 'x'), cmd('b', '7', '8'), cmd('b', '7'), cmd('b', '0'),
    cmd('t'), cmd('e', 'a', '+', '1'), cmd('e', "redis.call('get', 'k')"), cmd('e', '1', '+'), cmd('e', 'error("boom")'),
    cmd('e', 'local x = 5'), cmd('r', 'get', 'k'), cmd('r', 'incr', 'k'), cmd('r', 'set', 'k'), cmd('r', 'nosuchcommand'),
    cmd('r'), cmd('m'), cmd('m', '10'), cmd('maxlen', '0'), cmd('M', '100'),
    cmd('c'), cmd('p'), cmd('n'), cmd('next'), cmd('s'), cmd('c'),
  ]);
  assert.match(out, /\+<endsession>\r\n\$2\r\nv1\r\n\[closed\]$/);
}));

test('line events as lua5.1 reports them: loops, calls, closures, elseif, repeat, pcall, trace', withPair(async (pair) => {
  const script = [
    'local function f(x)',
    '  local y = x * 2',
    '  return y',
    'end',
    'local s = 0',
    'for i = 1, 2 do',
    '  s = s + f(i)',
    'end',
    'while s < 8 do s = s + 1 end',
    'if s > 100 then',
    '  s = 0',
    'elseif s > 5 then',
    '  s = 1',
    'end',
    'local function g()',
    '  local z = 1',
    'end',
    'g()',
    'for k, v in pairs({a = 1}) do',
    '  s = s + v',
    'end',
    'repeat',
    '  s = s + 1',
    'until s > 3',
    'local ok = pcall(function()',
    '  return f(1)',
    'end)',
    'local t = {f = function() return 1 end}',
    'for i = 1, 3 do end',
    'return s',
  ].join('\n');
  const steps: Step[] = [evalStep(script, '0')];
  for (let i = 0; i < 70; i++) steps.push(cmd('s'), ...(i % 3 === 0 ? [cmd('p'), cmd('t')] : []));
  await sameSession(pair, 'sync', steps);
}));

test('breakpoints, redis.breakpoint() and continue; the breakpoint removal quirk', withPair(async (pair) => {
  const script = Array.from({ length: 12 }, (_, i) => `local v${i + 1} = ${i + 1}`).join('\n') + '\nredis.breakpoint()\nreturn v12';
  await sameSession(pair, 'sync', [
    evalStep(script, '0'),
    cmd('b', '3', '5', '7', '9'), cmd('b', '-3'), cmd('b'), cmd('b', '-5'), cmd('b'),
    cmd('c'), cmd('c'), cmd('c'), cmd('c'), cmd('c'),
  ]);
}));

test('maxlen trimming of replies and values, with its one-time hint', withPair(async (pair) => {
  const script = "local big = string.rep('x', 300)\nredis.call('set', 'big', big)\nreturn redis.call('get', 'big')";
  await sameSession(pair, 'sync', [
    evalStep(script, '0'), cmd('s'), cmd('s'), cmd('p', 'big'), cmd('p'), cmd('e', 'big'), cmd('m', '70'), cmd('p', 'big'),
    cmd('r', 'get', 'big'), cmd('m', '0'), cmd('r', 'get', 'big'), cmd('s'),
  ]);
}));

test('redis.call logs while stepping: replies of every type, errors, refusals, long argument lists', withPair(async (pair) => {
  const script = [
    "redis.call('rpush', 'l', 'a', 'b')",
    "redis.pcall('incr', 'l')",
    "redis.call('lrange', 'l', 0, -1)",
    "redis.call('get', 'missing')",
    "redis.pcall('nosuch')",
    "redis.pcall('set', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l')",
    "redis.pcall()",
    "redis.setresp(3)",
    "redis.call('hset', 'h', 'f', 'v')",
    "redis.call('hgetall', 'h')",
    "redis.call('smembers', 'l2')",
    "return redis.call('ping')",
  ].join('\n');
  const steps: Step[] = [evalStep(script, '0')];
  for (let i = 0; i < 13; i++) steps.push(cmd('s'));
  await sameSession(pair, 'sync', steps);
}));

test('the end of a session: abort, errors, compile errors, bad numkeys, EVALSHA', withPair(async (pair) => {
  await sameSession(pair, 'sync', [evalStep('return 1', '0'), cmd('a')]);
  await sameSession(pair, 'sync', [evalStep("redis.call('set','x','1')\nlocal ok = pcall(function()\n  redis.breakpoint()\n  return 1\nend)\nreturn 2", '0'), cmd('c'), cmd('abort')]);
  await sameSession(pair, 'sync', [evalStep('return (', '0')]);
  await sameSession(pair, 'sync', [evalStep('return 1', 'x')]);
  await sameSession(pair, 'sync', [evalStep('return 1', '2', 'a')]);
  await sameSession(pair, 'sync', [evalStep("error('oops')", '0'), cmd('s')]);
  await sameSession(pair, 'sync', [evalStep('#!lua flags=no-writes\nreturn redis.call("set", "a", "b")', '0'), cmd('s')]);
  await sameSession(pair, 'sync', [cmd('EVALSHA', 'a'.repeat(40), '0'), cmd('EVALSHA', 'abc', '0'), evalStep('return {1, "two"}', '0'), cmd('c')]);
  await sameSession(pair, 'yes', [evalStep('return 1', '0'), cmd('c')]);
  // The script was cached by the sync sessions, not by the async one.
  await pair.same('SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
}));

test('the suite\'s debug protocol cases: NUL bytes in commands, a 100-argument redis command', withPair(async (pair) => {
  await sameSession(pair, 'sync', [
    evalStep("return 'hello'", '0'),
    cmd('hello\0world'), cmd('hello\0'), cmd('\0hello'), cmd('\0hello\0'), cmd('s\0xyz', 'ignored'),
  ]);
  await sameSession(pair, 'sync', [
    evalStep("return 'hello'", '0'),
    cmd('script', 'debug', 'sync'),
    evalStep("return 'hello'", '0'),
    { send: { raw: '*101\r\n$5\r\nredis\r\n' + '$4\r\ntest\r\n'.repeat(100) } },
  ], true);
  // The session went on without its client; the server serves again.
  await pair.same('PING');
}));

test('the debugger protocol parser: garbage, bounds, partial and pipelined commands', withPair(async (pair) => {
  const cases: Step[][] = [
    [{ send: { raw: 's\r\n' } }],
    [{ send: { raw: 'garbage*1\r\n$1\r\ns\r\n' } }, cmd('c')],
    [{ send: { raw: '*0\r\n' } }],
    [{ send: { raw: '*1025\r\n' } }],
    [{ send: { raw: '*1\r\n$0\r\n\r\n' } }],
    [{ send: { raw: '*1\r\n$1025\r\n' } }],
    [{ send: { raw: '*1\r\n$1\r\nsX' } }],
    [{ send: { raw: '*1\r\nx' } }],
    [{ send: { raw: '*2\r\n$1\r\np' }, replies: 0 }, { send: { raw: '\r\n$1\r\na\r\n' } }, cmd('c')],
    [{ send: { raw: '*1\r\n$1\r\ns\r\n*1\r\n$1\r\np\r\n' } }, cmd('c')],
    [{ send: { raw: '  *1x\r\n$1y\r\nl\r\n' } }, cmd('c')],
    [{ send: { raw: '*1\r\n$1\r\n\0\r\n' } }, cmd('c')],
    [{ send: { raw: '\0*1\r\n$1\r\nc\r\n' } }],
  ];
  for (const steps of cases) await sameSession(pair, 'sync', [evalStep('local a = 1\nreturn a', '0'), ...steps]);
}));

test('a command buffer past 1 MB raises "max client buffer reached"', withPair(async (pair) => {
  await sameSession(pair, 'sync', [evalStep('return 1', '0'), { send: { raw: '*1\r\n' + 'x'.repeat((1 << 20) + 4096) } }]);
}));

test('sync mode: other clients wait for the session, its changes stay', withPair(async (pair) => {
  for (const port of [pair.oracle.port, pair.lunakv.port]) {
    const debugging = await RespClient.connect(port);
    const other = await RespClient.connect(port);
    assert.equal((await debugging.text('SCRIPT', 'DEBUG', 'SYNC')), '+OK\r\n');
    await debugging.call('EVAL', "redis.call('set', 'kept', 'yes')\nreturn 1", '0');
    other.writeRaw(encodeCommand(['GET', 'kept']));
    const reply = other.read();
    let answered = false;
    void reply.then(() => (answered = true));
    // No reply while the session lasts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'another client was served during a sync session');
    await debugging.call('c');
    assert.equal(show(await reply), show(Buffer.from('$3\r\nyes\r\n')));
    debugging.close();
    other.close();
  }
}));

test('async mode: others are served meanwhile, the changes are rolled back', withPair(async (pair) => {
  await pair.same('SET', 'k', 'before');
  for (const port of [pair.oracle.port, pair.lunakv.port]) {
    const debugging = await RespClient.connect(port);
    const other = await RespClient.connect(port);
    await debugging.call('SCRIPT', 'DEBUG', 'YES');
    await debugging.call('EVAL', "redis.call('set', 'k', 'during')\nredis.call('flushall')\nreturn redis.call('get', 'k')", '0');
    const stepped = (await debugging.text('s')) + (await debugging.text('r', 'get', 'k')) + (await debugging.text('r', 'select', '3'));
    assert.match(stepped, /"during"/);
    // The server serves others during the session, from the real dataset.
    assert.equal(await other.text('GET', 'k'), '$6\r\nbefore\r\n');
    assert.equal(await other.text('SET', 'other', '1'), '+OK\r\n');
    await debugging.call('c');
    debugging.close();
    other.close();
  }
  await pair.same('GET', 'k');
  await pair.same('GET', 'other');
  await pair.same('DBSIZE');
}));

test('async session: its private dataset is a copy of every database', withPair(async (pair) => {
  await pair.sameAll([['SELECT', '2'], ['RPUSH', 'l', 'a', 'b'], ['HSET', 'h', 'f', 'v'], ['SELECT', '0'], ['SET', 's', 'x']]);
  await sameSession(pair, 'yes', [
    evalStep("redis.call('select', 2)\nredis.call('rpush', 'l', 'c')\nredis.call('hdel', 'h', 'f')\nreturn redis.call('lrange', 'l', 0, -1)", '0'),
    cmd('s'), cmd('s'), cmd('s'), cmd('r', 'dbsize'), cmd('r', 'get', 's'), cmd('c'),
  ]);
  await pair.sameAll([['SELECT', '2'], ['LRANGE', 'l', '0', '-1'], ['HGETALL', 'h'], ['SELECT', '0'], ['GET', 's']]);
}));

test('the debugging client disconnecting: a sync script runs to its end, an async one is dropped', withPair(async (pair) => {
  const script = "redis.call('set', 'first', '1')\nredis.breakpoint()\nredis.call('set', 'second', '2')\nreturn 1";
  await sameSession(pair, 'sync', [evalStep(script, '0')], true);
  await pair.same('MGET', 'first', 'second');
  await pair.same('FLUSHALL');
  await sameSession(pair, 'yes', [evalStep(script, '0'), cmd('s')], true);
  await pair.same('PING');
  await pair.same('MGET', 'first', 'second');
}));

test('SCRIPT DEBUG outside a session: arguments, pipelines, MULTI; redis.debug and redis.breakpoint are no-ops', withPair(async (pair) => {
  await pair.sameAll([
    ['SCRIPT', 'DEBUG', 'maybe'],
    ['SCRIPT', 'DEBUG'],
    ['SCRIPT', 'DEBUG', 'yes', 'yes'],
    ['SCRIPT', 'DEBUG', 'NO'],
    ['EVAL', "return {redis.breakpoint(), redis.debug('x', 1), 'after'}", '0'],
    ['MULTI'],
    ['SCRIPT', 'DEBUG', 'YES'],
    ['EXEC'],
  ]);
  const [r, o] = await pair.connectBoth();
  const pipeline = Buffer.concat([encodeCommand(['SET', 'a', '1']), encodeCommand(['SCRIPT', 'DEBUG', 'SYNC']), encodeCommand(['GET', 'a'])]);
  r.writeRaw(pipeline);
  o.writeRaw(pipeline);
  for (let i = 0; i < 3; i++) assert.equal(show(await o.read()), show(await r.read()));
  r.close();
  o.close();
}));

test('a debugging client sending random bytes never takes the server down', withPair(async (pair) => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['*', '$', '\r\n', '\0', '1', '0', '2', '-', 's', 'p', 'c', 'x', '\r', '\n', '1024', '1025'];
  for (let round = 0; round < 25; round++) {
    let junk = '';
    const n = 1 + Math.floor(random() * 30);
    for (let i = 0; i < n; i++) junk += alphabet[Math.floor(random() * alphabet.length)];
    await sameSession(pair, 'sync', [evalStep('local x = 1\nreturn x', '0'), { send: { raw: junk }, replies: 1 }], true);
    await pair.same('PING');
  }
}));

const redisCli = spawnSync('redis-cli', ['--version']).status === 0;

test('redis-cli --ldb-sync-mode and --ldb sessions look the same on both servers', { skip: !redisCli && 'redis-cli is not installed' }, withPair(async (pair) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ldb-'));
  const file = path.join(dir, 'script.lua');
  fs.writeFileSync(file, SCRIPT + '\n');
  const input = ['h', 's', 's', 'p', 'l', 'b 7', 'c', 'p', 'r get k', 'e a * 2', 'w', 't', 'c', 'c', 'c', 'c', 'c', 'get k', 'quit'].join('\n') + '\n';
  for (const flag of ['--ldb-sync-mode', '--ldb']) {
    // Not spawnSync: the lunakv under test runs in this process's event loop.
    const run = (port: number) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('redis-cli', ['-p', String(port), flag, '--eval', file, 'k', ',', 'v9']);
        let out = '';
        child.stdout.setEncoding('latin1');
        child.stdout.on('data', (d: string) => (out += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
        child.once('error', reject);
        child.once('close', () => {
          clearTimeout(timer);
          resolve(out);
        });
        child.stdin.end(input);
      });
    const redis = await run(pair.oracle.port);
    const ours = await run(pair.lunakv.port);
    assert.match(redis, /Lua debugging session ended/);
    assert.equal(ours, redis);
  }
  fs.rmSync(dir, { recursive: true });
}));

test('busy-reply-threshold without a stop: the "infinite loop?" stop; hanging up then ends the script', withPair(async (pair) => {
  await pair.same('CONFIG', 'SET', 'busy-reply-threshold', '200');
  try {
    const loop = "local i = 0\nwhile true do\n  i = i + 1\nend";
    const steps = [evalStep(loop, '0'), cmd('c'), cmd('e', 'error(12)'), cmd('e', "error('x')"), cmd('b', '2'), cmd('c'), cmd('b', '0'), cmd('c')];
    const out = await sameSession(pair, 'sync', steps.map((s) => s), true).catch(async () => {
      // The loop counter differs from run to run: compare the session without it.
      const ours = await transcript(pair.lunakv.port, 'sync', steps, true);
      const redis = await transcript(pair.oracle.port, 'sync', steps, true);
      const counters = (s: string) => s.replace(/i = [0-9.e+]+/g, 'i = N');
      assert.equal(JSON.stringify(counters(ours)), JSON.stringify(counters(redis)));
      return redis;
    });
    assert.match(out, /stop reason = timeout reached, infinite loop\?/);
    // Both hung up in the loop: the script is ended by the next timeout, and the server serves again.
    await pair.same('PING');
  } finally {
    await pair.same('CONFIG', 'SET', 'busy-reply-threshold', '5000');
  }
}));

test('errors of debugger-evaluated code: numbers get the position, error tables show their text', withPair(async (pair) => {
  await sameSession(pair, 'sync', [evalStep('return 1', '0'), cmd('e', 'error(12)'), cmd('e', 'error(1.5, 0)'), cmd('c')]);
  // Redis 7.0.15 crashes on an error table here (lua_tostring gives NULL): lunakv only.
  const ours = await transcript(pair.lunakv.port, 'sync', [evalStep('return 1', '0'), cmd('e', "redis.call('nosuch')"), cmd('c')]);
  assert.match(ours, /\+<error> ERR Unknown Redis command called from script\r\n/);
}));
