/**
 * Differential testing against the oracle: a real redis-server 7.0.15 started on a free
 * port beside an in-process lunakv. The same commands go to both; replies are compared
 * byte for byte.
 *
 *   const pair = await startPair();          // null when redis-server is not installed
 *   await pair.same(['SET', 'k', 'v']);      // asserts identical raw replies
 *   await pair.close();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, beforeEach, type TestContext } from 'node:test';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/index.js';
import { RespClient } from './resp-client.js';
import { sortedStrings } from './resp-decode.js';

export const REDIS_SERVER = 'redis-server';

export function oracleAvailable(): boolean {
  return spawnSync(REDIS_SERVER, ['--version']).status === 0;
}

export const ORACLE_MISSING = 'redis-server (the oracle) is not installed: run `apt-get install -y redis-server`';

/** The newer servers of ../shared/oracles (beside the checkout), for what changed after 7.0. */
export type NewerOracle = 'redis-server-7.4.1' | 'valkey-server-8.0.1';

/** The binary's path, or null when ../shared/oracles is not beside the checkout. */
export function newerOracleBinary(name: NewerOracle): string | null {
  const binary = fileURLToPath(new URL(`../../../../shared/oracles/${name}`, import.meta.url));
  return existsSync(binary) ? binary : null;
}

export const newerOracleMissing = (name: NewerOracle): string => `${name} is missing (../shared/oracles is not beside the checkout)`;

export { freePort } from './ports.js';
import { freePort } from './ports.js';

/**
 * Oracles still running when the test file's tests are done are killed (a failed test
 * may not close its pair), so they cannot keep the file's process alive.
 */
const liveOracles = new Set<ChildProcess>();
after(() => {
  for (const child of liveOracles) child.kill('SIGKILL');
});
process.once('exit', () => {
  for (const child of liveOracles) child.kill('SIGKILL');
});

export interface Oracle {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Waits (up to 10 s) until `child` answers on `port`: INFO server must show its process id,
 * since a port found free a moment ago may have been taken by another server since.
 */
export async function waitForChildOnPort(child: ChildProcess, port: number): Promise<void> {
  for (let i = 0; i < 200 && child.exitCode === null && child.signalCode === null; i++) {
    try {
      const c = await RespClient.connect(port);
      const info = (await c.call('INFO', 'server')).toString('latin1');
      c.close();
      if (info.includes(`process_id:${child.pid}\r\n`)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts redis-server on a free port, without persistence. Extra args: ['--maxmemory', '1mb']. */
export async function startOracle(extraArgs: string[] = [], binary = REDIS_SERVER): Promise<Oracle> {
  const port = await freePort();
  const child = spawn(
    binary,
    // Replication tests give replicas a dbfilename of their own (a replica saves what it loads).
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', '--dir', os.tmpdir(), ...extraArgs],
    { stdio: 'ignore' },
  );
  liveOracles.add(child);
  child.once('exit', () => liveOracles.delete(child));
  await waitForChildOnPort(child, port);
  return {
    port,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

export function show(b: Buffer): string {
  return JSON.stringify(b.toString('latin1'));
}

export class Pair {
  constructor(
    readonly oracle: Oracle,
    readonly lunakv: RunningServer,
    readonly redis: RespClient,
    readonly ours: RespClient,
  ) {}

  /** Sends a command to both; returns both raw replies. */
  async both(...args: (string | Buffer | number)[]): Promise<[Buffer, Buffer]> {
    return [await this.redis.call(...args), await this.ours.call(...args)];
  }

  /** Asserts both servers reply with the same bytes; returns the reply. */
  async same(...args: (string | Buffer | number)[]): Promise<Buffer> {
    const [r, o] = await this.both(...args);
    assert.equal(show(o), show(r), `reply to ${JSON.stringify(args.map(String))}`);
    return r;
  }

  /**
   * Asserts both servers reply with the same elements in any order (KEYS, SMEMBERS:
   * orders Redis leaves to its hash table); returns them sorted.
   */
  async sameSorted(...args: (string | Buffer | number)[]): Promise<string[]> {
    const [r, o] = await this.both(...args);
    const expected = sortedStrings(r);
    assert.deepEqual(sortedStrings(o), expected, `elements of the reply to ${JSON.stringify(args.map(String))}`);
    return expected;
  }

  /** Asserts both servers reply with the same error (the same bytes); returns its text. */
  async sameError(...args: (string | Buffer | number)[]): Promise<string> {
    const [r, o] = await this.both(...args);
    assert.equal(String.fromCharCode(r[0]), '-', `redis-server replied ${show(r)} to ${JSON.stringify(args.map(String))}, not an error`);
    assert.equal(show(o), show(r), `error reply to ${JSON.stringify(args.map(String))}`);
    return r.toString('latin1', 1, r.length - 2);
  }

  /** Runs a script of commands through `same`. */
  async sameAll(commands: (string | Buffer | number)[][]): Promise<void> {
    for (const c of commands) await this.same(...c);
  }

  /** Opens another connection to each server. */
  async connectBoth(): Promise<[RespClient, RespClient]> {
    return [await RespClient.connect(this.oracle.port), await RespClient.connect(this.lunakv.port)];
  }

  async close(): Promise<void> {
    this.redis.close();
    this.ours.close();
    await this.lunakv.close();
    await this.oracle.stop();
  }
}

/**
 * Starts an oracle and a lunakv with the same configuration. `config` is applied to
 * both (as --name value for redis-server). Returns null when redis-server is missing.
 * `binary` picks another oracle (a newer server of ../shared/oracles).
 */
export async function startPair(config: Record<string, string> = {}, binary = REDIS_SERVER): Promise<Pair | null> {
  if (binary === REDIS_SERVER && !oracleAvailable()) return null;
  const extra = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
  const oracle = await startOracle(extra, binary);
  const lunakv = await startServer({ port: 0, config });
  const redis = await RespClient.connect(oracle.port);
  // Give our first client the same id as the oracle's, so CLIENT ID and HELLO agree.
  const redisId = Number((await redis.text('CLIENT', 'ID')).slice(1, -2));
  if (Number.isInteger(redisId)) lunakv.server.lastClientId = redisId - 1;
  else lunakv.server.lastClientId = 3; // requirepass: CLIENT ID was refused; probes used 3 ids
  return new Pair(oracle, lunakv, redis, await RespClient.connect(lunakv.port));
}

/**
 * One pair for a whole test file: registers before/after hooks (and a beforeEach that
 * runs `reset` on both servers, SELECT 0 + FLUSHALL by default) and returns `withPair`,
 * which wraps a test body and skips it, saying why, when redis-server is missing.
 */
export function pairPerFile(
  config: Record<string, string> = {},
  reset: string[][] = [['SELECT', '0'], ['FLUSHALL']],
): (fn: (p: Pair, t: TestContext) => Promise<void>) => (t: TestContext) => Promise<void> {
  let pair: Pair | null = null;
  before(async () => {
    pair = await startPair(config);
  });
  after(async () => {
    await pair?.close();
  });
  beforeEach(async () => {
    if (!pair) return;
    for (const command of reset) await pair.both(...command);
  });
  return (fn) => async (t) => {
    if (!pair) return t.skip(ORACLE_MISSING);
    await fn(pair, t);
  };
}

/**
 * A pair of its own for one test (a configuration of its own, or a fresh server):
 * wraps the test body, starting the pair before and closing it after, and skips the
 * test, saying why, when redis-server is missing.
 *
 *   test('...', ownPair({ 'hll-sparse-max-bytes': '100' }, async (pair) => { ... }));
 */
export function ownPair(
  config: Record<string, string>,
  fn: (p: Pair, t: TestContext) => Promise<void>,
): (t: TestContext) => Promise<void> {
  return async (t) => {
    const pair = await startPair(config);
    if (!pair) return t.skip(ORACLE_MISSING);
    try {
      await fn(pair, t);
    } finally {
      await pair.close();
    }
  };
}
