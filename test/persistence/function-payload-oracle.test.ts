/**
 * Differential test against a real redis-server 7.0.15 (skipped only if the binary is
 * not installed): FUNCTION DUMP of libraries loaded on the server must equal our
 * encoder's bytes, our decoder must read the server's bytes, and the server must accept
 * our payloads. Key DUMP of random strings exercises the LZF compressor on many inputs,
 * since a string key's payload is 0x00 + the same rdb-string + the same footer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RdbWriter } from '../../src/persistence/rdb-encoding.js';
import {
  appendDumpFooter,
  decodeFunctionsPayload,
  encodeFunctionsPayload,
} from '../../src/persistence/function-payload.js';
import { ORACLE_MISSING, oracleAvailable, startOracle, type Oracle } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { decodeReply, type Decoded } from '../support/resp-decode.js';

/** A reply with bulk strings and statuses as raw bytes. */
type Reply = Buffer | number | null | ReplyError | Reply[];

class ReplyError {
  constructor(readonly message: string) {}
}

function asReply(v: Decoded): Reply {
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  if (typeof v === 'number' || v === null) return v;
  if (Array.isArray(v)) return v.map(asReply);
  if (typeof v === 'object' && 'status' in v) return Buffer.from(v.status, 'latin1');
  if (typeof v === 'object' && 'error' in v) return new ReplyError(v.error);
  throw new Error(`unexpected reply ${JSON.stringify(v)}`);
}

/** The RESP2 client to the oracle, with replies decoded by test/support/resp-decode.ts. */
class OracleClient {
  constructor(private readonly client: RespClient) {}

  async send(...args: Array<string | Buffer>): Promise<Reply> {
    return asReply(decodeReply(await this.client.call(...args)));
  }

  close(): void {
    this.client.close();
  }
}

function asBuffer(reply: Reply): Buffer {
  if (reply instanceof ReplyError) assert.fail(`server error: ${reply.message}`);
  assert.ok(Buffer.isBuffer(reply), 'expected a bulk or status reply');
  return reply;
}

const skipReason = oracleAvailable() ? false : ORACLE_MISSING;

let oracle: Oracle | null = null;
let client: OracleClient | null = null;

before(async () => {
  if (!oracleAvailable()) return;
  oracle = await startOracle();
  client = new OracleClient(await RespClient.connect(oracle.port));
});

after(async () => {
  client?.close();
  await oracle?.stop();
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
