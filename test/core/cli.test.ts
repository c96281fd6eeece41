/**
 * The lunakv-server program: redis-server's option and config-file handling, fatal
 * config errors with redis-server's text and exit code, and a clean SIGTERM shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORACLE_MISSING, freePort, oracleAvailable } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/lunakv-server.js');

const BAD_CONFIGS: string[][] = [
  ['--foo', 'bar'],
  ['--port', 'abc'],
  ['--port', '70000'],
  ['--maxmemory', 'lots'],
  ['--appendonly', 'maybe'],
  ['--maxmemory-policy', 'random'],
  ['--save', '10'],
  ['--port'],
];

test('fatal config errors match redis-server (text and exit code)', (t) => {
  if (!oracleAvailable()) return t.skip(ORACLE_MISSING);
  for (const args of BAD_CONFIGS) {
    const redis = spawnSync('redis-server', args, { encoding: 'latin1', timeout: 5000 });
    const ours = spawnSync(process.execPath, [BIN, ...args], { encoding: 'latin1', timeout: 5000 });
    assert.equal(ours.status, redis.status, `exit code for ${args.join(' ')}`);
    assert.equal(ours.stderr.trim(), redis.stderr.trim(), `stderr for ${args.join(' ')}`);
  }
});

test('config file plus options; SIGTERM shuts down cleanly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunakv-cli-'));
  const port = await freePort();
  const conf = path.join(dir, 'lunakv.conf');
  fs.writeFileSync(conf, `# a comment\nrequirepass "s3cret"\nsave ""\nappendonly no\ndir ${dir}\n`);
  const child = spawn(process.execPath, [BIN, conf, '--port', String(port), '--databases', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !out.includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /Ready to accept connections/);
  const c = await RespClient.connect(port);
  assert.equal(await c.text('GET', 'x'), '-NOAUTH Authentication required.\r\n');
  assert.equal(await c.text('AUTH', 's3cret'), '+OK\r\n');
  assert.equal(await c.text('CONFIG', 'GET', 'databases'), '*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n');
  assert.equal(await c.text('SELECT', '4'), '-ERR DB index is out of range\r\n');
  c.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /Received SIGTERM scheduling shutdown/);
  fs.rmSync(dir, { recursive: true, force: true });
});
