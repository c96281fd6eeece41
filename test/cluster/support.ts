/**
 * Cluster test support: cluster nodes of either kind (redis-server 7.0.15 spawned, or an
 * in-process lunakv), each with its own directory (nodes.conf) and explicit client and
 * bus ports, redis-cli --cluster create / check, and waits on CLUSTER INFO.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/index.js';
import { freePort, startOracle, type Oracle } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';
import { decodeResp, type Resp } from '../support/resp-decode.js';

import { eventually, sleep } from '../replication/support.js';
import { oracleAvailable, ORACLE_MISSING } from '../support/oracle.js';

export { eventually, sleep };

export function redisCliAvailable(): boolean {
  return spawnSync('redis-cli', ['--version']).status === 0;
}

/** Skips a test, saying why, when redis-cli (or, if needed, redis-server) is missing. */
export function skipWithoutTools(t: { skip(msg: string): void }, needsOracle: boolean): boolean {
  if (!redisCliAvailable()) {
    t.skip('redis-cli is not installed: run `apt-get install -y redis-tools`');
    return true;
  }
  if (needsOracle && !oracleAvailable()) {
    t.skip(ORACLE_MISSING);
    return true;
  }
  return false;
}

export interface ClusterNodeHandle {
  kind: 'redis' | 'lunakv';
  port: number;
  cport: number;
  dir: string;
  client: RespClient;
  running?: RunningServer;
  oracle?: Oracle;
  close(): Promise<void>;
}

/** A client and a bus port, both free now, the bus one not port+10000 (which may be taken). */
async function twoPorts(): Promise<[number, number]> {
  const a = await freePort();
  let b = await freePort();
  while (b === a) b = await freePort();
  return [a, b];
}

/** The nodes a test file starts: each test's are closed after it. */
export function nodesClosedAfterEach(): ClusterNodeHandle[] {
  const nodes: ClusterNodeHandle[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close().catch(() => {});
  });
  return nodes;
}

export function clusterConfig(extra: Record<string, string> = {}): Record<string, string> {
  return { 'cluster-node-timeout': '3000', 'appendonly': 'no', 'save': '', ...extra };
}

export async function lunakvClusterNode(extra: Record<string, string> = {}): Promise<ClusterNodeHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunakv-cluster-'));
  const [port, cport] = await twoPorts();
  const running = await startServer({
    port,
    config: { 'cluster-enabled': 'yes', 'cluster-port': String(cport), dir, ...clusterConfig(extra) },
  });
  const client = await RespClient.connect(port);
  return {
    kind: 'lunakv',
    port,
    cport,
    dir,
    client,
    running,
    close: async () => {
      client.close();
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function redisClusterNode(extra: Record<string, string> = {}): Promise<ClusterNodeHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-'));
  const cport = await freePort();
  const config = { 'cluster-enabled': 'yes', 'cluster-port': String(cport), dir, ...clusterConfig(extra) };
  // startOracle passes --dir os.tmpdir(); ours comes later and wins.
  const oracle = await startOracle(Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]));
  const client = await RespClient.connect(oracle.port);
  return {
    kind: 'redis',
    port: oracle.port,
    cport,
    dir,
    client,
    oracle,
    close: async () => {
      client.close();
      await oracle.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function text(b: Buffer): string {
  return b.toString('latin1');
}

export async function call(n: ClusterNodeHandle, ...args: (string | number)[]): Promise<Resp> {
  return decodeResp(await n.client.call(...args));
}

/** One field of CLUSTER INFO. */
export async function clusterInfo(n: ClusterNodeHandle, field: string): Promise<string | undefined> {
  const info = text(await n.client.call('CLUSTER', 'INFO'));
  return new RegExp(`^${field}:(.*)\\r$`, 'm').exec(info)?.[1];
}

/** Runs redis-cli with arguments; resolves with its exit code and output. */
export function redisCli(args: string[], timeoutMs = 60000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

/** redis-cli --cluster create of `nodes` (replicas per master as given), which must succeed. */
export async function clusterCreate(nodes: ClusterNodeHandle[], replicas = 0): Promise<string> {
  const args = ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'];
  if (replicas > 0) args.push('--cluster-replicas', String(replicas));
  const { code, out } = await redisCli(args);
  assert.equal(code, 0, `redis-cli --cluster create failed:\n${out}`);
  assert.match(out, /\[OK\] All 16384 slots covered\./, out);
  return out;
}

/** redis-cli --cluster check from `node`: clean (no [ERR] or [WARNING], all slots covered). */
export async function clusterCheck(node: ClusterNodeHandle): Promise<string> {
  const { code, out } = await redisCli(['--cluster', 'check', `127.0.0.1:${node.port}`]);
  assert.equal(code, 0, `redis-cli --cluster check from ${node.kind} :${node.port} failed:\n${out}`);
  assert.doesNotMatch(out, /\[ERR\]|\[WARNING\]/, out);
  assert.match(out, /\[OK\] All nodes agree about slots configuration\./, out);
  assert.match(out, /\[OK\] All 16384 slots covered\./, out);
  return out;
}

export async function waitClusterOk(nodes: ClusterNodeHandle[]): Promise<void> {
  for (const n of nodes) await eventually(`cluster_state:ok on ${n.kind} :${n.port}`, async () => (await clusterInfo(n, 'cluster_state')) === 'ok');
}

/**
 * CLUSTER NODES reduced to what every node must agree on: id, address, role, master,
 * config epoch and slots (not myself, ping times or link state), sorted by id.
 */
export async function nodesView(n: ClusterNodeHandle): Promise<string[]> {
  const lines = (await call(n, 'CLUSTER', 'NODES')) as string;
  return lines
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const f = l.split(' ');
      const flags = f[2]!.split(',').filter((x) => x !== 'myself').join(',');
      return [f[0], f[1], flags, f[3], f[6], ...f.slice(8)].join(' ');
    })
    .sort();
}

/** CLUSTER SLOTS, sorted by start slot, replicas sorted (their order is the master's). */
export async function slotsView(n: ClusterNodeHandle): Promise<string> {
  const slots = (await call(n, 'CLUSTER', 'SLOTS')) as Resp[][];
  return JSON.stringify(slots.map((r) => [...r.slice(0, 3), ...r.slice(3).map((x) => JSON.stringify(x)).sort()]).sort((a, b) => (a[0] as number) - (b[0] as number)));
}

/** CLUSTER SHARDS without replication offsets (they move), shards sorted by first slot. */
export async function shardsView(n: ClusterNodeHandle): Promise<string> {
  const shards = (await call(n, 'CLUSTER', 'SHARDS')) as Resp[][];
  const norm = shards.map((s) => {
    const map = s as Resp[];
    const slots = map[1];
    const nodes = (map[3] as Resp[][]).map((fields) => {
      const out: Resp[] = [];
      for (let i = 0; i < fields.length; i += 2) if (fields[i] !== 'replication-offset' && fields[i] !== 'health') out.push(fields[i]!, fields[i + 1]!);
      return JSON.stringify(out);
    });
    return JSON.stringify([slots, nodes.sort()]);
  });
  return JSON.stringify(norm.sort());
}
