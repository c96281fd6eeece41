/**
 * RESP parsing: pipelining, inline commands, split reads, and protocol errors (which
 * close the connection) compared with redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairPerFile, show, type Pair } from '../support/oracle.js';
import { RespClient, encodeCommand } from '../support/resp-client.js';
import { RespParser, ProtocolError, splitInlineArgs } from '../../src/protocol/resp-parser.js';

const withPair = pairPerFile({}, []);

/** Sends raw bytes on fresh connections to both servers; returns everything each sent back until close or timeout. */
async function rawExchange(p: Pair, input: string, waitMs = 300): Promise<[string, string]> {
  const run = async (port: number) => {
    const c = await RespClient.connect(port);
    const chunks: Buffer[] = [];
    c.socket.removeAllListeners('data');
    c.socket.on('data', (d) => chunks.push(d));
    const closed = new Promise<boolean>((resolve) => c.socket.once('close', () => resolve(true)));
    c.writeRaw(input);
    const wasClosed = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
    c.close();
    return Buffer.concat(chunks).toString('latin1') + (wasClosed ? '<closed>' : '<open>');
  };
  return [await run(p.oracle.port), await run(p.lunakv.port)];
}

const RAW_CASES: [string, string][] = [
  ['inline ping', 'PING\r\n'],
  ['inline with quotes', 'SET "a b" \'c d\'\r\nGET "a b"\r\n'],
  ['inline escapes', 'ECHO "\\x41\\n\\t"\r\n'],
  ['inline unbalanced quotes', 'ECHO "abc\r\n'],
  ['inline closing quote not followed by space', 'ECHO "abc"x\r\n'],
  ['inline LF only', 'PING\nPING\n'],
  ['empty inline lines', '\r\n\r\nPING\r\n'],
  ['invalid multibulk length', '*abc\r\n'],
  ['multibulk negative length is empty', '*-1\r\nPING\r\n'],
  ['multibulk zero', '*0\r\nPING\r\n'],
  ['expected $', '*1\r\n+PING\r\n'],
  ['invalid bulk length', '*1\r\n$abc\r\n'],
  ['negative bulk length', '*1\r\n$-1\r\n'],
  ['bulk over proto-max-bulk-len', '*1\r\n$600000000\r\n'],
  ['multibulk too big', '*3000000000\r\n'],
  ['commands before an error still run', '*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n'],
  ['unknown command with long args', `FOO ${'a'.repeat(200)} b c\r\n`],
  ['unknown command newline sanitised', '*2\r\n$3\r\nFOO\r\n$3\r\na\nb\r\n'],
  ['pipelined mix', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'],
];

for (const [name, input] of RAW_CASES) {
  test(`protocol: ${name}`, withPair(async (pair) => {
    const [r, o] = await rawExchange(pair, input);
    assert.equal(JSON.stringify(o), JSON.stringify(r));
  }));
}

test('protocol: thousands of pipelined commands in one write, and byte-by-byte splits', withPair(async (pair) => {
  const cmds: string[][] = [];
  for (let i = 0; i < 3000; i++) cmds.push(i % 2 ? ['INCR', 'counter'] : ['SET', `k${i}`, `v${i}`]);
  const [r, o] = [await pair.redis.pipeline(cmds), await pair.ours.pipeline(cmds)];
  assert.deepEqual(o.map(show), r.map(show));
  // byte by byte
  const c = await RespClient.connect(pair.lunakv.port);
  const bytes = Buffer.concat([encodeCommand(['SET', 'split', 'x'.repeat(100)]), encodeCommand(['GET', 'split'])]);
  for (const b of bytes) {
    c.writeRaw(Buffer.from([b]));
    await new Promise((res) => setImmediate(res));
  }
  assert.equal((await c.read()).toString(), '+OK\r\n');
  assert.equal((await c.read()).toString(), `$100\r\n${'x'.repeat(100)}\r\n`);
  c.close();
}));

test('protocol: a big bulk argument arriving in chunks', withPair(async (pair) => {
  const big = Buffer.alloc(5 * 1024 * 1024, 'z');
  const cmd = encodeCommand(['SET', 'big', big]);
  const c = await RespClient.connect(pair.lunakv.port);
  for (let i = 0; i < cmd.length; i += 65536) c.writeRaw(cmd.subarray(i, i + 65536));
  assert.equal((await c.read()).toString(), '+OK\r\n');
  assert.equal((await c.call('STRLEN', 'big')).toString(), `:${big.length}\r\n`);
  c.close();
}));

test('parser unit: incremental feeding yields the same commands', () => {
  const limits = { maxBulkLen: 512 * 1024 * 1024, maxQueryBuffer: 1024 * 1024 * 1024 };
  const input = Buffer.concat([encodeCommand(['A', 'bb', '']), Buffer.from('INLINE "q x"\r\n'), encodeCommand(['C'])]);
  for (let split = 1; split < input.length; split++) {
    const p = new RespParser(limits);
    const out: string[][] = [];
    p.feed(input.subarray(0, split), out);
    p.feed(input.subarray(split), out);
    assert.deepEqual(out, [['A', 'bb', ''], ['INLINE', 'q x'], ['C']]);
  }
  assert.throws(() => new RespParser(limits).feed(Buffer.from('*1\r\n$-5\r\n'), []), ProtocolError);
  assert.deepEqual(splitInlineArgs(`a 'b\\'c' "d\\x41"`), ['a', "b'c", 'dA']);
  assert.equal(splitInlineArgs('"abc'), null);
});
