/**
 * npm run bench:persistence: SAVE time for N keys (default 1M) and GET latency (p50,
 * p99, max) measured while a BGSAVE of those keys runs, for lunakv and redis-server,
 * each started as its own process on a port in 7590-7599 with a temporary dir.
 *
 * Options (environment): BENCH_KEYS (default 1000000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RespClient } from '../test/support/resp-client.js';
import { connectWhenUp } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const LUNAKV_BIN = path.resolve(here, '../src/bin/lunakv-server.js');
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);


async function fill(client: RespClient): Promise<void> {
  const batch = 10_000;
  for (let i = 0; i < KEYS; i += batch) {
    const cmds: string[][] = [];
    for (let j = i; j < Math.min(KEYS, i + batch); j++) cmds.push(['SET', `key:${j}`, `value-${j}-xxxxxxxxxx`]);
    await client.pipeline(cmds);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function measure(name: string, port: number, child: ChildProcess): Promise<void> {
  const client = await connectWhenUp(port);
  try {
    await fill(client);
    let t = performance.now();
    await client.call('SAVE');
    const saveMs = performance.now() - t;
    const probe = await RespClient.connect(port);
    const latencies: number[] = [];
    await client.call('BGSAVE');
    const started = performance.now();
    // GETs until the save is over (LASTSAVE moves) or 30 s.
    const lastSaveBefore = (await probe.call('LASTSAVE')).toString();
    let done = false;
    while (!done && performance.now() - started < 30_000) {
      for (let i = 0; i < 200; i++) {
        t = performance.now();
        await probe.call('GET', `key:${Math.floor(Math.random() * KEYS)}`);
        latencies.push(performance.now() - t);
      }
      const info = (await probe.call('INFO', 'persistence')).toString();
      const inProgress = /rdb_bgsave_in_progress:1/.test(info);
      done = !inProgress && (await probe.call('LASTSAVE')).toString() !== lastSaveBefore;
      if (!inProgress && performance.now() - started > 2000) done = true;
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(12)} SAVE ${KEYS} keys: ${saveMs.toFixed(0)} ms | GET during BGSAVE (${latencies.length} GETs): ` +
        `p50 ${percentile(latencies, 50).toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`,
    );
    probe.close();
  } finally {
    client.close();
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lk-')), fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rd-'))];
  try {
    const lunakv = spawn(process.execPath, [LUNAKV_BIN, '--port', '7591', '--dir', dirs[0]!, '--appendonly', 'no', '--save', ''], { stdio: 'ignore' });
    await measure('lunakv', 7591, lunakv);
    const redis = spawn('redis-server', ['--port', '7592', '--dir', dirs[1]!, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    redis.on('error', () => console.log('redis-server not installed: skipped'));
    await measure('redis-server', 7592, redis).catch((e) => console.log(`redis-server: ${(e as Error).message}`));
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

void main();
