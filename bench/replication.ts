/**
 * npm run bench:replication: the time of a full sync of N keys (default 1M, made with
 * DEBUG POPULATE) for each pair of master and replica kinds (redis -> redis, lunakv ->
 * redis, redis -> lunakv, lunakv -> lunakv), and the GET latency on the master while
 * the replica syncs. Every server is its own process with a temporary dir; the ratio
 * column compares each pair's sync time with redis -> redis measured in the same run.
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
import { freePort } from '../test/support/ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const LUNAKV_BIN = path.resolve(here, '../src/bin/lunakv-server.js');
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);

type Kind = 'redis' | 'lunakv';

interface Proc {
  child: ChildProcess;
  port: number;
  client: RespClient;
  dir: string;
}



async function start(kind: Kind): Promise<Proc> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-repl-${kind}-`));
  const args = ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', '--loglevel', 'warning'];
  const child = kind === 'redis' ? spawn('redis-server', args, { stdio: 'ignore' }) : spawn(process.execPath, [LUNAKV_BIN, ...args], { stdio: 'ignore' });
  return { child, port, dir, client: await connectWhenUp(port) };
}

async function stop(p: Proc): Promise<void> {
  p.client.close();
  p.child.kill('SIGKILL');
  await new Promise((r) => p.child.once('exit', r));
  fs.rmSync(p.dir, { recursive: true, force: true });
}

async function field(client: RespClient, name: string): Promise<string | undefined> {
  const info = (await client.call('INFO', 'replication')).toString('latin1');
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info)?.[1];
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

interface Row {
  pair: string;
  syncSeconds: number;
  getP50: number;
  getP99: number;
  getMax: number;
}

async function measure(masterKind: Kind, replicaKind: Kind): Promise<Row> {
  const master = await start(masterKind);
  const replica = await start(replicaKind);
  try {
    await master.client.call('DEBUG', 'POPULATE', KEYS);
    const probe = await RespClient.connect(master.port);
    const t0 = performance.now();
    await replica.client.call('REPLICAOF', '127.0.0.1', master.port);
    const latencies: number[] = [];
    let synced = false;
    let lastCheck = 0;
    while (!synced && performance.now() - t0 < 300_000) {
      const s = performance.now();
      await probe.call('GET', 'key:1');
      latencies.push(performance.now() - s);
      if (performance.now() - lastCheck > 20) {
        lastCheck = performance.now();
        synced = (await field(replica.client, 'master_link_status')) === 'up';
      }
    }
    const syncSeconds = (performance.now() - t0) / 1000;
    const size = (await replica.client.call('DBSIZE')).toString().trim();
    if (size !== `:${KEYS}`) throw new Error(`${masterKind} -> ${replicaKind}: replica has ${size} keys`);
    probe.close();
    latencies.sort((a, b) => a - b);
    return {
      pair: `${masterKind} -> ${replicaKind}`,
      syncSeconds,
      getP50: percentile(latencies, 50),
      getP99: percentile(latencies, 99),
      getMax: latencies[latencies.length - 1] ?? 0,
    };
  } finally {
    await stop(replica);
    await stop(master);
  }
}

async function main(): Promise<void> {
  console.log(`Full sync of ${KEYS} keys (DEBUG POPULATE), GET latency on the master during the sync (ms)`);
  const rows: Row[] = [];
  for (const [m, r] of [['redis', 'redis'], ['lunakv', 'redis'], ['redis', 'lunakv'], ['lunakv', 'lunakv']] as [Kind, Kind][]) {
    rows.push(await measure(m, r));
  }
  const base = rows[0]!.syncSeconds;
  console.log('pair                 sync s   vs redis->redis   GET p50   GET p99   GET max');
  for (const row of rows) {
    console.log(
      `${row.pair.padEnd(20)} ${row.syncSeconds.toFixed(2).padStart(6)}   ${(row.syncSeconds / base).toFixed(2).padStart(15)}   ${row.getP50.toFixed(2).padStart(7)}   ${row.getP99.toFixed(2).padStart(7)}   ${row.getMax.toFixed(1).padStart(7)}`,
    );
  }
}

await main();
