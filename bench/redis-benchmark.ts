/**
 * npm run bench: redis-benchmark against lunakv and redis-server in the same run, for
 * the same tests, 50 clients, pipelines 1 and 16. Prints requests/s and the ratio
 * lunakv/redis. Both servers run as separate processes on free ports.
 *
 * Options (environment): BENCH_REQUESTS (default 100000), BENCH_TESTS (comma list for -t),
 * BENCH_ROUNDS (default 3: each row runs that many times on each server, back to back with
 * the order alternating; the best run of each server gives "ratio", and the median of the
 * paired per-round ratios is printed beside it),
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
const WARMUP_REQUESTS = 20000;

/** One row of the table: a built-in redis-benchmark test (-t) or a custom command. */
interface Row {
  name: string;
  args: string[];
}

function builtinRows(tests: string): Row[] {
  const names: Record<string, string> = {
    ping: 'PING_INLINE,PING_MBULK',
    set: 'SET',
    get: 'GET',
    incr: 'INCR',
    mset: 'MSET (10 keys)',
    lpush: 'LPUSH',
    lpop: 'LPOP',
    sadd: 'SADD',
    hset: 'HSET',
    zadd: 'ZADD',
  };
  const rows: Row[] = [];
  for (const t of tests.split(',')) {
    if (t === 'ping') {
      rows.push({ name: 'PING_INLINE', args: ['-t', 'ping_inline'] }, { name: 'PING_MBULK', args: ['-t', 'ping_mbulk'] });
    } else {
      rows.push({ name: names[t] ?? t.toUpperCase(), args: ['-t', t] });
    }
  }
  return rows;
}

/** Creates the sorted set the ZRANGE row reads. */
function loadDataTypes(port: number): void {
  const members: string[] = [];
  for (let i = 0; i < 100; i++) members.push(String(i), `member:${i}`);
  const r = spawnSync('redis-cli', ['-p', String(port), 'ZADD', ZRANGE_KEY, ...members], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.startsWith('ERR')) throw new Error(`redis-cli ZADD on ${port}: ${r.stdout}${r.stderr}`);
}

const BENCH_LIBRARY = [
  '#!lua name=benchlib',
  "redis.register_function('get_fn', function(keys) return redis.call('GET', keys[1]) end)",
  "redis.register_function('set_fn', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
].join('\n');
const GET_SCRIPT = "return redis.call('GET', KEYS[1])";
const SET_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])";

/** Loads the library and the scripts (the same SHA1s on both servers). */
function loadScripting(port: number): { getSha: string; setSha: string } {
  const cli = (...args: string[]) => {
    const r = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
    if (r.status !== 0 || r.stdout.startsWith('ERR')) throw new Error(`redis-cli ${args[0]} on ${port}: ${r.stdout}${r.stderr}`);
    return r.stdout.trim();
  };
  cli('FUNCTION', 'LOAD', 'REPLACE', BENCH_LIBRARY);
  return { getSha: cli('SCRIPT', 'LOAD', GET_SCRIPT), setSha: cli('SCRIPT', 'LOAD', SET_SCRIPT) };
}

/** The scripting rows: SET rows first, so the GET rows mostly find their keys (-r randomizes). */
function scriptingRows(shas: { getSha: string; setSha: string }): Row[] {
  const random = ['-r', '100000'];
  return [
    { name: 'FCALL set_fn', args: [...random, 'FCALL', 'set_fn', '1', 'key:__rand_int__', 'xxx'] },
    { name: 'FCALL get_fn', args: [...random, 'FCALL', 'get_fn', '1', 'key:__rand_int__'] },
    { name: 'EVALSHA set', args: [...random, 'EVALSHA', shas.setSha, '1', 'key:__rand_int__', 'xxx'] },
    { name: 'EVALSHA get', args: [...random, 'EVALSHA', shas.getSha, '1', 'key:__rand_int__'] },
  ];
}

/** redis-benchmark of one row: requests/s. */
function runRow(port: number, pipeline: number, row: Row, requests = REQUESTS): number {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', String(CLIENTS), '-n', String(requests), '-P', String(pipeline), '--csv', ...row.args], {
    encoding: 'utf8',
  });
  const line = r.stdout.split('\n')[1] ?? '';
  return Number(line.split('","')[1]?.replace(/"/g, '') ?? 0) || 0;
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
    const shas = SCRIPTING ? loadScripting(redisPort) : null;
    if (SCRIPTING) loadScripting(lunakvPort);
    if (DATATYPES) {
      loadDataTypes(redisPort);
      loadDataTypes(lunakvPort);
    }
    const rows: Row[] = [...builtinRows(TESTS)];
    if (shas) rows.push(...scriptingRows(shas));
    if (DATATYPES) rows.push(...builtinRows(DATATYPE_TESTS), { name: 'ZRANGE 0 99 (100 members)', args: ['ZRANGE', ZRANGE_KEY, '0', '99'] });
    console.log(`redis-benchmark -c ${CLIENTS} -n ${REQUESTS}, ${ROUNDS} rounds per row, tests ${TESTS}${SCRIPTING ? ' + FCALL/EVALSHA' : ''}${DATATYPES ? ` + ${DATATYPE_TESTS} + ZRANGE` : ''}`);
    console.log(['test', 'pipeline', 'redis rps', 'lunakv rps', 'ratio', 'median ratio'].map((h, i) => h.padEnd(i === 0 ? 28 : 14)).join(''));
    // Warm-up, not measured: lunakv's JIT compiles its hot paths during the first requests.
    for (const row of rows) {
      runRow(redisPort, 1, row, WARMUP_REQUESTS);
      runRow(lunakvPort, 1, row, WARMUP_REQUESTS);
    }
    for (const pipeline of PIPELINES) {
      for (const row of rows) {
        // The two servers run the same row back to back, alternating which goes first,
        // so a burst of load on this shared machine hits both; the best run of each is
        // reported, and the median of the paired ratios beside it.
        let redisBest = 0;
        let oursBest = 0;
        const ratios: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          let redis: number;
          let ours: number;
          if (round % 2 === 0) {
            redis = runRow(redisPort, pipeline, row);
            ours = runRow(lunakvPort, pipeline, row);
          } else {
            ours = runRow(lunakvPort, pipeline, row);
            redis = runRow(redisPort, pipeline, row);
          }
          redisBest = Math.max(redisBest, redis);
          oursBest = Math.max(oursBest, ours);
          if (redis > 0) ratios.push(ours / redis);
        }
        ratios.sort((a, b) => a - b);
        const median = ratios.length ? ratios[Math.floor(ratios.length / 2)]! : 0;
        const cells = [row.name, `-P ${pipeline}`, redisBest.toFixed(0), oursBest.toFixed(0), (oursBest / redisBest).toFixed(2), median.toFixed(2)];
        console.log(cells.map((c, i) => c.padEnd(i === 0 ? 28 : 14)).join(''));
      }
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}

void main();
