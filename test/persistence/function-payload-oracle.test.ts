/**
 * Differential test against a real redis-server 7.0.15 (skipped only if the binary is
 * not installed): FUNCTION DUMP of libraries loaded on the server must equal our
 * encoder's bytes, our decoder must read the server's bytes, and the server must accept
 * our payloads. Key DUMP of random strings exercises the LZF compressor on many inputs,
 * since a string key's payload is 0x00 + the same rdb-string + the same footer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { RdbWriter } from '../../src/persistence/rdb-encoding.js';
import {
  appendDumpFooter,
  decodeFunctionsPayload,
  encodeFunctionsPayload,
} from '../../src/persistence/function-payload.js';

type Reply = Buffer | number | null | ReplyError | Reply[];

class ReplyError {
  constructor(readonly message: string) {}
}

/** A minimal RESP2 client that keeps bulk replies as raw bytes. */
class RawRespClient {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.drain();
    });
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number): Promise<RawRespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawRespClient(socket)));
      socket.once('error', reject);
    });
  }

  send(...args: Array<string | Buffer>): Promise<Reply> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const arg of args) {
      const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat(parts));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const parsed = parseReply(this.pending, 0);
      if (parsed === null) return;
      this.pending = this.pending.subarray(parsed.end);
      this.waiting.shift()!.resolve(parsed.reply);
    }
  }
}

/** Parses one reply at offset, or returns null if it is not complete yet. */
function parseReply(data: Buffer, offset: number): { reply: Reply; end: number } | null {
  const lineEnd = data.indexOf('\r\n', offset);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(data[offset]!);
  const line = data.toString('latin1', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: Buffer.from(line, 'latin1'), end: next };
    case '-':
      return { reply: new ReplyError(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (data.length < next + length + 2) return null;
      return { reply: Buffer.from(data.subarray(next, next + length)), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, position);
        if (item === null) return null;
        items.push(item.reply);
        position = item.end;
      }
      return { reply: items, end: position };
    }
    default:
      throw new Error(`unexpected RESP type ${type}`);
  }
}

function asBuffer(reply: Reply): Buffer {
  if (reply instanceof ReplyError) assert.fail(`server error: ${reply.message}`);
  assert.ok(Buffer.isBuffer(reply), 'expected a bulk or status reply');
  return reply;
}

const redisInstalled = spawnSync('redis-server', ['--version']).status === 0;
const skipReason = redisInstalled ? false : 'redis-server is not installed: differential test skipped';

let server: ChildProcess | null = null;
let client: RawRespClient | null = null;

async function startServer(): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 7300 + Math.floor(Math.random() * 100);
    const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
      stdio: 'ignore',
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    for (let wait = 0; wait < 50 && !exited; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        const connection = await RawRespClient.connect(port);
        const pong = await connection.send('PING');
        if (Buffer.isBuffer(pong) && pong.toString() === 'PONG') {
          server = child;
          client = connection;
          return;
        }
        connection.close();
      } catch {
        // not listening yet
      }
    }
    if (!exited) child.kill();
  }
  throw new Error('could not start redis-server on a port in 7300-7399');
}

before(async () => {
  if (redisInstalled) await startServer();
});

after(() => {
  client?.close();
  server?.kill();
});

function library(name: string, body: string): string {
  return `#!lua name=${name}\n${body}`;
}

/** Library sources of varied size and compressibility (all valid Lua). */
function sampleLibraries(): string[] {
  const libraries = [
    library('tiny', "redis.register_function('t', function() return 1 end)"),
    library('mylib', "redis.register_function('myfunc', function(keys, args) return args[1] end)"),
    library(
      'flags',
      "redis.register_function{function_name='ro', callback=function() return 'ro' end, flags={'no-writes', 'allow-stale'}, description='read only'}",
    ),
  ];
  for (let n = 0; n < 40; n++) {
    // Random hex noise (incompressible) mixed with repeated statements (compressible).
    const noise = randomBytes(Math.floor(Math.random() * 600)).toString('hex');
    const repeats = Math.floor(Math.random() * 60);
    let body = `-- ${noise}\n`;
    for (let i = 0; i < repeats; i++) body += `local v${i % 7} = ${i * 37 % 101}\n`;
    body += `redis.register_function('gen${n}', function(keys, args) return ${n} end)\n`;
    libraries.push(library(`gen${n}`, body));
  }
  libraries.push(library('binary', "-- \u00ff\u0080\u0000\u00e9\r\nredis.register_function('bin', function() return 'b' end)"));
  libraries.push(library('big', "redis.register_function('bigf', function() return 1 end)\n" + '-- filler line\n'.repeat(8000)));
  return libraries;
}

test('FUNCTION DUMP of each library equals encodeFunctionsPayload, both rdbcompression settings', { skip: skipReason }, async () => {
  const redis = client!;
  for (const compression of [true, false]) {
    asBuffer(await redis.send('CONFIG', 'SET', 'rdbcompression', compression ? 'yes' : 'no'));
    for (const code of sampleLibraries()) {
      asBuffer(await redis.send('FUNCTION', 'FLUSH'));
      asBuffer(await redis.send('FUNCTION', 'LOAD', code));
      const dumped = asBuffer(await redis.send('FUNCTION', 'DUMP'));
      assert.equal(
        encodeFunctionsPayload([code], { compression }).toString('hex'),
        dumped.toString('hex'),
        `library ${code.slice(0, 30)} compression=${compression}`,
      );
      assert.deepEqual(decodeFunctionsPayload(dumped), { ok: true, libraries: [code] });
    }
  }
  asBuffer(await redis.send('CONFIG', 'SET', 'rdbcompression', 'yes'));
});

test('multi-library DUMP decodes to the loaded set; the server restores our payload', { skip: skipReason }, async () => {
  const redis = client!;
  const codes = sampleLibraries().slice(0, 12);
  asBuffer(await redis.send('FUNCTION', 'FLUSH'));
  for (const code of codes) asBuffer(await redis.send('FUNCTION', 'LOAD', code));
  const dumped = asBuffer(await redis.send('FUNCTION', 'DUMP'));
  const decoded = decodeFunctionsPayload(dumped);
  assert.ok(decoded.ok);
  assert.deepEqual([...decoded.libraries].sort(), [...codes].sort());
  // In the server's (dict) order, our bytes are identical.
  assert.equal(encodeFunctionsPayload(decoded.libraries).toString('hex'), dumped.toString('hex'));

  // The other direction: our payload, in load order, is accepted and yields the same set.
  asBuffer(await redis.send('FUNCTION', 'FLUSH'));
  assert.equal(asBuffer(await redis.send('FUNCTION', 'RESTORE', encodeFunctionsPayload(codes))).toString(), 'OK');
  const listed = (await redis.send('FUNCTION', 'LIST', 'WITHCODE')) as Reply[];
  const listedCodes = listed.map((entry) => {
    const fields = entry as Reply[];
    const index = fields.findIndex((field) => Buffer.isBuffer(field) && field.toString() === 'library_code');
    return asBuffer(fields[index + 1]!).toString('latin1');
  });
  assert.deepEqual(listedCodes.sort(), [...codes].sort());

  asBuffer(await redis.send('FUNCTION', 'FLUSH'));
  assert.equal(asBuffer(await redis.send('FUNCTION', 'DUMP')).toString('hex'), encodeFunctionsPayload([]).toString('hex'));
});

/** Strings of many shapes for the compressor: runs, repeats at various distances, noise. */
function compressorInputs(count: number): Buffer[] {
  const inputs: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const length = n < 40 ? 15 + n : Math.floor(Math.exp(Math.random() * Math.log(70_000))) + 12;
    const alphabetSize = 1 + Math.floor(Math.random() * (n % 3 === 0 ? 4 : 256));
    const value = Buffer.alloc(length);
    let i = 0;
    while (i < length) {
      if (i > 0 && Math.random() < 0.3) {
        // Copy an earlier segment: distances beyond 8 KB and lengths beyond 264 included.
        const distance = 1 + Math.floor(Math.random() * Math.min(i, 9000));
        const span = Math.min(length - i, 1 + Math.floor(Math.random() * 300));
        for (let k = 0; k < span; k++, i++) value[i] = value[i - distance]!;
      } else {
        value[i++] = 0x20 + Math.floor(Math.random() * alphabetSize);
      }
    }
    // A leading letter keeps values from being integers (stored int-encoded by Redis).
    value[0] = 0x78;
    inputs.push(value);
  }
  return inputs;
}

test('key DUMP of 400 varied strings equals 0x00 + our rdb-string + footer (LZF choices)', { skip: skipReason }, async () => {
  const redis = client!;
  asBuffer(await redis.send('FLUSHALL'));
  const inputs = compressorInputs(400);
  const sets = inputs.map((value, index) => redis.send('SET', `k${index}`, value));
  for (const reply of await Promise.all(sets)) asBuffer(reply);
  const dumps = await Promise.all(inputs.map((_, index) => redis.send('DUMP', `k${index}`)));
  let compressed = 0;
  inputs.forEach((value, index) => {
    const writer = new RdbWriter();
    writer.writeByte(0x00); // RDB_TYPE_STRING
    writer.writeString(value);
    appendDumpFooter(writer);
    const expected = asBuffer(dumps[index]!);
    if (expected[1] === 0xc3) compressed++;
    assert.equal(writer.toBuffer().toString('hex'), expected.toString('hex'), `value #${index}, ${value.length} bytes`);
  });
  assert.ok(compressed > 100, `LZF used for ${compressed} values`);
  asBuffer(await redis.send('FLUSHALL'));
});
