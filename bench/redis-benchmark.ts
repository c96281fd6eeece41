/**
 * npm run bench: redis-benchmark against lunakv and redis-server in the same run, for
 * the same tests, 50 clients, pipelines 1 and 16. Prints requests/s and the ratio
 * lunakv/redis. Both servers run as separate processes on free ports.
 *
 * Options (environment): BENCH_REQUESTS (default 100000), BENCH_TESTS (comma list for -t),
 * BENCH_ROUNDS (default 3: the best of alternating rounds is reported for each server),
 * BENCH_SCRIPTING (default 1; 0 skips the FCALL / EVALSHA rows), BENCH_DATATYPES (default 1;
 * 0 skips the data-type rows).
 *
 * The scripting rows run custom commands (FCALL of a GET and a SET function, EVALSHA of
 * a GET and a SET script) on random keys, after loading the same library and scripts
 * into both servers.
 *
 * The data-type rows are redis-benchmark's LPUSH, LPOP, SADD, HSET and ZADD tests plus a
 * custom ZRANGE of a whole 100-member sorted set (created in both servers first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const LUNAKV_BIN = path.resolve(here, '../src/bin/lunakv-server.js');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100000);
const TESTS = process.env.BENCH_TESTS ?? 'ping,set,get,incr,mset';
const PIPELINES = [1, 16];
const CLIENTS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCRIPTING = process.env.BENCH_SCRIPTING !== '0';
const DATATYPES = process.env.BENCH_DATATYPES !== '0';
const DATATYPE_TESTS = 'lpush,lpop,sadd,hset,zadd';
const ZRANGE_KEY = 'bench:zset100';

/** Creates the sorted set the ZRANGE row reads; returns the custom commands by row name. */
function loadDataTypes(port: number): Map<string, string[]> {
  const members: string[] = [];
  for (let i = 0; i < 100; i++) members.push(String(i), `member:${i}`);
  const r = spawnSync('redis-cli', ['-p', String(port), 'ZADD', ZRANGE_KEY, ...members], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.startsWith('ERR')) throw new Error(`redis-cli ZADD on ${port}: ${r.stdout}${r.stderr}`);
  return new Map([['ZRANGE 0 99 (100 members)', ['ZRANGE', ZRANGE_KEY, '0', '99']]]);
}

/** redis-benchmark's built-in data-type tests and the custom data-type commands. */
function runDataTypeBenchmark(port: number, pipeline: number, custom: Map<string, string[]>, rows: Map<string, number>): void {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', String(CLIENTS), '-n', String(REQUESTS), '-P', String(pipeline), '-t', DATATYPE_TESTS, '--csv'], {
    encoding: 'utf8',
  });
  for (const line of r.stdout.split('\n').slice(1)) {
    const cells = line.split('","').map((c) => c.replace(/"/g, ''));
    if (cells.length > 1) rows.set(cells[0], Number(cells[1]));
  }
  for (const [name, command] of custom) rows.set(name, runCustomBenchmark(port, pipeline, command));
}

const BENCH_LIBRARY = [
  '#!lua name=benchlib',
  "redis.register_function('get_fn', function(keys) return redis.call('GET', keys[1]) end)",
  "redis.register_function('set_fn', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
].join('\n');
const GET_SCRIPT = "return redis.call('GET', KEYS[1])";
const SET_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])";

/** Loads the library and the scripts; returns the custom commands to benchmark, by row name. */
function loadScripting(port: number): Map<string, string[]> {
  const cli = (...args: string[]) => {
    const r = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
    if (r.status !== 0 || r.stdout.startsWith('ERR')) throw new Error(`redis-cli ${args[0]} on ${port}: ${r.stdout}${r.stderr}`);
    return r.stdout.trim();
  };
  cli('FUNCTION', 'LOAD', 'REPLACE', BENCH_LIBRARY);
  const getSha = cli('SCRIPT', 'LOAD', GET_SCRIPT);
  const setSha = cli('SCRIPT', 'LOAD', SET_SCRIPT);
  // SET rows first, so the GET rows mostly find their keys.
  return new Map([
    ['FCALL set_fn', ['FCALL', 'set_fn', '1', 'key:__rand_int__', 'xxx']],
    ['FCALL get_fn', ['FCALL', 'get_fn', '1', 'key:__rand_int__']],
    ['EVALSHA set', ['EVALSHA', setSha, '1', 'key:__rand_int__', 'xxx']],
    ['EVALSHA get', ['EVALSHA', getSha, '1', 'key:__rand_int__']],
  ]);
}

/** redis-benchmark of one custom command (keys randomized with -r): requests/s. */
function runCustomBenchmark(port: number, pipeline: number, command: string[]): number {
  const r = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '-c', String(CLIENTS), '-n', String(REQUESTS), '-P', String(pipeline), '-r', '100000', '--csv', ...command],
    { encoding: 'utf8' },
  );
  const row = r.stdout.split('\n')[1] ?? '';
  return Number(row.split('","')[1]?.replace(/"/g, '') ?? 0) || 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not start`);
}

function runBenchmark(port: number, pipeline: number, scripting: Map<string, string[]> | null, dataTypes: Map<string, string[]> | null = null): Map<string, number> {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', String(CLIENTS), '-n', String(REQUESTS), '-P', String(pipeline), '-t', TESTS, '--csv'], {
    encoding: 'utf8',
  });
  const rows = new Map<string, number>();
  for (const line of r.stdout.split('\n').slice(1)) {
    const cells = line.split('","').map((c) => c.replace(/"/g, ''));
    if (cells.length > 1) rows.set(cells[0], Number(cells[1]));
  }
  if (scripting) for (const [name, command] of scripting) rows.set(name, runCustomBenchmark(port, pipeline, command));
  if (dataTypes) runDataTypeBenchmark(port, pipeline, dataTypes, rows);
  return rows;
}

async function main(): Promise<void> {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) {
    console.error('redis-benchmark is not installed (apt-get install -y redis-tools)');
    process.exit(1);
  }
  const redisPort = await freePort();
  const lunakvPort = await freePort();
  const children: ChildProcess[] = [
    spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' }),
    spawn(process.execPath, [LUNAKV_BIN, '--port', String(lunakvPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
  ];
  try {
    await waitForPort(redisPort);
    await waitForPort(lunakvPort);
    const redisScripting = SCRIPTING ? loadScripting(redisPort) : null;
    const ourScripting = SCRIPTING ? loadScripting(lunakvPort) : null;
    const redisDataTypes = DATATYPES ? loadDataTypes(redisPort) : null;
    const ourDataTypes = DATATYPES ? loadDataTypes(lunakvPort) : null;
    console.log(`redis-benchmark -c ${CLIENTS} -n ${REQUESTS}, tests ${TESTS}${SCRIPTING ? ' + FCALL/EVALSHA' : ''}${DATATYPES ? ` + ${DATATYPE_TESTS} + ZRANGE` : ''}`);
    console.log(['test', 'pipeline', 'redis rps', 'lunakv rps', 'ratio'].map((h) => h.padEnd(16)).join(''));
    for (const pipeline of PIPELINES) {
      // Alternate the servers over several rounds and keep each one's best run, so a
      // burst of load on this shared machine does not decide the ratio.
      const redis = new Map<string, number>();
      const ours = new Map<string, number>();
      const keepBest = (into: Map<string, number>, from: Map<string, number>) => {
        for (const [test, rps] of from) into.set(test, Math.max(into.get(test) ?? 0, rps));
      };
      for (let round = 0; round < ROUNDS; round++) {
        keepBest(redis, runBenchmark(redisPort, pipeline, redisScripting, redisDataTypes));
        keepBest(ours, runBenchmark(lunakvPort, pipeline, ourScripting, ourDataTypes));
      }
      for (const [test, rps] of redis) {
        const mine = ours.get(test) ?? 0;
        console.log([test, `-P ${pipeline}`, rps.toFixed(0), mine.toFixed(0), (mine / rps).toFixed(2)].map((c) => c.padEnd(16)).join(''));
      }
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}

void main();
