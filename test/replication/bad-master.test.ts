/**
 * A lunakv replica facing a master that misbehaves: a scripted fake master answers the
 * handshake with garbage, closes the connection at each step, sends a truncated or
 * corrupt RDB, or never sends the $EOF mark it announced. The replica must log Redis's
 * message, keep serving (never crash), keep its old dataset where Redis would, and retry.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/index.js';
import { RespClient } from '../support/resp-client.js';
import { eventually, sleep } from './support.js';

/** How the fake master answers: one function per connection, given the lines it reads. */
type Script = (conn: FakeConnection) => Promise<void>;

class FakeConnection {
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buffer += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  /** The next command the replica sent (its argv). */
  async command(): Promise<string[]> {
    for (;;) {
      const m = /^\*(\d+)\r\n/.exec(this.buffer);
      if (m) {
        let pos = m[0].length;
        const argv: string[] = [];
        let complete = true;
        for (let i = 0; i < Number(m[1]); i++) {
          const h = /^\$(\d+)\r\n/.exec(this.buffer.slice(pos));
          if (!h || this.buffer.length < pos + h[0].length + Number(h[1]) + 2) {
            complete = false;
            break;
          }
          pos += h[0].length;
          argv.push(this.buffer.slice(pos, pos + Number(h[1])));
          pos += Number(h[1]) + 2;
        }
        if (complete) {
          this.buffer = this.buffer.slice(pos);
          return argv;
        }
      }
      if (this.closed) throw new Error('replica closed the connection');
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Answers the handshake up to PSYNC (PING, REPLCONF x2) with +PONG / +OK. */
  async handshake(): Promise<string[]> {
    for (;;) {
      const argv = await this.command();
      const name = argv[0]!.toUpperCase();
      if (name === 'PING') this.send('+PONG\r\n');
      else if (name === 'REPLCONF') this.send('+OK\r\n');
      else return argv;
    }
  }
}

/** A fake master; `scripts[i]` serves the i-th connection (the last one serves the rest). */
async function fakeMaster(scripts: Script[]): Promise<{ port: number; connections: () => number; close(): void }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const script = scripts[Math.min(count, scripts.length - 1)]!;
    count++;
    script(new FakeConnection(socket)).catch(() => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A real RDB payload: the dump of a lunakv holding `key` = `value`. */
async function rdbWith(key: string, value: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-master-'));
  const s = await startServer({ port: 0, config: { dir } });
  const c = await RespClient.connect(s.port);
  await c.call('SET', key, value);
  await c.call('SAVE');
  c.close();
  await s.close();
  const rdb = fs.readFileSync(path.join(dir, 'dump.rdb'));
  fs.rmSync(dir, { recursive: true, force: true });
  return rdb;
}

let replica: RunningServer | null = null;
let client: RespClient | null = null;
let logFile = '';
let master: Awaited<ReturnType<typeof fakeMaster>> | null = null;

afterEach(async () => {
  client?.close();
  await replica?.close();
  master?.close();
  if (logFile) fs.rmSync(logFile, { force: true });
  replica = null;
  client = null;
  master = null;
});

/** A replica holding old=data, logging to a file, pointed at a fake master. */
async function replicaOf(scripts: Script[], config: Record<string, string> = {}): Promise<void> {
  logFile = path.join(os.tmpdir(), `bad-master-${process.pid}-${Date.now()}.log`);
  replica = await startServer({ port: 0, log: true, config: { logfile: logFile, ...config } });
  client = await RespClient.connect(replica.port);
  await client.call('SET', 'old', 'data');
  master = await fakeMaster(scripts);
  assert.equal((await client.call('REPLICAOF', '127.0.0.1', master.port)).toString(), '+OK\r\n');
}

const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'latin1') : '');

async function stillServing(): Promise<void> {
  assert.equal((await client!.call('PING')).toString(), '+PONG\r\n');
  assert.equal((await client!.call('GET', 'old')).toString(), '$4\r\ndata\r\n', 'the old dataset is kept');
}

describe('a lunakv replica and a misbehaving master', () => {
  test('garbage in reply to PSYNC: logged, retried', async () => {
    await replicaOf([
      async (conn) => {
        await conn.handshake();
        conn.send('what is this\r\n');
      },
    ]);
    await eventually('the reply is logged', async () => log().includes('Unexpected reply to PSYNC from master: what is this'));
    await eventually('the replica retries', async () => master!.connections() >= 2, 5000);
    await stillServing();
  });

  test('the connection closes at every step of the handshake', async () => {
    // Connection n answers the first n commands, then closes: before PING, after PING, after
    // each REPLCONF, after PSYNC's +FULLRESYNC (before the payload).
    const expected = ['PING', 'REPLCONF', 'REPLCONF', 'PSYNC'];
    const received: string[][] = [];
    const scripts: Script[] = [0, 1, 2, 3, 4].map((n) => async (conn: FakeConnection) => {
      const seen: string[] = [];
      received[n] = seen;
      for (let i = 0; i < n; i++) {
        const argv = await conn.command();
        seen.push(argv[0]!.toUpperCase());
        const name = argv[0]!.toUpperCase();
        conn.send(name === 'PING' ? '+PONG\r\n' : name === 'PSYNC' ? `+FULLRESYNC ${'a'.repeat(40)} 0\r\n` : '+OK\r\n');
      }
      conn.socket.destroy();
    });
    await replicaOf(scripts);
    await eventually('every step was tried', async () => master!.connections() >= 6, 15000);
    // Each connection got as far as it was let: the replica retried from the start each time.
    for (let n = 0; n <= 4; n++) assert.deepEqual(received[n], expected.slice(0, n), `connection ${n}`);
    await stillServing();
    assert.match((await client!.call('ROLE')).toString(), /slave/);
  });

  test('a truncated RDB: the old dataset stays, the sync starts over', async () => {
    const rdb = await rdbWith('new', 'value');
    await replicaOf([
      async (conn) => {
        await conn.handshake();
        conn.send(`+FULLRESYNC ${'b'.repeat(40)} 0\r\n$${rdb.length}\r\n`);
        conn.send(rdb.subarray(0, rdb.length >> 1));
        await sleep(50);
        conn.socket.destroy();
      },
      async (conn) => {
        await conn.handshake();
        conn.send(`+FULLRESYNC ${'b'.repeat(40)} 0\r\n$${rdb.length}\r\n`);
        conn.send(rdb);
        // Keep the link open: the replica is synced.
        await new Promise((r) => conn.socket.on('close', r));
      },
    ]);
    await eventually('the second sync completes', async () => (await client!.call('GET', 'new')).toString() === '$5\r\nvalue\r\n');
    assert.equal((await client!.call('GET', 'old')).toString(), '$-1\r\n', 'a completed full sync replaces the dataset');
    assert.match(log(), /receiving \d+ bytes from master to disk/);
  });

  test('a corrupt RDB: Redis\'s failure line, no crash, retried', async () => {
    const rdb = await rdbWith('new', 'value');
    const corrupt = Buffer.from(rdb);
    corrupt[corrupt.length - 3] ^= 0xff; // the CRC no longer matches
    await replicaOf([
      async (conn) => {
        await conn.handshake();
        conn.send(`+FULLRESYNC ${'c'.repeat(40)} 0\r\n$${corrupt.length}\r\n`);
        conn.send(corrupt);
        await new Promise((r) => conn.socket.on('close', r));
      },
    ]);
    await eventually('the failure is logged', async () => log().includes('Failed trying to load the MASTER synchronization DB from disk'));
    await eventually('the replica retries', async () => master!.connections() >= 2, 5000);
    assert.equal((await client!.call('PING')).toString(), '+PONG\r\n');
  });

  test('a $EOF mark that never comes: the transfer times out and is retried', async () => {
    const rdb = await rdbWith('new', 'value');
    await replicaOf(
      [
        async (conn) => {
          await conn.handshake();
          conn.send(`+FULLRESYNC ${'d'.repeat(40)} 0\r\n$EOF:${'m'.repeat(40)}\r\n`);
          conn.send(rdb);
          conn.send('x'.repeat(40)); // the wrong mark
          await new Promise((r) => conn.socket.on('close', r));
        },
      ],
      { 'repl-timeout': '1' },
    );
    await eventually('the timeout is logged', async () => log().includes('Timeout receiving bulk data from MASTER'), 8000);
    await eventually('the replica retries', async () => master!.connections() >= 2, 5000);
    await stillServing();
  });

  test('diskless load (swapdb): a wrong $EOF mark after the RDB is refused, the old dataset stays', async () => {
    const rdb = await rdbWith('new', 'value');
    await replicaOf(
      [
        async (conn) => {
          await conn.handshake();
          conn.send(`+FULLRESYNC ${'e'.repeat(40)} 0\r\n$EOF:${'m'.repeat(40)}\r\n`);
          // In small pieces: the replica parses the payload as it arrives.
          for (let at = 0; at < rdb.length; at += 7) conn.send(rdb.subarray(at, at + 7));
          conn.send('x'.repeat(40)); // the wrong mark
          await new Promise((r) => conn.socket.on('close', r));
        },
        async (conn) => {
          await conn.handshake(); // and no answer to PSYNC: nothing is loading
          await new Promise((r) => conn.socket.on('close', r));
        },
      ],
      { 'repl-diskless-load': 'swapdb' },
    );
    await eventually('the broken mark is logged', async () => log().includes('Replication stream EOF marker is broken'));
    assert.match(log(), /receiving streamed RDB from master with EOF to parser/);
    assert.match(log(), /Discarding temporary DB in background/);
    await eventually('the replica retries', async () => master!.connections() >= 2, 5000);
    await stillServing();
    assert.equal((await client!.call('GET', 'new')).toString(), '$-1\r\n', 'nothing of the refused payload is applied');
  });

  test('diskless load (swapdb): a large last value that arrives in two pieces loads (the parser does not wait for more)', async () => {
    // Random base64: LZF cannot shrink it, so the RDB holds the value's 100 KB.
    const rdb = await rdbWith('big', randomBytes(75_000).toString('base64'));
    assert.ok(rdb.length > 100_000);
    const mark = 'k'.repeat(40);
    await replicaOf(
      [
        async (conn) => {
          await conn.handshake();
          conn.send(`+FULLRESYNC ${'a'.repeat(40)} 0\r\n$EOF:${mark}\r\n`);
          // Cut inside the value: what follows is less than the cut entry again.
          conn.send(rdb.subarray(0, rdb.length - 30_000));
          await sleep(50);
          conn.send(Buffer.concat([rdb.subarray(rdb.length - 30_000), Buffer.from(mark, 'latin1')]));
          await new Promise((r) => conn.socket.on('close', r));
        },
      ],
      { 'repl-diskless-load': 'swapdb' },
    );
    await eventually('the sync completes', async () => (await client!.call('STRLEN', 'big')).toString() === ':100000\r\n');
    assert.match(log(), /MASTER <-> REPLICA sync: Finished with success/);
  });

  test('diskless load (swapdb): a payload cut by a closed connection keeps the old dataset; the next one loads', async () => {
    const rdb = await rdbWith('new', 'value');
    await replicaOf(
      [
        async (conn) => {
          await conn.handshake();
          conn.send(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$EOF:${'m'.repeat(40)}\r\n`);
          conn.send(rdb.subarray(0, rdb.length - 5));
          await sleep(50);
          conn.socket.destroy();
        },
        async (conn) => {
          await conn.handshake();
          conn.send(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n$${rdb.length}\r\n`);
          conn.send(rdb);
          conn.send('*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n'); // the stream, right behind the payload
          await new Promise((r) => conn.socket.on('close', r));
        },
      ],
      { 'repl-diskless-load': 'swapdb' },
    );
    await eventually('the second sync completes', async () => (await client!.call('GET', 'after')).toString() === '$1\r\n1\r\n');
    assert.equal((await client!.call('GET', 'new')).toString(), '$5\r\nvalue\r\n');
    assert.equal((await client!.call('GET', 'old')).toString(), '$-1\r\n', 'a completed full sync replaces the dataset');
    assert.match(log(), /Swapping active DB with loaded DB/);
    assert.match(log(), /Internal error in RDB reading offset \d+.*Failure loading rdb format from socket, assuming connection error, resuming operation/);
    assert.match(log(), /Failed trying to load the MASTER synchronization DB from socket/);
  });

  test('a stream of garbage after the sync: the link is dropped, the replica lives on', async () => {
    const rdb = await rdbWith('new', 'value');
    await replicaOf([
      async (conn) => {
        await conn.handshake();
        conn.send(`+FULLRESYNC ${'e'.repeat(40)} 0\r\n$${rdb.length}\r\n`);
        conn.send(rdb);
        conn.send('*3\r\n$3\r\nSET\r\n$4\r\nsent\r\n$2\r\nok\r\n');
        conn.send('*2\r\n$abc\r\n\x00\x01garbage');
        await new Promise((r) => conn.socket.on('close', r));
      },
    ]);
    await eventually('the protocol error is logged', async () => log().includes('Protocol error from MASTER'), 5000);
    assert.equal((await client!.call('GET', 'new')).toString(), '$5\r\nvalue\r\n');
    assert.equal((await client!.call('GET', 'sent')).toString(), '$2\r\nok\r\n', 'the commands before the garbage were applied');
    assert.equal((await client!.call('PING')).toString(), '+PONG\r\n');
  });
});
