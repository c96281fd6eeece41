/**
 * Helpers for the persistence file tests: a data set covering every type and
 * encoding, a canonical view of a server's whole keyspace for comparing two servers,
 * and temporary directories. Replies decode with test/support/resp-decode.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';
import { RespClient } from '../support/resp-client.js';
import { freePort, waitForChildOnPort } from '../support/oracle.js';
import { decodeResp, type Resp } from '../support/resp-decode.js';

export async function q(client: RespClient, ...args: (string | number | Buffer)[]): Promise<Resp> {
  return decodeResp(await client.call(...args));
}

export const LIBRARY = "#!lua name=persistlib\nredis.register_function('pf', function(keys, args) return 42 end)";

/** Commands that create every type in every encoding lunakv has, in several databases. */
export function datasetCommands(): (string | number)[][] {
  const cmds: (string | number)[][] = [
    ['SET', 'str:int', '12345'],
    ['SET', 'str:neg', '-7'],
    ['SET', 'str:bigint', '123456789012345'],
    ['SET', 'str:raw', 'hello'],
    ['SET', 'str:long', 'abcdefgh'.repeat(40)],
    ['SET', 'str:bin', '\x00\x01\xff\r\n'],
    ['SET', 'str:ttl', 'v', 'PX', '500000'],
    ['RPUSH', 'list:small', 'a', '1', '-5', '300', '70000', '-9000000', '5000000000', '9223372036854775807', 'x'.repeat(70)],
    ['SADD', 'set:intset', '1', '5', '-3', '100000'],
    ['SADD', 'set:wide', '1', '10000000000'],
    ['SADD', 'set:table', 'a', 'b', 'c'],
    ['HSET', 'hash:lp', 'f1', 'v1', 'n', '123', 'neg', '-1'],
    ['HSET', 'hash:table', 'f', 'x'.repeat(100)],
    ['ZADD', 'zset:lp', '1', 'a', '2.5', 'b', '-0.1', 'c', '1e100', 'd', '3e-7', 'e', 'inf', 'f', '-inf', 'g'],
    ['ZADD', 'zset:sl', '1', 'y'.repeat(100), '2', 'z'],
    ['EXPIRE', 'zset:sl', '100000'],
    ['SELECT', '2'],
    ['SET', 'db2:key', 'in db 2'],
    ['SELECT', '0'],
    ['FUNCTION', 'LOAD', LIBRARY],
  ];
  const bigList: (string | number)[] = ['RPUSH', 'list:big'];
  for (let i = 0; i < 3000; i++) bigList.push(`element-${i}`);
  cmds.push(bigList);
  const bigSet: (string | number)[] = ['SADD', 'set:bigints'];
  for (let i = 0; i < 600; i++) bigSet.push(i * 7);
  cmds.push(bigSet);
  const bigHash: (string | number)[] = ['HSET', 'hash:big'];
  for (let i = 0; i < 600; i++) bigHash.push(`field${i}`, `value${i}`);
  cmds.push(bigHash);
  const bigZset: (string | number)[] = ['ZADD', 'zset:big'];
  for (let i = 0; i < 300; i++) bigZset.push(i / 3, `m${i}`);
  cmds.push(bigZset);
  return cmds;
}

export async function loadDataset(client: RespClient): Promise<void> {
  for (const c of datasetCommands()) {
    const r = await q(client, ...c);
    if (r !== null && typeof r === 'object' && 'error' in r) throw new Error(`${c.join(' ')}: ${r.error}`);
  }
}

/** Encodings whose RDB bytes are deterministic (DUMP payloads can be compared byte for byte). */
const ORDERED_ENCODINGS = new Set(['int', 'embstr', 'raw', 'quicklist', 'intset', 'listpack']);

export interface KeyView {
  type: Resp;
  encoding: Resp;
  content: Resp;
  hasTtl: boolean;
  dump: string | null;
}

/** Every key of every database, with type, encoding, content (order-normalized) and TTL presence. */
export async function keyspaceView(client: RespClient, databases = 16): Promise<Record<string, KeyView>> {
  const out: Record<string, KeyView> = {};
  for (let db = 0; db < databases; db++) {
    await q(client, 'SELECT', db);
    const keys = ((await q(client, 'KEYS', '*')) as string[]).sort();
    for (const key of keys) {
      const type = (await q(client, 'TYPE', key)) as string;
      const encoding = await q(client, 'OBJECT', 'ENCODING', key);
      let content: Resp;
      switch (type) {
        case 'string':
          content = await q(client, 'GET', key);
          break;
        case 'list':
          content = await q(client, 'LRANGE', key, 0, -1);
          break;
        case 'set':
          content = ((await q(client, 'SMEMBERS', key)) as string[]).sort();
          break;
        case 'zset':
          content = await q(client, 'ZRANGE', key, 0, -1, 'WITHSCORES');
          break;
        case 'hash':
          content = pairsSorted((await q(client, 'HGETALL', key)) as string[]);
          break;
        default:
          content = null;
      }
      const ttl = (await q(client, 'PTTL', key)) as number;
      const dump = ORDERED_ENCODINGS.has(String(encoding)) ? ((await q(client, 'DUMP', key)) as string) : null;
      out[`${db}:${key}`] = { type, encoding, content, hasTtl: ttl > 0, dump };
    }
  }
  await q(client, 'SELECT', 0);
  return out;
}

function pairsSorted(flat: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lunakv-${tag}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A port the OS reports free; spawnServer checks that the answering server is the child it started. */
export function testPort(): Promise<number> {
  return freePort();
}

/**
 * Children still running when the test file's tests are done (a failed test may not
 * have stopped its own) are killed, so they cannot keep the file's process alive.
 */
const liveChildren = new Set<ChildProcess>();
after(() => {
  for (const child of liveChildren) child.kill('SIGKILL');
});
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface Child {
  process: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/**
 * Spawns a server program and waits until it answers on `port` with its own process id
 * (INFO server), so a stray server on a reused port is never mistaken for it.
 */
export async function spawnServer(command: string, args: string[], port: number): Promise<Child> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      liveChildren.delete(child);
      resolve(code);
    }),
  );
  await waitForChildOnPort(child, port);
  return { process: child, port, stderr: () => err, stdout: () => out, exited };
}

export async function stopChild(child: Child, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  await child.exited;
}

export function redisServerArgs(port: number, dir: string, extra: string[] = []): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', ...extra];
}
