/**
 * The RDB parser fed as a replica's socket feeds it: a dump.rdb written by redis-server
 * 7.0.15, cut into chunks of random sizes (1 byte up to many KB), parses to exactly what
 * the whole-file reader gives; bytes after the RDB stay unparsed; a payload cut short or
 * corrupted is refused at the end, never half taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RdbStreamParser, readRdbFile, RdbLoadError, type RdbContents, type RdbReadOptions } from '../../src/persistence/rdb-reader.js';
import { installContents } from '../../src/persistence/snapshot.js';
import { datasetDigest } from '../../src/commands/debug-digest.js';
import { createServer } from '../../src/index.js';
import { RespClient } from '../support/resp-client.js';
import { ORACLE_MISSING, oracleAvailable } from '../support/oracle.js';
import { loadDataset, q, redisServerArgs, removeDir, spawnServer, stopChild, tempDir, testPort } from './support.js';

function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

async function redisRdb(): Promise<Buffer> {
  const dir = tempDir('stream');
  const port = await testPort();
  const redis = await spawnServer('redis-server', redisServerArgs(port, dir), port);
  const rc = await RespClient.connect(port);
  try {
    await loadDataset(rc);
    // A value larger than any chunk, so that one entry spans many pushes.
    await q(rc, 'SET', 'big', 'v'.repeat(300_000));
    assert.equal(await q(rc, 'SAVE'), 'OK');
    return fs.readFileSync(path.join(dir, 'dump.rdb'));
  } finally {
    rc.close();
    await stopChild(redis);
    removeDir(dir);
  }
}

function options(): RdbReadOptions {
  const server = createServer();
  return { limits: server.encodingLimits, databases: 16, dropExpiredBefore: null, verifyChecksum: true };
}

/** DEBUG DIGEST of a server holding `contents` (sorted sets have random skip list levels: compare data, not structure). */
function digestOf(contents: RdbContents): string {
  const server = createServer();
  installContents(server, contents);
  return datasetDigest(server);
}

/** Feeds `bytes` in random chunks, parsing a few keys at a time; returns the parser. */
function feed(bytes: Buffer, random: () => number, trailing: Buffer): RdbStreamParser {
  const parser = new RdbStreamParser(options());
  const all = Buffer.concat([bytes, trailing]);
  for (let at = 0; at < all.length; ) {
    const n = 1 + Math.floor(random() ** 3 * 20_000);
    parser.push(all.subarray(at, at + n));
    at += n;
    parser.parse(1 + Math.floor(random() * 5), false);
  }
  while (!parser.done && parser.parse(Infinity, false) !== 0);
  if (!parser.done) parser.parse(Infinity, true);
  return parser;
}

test('an RDB parsed chunk by chunk equals the file read whole', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const rdb = await redisRdb();
  const whole = readRdbFile(rdb, options());
  assert.ok(whole.keysLoaded > 10);
  for (const seed of [1, 2, 3, 4]) {
    const trailing = Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1');
    const parser = feed(rdb, prng(seed), trailing);
    assert.ok(parser.done);
    assert.equal(digestOf(parser.contents), digestOf(whole));
    for (const [id, db] of whole.databases) assert.deepEqual(parser.contents.databases.get(id)?.expires, db.expires);
    assert.deepEqual(parser.contents.functions, whole.functions);
    assert.deepEqual(parser.contents.aux, whole.aux);
    assert.equal(parser.contents.keysLoaded, whole.keysLoaded);
    assert.equal(parser.contents.length, rdb.length);
    assert.equal(parser.rest().toString('latin1'), trailing.toString('latin1'), 'what follows the RDB is left');
  }
});

test('a streamed RDB cut short or corrupted is refused', async (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  const rdb = await redisRdb();
  const random = prng(9);
  for (let i = 0; i < 20; i++) {
    const cut = 9 + Math.floor(random() * (rdb.length - 10));
    const parser = new RdbStreamParser(options());
    parser.push(rdb.subarray(0, cut));
    parser.parse(Infinity, false);
    assert.equal(parser.done, false, `cut at ${cut} of ${rdb.length}`);
    assert.throws(() => parser.parse(Infinity, true), RdbLoadError);
  }
  const corrupt = Buffer.from(rdb);
  corrupt[corrupt.length - 20] = corrupt[corrupt.length - 20]! ^ 0xff;
  assert.throws(() => feed(corrupt, prng(5), Buffer.alloc(0)), RdbLoadError);
});

test('corruption inside the bytes so far is refused at once, not waited on', () => {
  // A key of an unknown type (66) followed by more bytes than it needs: nothing more
  // can make it valid, so the parser must not wait for further bytes.
  const bytes = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([66, 1, 0x6b]), Buffer.alloc(64, 0x61)]);
  const parser = new RdbStreamParser(options());
  parser.push(bytes);
  assert.throws(() => parser.parse(Infinity, false), RdbLoadError);
  // A cut, though, waits for more.
  const cut = new RdbStreamParser(options());
  cut.push(Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([0, 1, 0x6b, 5, 0x61])]));
  assert.equal(cut.parse(Infinity, false), 0);
  assert.equal(cut.waiting, true);
  cut.push(Buffer.from('aaaa\xff', 'latin1'));
  cut.push(Buffer.alloc(8));
  assert.equal(cut.parse(Infinity, false, true), 1);
  assert.equal(cut.done, true);
});
