/**
 * Socket I/O in both implementations (src/server/socket-io.ts): the TCP handle driven
 * directly (the default) and net.Socket's streams (the fallback, LUNAKV_SOCKET_IO=stream).
 * Byte streams that stress read boundaries, big arguments, big replies and protocol
 * errors go to lunakv-server and to redis-server; the bytes sent back must be identical.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { ORACLE_MISSING, freePort, oracleAvailable, startOracle, waitForChildOnPort, type Oracle } from '../support/oracle.js';
import { RespClient, encodeCommand } from '../support/resp-client.js';
import { socketIOKind } from '../../src/server/socket-io.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/lunakv-server.js');

interface Program {
  port: number;
  child: ChildProcess;
}

async function startProgram(mode: 'handle' | 'stream'): Promise<Program> {
  const port = await freePort();
  const env = { ...process.env, LUNAKV_SOCKET_IO: mode === 'stream' ? 'stream' : '' };
  const child = spawn(process.execPath, [BIN, '--port', String(port), '--save', '', '--appendonly', 'no'], { env, stdio: 'ignore' });
  await waitForChildOnPort(child, port);
  return { port, child };
}

/**
 * Writes `pieces` one by one (each a separate write, `gapMs` apart) on a fresh connection
 * and returns the bytes received until `expectBytes` arrived, the server closed, or a
 * quiet period passed.
 */
async function exchange(port: number, pieces: Buffer[], gapMs: number, expectBytes: number, halfClose = false): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let received = 0;
  let closed = false;
  const done = new Promise<void>((resolve) => {
    let quiet: NodeJS.Timeout | null = null;
    const settle = () => {
      if (quiet) clearTimeout(quiet);
      quiet = setTimeout(resolve, 1000);
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received >= expectBytes) resolve();
      else settle();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => {});
    settle();
  });
  for (const [i, piece] of pieces.entries()) {
    // Half-close: the last piece and the FIN leave together.
    if (halfClose && i === pieces.length - 1) socket.end(piece);
    else socket.write(piece);
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  await done;
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1') + (closed ? '<closed>' : '');
}

function splitEvery(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

const bigValue = Buffer.alloc(300 * 1024, 'v');
const hugeValue = Buffer.alloc(6 * 1024 * 1024, 'h');

const SCENARIOS: { name: string; pieces: () => Buffer[]; gapMs: number; expectBytes: number; halfClose?: boolean }[] = [
  {
    name: 'commands then end of input in one go: the replies still come, then the close',
    pieces: () => [Buffer.concat([encodeCommand(['SET', 'h', 'v']), encodeCommand(['GET', 'h']), Buffer.from('PING\r\n')])],
    gapMs: 0,
    expectBytes: Infinity,
    halfClose: true,
  },
  {
    name: 'commands split into single bytes',
    pieces: () => splitEvery(Buffer.concat([encodeCommand(['SET', 'k', 'hello']), encodeCommand(['GET', 'k']), Buffer.from('PING\r\n')]), 1),
    gapMs: 2,
    expectBytes: '+OK\r\n$5\r\nhello\r\n+PONG\r\n'.length,
  },
  {
    name: 'a 300 KiB argument in 7000-byte writes',
    pieces: () => splitEvery(Buffer.concat([encodeCommand(['SET', 'big', bigValue]), encodeCommand(['STRLEN', 'big']), encodeCommand(['GETRANGE', 'big', '-3', '-1'])]), 7000),
    gapMs: 1,
    expectBytes: '+OK\r\n:307200\r\n$3\r\nvvv\r\n'.length,
  },
  {
    name: '20000 pipelined commands in one write (reads end mid-command)',
    pieces: () => {
      const cmds: Buffer[] = [];
      for (let i = 0; i < 20000; i++) cmds.push(encodeCommand(i % 2 ? ['INCRBY', 'counter', String(i)] : ['ECHO', `message-${i}`]));
      return [Buffer.concat(cmds)];
    },
    gapMs: 0,
    expectBytes: Infinity,
  },
  {
    name: 'a 6 MiB reply, then more commands on the same connection',
    pieces: () => [Buffer.concat([encodeCommand(['SET', 'huge', hugeValue]), encodeCommand(['GET', 'huge']), encodeCommand(['GET', 'huge']), encodeCommand(['PING'])])],
    gapMs: 0,
    expectBytes: 5 + 2 * (hugeValue.length + 14) + 7,
  },
  {
    name: 'a protocol error after good commands closes the connection',
    pieces: () => [Buffer.from('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\nPING\r\n')],
    gapMs: 0,
    expectBytes: Infinity,
  },
];

let oracle: Oracle | null = null;
const programs = new Map<string, Program>();

before(async () => {
  if (!oracleAvailable()) return;
  oracle = await startOracle();
  programs.set('handle', await startProgram('handle'));
  programs.set('stream', await startProgram('stream'));
});

after(async () => {
  await oracle?.stop();
  for (const p of programs.values()) p.child.kill('SIGKILL');
});

test('the direct handle I/O is in use on this Node version', () => {
  assert.equal(socketIOKind(), 'handle');
});

for (const mode of ['handle', 'stream'] as const) {
  for (const scenario of SCENARIOS) {
    test(`socket I/O (${mode}): ${scenario.name}`, async (t) => {
      if (!oracle) return t.skip(ORACLE_MISSING);
      const pieces = scenario.pieces();
      for (const port of [oracle.port, programs.get(mode)!.port]) {
        const c = await RespClient.connect(port);
        await c.call('FLUSHALL');
        c.close();
      }
      const fromRedis = await exchange(oracle.port, pieces, scenario.gapMs, scenario.expectBytes, scenario.halfClose);
      const fromLunakv = await exchange(programs.get(mode)!.port, pieces, scenario.gapMs, scenario.expectBytes, scenario.halfClose);
      assert.ok(fromRedis.length > 0);
      assert.equal(fromLunakv.length, fromRedis.length);
      assert.ok(fromLunakv === fromRedis, `replies differ (first difference at byte ${firstDifference(fromLunakv, fromRedis)})`);
    });
  }
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
